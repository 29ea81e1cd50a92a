package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frrtest"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

// togglePrefix is added to and removed from the node's config by every
// iteration of BenchmarkConfigToFRR; the base prefixes never reach it.
const togglePrefix = "203.0.113.255/32"

// benchSizes are the advertised prefix counts of BenchmarkConfigToFRR.
// Each advertised prefix adds a network line and a prefix-list entry; FRR
// 8.4 loads prefix-list entries in time growing with the square of their
// number (about 20-30 s for 1,000 entries, docs/advertise-benchmark.md), so
// 1,000 is as far as it goes.
var benchSizes = []int{10, 100, 1000}

// Bounds of the benchmark's waits: growing the config to 1,000 prefixes
// on FRR 8.4 takes tens of seconds, several times that on a loaded machine.
const (
	growTimeout   = 10 * time.Minute
	toggleTimeout = 2 * time.Minute
)

// benchDebounces are the daemon's debounce windows measured, in
// milliseconds: the production default and a short one.
var benchDebounces = []int{3000, 10}

// BenchmarkConfigToFRR measures, on every FRR version and debounce window,
// the time from writing an FRRConfiguration to the peer holding the new
// set and to the FRRNodeState showing a successful reload of it, through
// the real daemon, reloader and FRR, with FRR's default timers. One run
// per version and window grows the node's config through benchSizes; at
// each size grow-ms is the time to apply the config grown from the
// previous size, and every iteration adds or removes one advertised
// prefix (sorting last); peer-p50-ms, p50-ms and their p95 summarize those
// one-prefix changes. The FRRNodeState clock stops at the update seen
// through a watch: its running config is what FRR ran after the reload,
// so FRR was running the change by then (checked afterwards, untimed).
// The peer clock stops when the peer's table first shows the change
// (the prefix polled every 20 ms). Each iteration takes one to a few seconds: run
// with -benchtime=20x or so.
func BenchmarkConfigToFRR(b *testing.B) {
	for _, v := range frrtest.Versions() {
		for _, debounce := range benchDebounces {
			b.Run(fmt.Sprintf("%s/debounce=%dms", v.Name, debounce), func(b *testing.B) {
				frrtest.RequireBackend(b, v.Backend)
				cb := newConfigBench(b, v.Backend, debounce)
				for _, n := range benchSizes {
					b.Run(fmt.Sprintf("prefixes=%d", n), func(b *testing.B) { cb.run(b, n) })
				}
			})
		}
	}
}

// configBench is one node and peer shared by the sizes of one FRR version;
// the Go benchmark runner calls run more than once per size.
type configBench struct {
	e       *e2e
	watcher client.WithWatch
	size    int                   // advertised prefixes applied now
	toggled bool                  // whether togglePrefix is applied now
	grow    map[int]time.Duration // time taken to grow to each size
}

func newConfigBench(b *testing.B, backend frrtest.Backend, debounceMillis int) *configBench {
	e := startE2E(b, backend, scenario{
		peerConfig:     peerConfig,
		debounceMillis: debounceMillis,
		configs: func(e *e2e) []client.Object {
			e.session = e.sessionConfig()
			return []client.Object{e.session}
		},
	})
	watcher, err := client.NewWithWatch(testenv.Require(b).Config, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		b.Fatal(err)
	}
	e.frrNode.WaitEstablished(b, neighborAddress, waitTimeout)
	e.waitNodeState(b, "success", func(s v1beta1.FRRNodeStateStatus) bool { return s.LastReloadResult == "success" })
	return &configBench{e: e, watcher: watcher, grow: map[int]time.Duration{}}
}

// run grows the config to n prefixes once, then times b.N one-prefix
// changes.
func (c *configBench) run(b *testing.B, n int) {
	logLoad(b, "start")
	base := benchPrefixes(n)
	if c.size != n || c.toggled {
		start := time.Now()
		_, _ = c.apply(b, base, base[len(base)-1], true, growTimeout)
		c.grow[n] = time.Since(start)
		c.size, c.toggled = n, false
	}
	samples := make([]time.Duration, 0, b.N)
	peerSamples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		want := base
		if !c.toggled {
			want = append(slices.Clone(base), togglePrefix)
		}
		state, peer := c.apply(b, want, togglePrefix, !c.toggled, toggleTimeout)
		samples = append(samples, state)
		peerSamples = append(peerSamples, peer)
		c.toggled = !c.toggled
	}
	b.StopTimer()
	b.ReportMetric(milliseconds(c.grow[n]), "grow-ms")
	reportPercentiles(b, samples, "")
	reportPercentiles(b, peerSamples, "peer-")
	logLoad(b, "end")
}

// apply writes the session config advertising prefixes and returns once
// the FRRNodeState shows a successful reload whose running config does, or
// does not, originate marker, and the peer does, or does not, hold a route
// to marker; then it checks that FRR runs that config. It returns the time
// from the write to the FRRNodeState update and to the peer's change.
func (c *configBench) apply(b *testing.B, prefixes []string, marker string, present bool, timeout time.Duration) (state, peer time.Duration) {
	b.Helper()
	e := c.e
	line := "network " + marker
	state, peer = c.timeChange(b, timeout,
		func() { setAdvertised(e.session, prefixes) },
		fmt.Sprintf("%q present %v", line, present),
		func(s *v1beta1.FRRNodeState) bool {
			return s.Status.LastReloadResult == "success" && strings.Contains(s.Status.RunningConfig, line) == present
		},
		func(ctx context.Context, start time.Time) time.Duration {
			return c.waitPeer(ctx, marker, present, start)
		})
	running, err := e.frrNode.Vtysh("show running-config")
	if err != nil {
		b.Fatal(err)
	}
	if strings.Contains(running, line) != present {
		b.Fatalf("the FRRNodeState shows the change but FRR does not run it (%q present %v)", line, present)
	}
	return state, peer
}

// timeChange applies edit to the session config and returns the time from
// the write to the first FRRNodeState update that satisfies done and the
// time waitPeer returns (since the same start); what names the change in
// failures.
func (c *configBench) timeChange(b *testing.B, timeout time.Duration, edit func(), what string,
	done func(*v1beta1.FRRNodeState) bool, waitPeer func(context.Context, time.Time) time.Duration,
) (state, peer time.Duration) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	w, err := c.watchNodeState(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	start := time.Now()
	peerDone := make(chan time.Duration, 1)
	go func() { peerDone <- waitPeer(ctx, start) }()
	c.e.update(b, c.e.session, edit)
	if err := waitEvent(ctx, w, done); err != nil {
		b.Fatalf("waiting for the FRRNodeState to show %s: %v", what, err)
	}
	state = time.Since(start)
	if peer = <-peerDone; peer == 0 {
		b.Fatalf("the peer did not show %s within %v", what, timeout)
	}
	return state, peer
}

// waitPeer polls the peer's table until its route to prefix is there (or
// gone) and returns the time since start; 0 when ctx ended first.
func (c *configBench) waitPeer(ctx context.Context, prefix string, present bool, start time.Time) time.Duration {
	for {
		// vtysh exits non-zero when the prefix is not in the table: the
		// output decides.
		out, _ := c.e.peer.Vtysh("show bgp ipv4 unicast " + prefix + " json")
		var route struct {
			Paths []json.RawMessage `json:"paths"`
		}
		if json.Unmarshal([]byte(out), &route) == nil || strings.Contains(out, "not in table") {
			if (len(route.Paths) > 0) == present {
				return time.Since(start)
			}
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// watchNodeState watches the node's FRRNodeState from its current version.
func (c *configBench) watchNodeState(ctx context.Context) (watch.Interface, error) {
	current := &v1beta1.FRRNodeState{}
	if err := c.watcher.Get(ctx, client.ObjectKey{Name: c.e.node}, current); err != nil {
		return nil, fmt.Errorf("get the FRRNodeState: %w", err)
	}
	w, err := c.watcher.Watch(ctx, &v1beta1.FRRNodeStateList{},
		client.MatchingFields{"metadata.name": c.e.node},
		&client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: current.ResourceVersion}})
	if err != nil {
		return nil, fmt.Errorf("watch the FRRNodeState: %w", err)
	}
	return w, nil
}

// waitEvent reads w until an FRRNodeState satisfying cond arrives.
func waitEvent(ctx context.Context, w watch.Interface, cond func(*v1beta1.FRRNodeState) bool) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				return fmt.Errorf("the watch closed")
			}
			if state, isState := ev.Object.(*v1beta1.FRRNodeState); isState && cond(state) {
				return nil
			}
		}
	}
}

// benchPrefixes returns n host prefixes of the benchmarking range
// 198.18.0.0/15 (RFC 2544), routed only between the test namespaces.
func benchPrefixes(n int) []string {
	res := make([]string, 0, n)
	for i := range n {
		res = append(res, fmt.Sprintf("198.18.%d.%d/32", i/256, i%256))
	}
	return res
}

// setAdvertised makes the session config originate and advertise prefixes.
func setAdvertised(cfg *v1beta1.FRRConfiguration, prefixes []string) {
	r := &cfg.Spec.BGP.Routers[0]
	r.Prefixes = prefixes
	r.Neighbors[0].ToAdvertise.Allowed.Prefixes = prefixes
}

// reportPercentiles reports the median and the 95th percentile in ms, the
// metric names starting with prefix.
func reportPercentiles(b *testing.B, samples []time.Duration, prefix string) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	at := func(q float64) float64 {
		return milliseconds(samples[int(q*float64(len(samples)-1))])
	}
	b.ReportMetric(at(0.50), prefix+"p50-ms")
	b.ReportMetric(at(0.95), prefix+"p95-ms")
}

func milliseconds(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// logLoad logs the machine's load averages: timings are only comparable
// at similar load.
func logLoad(b *testing.B, when string) {
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average at %s: %s", when, strings.TrimSpace(string(load)))
	}
}
