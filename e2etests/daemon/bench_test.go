package daemon

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// togglePrefix is added to and removed from the node's config by every
// iteration of BenchmarkConfigToFRR; the base prefixes never reach it.
const togglePrefix = "203.0.113.255/32"

// benchPoll is how often the benchmark checks FRR and the FRRNodeState.
const benchPoll = 20 * time.Millisecond

// BenchmarkConfigToFRR measures the time from writing an FRRConfiguration
// to FRR running the new config and the FRRNodeState showing it with a
// successful reload, through the real daemon, reloader and FRR (debounce
// 10 ms). Sub-benchmarks grow the config: each advertised prefix adds a
// network line and an allowed-prefix entry. Run with -benchtime=Nx; each
// iteration takes about a second. p50-ms and p95-ms summarize the samples.
func BenchmarkConfigToFRR(b *testing.B) {
	for _, prefixes := range []int{1, 100, 200} {
		b.Run(fmt.Sprintf("prefixes=%d", prefixes), func(b *testing.B) {
			benchConfigToFRR(b, prefixes)
		})
	}
}

func benchConfigToFRR(b *testing.B, prefixes int) {
	e := newE2E(b, frrtest.DefaultBackend(), 10)
	base := basePrefixes(prefixes)
	e.update(b, e.session, func() { setAdvertised(e.session, base) })
	e.frrNode.WaitEstablished(b, neighborAddress, waitTimeout)
	e.waitApplied(b, base[len(base)-1], true)

	var samples []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		present := i%2 == 0
		want := base
		if present {
			want = append(slices.Clone(base), togglePrefix)
		}
		start := time.Now()
		e.update(b, e.session, func() { setAdvertised(e.session, want) })
		e.waitApplied(b, togglePrefix, present)
		samples = append(samples, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, samples)
}

// basePrefixes returns n host prefixes of 203.0.113.0/24, below .255.
func basePrefixes(n int) []string {
	res := make([]string, 0, n)
	for i := range n {
		res = append(res, fmt.Sprintf("203.0.113.%d/32", i))
	}
	return res
}

// setAdvertised makes the session config originate and advertise prefixes.
func setAdvertised(cfg *v1beta1.FRRConfiguration, prefixes []string) {
	r := &cfg.Spec.BGP.Routers[0]
	r.Prefixes = prefixes
	r.Neighbors[0].ToAdvertise.Allowed.Prefixes = prefixes
}

// waitApplied waits until both FRR's running config and the FRRNodeState
// (after a successful reload) do, or do not, originate prefix.
func (e *e2e) waitApplied(t testing.TB, prefix string, present bool) {
	t.Helper()
	line := "network " + prefix
	err := pollEvery(benchPoll, waitTimeout, func() (bool, string) {
		running, err := e.frrNode.Vtysh("show running-config")
		if err != nil {
			return false, err.Error()
		}
		if strings.Contains(running, line) != present {
			return false, "FRR does not run the config yet"
		}
		state := &v1beta1.FRRNodeState{}
		if err := e.client.Get(context.Background(), types.NamespacedName{Name: e.node}, state); err != nil {
			return false, err.Error()
		}
		ok := state.Status.LastReloadResult == "success" && strings.Contains(state.Status.RunningConfig, line) == present
		return ok, fmt.Sprintf("FRRNodeState reload %q", state.Status.LastReloadResult)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// pollEvery evaluates cond every interval until it holds or timeout passes.
func pollEvery(interval, timeout time.Duration, cond func() (bool, string)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, seen := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not reached within %v; last seen: %s", timeout, seen)
		}
		time.Sleep(interval)
	}
}

// reportPercentiles reports the median and the 95th percentile in ms.
func reportPercentiles(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	at := func(q float64) float64 {
		i := int(q * float64(len(samples)-1))
		return float64(samples[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}
