package frr

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// SeqMode selects how Number numbers prefix-list and route-map entries.
type SeqMode string

const (
	// SeqStable gives every entry a number that depends on the entry alone,
	// so adding or removing one entry changes one line. It is the default.
	SeqStable SeqMode = "stable"
	// SeqPosition numbers entries by their position, as upstream frr-k8s
	// does: 1, 2, 3... per prefix list and per neighbor's route-maps.
	SeqPosition SeqMode = "position"
)

// SeqModes lists the valid modes, the default first.
var SeqModes = []SeqMode{SeqStable, SeqPosition}

// ParseSeqMode parses a --prefix-list-seq value; empty means SeqStable.
func ParseSeqMode(value string) (SeqMode, error) {
	switch m := SeqMode(strings.TrimSpace(value)); m {
	case "":
		return SeqStable, nil
	case SeqStable, SeqPosition:
		return m, nil
	}
	return "", fmt.Errorf("invalid prefix-list seq mode %q: must be one of %v", value, SeqModes)
}

// Actions of prefix-list entries.
const (
	// ActionPermit is a prefix-list entry that matches.
	ActionPermit = "permit"
	// ActionDeny is a prefix-list entry that rejects.
	ActionDeny = "deny"
	// MatchAny is the match text of the any entries.
	MatchAny = "any"
)

// Numbers of the stable mode.
const (
	// DenyAnySeq is the seq of every "deny any" entry in the stable mode: the
	// largest FRR accepts, so it stays after every permit of its list.
	DenyAnySeq = math.MaxUint32
	// maxPermitSeq is the largest seq of a permit entry in the stable mode.
	maxPermitSeq = DenyAnySeq - 1

	// The fixed block of route-map entries at the top of the range, in
	// upstream's relative order: -out for IPv4 then IPv6, -in always-block
	// denies then permits. Property entries (on-match next) are numbered
	// below it, from 1 to maxPropertyRouteMap.
	RouteMapOutV4      = 65530
	RouteMapOutV6      = 65531
	RouteMapInDenyV4   = 65532
	RouteMapInDenyV6   = 65533
	RouteMapInPermitV4 = 65534
	RouteMapInPermitV6 = 65535

	maxPropertyRouteMap = RouteMapOutV4 - 1
)

// Filters are a neighbor's prefix-list entries and route-map entry numbers
// as Render prints them. Number computes them from the neighbor's policy
// fields; Render never counts or sorts.
type Filters struct {
	// PropertyLists are the localPref and community lists in route-map
	// number order.
	PropertyLists []NumberedPropertyList
	// AllowedV4 are the entries of <ID>-allowed-ipv4 in seq order: the
	// permits, or a lone "deny any".
	AllowedV4 []PrefixEntry
	// AllowedV6 are the entries of <ID>-allowed-ipv6 in seq order.
	AllowedV6 []PrefixEntry
	// Incoming are the permit entries of <ID>-inpl-<family> (the selectors
	// and, when accepting everything, "permit any"): ip ones first, each
	// family in seq order.
	Incoming []PrefixEntry
	// IncomingDenyV4 and IncomingDenyV6 are the seqs of the incoming lists'
	// "deny any" entries, 0 when there is none.
	IncomingDenyV4, IncomingDenyV6 uint32
	// AlwaysBlock are the entries of <ID>-denied-inpl-<family>, ip first,
	// each family in seq order.
	AlwaysBlock []PrefixEntry
	// OutV4 and OutV6 number the -out entries of the allowed lists.
	OutV4, OutV6 uint32
	// InDenyV4 and InDenyV6 number the -in always-block entries, 0 without
	// always-block prefixes.
	InDenyV4, InDenyV6 uint32
	// InPermitV4 and InPermitV6 number the -in entries of the incoming list.
	InPermitV4, InPermitV6 uint32
}

// NumberedPropertyList is a property list with its numbered entries and
// the number of its -out route-map entry.
type NumberedPropertyList struct {
	// Name is the prefix-list name.
	Name string
	// FW is the family word, "ip" or "ipv6".
	FW string
	// Set is the route-map set statement.
	Set string
	// Entries are the permits in seq order.
	Entries []PrefixEntry
	// RouteMap is the -out route-map entry number.
	RouteMap uint32
}

// PrefixEntry is one prefix-list line.
type PrefixEntry struct {
	// FW is the family word, "ip" or "ipv6".
	FW string
	// Seq is the entry's sequence number.
	Seq uint32
	// Action is ActionPermit or ActionDeny.
	Action string
	// Match is the text after the action: a prefix with its bounds, or "any".
	Match string
}

// Number fills the Filters of every neighbor of c, replacing any previous
// numbering. The conversion calls it last, and tests that build models by
// hand call it too, so both number the same way; Render needs it.
//
// In SeqPosition mode the numbers are upstream's: one counter per list
// name (the incoming list's ip and ipv6 entries share one) and one per
// neighbor ID shared by -out and -in, in printing order.
//
// In SeqStable mode (also for an empty mode):
//   - a permit entry's seq is 1 + FNV-1a-32(<fw> " prefix-list " <name>
//     " permit " <match>) mod 4294967294, where <match> is the prefix with
//     its host bits cleared, as FRR shows it, followed by " ge N" and
//     " le N" when set;
//   - a "deny any" entry's seq is DenyAnySeq, so it stays last;
//   - a property list's -out entry is 1 + FNV-1a-32(<name>) mod 65529, and
//     the other route-map entries take the fixed block RouteMapOutV4 to
//     RouteMapInPermitV6.
//
// Collisions inside one prefix list (or one route-map) are resolved by
// sorting its entries by (hashed number, hashed text) and giving each entry
// its hashed number, or the next number after the previous entry's when
// that is taken; numbers beyond the range go to the lowest free ones. So a
// collision moves the entry whose text sorts after the other's. Lists are
// keyed by name across the whole config, so neighbors sharing an ID (which
// the conversion never builds) still get distinct numbers, except in the
// fixed block.
func Number(c *Config, mode SeqMode) error {
	switch mode {
	case SeqPosition:
		numberByPosition(c)
		return nil
	case SeqStable, "":
		return numberStable(c)
	}
	return fmt.Errorf("number frr config: unknown seq mode %q", mode)
}

// filterNames are the list names derived from a neighbor ID.
type filterNames struct {
	id, a4, a6, inpl, den string
}

func namesOf(n *Neighbor) filterNames {
	id := n.ID()
	return filterNames{
		id:   id,
		a4:   id + "-allowed-ipv4",
		a6:   id + "-allowed-ipv6",
		inpl: id + "-inpl-" + n.Family,
		den:  id + "-denied-inpl-" + n.Family,
	}
}

// selectorMatch is the printed match text of a selector, le before ge.
func selectorMatch(s IncomingFilter) string {
	if s.LE == 0 && s.GE == 0 {
		return s.Prefix
	}
	var b strings.Builder
	b.WriteString(s.Prefix)
	if s.LE != 0 {
		b.WriteString(" le ")
		b.WriteString(strconv.FormatUint(uint64(s.LE), 10))
	}
	if s.GE != 0 {
		b.WriteString(" ge ")
		b.WriteString(strconv.FormatUint(uint64(s.GE), 10))
	}
	return b.String()
}

// permits returns the permit entries of prefixes, without numbers.
func permits(fw string, prefixes []string) []PrefixEntry {
	if len(prefixes) == 0 {
		return nil
	}
	res := make([]PrefixEntry, len(prefixes))
	for i, p := range prefixes {
		res[i] = PrefixEntry{FW: fw, Action: ActionPermit, Match: p}
	}
	return res
}

// selectorPermits returns the permit entries of selectors, without numbers.
func selectorPermits(sels ...[]IncomingFilter) []PrefixEntry {
	var res []PrefixEntry
	for _, s := range sels {
		for _, f := range s {
			res = append(res, PrefixEntry{FW: familyWord(f.Family), Action: ActionPermit, Match: selectorMatch(f)})
		}
	}
	return res
}

// unnumbered builds the filters of n in upstream's printing order, every
// number 0. The property lists sorted by name are returned alongside, in
// the order of f.PropertyLists.
func unnumbered(n *Neighbor) (f *Filters, lists []PropertyList) {
	f = &Filters{}
	lists = slices.SortedStableFunc(slices.Values(n.Outgoing.PropertyLists), func(a, b PropertyList) int {
		return strings.Compare(a.Name, b.Name)
	})
	if len(lists) > 0 {
		f.PropertyLists = make([]NumberedPropertyList, len(lists))
	}
	for i, l := range lists {
		f.PropertyLists[i] = NumberedPropertyList{Name: l.Name, FW: l.FW, Set: l.Set, Entries: permits(l.FW, l.Prefixes)}
	}
	f.AllowedV4 = permits("ip", n.Outgoing.PrefixesV4)
	if len(f.AllowedV4) == 0 {
		f.AllowedV4 = []PrefixEntry{{FW: "ip", Action: ActionDeny, Match: MatchAny}}
	}
	f.AllowedV6 = permits("ipv6", n.Outgoing.PrefixesV6)
	if len(f.AllowedV6) == 0 {
		f.AllowedV6 = []PrefixEntry{{FW: "ipv6", Action: ActionDeny, Match: MatchAny}}
	}
	f.Incoming = selectorPermits(n.Incoming.PrefixesV4, n.Incoming.PrefixesV6)
	if n.Incoming.All {
		f.Incoming = append(f.Incoming,
			PrefixEntry{FW: "ip", Action: ActionPermit, Match: MatchAny},
			PrefixEntry{FW: "ipv6", Action: ActionPermit, Match: MatchAny})
	}
	f.AlwaysBlock = selectorPermits(n.AlwaysBlock)
	return f, lists
}

// numberByPosition numbers c as upstream's templates count: per list name
// and per neighbor ID, in printing order, each counter from 1.
func numberByPosition(c *Config) {
	seqs := map[string]uint32{}
	routeMaps := map[string]uint32{}
	next := func(counters map[string]uint32, key string) uint32 {
		counters[key]++
		return counters[key]
	}
	numberList := func(name string, entries []PrefixEntry) {
		for i := range entries {
			entries[i].Seq = next(seqs, name)
		}
	}
	for ri := range c.Routers {
		for ni := range c.Routers[ri].Neighbors {
			n := &c.Routers[ri].Neighbors[ni]
			names := namesOf(n)
			f, _ := unnumbered(n)
			for i := range f.PropertyLists {
				l := &f.PropertyLists[i]
				numberList(l.Name, l.Entries)
				l.RouteMap = next(routeMaps, names.id)
			}
			numberList(names.a4, f.AllowedV4)
			numberList(names.a6, f.AllowedV6)
			f.OutV4 = next(routeMaps, names.id)
			f.OutV6 = next(routeMaps, names.id)
			numberList(names.inpl, f.Incoming)
			if !n.Incoming.All {
				if len(n.Incoming.PrefixesV4) == 0 {
					f.IncomingDenyV4 = next(seqs, names.inpl)
				}
				if len(n.Incoming.PrefixesV6) == 0 {
					f.IncomingDenyV6 = next(seqs, names.inpl)
				}
			}
			numberList(names.den, f.AlwaysBlock)
			if len(f.AlwaysBlock) > 0 {
				f.InDenyV4 = next(routeMaps, names.id)
				f.InDenyV6 = next(routeMaps, names.id)
			}
			f.InPermitV4 = next(routeMaps, names.id)
			f.InPermitV6 = next(routeMaps, names.id)
			n.Filters = f
		}
	}
}

// stableItem is one entry to number in the stable mode.
type stableItem struct {
	want uint32  // the hashed number
	text string  // the hashed text, the tie-break
	seq  *uint32 // where the number goes
	pos  int     // the position in its list, the last tie-break
}

// stableNumbers collects the entries of every prefix list (keyed by family
// word and name) and of every -out route-map across the config, so two
// neighbors sharing an ID still get distinct numbers.
type stableNumbers struct {
	lists     map[string][]stableItem
	routeMaps map[string][]stableItem
	order     []string // list keys in first-seen order
	rmOrder   []string
}

// addEntries collects the permits of one list name (whose entries may be
// of both families) and gives its denies DenyAnySeq. normalised holds the
// hashed match text of each entry, nil to hash the printed one.
func (s *stableNumbers) addEntries(name string, entries []PrefixEntry, normalised []string) {
	var byFamily [2]struct {
		items []stableItem
		basis uint32 // the hash state after "<fw> prefix-list <name> permit "
	}
	for i := range entries {
		e := &entries[i]
		if e.Action == ActionDeny {
			e.Seq = DenyAnySeq
			continue
		}
		match := e.Match
		if normalised != nil {
			match = normalised[i]
		}
		f := &byFamily[familyIndex(e.FW)]
		if f.items == nil {
			f.items = make([]stableItem, 0, len(entries))
			f.basis = fnv1a(fnvOffset, e.FW+" prefix-list "+name+" permit ")
		}
		// Within one list the hashed texts differ only by match, so it is
		// the tie-break.
		f.items = append(f.items, stableItem{want: 1 + fnv1a(f.basis, match)%maxPermitSeq, text: match, seq: &e.Seq})
	}
	for i, fw := range []string{"ip", "ipv6"} {
		if byFamily[i].items == nil {
			continue
		}
		key := fw + " " + name
		if _, found := s.lists[key]; !found {
			s.order = append(s.order, key)
		}
		items := byFamily[i].items
		for j := range items {
			items[j].pos = len(s.lists[key]) + j
		}
		s.lists[key] = append(s.lists[key], items...)
	}
}

// familyIndex is 1 for the ipv6 family word, 0 for ip.
func familyIndex(fw string) int {
	if fw == "ipv6" {
		return 1
	}
	return 0
}

func (s *stableNumbers) addRouteMap(routeMap, name string, seq *uint32) {
	if _, found := s.routeMaps[routeMap]; !found {
		s.rmOrder = append(s.rmOrder, routeMap)
	}
	s.routeMaps[routeMap] = append(s.routeMaps[routeMap], stableItem{want: 1 + fnv1a(fnvOffset, name)%maxPropertyRouteMap, text: name, seq: seq, pos: len(s.routeMaps[routeMap])})
}

// numberStable numbers c in the stable mode (see Number).
func numberStable(c *Config) error {
	s := &stableNumbers{lists: map[string][]stableItem{}, routeMaps: map[string][]stableItem{}}
	var all []*Filters
	for ri := range c.Routers {
		for ni := range c.Routers[ri].Neighbors {
			n := &c.Routers[ri].Neighbors[ni]
			names := namesOf(n)
			f, lists := unnumbered(n)
			for i := range f.PropertyLists {
				l := &f.PropertyLists[i]
				s.addEntries(l.Name, l.Entries, normalisedPrefixes(lists[i].Prefixes))
				s.addRouteMap(names.id+"-out", l.Name, &l.RouteMap)
			}
			s.addEntries(names.a4, f.AllowedV4, normalisedPrefixes(n.Outgoing.PrefixesV4))
			s.addEntries(names.a6, f.AllowedV6, normalisedPrefixes(n.Outgoing.PrefixesV6))
			f.OutV4, f.OutV6 = RouteMapOutV4, RouteMapOutV6
			incoming := normalisedSelectors(n.Incoming.PrefixesV4, n.Incoming.PrefixesV6)
			if n.Incoming.All {
				incoming = append(incoming, MatchAny, MatchAny)
			} else {
				if len(n.Incoming.PrefixesV4) == 0 {
					f.IncomingDenyV4 = DenyAnySeq
				}
				if len(n.Incoming.PrefixesV6) == 0 {
					f.IncomingDenyV6 = DenyAnySeq
				}
			}
			s.addEntries(names.inpl, f.Incoming, incoming)
			s.addEntries(names.den, f.AlwaysBlock, normalisedSelectors(n.AlwaysBlock))
			if len(f.AlwaysBlock) > 0 {
				f.InDenyV4, f.InDenyV6 = RouteMapInDenyV4, RouteMapInDenyV6
			}
			f.InPermitV4, f.InPermitV6 = RouteMapInPermitV4, RouteMapInPermitV6
			n.Filters = f
			all = append(all, f)
		}
	}
	for _, key := range s.order {
		if err := assignStable(s.lists[key], maxPermitSeq); err != nil {
			return fmt.Errorf("number prefix list %s: %w", key, err)
		}
	}
	for _, key := range s.rmOrder {
		if err := assignStable(s.routeMaps[key], maxPropertyRouteMap); err != nil {
			return fmt.Errorf("number route-map %s: %w", key, err)
		}
	}
	for _, f := range all {
		sortFilters(f)
	}
	return nil
}

// sortFilters puts every list of f in seq order and the property lists in
// route-map number order. The numbers of a list (and of a route-map) are
// distinct, so an unstable sort gives the one order there is.
func sortFilters(f *Filters) {
	for i := range f.PropertyLists {
		slices.SortFunc(f.PropertyLists[i].Entries, compareEntries)
	}
	slices.SortFunc(f.PropertyLists, func(a, b NumberedPropertyList) int {
		return cmp.Compare(a.RouteMap, b.RouteMap)
	})
	slices.SortFunc(f.AllowedV4, compareEntries)
	slices.SortFunc(f.AllowedV6, compareEntries)
	slices.SortFunc(f.Incoming, compareEntries)
	slices.SortFunc(f.AlwaysBlock, compareEntries)
}

// compareEntries orders entries ip first, then by seq.
func compareEntries(a, b PrefixEntry) int {
	return cmp.Or(strings.Compare(a.FW, b.FW), cmp.Compare(a.Seq, b.Seq))
}

// assignStable gives each item its wanted number, or the next free one
// (see Number); max is the largest number allowed.
func assignStable(items []stableItem, max uint32) error {
	if uint64(len(items)) > uint64(max) {
		return fmt.Errorf("%d entries exceed the %d available numbers", len(items), max)
	}
	// An unstable sort with the position as the last key orders as a
	// stable one does, three times faster (the render workload at K=64
	// sorts 4 × 38,400 entries: docs/performance.md).
	slices.SortFunc(items, func(a, b stableItem) int {
		return cmp.Or(cmp.Compare(a.want, b.want), strings.Compare(a.text, b.text), cmp.Compare(a.pos, b.pos))
	})
	var last uint32
	var overflow []stableItem
	for _, it := range items {
		switch {
		case it.want > last:
			last = it.want
		case last < max:
			last++
		default:
			overflow = append(overflow, it)
			continue
		}
		*it.seq = last
	}
	if len(overflow) == 0 {
		return nil
	}
	// The top of the range is full: the rest take the lowest free numbers.
	used := make([]uint32, 0, len(items))
	for _, it := range items {
		if *it.seq != 0 {
			used = append(used, *it.seq)
		}
	}
	slices.Sort(used)
	candidate, i := uint32(1), 0
	for _, it := range overflow {
		for i < len(used) && used[i] <= candidate {
			if used[i] == candidate {
				candidate++
			}
			i++
		}
		*it.seq = candidate
		candidate++
	}
	return nil
}

// FNV-1a, 32 bits: fixed by its definition, so the numbers are the same on
// every machine and Go version.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

// fnv1a continues the FNV-1a hash state h over s; fnv1a(fnvOffset, s) is
// the hash of s.
func fnv1a(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

// normalisedPrefixes returns the prefixes as FRR shows them (host bits
// cleared, canonical address text); unparsable ones are kept as written.
func normalisedPrefixes(prefixes []string) []string {
	if len(prefixes) == 0 {
		return nil
	}
	res := make([]string, len(prefixes))
	var buf []byte
	for i, p := range prefixes {
		res[i], buf = normalisedPrefix(p, buf)
	}
	return res
}

// normalisedPrefix returns p as FRR shows it, allocating only when that
// differs from p; buf is scratch space, returned for reuse.
func normalisedPrefix(p string, buf []byte) (string, []byte) {
	parsed, err := netip.ParsePrefix(p)
	if err != nil {
		return p, buf
	}
	buf = parsed.Masked().AppendTo(buf[:0])
	if string(buf) == p {
		return p, buf
	}
	return string(buf), buf
}

// normalisedSelectors returns the match texts of selectors as FRR shows
// them: the masked prefix, then ge, then le.
func normalisedSelectors(sels ...[]IncomingFilter) []string {
	var res []string
	for _, s := range sels {
		for _, f := range s {
			text, _ := normalisedPrefix(f.Prefix, nil)
			if f.GE != 0 {
				text += " ge " + strconv.FormatUint(uint64(f.GE), 10)
			}
			if f.LE != 0 {
				text += " le " + strconv.FormatUint(uint64(f.LE), 10)
			}
			res = append(res, text)
		}
	}
	return res
}
