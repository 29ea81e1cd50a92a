package convert

import (
	"fmt"
	"maps"
	"slices"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// defaultAdvertiseVNIs is what an unset advertiseVNIs means.
const defaultAdvertiseVNIs = string(v1beta1.AdvertiseVNIsDisabled)

// mergeEVPN merges two EVPN sections of the same VRF (merge.md §11). It
// does not modify its arguments, so a section can be merged with itself.
func mergeEVPN(a, b *evpn) (*evpn, error) {
	if a == nil {
		return b, nil
	}
	if b == nil {
		return a, nil
	}
	if advertiseVNIs(a) != advertiseVNIs(b) {
		return nil, newConflict("evpn.advertiseVNIs",
			side{advertiseVNIsValue(a), a.advertiseVNIsFrom}, side{advertiseVNIsValue(b), b.advertiseVNIsFrom},
			"different advertiseVNIs (%q != %q)", advertiseVNIs(a), advertiseVNIs(b))
	}
	if a.advertiseSVI != b.advertiseSVI {
		return nil, newConflict("evpn.advertiseSVI", side{boolValue(a.advertiseSVI), a.from}, side{boolValue(b.advertiseSVI), b.from},
			"different advertiseSVI (%t != %t)", a.advertiseSVI, b.advertiseSVI)
	}
	l2, err := mergeL2VNIs(a.l2vnis, b.l2vnis)
	if err != nil {
		return nil, err
	}
	l3, err := mergeL3VNIs(a.l3vni, b.l3vni)
	if err != nil {
		return nil, err
	}
	res := &evpn{
		from:              a.from,
		advertiseVNIs:     a.advertiseVNIs,
		advertiseVNIsFrom: a.advertiseVNIsFrom,
		advertiseSVI:      a.advertiseSVI,
		l2vnis:            l2,
		l3vni:             l3,
	}
	if res.advertiseVNIs == nil && b.advertiseVNIs != nil {
		res.advertiseVNIs, res.advertiseVNIsFrom = b.advertiseVNIs, b.advertiseVNIsFrom
	}
	return res, nil
}

// advertiseVNIs is the effective mode: unset means Disabled.
func advertiseVNIs(e *evpn) string {
	if e.advertiseVNIs == nil {
		return defaultAdvertiseVNIs
	}
	return *e.advertiseVNIs
}

// advertiseVNIsValue prints the mode for the D6 suffix.
func advertiseVNIsValue(e *evpn) string {
	if e.advertiseVNIs == nil {
		return "unset (default " + defaultAdvertiseVNIs + ")"
	}
	return *e.advertiseVNIs
}

// mergeL2VNIs merges the l2vnis by VNI, sorted by VNI. As upstream, the
// entries of a are indexed first (the last of a repeated VNI wins) and each
// entry of b is then merged in.
func mergeL2VNIs(a, b []l2vni) ([]l2vni, error) {
	byVNI := make(map[uint32]l2vni, len(a)+len(b))
	for _, v := range a {
		byVNI[v.vni] = v
	}
	for _, v := range b {
		existing, found := byVNI[v.vni]
		if !found {
			byVNI[v.vni] = v
			continue
		}
		merged, err := mergeVNIProperties(fmt.Sprintf("evpn.l2vnis[%d]", v.vni), existing.vniProperties, v.vniProperties)
		if err != nil {
			return nil, fmt.Errorf("could not merge l2vni %d, err: %w", v.vni, err)
		}
		byVNI[v.vni] = l2vni{vni: v.vni, vniProperties: merged}
	}
	if len(byVNI) == 0 {
		return nil, nil
	}
	res := make([]l2vni, 0, len(byVNI))
	for _, vni := range slices.Sorted(maps.Keys(byVNI)) {
		res = append(res, byVNI[vni])
	}
	return res, nil
}

// mergeL3VNIs merges the l3vni of a VRF: same VNI, compatible properties,
// advertised families unioned.
func mergeL3VNIs(a, b *l3vni) (*l3vni, error) {
	if a == nil {
		return b, nil
	}
	if b == nil {
		return a, nil
	}
	if a.vni != b.vni {
		return nil, newConflict("evpn.l3vni.vni", side{uintValue(a.vni), a.from}, side{uintValue(b.vni), b.from},
			"different l3vni numbers (%d != %d)", a.vni, b.vni)
	}
	merged, err := mergeVNIProperties("evpn.l3vni", a.vniProperties, b.vniProperties)
	if err != nil {
		return nil, err
	}
	return &l3vni{
		vni:               a.vni,
		vniProperties:     merged,
		advertisePrefixes: unionSorted(sortedUnique(slices.Clone(a.advertisePrefixes)), sortedUnique(slices.Clone(b.advertisePrefixes))),
	}, nil
}

// mergeVNIProperties merges RD and route targets: RDs equal or one empty;
// route targets either both implicit (empty) or both explicit, then unioned.
func mergeVNIProperties(path string, a, b vniProperties) (vniProperties, error) {
	if a.rd != "" && b.rd != "" && a.rd != b.rd {
		return vniProperties{}, newConflict(path+".rd", side{a.rd, a.rdFrom}, side{b.rd, b.rdFrom},
			"different RD values (%s != %s)", a.rd, b.rd)
	}
	if (len(a.importRTs) == 0) != (len(b.importRTs) == 0) {
		return vniProperties{}, newConflict(path+".importRTs", side{listValue(a.importRTs), a.from}, side{listValue(b.importRTs), b.from},
			"conflicting import route targets: mixing implicit and explicit route targets")
	}
	if (len(a.exportRTs) == 0) != (len(b.exportRTs) == 0) {
		return vniProperties{}, newConflict(path+".exportRTs", side{listValue(a.exportRTs), a.from}, side{listValue(b.exportRTs), b.from},
			"conflicting export route targets: mixing implicit and explicit route targets")
	}
	res := vniProperties{
		from:      a.from,
		rd:        a.rd,
		rdFrom:    a.rdFrom,
		importRTs: unionSorted(sortedUnique(slices.Clone(a.importRTs)), sortedUnique(slices.Clone(b.importRTs))),
		exportRTs: unionSorted(sortedUnique(slices.Clone(a.exportRTs)), sortedUnique(slices.Clone(b.exportRTs))),
	}
	if res.rd == "" {
		res.rd, res.rdFrom = b.rd, b.rdFrom
	}
	return res, nil
}
