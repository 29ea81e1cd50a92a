package convert

import (
	"fmt"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/ipfamily"
)

// routerContext converts one router of one config (merge.md §2 step 2).
type routerContext struct {
	*converter
	api           *v1beta1.Router
	from          origin
	bfdProfiles   map[string]bool     // the profile names of the same config
	prefixesByVRF map[string][]string // the router prefixes of the same config
	advertisable  advertisable
}

// advertisable holds the prefixes a router may advertise: its own plus the
// imported ones, by family, sorted and unique, and an index of them for
// lookups without parsing.
type advertisable struct {
	v4, v6 []string
	index  map[string]prefixPosition
}

// prefixPosition is the family of an advertisable prefix and its position
// in the sorted list of that family.
type prefixPosition struct {
	family ipfamily.Family
	pos    int
}

// newAdvertisable indexes sorted unique lists of advertisable prefixes.
func newAdvertisable(v4, v6 []string) advertisable {
	a := advertisable{v4: v4, v6: v6}
	if len(v4)+len(v6) == 0 {
		return a // lookups in the nil index find nothing
	}
	a.index = make(map[string]prefixPosition, len(v4)+len(v6))
	for i, p := range v4 {
		a.index[p] = prefixPosition{ipfamily.IPv4, i}
	}
	for i, p := range v6 {
		a.index[p] = prefixPosition{ipfamily.IPv6, i}
	}
	return a
}

// forFamily returns the advertisable prefixes of one family.
func (a *advertisable) forFamily(f ipfamily.Family) []string {
	if f == ipfamily.IPv6 {
		return a.v6
	}
	return a.v4
}

// has reports whether p, as written, is a router or imported prefix.
func (a *advertisable) has(p string) bool {
	_, found := a.index[p]
	return found
}

// family returns the family of a prefix, Unknown when it does not parse.
func (a *advertisable) family(p string) ipfamily.Family {
	if pos, found := a.index[p]; found {
		return pos.family
	}
	return ipfamily.ForCIDRString(p)
}

// selectSorted returns the advertisable prefixes of family f that appear in
// prefixes, in sorted order, without sorting.
func (a *advertisable) selectSorted(prefixes []string, f ipfamily.Family) []string {
	all := a.forFamily(f)
	keep := make([]bool, len(all))
	count := 0
	for _, p := range prefixes {
		if pos, found := a.index[p]; found && pos.family == f && !keep[pos.pos] {
			keep[pos.pos] = true
			count++
		}
	}
	if count == len(all) {
		return all
	}
	res := make([]string, 0, count)
	for i, k := range keep {
		if k {
			res = append(res, all[i])
		}
	}
	return res
}

// routerPrefixesByVRF maps each VRF of a config to its router's prefixes
// (the last router wins when a VRF repeats). Only imports read it: it is nil
// for a config without imports.
func routerPrefixesByVRF(routers []v1beta1.Router) map[string][]string {
	if !hasImports(routers) {
		return nil
	}
	res := make(map[string][]string, len(routers))
	for _, r := range routers {
		res[r.VRF] = r.Prefixes
	}
	return res
}

// hasImports reports whether a router imports a VRF.
func hasImports(routers []v1beta1.Router) bool {
	for i := range routers {
		if len(routers[i].Imports) > 0 {
			return true
		}
	}
	return false
}

// convert runs the router steps in order: prefixes, imports, outgoing
// checks, then each neighbor.
func (rc *routerContext) convert() (*router, error) {
	v4, v6, err := splitPrefixes(rc.api.Prefixes)
	if err != nil {
		return nil, err
	}
	if err := rc.checkImports(); err != nil {
		return nil, err
	}
	imported, err := rc.importedPrefixes()
	if err != nil {
		return nil, err
	}
	v4, v6 = sortedUnique(v4), sortedUnique(v6)
	// A bad prefix of an imported router is reported when that router is
	// converted; here it is just not advertisable.
	iv4, iv6, _ := splitKnownPrefixes(imported)
	rc.advertisable = newAdvertisable(unionSorted(v4, sortedUnique(iv4)), unionSorted(v6, sortedUnique(iv6)))
	for i := range rc.api.Neighbors {
		if err := rc.checkOutgoing(&rc.api.Neighbors[i]); err != nil {
			return nil, err
		}
	}
	r := rc.spare.newRouter(router{
		asn:     rc.api.ASN,
		vrf:     rc.api.VRF,
		id:      rc.api.ID,
		from:    rc.from,
		v4:      v4,
		v6:      v6,
		imports: importNames(rc.api.Imports),
		evpn:    convertEVPN(rc.api.EVPN, rc.from),
	}, len(rc.api.Neighbors))
	if r.id != "" {
		r.idFrom = rc.from
	}
	for i := range rc.api.Neighbors {
		n := &rc.api.Neighbors[i]
		if err := checkLocalASN(n, rc.api.ASN); err != nil {
			return nil, err
		}
		nb, err := rc.convertNeighbor(n)
		if err != nil {
			return nil, fmt.Errorf("failed to process neighbor %s for router %d-%s: %w", displayName(n), rc.api.ASN, rc.api.VRF, err)
		}
		r.neighbors = append(r.neighbors, nb)
	}
	return r, nil
}

// splitPrefixes splits prefixes by family, as written; an unparsable one is
// an error.
func splitPrefixes(prefixes []string) (v4, v6 []string, err error) {
	v4, v6, unknown := splitKnownPrefixes(prefixes)
	if unknown != "" {
		return nil, nil, fmt.Errorf("unknown ipfamily for %s", unknown)
	}
	return v4, v6, nil
}

// splitKnownPrefixes splits prefixes by family, as written, skipping the
// unparsable ones; unknown is the first of those.
func splitKnownPrefixes(prefixes []string) (v4, v6 []string, unknown string) {
	for _, p := range prefixes {
		switch ipfamily.ForCIDRString(p) {
		case ipfamily.IPv4:
			v4 = append(v4, p)
		case ipfamily.IPv6:
			v6 = append(v6, p)
		default:
			if unknown == "" {
				unknown = p
			}
		}
	}
	return v4, v6, unknown
}

// checkImports requires every imported VRF to be a router of the same
// config; "default" is always accepted here.
func (rc *routerContext) checkImports() error {
	for _, imp := range rc.api.Imports {
		if imp.VRF == "default" {
			continue
		}
		if _, found := rc.prefixesByVRF[imp.VRF]; !found {
			return fmt.Errorf("router %d-%s imports vrf %s which is not defined", rc.api.ASN, rc.api.VRF, imp.VRF)
		}
	}
	return nil
}

// importedPrefixes concatenates the prefixes of the imported routers;
// "default" is the config's default-VRF router.
func (rc *routerContext) importedPrefixes() ([]string, error) {
	var res []string
	for _, imp := range rc.api.Imports {
		vrf := imp.VRF
		if vrf == "default" {
			vrf = ""
		}
		prefixes, found := rc.prefixesByVRF[vrf]
		if !found {
			return nil, fmt.Errorf("vrf %s not found in prefixes in router", vrf)
		}
		res = append(res, prefixes...)
	}
	return res, nil
}

// importNames lists the imported VRF names as written.
func importNames(imports []v1beta1.Import) []string {
	var res []string
	for _, imp := range imports {
		res = append(res, imp.VRF)
	}
	return res
}

// checkOutgoing validates a neighbor's toAdvertise against its family and
// the router's prefixes (merge.md §2 step 2.4).
func (rc *routerContext) checkOutgoing(n *v1beta1.Neighbor) error {
	family, known, err := outgoingFamily(n)
	if err != nil {
		return fmt.Errorf("failed to find ipfamily for neighbor %s, err: %w", displayName(n), err)
	}
	if !known {
		return nil // no address and no interface: the neighbor conversion says so
	}
	adv := &n.ToAdvertise
	if adv.Allowed.Mode != v1beta1.AllowAll {
		if err := rc.checkPrefixFamilies(adv.Allowed.Prefixes, family); err != nil {
			return fmt.Errorf("invalid allowed prefixes %s for neighbor %s, err: %w", adv.Allowed.Prefixes, displayName(n), err)
		}
		for _, p := range adv.Allowed.Prefixes {
			if !rc.advertisable.has(p) {
				return fmt.Errorf("trying to advertise non configured prefix %s to neighbor %s, vrf %s", p, displayName(n), rc.api.VRF)
			}
		}
	}
	var localPrefOf map[string]uint32 // made for the first localPref entry
	for _, e := range adv.PrefixesWithLocalPref {
		if err := rc.checkPrefixFamilies(e.Prefixes, family); err != nil {
			return fmt.Errorf("invalid prefixes %s for localpref %d for neighbor %s, err: %w", e.Prefixes, e.LocalPref, displayName(n), err)
		}
		if localPrefOf == nil {
			localPrefOf = map[string]uint32{}
		}
		for _, p := range e.Prefixes {
			if existing, found := localPrefOf[p]; found && existing != e.LocalPref {
				return fmt.Errorf("prefix %s is configured with both local preference %d and %d", e.Prefixes, existing, e.LocalPref)
			}
			localPrefOf[p] = e.LocalPref
		}
	}
	for _, e := range adv.PrefixesWithCommunity {
		if err := rc.checkPrefixFamilies(e.Prefixes, family); err != nil {
			return fmt.Errorf("invalid prefixes %s for community %s for neighbor %s, err: %w", e.Prefixes, e.Community, displayName(n), err)
		}
	}
	return nil
}

// outgoingFamily is the neighbor family for the outgoing checks; known is
// false for a neighbor with neither address nor interface.
func outgoingFamily(n *v1beta1.Neighbor) (family ipfamily.Family, known bool, err error) {
	if n.Interface != "" {
		return ipfamily.DualStack, true, nil
	}
	if n.Address == "" {
		return ipfamily.Unknown, false, nil
	}
	family, err = addressFamily(n.Address)
	if err != nil {
		return ipfamily.Unknown, false, err
	}
	if n.DualStackAddressFamily {
		family = ipfamily.DualStack
	}
	return family, true, nil
}

// addressFamily is the family of a neighbor address.
func addressFamily(address string) (ipfamily.Family, error) {
	family, err := ipfamily.ForAddress(address)
	if err != nil {
		return ipfamily.Unknown, fmt.Errorf("failed to find ipfamily for %s, %w", address, err)
	}
	return family, nil
}

// checkPrefixFamilies requires each prefix to parse and to belong to a
// family the neighbor carries.
func (rc *routerContext) checkPrefixFamilies(prefixes []string, family ipfamily.Family) error {
	for _, p := range prefixes {
		f := rc.advertisable.family(p)
		if f == ipfamily.Unknown {
			return fmt.Errorf("unknown ipfamily for %s", p)
		}
		if !family.Includes(f) {
			return fmt.Errorf("prefix %s is not compatible with the ipfamily %s", p, family)
		}
	}
	return nil
}

// checkLocalASN rejects localASN on an iBGP session with a numeric ASN.
func checkLocalASN(n *v1beta1.Neighbor, routerASN uint32) error {
	if n.LocalASN != 0 && n.ASN != 0 && n.ASN == routerASN {
		return fmt.Errorf("neighbor %s: localASN is not supported for iBGP sessions (neighbor ASN %d equals router ASN)", displayName(n), n.ASN)
	}
	return nil
}
