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
	// the next change is written.
	settleTime = 3 * time.Second
)

// renumberLimit is the largest N at which the changes that renumber every
// prefix-list entry run, per FRR version. Such a change makes frr-reload.py
// diff and re-apply every entry twice: it costs more than the cold load
// (on FRR 10 at N=5,000, about 10 minutes on the loaded 2-core machine).
var renumberLimit = map[string]int{"frr84": 250, "frr10": 5000}

// TestAdvertiseScale measures, per FRR version and prefix count, the cold
// convergence of a large advertisement set and one-prefix changes on top
// of it, through the daemon and the reloader binaries. It runs only when
// FRRK8S_ADVERTISE_BENCH is set (see the package documentation).
func TestAdvertiseScale(t *testing.T) {
	if !enabled() {
		t.Skipf("benchmark: set %s=1 to run it (takes many minutes)", benchEnv)
	}
	var (
		mu      sync.Mutex
		results []measurement
	)
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		sizes, err := sizesFor(v.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(sizes) == 0 {
			t.Skipf("no sizes for %s", v.Name)
		}
		for _, n := range sizes {
			t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
				got := runScale(t, v, n)
				mu.Lock()
				results = append(results, got...)
				mu.Unlock()
			})
		}
	})
	logTables(t, results)
}

// bench is one run: the API objects, the two FRRs and the processes.
type bench struct {
	t               *testing.T
	version         string
	n               int
	client          client.Client
	node, namespace string
	frrNode, peer   *frrtest.Instance
	shared          string
	reloader        *e2eharness.Process
	reloaderOut     *lineRecorder
	daemon          *e2eharness.Process
	created         []client.Object
	prefixes        []string
}

// runScale sets up one node advertising n prefixes and returns its
// measurements: the cold load, then the one-prefix changes.
func runScale(t *testing.T, v frrtest.Version, n int) []measurement {
	b := newBench(t, v, n)
	var results []measurement
	record := func(m measurement) {
		t.Logf("%s", m.logLine())
		results = append(results, m)
		time.Sleep(settleTime)
	}
	record(b.cold())
	record(b.add("+1 sorting last", sortsLast))
	record(b.remove("−1 sorting last", sortsLast))
	if limit, ok := renumberLimit[v.Name]; !ok || n <= limit {
		record(b.add("+1 sorting first (renumbers)", sortsFirst))
		record(b.remove("−1 sorting first (renumbers)", sortsFirst))
	} else {
		t.Logf("renumbering changes skipped on %s above N=%d: each rewrites all %d entries", v.Name, limit, n*len(sessions))
	}
	b.defaultDelayTimer()
	record(b.add("+1 sorting last, delay-timer 5 s", sortsLast))
	record(b.remove("−1 sorting last, delay-timer 5 s", sortsLast))
	return results
}

// newBench starts everything and waits until the node runs the timers
// config, so the clock of the first measurement starts on a settled node.
func newBench(t *testing.T, v frrtest.Version, n int) *bench {
	env := testenv.Require(t)
	bins := buildBinaries(t)
	topo := frrtest.NewTopology(t)
	addSessionAddresses(t, topo)
	b := &bench{
		t:         t,
		version:   v.Name,
		n:         n,
		client:    env.Client,
		node:      "node-" + e2eharness.RandomSuffix(4),
		namespace: "advertise-" + e2eharness.RandomSuffix(4),
		frrNode:   frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(v.Backend)),
		peer:      frrtest.StartFRR(t, topo.Peer, "peer", frrtest.WithBackend(v.Backend), frrtest.WithDaemons("bgpd")),
		shared:    t.TempDir(),
		prefixes:  benchmarkPrefixes(n),
	}
	if err := b.peer.ApplyConfig(peerConfig()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.deleteCreated)
	b.createClusterObjects()
	b.startReloader(bins)
	b.startDaemon(bins, e2eharness.WriteKubeconfig(t, env.Config))
	b.waitNodeState(setupTimeout, func(string) bool { return true })
	b.create(timersConfig(b.namespace))
	b.waitNodeState(setupTimeout, func(running string) bool {
		return strings.Contains(running, delayTimerLine)
	})
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

// defaultDelayTimer deletes the timers config, so the node's FRR goes
// back to its default route-map delay timer of 5 s.
func (b *bench) defaultDelayTimer() {
	b.t.Helper()
	if err := b.client.Delete(context.Background(), timersConfig(b.namespace)); err != nil {
		b.t.Fatalf("delete the timers config: %v", err)
	}
	b.waitNodeState(changeTimeout, func(running string) bool {
		return !strings.Contains(running, delayTimerLine)
	})
	time.Sleep(settleTime)
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
