package daemontest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/controller"
	"github.com/frrk8s/frrk8s/internal/e2eharness"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m))
}

// waitTimeout bounds every wait of these tests; the conditions usually
// hold within a second.
const waitTimeout = 20 * time.Second

// fakeHandoff records the configs the reconciler hands to FRR.
type fakeHandoff struct {
	mu      sync.Mutex
	applied []*frr.Config
}

// ApplyConfig implements controller.ConfigApplier.
func (h *fakeHandoff) ApplyConfig(c *frr.Config) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.applied = append(h.applied, c)
	return nil
}

// count is the number of configs applied so far.
func (h *fakeHandoff) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.applied)
}

// latest is the config applied last, nil before the first.
func (h *fakeHandoff) latest() *frr.Config {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.applied) == 0 {
		return nil
	}
	return h.applied[len(h.applied)-1]
}

// fakeReloadStatus is a reload status the test sets, published to the
// FRRNodeState reconciler as the hand-off's OnStatus does.
type fakeReloadStatus struct {
	mu      sync.Mutex
	status  frr.ReloadStatus
	trigger *controller.Trigger
}

// Status implements controller.ReloadStatusSource.
func (s *fakeReloadStatus) Status() frr.ReloadStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// publish stores a new status and signals it.
func (s *fakeReloadStatus) publish(status frr.ReloadStatus) {
	s.mu.Lock()
	s.status = status
	s.mu.Unlock()
	s.trigger.Fire()
}

// daemon is one instance of the /frr-k8s reconcilers, for its own node and
// namespace, running in a manager against the shared API server.
type daemon struct {
	node, namespace string
	client          client.Client // direct to the API server
	handoff         *fakeHandoff
	status          *fakeReloadStatus
	metrics         *controller.Metrics

	mu     sync.Mutex
	levels []string
}

// startDaemon creates a namespace and a node name for the test and starts
// the daemon's controllers wired as cmd/frr-k8s-controller does, with the
// fake hand-off. The Node object itself is left to the test.
func startDaemon(t *testing.T) *daemon {
	t.Helper()
	env := testenv.Require(t)
	suffix := e2eharness.RandomSuffix(4)
	d := &daemon{
		node:      "node-" + suffix,
		namespace: "frr-k8s-" + suffix,
		client:    env.Client,
		handoff:   &fakeHandoff{},
	}
	d.create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: d.namespace}})
	t.Cleanup(func() { d.deleteNodeState(t) })

	skip := true
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:                 scheme.Scheme,
		Cache:                  controller.DaemonCacheOptions(d.node, d.namespace),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: &skip},
		Logger:                 logr.Discard(),
	})
	if err != nil {
		t.Fatalf("create manager: %v", err)
	}
	d.metrics, err = controller.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	trigger := controller.NewTrigger()
	d.status = &fakeReloadStatus{trigger: trigger}
	configs := &controller.FRRConfigurationReconciler{
		Client:          mgr.GetClient(),
		NodeName:        d.node,
		Namespace:       d.namespace,
		DefaultLogLevel: "info",
		FRR:             d.handoff,
		Metrics:         d.metrics,
		OnResultChange:  trigger.Fire,
		Logger:          logr.Discard(),
	}
	setups := []interface{ SetupWithManager(ctrl.Manager) error }{
		configs,
		&controller.FRRNodeStateReconciler{
			Client: mgr.GetClient(), NodeName: d.node, ReloadStatus: d.status,
			ConversionResult: configs.ConversionResult, Trigger: trigger, Logger: logr.Discard(),
		},
		&controller.LogLevelReconciler{
			Client: mgr.GetClient(), Namespace: d.namespace, DefaultLevel: "info",
			SetLevel: d.recordLevel, Logger: logr.Discard(),
		},
	}
	for _, s := range setups {
		if err := s.SetupWithManager(mgr); err != nil {
			t.Fatalf("set up controller: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	return d
}

// recordLevel is the log-level reconciler's SetLevel.
func (d *daemon) recordLevel(level string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.levels = append(d.levels, level)
}

// lastLevel is the level set last, "" when none was.
func (d *daemon) lastLevel() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.levels) == 0 {
		return ""
	}
	return d.levels[len(d.levels)-1]
}

// create creates obj and deletes it at cleanup.
func (d *daemon) create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := d.client.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
	t.Cleanup(func() {
		err := d.client.Delete(context.Background(), obj)
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete %T %s: %v", obj, obj.GetName(), err)
		}
	})
}

// update reads obj's latest version, changes it and writes it back.
func (d *daemon) update(t *testing.T, obj client.Object, change func()) {
	t.Helper()
	if err := d.client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatalf("get %T %s: %v", obj, obj.GetName(), err)
	}
	change()
	if err := d.client.Update(context.Background(), obj); err != nil {
		t.Fatalf("update %T %s: %v", obj, obj.GetName(), err)
	}
}

// delete deletes obj.
func (d *daemon) delete(t *testing.T, obj client.Object) {
	t.Helper()
	if err := d.client.Delete(context.Background(), obj); err != nil {
		t.Fatalf("delete %T %s: %v", obj, obj.GetName(), err)
	}
}

// deleteNodeState removes the node's FRRNodeState (envtest has no
// garbage collector and no cleaner).
func (d *daemon) deleteNodeState(t *testing.T) {
	state := &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: d.node}}
	if err := d.client.Delete(context.Background(), state); err != nil && !apierrors.IsNotFound(err) {
		t.Errorf("delete FRRNodeState %s: %v", d.node, err)
	}
}

// createNode creates this daemon's Node with labels.
func (d *daemon) createNode(t *testing.T, labels map[string]string) *corev1.Node {
	t.Helper()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: d.node, Labels: labels}}
	d.create(t, node)
	return node
}

// nodeState returns the node's FRRNodeState, nil when it does not exist.
func (d *daemon) nodeState(t *testing.T) *v1beta1.FRRNodeState {
	t.Helper()
	state := &v1beta1.FRRNodeState{}
	err := d.client.Get(context.Background(), types.NamespacedName{Name: d.node}, state)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("get FRRNodeState: %v", err)
	}
	return state
}

// metricValues are the four client metrics.
type metricValues struct {
	Updates, Errors, Loaded, Stale float64
}

func (d *daemon) metricValues() metricValues {
	return metricValues{
		Updates: testutil.ToFloat64(d.metrics.Updates),
		Errors:  testutil.ToFloat64(d.metrics.UpdateErrors),
		Loaded:  testutil.ToFloat64(d.metrics.ConfigLoaded),
		Stale:   testutil.ToFloat64(d.metrics.ConfigStale),
	}
}

// waitFor polls cond until it holds, failing the test after waitTimeout
// with the last description cond gave.
func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last seen: %s", what, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitApplied waits until the config applied last satisfies cond.
func (d *daemon) waitApplied(t *testing.T, what string, cond func(c *frr.Config) bool) *frr.Config {
	t.Helper()
	var got *frr.Config
	waitFor(t, what, func() (bool, string) {
		got = d.handoff.latest()
		return got != nil && cond(got), fmt.Sprintf("%+v", got)
	})
	return got
}

// waitConversionResult waits until the FRRNodeState reports result.
func (d *daemon) waitConversionResult(t *testing.T, result string) *v1beta1.FRRNodeState {
	t.Helper()
	var state *v1beta1.FRRNodeState
	waitFor(t, "FRRNodeState lastConversionResult "+result, func() (bool, string) {
		state = d.nodeState(t)
		if state == nil {
			return false, "no FRRNodeState"
		}
		return state.Status.LastConversionResult == result, fmt.Sprintf("%q", state.Status.LastConversionResult)
	})
	return state
}

// routerASNs lists the ASN of each router of a model.
func routerASNs(c *frr.Config) []uint32 {
	var res []uint32
	for _, r := range c.Routers {
		res = append(res, r.ASN)
	}
	return res
}

// hasRouters reports whether the model's routers have exactly these ASNs.
func hasRouters(asns ...uint32) func(*frr.Config) bool {
	return func(c *frr.Config) bool { return slices.Equal(routerASNs(c), asns) }
}

// frrConfig is an FRRConfiguration of the daemon's namespace with one
// router (asn) and one neighbor, for nodes matching selector.
func (d *daemon) frrConfig(name string, asn uint32, selector map[string]string) *v1beta1.FRRConfiguration {
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: d.namespace},
		Spec: v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchLabels: selector},
			BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{
				ASN:       asn,
				Neighbors: []v1beta1.Neighbor{{ASN: 64600, Address: "192.0.2.2"}},
				Prefixes:  []string{"198.51.100.0/24"},
			}}},
		},
	}
}
