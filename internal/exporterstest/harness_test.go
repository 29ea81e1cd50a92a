package exporterstest

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/cienv"
	"github.com/frrk8s/frrk8s/internal/e2eharness"
	"github.com/frrk8s/frrk8s/internal/frrtest"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

// Generous deadlines: they bound a failing test, they do not measure speed.
const (
	eventually = 120 * time.Second
	startup    = 60 * time.Second
)

// build builds frr-status and frr-metrics once per test process.
var build = e2eharness.NewBuild("exporterstest-bin-", map[string]string{
	"frr-status":  "./cmd/status",
	"frr-metrics": "./cmd/metrics",
})

// startProcess runs one of the built binaries with extra environment until
// the test ends; its output is printed when the test failed. Without the
// binaries the test is skipped (failed under CI=true).
func startProcess(t *testing.T, name string, env []string, args ...string) *e2eharness.Process {
	t.Helper()
	path, err := build.Path(name)
	if err != nil {
		cienv.SkipOrFail(t, "%v", err)
	}
	return e2eharness.Start(t, name, nil, env, append([]string{path}, args...)...)
}

// cluster is the API server side of a test: its own namespace, node name
// and daemon pod, and a kubeconfig for the binaries.
type cluster struct {
	env        *testenv.Env
	client     client.Client
	clientset  *kubernetes.Clientset
	kubeconfig string
	namespace  string
	node       string
	pod        *corev1.Pod
}

// newCluster creates a namespace, the daemon Pod object (envtest has no
// kubelet) and, when withNodeState, the node's FRRNodeState.
func newCluster(t *testing.T, withNodeState bool) *cluster {
	t.Helper()
	env := testenv.Require(t)
	suffix := e2eharness.RandomSuffix(3)
	c := &cluster{
		env:       env,
		client:    env.Client,
		namespace: "exporters-" + suffix,
		node:      "node-" + suffix,
	}
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	c.clientset = cs
	c.kubeconfig = e2eharness.WriteKubeconfig(t, env.Config)
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: c.namespace}}
	if err := c.client.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	// envtest has no namespace controller: deleting the namespace does not
	// remove its objects, so delete them explicitly.
	t.Cleanup(func() {
		ctx := context.Background()
		_ = c.client.DeleteAllOf(ctx, &v1beta1.BGPSessionState{}, client.InNamespace(c.namespace))
		_ = c.client.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(c.namespace), client.GracePeriodSeconds(0))
		_ = c.client.Delete(ctx, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: c.node}})
		_ = c.client.Delete(ctx, ns)
	})
	c.pod = &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "frr-k8s-" + suffix, Namespace: c.namespace,
			Labels: map[string]string{"app.kubernetes.io/component": "frr-k8s"}},
		Spec: corev1.PodSpec{
			NodeName:   c.node,
			Containers: []corev1.Container{{Name: "frr-status", Image: "frr-k8s:test"}},
		},
	}
	if err := c.client.Create(ctx, c.pod); err != nil {
		t.Fatal(err)
	}
	if withNodeState {
		c.touchNodeState(t, "initial")
	}
	return c
}

// touchNodeState creates the node's FRRNodeState, or changes its status as
// the controller does after a reload.
func (c *cluster) touchNodeState(t *testing.T, result string) {
	t.Helper()
	ctx := context.Background()
	state := &v1beta1.FRRNodeState{}
	err := c.client.Get(ctx, client.ObjectKey{Name: c.node}, state)
	if err != nil {
		state = &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: c.node}}
		if err := c.client.Create(ctx, state); err != nil {
			t.Fatal(err)
		}
	}
	state.Status.LastReloadResult = result
	if err := c.client.Status().Update(ctx, state); err != nil {
		t.Fatal(err)
	}
}

// serviceAccountToken creates a service account in the test namespace,
// optionally allowed to GET /metrics, and returns a token for it.
func (c *cluster) serviceAccountToken(t *testing.T, name string, canReadMetrics bool) string {
	t.Helper()
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.namespace}}
	if err := c.client.Create(ctx, sa); err != nil {
		t.Fatal(err)
	}
	if canReadMetrics {
		role, binding := e2eharness.MetricsReaderRBAC(c.namespace+"-"+name, c.namespace, name)
		for _, obj := range []client.Object{role, binding} {
			if err := c.client.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.client.Delete(context.Background(), obj) })
		}
	}
	token, err := e2eharness.ServiceAccountToken(ctx, c.clientset, c.namespace, name)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// sessions returns the BGPSessionStates of the test node keyed by
// "<vrf>/<peer>" label.
func (c *cluster) sessions(t *testing.T) map[string]v1beta1.BGPSessionState {
	t.Helper()
	var list v1beta1.BGPSessionStateList
	if err := c.client.List(context.Background(), &list, client.InNamespace(c.namespace),
		client.MatchingLabels{v1beta1.SessionStateNodeLabel: c.node}); err != nil {
		t.Fatal(err)
	}
	res := map[string]v1beta1.BGPSessionState{}
	for _, s := range list.Items {
		res[s.Labels[v1beta1.SessionStateVRFLabel]+"/"+s.Labels[v1beta1.SessionStatePeerLabel]] = s
	}
	return res
}

// startStatus runs frr-status for the cluster's node against vtyshCmd.
func (c *cluster) startStatus(t *testing.T, vtyshCmd string, pollInterval time.Duration) *e2eharness.Process {
	t.Helper()
	return startProcess(t, "frr-status",
		[]string{"KUBECONFIG=" + c.kubeconfig, "VTYSH_CMD=" + vtyshCmd},
		"--node-name="+c.node, "--namespace="+c.namespace, "--pod-name="+c.pod.Name,
		"--poll-interval="+pollInterval.String(), "--log-level=debug")
}

// metricsServer is a running frr-metrics.
type metricsServer struct {
	proc *e2eharness.Process
	base string
	http *http.Client
}

// startMetrics runs frr-metrics on a loopback port against vtyshCmd and
// waits until it answers.
func (c *cluster) startMetrics(t *testing.T, vtyshCmd string) *metricsServer {
	t.Helper()
	port := e2eharness.FreePort(t)
	proc := startProcess(t, "frr-metrics",
		[]string{"KUBECONFIG=" + c.kubeconfig, "VTYSH_CMD=" + vtyshCmd},
		"--metrics-bind-address=127.0.0.1", fmt.Sprintf("--metrics-port=%d", port))
	m := &metricsServer{
		proc: proc,
		base: fmt.Sprintf("https://127.0.0.1:%d", port),
		// The certificate is self-signed in memory.
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // self-signed test server
		}},
	}
	frrtest.WaitFor(t, startup, func() (bool, string) {
		if proc.Exited() {
			t.Fatalf("frr-metrics exited: %v\n%s", proc.Err(), proc.Out.String())
		}
		code, _, err := m.get("/livez", "")
		return err == nil && code != 0, fmt.Sprintf("GET /livez: %d %v", code, err)
	})
	return m
}

// get fetches a path, with a bearer token when token is not empty.
func (m *metricsServer) get(path, token string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, m.base+path, nil)
	if err != nil {
		return 0, "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// scrape returns the metric families of one authorized scrape.
func (m *metricsServer) scrape(token string) (map[string]*dto.MetricFamily, error) {
	code, body, err := m.get("/metrics", token)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics = %d: %s", code, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader([]byte(body)))
	if err != nil {
		return nil, fmt.Errorf("parse the exposition: %w", err)
	}
	return families, nil
}

// value returns the value of one series, and whether it exists.
func value(families map[string]*dto.MetricFamily, name, peer, vrf string) (float64, bool) {
	f, ok := families[name]
	if !ok {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["peer"] != peer || labels["vrf"] != vrf {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		}
	}
	return 0, false
}

// expectation is one series condition of waitMetrics (VRF default).
type expectation struct {
	name, peer string
	cond       func(v float64, ok bool) bool
}

// expect builds an expectation on a series of the default VRF.
func expect(name, peer string, cond func(float64, bool) bool) expectation {
	return expectation{name: name, peer: peer, cond: cond}
}

// waitMetrics waits until one scrape satisfies every expectation and
// returns the values, keyed by name then peer.
func (m *metricsServer) waitMetrics(t *testing.T, token string, exps ...expectation) map[string]map[string]float64 {
	t.Helper()
	values := map[string]map[string]float64{}
	frrtest.WaitFor(t, eventually, func() (bool, string) {
		families, err := m.scrape(token)
		if err != nil {
			return false, err.Error()
		}
		var failed []string
		for _, e := range exps {
			v, ok := value(families, e.name, e.peer, "default")
			if values[e.name] == nil {
				values[e.name] = map[string]float64{}
			}
			values[e.name][e.peer] = v
			if !e.cond(v, ok) {
				failed = append(failed, fmt.Sprintf("%s{peer=%q} = %v (present %v)", e.name, e.peer, v, ok))
			}
		}
		return len(failed) == 0, strings.Join(failed, "; ")
	})
	return values
}

// anyValue is the condition of a series that exists.
func anyValue(_ float64, ok bool) bool { return ok }

// is returns a condition for waitMetric: the series exists with value want.
func is(want float64) func(float64, bool) bool {
	return func(v float64, ok bool) bool { return ok && v == want }
}

// above returns a condition: the series exists with a value above floor.
func above(floor float64) func(float64, bool) bool {
	return func(v float64, ok bool) bool { return ok && v > floor }
}

// absent is the condition of a series that is gone.
func absent(_ float64, ok bool) bool { return !ok }

// waitSession waits until the BGPSessionState of key ("<vrf>/<peer>")
// satisfies cond (nil when the object does not exist).
func (c *cluster) waitSession(t *testing.T, key string, cond func(*v1beta1.BGPSessionState) bool) *v1beta1.BGPSessionState {
	t.Helper()
	var got *v1beta1.BGPSessionState
	frrtest.WaitFor(t, eventually, func() (bool, string) {
		got = nil
		if s, ok := c.sessions(t)[key]; ok {
			got = &s
		}
		if got == nil {
			return cond(nil), fmt.Sprintf("no BGPSessionState %s", key)
		}
		return cond(got), fmt.Sprintf("BGPSessionState %s: %+v", key, got.Status)
	})
	return got
}

// hasStatus returns a condition on the BGP and BFD status of a session.
func hasStatus(bgp, bfd string) func(*v1beta1.BGPSessionState) bool {
	return func(s *v1beta1.BGPSessionState) bool {
		return s != nil && s.Status.BGPStatus == bgp && s.Status.BFDStatus == bfd
	}
}

// hostname is what FRR renders and reports.
func hostname(t *testing.T) string {
	t.Helper()
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(h)
}
