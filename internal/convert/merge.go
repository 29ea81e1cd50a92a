package convert

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"
)

// FRR's defaults: a neighbor value equal to one of them is the same as unset.
const (
	defaultBGPPort       = 179
	defaultHoldTime      = 180
	defaultKeepaliveTime = 60
	defaultConnectTime   = 60
)

// selfMerge merges a freshly converted router with itself (merge.md §2
// step 2.6): repeated neighbor IDs are merged or rejected, every set is
// sorted and every neighbor is default-cleaned.
func selfMerge(r *router) error {
	neighbors, err := mergeRepeatedNeighbors(r.neighbors)
	if err != nil {
		return err
	}
	for _, n := range neighbors {
		cleanNeighborDefaults(n)
	}
	r.neighbors = neighbors
	r.v4 = sortedUnique(r.v4)
	r.v6 = sortedUnique(r.v6)
	r.imports = sortedUnique(r.imports)
	if r.evpn != nil {
		merged, err := mergeEVPN(r.evpn, r.evpn)
		if err != nil {
			return fmt.Errorf("could not merge EVPN configuration for vrf %q, err: %w", r.vrf, err)
		}
		r.evpn = merged
	}
	return nil
}

// mergeRouters merges m into r, two routers of the same VRF (merge.md §8).
// Both went through selfMerge.
func mergeRouters(r, m *router) error {
	if r.asn != m.asn {
		return newConflict("asn", side{uintValue(r.asn), r.from}, side{uintValue(m.asn), m.from},
			"different asns (%d != %d) specified for same vrf: %s", r.asn, m.asn, r.vrf)
	}
	if r.id != "" && m.id != "" && r.id != m.id {
		return newConflict("id", side{r.id, r.idFrom}, side{m.id, m.idFrom},
			"different router ids (%s != %s) specified for same vrf: %s", r.id, m.id, r.vrf)
	}
	if r.id == "" {
		r.id, r.idFrom = m.id, m.idFrom
	}
	r.v4 = unionSorted(r.v4, m.v4)
	r.v6 = unionSorted(r.v6, m.v6)
	r.imports = unionSorted(r.imports, m.imports)
	neighbors, err := mergeNeighborLists(r.neighbors, m.neighbors)
	if err != nil {
		return err
	}
	r.neighbors = neighbors
	merged, err := mergeEVPN(r.evpn, m.evpn)
	if err != nil {
		return fmt.Errorf("could not merge EVPN configuration for vrf %q, err: %w", r.vrf, err)
	}
	r.evpn = merged
	return nil
}

// mergeRepeatedNeighbors merges the neighbors of one router that share an
// ID, each into the first one in API order, and returns the distinct ones
// sorted by ID. It reorders neighbors.
func mergeRepeatedNeighbors(neighbors []*neighbor) ([]*neighbor, error) {
	if !hasRepeatedIDs(neighbors) {
		slices.SortFunc(neighbors, compareNeighborIDs)
		return neighbors, nil
	}
	res := make([]*neighbor, 0, len(neighbors))
	byID := make(map[string]*neighbor, len(neighbors))
	for _, n := range neighbors {
		existing, found := byID[n.id]
		if !found {
			byID[n.id] = n
			res = append(res, n)
			continue
		}
		if err := mergeNeighbor(existing, n); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(res, compareNeighborIDs)
	return res, nil
}

// smallNeighborCount is the number of neighbors up to which hasRepeatedIDs
// compares every pair rather than building a set.
const smallNeighborCount = 16

// hasRepeatedIDs reports whether two neighbors share an ID.
func hasRepeatedIDs(neighbors []*neighbor) bool {
	if len(neighbors) > smallNeighborCount {
		ids := make(sets.Set[string], len(neighbors))
		for _, n := range neighbors {
			if ids.Has(n.id) {
				return true
			}
			ids.Insert(n.id)
		}
		return false
	}
	for i, n := range neighbors {
		for _, m := range neighbors[:i] {
			if m.id == n.id {
				return true
			}
		}
	}
	return false
}

// mergeNeighborLists merges the neighbors of incoming into acc, both
// sorted by ID with distinct IDs: a neighbor whose ID is in acc is merged
// into that one, in ID order, and the others are added. acc belongs to the
// accumulated router and is updated in place.
func mergeNeighborLists(acc, incoming []*neighbor) ([]*neighbor, error) {
	i := 0
	for _, n := range incoming {
		for i < len(acc) && acc[i].id < n.id {
			i++
		}
		if i < len(acc) && acc[i].id == n.id {
			if err := mergeNeighbor(acc[i], n); err != nil {
				return nil, err
			}
		}
	}
	return mergeSortedInPlace(acc, incoming, compareNeighborIDs, false), nil
}

// compareNeighborIDs orders neighbors by ID.
func compareNeighborIDs(a, b *neighbor) int { return strings.Compare(a.id, b.id) }

// mergeNeighbor merges s into d, two neighbors with the same ID.
func mergeNeighbor(d, s *neighbor) error {
	if err := checkNeighborsCompatible(d, s); err != nil {
		return err
	}
	if d.BFDProfile == "" {
		d.BFDProfile, d.bfdFrom = s.BFDProfile, s.bfdFrom
	}
	if err := mergeOutgoing(d, s); err != nil {
		return fmt.Errorf("could not merge outgoing for neighbor %s vrf %s, err: %w", s.Addr, s.VRF, err)
	}
	mergeIncoming(d, s)
	d.AddressFamilies = unionSorted(d.AddressFamilies, s.AddressFamilies)
	d.GracefulRestart = d.GracefulRestart || s.GracefulRestart // D2
	cleanNeighborDefaults(d)
	return nil
}

// neighborCheck is one row of the neighbor compatibility table.
type neighborCheck struct {
	field    string
	sentence string // formatted with the neighbor ID
	equal    func(d, s *neighbor) bool
	value    func(n *neighbor) string
	from     func(n *neighbor) origin // nil: the neighbor's origin
}

// neighborChecks are checked in order; the first difference is the error.
var neighborChecks = []neighborCheck{
	{
		field: "asn/dynamicASN", sentence: "multiple asns specified for %s",
		equal: func(d, s *neighbor) bool { return d.ASN == s.ASN },
		value: func(n *neighbor) string { return n.ASN },
	},
	{
		field: "port", sentence: "multiple ports specified for %s",
		equal: func(d, s *neighbor) bool { return equalWithDefault(d.Port, s.Port, defaultBGPPort) },
		value: func(n *neighbor) string { return portValue(n.Port) },
	},
	{
		field: "sourceaddress", sentence: "multiple source addresses specified for %s",
		equal: func(d, s *neighbor) bool { return d.SrcAddr == s.SrcAddr },
		value: func(n *neighbor) string { return stringValue(n.SrcAddr) },
	},
	{
		field: "password", sentence: "multiple passwords specified for %s",
		equal: func(d, s *neighbor) bool { return d.Password == s.Password },
		value: func(n *neighbor) string { return passwordValue(n.Password) },
	},
	{
		field: "bfdProfile", sentence: "multiple bfd profiles specified for %s",
		equal: func(d, s *neighbor) bool {
			return d.BFDProfile == "" || s.BFDProfile == "" || d.BFDProfile == s.BFDProfile
		},
		value: func(n *neighbor) string { return stringValue(n.BFDProfile) },
		from:  func(n *neighbor) origin { return n.bfdFrom },
	},
	{
		field: "ebgpMultiHop", sentence: "conflicting ebgp-multihop specified for %s",
		equal: func(d, s *neighbor) bool { return d.EBGPMultiHop == s.EBGPMultiHop },
		value: func(n *neighbor) string { return boolValue(n.EBGPMultiHop) },
	},
	{
		field: "dualStackAddressFamily", sentence: "conflicting advertiseDualStack specified for %s",
		equal: func(d, s *neighbor) bool { return d.Family == s.Family },
		value: func(n *neighbor) string { return n.Family },
	},
	{
		field: "holdTime", sentence: "multiple hold times specified for %s",
		equal: func(d, s *neighbor) bool { return equalWithDefault(d.Hold, s.Hold, defaultHoldTime) },
		value: func(n *neighbor) string { return secondsValue(n.Hold, defaultHoldTime) },
	},
	{
		field: "keepaliveTime", sentence: "multiple keepalive times specified for %s",
		equal: func(d, s *neighbor) bool { return equalWithDefault(d.Keepalive, s.Keepalive, defaultKeepaliveTime) },
		value: func(n *neighbor) string { return secondsValue(n.Keepalive, defaultKeepaliveTime) },
	},
	{
		field: "connectTime", sentence: "multiple connect times specified for %s",
		equal: func(d, s *neighbor) bool { return equalWithDefault(d.Connect, s.Connect, defaultConnectTime) },
		value: func(n *neighbor) string { return secondsValue(n.Connect, defaultConnectTime) },
	},
	{
		field: "localASN", sentence: "multiple localASNs specified for %s",
		equal: func(d, s *neighbor) bool { return d.LocalASN == s.LocalASN },
		value: func(n *neighbor) string {
			if n.LocalASN == 0 {
				return unsetValue
			}
			return uintValue(n.LocalASN)
		},
	},
}

// checkNeighborsCompatible returns the first conflicting field of two
// neighbors with the same ID.
func checkNeighborsCompatible(d, s *neighbor) error {
	for _, c := range neighborChecks {
		if c.equal(d, s) {
			continue
		}
		fromD, fromS := d.from, s.from
		if c.from != nil {
			fromD, fromS = c.from(d), c.from(s)
		}
		return newConflict(c.field, side{c.value(d), fromD}, side{c.value(s), fromS}, c.sentence, d.id)
	}
	return nil
}

// equalWithDefault compares optional values, unset standing for def.
func equalWithDefault[T comparable](a, b *T, def T) bool {
	va, vb := def, def
	if a != nil {
		va = *a
	}
	if b != nil {
		vb = *b
	}
	return va == vb
}

// cleanNeighborDefaults unsets the values equal to FRR's defaults.
func cleanNeighborDefaults(n *neighbor) {
	if n.Port != nil && *n.Port == defaultBGPPort {
		n.Port = nil
	}
	if n.Hold != nil && *n.Hold == defaultHoldTime {
		n.Hold = nil
	}
	if n.Keepalive != nil && *n.Keepalive == defaultKeepaliveTime {
		n.Keepalive = nil
	}
	if n.Connect != nil && *n.Connect == defaultConnectTime {
		n.Connect = nil
	}
}

// completeTimers is D1: after the final merge, a neighbor with only one of
// hold and keepalive set gets the default of the other, so the renderer
// prints the pair whenever it differs from 60/180.
func completeTimers(r *router) {
	for _, n := range r.neighbors {
		switch {
		case n.Hold != nil && n.Keepalive == nil:
			keepalive := int64(defaultKeepaliveTime)
			n.Keepalive = &keepalive
		case n.Hold == nil && n.Keepalive != nil:
			hold := int64(defaultHoldTime)
			n.Hold = &hold
		}
	}
}

// mergeIncoming unions what is accepted from the neighbor: everything if
// either side accepts everything, else the selectors keyed per family.
func mergeIncoming(d, s *neighbor) {
	if d.Incoming.All || s.Incoming.All {
		d.Incoming.All = true
		d.inV4, d.inV6 = nil, nil
		return
	}
	d.inV4 = mergeSelectors(d.inV4, s.inV4)
	d.inV6 = mergeSelectors(d.inV6, s.inV6)
}
