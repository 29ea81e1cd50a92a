package advertise

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/e2eharness"
	"github.com/frrk8s/frrk8s/internal/frr/confdiff"
	"github.com/frrk8s/frrk8s/internal/frrtest"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

// changeUpgrade names the measurement of the switch to stable numbers.
const changeUpgrade = "upgrade: position → stable"

// upgradeFrom is the layout before the upgrade: the daemon numbers
// prefix-list entries by position, as upstream and
// `--prefix-list-seq=position` do; the reloader runs its default mode (its
// mode does not change what FRR runs, only how fast it gets there).
var upgradeFrom = layout{name: "position→stable", daemonArgs: []string{"--prefix-list-seq=position"}}

// markMoving is the reloader's line that counts the entries it moved
// before a full apply (cmd/reloader).
const markMoving = "Moving renumbered prefix-list entries before the full apply"

// TestAdvertiseUpgrade measures an upgrade that changes the numbering while
// FRR keeps running: N prefixes are loaded with positional numbers, then
// the daemon and the reloader are restarted with the stable default (an
// upgrade replaces both containers), and the clock runs from the restart
// until the peer holds the set and FRRNodeState reports the reload. The new
// reloader has applied nothing yet and FRR runs BGP, so it applies the file
// in full; every prefix-list entry changes its number, and the peer must
// not see any route withdrawn. It runs only when FRRK8S_ADVERTISE_BENCH is
// set, with FRRK8S_ADVERTISE_SIZES and the first of
// FRRK8S_ADVERTISE_DEBOUNCE_MS (see the package documentation).
func TestAdvertiseUpgrade(t *testing.T) {
	if !enabled() {
		t.Skipf("benchmark: set %s=1 to run it (takes many minutes)", benchEnv)
	}
	debounces, err := debouncesFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	results := measureEachVersion(t, func(t *testing.T, v frrtest.Version, sizes []int, record func([]measurement)) {
		for _, n := range sizes {
			t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
				record(runUpgrade(t, run{version: v, layout: upgradeFrom, debounce: debounces[0], n: n}))
			})
		}
	})
	logTables(t, results)
}

// runUpgrade loads the set with positional numbers, then upgrades.
func runUpgrade(t *testing.T, r run) []measurement {
	b := newBench(t, r)
	var results []measurement
	for _, step := range []func() measurement{b.cold, b.upgrade} {
		m := step()
		time.Sleep(settleTime)
		b.countWithdrawn(&m)
		t.Logf("%s", m.logLine())
		results = append(results, m)
		if m.peerLost != "" {
			t.Fatalf("%s: the peer never got the set after FRR ran the change: %s", m.name, m.peerLost)
		}
	}
	up := results[len(results)-1]
	moved, _ := b.reloaderOut.lastMarked(markMoving)
	t.Logf("upgrade: reloader %q; withdrawn at the peer %d", moved, up.withdrawn)
	if up.withdrawn != 0 {
		// Not a timing: routes were lost.
		t.Errorf("the upgrade withdrew %d routes at the peer", up.withdrawn)
	}
	b.checkNumbering()
	return results
}

// upgrade restarts the daemon and the reloader with the stable numbering
// and measures until FRR runs the stable numbers and the peer holds the
// set.
func (b *bench) upgrade() measurement {
	b.t.Helper()
	env := testenv.Require(b.t)
	bins := buildBinaries(b.t)
	kubeconfig := e2eharness.WriteKubeconfig(b.t, env.Config)
	last := b.prefixes[len(b.prefixes)-1]
	exp := expectation{
		routes:  b.n,
		present: last,
		// The empty IPv6 allowed lists end with deny any: 1 by position,
		// 4294967295 when stable; the first IPv4 entry leaves seq 1.
		nodeHas:   "-allowed-ipv6 seq 4294967295 deny any",
		nodeLacks: "-allowed-ipv4 seq 1 permit ",
	}
	m := b.measure(changeUpgrade, exp, changeTimeout, func() {
		b.daemon.Stop()
		b.reloader.Stop()
		b.layout = layout{name: "stable"}
		b.startReloader(bins)
		b.startDaemon(bins, kubeconfig)
	})
	m.layout = upgradeFrom.name
	// The processes measured before the write are gone: what the new ones
	// used since they started is the change's share.
	now := b.sampleCPU()
	m.cpu[cpuReloadTools], m.cpu[cpuDaemon] = now[cpuReloadTools], now[cpuDaemon]
	return m
}

// checkNumbering compares the prefix-lists FRR runs with the frr.conf the
// daemon wrote: every entry at its stable number, none left over.
func (b *bench) checkNumbering() {
	b.t.Helper()
	conf, err := os.ReadFile(filepath.Join(b.shared, "frr.conf"))
	if err != nil {
		b.t.Fatal(err)
	}
	running, err := b.frrNode.Vtysh("show running-config")
	if err != nil {
		b.t.Fatal(err)
	}
	want, got := confdiff.Parse(string(conf)).Lists, confdiff.Parse(running).Lists
	var diffs []string
	for k, entries := range want {
		if !maps.Equal(entries, got[k]) {
			diffs = append(diffs, fmt.Sprintf("%s: %d entries in frr.conf, %d in FRR", k, len(entries), len(got[k])))
		}
	}
	if len(diffs) > 0 {
		b.t.Errorf("FRR's prefix-lists differ from frr.conf after the upgrade: %s", strings.Join(diffs, "; "))
	}
}
