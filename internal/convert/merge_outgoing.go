package convert

import (
	"fmt"
)

// mergeOutgoing merges what is advertised to one neighbor, the most
// permissive side winning (merge.md §8).
func mergeOutgoing(d, s *neighbor) error {
	if err := mergeNextHop("ipv4", &d.Outgoing.NextHopV4, &d.nextHopV4From, s.Outgoing.NextHopV4, s.nextHopV4From); err != nil {
		return err
	}
	if err := mergeNextHop("ipv6", &d.Outgoing.NextHopV6, &d.nextHopV6From, s.Outgoing.NextHopV6, s.nextHopV6From); err != nil {
		return err
	}
	if err := checkLocalPrefs(d.lists, s.lists); err != nil {
		return err
	}
	d.Outgoing.PrefixesV4 = unionSorted(d.Outgoing.PrefixesV4, s.Outgoing.PrefixesV4)
	d.Outgoing.PrefixesV6 = unionSorted(d.Outgoing.PrefixesV6, s.Outgoing.PrefixesV6)
	d.lists = mergePropertyLists(d.lists, s.lists)
	return nil
}

// mergeNextHop keeps the next hop of one family: equal, or set on one side only.
func mergeNextHop(family string, d *string, dFrom *origin, s string, sFrom origin) error {
	if *d != "" && s != "" && *d != s {
		return newConflict("toAdvertise.nextHop."+family, side{*d, *dFrom}, side{s, sFrom},
			"%s next hop: multiple next hops (%s != %s) specified", family, *d, s)
	}
	if *d == "" {
		*d, *dFrom = s, sFrom
	}
	return nil
}

// localPrefOwner is the local preference of a prefix and the config that set it.
type localPrefOwner struct {
	localPref uint32
	from      origin
}

// checkLocalPrefs rejects a prefix that incoming lists give a local
// preference other than the accumulated one.
func checkLocalPrefs(acc, incoming []*propertyList) error {
	if !hasLocalPrefLists(acc) || !hasLocalPrefLists(incoming) {
		return nil
	}
	owners := map[string]localPrefOwner{}
	for _, l := range acc {
		if l.kind != localPrefList {
			continue
		}
		for i, p := range l.Prefixes {
			owners[p] = localPrefOwner{l.localPref, l.from[i]}
		}
	}
	for _, l := range incoming {
		if l.kind != localPrefList {
			continue
		}
		for i, p := range l.Prefixes {
			owner, found := owners[p]
			if !found || owner.localPref == l.localPref {
				continue
			}
			return newConflict(fmt.Sprintf("toAdvertise.withLocalPref[%s]", p),
				side{uintValue(owner.localPref), owner.from}, side{uintValue(l.localPref), l.from[i]},
				"multiple local prefs (%d != %d) specified for prefix %s", owner.localPref, l.localPref, p)
		}
	}
	return nil
}

// hasLocalPrefLists reports whether any list is a local preference list.
func hasLocalPrefLists(lists []*propertyList) bool {
	for _, l := range lists {
		if l.kind == localPrefList {
			return true
		}
	}
	return false
}

// mergePropertyLists unions lists with the same key and keeps the others,
// sorted by kind and key.
func mergePropertyLists(acc, incoming []*propertyList) []*propertyList {
	if len(incoming) == 0 {
		return acc
	}
	res := make([]*propertyList, 0, len(acc)+len(incoming))
	i, j := 0, 0
	for i < len(acc) && j < len(incoming) {
		switch c := compareLists(acc[i], incoming[j]); {
		case c < 0:
			res = append(res, acc[i])
			i++
		case c > 0:
			res = append(res, incoming[j])
			j++
		default:
			res = append(res, unionLists(acc[i], incoming[j]))
			i++
			j++
		}
	}
	res = append(res, acc[i:]...)
	return append(res, incoming[j:]...)
}

// unionLists returns a list with the prefixes of both; a prefix keeps the
// origin of the accumulated list.
func unionLists(a, b *propertyList) *propertyList {
	res := *a
	res.Prefixes = make([]string, 0, len(a.Prefixes)+len(b.Prefixes))
	res.from = make([]origin, 0, len(a.Prefixes)+len(b.Prefixes))
	i, j := 0, 0
	for i < len(a.Prefixes) || j < len(b.Prefixes) {
		switch {
		case j == len(b.Prefixes) || (i < len(a.Prefixes) && a.Prefixes[i] < b.Prefixes[j]):
			res.Prefixes, res.from = append(res.Prefixes, a.Prefixes[i]), append(res.from, a.from[i])
			i++
		case i == len(a.Prefixes) || b.Prefixes[j] < a.Prefixes[i]:
			res.Prefixes, res.from = append(res.Prefixes, b.Prefixes[j]), append(res.from, b.from[j])
			j++
		default:
			res.Prefixes, res.from = append(res.Prefixes, a.Prefixes[i]), append(res.from, a.from[i])
			i++
			j++
		}
	}
	return &res
}
