package daemon

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// benchCommunity is the community BenchmarkCommunityChange attaches.
const benchCommunity = "64512:100"

// communitySize is the number of advertised prefixes of
// BenchmarkCommunityChange.
const communitySize = 100

// BenchmarkCommunityChange measures a change to the lists of a prefix that
// is already advertised: every iteration attaches benchCommunity to the
// second prefix or takes it away again (the first prefix carries it all
// along, so the community's lists and route-map entries exist). Only a
// prefix-list entry changes, and the peer sees the new community once
// FRR's route-map delay timer (5 s by default) re-evaluates the outgoing
// policy: the target is the timer plus 1 s. Metrics as in
// BenchmarkConfigToFRR: p50-ms to the FRRNodeState, peer-p50-ms to the
// peer's path showing (or no longer showing) the community.
func BenchmarkCommunityChange(b *testing.B) {
	for _, v := range frrtest.Versions() {
		b.Run(v.Name, func(b *testing.B) {
			frrtest.RequireBackend(b, v.Backend)
			cb := newConfigBench(b, v.Backend, benchDebounces[0])
			prefixes := benchPrefixes(communitySize)
			marked := prefixes[1]
			withCommunity := func(on bool) []string {
				if on {
					return prefixes[:2]
				}
				return prefixes[:1]
			}
			cb.applyCommunity(b, prefixes, withCommunity(false), marked, false, growTimeout)
			logLoad(b, "start")
			on := false
			var samples, peerSamples []time.Duration
			b.ResetTimer()
			for range b.N {
				on = !on
				state, peer := cb.applyCommunity(b, prefixes, withCommunity(on), marked, on, toggleTimeout)
				samples = append(samples, state)
				peerSamples = append(peerSamples, peer)
			}
			b.StopTimer()
			reportPercentiles(b, samples, "")
			reportPercentiles(b, peerSamples, "peer-")
			logLoad(b, "end")
		})
	}
}

// applyCommunity advertises prefixes with benchCommunity on tagged, and
// returns once the FRRNodeState shows a successful reload whose running
// config lists marked in a second prefix-list (the community's) or not,
// and once the peer's path to marked carries the community or not.
func (c *configBench) applyCommunity(b *testing.B, prefixes, tagged []string, marked string, present bool, timeout time.Duration) (state, peer time.Duration) {
	b.Helper()
	e := c.e
	entry := "permit " + marked + "\n"
	want := 1
	if present {
		want = 2
	}
	return c.timeChange(b, timeout,
		func() {
			setAdvertised(e.session, prefixes)
			e.session.Spec.BGP.Routers[0].Neighbors[0].ToAdvertise.PrefixesWithCommunity = []v1beta1.CommunityPrefixes{
				{Prefixes: tagged, Community: benchCommunity},
			}
		},
		fmt.Sprintf("%s listed %d times and community %s on its path (%v)", marked, want, benchCommunity, present),
		func(s *v1beta1.FRRNodeState) bool {
			return s.Status.LastReloadResult == "success" && strings.Count(s.Status.RunningConfig, entry) == want
		},
		func(ctx context.Context, start time.Time) time.Duration {
			return c.waitCommunity(ctx, marked, present, start)
		})
}

// waitCommunity polls the peer's path to prefix until it carries
// benchCommunity (or no longer does) and returns the time since start; 0
// when ctx ended first.
func (c *configBench) waitCommunity(ctx context.Context, prefix string, present bool, start time.Time) time.Duration {
	for {
		out, err := c.e.peer.Vtysh(fmt.Sprintf("show bgp ipv4 unicast %s json", prefix))
		if err == nil && strings.Contains(out, `"paths"`) && strings.Contains(out, benchCommunity) == present {
			return time.Since(start)
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(20 * time.Millisecond):
		}
	}
}
