package convert

import (
	"fmt"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// Bounds. The rendered frr.conf grows with the product of some inputs (a
// neighbor in mode all renders every prefix of its router and of the
// imported ones, per neighbor), so a small object could make every daemon
// it selects, and the webhook, allocate hundreds of MB. Each config and the
// sum over the configs of a node are counted from the API objects before
// any conversion allocates, and refused past these limits, chosen well
// above any real deployment. They are documented in docs/security.md.
const (
	// MaxRouters is the most routers of one config.
	MaxRouters = 1_000
	// MaxNeighborsPerRouter is the most neighbors of one router.
	MaxNeighborsPerRouter = 5_000
	// MaxPrefixesPerRouter is the most prefixes of one router.
	MaxPrefixesPerRouter = 50_000
	// MaxSelectorsPerNeighbor is the most toReceive prefixes of one neighbor.
	MaxSelectorsPerNeighbor = 50_000
	// MaxBFDProfiles is the most BFD profiles of one config.
	MaxBFDProfiles = 1_000
	// MaxFilterEntries is the most rendered filter entries (prefix-list
	// entries, imports and EVPN identifiers) of one config, and of the
	// configs of one node together.
	MaxFilterEntries = 500_000
	// MaxNodeRouters is the most routers of the configs of one node together.
	MaxNodeRouters = 10_000
	// MaxNodeNeighbors is the most neighbors of the configs of one node together.
	MaxNodeNeighbors = 20_000
	// MaxNodePrefixes is the most router prefixes of the configs of one
	// node together.
	MaxNodePrefixes = 500_000
)

// counts measures what a config renders.
type counts struct {
	routers, neighbors, prefixes, entries int
}

// checkInput applies the string rules and the bounds to one config, before
// it is converted, and adds its counts to the node totals.
func (c *converter) checkInput(cfg *v1beta1.FRRConfiguration) error {
	n, err := countConfig(cfg)
	if err != nil {
		return err
	}
	if err := checkStrings(cfg); err != nil {
		return err
	}
	c.totals = counts{
		routers:   c.totals.routers + n.routers,
		neighbors: c.totals.neighbors + n.neighbors,
		prefixes:  c.totals.prefixes + n.prefixes,
		entries:   c.totals.entries + n.entries,
	}
	for _, l := range []struct {
		what       string
		got, limit int
	}{
		{"routers", c.totals.routers, MaxNodeRouters},
		{"neighbors", c.totals.neighbors, MaxNodeNeighbors},
		{"prefixes", c.totals.prefixes, MaxNodePrefixes},
		{"rendered filter entries", c.totals.entries, MaxFilterEntries},
	} {
		if l.got > l.limit {
			return fmt.Errorf("the configurations selected for the node exceed the limit of %d %s per node (%d with this one)", l.limit, l.what, l.got)
		}
	}
	return nil
}

// countConfig counts a config and checks the per-config limits. It only
// reads lengths: nothing it does grows with the input.
func countConfig(cfg *v1beta1.FRRConfiguration) (counts, error) {
	var res counts
	routers := cfg.Spec.BGP.Routers
	if len(routers) > MaxRouters {
		return res, fmt.Errorf("%d routers exceed the limit of %d routers per configuration", len(routers), MaxRouters)
	}
	if len(cfg.Spec.BGP.BFDProfiles) > MaxBFDProfiles {
		return res, fmt.Errorf("%d bfd profiles exceed the limit of %d bfd profiles per configuration", len(cfg.Spec.BGP.BFDProfiles), MaxBFDProfiles)
	}
	res.routers = len(routers)
	for i := range routers {
		r := &routers[i]
		if len(r.Prefixes) > MaxPrefixesPerRouter {
			return res, fmt.Errorf("router %s has %d prefixes, over the limit of %d prefixes per router", routerLabel(r), len(r.Prefixes), MaxPrefixesPerRouter)
		}
		if len(r.Neighbors) > MaxNeighborsPerRouter {
			return res, fmt.Errorf("router %s has %d neighbors, over the limit of %d neighbors per router", routerLabel(r), len(r.Neighbors), MaxNeighborsPerRouter)
		}
		if len(r.Imports) > MaxRouters {
			return res, fmt.Errorf("router %s has %d imports, over the limit of %d imports per router", routerLabel(r), len(r.Imports), MaxRouters)
		}
		res.prefixes += len(r.Prefixes)
		res.neighbors += len(r.Neighbors)
		entries := len(r.Prefixes) + len(r.Imports) + evpnEntries(r.EVPN)
		advertisable := len(r.Prefixes) + importedCount(routers, r)
		for j := range r.Neighbors {
			n := &r.Neighbors[j]
			if len(n.ToReceive.Allowed.Prefixes) > MaxSelectorsPerNeighbor {
				return res, fmt.Errorf("neighbor %s of router %s has %d toReceive prefixes, over the limit of %d per neighbor",
					neighborLabel(n), routerLabel(r), len(n.ToReceive.Allowed.Prefixes), MaxSelectorsPerNeighbor)
			}
			entries += neighborEntries(n, advertisable)
			if res.entries+entries > MaxFilterEntries {
				return res, fmt.Errorf("router %s renders more than the limit of %d rendered filter entries per configuration (a neighbor in mode all renders every prefix of its router and imports; each neighbor renders its own lists)",
					routerLabel(r), MaxFilterEntries)
			}
		}
		res.entries += entries
	}
	return res, nil
}

// neighborEntries counts the filter entries a neighbor renders: what it
// advertises (every advertisable prefix in mode all), its localPref and
// community lists and its receive selectors.
func neighborEntries(n *v1beta1.Neighbor, advertisable int) int {
	res := len(n.ToAdvertise.Allowed.Prefixes)
	if n.ToAdvertise.Allowed.Mode == v1beta1.AllowAll {
		res = advertisable
	}
	for _, e := range n.ToAdvertise.PrefixesWithLocalPref {
		res += len(e.Prefixes)
	}
	for _, e := range n.ToAdvertise.PrefixesWithCommunity {
		res += len(e.Prefixes)
	}
	if n.ToReceive.Allowed.Mode != v1beta1.AllowAll {
		res += len(n.ToReceive.Allowed.Prefixes)
	}
	return res
}

// importedCount is the number of prefixes a router imports from the
// routers of the same config (at most, when a VRF repeats).
func importedCount(routers []v1beta1.Router, r *v1beta1.Router) int {
	res := 0
	for _, imp := range r.Imports {
		vrf := imp.VRF
		if vrf == "default" {
			vrf = ""
		}
		for i := range routers {
			if routers[i].VRF == vrf {
				res += len(routers[i].Prefixes)
			}
		}
		if res > MaxFilterEntries {
			return res
		}
	}
	return res
}

// evpnEntries counts the VNIs and route targets of a router.
func evpnEntries(e *v1beta1.EVPNConfig) int {
	if e == nil {
		return 0
	}
	res := len(e.L2VNIs)
	for _, v := range e.L2VNIs {
		res += len(v.ImportRTs) + len(v.ExportRTs)
	}
	if v := e.L3VNI; v != nil {
		res += 1 + len(v.ImportRTs) + len(v.ExportRTs)
	}
	return res
}
