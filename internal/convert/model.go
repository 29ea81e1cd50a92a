package convert

import (
	"cmp"
	"slices"
	"strings"

	"github.com/frrk8s/frrk8s/internal/frr"
)

// The conversion works on the types below rather than on the render model
// directly: they keep each set sorted for cheap unions and remember which
// config supplied each value, for the D6 conflict messages. toModel turns
// them into the render model once everything is merged.

// router is one BGP router being converted and merged (one per VRF).
type router struct {
	asn       uint32
	vrf       string
	id        string
	from      origin // the first config that contributed the router
	idFrom    origin // the first config that set id
	v4        []string
	v6        []string
	imports   []string
	neighbors []*neighbor // sorted by id once merged
	evpn      *evpn
}

// neighbor is a BGP peer being converted and merged. The embedded render
// neighbor holds the scalars, the outgoing prefixes and next hops, and
// Incoming.All; property lists and selectors live in the fields below until
// toModel.
type neighbor struct {
	frr.Neighbor
	id            string
	from          origin // the first config that contributed the neighbor
	bfdFrom       origin // the first config that set bfdProfile
	nextHopV4From origin
	nextHopV6From origin
	lists         []*propertyList // sorted by listKey
	inV4          []selector      // sorted by key
	inV6          []selector      // sorted by key
}

// listKind orders property lists: local preferences first, then communities.
type listKind int

const (
	localPrefList listKind = iota
	communityList
)

// propertyList is a localPref or community prefix list of a neighbor.
type propertyList struct {
	frr.PropertyList
	kind      listKind
	key       string // "<localPref>-<fw>" or "<community>-<fw>"
	localPref uint32
	parts     []listPart // what each merged config listed, in merge order
}

// compareLists orders lists by kind then key.
func compareLists(a, b *propertyList) int {
	return cmp.Or(cmp.Compare(a.kind, b.kind), strings.Compare(a.key, b.key))
}

// selector is an incoming filter with its merge key, the concatenation of
// prefix, le and ge in decimal (upstream's key, kept for its ordering).
type selector struct {
	key string
	frr.IncomingFilter
}

// evpn is the l2vpn evpn part of a router being merged.
type evpn struct {
	from              origin
	advertiseVNIs     *string
	advertiseVNIsFrom origin // the first config that set it, else from
	advertiseSVI      bool
	l2vnis            []l2vni // sorted by VNI once merged
	l3vni             *l3vni
}

// vniProperties are the identifiers shared by l2 and l3 VNIs.
type vniProperties struct {
	from      origin // the first config that contributed the VNI
	rd        string
	rdFrom    origin
	importRTs []string
	exportRTs []string
}

// l2vni is a layer 2 VNI being merged.
type l2vni struct {
	vni uint32
	vniProperties
}

// l3vni is a layer 3 VNI being merged.
type l3vni struct {
	vni uint32
	vniProperties
	advertisePrefixes []string
}

// toModel builds the render router. alwaysBlock is attached to every neighbor.
func (r *router) toModel(alwaysBlock []frr.IncomingFilter) frr.Router {
	res := frr.Router{
		ASN:        r.asn,
		RouterID:   r.id,
		VRF:        r.vrf,
		V4Prefixes: nilIfEmpty(r.v4),
		V6Prefixes: nilIfEmpty(r.v6),
		ImportVRFs: nilIfEmpty(r.imports),
		EVPN:       r.evpn.toModel(),
	}
	if len(r.neighbors) > 0 {
		res.Neighbors = make([]frr.Neighbor, 0, len(r.neighbors))
	}
	for _, n := range r.neighbors {
		res.Neighbors = append(res.Neighbors, n.toModel(alwaysBlock))
	}
	return res
}

// toModel builds the render neighbor.
func (n *neighbor) toModel(alwaysBlock []frr.IncomingFilter) frr.Neighbor {
	res := n.Neighbor
	res.Outgoing.PrefixesV4 = nilIfEmpty(res.Outgoing.PrefixesV4)
	res.Outgoing.PrefixesV6 = nilIfEmpty(res.Outgoing.PrefixesV6)
	res.AddressFamilies = nilIfEmpty(res.AddressFamilies)
	res.Outgoing.PropertyLists = nil
	if len(n.lists) > 0 {
		res.Outgoing.PropertyLists = make([]frr.PropertyList, 0, len(n.lists))
	}
	for _, l := range n.lists {
		res.Outgoing.PropertyLists = append(res.Outgoing.PropertyLists, l.PropertyList)
	}
	res.Incoming.PrefixesV4 = selectorFilters(n.inV4)
	res.Incoming.PrefixesV6 = selectorFilters(n.inV6)
	if len(alwaysBlock) > 0 {
		res.AlwaysBlock = slices.Clone(alwaysBlock)
	}
	return res
}

// selectorFilters returns the filters of sorted selectors, nil when none.
func selectorFilters(sels []selector) []frr.IncomingFilter {
	if len(sels) == 0 {
		return nil
	}
	res := make([]frr.IncomingFilter, len(sels))
	for i, s := range sels {
		res[i] = s.IncomingFilter
	}
	return res
}

// toModel builds the render EVPN section, nil when absent.
func (e *evpn) toModel() *frr.EVPN {
	if e == nil {
		return nil
	}
	res := &frr.EVPN{AdvertiseVNIs: e.advertiseVNIs, AdvertiseSVI: e.advertiseSVI}
	for _, v := range e.l2vnis {
		res.L2VNIs = append(res.L2VNIs, frr.L2VNI{
			VNI:       v.vni,
			RD:        v.rd,
			ImportRTs: nilIfEmpty(v.importRTs),
			ExportRTs: nilIfEmpty(v.exportRTs),
		})
	}
	if e.l3vni != nil {
		res.L3VNI = &frr.L3VNI{
			VNI:               e.l3vni.vni,
			RD:                e.l3vni.rd,
			ImportRTs:         nilIfEmpty(e.l3vni.importRTs),
			ExportRTs:         nilIfEmpty(e.l3vni.exportRTs),
			AdvertisePrefixes: nilIfEmpty(e.l3vni.advertisePrefixes),
		}
	}
	return res
}

// nilIfEmpty returns nil for an empty slice so models compare predictably.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// sortedUnique sorts s in place and drops duplicates.
func sortedUnique(s []string) []string {
	if !slices.IsSorted(s) {
		slices.Sort(s)
	}
	return slices.Compact(s)
}

// containsSorted reports whether the sorted list s holds v.
func containsSorted(s []string, v string) bool {
	_, found := slices.BinarySearch(s, v)
	return found
}
