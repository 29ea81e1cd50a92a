package metrics

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/frrk8s/frrk8s/internal/frr/vtysh"
	"github.com/frrk8s/frrk8s/internal/frr/vtysh/vtyshtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// logRecorder collects log lines for assertions.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.lines = append(r.lines, prefix+" "+args)
	}, funcr.Options{})
}

func (r *logRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// compareGolden checks what c exposes against testdata/<test name>.golden,
// rewriting it under -update.
func compareGolden(t *testing.T, c prometheus.Collector) {
	t.Helper()
	golden := filepath.Join("testdata", t.Name()+".golden")
	if *update {
		if err := os.WriteFile(golden, exposition(t, c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.CollectAndCompare(c, bytes.NewReader(want)); err != nil {
		t.Error(err)
	}
}

// exposition returns what c exposes in the text format.
func exposition(t *testing.T, c prometheus.Collector) []byte {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// capturedVersions are the FRR builds whose captured output the collectors
// are checked against.
var capturedVersions = []string{vtyshtest.FRR84, vtyshtest.FRR10}

func TestBGPCollector(t *testing.T) {
	for _, version := range capturedVersions {
		t.Run(version, func(t *testing.T) {
			c := NewBGPCollector(vtysh.NewClient(vtyshtest.CapturedFakeOf(version)), logr.Discard())
			compareGolden(t, c)
			if n := testutil.CollectAndCount(c); n != 4*len(bgpMetrics) {
				t.Errorf("collected %d series, want %d (4 neighbors)", n, 4*len(bgpMetrics))
			}
		})
	}
}

func TestBFDCollector(t *testing.T) {
	for _, version := range capturedVersions {
		t.Run(version, func(t *testing.T) {
			c := NewBFDCollector(vtysh.NewClient(vtyshtest.CapturedFakeOf(version)), logr.Discard())
			compareGolden(t, c)
			if n := testutil.CollectAndCount(c); n != 2*(len(bfdStatusMetrics)+len(bfdCounterMetrics)) {
				t.Errorf("collected %d series, want %d (2 BFD peers)", n, 2*(len(bfdStatusMetrics)+len(bfdCounterMetrics)))
			}
		})
	}
}

// TestBGPCollectorValues spells out the contract the golden file holds for
// one neighbor, so a wrong golden cannot hide a mapping error.
func TestBGPCollectorValues(t *testing.T) {
	fake := vtyshtest.NewFake(map[string]string{
		"show bgp vrf all json": `{"default":{},"red":{}}`,
		"show bgp vrf default neighbors json": `{"fd00::7":{"bgpState":"Established",
			"messageStats":{"opensSent":1,"opensRecv":2,"notificationsSent":3,"notificationsRecv":99,"updatesSent":4,"updatesRecv":5,
			"keepalivesSent":6,"keepalivesRecv":7,"routeRefreshSent":8,"routeRefreshRecv":98,"totalSent":9,"totalRecv":10},
			"addressFamilyInfo":{"ipv4Unicast":{"sentPrefixCounter":11,"acceptedPrefixCounter":12},"ipv6Unicast":{"sentPrefixCounter":100,"acceptedPrefixCounter":200}}}}`,
		"show bgp vrf red neighbors json": `{"veth1":{"bgpState":"Active"}}`,
	})
	c := NewBGPCollector(vtysh.NewClient(fake), logr.Discard())
	want := `
# HELP frrk8s_bgp_session_up BGP session state (1 is Established, 0 is any other state).
# TYPE frrk8s_bgp_session_up gauge
frrk8s_bgp_session_up{peer="fd00::7",vrf="default"} 1
frrk8s_bgp_session_up{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_announced_prefixes_total Number of prefixes currently announced to the neighbor, summed over address families.
# TYPE frrk8s_bgp_announced_prefixes_total gauge
frrk8s_bgp_announced_prefixes_total{peer="fd00::7",vrf="default"} 111
frrk8s_bgp_announced_prefixes_total{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_received_prefixes_total Number of prefixes currently accepted from the neighbor, summed over address families.
# TYPE frrk8s_bgp_received_prefixes_total gauge
frrk8s_bgp_received_prefixes_total{peer="fd00::7",vrf="default"} 212
frrk8s_bgp_received_prefixes_total{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_opens_sent Number of BGP OPEN messages sent.
# TYPE frrk8s_bgp_opens_sent counter
frrk8s_bgp_opens_sent{peer="fd00::7",vrf="default"} 1
frrk8s_bgp_opens_sent{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_opens_received Number of BGP OPEN messages received.
# TYPE frrk8s_bgp_opens_received counter
frrk8s_bgp_opens_received{peer="fd00::7",vrf="default"} 2
frrk8s_bgp_opens_received{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_notifications_sent Number of BGP NOTIFICATION messages sent.
# TYPE frrk8s_bgp_notifications_sent counter
frrk8s_bgp_notifications_sent{peer="fd00::7",vrf="default"} 3
frrk8s_bgp_notifications_sent{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_updates_total Number of BGP UPDATE messages sent.
# TYPE frrk8s_bgp_updates_total counter
frrk8s_bgp_updates_total{peer="fd00::7",vrf="default"} 4
frrk8s_bgp_updates_total{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_updates_total_received Number of BGP UPDATE messages received.
# TYPE frrk8s_bgp_updates_total_received counter
frrk8s_bgp_updates_total_received{peer="fd00::7",vrf="default"} 5
frrk8s_bgp_updates_total_received{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_keepalives_sent Number of BGP KEEPALIVE messages sent.
# TYPE frrk8s_bgp_keepalives_sent counter
frrk8s_bgp_keepalives_sent{peer="fd00::7",vrf="default"} 6
frrk8s_bgp_keepalives_sent{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_keepalives_received Number of BGP KEEPALIVE messages received.
# TYPE frrk8s_bgp_keepalives_received counter
frrk8s_bgp_keepalives_received{peer="fd00::7",vrf="default"} 7
frrk8s_bgp_keepalives_received{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_route_refresh_sent Number of BGP ROUTE-REFRESH messages sent.
# TYPE frrk8s_bgp_route_refresh_sent counter
frrk8s_bgp_route_refresh_sent{peer="fd00::7",vrf="default"} 8
frrk8s_bgp_route_refresh_sent{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_total_sent Number of BGP messages sent.
# TYPE frrk8s_bgp_total_sent counter
frrk8s_bgp_total_sent{peer="fd00::7",vrf="default"} 9
frrk8s_bgp_total_sent{peer="veth1",vrf="red"} 0
# HELP frrk8s_bgp_total_received Number of BGP messages received.
# TYPE frrk8s_bgp_total_received counter
frrk8s_bgp_total_received{peer="fd00::7",vrf="default"} 10
frrk8s_bgp_total_received{peer="veth1",vrf="red"} 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

func TestBFDCollectorValuesAndDuplicates(t *testing.T) {
	fake := vtyshtest.NewFake(map[string]string{
		"show bgp vrf all json": `{"default":{}}`,
		"show bfd vrf default peers json": `[
			{"multihop":false,"peer":"192.0.2.2","status":"up"},
			{"multihop":true,"peer":"192.0.2.2","local":"192.0.2.1","status":"down"},
			{"multihop":false,"peer":"fd00::2","status":"init"}]`,
		"show bfd vrf default peers counters json": `[
			{"peer":"192.0.2.2","control-packet-input":1,"control-packet-output":2,"echo-packet-input":3,"echo-packet-output":4,"session-up":5,"session-down":6,"zebra-notifications":7},
			{"peer":"192.0.2.2","control-packet-input":100}]`,
	})
	c := NewBFDCollector(vtysh.NewClient(fake), logr.Discard())
	want := `
# HELP frrk8s_bfd_session_up BFD session state (1 is up, 0 is any other state).
# TYPE frrk8s_bfd_session_up gauge
frrk8s_bfd_session_up{peer="192.0.2.2",vrf="default"} 1
frrk8s_bfd_session_up{peer="fd00::2",vrf="default"} 0
# HELP frrk8s_bfd_control_packet_input Number of BFD control packets received.
# TYPE frrk8s_bfd_control_packet_input counter
frrk8s_bfd_control_packet_input{peer="192.0.2.2",vrf="default"} 1
# HELP frrk8s_bfd_control_packet_output Number of BFD control packets sent.
# TYPE frrk8s_bfd_control_packet_output counter
frrk8s_bfd_control_packet_output{peer="192.0.2.2",vrf="default"} 2
# HELP frrk8s_bfd_echo_packet_input Number of BFD echo packets received.
# TYPE frrk8s_bfd_echo_packet_input counter
frrk8s_bfd_echo_packet_input{peer="192.0.2.2",vrf="default"} 3
# HELP frrk8s_bfd_echo_packet_output Number of BFD echo packets sent.
# TYPE frrk8s_bfd_echo_packet_output counter
frrk8s_bfd_echo_packet_output{peer="192.0.2.2",vrf="default"} 4
# HELP frrk8s_bfd_session_up_events Number of times the BFD session went up.
# TYPE frrk8s_bfd_session_up_events counter
frrk8s_bfd_session_up_events{peer="192.0.2.2",vrf="default"} 5
# HELP frrk8s_bfd_session_down_events Number of times the BFD session went down.
# TYPE frrk8s_bfd_session_down_events counter
frrk8s_bfd_session_down_events{peer="192.0.2.2",vrf="default"} 6
# HELP frrk8s_bfd_zebra_notifications Number of notifications from zebra for the BFD session.
# TYPE frrk8s_bfd_zebra_notifications counter
frrk8s_bfd_zebra_notifications{peer="192.0.2.2",vrf="default"} 7
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

func TestFailingCollectorLogsAndEmitsNothing(t *testing.T) {
	boom := errors.New("bgpd is not running")
	tests := []struct {
		name    string
		failing string
		new     func(*vtysh.Client, logr.Logger) prometheus.Collector
	}{
		{name: "bgp vrfs", failing: "show bgp vrf all json",
			new: func(c *vtysh.Client, l logr.Logger) prometheus.Collector { return NewBGPCollector(c, l) }},
		{name: "bgp neighbors of a later vrf", failing: "show bgp vrf red neighbors json",
			new: func(c *vtysh.Client, l logr.Logger) prometheus.Collector { return NewBGPCollector(c, l) }},
		{name: "bfd vrfs", failing: "show bgp vrf all json",
			new: func(c *vtysh.Client, l logr.Logger) prometheus.Collector { return NewBFDCollector(c, l) }},
		{name: "bfd peers", failing: "show bfd vrf red peers json",
			new: func(c *vtysh.Client, l logr.Logger) prometheus.Collector { return NewBFDCollector(c, l) }},
		{name: "bfd counters", failing: "show bfd vrf red peers counters json",
			new: func(c *vtysh.Client, l logr.Logger) prometheus.Collector { return NewBFDCollector(c, l) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := vtyshtest.CapturedFake()
			fake.Fail(tc.failing, boom)
			var logs logRecorder
			c := tc.new(vtysh.NewClient(fake), logs.logger())
			if n := testutil.CollectAndCount(c); n != 0 {
				t.Errorf("a failing collector emitted %d series, want 0", n)
			}
			if !strings.Contains(logs.String(), boom.Error()) {
				t.Errorf("log %q does not carry the error", logs.String())
			}
		})
	}
}

func TestRegistryHasDefaultCollectors(t *testing.T) {
	reg := NewRegistry(vtysh.NewClient(vtyshtest.CapturedFake()), logr.Discard())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	for _, want := range []string{"go_goroutines", "process_cpu_seconds_total", "frrk8s_bgp_session_up", "frrk8s_bfd_session_up"} {
		if !names[want] {
			t.Errorf("registry lacks %s", want)
		}
	}
}
