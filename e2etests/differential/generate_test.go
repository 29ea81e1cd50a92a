package differential

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var dumpSeed = flag.Int("dump-seed", -1, "print the sequence of this seed (TestGenerateDump)")

// TestGenerateDeterministic checks that a seed always yields the same
// sequence and that different seeds differ.
func TestGenerateDeterministic(t *testing.T) {
	a, err := Generate(7, 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(7, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(texts(a), texts(b)); diff != "" {
		t.Errorf("seed 7 twice (-first +second):\n%s", diff)
	}
	c, err := Generate(8, 10)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(texts(a), texts(c)) {
		t.Error("seeds 7 and 8 gave the same sequence")
	}
}

func texts(steps []Step) []string {
	var res []string
	for _, s := range steps {
		res = append(res, s.Change+"\n"+s.Config)
	}
	return res
}

// TestGenerateCoverage generates many sequences and checks that every kind
// of change, and the file features the test is after, show up.
func TestGenerateCoverage(t *testing.T) {
	kinds := map[string]int{}
	features := map[string]int{}
	wantFeatures := []string{
		"network 10.0.", "network 2001:db8:", "-allowed-ipv4 seq", "-allowed-ipv6 seq",
		"set local-preference", "set community", "set large-community", "-inpl-", "bfd profile",
		"router bgp 64512 vrf red", "router bgp 64512 vrf blue", "import vrf", "raw-list", "ip route 172.31.0.0/24",
		"network 172.30.0.0/24", "bgp router-id", "timers 3 9", "password", "echo-mode", "passive-mode",
	}
	for seed := range uint64(40) {
		steps, err := Generate(seed, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(steps) != 20 {
			t.Fatalf("seed %d: %d steps, want 20", seed, len(steps))
		}
		for i, s := range steps {
			if i > 0 && s.Change == "" {
				t.Errorf("seed %d step %d has no change description", seed, i)
			}
			for _, c := range strings.Split(s.Change, "; ") {
				kinds[strings.Fields(c)[0]]++
			}
			for _, f := range wantFeatures {
				if strings.Contains(s.Config, f) {
					features[f]++
				}
			}
		}
	}
	for _, f := range wantFeatures {
		if features[f] == 0 {
			t.Errorf("no generated config contains %q", f)
		}
	}
	t.Logf("change kinds: %v", kinds)
}

// TestGeneratePrefixOnlySteps checks that most prefix-only steps change
// nothing but prefix-list entries and network lines, the changes the
// reloader may apply incrementally (a first local preference for a prefix
// adds a route-map entry, so not all of them).
func TestGeneratePrefixOnlySteps(t *testing.T) {
	prefixOnly, confined := 0, 0
	for seed := range uint64(20) {
		steps, err := Generate(seed, 20)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(steps); i++ {
			if !steps[i].PrefixOnly {
				continue
			}
			prefixOnly++
			if onlyPrefixLines(Diff(ParseRunningConfig(steps[i-1].Config), ParseRunningConfig(steps[i].Config))) {
				confined++
			}
		}
	}
	if prefixOnly < 100 || confined*2 < prefixOnly {
		t.Errorf("%d prefix-only steps, %d of them confined to prefix lists and network lines; want at least 100 and half", prefixOnly, confined)
	}
	t.Logf("%d prefix-only steps, %d confined to prefix lists and network lines", prefixOnly, confined)
}

// onlyPrefixLines reports whether every difference is a prefix-list entry
// or a network line.
func onlyPrefixLines(diffs []ContextDiff) bool {
	for _, d := range diffs {
		if d.MissingA || d.MissingB {
			if !strings.Contains(d.Key, "prefix-list") && !strings.HasSuffix(d.Key, "unicast") {
				return false
			}
		}
		for _, l := range append(slices.Clone(d.OnlyA), d.OnlyB...) {
			if !strings.Contains(l, " prefix-list ") && !strings.HasPrefix(l, "network ") {
				return false
			}
		}
	}
	return true
}

// TestGenerateDump prints one seed's sequence: go test -run Dump -dump-seed=N -v.
func TestGenerateDump(t *testing.T) {
	if *dumpSeed < 0 {
		t.Skip("no -dump-seed")
	}
	steps, err := Generate(uint64(*dumpSeed), 20)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		t.Logf("step %d: %s\n%s", i, s.Change, s.Config)
	}
}
