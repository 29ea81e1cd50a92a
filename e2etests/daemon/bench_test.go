package daemon

import (
	"context"
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
// number (about 20-30 s for 1,000 entries, ../../shared/frr.md §5), so
// 1,000 is as far as it goes.
var benchSizes = []int{10, 100, 1000}

// Bounds of the benchmark's waits: growing the config to 1,000 prefixes
// on FRR 8.4 takes tens of seconds, several times that on a loaded machine.
const (
	growTimeout   = 10 * time.Minute
	toggleTimeout = 2 * time.Minute
)

// BenchmarkConfigToFRR measures, on every FRR version, the time from
// writing an FRRConfiguration to FRR running the new config and the
// FRRNodeState showing it after a successful reload, through the real
// daemon (debounce 10 ms), reloader and FRR. One run per version grows the
// node's config through benchSizes; at each size grow-ms is the time to
// apply the config grown from the previous size, and every iteration adds
// or removes one advertised prefix; p50-ms and p95-ms summarize those
// one-prefix changes. The clock stops at the FRRNodeState update, seen
// through a watch: its running config is what FRR ran after the reload,
// so FRR was running the change by then (checked afterwards, untimed).
// Each iteration takes about a second: run with -benchtime=20x or so.
func BenchmarkConfigToFRR(b *testing.B) {
	for _, v := range frrtest.Versions() {
		b.Run(v.Name, func(b *testing.B) {
			frrtest.RequireBackend(b, v.Backend)
			cb := newConfigBench(b, v.Backend)
			for _, n := range benchSizes {
				b.Run(fmt.Sprintf("prefixes=%d", n), func(b *testing.B) { cb.run(b, n) })
			}
		})
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

func newConfigBench(b *testing.B, backend frrtest.Backend) *configBench {
	e := newE2E(b, backend, 10)
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
		c.apply(b, base, base[len(base)-1], true, growTimeout)
		c.grow[n] = time.Since(start)
		c.size, c.toggled = n, false
	}
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		want := base
		if !c.toggled {
			want = append(slices.Clone(base), togglePrefix)
		}
		start := time.Now()
		c.apply(b, want, togglePrefix, !c.toggled, toggleTimeout)
		samples = append(samples, time.Since(start))
		c.toggled = !c.toggled
	}
	b.StopTimer()
	b.ReportMetric(milliseconds(c.grow[n]), "grow-ms")
	reportPercentiles(b, samples)
	logLoad(b, "end")
}

// apply writes the session config advertising prefixes and returns once
// the FRRNodeState shows a successful reload whose running config does, or
// does not, originate marker; then it checks that FRR runs that config.
func (c *configBench) apply(b *testing.B, prefixes []string, marker string, present bool, timeout time.Duration) {
	b.Helper()
	e := c.e
	line := "network " + marker
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	w, err := c.watchNodeState(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	e.update(b, e.session, func() { setAdvertised(e.session, prefixes) })
	err = waitEvent(ctx, w, func(s *v1beta1.FRRNodeState) bool {
		return s.Status.LastReloadResult == "success" && strings.Contains(s.Status.RunningConfig, line) == present
	})
	if err != nil {
		b.Fatalf("waiting for the FRRNodeState to show %q (present %v): %v", line, present, err)
	}
	running, err := e.frrNode.Vtysh("show running-config")
	if err != nil {
		b.Fatal(err)
	}
	if strings.Contains(running, line) != present {
		b.Fatalf("the FRRNodeState shows the change but FRR does not run it (%q present %v)", line, present)
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

// reportPercentiles reports the median and the 95th percentile in ms.
func reportPercentiles(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	at := func(q float64) float64 {
		return milliseconds(samples[int(q*float64(len(samples)-1))])
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
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
