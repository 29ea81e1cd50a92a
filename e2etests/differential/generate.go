package differential

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
	"github.com/frrk8s/frrk8s/internal/frr"
)

// Names the generated objects and files use.
const (
	// Namespace holds the generated FRRConfigurations.
	Namespace = "frr-k8s-system"
	// Hostname is the hostname line of every generated frr.conf.
	Hostname = "diff-node"
	// LocalASN is the AS of every generated router.
	LocalASN = 64512
)

// Step is one frr.conf of a sequence and the change that led to it.
type Step struct {
	// Change describes the changes applied since the previous step.
	Change string
	// PrefixOnly says the changes only touched prefixes.
	PrefixOnly bool
	// Configs are the FRRConfigurations the file was rendered from.
	Configs []v1beta1.FRRConfiguration
	// Config is the rendered frr.conf.
	Config string
}

// Generate returns steps frr.conf files for seed: the first renders a random
// valid starting configuration, each later one applies one to three random
// changes to the previous. Half of the steps only change prefixes (network
// lines and prefix-list entries), the kind of change the reloader may apply
// incrementally. The same seed always yields the same sequence.
func Generate(seed uint64, steps int) ([]Step, error) {
	g := &generator{rnd: rand.New(rand.NewPCG(seed, seed^0x5eed5eed5eed5eed)), st: newState()}
	var out []Step
	var changes []string
	prefixOnly := false
	for i := range 6 + g.rnd.IntN(6) {
		c, err := g.mutate(false)
		if err != nil {
			return nil, fmt.Errorf("seed %d, start change %d: %w", seed, i, err)
		}
		changes = append(changes, c)
	}
	for len(out) < steps {
		configs := g.st.configs()
		text, err := render(configs)
		if err != nil {
			return nil, fmt.Errorf("seed %d, step %d: %w", seed, len(out), err)
		}
		out = append(out, Step{Change: strings.Join(changes, "; "), PrefixOnly: prefixOnly, Configs: configs, Config: text})
		changes = changes[:0]
		prefixOnly = g.rnd.IntN(2) == 0
		for range 1 + g.rnd.IntN(3) {
			c, err := g.mutate(prefixOnly)
			if err != nil {
				return nil, fmt.Errorf("seed %d, step %d: %w", seed, len(out), err)
			}
			changes = append(changes, c)
		}
	}
	return out, nil
}

// render converts configs with the product's conversion and renders the
// result as the daemon does.
func render(configs []v1beta1.FRRConfiguration) (string, error) {
	model, err := convert.Convert(convert.Input{Configs: configs, LogLevel: "info"})
	if err != nil {
		return "", fmt.Errorf("convert: %w", err)
	}
	text, err := frr.Render(model, frr.RenderOptions{Hostname: Hostname})
	if err != nil {
		return "", fmt.Errorf("render: %w", err)
	}
	return text, nil
}

// Value pools: small on purpose, so that additions and removals collide.
// The neighbor addresses are not reachable from the test namespaces.
var (
	v4Prefixes   = poolOf(12, func(i int) string { return fmt.Sprintf("10.0.%d.0/24", i) })
	v6Prefixes   = poolOf(6, func(i int) string { return fmt.Sprintf("2001:db8:%x::/64", i+1) })
	v4Neighbors  = poolOf(8, func(i int) string { return fmt.Sprintf("198.51.100.%d", 10+i) })
	v6Neighbors  = poolOf(4, func(i int) string { return fmt.Sprintf("2001:db8:ffff::%d", 10+i) })
	vrfs         = []string{"red", "blue"}
	localPrefs   = []uint32{50, 100, 150, 200}
	communities  = []string{"65000:1", "65000:2", "65000:100", "large:65000:1:1"}
	bfdProfiles  = []string{"bfd-a", "bfd-b", "bfd-c"}
	routerIDs    = []string{"", "10.255.0.1", "10.255.0.2"}
	timerChoices = [][2]int{{0, 0}, {9, 3}, {30, 10}, {180, 60}}
	selectors    = []v1beta1.PrefixSelector{
		{Prefix: "172.16.0.0/16"},
		{Prefix: "172.16.0.0/16", LE: 24},
		{Prefix: "172.17.0.0/16", GE: 24, LE: 28},
		{Prefix: "172.18.5.0/24", GE: 25},
		{Prefix: "2001:db8:100::/48"},
		{Prefix: "2001:db8:100::/48", LE: 64},
	}
	// rawSnippets are raw configs FRR and frr-reload.py handle as they
	// handle the rendered text; some touch the rendered router.
	rawSnippets = []string{
		"ip prefix-list raw-list seq 10 permit 172.20.0.0/16 le 24",
		"ip prefix-list raw-list seq 20 deny 172.21.0.0/16",
		"ipv6 prefix-list raw-list6 seq 5 permit 2001:db8:dead::/48",
		"route-map raw-map permit 10\n set metric 100",
		"bgp community-list standard raw-communities seq 5 permit 65000:7",
		"ip route 172.31.0.0/24 blackhole",
		fmt.Sprintf("router bgp %d\n address-family ipv4 unicast\n  network 172.30.0.0/24\n exit-address-family", LocalASN),
	}
)

func poolOf(n int, f func(int) string) []string {
	pool := make([]string, n)
	for i := range pool {
		pool[i] = f(i)
	}
	return pool
}

// state is the abstract configuration the changes act on. It is valid by
// construction (mostly: the conversion has the last word, see mutate).
type state struct {
	Routers []*routerState        `json:"routers"` // by VRF, the default VRF first
	BFD     map[string]bfdProfile `json:"bfd"`
	Raw     []int                 `json:"raw"` // indexes into rawSnippets, sorted
}

type routerState struct {
	VRF       string           `json:"vrf"`
	RouterID  string           `json:"routerID"`
	Prefixes  []string         `json:"prefixes"` // sorted
	Imports   []string         `json:"imports"`  // sorted
	Neighbors []*neighborState `json:"neighbors"`
}

type neighborState struct {
	Addr         string                   `json:"addr"`
	ASN          uint32                   `json:"asn"`
	Dual         bool                     `json:"dual"`
	AdvertiseAll bool                     `json:"advertiseAll"`
	Allowed      []string                 `json:"allowed"`
	LocalPrefs   map[uint32][]string      `json:"localPrefs"`
	Communities  map[string][]string      `json:"communities"`
	ReceiveAll   bool                     `json:"receiveAll"`
	Receive      []v1beta1.PrefixSelector `json:"receive"`
	BFDProfile   string                   `json:"bfdProfile"`
	Timers       [2]int                   `json:"timers"`
	Password     string                   `json:"password"`
}

type bfdProfile struct {
	Receive, Transmit, Multiplier, Echo, MinTTL uint32
	EchoMode, Passive                           bool
}

func newState() *state {
	return &state{Routers: []*routerState{{}}, BFD: map[string]bfdProfile{}}
}

// clone deep-copies the state.
func (s *state) clone() *state {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	c := &state{}
	if err := json.Unmarshal(b, c); err != nil {
		panic(err)
	}
	return c
}

// families returns the prefix families a neighbor carries.
func (n *neighborState) families() (v4, v6 bool) {
	isV6 := strings.Contains(n.Addr, ":")
	if n.Dual {
		return true, true
	}
	return !isV6, isV6
}

// carries reports whether the neighbor can be given prefix p.
func (n *neighborState) carries(p string) bool {
	v4, v6 := n.families()
	if strings.Contains(p, ":") {
		return v6
	}
	return v4
}

// advertised returns what the neighbor advertises from router r.
func (n *neighborState) advertised(r *routerState) []string {
	if n.AdvertiseAll {
		var res []string
		for _, p := range r.Prefixes {
			if n.carries(p) {
				res = append(res, p)
			}
		}
		return res
	}
	return n.Allowed
}

// prune drops every property-list prefix the neighbor no longer advertises.
func (n *neighborState) prune(r *routerState) {
	adv := n.advertised(r)
	for k, ps := range n.LocalPrefs {
		ps = slices.DeleteFunc(ps, func(p string) bool { return !slices.Contains(adv, p) })
		if len(ps) == 0 {
			delete(n.LocalPrefs, k)
		} else {
			n.LocalPrefs[k] = ps
		}
	}
	for k, ps := range n.Communities {
		ps = slices.DeleteFunc(ps, func(p string) bool { return !slices.Contains(adv, p) })
		if len(ps) == 0 {
			delete(n.Communities, k)
		} else {
			n.Communities[k] = ps
		}
	}
}

// configs builds the FRRConfigurations of the state: one with the routers
// and BFD profiles, one with the raw snippets when there are any.
func (s *state) configs() []v1beta1.FRRConfiguration {
	bgp := v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "bgp", Namespace: Namespace}}
	for _, r := range s.Routers {
		ar := v1beta1.Router{ASN: LocalASN, ID: r.RouterID, VRF: r.VRF, Prefixes: slices.Clone(r.Prefixes)}
		for _, imp := range r.Imports {
			ar.Imports = append(ar.Imports, v1beta1.Import{VRF: imp})
		}
		for _, n := range r.Neighbors {
			ar.Neighbors = append(ar.Neighbors, n.toAPI())
		}
		bgp.Spec.BGP.Routers = append(bgp.Spec.BGP.Routers, ar)
	}
	for _, name := range sortedKeys(s.BFD) {
		p := s.BFD[name]
		bgp.Spec.BGP.BFDProfiles = append(bgp.Spec.BGP.BFDProfiles, p.toAPI(name))
	}
	res := []v1beta1.FRRConfiguration{bgp}
	if len(s.Raw) > 0 {
		var parts []string
		for _, i := range s.Raw {
			parts = append(parts, rawSnippets[i])
		}
		raw := v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "raw", Namespace: Namespace}}
		raw.Spec.Raw = v1beta1.RawConfig{Priority: 5, Config: strings.Join(parts, "\n")}
		res = append(res, raw)
	}
	return res
}

func (n *neighborState) toAPI() v1beta1.Neighbor {
	an := v1beta1.Neighbor{
		ASN:                    n.ASN,
		Address:                n.Addr,
		Password:               n.Password,
		BFDProfile:             n.BFDProfile,
		DualStackAddressFamily: n.Dual,
	}
	if n.Timers[0] != 0 {
		an.HoldTime = &metav1.Duration{Duration: time.Duration(n.Timers[0]) * time.Second}
		an.KeepaliveTime = &metav1.Duration{Duration: time.Duration(n.Timers[1]) * time.Second}
	}
	if n.AdvertiseAll {
		an.ToAdvertise.Allowed.Mode = v1beta1.AllowAll
	} else {
		an.ToAdvertise.Allowed.Prefixes = slices.Clone(n.Allowed)
	}
	for _, lp := range sortedKeys(n.LocalPrefs) {
		an.ToAdvertise.PrefixesWithLocalPref = append(an.ToAdvertise.PrefixesWithLocalPref,
			v1beta1.LocalPrefPrefixes{LocalPref: lp, Prefixes: slices.Clone(n.LocalPrefs[lp])})
	}
	for _, c := range sortedKeys(n.Communities) {
		an.ToAdvertise.PrefixesWithCommunity = append(an.ToAdvertise.PrefixesWithCommunity,
			v1beta1.CommunityPrefixes{Community: c, Prefixes: slices.Clone(n.Communities[c])})
	}
	if n.ReceiveAll {
		an.ToReceive.Allowed.Mode = v1beta1.AllowAll
	} else {
		an.ToReceive.Allowed.Prefixes = slices.Clone(n.Receive)
	}
	return an
}

func (p bfdProfile) toAPI(name string) v1beta1.BFDProfile {
	opt := func(v uint32) *uint32 {
		if v == 0 {
			return nil
		}
		return &v
	}
	flag := func(b bool) *bool {
		if !b {
			return nil
		}
		return &b
	}
	return v1beta1.BFDProfile{
		Name:             name,
		ReceiveInterval:  opt(p.Receive),
		TransmitInterval: opt(p.Transmit),
		DetectMultiplier: opt(p.Multiplier),
		EchoInterval:     opt(p.Echo),
		MinimumTTL:       opt(p.MinTTL),
		EchoMode:         flag(p.EchoMode),
		PassiveMode:      flag(p.Passive),
	}
}

func sortedKeys[K interface{ ~string | ~uint32 }, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// generator applies random changes to a state.
type generator struct {
	rnd *rand.Rand
	st  *state
}

// change is one kind of random change: it edits s and describes the edit,
// or returns "" when it does not apply to s.
type change struct {
	weight int
	// prefixOnly marks changes that touch prefixes only (network lines and
	// prefix-list entries, at times a new list or route-map entry).
	prefixOnly bool
	apply      func(g *generator, s *state) string
}

// maxAttempts bounds the tries to find a change that applies and converts.
const maxAttempts = 200

// mutate applies one random change that the conversion accepts, only a
// prefixOnly one when asked.
func (g *generator) mutate(prefixOnly bool) (string, error) {
	var kinds []change
	total := 0
	for _, c := range changes {
		if c.prefixOnly || !prefixOnly {
			kinds = append(kinds, c)
			total += c.weight
		}
	}
	var lastErr error
	for range maxAttempts {
		pick := g.rnd.IntN(total)
		var c change
		for _, c = range kinds {
			if pick < c.weight {
				break
			}
			pick -= c.weight
		}
		next := g.st.clone()
		desc := c.apply(g, next)
		if desc == "" {
			continue
		}
		if _, err := render(next.configs()); err != nil {
			lastErr = fmt.Errorf("%s: %w", desc, err)
			continue
		}
		g.st = next
		return desc, nil
	}
	return "", fmt.Errorf("no valid change in %d attempts, last rejection: %v", maxAttempts, lastErr)
}

func pick[T any](g *generator, items []T) T {
	return items[g.rnd.IntN(len(items))]
}

// missing returns the pool entries not in have.
func missing(pool, have []string) []string {
	var res []string
	for _, p := range pool {
		if !slices.Contains(have, p) {
			res = append(res, p)
		}
	}
	return res
}

func insertSorted(list []string, v string) []string {
	if i, found := slices.BinarySearch(list, v); !found {
		list = slices.Insert(list, i, v)
	}
	return list
}

func remove(list []string, v string) []string {
	return slices.DeleteFunc(list, func(x string) bool { return x == v })
}

// anyNeighbor picks a router with neighbors and one of its neighbors.
func (g *generator) anyNeighbor(s *state) (*routerState, *neighborState) {
	var withNeighbors []*routerState
	for _, r := range s.Routers {
		if len(r.Neighbors) > 0 {
			withNeighbors = append(withNeighbors, r)
		}
	}
	if len(withNeighbors) == 0 {
		return nil, nil
	}
	r := pick(g, withNeighbors)
	return r, pick(g, r.Neighbors)
}

// anyAdvertised picks a neighbor (as anyNeighbor) and one of the prefixes
// it advertises; n is nil when there is no neighbor or it advertises none.
func (g *generator) anyAdvertised(s *state) (*routerState, *neighborState, string) {
	r, n := g.anyNeighbor(s)
	if n == nil {
		return nil, nil, ""
	}
	adv := n.advertised(r)
	if len(adv) == 0 {
		return nil, nil, ""
	}
	return r, n, pick(g, adv)
}

func where(r *routerState, n *neighborState) string {
	vrf := r.VRF
	if vrf == "" {
		vrf = "default"
	}
	if n == nil {
		return "router " + vrf
	}
	return "neighbor " + n.Addr + " in " + vrf
}

// changes are the random changes with their weights.
var changes = []change{
	{4, true, func(g *generator, s *state) string { // advertise a new router prefix
		r := pick(g, s.Routers)
		candidates := missing(slices.Concat(v4Prefixes, v6Prefixes), r.Prefixes)
		if len(candidates) == 0 {
			return ""
		}
		p := pick(g, candidates)
		r.Prefixes = insertSorted(r.Prefixes, p)
		return "add prefix " + p + " to " + where(r, nil)
	}},
	{3, true, func(g *generator, s *state) string { // withdraw a router prefix
		r := pick(g, s.Routers)
		if len(r.Prefixes) == 0 {
			return ""
		}
		p := pick(g, r.Prefixes)
		r.Prefixes = remove(r.Prefixes, p)
		for _, n := range r.Neighbors {
			n.Allowed = remove(n.Allowed, p)
			n.prune(r)
		}
		return "remove prefix " + p + " from " + where(r, nil)
	}},
	{5, true, func(g *generator, s *state) string { // allow a prefix to a neighbor
		r, n := g.anyNeighbor(s)
		if n == nil || n.AdvertiseAll {
			return ""
		}
		var candidates []string
		for _, p := range missing(r.Prefixes, n.Allowed) {
			if n.carries(p) {
				candidates = append(candidates, p)
			}
		}
		if len(candidates) == 0 {
			return ""
		}
		p := pick(g, candidates)
		n.Allowed = insertSorted(n.Allowed, p)
		return "allow " + p + " to " + where(r, n)
	}},
	{3, true, func(g *generator, s *state) string { // stop allowing a prefix
		r, n := g.anyNeighbor(s)
		if n == nil || n.AdvertiseAll || len(n.Allowed) == 0 {
			return ""
		}
		p := pick(g, n.Allowed)
		n.Allowed = remove(n.Allowed, p)
		n.prune(r)
		return "disallow " + p + " to " + where(r, n)
	}},
	{1, false, func(g *generator, s *state) string { // toggle advertise mode all
		r, n := g.anyNeighbor(s)
		if n == nil {
			return ""
		}
		if n.AdvertiseAll {
			n.AdvertiseAll = false
			n.Allowed = nil
			for _, p := range r.Prefixes {
				if n.carries(p) && g.rnd.IntN(2) == 0 {
					n.Allowed = append(n.Allowed, p)
				}
			}
			n.prune(r)
			return "advertise filtered " + strings.Join(n.Allowed, ",") + " to " + where(r, n)
		}
		n.AdvertiseAll = true
		n.Allowed = nil
		return "advertise all to " + where(r, n)
	}},
	{3, true, func(g *generator, s *state) string { // give an advertised prefix a local preference
		r, n, p := g.anyAdvertised(s)
		if n == nil {
			return ""
		}
		for _, ps := range n.LocalPrefs {
			if slices.Contains(ps, p) {
				return ""
			}
		}
		lp := pick(g, localPrefs)
		if n.LocalPrefs == nil {
			n.LocalPrefs = map[uint32][]string{}
		}
		n.LocalPrefs[lp] = insertSorted(n.LocalPrefs[lp], p)
		return fmt.Sprintf("localPref %d for %s to %s", lp, p, where(r, n))
	}},
	{2, true, func(g *generator, s *state) string { // drop a local preference
		r, n := g.anyNeighbor(s)
		if n == nil || len(n.LocalPrefs) == 0 {
			return ""
		}
		lp := pick(g, sortedKeys(n.LocalPrefs))
		p := pick(g, n.LocalPrefs[lp])
		n.LocalPrefs[lp] = remove(n.LocalPrefs[lp], p)
		n.prune(r)
		return fmt.Sprintf("no localPref %d for %s to %s", lp, p, where(r, n))
	}},
	{3, true, func(g *generator, s *state) string { // tag an advertised prefix with a community
		r, n, p := g.anyAdvertised(s)
		if n == nil {
			return ""
		}
		c := pick(g, communities)
		if slices.Contains(n.Communities[c], p) {
			return ""
		}
		if n.Communities == nil {
			n.Communities = map[string][]string{}
		}
		n.Communities[c] = insertSorted(n.Communities[c], p)
		return fmt.Sprintf("community %s for %s to %s", c, p, where(r, n))
	}},
	{2, true, func(g *generator, s *state) string { // drop a community
		r, n := g.anyNeighbor(s)
		if n == nil || len(n.Communities) == 0 {
			return ""
		}
		c := pick(g, sortedKeys(n.Communities))
		p := pick(g, n.Communities[c])
		n.Communities[c] = remove(n.Communities[c], p)
		n.prune(r)
		return fmt.Sprintf("no community %s for %s to %s", c, p, where(r, n))
	}},
	{2, false, func(g *generator, s *state) string { // add a neighbor
		r := pick(g, s.Routers)
		if len(r.Neighbors) >= 4 {
			return ""
		}
		var used []string
		for _, n := range r.Neighbors {
			used = append(used, n.Addr)
		}
		pool := v4Neighbors
		if g.rnd.IntN(4) == 0 {
			pool = v6Neighbors
		}
		candidates := missing(pool, used)
		if len(candidates) == 0 {
			return ""
		}
		n := &neighborState{Addr: pick(g, candidates), ASN: LocalASN + 1 + uint32(g.rnd.IntN(3))}
		n.Dual = g.rnd.IntN(4) == 0
		if g.rnd.IntN(3) == 0 {
			n.Password = "pw-" + strconv.Itoa(g.rnd.IntN(100))
		}
		for _, p := range r.Prefixes {
			if n.carries(p) && g.rnd.IntN(2) == 0 {
				n.Allowed = append(n.Allowed, p)
			}
		}
		r.Neighbors = append(r.Neighbors, n)
		slices.SortFunc(r.Neighbors, func(a, b *neighborState) int { return strings.Compare(a.Addr, b.Addr) })
		return fmt.Sprintf("add %s (AS %d, dual %t)", where(r, n), n.ASN, n.Dual)
	}},
	{1, false, func(g *generator, s *state) string { // remove a neighbor
		r, n := g.anyNeighbor(s)
		if n == nil {
			return ""
		}
		r.Neighbors = slices.DeleteFunc(r.Neighbors, func(x *neighborState) bool { return x == n })
		return "remove " + where(r, n)
	}},
	{2, true, func(g *generator, s *state) string { // accept a prefix selector
		r, n := g.anyNeighbor(s)
		if n == nil || n.ReceiveAll {
			return ""
		}
		var candidates []v1beta1.PrefixSelector
		for _, sel := range selectors {
			if n.carries(sel.Prefix) && !slices.Contains(n.Receive, sel) {
				candidates = append(candidates, sel)
			}
		}
		if len(candidates) == 0 {
			return ""
		}
		sel := pick(g, candidates)
		n.Receive = append(n.Receive, sel)
		return fmt.Sprintf("receive %s le %d ge %d from %s", sel.Prefix, sel.LE, sel.GE, where(r, n))
	}},
	{2, true, func(g *generator, s *state) string { // drop a prefix selector
		r, n := g.anyNeighbor(s)
		if n == nil || len(n.Receive) == 0 {
			return ""
		}
		i := g.rnd.IntN(len(n.Receive))
		sel := n.Receive[i]
		n.Receive = slices.Delete(n.Receive, i, i+1)
		return fmt.Sprintf("stop receiving %s le %d ge %d from %s", sel.Prefix, sel.LE, sel.GE, where(r, n))
	}},
	{1, false, func(g *generator, s *state) string { // toggle receive mode all
		r, n := g.anyNeighbor(s)
		if n == nil {
			return ""
		}
		n.ReceiveAll = !n.ReceiveAll
		n.Receive = nil
		return fmt.Sprintf("receive all %t from %s", n.ReceiveAll, where(r, n))
	}},
	{1, false, func(g *generator, s *state) string { // add a BFD profile
		candidates := missing(bfdProfiles, sortedKeys(s.BFD))
		if len(candidates) == 0 {
			return ""
		}
		name := pick(g, candidates)
		s.BFD[name] = g.randomBFD()
		return "add BFD profile " + name
	}},
	{1, false, func(g *generator, s *state) string { // change a BFD profile
		if len(s.BFD) == 0 {
			return ""
		}
		name := pick(g, sortedKeys(s.BFD))
		s.BFD[name] = g.randomBFD()
		return "change BFD profile " + name
	}},
	{1, false, func(g *generator, s *state) string { // remove a BFD profile and its uses
		if len(s.BFD) == 0 {
			return ""
		}
		name := pick(g, sortedKeys(s.BFD))
		delete(s.BFD, name)
		for _, r := range s.Routers {
			for _, n := range r.Neighbors {
				if n.BFDProfile == name {
					n.BFDProfile = ""
				}
			}
		}
		return "remove BFD profile " + name
	}},
	{2, false, func(g *generator, s *state) string { // set or clear a neighbor's BFD profile
		r, n := g.anyNeighbor(s)
		if n == nil {
			return ""
		}
		options := append([]string{""}, sortedKeys(s.BFD)...)
		p := pick(g, options)
		if p == n.BFDProfile {
			return ""
		}
		n.BFDProfile = p
		return fmt.Sprintf("BFD profile %q for %s", p, where(r, n))
	}},
	{1, false, func(g *generator, s *state) string { // change a neighbor's timers
		r, n := g.anyNeighbor(s)
		if n == nil {
			return ""
		}
		t := pick(g, timerChoices)
		if t == n.Timers {
			return ""
		}
		n.Timers = t
		return fmt.Sprintf("timers %d %d for %s", t[1], t[0], where(r, n))
	}},
	{1, false, func(g *generator, s *state) string { // add a VRF router
		var have []string
		for _, r := range s.Routers {
			have = append(have, r.VRF)
		}
		candidates := missing(vrfs, have)
		if len(candidates) == 0 {
			return ""
		}
		r := &routerState{VRF: pick(g, candidates)}
		for _, p := range v4Prefixes[:4] {
			if g.rnd.IntN(2) == 0 {
				r.Prefixes = append(r.Prefixes, p)
			}
		}
		s.Routers = append(s.Routers, r)
		slices.SortFunc(s.Routers, func(a, b *routerState) int { return strings.Compare(a.VRF, b.VRF) })
		return "add " + where(r, nil)
	}},
	{1, false, func(g *generator, s *state) string { // remove a VRF router and the imports of it
		if len(s.Routers) < 2 {
			return ""
		}
		r := pick(g, s.Routers[1:])
		s.Routers = slices.DeleteFunc(s.Routers, func(x *routerState) bool { return x == r })
		for _, o := range s.Routers {
			o.Imports = remove(o.Imports, r.VRF)
		}
		return "remove " + where(r, nil)
	}},
	{1, false, func(g *generator, s *state) string { // toggle a VRF import
		if len(s.Routers) < 2 {
			return ""
		}
		to := pick(g, s.Routers)
		from := pick(g, s.Routers)
		if to == from {
			return ""
		}
		name := from.VRF
		if name == "" {
			name = "default"
		}
		if slices.Contains(to.Imports, name) {
			to.Imports = remove(to.Imports, name)
			for _, n := range to.Neighbors {
				n.prune(to)
			}
			return "stop importing " + name + " into " + where(to, nil)
		}
		to.Imports = insertSorted(to.Imports, name)
		return "import " + name + " into " + where(to, nil)
	}},
	{1, false, func(g *generator, s *state) string { // change a router-id
		r := pick(g, s.Routers)
		id := pick(g, routerIDs)
		if id == r.RouterID {
			return ""
		}
		r.RouterID = id
		return fmt.Sprintf("router-id %q for %s", id, where(r, nil))
	}},
	{1, false, func(g *generator, s *state) string { // add or remove a raw snippet
		i := g.rnd.IntN(len(rawSnippets))
		if slices.Contains(s.Raw, i) {
			s.Raw = slices.DeleteFunc(s.Raw, func(x int) bool { return x == i })
			return fmt.Sprintf("remove raw snippet %d", i)
		}
		s.Raw = append(s.Raw, i)
		slices.Sort(s.Raw)
		return fmt.Sprintf("add raw snippet %d", i)
	}},
}

func (g *generator) randomBFD() bfdProfile {
	p := bfdProfile{}
	if g.rnd.IntN(2) == 0 {
		p.Receive = pick(g, []uint32{100, 200, 300})
	}
	if g.rnd.IntN(2) == 0 {
		p.Transmit = pick(g, []uint32{100, 200, 300})
	}
	if g.rnd.IntN(2) == 0 {
		p.Multiplier = pick(g, []uint32{3, 5})
	}
	if g.rnd.IntN(3) == 0 {
		p.Echo = pick(g, []uint32{50, 100})
	}
	if g.rnd.IntN(3) == 0 {
		p.MinTTL = pick(g, []uint32{250, 254})
	}
	p.EchoMode = g.rnd.IntN(3) == 0
	p.Passive = g.rnd.IntN(3) == 0
	return p
}
