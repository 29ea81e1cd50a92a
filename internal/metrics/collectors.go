// Package metrics is the frr-metrics exporter: Prometheus
// collectors that ask FRR through vtysh at scrape time, the /livez check of
// the FRR daemons, and the HTTPS server that exposes them.
package metrics

import (
	"context"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/frrk8s/frrk8s/internal/frr/vtysh"
)

// Metric name parts and labels; the names are a contract (dashboards relabel
// frrk8s_bgp_* to metallb_bgp_*).
const (
	Namespace    = "frrk8s"
	BGPSubsystem = "bgp"
	BFDSubsystem = "bfd"
	PeerLabel    = "peer"
	VRFLabel     = "vrf"
)

// DefaultCollectTimeout bounds the vtysh calls of one collector per scrape.
const DefaultCollectTimeout = 10 * time.Second

var labels = []string{PeerLabel, VRFLabel}

// metric is one exported series family computed from a source value.
type metric[T any] struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(T) float64
}

func newMetric[T any](subsystem, name, help string, kind prometheus.ValueType, value func(T) float64) metric[T] {
	return metric[T]{
		desc:  prometheus.NewDesc(prometheus.BuildFQName(Namespace, subsystem, name), help, labels, nil),
		kind:  kind,
		value: value,
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// bgpMetrics are computed from each neighbor of `show bgp vrf <v> neighbors json`.
var bgpMetrics = []metric[vtysh.Neighbor]{
	newMetric(BGPSubsystem, "session_up", "BGP session state (1 is Established, 0 is any other state).", prometheus.GaugeValue,
		func(n vtysh.Neighbor) float64 { return boolValue(n.Established()) }),
	newMetric(BGPSubsystem, "announced_prefixes_total", "Number of prefixes currently announced to the neighbor, summed over address families.", prometheus.GaugeValue,
		func(n vtysh.Neighbor) float64 { return float64(n.SentPrefixes()) }),
	newMetric(BGPSubsystem, "received_prefixes_total", "Number of prefixes currently accepted from the neighbor, summed over address families.", prometheus.GaugeValue,
		func(n vtysh.Neighbor) float64 { return float64(n.AcceptedPrefixes()) }),
	newMetric(BGPSubsystem, "opens_sent", "Number of BGP OPEN messages sent.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.OpensSent) }),
	newMetric(BGPSubsystem, "opens_received", "Number of BGP OPEN messages received.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.OpensRecv) }),
	newMetric(BGPSubsystem, "notifications_sent", "Number of BGP NOTIFICATION messages sent.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.NotificationsSent) }),
	newMetric(BGPSubsystem, "updates_total", "Number of BGP UPDATE messages sent.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.UpdatesSent) }),
	newMetric(BGPSubsystem, "updates_total_received", "Number of BGP UPDATE messages received.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.UpdatesRecv) }),
	newMetric(BGPSubsystem, "keepalives_sent", "Number of BGP KEEPALIVE messages sent.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.KeepalivesSent) }),
	newMetric(BGPSubsystem, "keepalives_received", "Number of BGP KEEPALIVE messages received.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.KeepalivesRecv) }),
	newMetric(BGPSubsystem, "route_refresh_sent", "Number of BGP ROUTE-REFRESH messages sent.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.RouteRefreshSent) }),
	newMetric(BGPSubsystem, "total_sent", "Number of BGP messages sent.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.TotalSent) }),
	newMetric(BGPSubsystem, "total_received", "Number of BGP messages received.", prometheus.CounterValue,
		func(n vtysh.Neighbor) float64 { return float64(n.MessageStats.TotalRecv) }),
}

// bfdStatusMetrics are computed from `show bfd vrf <v> peers json`.
var bfdStatusMetrics = []metric[vtysh.BFDPeer]{
	newMetric(BFDSubsystem, "session_up", "BFD session state (1 is up, 0 is any other state).", prometheus.GaugeValue,
		func(p vtysh.BFDPeer) float64 { return boolValue(p.Up()) }),
}

// bfdCounterMetrics are computed from `show bfd vrf <v> peers counters json`.
var bfdCounterMetrics = []metric[vtysh.BFDCounters]{
	newMetric(BFDSubsystem, "control_packet_input", "Number of BFD control packets received.", prometheus.CounterValue,
		func(c vtysh.BFDCounters) float64 { return float64(c.ControlPacketInput) }),
	newMetric(BFDSubsystem, "control_packet_output", "Number of BFD control packets sent.", prometheus.CounterValue,
		func(c vtysh.BFDCounters) float64 { return float64(c.ControlPacketOutput) }),
	newMetric(BFDSubsystem, "echo_packet_input", "Number of BFD echo packets received.", prometheus.CounterValue,
		func(c vtysh.BFDCounters) float64 { return float64(c.EchoPacketInput) }),
	newMetric(BFDSubsystem, "echo_packet_output", "Number of BFD echo packets sent.", prometheus.CounterValue,
		func(c vtysh.BFDCounters) float64 { return float64(c.EchoPacketOutput) }),
	newMetric(BFDSubsystem, "session_up_events", "Number of times the BFD session went up.", prometheus.CounterValue,
		func(c vtysh.BFDCounters) float64 { return float64(c.SessionUp) }),
	newMetric(BFDSubsystem, "session_down_events", "Number of times the BFD session went down.", prometheus.CounterValue,
		func(c vtysh.BFDCounters) float64 { return float64(c.SessionDown) }),
	newMetric(BFDSubsystem, "zebra_notifications", "Number of notifications from zebra for the BFD session.", prometheus.CounterValue,
		func(c vtysh.BFDCounters) float64 { return float64(c.ZebraNotifications) }),
}

// sample is one metric value with its labels, gathered before anything is
// emitted so that a failing collector emits nothing.
type sample struct {
	desc      *prometheus.Desc
	kind      prometheus.ValueType
	value     float64
	peer, vrf string
}

func appendSamples[T any](samples []sample, metrics []metric[T], v T, peer, vrf string) []sample {
	for _, m := range metrics {
		samples = append(samples, sample{desc: m.desc, kind: m.kind, value: m.value(v), peer: peer, vrf: vrf})
	}
	return samples
}

func emit(ch chan<- prometheus.Metric, samples []sample) {
	for _, s := range samples {
		ch <- prometheus.MustNewConstMetric(s.desc, s.kind, s.value, s.peer, s.vrf)
	}
}

func describe[T any](ch chan<- *prometheus.Desc, metrics []metric[T]) {
	for _, m := range metrics {
		ch <- m.desc
	}
}

// collector exports metrics read from FRR at scrape time: read asks FRR
// for the samples, each vtysh call bounded by DefaultCollectTimeout per
// scrape; when FRR cannot be read the error is logged under failure and
// nothing is emitted.
type collector struct {
	frr     *vtysh.Client
	log     logr.Logger
	descs   func(ch chan<- *prometheus.Desc)
	read    func(ctx context.Context, frr *vtysh.Client) ([]sample, error)
	failure string
}

// Describe sends the descriptors of the collector's metrics.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	c.descs(ch)
}

// Collect asks FRR and emits the samples.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultCollectTimeout)
	defer cancel()
	samples, err := c.read(ctx, c.frr)
	if err != nil {
		c.log.Error(err, c.failure)
		return
	}
	emit(ch, samples)
}

// BGPCollector exports the frrk8s_bgp_* metrics of every neighbor of every
// VRF, read from FRR at scrape time.
type BGPCollector struct{ collector }

// NewBGPCollector returns a BGPCollector asking frr; failures go to log.
func NewBGPCollector(frr *vtysh.Client, log logr.Logger) *BGPCollector {
	return &BGPCollector{collector{
		frr:     frr,
		log:     log,
		descs:   func(ch chan<- *prometheus.Desc) { describe(ch, bgpMetrics) },
		read:    bgpSamples,
		failure: "failed to collect BGP metrics",
	}}
}

// bgpSamples returns the samples of every neighbor of every VRF.
func bgpSamples(ctx context.Context, frr *vtysh.Client) ([]sample, error) {
	all, err := frr.AllNeighbors(ctx)
	if err != nil {
		return nil, err
	}
	var samples []sample
	for vrf, neighbors := range all {
		for peer, n := range neighbors {
			samples = appendSamples(samples, bgpMetrics, n, peer, vrf)
		}
	}
	return samples, nil
}

// BFDCollector exports the frrk8s_bfd_* metrics of every BFD session of the
// VRFs that have a BGP instance, read from FRR at scrape time.
type BFDCollector struct{ collector }

// NewBFDCollector returns a BFDCollector asking frr; failures go to log.
func NewBFDCollector(frr *vtysh.Client, log logr.Logger) *BFDCollector {
	return &BFDCollector{collector{
		frr: frr,
		log: log,
		descs: func(ch chan<- *prometheus.Desc) {
			describe(ch, bfdStatusMetrics)
			describe(ch, bfdCounterMetrics)
		},
		read:    bfdSamples,
		failure: "failed to collect BFD metrics",
	}}
}

// bfdSamples returns the status and counter samples of every BFD peer of
// every VRF with a BGP instance.
func bfdSamples(ctx context.Context, frr *vtysh.Client) ([]sample, error) {
	vrfs, err := frr.VRFs(ctx)
	if err != nil {
		return nil, err
	}
	var samples []sample
	for _, vrf := range vrfs {
		peers, err := frr.BFDPeers(ctx, vrf)
		if err != nil {
			return nil, err
		}
		counters, err := frr.BFDCounters(ctx, vrf)
		if err != nil {
			return nil, err
		}
		// A peer address can have several sessions (single and multi hop);
		// the label set cannot tell them apart, so the first one wins
		// rather than failing the whole scrape with duplicates.
		seen := sets.New[string]()
		for _, p := range peers {
			if !seen.Has(p.Peer) {
				seen.Insert(p.Peer)
				samples = appendSamples(samples, bfdStatusMetrics, p, p.Peer, vrf)
			}
		}
		seen.Clear()
		for _, cnt := range counters {
			if !seen.Has(cnt.Peer) {
				seen.Insert(cnt.Peer)
				samples = appendSamples(samples, bfdCounterMetrics, cnt, cnt.Peer, vrf)
			}
		}
	}
	return samples, nil
}
