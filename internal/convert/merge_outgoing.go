package convert

import (
	"fmt"
	"strings"
)

// mergeOutgoing merges what is advertised to one neighbor, the most
// permissive side winning.
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
	d.Outgoing.PrefixesV4 = mergeSorted(d.Outgoing.PrefixesV4, s.Outgoing.PrefixesV4, strings.Compare, nil)
	d.Outgoing.PrefixesV6 = mergeSorted(d.Outgoing.PrefixesV6, s.Outgoing.PrefixesV6, strings.Compare, nil)
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

// listPart is what one config listed in a property list.
type listPart struct {
	from     origin
	prefixes []string // sorted
}

// origin returns the config that listed p first in the list.
func (l *propertyList) origin(p string) origin {
	for _, part := range l.parts {
		if containsSorted(part.prefixes, p) {
			return part.from
		}
	}
	return l.parts[0].from
}

// checkLocalPrefs rejects a prefix that incoming lists give a local
// preference other than the accumulated one: that of the last accumulated
// local preference list holding it. Binary searches in the few accumulated
// lists keep it linear in the incoming prefixes (a map of every accumulated
// prefix, rebuilt per merge, made it quadratic in the configs: 25 % of the
// render workload at K=64, docs/performance.md).
func checkLocalPrefs(acc, incoming []*propertyList) error {
	for _, l := range incoming {
		if l.kind != localPrefList {
			continue
		}
		for _, p := range l.Prefixes {
			owner := lastListWith(acc, p)
			if owner == nil || owner.localPref == l.localPref {
				continue
			}
			return newConflict(fmt.Sprintf("toAdvertise.withLocalPref[%s]", p),
				side{uintValue(owner.localPref), owner.origin(p)}, side{uintValue(l.localPref), l.origin(p)},
				"multiple local prefs (%d != %d) specified for prefix %s", owner.localPref, l.localPref, p)
		}
	}
	return nil
}

// lastListWith returns the last local preference list holding p, or nil.
func lastListWith(lists []*propertyList, p string) *propertyList {
	for i := len(lists) - 1; i >= 0; i-- {
		if lists[i].kind == localPrefList && containsSorted(lists[i].Prefixes, p) {
			return lists[i]
		}
	}
	return nil
}

// mergePropertyLists unions lists with the same key and keeps the others,
// sorted by kind and key; acc is updated in place.
func mergePropertyLists(acc, incoming []*propertyList) []*propertyList {
	return mergeSorted(acc, incoming, compareLists, func(a, b *propertyList) *propertyList {
		a.Prefixes = mergeSorted(a.Prefixes, b.Prefixes, strings.Compare, nil)
		a.parts = append(a.parts, b.parts...)
		return a
	})
}
