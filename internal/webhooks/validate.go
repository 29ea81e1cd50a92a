// Package webhooks is the validating admission webhook for
// FRRConfiguration (daemon.md §10): for every node a new or updated config
// selects, it merges the config with the others selecting that node, using
// the daemon's own conversion, and denies the first failure. The check
// itself (Validator) is a pure function of the config, the nodes and the
// existing configs; Handler feeds it from informer caches (D7).
package webhooks

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
)

// Warning texts returned to the client on admission.
const (
	// DisableMPWarning is returned when a neighbor sets disableMP.
	DisableMPWarning = "disableMP is deprecated, is ignored and will be removed in a future release"
	// GracefulRestartWarning is returned when an update changes
	// enableGracefulRestart of an existing neighbor.
	GracefulRestartWarning = "Graceful restart configuration changed, it will be available on the next restart"
)

// linearScanLimit is the number of selected nodes up to which each node
// scans every existing config; above it, the configs are indexed by one of
// their matchLabels pairs first.
const linearScanLimit = 4

// Node is the part of a Node the check reads: its name and labels.
type Node struct {
	// Name is the node name.
	Name string
	// Labels are the node labels. They are only read.
	Labels map[string]string
}

// Validator runs the admission check. It is safe for concurrent use and
// keeps parsed nodeSelectors between calls.
type Validator struct {
	selectors *selectors
	workers   int
	// convert is the daemon's conversion; tests count its calls.
	convert func(convert.Input) error
}

// NewValidator returns a Validator that checks node groups on up to
// GOMAXPROCS goroutines.
func NewValidator() *Validator {
	return &Validator{selectors: newSelectors(), workers: runtime.GOMAXPROCS(0), convert: convertOnly}
}

// convertOnly runs the daemon's conversion, keeping the error only.
func convertOnly(in convert.Input) error {
	_, err := convert.Convert(in)
	return err
}

// CheckSelector parses the nodeSelector of cfg (step 2). The error is
// upstream's: the parse error, a newline, then
// "resource contains an invalid NodeSelector".
func (v *Validator) CheckSelector(cfg *v1beta1.FRRConfiguration) error {
	_, err := v.parseSelector(cfg)
	return err
}

// parseSelector returns the matcher of the nodeSelector of cfg, or the
// error of CheckSelector.
func (v *Validator) parseSelector(cfg *v1beta1.FRRConfiguration) (*matcher, error) {
	m := v.selectors.forSelector(&cfg.Spec.NodeSelector)
	if m.err != nil {
		return nil, errors.Join(m.err, errors.New("resource contains an invalid NodeSelector"))
	}
	return m, nil
}

// Validate checks cfg, created or updated, against the existing configs
// of every namespace on every node it selects (daemon.md §10 steps 2, 3 and
// 5 to 8). It returns the warnings when the config is admitted and the
// denial otherwise: the conversion error, with its D6 detail, followed by
// "\nresource is invalid for node <node>". Nothing passed in is modified.
func (v *Validator) Validate(cfg *v1beta1.FRRConfiguration, nodes []Node, existing []*v1beta1.FRRConfiguration) ([]string, error) {
	selector, err := v.parseSelector(cfg)
	if err != nil {
		return nil, err
	}
	var warnings []string
	if usesDisableMP(cfg) {
		warnings = append(warnings, DisableMPWarning)
	}
	targets := selectedNodes(selector, nodes)
	if len(targets) == 0 {
		return warnings, nil
	}
	others, restartChanged := v.otherConfigs(cfg, existing)
	if restartChanged {
		warnings = append(warnings, GracefulRestartWarning)
	}
	groups := distinctContents(cfg, others, groupNodes(targets, others))
	if err := v.validateGroups(cfg, others, groups); err != nil {
		return nil, err
	}
	return warnings, nil
}

// usesDisableMP reports whether a neighbor of cfg sets disableMP.
func usesDisableMP(cfg *v1beta1.FRRConfiguration) bool {
	for _, r := range cfg.Spec.BGP.Routers {
		for _, n := range r.Neighbors {
			if n.DisableMP {
				return true
			}
		}
	}
	return false
}

// selectedNodes returns the nodes the matcher selects, sorted by name.
func selectedNodes(m *matcher, nodes []Node) []Node {
	var res []Node
	for _, n := range nodes {
		if m.matches(n.Labels) {
			res = append(res, n)
		}
	}
	slices.SortFunc(res, func(a, b Node) int { return strings.Compare(a.Name, b.Name) })
	return res
}

// candidate is an existing config that may join a node's set.
type candidate struct {
	cfg  *v1beta1.FRRConfiguration
	info *configInfo
}

// otherConfigs returns the existing configs that may be merged with cfg:
// those with a parsable nodeSelector and another name (upstream takes any
// config of the same name, in any namespace, for the old version of cfg).
// It also reports whether such a same-name config enables graceful restart
// differently on a neighbor of cfg.
func (v *Validator) otherConfigs(cfg *v1beta1.FRRConfiguration, existing []*v1beta1.FRRConfiguration) ([]candidate, bool) {
	infos := v.selectors.forConfigs(existing)
	res := make([]candidate, 0, len(existing))
	restartChanged := false
	for i, old := range existing {
		if infos[i].matcher.err != nil {
			continue
		}
		if old.Name == cfg.Name {
			restartChanged = restartChanged || gracefulRestartChanged(old, cfg)
			continue
		}
		res = append(res, candidate{cfg: old, info: infos[i]})
	}
	return res, restartChanged
}

// gracefulRestartChanged reports whether a neighbor with the same asn and
// address, in a router of the same VRF, sets enableGracefulRestart
// differently in the two configs.
func gracefulRestartChanged(old, updated *v1beta1.FRRConfiguration) bool {
	for _, ro := range old.Spec.BGP.Routers {
		for _, rn := range updated.Spec.BGP.Routers {
			if ro.VRF != rn.VRF {
				continue
			}
			for _, no := range ro.Neighbors {
				for _, nn := range rn.Neighbors {
					if no.ASN == nn.ASN && no.Address == nn.Address && no.EnableGracefulRestart != nn.EnableGracefulRestart {
						return true
					}
				}
			}
		}
	}
	return false
}

// group is a set of nodes that select the same existing configs.
type group struct {
	// node is the first node of the group by name: the one a denial names.
	node string
	// members index the candidates, ascending.
	members []int32
}

// groupNodes computes, for each node (sorted by name), the candidates
// selecting it, and groups nodes with the same set, in order of their
// first node.
func groupNodes(nodes []Node, cands []candidate) []*group {
	appendSet := scanSet(cands)
	if len(nodes) > linearScanLimit {
		appendSet = newConfigIndex(cands).appendSet
	}
	var res []*group
	seen := map[string]bool{}
	var members []int32
	var key []byte
	for _, n := range nodes {
		members = appendSet(members[:0], n.Labels)
		key = key[:0]
		for _, m := range members {
			key = binary.LittleEndian.AppendUint32(key, uint32(m))
		}
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		res = append(res, &group{node: n.Name, members: slices.Clone(members)})
	}
	return res
}

// scanSet returns a function appending the candidates selecting a node,
// found by trying each of them.
func scanSet(cands []candidate) func([]int32, map[string]string) []int32 {
	return func(res []int32, nodeLabels map[string]string) []int32 {
		for i, c := range cands {
			if c.info.matcher.matches(nodeLabels) {
				res = append(res, int32(i))
			}
		}
		return res
	}
}

// labelPair is one node label.
type labelPair struct{ key, value string }

// configIndex finds the candidates selecting a node without trying them
// all: selectors with matchLabels are indexed by one of their pairs, so a
// node only tries those indexed under one of its own labels.
type configIndex struct {
	cands     []candidate
	byLabel   map[labelPair][]int32
	everyNode []int32 // empty selectors
	others    []int32 // selectors with matchExpressions only
}

// newConfigIndex indexes the candidates.
func newConfigIndex(cands []candidate) *configIndex {
	idx := &configIndex{cands: cands, byLabel: map[labelPair][]int32{}}
	for i, c := range cands {
		switch {
		case c.info.matcher.key != "":
			p := labelPair{c.info.matcher.key, c.info.matcher.value}
			idx.byLabel[p] = append(idx.byLabel[p], int32(i))
		case c.info.matcher.selectsAll():
			idx.everyNode = append(idx.everyNode, int32(i))
		default:
			idx.others = append(idx.others, int32(i))
		}
	}
	return idx
}

// appendSet appends the candidates selecting a node with these labels to
// res, which must be empty, in ascending order.
func (idx *configIndex) appendSet(res []int32, nodeLabels map[string]string) []int32 {
	res = append(res, idx.everyNode...)
	for _, i := range idx.others {
		if idx.cands[i].info.matcher.matches(nodeLabels) {
			res = append(res, i)
		}
	}
	for k, v := range nodeLabels {
		for _, i := range idx.byLabel[labelPair{k, v}] {
			if idx.cands[i].info.matcher.matches(nodeLabels) {
				res = append(res, i)
			}
		}
	}
	slices.Sort(res)
	return res
}

// distinctContents keeps, of the groups whose configs have the same
// contents in conversion order, the first one. The conversion reads the
// names and namespaces of the configs only to order them and to name them
// in errors, and the webhook does not let it read the nodeSelectors: two
// such sets are admitted or denied alike, and the first group of a denied
// kind is the first denied group. Nodes with per-node configs that differ
// only by name (MetalLB's metallb-<node>) are thus checked once.
func distinctContents(cfg *v1beta1.FRRConfiguration, cands []candidate, groups []*group) []*group {
	if len(groups) < 2 {
		return groups
	}
	// Each distinct content gets a number from 1; 0 marks where the new
	// config, the same in every set, comes.
	ids := map[[sha256.Size]byte]uint32{}
	idOf := func(d [sha256.Size]byte) uint32 {
		id, found := ids[d]
		if !found {
			id = uint32(len(ids) + 1)
			ids[d] = id
		}
		return id
	}
	candIDs := make([]uint32, len(cands)) // 0 until needed
	candID := func(i int32) uint32 {
		if candIDs[i] == 0 {
			candIDs[i] = idOf(cands[i].info.contentDigest(cands[i].cfg))
		}
		return candIDs[i]
	}
	rank := conversionRanks(cands, groups)
	var res []*group
	seen := map[string]bool{}
	var key []byte
	var order []int32
	for _, g := range groups {
		order = append(order[:0], g.members...)
		slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(rank[a], rank[b]) })
		key = key[:0]
		placed := false
		for _, i := range order {
			if !placed && sortsBefore(cfg, cands[i].cfg) {
				key = binary.LittleEndian.AppendUint32(key, 0)
				placed = true
			}
			key = binary.LittleEndian.AppendUint32(key, candID(i))
		}
		if !placed {
			key = binary.LittleEndian.AppendUint32(key, 0)
		}
		if !seen[string(key)] {
			seen[string(key)] = true
			res = append(res, g)
		}
	}
	return res
}

// conversionRanks gives each candidate in a group its rank in conversion
// order (by name, then namespace), so each group's members are then
// ordered by comparing numbers.
func conversionRanks(cands []candidate, groups []*group) []int32 {
	inGroup := make([]bool, len(cands))
	var used []int32
	for _, g := range groups {
		for _, i := range g.members {
			if !inGroup[i] {
				inGroup[i] = true
				used = append(used, i)
			}
		}
	}
	slices.SortFunc(used, func(a, b int32) int { return compareConfigs(cands[a].cfg, cands[b].cfg) })
	rank := make([]int32, len(cands))
	for r, i := range used {
		rank[i] = int32(r)
	}
	return rank
}

// compareConfigs orders configs by name, then namespace.
func compareConfigs(a, b *v1beta1.FRRConfiguration) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Namespace, b.Namespace))
}

// sortsBefore reports whether the conversion takes a before b.
func sortsBefore(a, b *v1beta1.FRRConfiguration) bool {
	return compareConfigs(a, b) < 0
}

// validateGroups validates the set of each group and returns the denial of
// the first failing group, in group order. Groups are spread over the
// workers; a worker stops picking groups past a known failure, so every
// group before the first failure is always checked.
func (v *Validator) validateGroups(cfg *v1beta1.FRRConfiguration, cands []candidate, groups []*group) error {
	workers := min(v.workers, len(groups))
	if workers <= 1 {
		for _, g := range groups {
			if err := v.validateSet(cfg, cands, g); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, len(groups))
	var next atomic.Int64
	var firstFailure atomic.Int64
	firstFailure.Store(int64(len(groups)))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= firstFailure.Load() {
					return
				}
				if errs[i] = v.validateSet(cfg, cands, groups[i]); errs[i] != nil {
					lowerTo(&firstFailure, i)
				}
			}
		})
	}
	wg.Wait()
	if i := firstFailure.Load(); i < int64(len(groups)) {
		return errs[i]
	}
	return nil
}

// lowerTo sets a to v when v is smaller.
func lowerTo(a *atomic.Int64, v int64) {
	for {
		cur := a.Load()
		if v >= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}

// validateSet converts the configs of a group plus cfg as the daemon would
// on the group's nodes, with every passwordSecret treated as blank and no
// always-block prefixes.
func (v *Validator) validateSet(cfg *v1beta1.FRRConfiguration, cands []candidate, g *group) error {
	configs := make([]v1beta1.FRRConfiguration, 0, len(g.members)+1)
	for _, i := range g.members {
		configs = append(configs, *cands[i].cfg)
	}
	configs = append(configs, *cfg)
	err := v.convert(convert.Input{Configs: configs, Secrets: convert.SecretsNotRead()})
	if err != nil {
		return errors.Join(err, errors.New("resource is invalid for node "+g.node))
	}
	return nil
}
