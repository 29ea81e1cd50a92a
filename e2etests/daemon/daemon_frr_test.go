package daemon

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/e2eharness"
	"github.com/frrk8s/frrk8s/internal/frrtest"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

// waitTimeout bounds each wait on FRR or the API server.
const waitTimeout = 45 * time.Second

// connectTime is the node's BGP connect retry timer in every config.
const connectTime = time.Second

// Prefixes of the test, all from documentation ranges and only ever routed
// between the two test namespaces.
const (
	advertised      = "203.0.113.0/26"  // the node originates it and allows it out
	notAdvertised   = "203.0.113.64/26" // the node originates it but filters it out at first
	accepted        = "198.51.100.0/26" // the peer sends it and the node accepts it
	notAccepted     = "198.51.100.64/26"
	neighborAddress = "192.0.2.2"
	nodeAddress     = "192.0.2.1"
	password        = "s3cret"
)

// peerConfig is the peer's FRR: AS 64513 with the session password and two
// originated prefixes, fast policy and connect timers.
const peerConfig = `bgp route-map delay-timer 1
router bgp 64513
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 192.0.2.1 remote-as 64512
 neighbor 192.0.2.1 password s3cret
 neighbor 192.0.2.1 timers connect 1
 address-family ipv4 unicast
  network 198.51.100.0/26
  network 198.51.100.64/26
 exit-address-family
exit
`

// TestDaemonWithFRR runs the daemon and the reloader binaries against a
// real API server and real FRR, on every FRR version available.
func TestDaemonWithFRR(t *testing.T) {
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		testDaemonWithFRR(t, v.Backend)
	})
}

// e2e is one run: the API objects, the two FRRs and the processes.
type e2e struct {
	client          client.Client
	node, namespace string
	frrNode, peer   *frrtest.Instance
	shared          string
	bins            binaries
	kubeconfig      string
	debounceMillis  int
	daemon          *e2eharness.Process
	reloader        *e2eharness.Process
	metrics         *metricsScraper
	session         *v1beta1.FRRConfiguration
	start           time.Time
	// reloaderEnv is added to the reloader's environment, after FRR's.
	reloaderEnv []string
	// reloadHold and reloadStarted are the files of holdReloads.
	reloadHold, reloadStarted string
}

// scenario is what a run starts with.
type scenario struct {
	// peerConfig is applied to the peer's FRR before anything else.
	peerConfig string
	// configs returns the objects created before the daemon starts, after
	// the namespace, the Node and the password Secret.
	configs func(e *e2e) []client.Object
	// debounceMillis is the daemon's --bgp-debounce-timeout.
	debounceMillis int
	// beforeStart, when set, runs once FRR is up, before the reloader and
	// the daemon start.
	beforeStart func(e *e2e)
}

// newE2E starts the session scenario: the peer with peerConfig, the node
// with timersConfig and sessionConfig (kept in e.session), the daemon with
// the given debounce window (milliseconds).
func newE2E(t testing.TB, backend frrtest.Backend, debounceMillis int) *e2e {
	t.Helper()
	return newE2EWith(t, backend, debounceMillis, nil)
}

// newE2EWith is newE2E with beforeStart run before the processes start.
func newE2EWith(t testing.TB, backend frrtest.Backend, debounceMillis int, beforeStart func(e *e2e)) *e2e {
	t.Helper()
	return startE2E(t, backend, scenario{
		peerConfig:     peerConfig,
		debounceMillis: debounceMillis,
		beforeStart:    beforeStart,
		configs: func(e *e2e) []client.Object {
			e.session = e.sessionConfig()
			return []client.Object{e.timersConfig(), e.session}
		},
	})
}

// startE2E starts FRR for the node and for the peer, creates the cluster
// objects and the scenario's configs, then starts the reloader and the
// daemon.
func startE2E(t testing.TB, backend frrtest.Backend, sc scenario) *e2e {
	t.Helper()
	env := testenv.Require(t)
	bins := buildBinaries(t)
	topo := frrtest.NewTopology(t)
	e := &e2e{
		start:          time.Now(),
		client:         env.Client,
		node:           "node-" + e2eharness.RandomSuffix(4),
		namespace:      "frr-k8s-" + e2eharness.RandomSuffix(4),
		frrNode:        frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(backend)),
		peer:           frrtest.StartFRR(t, topo.Peer, "peer", frrtest.WithBackend(backend)),
		shared:         t.TempDir(),
		bins:           bins,
		kubeconfig:     e2eharness.WriteKubeconfig(t, env.Config),
		debounceMillis: sc.debounceMillis,
	}
	t.Cleanup(func() { stopInParallel(e.frrNode, e.peer) })
	if err := e.peer.ApplyConfig(sc.peerConfig); err != nil {
		t.Fatal(err)
	}
	e.step(t, "FRR started")
	e.createClusterObjects(t)
	for _, obj := range sc.configs(e) {
		e.create(t, obj)
	}
	e.metrics = e.newMetricsScraper(t, env.Config)
	if sc.beforeStart != nil {
		sc.beforeStart(e)
	}
	e.startReloader(t)
	e.startDaemon(t)
	return e
}

func testDaemonWithFRR(t testing.TB, backend frrtest.Backend) {
	e := newE2E(t, backend, 200)
	cfg := e.session

	e.step(t, "Session, advertised and received prefixes, FRRNodeState")
	// Session, advertised and received prefixes, FRRNodeState.
	e.frrNode.WaitEstablished(t, neighborAddress, waitTimeout)
	e.peer.WaitEstablished(t, nodeAddress, waitTimeout)
	e.waitRoutes(t, e.peer, []string{advertised}, []string{notAdvertised})
	e.waitRoutes(t, e.frrNode, []string{accepted}, []string{notAccepted})
	state := e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
		return s.LastReloadResult == "success" && strings.Contains(s.RunningConfig, "router bgp 64512")
	})
	if !strings.Contains(state.Status.RunningConfig, "password <retracted>") || strings.Contains(state.Status.RunningConfig, password) {
		t.Errorf("runningConfig does not retract the password:\n%s", state.Status.RunningConfig)
	}
	connections := e.connectionsEstablished(t)
	e.checkMetricsNeedAuthentication(t)
	e.waitMetrics(t, "loaded", func(m clientMetrics) bool { return m.Loaded == 1 && m.Stale == 0 && m.Errors == 0 })

	e.step(t, "Changing a config changes FRR without tearing the session down")
	// Changing a config changes FRR without tearing the session down.
	e.update(t, cfg, func() {
		cfg.Spec.BGP.Routers[0].Neighbors[0].ToAdvertise.Allowed.Prefixes = []string{advertised, notAdvertised}
	})
	e.waitRoutes(t, e.peer, []string{advertised, notAdvertised}, nil)
	if got := e.connectionsEstablished(t); got != connections {
		t.Errorf("the session was re-established by a config change: connections %d → %d", connections, got)
	}

	e.step(t, "A merge conflict")
	// A merge conflict: nothing applied, the conflict reported (D6).
	running := e.runningConfig(t)
	conflicting := &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "conflicting", Namespace: e.namespace},
		Spec:       v1beta1.FRRConfigurationSpec{BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{ASN: 64999}}}},
	}
	e.create(t, conflicting)
	wantConflict := fmt.Sprintf("failed: different asns (64999 != 64512) specified for same vrf:  "+
		"(field asn: 64999 in %[1]s/conflicting, 64512 in %[1]s/e2e)", e.namespace)
	e.waitNodeState(t, wantConflict, nil)
	if got := e.runningConfig(t); got != running {
		t.Errorf("a rejected conversion changed FRR's running config:\nbefore:\n%s\nafter:\n%s", running, got)
	}
	e.frrNode.WaitEstablished(t, neighborAddress, waitTimeout)
	e.waitMetrics(t, "stale after the conflict", func(m clientMetrics) bool { return m.Loaded == 1 && m.Stale == 1 && m.Errors >= 1 })
	e.delete(t, conflicting)
	e.waitNodeState(t, "success", nil)
	e.waitMetrics(t, "not stale after the fix", func(m clientMetrics) bool { return m.Loaded == 1 && m.Stale == 0 })

	e.step(t, "A raw config FRR rejects")
	// A raw config FRR rejects: the reload fails with FRR's error, FRR keeps
	// the previous config and routing continues.
	e.create(t, &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "broken", Namespace: e.namespace},
		Spec: v1beta1.FRRConfigurationSpec{Raw: v1beta1.RawConfig{
			Priority: 10,
			Config:   "router bgp 64512\n  neighbor 192.0.2.2 no-such-keyword",
		}},
	})
	// The reload before it may still run: on FRR 10 one incremental
	// `vtysh -f` of a single line once stalled 47 s in mgmtd.
	e.waitNodeStateWithin(t, 2*time.Minute, "success", func(s v1beta1.FRRNodeStateStatus) bool {
		return strings.Contains(s.LastReloadResult, "no-such-keyword")
	})
	if got := e.runningConfig(t); got != running {
		t.Errorf("a config FRR rejected changed the running config:\nbefore:\n%s\nafter:\n%s", running, got)
	}
	if state, err := e.frrNode.NeighborState(neighborAddress); err != nil || state != frrtest.BGPEstablished {
		t.Errorf("session after the rejected reload = %q, %v; want Established", state, err)
	}
	e.waitRoutes(t, e.peer, []string{advertised, notAdvertised}, nil)
	e.waitRoutes(t, e.frrNode, []string{accepted}, []string{notAccepted})
	if got := e.connectionsEstablished(t); got != connections {
		t.Errorf("the session was re-established: connections %d → %d", connections, got)
	}
	e.step(t, "done")
	if e.daemon.Exited() {
		t.Error("the daemon exited")
	}
	if strings.Contains(e.daemon.Out.String(), password) {
		t.Error("the daemon logged the password")
	}
}

// stopInParallel stops FRR instances at the same time, which halves the
// cleanup: each bgpd takes seconds to leave its sessions.
func stopInParallel(instances ...*frrtest.Instance) {
	var wg sync.WaitGroup
	for _, inst := range instances {
		wg.Go(inst.Stop)
	}
	wg.Wait()
}

// step logs the start of a phase of the test with the time spent so far.
func (e *e2e) step(t testing.TB, name string) {
	t.Helper()
	t.Logf("%6.1fs %s", time.Since(e.start).Seconds(), name)
}

// createClusterObjects creates what the kubelet and the manifests would
// provide: the namespace, the Node and the password Secret.
func (e *e2e) createClusterObjects(t testing.TB) {
	t.Helper()
	e.create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: e.namespace}})
	e.create(t, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: e.node,
		Labels: map[string]string{"kubernetes.io/hostname": e.node}}})
	e.create(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "bgp-pass", Namespace: e.namespace},
		Type:       corev1.SecretTypeBasicAuth,
		Data:       map[string][]byte{"password": []byte(password)},
	})
	t.Cleanup(func() {
		state := &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: e.node}}
		if err := e.client.Delete(context.Background(), state); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete FRRNodeState: %v", err)
		}
	})
}

// startReloader runs the reloader on the shared volume, pointed at the
// node's FRR, and waits for its pid file.
func (e *e2e) startReloader(t testing.TB) {
	t.Helper()
	env := append([]string{"SHARED_VOLUME=" + e.shared}, e.frrNode.Env()...)
	env = append(env, e.reloaderEnv...)
	e.reloader = e2eharness.Start(t, "reloader", nil, env, e.bins.reloader)
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		return e2eharness.FileHolds(filepath.Join(e.shared, "reloader.pid"), strconv.Itoa(e.reloader.Pid()))
	})
}

// startDaemon runs /frr-k8s for the node with the shared volume and waits
// for its health probe; its metrics are served on a free local port, which
// e.metrics is pointed at.
func (e *e2e) startDaemon(t testing.TB) {
	t.Helper()
	probe := fmt.Sprintf("127.0.0.1:%d", e2eharness.FreePort(t))
	metrics := fmt.Sprintf("127.0.0.1:%d", e2eharness.FreePort(t))
	e.metrics.url = "https://" + metrics + "/metrics"
	env := []string{
		"KUBECONFIG=" + e.kubeconfig,
		"FRR_CONFIG_FILE=" + filepath.Join(e.shared, "frr.conf"),
		"FRR_RELOADER_PID_FILE=" + filepath.Join(e.shared, "reloader.pid"),
		"FRR_RELOADER_STATUS_DIR=" + e.shared,
	}
	e.daemon = e2eharness.Start(t, "frr-k8s", nil, env, e.bins.daemon,
		"--node-name="+e.node, "--namespace="+e.namespace, "--log-level=info",
		"--metrics-bind-address="+metrics, "--health-probe-bind-address="+probe,
		"--bgp-debounce-timeout="+strconv.Itoa(e.debounceMillis))
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		if e.daemon.Exited() {
			t.Fatalf("frr-k8s exited (%v):\n%s", e.daemon.Err(), e.daemon.Out.String())
		}
		resp, err := http.Get("http://" + probe + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
}

// checkMetricsNeedAuthentication checks that the metrics endpoint refuses
// a request without a token.
func (e *e2e) checkMetricsNeedAuthentication(t testing.TB) {
	t.Helper()
	code, _, err := e.metrics.get(false)
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusUnauthorized {
		t.Errorf("metrics without a token: status %d, want %d", code, http.StatusUnauthorized)
	}
}

// waitMetrics waits until the daemon's client metrics satisfy cond.
func (e *e2e) waitMetrics(t testing.TB, what string, cond func(clientMetrics) bool) {
	t.Helper()
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		m, err := e.metrics.read()
		if err != nil {
			return false, err.Error()
		}
		return cond(m), fmt.Sprintf("%s: %+v", what, m)
	})
}

// timersConfig makes FRR re-apply policies after 1 s instead of 5 s, so
// sessions and filter changes settle quickly. Raw text is appended to the
// last block of frr.conf (a router, or the bfd profiles): the leading exit
// leaves a router block, so that frr-reload.py sees the global command at
// top level, where `show running-config` shows it, and does not delete and
// re-add it on every reload.
func (e *e2e) timersConfig() *v1beta1.FRRConfiguration {
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "timers", Namespace: e.namespace},
		Spec:       v1beta1.FRRConfigurationSpec{Raw: v1beta1.RawConfig{Config: "exit\nbgp route-map delay-timer 1"}},
	}
}

// sessionConfig is the node's session to the peer: a password from the
// Secret, one of two originated prefixes allowed out, one of the peer's
// two prefixes allowed in; it selects the node by hostname as MetalLB does.
func (e *e2e) sessionConfig() *v1beta1.FRRConfiguration {
	connect := metav1.Duration{Duration: connectTime}
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "e2e", Namespace: e.namespace},
		Spec: v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/hostname": e.node}},
			BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{
				ASN:      64512,
				Prefixes: []string{advertised, notAdvertised},
				Neighbors: []v1beta1.Neighbor{{
					ASN:            64513,
					Address:        neighborAddress,
					PasswordSecret: v1beta1.SecretReference{Name: "bgp-pass", Namespace: e.namespace},
					ConnectTime:    &connect,
					ToAdvertise:    v1beta1.Advertise{Allowed: v1beta1.AllowedOutPrefixes{Prefixes: []string{advertised}}},
					ToReceive: v1beta1.Receive{Allowed: v1beta1.AllowedInPrefixes{
						Prefixes: []v1beta1.PrefixSelector{{Prefix: accepted}},
					}},
				}},
			}}},
		},
	}
}

// create creates obj and deletes it at cleanup.
func (e *e2e) create(t testing.TB, obj client.Object) {
	t.Helper()
	if err := e.client.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
	t.Cleanup(func() {
		if err := e.client.Delete(context.Background(), obj); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete %T %s: %v", obj, obj.GetName(), err)
		}
	})
}

// update reads obj's latest version, changes it and writes it back.
func (e *e2e) update(t testing.TB, obj client.Object, change func()) {
	t.Helper()
	if err := e.client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatal(err)
	}
	change()
	if err := e.client.Update(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
}

// delete deletes obj.
func (e *e2e) delete(t testing.TB, obj client.Object) {
	t.Helper()
	if err := e.client.Delete(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
}

// waitNodeState waits until the FRRNodeState reports the conversion result
// and, when given, cond holds for its status.
func (e *e2e) waitNodeState(t testing.TB, result string, cond func(v1beta1.FRRNodeStateStatus) bool) *v1beta1.FRRNodeState {
	t.Helper()
	return e.waitNodeStateWithin(t, waitTimeout, result, cond)
}

// waitNodeStateWithin is waitNodeState with its own timeout.
func (e *e2e) waitNodeStateWithin(t testing.TB, timeout time.Duration, result string, cond func(v1beta1.FRRNodeStateStatus) bool) *v1beta1.FRRNodeState {
	t.Helper()
	state := &v1beta1.FRRNodeState{}
	frrtest.WaitFor(t, timeout, func() (bool, string) {
		if err := e.client.Get(context.Background(), types.NamespacedName{Name: e.node}, state); err != nil {
			return false, err.Error()
		}
		ok := state.Status.LastConversionResult == result && (cond == nil || cond(state.Status))
		return ok, fmt.Sprintf("FRRNodeState status: conversion %q, reload %q", state.Status.LastConversionResult, state.Status.LastReloadResult)
	})
	return state
}

// waitRoutes waits until inst's IPv4 unicast BGP table holds every prefix
// of present and none of absent.
func (e *e2e) waitRoutes(t testing.TB, inst *frrtest.Instance, present, absent []string) {
	t.Helper()
	e.waitRoutesWithin(t, waitTimeout, inst, present, absent)
}

// waitRoutesWithin is waitRoutes with its own timeout.
func (e *e2e) waitRoutesWithin(t testing.TB, timeout time.Duration, inst *frrtest.Instance, present, absent []string) {
	t.Helper()
	frrtest.WaitFor(t, timeout, func() (bool, string) {
		routes, err := inst.IPv4Routes()
		if err != nil {
			return false, err.Error()
		}
		for _, p := range present {
			if !routes[p] {
				return false, fmt.Sprintf("%s has no route to %s", inst.Name(), p)
			}
		}
		for _, p := range absent {
			if routes[p] {
				return false, fmt.Sprintf("%s has a route to %s", inst.Name(), p)
			}
		}
		return true, ""
	})
}

// connectionsEstablished is how many times inst's session to neighbor has
// come up.
func connectionsEstablished(t testing.TB, inst *frrtest.Instance, neighbor string) int {
	t.Helper()
	var neighbors map[string]struct {
		ConnectionsEstablished int `json:"connectionsEstablished"`
	}
	if err := inst.VtyshJSON("show bgp neighbors "+neighbor+" json", &neighbors); err != nil {
		t.Fatal(err)
	}
	return neighbors[neighbor].ConnectionsEstablished
}

// connectionsEstablished is how many times the node's session to the peer
// has come up.
func (e *e2e) connectionsEstablished(t testing.TB) int {
	t.Helper()
	return connectionsEstablished(t, e.frrNode, neighborAddress)
}

// runningConfig is the node FRR's running configuration.
func (e *e2e) runningConfig(t testing.TB) string {
	t.Helper()
	out, err := e.frrNode.Vtysh("show running-config")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
