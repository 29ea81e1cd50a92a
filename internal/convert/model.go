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
	from      []origin // per prefix of Prefixes: the config that listed it first
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

// unionSorted merges two sorted unique lists into a new sorted unique list.
func unionSorted(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return slices.Clone(b)
	}
	res := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := strings.Compare(a[i], b[j]); {
		case c < 0:
			res = append(res, a[i])
			i++
		case c > 0:
			res = append(res, b[j])
			j++
		default:
			res = append(res, a[i])
			i++
			j++
		}
	}
	res = append(res, a[i:]...)
	return append(res, b[j:]...)
}

// mergeSortedInPlace merges the sorted unique list b into the sorted unique
// list a and returns the union; on equal elements, the one of b replaces
// the one of a when preferB is set. a must belong to the caller: it is
// updated in place, growing as append does, so folding many small lists
// into one costs no more than appending them. b is only read.
func mergeSortedInPlace[T any](a, b []T, compare func(x, y T) int, preferB bool) []T {
	if len(b) == 1 {
		return mergeOne(a, b[0], compare, preferB)
	}
	added := countMissing(a, b, compare)
	i, j := len(a)-1, len(b)-1
	a = slices.Grow(a, added)[:len(a)+added]
	// Fill from the back while elements of b are still to be added: the
	// slots written are never ones still to be read.
	for k := len(a) - 1; k > i; k-- {
		c := -1
		if i >= 0 {
			c = compare(a[i], b[j])
		}
		if c >= 0 {
			if c == 0 && preferB {
				a[k] = b[j]
			} else {
				a[k] = a[i]
			}
			i--
		} else {
			a[k] = b[j]
		}
		if c <= 0 {
			j--
		}
	}
	// What is left of b is already in a[:i+1].
	if preferB {
		replaceEqual(a[:i+1], b[:j+1], compare)
	}
	return a
}

// mergeOne is mergeSortedInPlace for a single element v: the common case
// of a config adding one selector or one neighbor.
func mergeOne[T any](a []T, v T, compare func(x, y T) int, preferB bool) []T {
	i, found := slices.BinarySearchFunc(a, v, compare)
	if !found {
		return slices.Insert(a, i, v)
	}
	if preferB {
		a[i] = v
	}
	return a
}

// replaceEqual replaces the elements of a that have an equal in b, both
// sorted and unique, by that element of b.
func replaceEqual[T any](a, b []T, compare func(x, y T) int) {
	i := 0
	for _, v := range b {
		for i < len(a) && compare(a[i], v) < 0 {
			i++
		}
		if i < len(a) && compare(a[i], v) == 0 {
			a[i] = v
		}
	}
}

// countMissing counts the elements of b that are not in a, both sorted
// and unique.
func countMissing[T any](a, b []T, compare func(x, y T) int) int {
	count, i := 0, 0
	for _, v := range b {
		for i < len(a) && compare(a[i], v) < 0 {
			i++
		}
		if i == len(a) || compare(a[i], v) != 0 {
			count++
		}
	}
	return count
}

// containsSorted reports whether the sorted list s holds v.
func containsSorted(s []string, v string) bool {
	_, found := slices.BinarySearch(s, v)
	return found
}
