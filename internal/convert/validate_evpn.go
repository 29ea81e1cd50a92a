package convert

import (
	"fmt"
	"slices"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// validateEVPN runs the checks on the merged routers (api.md §7), given in
// VRF order: each router's EVPN rules, then VNI uniqueness across VRFs.
func validateEVPN(routers []*router) error {
	for _, r := range routers {
		if err := validateRouterEVPN(r); err != nil {
			return err
		}
	}
	return checkUniqueVNIs(routers)
}

// validateRouterEVPN checks that EVPN features have an EVPN neighbor and
// that an l3vni is only set on a router without neighbors.
func validateRouterEVPN(r *router) error {
	e := r.evpn
	if e == nil {
		return nil
	}
	needsEVPNNeighbor := advertiseVNIs(e) == string(v1beta1.AdvertiseVNIsAll) || e.advertiseSVI || len(e.l2vnis) > 0
	if needsEVPNNeighbor && !hasEVPNNeighbor(r) {
		return fmt.Errorf("invalid EVPN configuration for vrf %q: advertiseVNIs=All, advertiseSVI and l2vnis require at least one neighbor with evpn address family", r.vrf)
	}
	if e.l3vni != nil && len(r.neighbors) > 0 {
		return fmt.Errorf("invalid EVPN configuration for vrf %q: l3vni can only be configured on routers with no neighbors", r.vrf)
	}
	return nil
}

// hasEVPNNeighbor reports whether a neighbor activates the evpn family.
func hasEVPNNeighbor(r *router) bool {
	return slices.ContainsFunc(r.neighbors, func(n *neighbor) bool {
		return slices.Contains(n.AddressFamilies, string(v1beta1.EVPNFamily))
	})
}

// vniUse is where a VNI was first seen.
type vniUse struct {
	kind string
	vrf  string
}

// checkUniqueVNIs requires every VNI, l2 and l3 together, to be used once.
func checkUniqueVNIs(routers []*router) error {
	seen := map[uint32]vniUse{}
	claim := func(vni uint32, use vniUse) error {
		if first, found := seen[vni]; found {
			return fmt.Errorf("duplicate VNI %d: configured as %s in vrf %q and as %s in vrf %q", vni, first.kind, first.vrf, use.kind, use.vrf)
		}
		seen[vni] = use
		return nil
	}
	for _, r := range routers {
		if r.evpn == nil {
			continue
		}
		for _, v := range r.evpn.l2vnis {
			if err := claim(v.vni, vniUse{"l2vni", r.vrf}); err != nil {
				return err
			}
		}
		if l3 := r.evpn.l3vni; l3 != nil {
			if err := claim(l3.vni, vniUse{"l3vni", r.vrf}); err != nil {
				return err
			}
		}
	}
	return nil
}
