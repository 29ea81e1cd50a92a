package frr

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	prefixListLine = regexp.MustCompile(`^(ip|ipv6) prefix-list (\S+) seq (\d+) (permit|deny) (.+)$`)
	routeMapLine   = regexp.MustCompile(`^route-map (\S+) (permit|deny) (\d+)$`)
)

// checkPrefixLists checks the numbering of a rendered config: in every
// prefix list the seqs increase in text order and every entry but the last
// is a permit, so the order of the permits never matters; in every
// route-map the numbers increase and fit in 1-65535. In stable mode a deny
// is always DenyAnySeq and the on-match next entries sit below the fixed
// block.
func checkPrefixLists(t *testing.T, text string, mode SeqMode) {
	t.Helper()
	type entry struct {
		seq    uint64
		action string
	}
	lists := map[string][]entry{}
	routeMaps := map[string][]uint64{}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if m := prefixListLine.FindStringSubmatch(line); m != nil {
			seq, err := strconv.ParseUint(m[3], 10, 32)
			if err != nil || seq == 0 {
				t.Errorf("line %d: bad seq in %q", i+1, line)
			}
			key := m[1] + " " + m[2]
			lists[key] = append(lists[key], entry{seq, m[4]})
			if mode == SeqStable && (m[4] == ActionDeny) != (seq == DenyAnySeq) {
				t.Errorf("line %d: %q: a deny must have seq %d and only a deny", i+1, line, uint64(DenyAnySeq))
			}
			continue
		}
		if m := routeMapLine.FindStringSubmatch(line); m != nil {
			n, err := strconv.ParseUint(m[3], 10, 16)
			if err != nil || n == 0 {
				t.Errorf("line %d: bad route-map number in %q", i+1, line)
			}
			routeMaps[m[1]] = append(routeMaps[m[1]], n)
			onMatchNext := i+4 < len(lines) && lines[i+3] == "  on-match next"
			if mode == SeqStable && onMatchNext != (n < RouteMapOutV4) {
				t.Errorf("line %d: %q: on-match next entries, and only them, go below %d", i+1, line, RouteMapOutV4)
			}
		}
	}
	if len(lists) == 0 {
		t.Errorf("no prefix list in:\n%s", text)
	}
	for key, entries := range lists {
		for i, e := range entries {
			if i > 0 && e.seq <= entries[i-1].seq {
				t.Errorf("prefix list %s: seq %d after %d", key, e.seq, entries[i-1].seq)
			}
			if i < len(entries)-1 && e.action != ActionPermit {
				t.Errorf("prefix list %s: entry %d of %d is a %s, only the last may be", key, i+1, len(entries), e.action)
			}
		}
	}
	for name, numbers := range routeMaps {
		if !slices.IsSorted(numbers) || len(slices.Compact(slices.Clone(numbers))) != len(numbers) {
			t.Errorf("route-map %s: numbers %v do not increase", name, numbers)
		}
	}
}

// randomConfig builds a model with every kind of list, as the conversion
// could produce it: unique neighbor IDs, sorted unique prefixes.
func randomConfig(r *rand.Rand) *Config {
	prefix4 := func() string {
		return fmt.Sprintf("10.%d.%d.0/%d", r.IntN(4), r.IntN(256), 24+r.IntN(9))
	}
	prefix6 := func() string { return fmt.Sprintf("2001:db8:%x::/%d", r.IntN(64), 48+r.IntN(17)) }
	some := func(gen func() string, max int) []string {
		var res []string
		for range r.IntN(max + 1) {
			res = append(res, gen())
		}
		slices.Sort(res)
		return slices.Compact(res)
	}
	selectors := func(family string, gen func() string) []IncomingFilter {
		var res []IncomingFilter
		for _, p := range some(gen, 4) {
			f := IncomingFilter{Family: family, Prefix: p}
			if r.IntN(2) == 0 {
				f.LE = 32
				if family == FamilyIPv6 {
					f.LE = 128
				}
			}
			res = append(res, f)
		}
		return res
	}
	var block []IncomingFilter
	if r.IntN(2) == 0 {
		block = []IncomingFilter{{Family: FamilyIPv4, Prefix: "192.168.0.0/16", LE: 32}, {Family: FamilyIPv6, Prefix: "fc00::/7", LE: 128}}
	}
	c := &Config{LogLevel: "informational"}
	for ri, vrf := range []string{"", "red"}[:1+r.IntN(2)] {
		rt := Router{ASN: 64512, VRF: vrf}
		for ni := range 1 + r.IntN(3) {
			n := v4Neighbor(fmt.Sprintf("192.0.%d.%d", ri, ni+1), "64513")
			n.VRF = vrf
			n.Family = []string{FamilyIPv4, FamilyIPv6, FamilyDual}[r.IntN(3)]
			n.Outgoing.PrefixesV4 = some(prefix4, 8)
			n.Outgoing.PrefixesV6 = some(prefix6, 8)
			for _, fw := range []string{"ip", "ipv6"} {
				prefixes := n.Outgoing.PrefixesV4
				if fw == "ipv6" {
					prefixes = n.Outgoing.PrefixesV6
				}
				if len(prefixes) == 0 {
					continue
				}
				for lp := range r.IntN(3) {
					n.Outgoing.PropertyLists = append(n.Outgoing.PropertyLists, PropertyList{
						Name:     fmt.Sprintf("%s-%d-%s-localpref-prefixes", n.ID(), 100+lp, fw),
						FW:       fw,
						Prefixes: prefixes[:1+r.IntN(len(prefixes))],
						Set:      fmt.Sprintf("set local-preference %d", 100+lp),
					})
				}
				for cm := range r.IntN(3) {
					n.Outgoing.PropertyLists = append(n.Outgoing.PropertyLists, PropertyList{
						Name:     fmt.Sprintf("%s-65000:%d-%s-community-prefixes", n.ID(), cm, fw),
						FW:       fw,
						Prefixes: prefixes[r.IntN(len(prefixes)):],
						Set:      fmt.Sprintf("set community 65000:%d additive", cm),
					})
				}
			}
			n.Incoming.All = r.IntN(4) == 0
			if !n.Incoming.All {
				n.Incoming.PrefixesV4 = selectors(FamilyIPv4, prefix4)
				n.Incoming.PrefixesV6 = selectors(FamilyIPv6, prefix6)
			}
			n.AlwaysBlock = block
			rt.Neighbors = append(rt.Neighbors, n)
		}
		c.Routers = append(c.Routers, rt)
	}
	return c
}

// TestNumberListsArePermitsThenDeny checks the numbering invariants of
// checkPrefixLists on many random models, in both modes.
func TestNumberListsArePermitsThenDeny(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		c := randomConfig(r)
		for _, mode := range SeqModes {
			text := renderWith(t, c, mode)
			checkPrefixLists(t, text, mode)
			if t.Failed() {
				t.Fatalf("model %d, mode %s:\n%s", i, mode, text)
			}
		}
	}
}

// TestNumberStableValues pins the stable numbers: they must never change
// between releases, machines or Go versions, and they ignore how a prefix
// is written.
func TestNumberStableValues(t *testing.T) {
	n := v4Neighbor("192.0.2.1", "64513")
	n.Outgoing.PrefixesV4 = []string{"10.75.145.7/24"}
	n.Outgoing.PrefixesV6 = []string{"2001:DB8:0::/64"}
	n.Incoming.PrefixesV4 = []IncomingFilter{v4Selector("10.1.0.1/16", 32, 24)}
	n.Outgoing.PropertyLists = []PropertyList{{Name: "192.0.2.1-10-ip-localpref-prefixes", FW: "ip", Prefixes: []string{"10.75.145.7/24"}, Set: "set local-preference 10"}}
	text := renderWith(t, config(Router{ASN: 64512, Neighbors: []Neighbor{n}}), SeqStable)
	for _, line := range []string{
		// 1 + FNV-1a("ip prefix-list 192.0.2.1-allowed-ipv4 permit 10.75.145.0/24") mod 4294967294.
		"ip prefix-list 192.0.2.1-allowed-ipv4 seq 707013055 permit 10.75.145.7/24\n",
		"ipv6 prefix-list 192.0.2.1-allowed-ipv6 seq " + seqOf("ipv6 prefix-list 192.0.2.1-allowed-ipv6 permit 2001:db8::/64") + " permit 2001:DB8:0::/64\n",
		// Printed le before ge as upstream does, hashed as FRR shows it.
		"ip prefix-list 192.0.2.1-inpl-ipv4 seq " + seqOf("ip prefix-list 192.0.2.1-inpl-ipv4 permit 10.1.0.0/16 ge 24 le 32") + " permit 10.1.0.1/16 le 32 ge 24\n",
		"ipv6 prefix-list 192.0.2.1-inpl-ipv4 seq 4294967295 deny any\n",
		"route-map 192.0.2.1-out permit 45329\n",
		"route-map 192.0.2.1-out permit 65530\n  match ip address prefix-list 192.0.2.1-allowed-ipv4\n",
		"route-map 192.0.2.1-out permit 65531\n  match ipv6 address prefix-list 192.0.2.1-allowed-ipv6\n",
		"route-map 192.0.2.1-in permit 65534\n  match ip address prefix-list 192.0.2.1-inpl-ipv4\n",
		"route-map 192.0.2.1-in permit 65535\n  match ipv6 address prefix-list 192.0.2.1-inpl-ipv4\n",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("output lacks %q:\n%s", line, text)
		}
	}
}

// seqOf is the stable seq of a permit line without its seq.
func seqOf(text string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(text))
	return strconv.FormatUint(uint64(1+h.Sum32()%maxPermitSeq), 10)
}

// TestNumberStableCollision forces two prefixes of one list, and two
// property lists of one route-map, onto the same number: the entry whose
// text sorts first keeps it, the other takes the next one, whatever the
// order of the model.
func TestNumberStableCollision(t *testing.T) {
	// Both hash to 707013055 in 192.0.2.1-allowed-ipv4, and both names to
	// 45329 in 192.0.2.1-out.
	prefixes := []string{"10.75.145.0/24", "10.1.188.32/32"}
	lists := []PropertyList{
		{Name: "192.0.2.1-102-ip-localpref-prefixes", FW: "ip", Prefixes: prefixes[:1], Set: "set local-preference 102"},
		{Name: "192.0.2.1-10-ip-localpref-prefixes", FW: "ip", Prefixes: prefixes[:1], Set: "set local-preference 10"},
	}
	if seqOf("ip prefix-list 192.0.2.1-allowed-ipv4 permit "+prefixes[0]) != seqOf("ip prefix-list 192.0.2.1-allowed-ipv4 permit "+prefixes[1]) {
		t.Fatal("the test prefixes no longer collide")
	}
	want := []string{
		"ip prefix-list 192.0.2.1-allowed-ipv4 seq 707013055 permit 10.1.188.32/32\nip prefix-list 192.0.2.1-allowed-ipv4 seq 707013056 permit 10.75.145.0/24\n",
		"route-map 192.0.2.1-out permit 45329\n  match ip address prefix-list 192.0.2.1-10-ip-localpref-prefixes\n",
		"route-map 192.0.2.1-out permit 45330\n  match ip address prefix-list 192.0.2.1-102-ip-localpref-prefixes\n",
	}
	for _, reversed := range []bool{false, true} {
		n := v4Neighbor("192.0.2.1", "64513")
		n.Outgoing.PrefixesV4 = slices.Clone(prefixes)
		n.Outgoing.PropertyLists = slices.Clone(lists)
		if reversed {
			slices.Reverse(n.Outgoing.PrefixesV4)
			slices.Reverse(n.Outgoing.PropertyLists)
		}
		text := renderWith(t, config(Router{ASN: 64512, Neighbors: []Neighbor{n}}), SeqStable)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("reversed=%v: output lacks %q:\n%s", reversed, w, text)
			}
		}
		checkPrefixLists(t, text, SeqStable)
	}
}

// TestAssignStable checks the collision rule, including the wrap to the
// lowest free numbers when the top of the range is taken.
func TestAssignStable(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []uint32 // wanted numbers, texts "a", "b", ... in this order
		got  []uint32
	}{
		{"distinct", []uint32{3, 1, 2}, []uint32{3, 1, 2}},
		{"collision moves the later text", []uint32{2, 2}, []uint32{2, 3}},
		{"cascade", []uint32{2, 2, 3}, []uint32{2, 3, 4}},
		{"wrap to the lowest free", []uint32{5, 5, 1, 5}, []uint32{5, 2, 1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items := make([]stableItem, len(tc.want))
			seqs := make([]uint32, len(tc.want))
			for i, w := range tc.want {
				items[i] = stableItem{want: w, text: string(rune('a' + i)), seq: &seqs[i]}
			}
			if err := assignStable(items, 5); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.got, seqs); diff != "" {
				t.Errorf("numbers (-want +got):\n%s", diff)
			}
		})
	}
	items := make([]stableItem, 3)
	for i := range items {
		items[i] = stableItem{want: 1, seq: new(uint32)}
	}
	if err := assignStable(items, 2); err == nil {
		t.Error("3 entries got numbers in a range of 2")
	}
}

// TestNumberStableChangesOnlyTheEntry adds and removes one prefix, one
// community list and one localPref list, and checks that only the lines of
// that entry change, while the positional numbering renumbers others.
func TestNumberStableChangesOnlyTheEntry(t *testing.T) {
	base := func() *Config {
		n := v4Neighbor("192.0.2.1", "64513")
		n.Family = FamilyDual
		n.Outgoing.PrefixesV4 = []string{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24"}
		n.Outgoing.PrefixesV6 = []string{"2001:db8:1::/64", "2001:db8:2::/64"}
		n.Outgoing.PropertyLists = []PropertyList{
			{Name: "192.0.2.1-100-ip-localpref-prefixes", FW: "ip", Prefixes: []string{"10.0.1.0/24", "10.0.2.0/24"}, Set: "set local-preference 100"},
			{Name: "192.0.2.1-65000:1-ip-community-prefixes", FW: "ip", Prefixes: []string{"10.0.3.0/24"}, Set: "set community 65000:1 additive"},
			{Name: "192.0.2.1-65000:2-ipv6-community-prefixes", FW: "ipv6", Prefixes: []string{"2001:db8:2::/64"}, Set: "set community 65000:2 additive"},
		}
		n.Incoming.PrefixesV4 = []IncomingFilter{v4Selector("172.16.0.0/16", 32, 0)}
		n.AlwaysBlock = []IncomingFilter{v4Selector("192.168.0.0/16", 32, 0)}
		return config(Router{ASN: 64512, Neighbors: []Neighbor{n}})
	}
	neighbor := func(c *Config) *Neighbor { return &c.Routers[0].Neighbors[0] }
	for _, tc := range []struct {
		name   string
		change func(n *Neighbor)
		// lines are the lines the change adds, with the seq as "*".
		lines []string
	}{
		{"prefix that sorts first", func(n *Neighbor) {
			n.Outgoing.PrefixesV4 = slices.Insert(n.Outgoing.PrefixesV4, 0, "10.0.0.0/24")
		}, []string{"ip prefix-list 192.0.2.1-allowed-ipv4 seq * permit 10.0.0.0/24"}},
		{"incoming selector", func(n *Neighbor) {
			n.Incoming.PrefixesV4 = slices.Insert(n.Incoming.PrefixesV4, 0, v4Selector("172.15.0.0/16", 0, 0))
		}, []string{"ip prefix-list 192.0.2.1-inpl-dual seq * permit 172.15.0.0/16"}},
		{"community list", func(n *Neighbor) {
			n.Outgoing.PropertyLists = append(n.Outgoing.PropertyLists, PropertyList{
				Name: "192.0.2.1-65000:0-ip-community-prefixes", FW: "ip", Prefixes: []string{"10.0.1.0/24", "10.0.4.0/24"}, Set: "set community 65000:0 additive",
			})
		}, []string{
			"ip prefix-list 192.0.2.1-65000:0-ip-community-prefixes seq * permit 10.0.1.0/24",
			"ip prefix-list 192.0.2.1-65000:0-ip-community-prefixes seq * permit 10.0.4.0/24",
			"route-map 192.0.2.1-out permit *",
			"  match ip address prefix-list 192.0.2.1-65000:0-ip-community-prefixes",
			"  set community 65000:0 additive",
			"  on-match next",
		}},
		{"localPref list", func(n *Neighbor) {
			n.Outgoing.PropertyLists = append(n.Outgoing.PropertyLists, PropertyList{
				Name: "192.0.2.1-50-ipv6-localpref-prefixes", FW: "ipv6", Prefixes: []string{"2001:db8:1::/64"}, Set: "set local-preference 50",
			})
		}, []string{
			"ipv6 prefix-list 192.0.2.1-50-ipv6-localpref-prefixes seq * permit 2001:db8:1::/64",
			"route-map 192.0.2.1-out permit *",
			"  match ipv6 address prefix-list 192.0.2.1-50-ipv6-localpref-prefixes",
			"  set local-preference 50",
			"  on-match next",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := base()
			after := base()
			tc.change(neighbor(after))
			lines := slices.Sorted(slices.Values(tc.lines))
			stableBefore, stableAfter := renderWith(t, before, SeqStable), renderWith(t, after, SeqStable)
			// Adding the entry adds its lines; removing it removes them.
			added, removed := lineDiff(stableBefore, stableAfter)
			if diff := cmp.Diff(lines, maskNumbers(added)); diff != "" || len(removed) != 0 {
				t.Errorf("adding: added lines (-want +got):\n%s\nremoved lines: %q", diff, removed)
			}
			added, removed = lineDiff(stableAfter, stableBefore)
			if diff := cmp.Diff(lines, maskNumbers(removed)); diff != "" || len(added) != 0 {
				t.Errorf("removing: removed lines (-want +got):\n%s\nadded lines: %q", diff, added)
			}
			positionBefore, positionAfter := renderWith(t, before, SeqPosition), renderWith(t, after, SeqPosition)
			if _, removed := lineDiff(positionBefore, positionAfter); len(removed) == 0 {
				t.Errorf("positional numbering kept every line, the test change is too weak")
			}
		})
	}
}

// lineDiff returns the non-blank lines only in b and only in a, as
// multisets, each sorted.
func lineDiff(a, b string) (added, removed []string) {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		if strings.TrimSpace(l) != "" {
			count[l]--
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if strings.TrimSpace(l) != "" {
			count[l]++
		}
	}
	for l, n := range count {
		for ; n > 0; n-- {
			added = append(added, l)
		}
		for ; n < 0; n++ {
			removed = append(removed, l)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	return added, removed
}

var numberInLine = regexp.MustCompile(`^((?:ip|ipv6) prefix-list \S+ seq |route-map \S+ (?:permit|deny) )\d+`)

// maskNumbers replaces the seq or route-map number of each line by "*"
// and sorts the lines.
func maskNumbers(lines []string) []string {
	res := make([]string, len(lines))
	for i, l := range lines {
		res[i] = numberInLine.ReplaceAllString(l, "${1}*")
	}
	slices.Sort(res)
	return res
}

func TestParseSeqMode(t *testing.T) {
	for value, want := range map[string]SeqMode{"": SeqStable, "stable": SeqStable, "position": SeqPosition, " position ": SeqPosition} {
		if got, err := ParseSeqMode(value); err != nil || got != want {
			t.Errorf("ParseSeqMode(%q) = %q, %v; want %q", value, got, err, want)
		}
	}
	for _, value := range []string{"positional", "Stable", "hash"} {
		if _, err := ParseSeqMode(value); err == nil {
			t.Errorf("ParseSeqMode(%q) succeeded", value)
		}
	}
	if err := Number(config(), "hash"); err == nil {
		t.Error("Number accepted an unknown mode")
	}
}

// TestNumberKeepsModel checks that Number only sets Filters, leaving the
// policy fields, their order included, as they were.
func TestNumberKeepsModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	c := randomConfig(r)
	for i := range c.Routers[0].Neighbors {
		slices.Reverse(c.Routers[0].Neighbors[i].Outgoing.PropertyLists)
		slices.Reverse(c.Routers[0].Neighbors[i].Outgoing.PrefixesV4)
	}
	want := randomConfig(rand.New(rand.NewPCG(3, 4)))
	for i := range want.Routers[0].Neighbors {
		slices.Reverse(want.Routers[0].Neighbors[i].Outgoing.PropertyLists)
		slices.Reverse(want.Routers[0].Neighbors[i].Outgoing.PrefixesV4)
	}
	for _, mode := range SeqModes {
		if err := Number(c, mode); err != nil {
			t.Fatal(err)
		}
		for ri := range c.Routers {
			for ni := range c.Routers[ri].Neighbors {
				if c.Routers[ri].Neighbors[ni].Filters == nil {
					t.Fatalf("neighbor %d of router %d not numbered", ni, ri)
				}
				c.Routers[ri].Neighbors[ni].Filters = nil
			}
		}
		if diff := cmp.Diff(want, c); diff != "" {
			t.Errorf("%s: Number changed the model (-want +got):\n%s", mode, diff)
		}
	}
}
