package frr

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// leBeforeGe matches the bounds as frr.conf prints them; FRR shows ge first.
var leBeforeGe = regexp.MustCompile(`( le \d+)( ge \d+)$`)

// numberedLines returns the prefix-list lines and route-map entry lines of
// an frr.conf text as FRR shows them, sorted.
func numberedLines(text string) []string {
	var res []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if prefixListLine.MatchString(line) || routeMapLine.MatchString(line) {
			res = append(res, leBeforeGe.ReplaceAllString(line, "$2$1"))
		}
	}
	slices.Sort(res)
	return res
}

// stableFRRConfig is a neighbor with every kind of list, prefixes written
// as FRR shows them.
func stableFRRConfig(extra ...string) *Config {
	n := v4Neighbor("192.0.2.2", "64513")
	n.Family = FamilyDual
	n.Outgoing.PrefixesV4 = append([]string{"10.0.1.0/24", "10.0.2.0/24"}, extra...)
	n.Outgoing.PropertyLists = []PropertyList{
		{Name: "192.0.2.2-100-ip-localpref-prefixes", FW: "ip", Prefixes: []string{"10.0.1.0/24"}, Set: "set local-preference 100"},
		{Name: "192.0.2.2-65000:1-ip-community-prefixes", FW: "ip", Prefixes: []string{"10.0.2.0/24"}, Set: "set community 65000:1 additive"},
	}
	n.Incoming.PrefixesV4 = []IncomingFilter{v4Selector("172.16.0.0/16", 32, 24)}
	n.AlwaysBlock = []IncomingFilter{v4Selector("192.168.0.0/16", 32, 0), v6Selector("fc00::/7", 128, 0)}
	return config(Router{ASN: 64512, Neighbors: []Neighbor{n}, V4Prefixes: n.Outgoing.PrefixesV4})
}

// TestStableNumbersInRealFRR loads a stably numbered config into real FRR
// with frr-reload.py, as the reloader does, and checks that FRR keeps every
// seq and route-map number, deny any at 4294967295 included; then a config
// with one more prefix adds that one entry and leaves the others as they
// were.
func TestStableNumbersInRealFRR(t *testing.T) {
	frrtest.Require(t)
	topo := frrtest.NewTopology(t)
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		node := frrtest.StartFRR(t, topo.Node, "node-"+v.Name, frrtest.WithBackend(v.Backend))
		var previous []string
		for _, c := range []*Config{stableFRRConfig(), stableFRRConfig("10.0.0.0/24")} {
			text := renderWith(t, c, SeqStable)
			if out, err := node.Reload(text); err != nil {
				t.Fatalf("reload: %v\n%s", err, out)
			}
			running, err := node.Vtysh("show running-config")
			if err != nil {
				t.Fatal(err)
			}
			want, got := numberedLines(text), numberedLines(running)
			for _, line := range want {
				if !slices.Contains(got, line) {
					t.Errorf("FRR's running config lacks %q:\n%s", line, running)
				}
			}
			if previous != nil {
				added, removed := lineDiff(strings.Join(previous, "\n"), strings.Join(got, "\n"))
				if len(removed) != 0 || len(added) != 1 || !strings.HasSuffix(added[0], " permit 10.0.0.0/24") {
					t.Errorf("one more prefix: FRR added %q and removed %q, want only the new entry", added, removed)
				}
			}
			previous = got
		}
	})
}
