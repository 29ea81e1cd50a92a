package advertise

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/e2eharness"
	"github.com/frrk8s/frrk8s/internal/frrtest"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

// Deadlines of the waits. They only stop a run that never converges: the
// timings themselves are reported, not asserted.
const (
	coldTimeout   = 60 * time.Minute
	changeTimeout = 30 * time.Minute
	// settleTime lets the node's bgpd finish its post-reload work before
	// the next change is written; the withdrawals the peer logs until
	// then count for the change. It exceeds FRR's default route-map
	// delay timer (5 s), after which bgpd re-evaluates the policies a
	// prefix-list change touched.
	settleTime = 8 * time.Second
)

// renumberLimit is the largest N at which the changes that renumber every
// prefix-list entry run in the position layout, per FRR version. Such a
// change makes frr-reload.py diff and re-apply every entry twice: it
// costs more than the cold load (on FRR 10 at N=5,000, about 10 minutes on
// the loaded 2-core machine; on FRR 8.4 at N=1,000, 35-40 s, the "before"
// row of the one-prefix change). In the stable layout the same changes add
// or remove 4 entries and always run.
var renumberLimit = map[string]int{"frr84": 1000, "frr10": 5000}

// TestAdvertiseScale measures, per FRR version, layout, debounce window and
// prefix count, the cold convergence of a large advertisement set and
// one-prefix changes on top of it, through the daemon and the reloader
// binaries. It runs only when FRRK8S_ADVERTISE_BENCH is set (see the
// package documentation).
func TestAdvertiseScale(t *testing.T) {
	if !enabled() {
		t.Skipf("benchmark: set %s=1 to run it (takes many minutes)", benchEnv)
	}
	debounces, err := debouncesFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	repeats, err := repeatsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	layouts := layoutsFor(t)
	results := measureEachVersion(t, func(t *testing.T, v frrtest.Version, sizes []int, record func([]measurement)) {
		for _, l := range layouts {
			for _, debounce := range debounces {
				for _, n := range sizes {
					t.Run(fmt.Sprintf("%s/debounce=%dms/N=%d", l, debounce, n), func(t *testing.T) {
						t.Logf("layout %s", l.describe())
						record(runScale(t, run{version: v, layout: l, debounce: debounce, n: n, repeats: repeats}))
					})
				}
			}
		}
	})
	logTables(t, results)
	if path := os.Getenv(svgEnv); path != "" {
		if err := os.WriteFile(path, []byte(plotSVG(results)), 0o644); err != nil {
			t.Errorf("write the plot: %v", err)
		} else {
			t.Logf("plot written to %s", path)
		}
	}
}

// measureEachVersion calls measure for every FRR version with the sizes
// configured for it (skipping a version without any) and returns every
// measurement the calls recorded.
func measureEachVersion(t *testing.T, measure func(t *testing.T, v frrtest.Version, sizes []int, record func([]measurement))) []measurement {
	var (
		mu      sync.Mutex
		results []measurement
	)
	record := func(ms []measurement) {
		mu.Lock()
		defer mu.Unlock()
		results = append(results, ms...)
	}
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		sizes, err := sizesFor(v.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(sizes) == 0 {
			t.Skipf("no sizes for %s", v.Name)
		}
		measure(t, v, sizes, record)
	})
	return results
}

// run is what one node measures.
type run struct {
	version  frrtest.Version
	layout   layout
	debounce int // milliseconds
	n        int
	repeats  int
}

// bench is one run: the API objects, the two FRRs and the processes.
type bench struct {
	t               *testing.T
	version         string
	layout          layout
	debounce        int
	n               int
	client          client.Client
	node, namespace string
	frrNode, peer   *frrtest.Instance
	shared          string
	reloader        *e2eharness.Process
	reloaderOut     *lineRecorder
	events          *lineRecorder // the benchmark's own milestones (logDirEnv)
	daemon          *e2eharness.Process
	created         []client.Object
	prefixes        []string
}

// runScale sets up one node advertising n prefixes and returns its
// measurements: the cold load, then the one-prefix changes (repeated at
// small sizes).
func runScale(t *testing.T, r run) []measurement {
	b := newBench(t, r)
	var results []measurement
	lost := false
	record := func(measure func() measurement) {
		if lost {
			return
		}
		m := measure()
		time.Sleep(settleTime)
		b.countWithdrawn(&m)
		t.Logf("%s", m.logLine())
		results = append(results, m)
		if m.peerLost != "" {
			// Not a timing: routes were lost. The next changes would
			// start from a broken state.
			t.Errorf("%s: the peer never got the set after FRR ran the change: %s", m.name, m.peerLost)
			lost = true
		}
	}
	record(b.cold)
	repeats := 1
	if r.n <= repeatLimit {
		repeats = r.repeats
	}
	renumber := true
	if limit, ok := renumberLimit[r.version.Name]; ok && r.layout.name == "position" && r.n > limit {
		renumber = false
		t.Logf("renumbering changes skipped on %s above N=%d: each rewrites all %d entries", r.version.Name, limit, r.n*len(sessions))
	}
	for range repeats {
		record(func() measurement { return b.add(changeAddLast, sortsLast) })
		record(func() measurement { return b.remove(changeRemoveLast, sortsLast) })
		if renumber {
			record(func() measurement { return b.add(changeAddFirst, sortsFirst) })
			record(func() measurement { return b.remove(changeRemoveFirst, sortsFirst) })
		}
	}
	return results
}

// Names of the one-prefix changes.
const (
	changeAddLast     = "+1 sorting last"
	changeRemoveLast  = "−1 sorting last"
	changeAddFirst    = "+1 sorting first"
	changeRemoveFirst = "−1 sorting first"
)

// newBench starts everything and waits until the node reports its first
// reload, so the clock of the first measurement starts on a settled node.
func newBench(t *testing.T, r run) *bench {
	env := testenv.Require(t)
	bins := buildBinaries(t)
	topo := frrtest.NewTopology(t)
	addSessionAddresses(t, topo)
	b := &bench{
		t:         t,
		version:   r.version.Name,
		layout:    r.layout,
		debounce:  r.debounce,
		n:         r.n,
		client:    env.Client,
		node:      "node-" + e2eharness.RandomSuffix(4),
		namespace: "advertise-" + e2eharness.RandomSuffix(4),
		frrNode:   frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(r.version.Backend)),
		peer:      frrtest.StartFRR(t, topo.Peer, "peer", frrtest.WithBackend(r.version.Backend), frrtest.WithDaemons("bgpd")),
		shared:    t.TempDir(),
		prefixes:  benchmarkPrefixes(r.n),
	}
	if err := b.peer.ApplyConfig(peerConfig()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.deleteCreated)
	b.createClusterObjects()
	b.startReloader(bins)
	b.startDaemon(bins, e2eharness.WriteKubeconfig(t, env.Config))
	b.waitNodeState(setupTimeout, func(string) bool { return true })
	return b
}

// cold writes the whole advertisement set at once.
func (b *bench) cold() measurement {
	last := b.prefixes[len(b.prefixes)-1]
	exp := expectation{routes: b.n, present: last, nodeHas: networkLine(last)}
	m := b.measure("cold", exp, coldTimeout, func() {
		b.create(advertiseConfig(b.namespace, b.node, b.prefixes))
	})
	m.confLines = b.renderedLines()
	return m
}

// add advertises one more prefix and measures until it is everywhere.
func (b *bench) add(name, prefix string) measurement {
	exp := expectation{routes: b.n + 1, present: prefix, nodeHas: networkLine(prefix)}
	return b.measure(name, exp, changeTimeout, func() {
		b.updatePrefixes(append(slices.Clone(b.prefixes), prefix))
	})
}

// remove goes back to the benchmark set, withdrawing prefix.
func (b *bench) remove(name, prefix string) measurement {
	exp := expectation{routes: b.n, absent: prefix, nodeLacks: networkLine(prefix)}
	return b.measure(name, exp, changeTimeout, func() {
		b.updatePrefixes(b.prefixes)
	})
}

// networkLine is how FRR's running config shows an originated prefix.
func networkLine(prefix string) string {
	return "network " + prefix + "\n"
}

// updatePrefixes writes prefixes as the router's prefixes and every
// neighbor's allowed list.
func (b *bench) updatePrefixes(prefixes []string) {
	b.t.Helper()
	cfg := &v1beta1.FRRConfiguration{}
	key := types.NamespacedName{Namespace: b.namespace, Name: "advertise"}
	if err := b.client.Get(context.Background(), key, cfg); err != nil {
		b.t.Fatalf("get the advertise config: %v", err)
	}
	router := &cfg.Spec.BGP.Routers[0]
	router.Prefixes = prefixes
	for i := range router.Neighbors {
		router.Neighbors[i].ToAdvertise.Allowed.Prefixes = prefixes
	}
	if err := b.client.Update(context.Background(), cfg); err != nil {
		b.t.Fatalf("update the advertise config: %v", err)
	}
}

// renderedLines counts the lines of the frr.conf the daemon wrote.
func (b *bench) renderedLines() int {
	data, err := os.ReadFile(filepath.Join(b.shared, "frr.conf"))
	if err != nil {
		b.t.Errorf("read the rendered frr.conf: %v", err)
		return 0
	}
	return strings.Count(string(data), "\n")
}

// waitNodeState waits until FRR's running config, as the reloader left it,
// satisfies cond and FRRNodeState reports that reload as a success.
func (b *bench) waitNodeState(timeout time.Duration, cond func(running string) bool) {
	b.t.Helper()
	frrtest.WaitFor(b.t, timeout, func() (bool, string) {
		ok, msg := b.nodeStateMet(cond)
		if b.daemon.Exited() || b.reloader.Exited() {
			b.t.Fatalf("a process under test exited; last seen: %s", msg)
		}
		return ok, msg
	})
}

// nodeStateHolds reports whether cond holds for the FRRNodeState status.
func (b *bench) nodeStateHolds(cond func(v1beta1.FRRNodeStateStatus) bool) (bool, string) {
	state := &v1beta1.FRRNodeState{}
	if err := b.client.Get(context.Background(), types.NamespacedName{Name: b.node}, state); err != nil {
		return false, err.Error()
	}
	result := state.Status.LastReloadResult
	if len(result) > 200 {
		result = result[:200] + "…"
	}
	return cond(state.Status), fmt.Sprintf("FRRNodeState: conversion %q, reload %q, runningConfig %d bytes",
		state.Status.LastConversionResult, result, len(state.Status.RunningConfig))
}
