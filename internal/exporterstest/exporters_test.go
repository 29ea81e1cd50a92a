package exporterstest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/controller"
	"github.com/frrk8s/frrk8s/internal/frr/vtysh/vtyshtest"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// nodeConfig gives the node an eBGP IPv4 session with BFD and an eBGP IPv6
// session without BFD to the peer namespace, announcing one prefix each.
// advertisement-interval 0 sends updates at once (eBGP waits up to 30 s
// under the traditional defaults).
const nodeConfig = `frr defaults traditional
hostname %s
bgp route-map delay-timer 1
router bgp 64512
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor 192.0.2.2 remote-as 64513
 neighbor 192.0.2.2 timers connect 1
 neighbor 192.0.2.2 advertisement-interval 0
 neighbor 192.0.2.2 bfd
 neighbor fd00::2 remote-as 64513
 neighbor fd00::2 timers connect 1
 neighbor fd00::2 advertisement-interval 0
 address-family ipv4 unicast
  neighbor 192.0.2.2 activate
  network 198.51.100.0/25
 exit-address-family
 address-family ipv6 unicast
  neighbor fd00::2 activate
  network fd00:1::/64
 exit-address-family
exit
`

const peerConfig = `bgp route-map delay-timer 1
router bgp 64513
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor 192.0.2.1 remote-as 64512
 neighbor 192.0.2.1 timers connect 1
 neighbor 192.0.2.1 advertisement-interval 0
 neighbor 192.0.2.1 bfd
 neighbor fd00::1 remote-as 64512
 neighbor fd00::1 timers connect 1
 neighbor fd00::1 advertisement-interval 0
 address-family ipv4 unicast
  neighbor 192.0.2.1 activate
  network 203.0.113.0/25
 exit-address-family
 address-family ipv6 unicast
  neighbor fd00::1 activate
  network fd00:2::/64
 exit-address-family
exit
`

// Session keys ("<vrf label>/<peer label>") and metric peer labels of the
// two sessions of the node, both in the default VRF.
const (
	v4Session = "/192.0.2.2"
	v6Session = "/fd00-0000-0000-0000-0000-0000-0000-0002"
	v4Peer    = "192.0.2.2"
	v6Peer    = "fd00::2"
)

// statusPoll is frr-status's poll interval in the real FRR test.
const statusPoll = 2 * time.Second

// configure runs configuration commands on an instance, as an operator would
// in `configure terminal`.
func configure(t *testing.T, inst *frrtest.Instance, commands ...string) {
	t.Helper()
	if _, err := inst.Vtysh(append([]string{"configure terminal"}, commands...)...); err != nil {
		t.Fatal(err)
	}
}

// step runs one stage of a scenario as a subtest; later stages depend on
// it, so the scenario stops at the first failing stage.
func step(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, f) {
		t.FailNow()
	}
}

// TestExportersFollowRealFRR runs frr-status and frr-metrics against a real
// FRR node (zebra, bgpd, bfdd, staticd and watchfrr; mgmtd too on FRR 10)
// peering with a second FRR, and the envtest API server: sessions going up
// and down, BFD, counters, stale sessions, /livez and the authn/authz
// filter. It runs once per FRR build (8.4 and 10).
func TestExportersFollowRealFRR(t *testing.T) {
	frrtest.ForEachVersion(t, testExportersFollowRealFRR)
}

func testExportersFollowRealFRR(t *testing.T, v frrtest.Version) {
	c := newCluster(t, true)
	topo := frrtest.NewTopology(t)
	node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithWatchfrr(), frrtest.WithBackend(v.Backend))
	peer := frrtest.StartFRR(t, topo.Peer, "peer", frrtest.WithBackend(v.Backend))
	if err := peer.ApplyConfig(peerConfig); err != nil {
		t.Fatal(err)
	}
	if err := node.ApplyConfig(fmt.Sprintf(nodeConfig, hostname(t))); err != nil {
		t.Fatal(err)
	}
	c.startStatus(t, node.VtyshCmd(), statusPoll)
	m := c.startMetrics(t, node.VtyshCmd())
	token := c.serviceAccountToken(t, "prometheus", true)

	step(t, "metrics need an authorized token, livez does not", func(t *testing.T) {
		if code, body, err := m.get("/metrics", ""); err != nil || code != http.StatusUnauthorized {
			t.Errorf("GET /metrics without a token = %d %q %v, want 401", code, body, err)
		}
		other := c.serviceAccountToken(t, "nosy", false)
		if code, body, err := m.get("/metrics", other); err != nil || code != http.StatusForbidden {
			t.Errorf("GET /metrics as an account without the metrics role = %d %q %v, want 403", code, body, err)
		}
		if _, err := m.scrape(token); err != nil {
			t.Errorf("authorized scrape: %v", err)
		}
		if code, body, err := m.get("/livez", ""); err != nil || code != http.StatusOK {
			t.Errorf("GET /livez with every daemon running = %d %q %v, want 200", code, body, err)
		}
	})

	step(t, "sessions up", func(t *testing.T) {
		s := c.waitSession(t, v4Session, hasStatus(frrtest.BGPEstablished, "Up"))
		c.waitSession(t, v6Session, hasStatus(frrtest.BGPEstablished, controller.BFDStatusNotAvailable))
		want := v1beta1.BGPSessionStateStatus{Node: c.node, Peer: v4Peer, VRF: "", BGPStatus: "Established", BFDStatus: "Up"}
		if diff := cmp.Diff(want, s.Status); diff != "" {
			t.Errorf("status (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(s.Name, c.node+"-") || len(s.OwnerReferences) != 1 || s.OwnerReferences[0].UID != c.pod.UID {
			t.Errorf("object %s owned by %+v, want a generated name and the daemon pod as owner", s.Name, s.OwnerReferences)
		}
		m.waitMetrics(t, token,
			expect("frrk8s_bgp_session_up", v4Peer, is(1)),
			expect("frrk8s_bgp_session_up", v6Peer, is(1)),
			expect("frrk8s_bfd_session_up", v4Peer, is(1)),
			expect("frrk8s_bfd_control_packet_input", v4Peer, above(0)),
			expect("frrk8s_bfd_control_packet_output", v4Peer, above(0)),
			expect("frrk8s_bfd_session_up_events", v4Peer, above(0)),
		)
	})

	step(t, "prefix and message counters move with the routes", func(t *testing.T) {
		// The node accepts the peer's prefix, and announces its own plus
		// the one it learned (eBGP sends it back; the peer drops it).
		before := m.waitMetrics(t, token,
			expect("frrk8s_bgp_received_prefixes_total", v4Peer, is(1)),
			expect("frrk8s_bgp_announced_prefixes_total", v4Peer, is(2)),
			expect("frrk8s_bgp_received_prefixes_total", v6Peer, is(1)),
			expect("frrk8s_bgp_opens_sent", v4Peer, above(0)),
			expect("frrk8s_bgp_opens_received", v4Peer, above(0)),
			expect("frrk8s_bgp_keepalives_sent", v4Peer, above(0)),
			expect("frrk8s_bgp_keepalives_received", v4Peer, above(0)),
			expect("frrk8s_bgp_updates_total_received", v4Peer, above(0)),
			expect("frrk8s_bgp_updates_total", v4Peer, above(0)),
			expect("frrk8s_bgp_total_received", v4Peer, above(0)),
			expect("frrk8s_bgp_total_sent", v4Peer, above(0)),
		)

		configure(t, peer, "router bgp 64513", "address-family ipv4 unicast", "network 203.0.113.128/25")
		configure(t, node, "router bgp 64512", "address-family ipv4 unicast", "network 198.51.100.128/25")
		m.waitMetrics(t, token,
			expect("frrk8s_bgp_received_prefixes_total", v4Peer, is(2)),
			expect("frrk8s_bgp_announced_prefixes_total", v4Peer, is(4)),
			expect("frrk8s_bgp_updates_total_received", v4Peer, above(before["frrk8s_bgp_updates_total_received"][v4Peer])),
			expect("frrk8s_bgp_updates_total", v4Peer, above(before["frrk8s_bgp_updates_total"][v4Peer])),
			expect("frrk8s_bgp_total_received", v4Peer, above(before["frrk8s_bgp_total_received"][v4Peer])),
			// The IPv6 session is separate.
			expect("frrk8s_bgp_received_prefixes_total", v6Peer, is(1)),
		)
	})

	step(t, "session down and up", func(t *testing.T) {
		before := m.waitMetrics(t, token, expect("frrk8s_bgp_opens_sent", v4Peer, above(0)))
		configure(t, peer, "router bgp 64513", "neighbor 192.0.2.1 shutdown")
		start := time.Now()
		c.waitSession(t, v4Session, func(s *v1beta1.BGPSessionState) bool {
			return s != nil && s.Status.BGPStatus != frrtest.BGPEstablished
		})
		t.Logf("BGPSessionState showed the session down %v after the shutdown (poll interval %v)", time.Since(start).Round(time.Millisecond), statusPoll)
		m.waitMetrics(t, token,
			expect("frrk8s_bgp_session_up", v4Peer, is(0)),
			expect("frrk8s_bgp_session_up", v6Peer, is(1)),
		)

		configure(t, peer, "router bgp 64513", "no neighbor 192.0.2.1 shutdown")
		start = time.Now()
		c.waitSession(t, v4Session, hasStatus(frrtest.BGPEstablished, "Up"))
		t.Logf("BGPSessionState showed the session up again %v after the no shutdown", time.Since(start).Round(time.Millisecond))
		m.waitMetrics(t, token,
			expect("frrk8s_bgp_session_up", v4Peer, is(1)),
			expect("frrk8s_bgp_opens_sent", v4Peer, above(before["frrk8s_bgp_opens_sent"][v4Peer])),
		)
	})

	step(t, "BFD down", func(t *testing.T) {
		before := m.waitMetrics(t, token,
			expect("frrk8s_bfd_session_up", v4Peer, is(1)),
			expect("frrk8s_bfd_session_down_events", v4Peer, anyValue),
		)
		if err := peer.KillDaemon("bfdd"); err != nil {
			t.Fatal(err)
		}
		c.waitSession(t, v4Session, func(s *v1beta1.BGPSessionState) bool {
			return s != nil && s.Status.BFDStatus == "Down"
		})
		m.waitMetrics(t, token,
			expect("frrk8s_bfd_session_up", v4Peer, is(0)),
			expect("frrk8s_bfd_session_down_events", v4Peer, above(before["frrk8s_bfd_session_down_events"][v4Peer])),
		)
		// The session without BFD keeps N/A.
		c.waitSession(t, v6Session, hasStatus(frrtest.BGPEstablished, controller.BFDStatusNotAvailable))
	})

	step(t, "a neighbor removed from the config loses its BGPSessionState", func(t *testing.T) {
		configure(t, node, "router bgp 64512", "no neighbor fd00::2")
		c.waitSession(t, v6Session, func(s *v1beta1.BGPSessionState) bool { return s == nil })
		m.waitMetrics(t, token, expect("frrk8s_bgp_session_up", v6Peer, absent))
		if _, ok := c.sessions(t)[v4Session]; !ok {
			t.Errorf("the remaining session lost its BGPSessionState too")
		}
	})

	step(t, "livez fails once a daemon is gone", func(t *testing.T) {
		if code, body, err := m.get("/livez", ""); err != nil || code != http.StatusOK {
			t.Fatalf("GET /livez = %d %q %v, want 200", code, body, err)
		}
		if err := node.KillDaemon("staticd"); err != nil {
			t.Fatal(err)
		}
		frrtest.WaitFor(t, eventually, func() (bool, string) {
			code, body, err := m.get("/livez", "")
			return err == nil && code == http.StatusNotFound, fmt.Sprintf("GET /livez = %d %q %v", code, body, err)
		})
		// The metrics of the BGP sessions are still served (FRR 10 keeps
		// the session Idle while its BFD is down, FRR 8.4 re-establishes it).
		m.waitMetrics(t, token, expect("frrk8s_bgp_session_up", v4Peer, anyValue))
	})
}

// fakeVtysh writes a script answering the BGP commands of frr-status from
// files in its directory, recording every call in the file calls, and
// returns the script and the directory.
func fakeVtysh(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "vtysh")
	body := `#!/bin/sh
dir=$(dirname "$0")
echo "$2" >> "$dir/calls"
case "$2" in
"show bgp vrf all json") exec cat "$dir/vrfs.json" ;;
"show bgp vrf default neighbors json") exec cat "$dir/default.json" ;;
"show bgp vrf red neighbors json") exec cat "$dir/red.json" ;;
*) echo "% Unknown command: $2" >&2; exit 1 ;;
esac
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	for file, captured := range map[string]string{
		"vrfs.json":    "bgp_vrf_all.json",
		"default.json": "bgp_default_neighbors.json",
		"red.json":     "bgp_red_neighbors.json",
	} {
		writeFile(t, filepath.Join(dir, file), vtyshtest.Captured(captured))
	}
	return script, dir
}

// quietPeriod is how long the fake vtysh must not be called for frr-status
// to count as idle.
const quietPeriod = 3 * time.Second

// waitIdle waits until the calls file has not grown for quietPeriod and
// returns its number of lines.
func waitIdle(t *testing.T, calls string) int {
	t.Helper()
	count := func() int {
		b, _ := os.ReadFile(calls)
		return strings.Count(string(b), "\n")
	}
	last, since := count(), time.Now()
	frrtest.WaitFor(t, eventually, func() (bool, string) {
		if n := count(); n != last {
			last, since = n, time.Now()
		}
		return time.Since(since) >= quietPeriod, fmt.Sprintf("vtysh still called (%d calls)", last)
	})
	return last
}

// writeFile replaces a file atomically, so the script never reads half.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestStatusRefreshesOnFRRNodeStateChange runs frr-status with a poll
// interval of an hour against a fake vtysh: the objects follow FRR only when
// the node's FRRNodeState changes (as after every reload) or one of its
// BGPSessionStates does. Also: stale objects are deleted at start, other
// nodes' objects are left alone, and FRRK8sConfiguration sets the level.
func TestStatusRefreshesOnFRRNodeStateChange(t *testing.T) {
	c := newCluster(t, true)
	ctx := context.Background()
	stale := &v1beta1.BGPSessionState{ObjectMeta: metav1.ObjectMeta{
		Name: c.node + "-stale", Namespace: c.namespace,
		Labels: map[string]string{v1beta1.SessionStateNodeLabel: c.node, v1beta1.SessionStatePeerLabel: "192.0.2.250", v1beta1.SessionStateVRFLabel: ""},
	}}
	other := &v1beta1.BGPSessionState{ObjectMeta: metav1.ObjectMeta{
		Name: "other-node-x", Namespace: c.namespace,
		Labels: map[string]string{v1beta1.SessionStateNodeLabel: "other-node", v1beta1.SessionStatePeerLabel: "192.0.2.2", v1beta1.SessionStateVRFLabel: ""},
	}}
	for _, obj := range []client.Object{stale, other} {
		if err := c.client.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	script, dir := fakeVtysh(t)
	proc := startProcess(t, "frr-status",
		[]string{"KUBECONFIG=" + c.kubeconfig, "VTYSH_CMD=" + script},
		"--node-name="+c.node, "--namespace="+c.namespace, "--pod-name="+c.pod.Name,
		"--poll-interval=1h", "--log-level=info")

	want := map[string]v1beta1.BGPSessionStateStatus{
		"/192.0.2.2": {Node: c.node, Peer: "192.0.2.2", BGPStatus: "Established", BFDStatus: "Up"},
		"/192.0.2.9": {Node: c.node, Peer: "192.0.2.9", BGPStatus: "Idle", BFDStatus: "N/A"},
		"/fd00-0000-0000-0000-0000-0000-0000-0002": {Node: c.node, Peer: "fd00-0000-0000-0000-0000-0000-0000-0002", BGPStatus: "Established", BFDStatus: "Down"},
		"red/192.0.2.10": {Node: c.node, Peer: "192.0.2.10", VRF: "red", BGPStatus: "Idle", BFDStatus: "N/A"},
	}
	waitStatuses := func(t *testing.T, want map[string]v1beta1.BGPSessionStateStatus) {
		t.Helper()
		frrtest.WaitFor(t, eventually, func() (bool, string) {
			got := map[string]v1beta1.BGPSessionStateStatus{}
			for key, s := range c.sessions(t) {
				got[key] = s.Status
			}
			diff := cmp.Diff(want, got)
			return diff == "", "(-want +got):\n" + diff
		})
	}
	waitStatuses(t, want)
	if err := c.client.Get(ctx, client.ObjectKeyFromObject(other), other); err != nil {
		t.Errorf("the other node's object is gone: %v", err)
	}

	// FRR changes; with an hour-long poll nothing notices until the
	// FRRNodeState changes. Wait for frr-status to be idle first: the
	// events of its own writes cause one more reconcile.
	calls := waitIdle(t, filepath.Join(dir, "calls"))
	writeFile(t, filepath.Join(dir, "default.json"),
		`{"192.0.2.2":{"bgpState":"Active","peerBfdInfo":{"status":"Down"}},"192.0.2.9":{"bgpState":"Idle"}}`)
	if again := waitIdle(t, filepath.Join(dir, "calls")); again != calls {
		t.Errorf("vtysh was called %d times without a trigger", again-calls)
	}
	if got := c.sessions(t)["/192.0.2.2"].Status.BGPStatus; got != "Established" {
		t.Errorf("BGPStatus changed to %q without a trigger", got)
	}
	c.touchNodeState(t, "success")
	want["/192.0.2.2"] = v1beta1.BGPSessionStateStatus{Node: c.node, Peer: "192.0.2.2", BGPStatus: "Active", BFDStatus: "Down"}
	delete(want, "/fd00-0000-0000-0000-0000-0000-0000-0002")
	waitStatuses(t, want)

	// The level follows FRRK8sConfiguration: at debug every reconcile logs.
	const debugLine = "BGPSessionStates reconciled"
	if strings.Contains(proc.Out.String(), debugLine) {
		t.Errorf("debug line logged at --log-level=info")
	}
	cfg := &v1beta1.FRRK8sConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: controller.FRRK8sConfigurationName, Namespace: c.namespace},
		Spec:       v1beta1.FRRK8sConfigurationSpec{LogLevel: "debug"},
	}
	if err := c.client.Create(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	attempt := 0
	frrtest.WaitFor(t, eventually, func() (bool, string) {
		attempt++
		c.touchNodeState(t, fmt.Sprintf("success %d", attempt))
		return strings.Contains(proc.Out.String(), debugLine), "no debug line yet"
	})

	// Deleting an object is a BGPSessionState event: it is recreated.
	s := c.sessions(t)["red/192.0.2.10"]
	if err := c.client.Delete(ctx, &s); err != nil {
		t.Fatal(err)
	}
	frrtest.WaitFor(t, eventually, func() (bool, string) {
		again, ok := c.sessions(t)["red/192.0.2.10"]
		return ok && again.UID != s.UID && again.Status.BGPStatus == "Idle", fmt.Sprintf("red session: %+v", again)
	})
	for key, s := range c.sessions(t) {
		if len(s.OwnerReferences) != 1 || s.OwnerReferences[0].UID != c.pod.UID || s.OwnerReferences[0].Kind != "Pod" {
			t.Errorf("%s is owned by %+v, want the daemon pod", key, s.OwnerReferences)
		}
	}
}

// TestStatusExitsWithoutItsPod checks that frr-status exits with status 1
// when it cannot read its own Pod.
func TestStatusExitsWithoutItsPod(t *testing.T) {
	c := newCluster(t, false)
	proc := startProcess(t, "frr-status", []string{"KUBECONFIG=" + c.kubeconfig, "VTYSH_CMD=/bin/false"},
		"--node-name="+c.node, "--namespace="+c.namespace, "--pod-name=missing")
	frrtest.WaitFor(t, eventually, func() (bool, string) {
		done := proc.Exited()
		return done, "still running"
	})
	if code := proc.Cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if !strings.Contains(proc.Out.String(), "missing") {
		t.Errorf("the error does not name the pod:\n%s", proc.Out.String())
	}
}
