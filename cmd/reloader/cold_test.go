package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/frrk8s/frrk8s/internal/frr/confdiff"
)

// TestColdLoadAfterEmptyConfig: a file that follows one without routers is
// loaded like a cold start (vtysh -f, then --test and the running config
// read side by side); a difference the --test lists falls back to the full
// apply; after a file with a router, a change that is not incremental is a
// full apply.
func TestColdLoadAfterEmptyConfig(t *testing.T) {
	const empty = "log stdout informational\nhostname node\nip nht resolve-via-default\n"
	tests := []struct {
		name     string
		prev     string // the last file applied
		testOut  string
		want     []string // messages
		notWant  []string
		wantCall []string // steps among the calls, in any order
		noCall   []string
	}{{
		name:     "after the empty configuration",
		prev:     empty,
		testOut:  "Lines To Add\n============\nip nht resolve-via-default\n",
		want:     []string{"holds no router: cold start", markCold, "FRR reloaded successfully"},
		notWant:  []string{markFallback},
		wantCall: []string{"vtysh-f", "test", "vtysh"},
		noCall:   []string{"reload"},
	}, {
		name:     "a line the new file drops",
		prev:     empty + "bgp route-map delay-timer 7\n",
		testOut:  "Lines To Delete\n===============\nno bgp route-map delay-timer 7\n",
		want:     []string{"holds no router: cold start", markCold, "Cold load left 1 differences: falling back to a full apply", "FRR reloaded successfully"},
		wantCall: []string{"vtysh-f", "test", "reload"},
	}, {
		name:     "after a configuration with a router",
		prev:     "router bgp 64512\n neighbor 192.0.2.2 remote-as 64513\n",
		want:     []string{"FRR reloaded successfully"},
		notWant:  []string{markCold, "holds no router"},
		wantCall: []string{"reload"},
		noCall:   []string{"vtysh-f", "test"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, fake{testOut: tc.testOut, running: "hostname node\n"})
			h.reload.cfg.legacy = false
			// FRR's daemons are those of the last apply: no repair.
			vtysh := writeScript(t, t.TempDir(), "vtysh", fmt.Sprintf(`echo "vtysh $*" >> %q
case "$*" in
*"show modules"*) printf 'Module information for bgpd:\npid: 1\n' ;;
*) echo "hostname node" ;;
esac
`, h.calls))
			h.reload.cfg.vtyshCmd = []string{"/bin/sh", vtysh, "--vty_socket", "/run/x"}
			h.reload.state = applied{conf: tc.prev, file: confdiff.Parse(tc.prev), pids: map[string]int{"bgpd": 1}}
			h.reload.reload()
			if got := h.file(t, ".status"); got != "1700000000 success" {
				t.Errorf(".status = %q", got)
			}
			if got := h.file(t, "running-config"); got != "hostname node\n" {
				t.Errorf("running-config = %q", got)
			}
			wantOutput(t, tc.name, h.out.String(), tc.want, tc.notWant)
			calls := h.callLog(t)
			step := map[string]string{
				"vtysh-f": "vtysh --vty_socket /run/x -f " + h.reload.paths.config,
				"test":    callsFor(h, "test")[0],
				"reload":  callsFor(h, "reload")[0],
				"vtysh":   callsFor(h, "vtysh")[0],
			}
			for _, s := range tc.wantCall {
				if !slices.Contains(calls, step[s]) {
					t.Errorf("no call %q in:\n%s", step[s], strings.Join(calls, "\n"))
				}
			}
			for _, s := range tc.noCall {
				if slices.Contains(calls, step[s]) {
					t.Errorf("call %q in:\n%s", step[s], strings.Join(calls, "\n"))
				}
			}
		})
	}
}
