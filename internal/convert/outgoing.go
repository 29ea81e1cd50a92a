package convert

import (
	"fmt"
	"slices"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/community"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/ipfamily"
)

// familyWord is the prefix-list keyword of a family: "ip" or "ipv6".
func familyWord(f ipfamily.Family) string {
	if f == ipfamily.IPv6 {
		return "ipv6"
	}
	return "ip"
}

// neighborFamilies lists the families a neighbor carries, ipv4 first.
func neighborFamilies(f ipfamily.Family) []ipfamily.Family {
	switch f {
	case ipfamily.IPv4, ipfamily.IPv6:
		return []ipfamily.Family{f}
	}
	return []ipfamily.Family{ipfamily.IPv4, ipfamily.IPv6}
}

// convertOutgoing fills what is advertised to the neighbor (merge.md §5).
func (rc *routerContext) convertOutgoing(nb *neighbor, n *v1beta1.Neighbor) error {
	adv := &n.ToAdvertise
	family := ipfamily.Family(nb.Family)
	for _, f := range neighborFamilies(family) {
		*nb.advertised(f) = rc.advertisedPrefixes(adv, f)
	}
	for _, f := range neighborFamilies(family) {
		advertised := *nb.advertised(f)
		if err := rc.addLocalPrefLists(nb, adv.PrefixesWithLocalPref, f, advertised); err != nil {
			return fmt.Errorf("failed to process local pref for neighbor %s, err: %w", nb.DisplayName, err)
		}
		if err := rc.addCommunityLists(nb, adv.PrefixesWithCommunity, f, advertised); err != nil {
			return fmt.Errorf("failed to process local pref for neighbor %s, err: %w", nb.DisplayName, err)
		}
	}
	slices.SortFunc(nb.lists, compareLists)
	return nb.setNextHops(adv.NextHop, family, rc.from)
}

// advertised returns the neighbor's outgoing prefixes of family f.
func (nb *neighbor) advertised(f ipfamily.Family) *[]string {
	if f == ipfamily.IPv6 {
		return &nb.Outgoing.PrefixesV6
	}
	return &nb.Outgoing.PrefixesV4
}

// advertisedPrefixes is A(F): every router and imported prefix of family f
// for mode all, else the allowed prefixes of family f; sorted and unique.
// The allowed prefixes were checked to be advertisable.
func (rc *routerContext) advertisedPrefixes(adv *v1beta1.Advertise, f ipfamily.Family) []string {
	if adv.Allowed.Mode == v1beta1.AllowAll {
		return rc.advertisable.forFamily(f)
	}
	return rc.advertisable.selectSorted(adv.Allowed.Prefixes, f)
}

// prefixesOfFamily returns the prefixes of family f, in the given order.
func (rc *routerContext) prefixesOfFamily(prefixes []string, f ipfamily.Family) []string {
	var res []string
	for _, p := range prefixes {
		if rc.advertisable.family(p) == f {
			res = append(res, p)
		}
	}
	return res
}

// addLocalPrefLists adds one list per withLocalPref entry having prefixes
// of family f.
func (rc *routerContext) addLocalPrefLists(nb *neighbor, entries []v1beta1.LocalPrefPrefixes, f ipfamily.Family, advertised []string) error {
	fw := familyWord(f)
	for _, e := range entries {
		prefixes := rc.prefixesOfFamily(e.Prefixes, f)
		if len(prefixes) == 0 {
			continue
		}
		localPref := uintValue(e.LocalPref)
		key := localPref + "-" + fw
		if nb.hasList(localPrefList, key) {
			return fmt.Errorf("local preference %d is already defined", e.LocalPref)
		}
		list := nb.newList(localPrefList, key, nb.id+"-"+key+"-localpref-prefixes", fw, "set local-preference "+localPref)
		list.localPref = e.LocalPref
		for _, p := range prefixes {
			if !containsSorted(advertised, p) {
				return fmt.Errorf("localPref %d associated to non existing prefix %s", e.LocalPref, p)
			}
			if slices.Contains(list.Prefixes, p) {
				return fmt.Errorf("prefix %s is already defined for local preference %d", p, e.LocalPref)
			}
			list.Prefixes = append(list.Prefixes, p)
		}
		list.sortPrefixes(nb.from)
	}
	return nil
}

// addCommunityLists adds one list per withCommunity entry having prefixes
// of family f.
func (rc *routerContext) addCommunityLists(nb *neighbor, entries []v1beta1.CommunityPrefixes, f ipfamily.Family, advertised []string) error {
	fw := familyWord(f)
	for _, e := range entries {
		c, err := community.Parse(e.Community)
		if err != nil {
			return fmt.Errorf("invalid community %s, err: %w", e.Community, err)
		}
		prefixes := rc.prefixesOfFamily(e.Prefixes, f)
		if len(prefixes) == 0 {
			continue
		}
		value := c.String()
		key := value + "-" + fw
		if nb.hasList(communityList, key) {
			return fmt.Errorf("community %s is already defined", e.Community)
		}
		list := nb.newList(communityList, key, communityListName(nb.id, c, key), fw, communitySet(c, value))
		for _, p := range prefixes {
			if !containsSorted(advertised, p) {
				return fmt.Errorf("prefix %s is advertised for community %s but it's not in the advertisement list of the neighbor", p, c)
			}
			if slices.Contains(list.Prefixes, p) {
				return fmt.Errorf("prefix %s is already defined for community %s", p, c)
			}
			list.Prefixes = append(list.Prefixes, p)
		}
		list.sortPrefixes(nb.from)
	}
	return nil
}

// communityListName is "<ID>-<A:B>-<fw>-community-prefixes", with "large:"
// before large communities; key is the list key "<A:B>-<fw>".
func communityListName(id string, c community.Community, key string) string {
	if c.IsLarge() {
		return id + "-large:" + key + "-community-prefixes"
	}
	return id + "-" + key + "-community-prefixes"
}

// communitySet is the route-map set statement of a community list; value
// is the community as printed.
func communitySet(c community.Community, value string) string {
	if c.IsLarge() {
		return "set large-community " + value + " additive"
	}
	return "set community " + value + " additive"
}

// hasList reports whether the neighbor already has a list with that key.
func (nb *neighbor) hasList(kind listKind, key string) bool {
	return slices.ContainsFunc(nb.lists, func(l *propertyList) bool { return l.kind == kind && l.key == key })
}

// newList appends an empty property list to the neighbor.
func (nb *neighbor) newList(kind listKind, key, name, fw, set string) *propertyList {
	list := &propertyList{
		PropertyList: frr.PropertyList{Name: name, FW: fw, Set: set},
		kind:         kind,
		key:          key,
	}
	nb.lists = append(nb.lists, list)
	return list
}

// sortPrefixes sorts a freshly built list and records its origin.
func (l *propertyList) sortPrefixes(from origin) {
	slices.Sort(l.Prefixes)
	l.from = make([]origin, len(l.Prefixes))
	for i := range l.from {
		l.from[i] = from
	}
}

// setNextHops validates and copies the next hops of each family.
func (nb *neighbor) setNextHops(nh v1beta1.NextHop, family ipfamily.Family, from origin) error {
	if nh.IPv4 != "" {
		if err := checkNextHop(nh.IPv4, ipfamily.IPv4, family, nb.DisplayName); err != nil {
			return err
		}
		nb.Outgoing.NextHopV4, nb.nextHopV4From = nh.IPv4, from
	}
	if nh.IPv6 != "" {
		if err := checkNextHop(nh.IPv6, ipfamily.IPv6, family, nb.DisplayName); err != nil {
			return err
		}
		nb.Outgoing.NextHopV6, nb.nextHopV6From = nh.IPv6, from
	}
	return nil
}

// checkNextHop requires an address of family want on a neighbor carrying it.
func checkNextHop(address string, want, neighborFamily ipfamily.Family, name string) error {
	if addr, ok := ipfamily.ParseAddr(address); !ok || ipfamily.ForAddr(addr) != want {
		return fmt.Errorf("invalid %s next hop %q for neighbor %s", want, address, name)
	}
	if !neighborFamily.Includes(want) {
		return fmt.Errorf("%s next hop %q set for neighbor %s without an %s address family", want, address, name, want)
	}
	return nil
}
