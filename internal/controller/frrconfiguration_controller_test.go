package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
	"github.com/frrk8s/frrk8s/internal/frr"
)

// Names used by the daemon tests.
const (
	daemonNode      = "node-a"
	daemonNamespace = "frr-k8s-system"
)

// recordingApplier is a ConfigApplier that remembers what it was given.
type recordingApplier struct {
	mu      sync.Mutex
	applied []*frr.Config
	err     error
}

func (a *recordingApplier) ApplyConfig(c *frr.Config) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	a.applied = append(a.applied, c)
	return nil
}

// configs returns the configs applied so far.
func (a *recordingApplier) configs() []*frr.Config {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*frr.Config(nil), a.applied...)
}

// daemonNodeObject is this node with the given labels.
func daemonNodeObject(labels map[string]string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: daemonNode, Labels: labels}}
}

// routerConfig is an FRRConfiguration of the daemon namespace with one
// router and one neighbor, for nodes matching selector.
func routerConfig(name string, asn uint32, selector map[string]string) *v1beta1.FRRConfiguration {
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: daemonNamespace},
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

// withPasswordSecret makes the config's neighbor use a passwordSecret.
func withPasswordSecret(cfg *v1beta1.FRRConfiguration, secret string) *v1beta1.FRRConfiguration {
	cfg.Spec.BGP.Routers[0].Neighbors[0].PasswordSecret = v1beta1.SecretReference{Name: secret, Namespace: daemonNamespace}
	return cfg
}

// passwordSecret is a basic-auth Secret of the daemon namespace.
func passwordSecret(name, password string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: daemonNamespace},
		Type:       corev1.SecretTypeBasicAuth,
		Data:       map[string][]byte{"password": []byte(password)},
	}
}

// daemonFixture is an FRRConfigurationReconciler over a fake client.
type daemonFixture struct {
	reconciler    *FRRConfigurationReconciler
	applier       *recordingApplier
	resultChanges int
}

// newDaemonFixture builds the reconciler over objs; funcs intercept the
// fake client's calls.
func newDaemonFixture(t *testing.T, funcs interceptor.Funcs, objs ...client.Object) *daemonFixture {
	t.Helper()
	c := fake.NewClientBuilder().WithScheme(NewScheme()).WithObjects(objs...).WithInterceptorFuncs(funcs).
		WithIndex(&v1beta1.FRRConfiguration{}, ConfigSelectorIndex, ConfigSelectorIndexValue).Build()
	metrics, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	f := &daemonFixture{applier: &recordingApplier{}}
	f.reconciler = &FRRConfigurationReconciler{
		Client:          c,
		NodeName:        daemonNode,
		Namespace:       daemonNamespace,
		DefaultLogLevel: "info",
		FRR:             f.applier,
		Metrics:         metrics,
		OnResultChange:  func() { f.resultChanges++ },
		Logger:          logr.Discard(),
	}
	return f
}

// reconcile runs one reconcile of the single key.
func (f *daemonFixture) reconcile(t *testing.T) (reconcile.Result, error) {
	t.Helper()
	req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: daemonNamespace, Name: FRRConfigurationKeyName}}
	return f.reconciler.Reconcile(context.Background(), req)
}

// metricValues are the four client metrics.
type metricValues struct {
	Updates, Errors, Loaded, Stale float64
}

func (f *daemonFixture) metrics() metricValues {
	m := f.reconciler.Metrics
	return metricValues{
		Updates: testutil.ToFloat64(m.Updates),
		Errors:  testutil.ToFloat64(m.UpdateErrors),
		Loaded:  testutil.ToFloat64(m.ConfigLoaded),
		Stale:   testutil.ToFloat64(m.ConfigStale),
	}
}

// expectedModel converts the configs as the reconciler should.
func expectedModel(t *testing.T, level string, secrets map[string]corev1.Secret, configs ...*v1beta1.FRRConfiguration) *frr.Config {
	t.Helper()
	in := convert.Input{Secrets: convert.SecretsByName(secrets), LogLevel: level}
	for _, c := range configs {
		in.Configs = append(in.Configs, *c)
	}
	model, err := convert.Convert(in)
	if err != nil {
		t.Fatalf("converting the expected model: %v", err)
	}
	return model
}

func TestFRRConfigurationReconcile(t *testing.T) {
	edge := map[string]string{"role": "edge"}
	badSelector := routerConfig("bad", 64512, nil)
	badSelector.Spec.NodeSelector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "role", Operator: "Bogus"}}
	otherNamespace := routerConfig("elsewhere", 64999, nil)
	otherNamespace.Namespace = "default"
	errBoom := errors.New("boom")

	tests := []struct {
		name        string
		objs        []client.Object
		funcs       interceptor.Funcs
		applyErr    error
		wantApplied *frr.Config // nil: nothing applied
		wantResult  string      // prefix of the conversion result
		wantErr     bool
		wantMetrics metricValues // after one reconcile
	}{
		{
			name:        "no configs applies the empty config",
			objs:        []client.Object{daemonNodeObject(nil)},
			wantApplied: &frr.Config{LogLevel: "informational"},
			wantResult:  "success",
			wantMetrics: metricValues{Updates: 1},
		},
		{
			name:        "no configs at the FRRK8sConfiguration level",
			objs:        []client.Object{daemonNodeObject(nil), logLevelConfig("debug")},
			wantApplied: &frr.Config{LogLevel: "debugging"},
			wantResult:  "success",
			wantMetrics: metricValues{Updates: 1},
		},
		{
			name:        "a matching config is converted and applied",
			objs:        []client.Object{daemonNodeObject(edge), routerConfig("a", 64512, edge)},
			wantApplied: expectedModel(t, "info", nil, routerConfig("a", 64512, edge)),
			wantResult:  "success",
			wantMetrics: metricValues{Updates: 1, Loaded: 1},
		},
		{
			name:        "the log level reaches the model",
			objs:        []client.Object{daemonNodeObject(nil), routerConfig("a", 64512, nil), logLevelConfig("all")},
			wantApplied: expectedModel(t, "debug", nil, routerConfig("a", 64512, nil)),
			wantResult:  "success",
			wantMetrics: metricValues{Updates: 1, Loaded: 1},
		},
		{
			name:        "configs for other nodes and namespaces are left out",
			objs:        []client.Object{daemonNodeObject(nil), routerConfig("a", 64512, edge), otherNamespace},
			wantApplied: expectedModel(t, "info", nil),
			wantResult:  "success",
			wantMetrics: metricValues{Updates: 1, Loaded: 1},
		},
		{
			name: "a referenced secret provides the password",
			objs: []client.Object{daemonNodeObject(nil), withPasswordSecret(routerConfig("a", 64512, nil), "pass"),
				passwordSecret("pass", "s3cret")},
			wantApplied: expectedModel(t, "info", map[string]corev1.Secret{"pass": *passwordSecret("pass", "s3cret")},
				withPasswordSecret(routerConfig("a", 64512, nil), "pass")),
			wantResult:  "success",
			wantMetrics: metricValues{Updates: 1, Loaded: 1},
		},
		{
			name:        "a merge conflict is not retried",
			objs:        []client.Object{daemonNodeObject(nil), routerConfig("a", 64512, nil), routerConfig("b", 64513, nil)},
			wantResult:  "failed: different asns (64512 != 64513) specified for same vrf:  (field asn: 64512 in frr-k8s-system/a, 64513 in frr-k8s-system/b)",
			wantMetrics: metricValues{Updates: 1, Errors: 1, Stale: 1},
		},
		{
			name:        "a missing secret is a conversion error",
			objs:        []client.Object{daemonNodeObject(nil), withPasswordSecret(routerConfig("a", 64512, nil), "missing")},
			wantResult:  "failed: failed to process neighbor 64600@192.0.2.2 for router 64512-: secret missing not found for neighbor 64600@192.0.2.2 (FRRConfiguration frr-k8s-system/a)",
			wantMetrics: metricValues{Updates: 1, Errors: 1, Stale: 1},
		},
		{
			name:        "an unparsable selector is retried",
			objs:        []client.Object{daemonNodeObject(nil), badSelector},
			wantResult:  "failed: could not parse nodeSelector for FRRConfiguration frr-k8s-system/bad",
			wantErr:     true,
			wantMetrics: metricValues{Updates: 1, Errors: 1, Stale: 1},
		},
		{
			name:        "a missing node is retried without counting an error",
			objs:        []client.Object{routerConfig("a", 64512, nil)},
			wantResult:  "failed: getting node node-a",
			wantErr:     true,
			wantMetrics: metricValues{Updates: 1},
		},
		{
			name: "a list error is retried without counting an error",
			objs: []client.Object{daemonNodeObject(nil)},
			funcs: interceptor.Funcs{List: func(context.Context, client.WithWatch, client.ObjectList, ...client.ListOption) error {
				return errBoom
			}},
			wantResult:  "failed: listing FRRConfigurations: boom",
			wantErr:     true,
			wantMetrics: metricValues{Updates: 1},
		},
		{
			name: "a log level read error reports success and is retried",
			objs: []client.Object{daemonNodeObject(nil), routerConfig("a", 64512, nil)},
			funcs: interceptor.Funcs{Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
				if _, ok := obj.(*v1beta1.FRRK8sConfiguration); ok {
					return errBoom
				}
				return c.Get(ctx, key, obj, opts...)
			}},
			wantResult:  "success",
			wantErr:     true,
			wantMetrics: metricValues{Updates: 1},
		},
		{
			name: "a secret read error is retried without counting an error",
			objs: []client.Object{daemonNodeObject(nil), withPasswordSecret(routerConfig("a", 64512, nil), "pass")},
			funcs: interceptor.Funcs{Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
				if _, ok := obj.(*corev1.Secret); ok {
					return errBoom
				}
				return c.Get(ctx, key, obj, opts...)
			}},
			wantResult:  "failed: getting secret frr-k8s-system/pass: boom",
			wantErr:     true,
			wantMetrics: metricValues{Updates: 1},
		},
		{
			name:        "an apply error is counted and retried",
			objs:        []client.Object{daemonNodeObject(nil), routerConfig("a", 64512, nil)},
			applyErr:    errBoom,
			wantResult:  "failed: applying the configuration: boom",
			wantErr:     true,
			wantMetrics: metricValues{Updates: 1, Errors: 1, Stale: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newDaemonFixture(t, tc.funcs, tc.objs...)
			f.applier.err = tc.applyErr
			for run := 1; run <= 2; run++ {
				res, err := f.reconcile(t)
				if (err != nil) != tc.wantErr {
					t.Fatalf("run %d: Reconcile error = %v, want error: %v", run, err, tc.wantErr)
				}
				if res != (reconcile.Result{}) {
					t.Errorf("run %d: Reconcile result = %+v, want none", run, res)
				}
				if got := f.reconciler.ConversionResult(); !strings.HasPrefix(got, tc.wantResult) {
					t.Errorf("run %d: conversion result = %q, want prefix %q", run, got, tc.wantResult)
				}
				applied := f.applier.configs()
				if tc.wantApplied == nil {
					if len(applied) != 0 {
						t.Fatalf("run %d: applied %d configs, want none", run, len(applied))
					}
				} else {
					if len(applied) != run {
						t.Fatalf("run %d: applied %d configs, want %d", run, len(applied), run)
					}
					if diff := cmp.Diff(tc.wantApplied, applied[run-1]); diff != "" {
						t.Errorf("run %d: applied config (-want +got):\n%s", run, diff)
					}
				}
				want := tc.wantMetrics
				want.Updates *= float64(run)
				want.Errors *= float64(run)
				if diff := cmp.Diff(want, f.metrics()); diff != "" {
					t.Errorf("run %d: metrics (-want +got):\n%s", run, diff)
				}
			}
			if f.resultChanges != 1 {
				t.Errorf("conversion result changed %d times over two identical reconciles, want 1", f.resultChanges)
			}
		})
	}
}

func TestFRRConfigurationReconcileRecoversAndKeepsLoaded(t *testing.T) {
	node := daemonNodeObject(nil)
	f := newDaemonFixture(t, interceptor.Funcs{}, node, routerConfig("a", 64512, nil))
	if _, err := f.reconcile(t); err != nil {
		t.Fatal(err)
	}
	conflicting := routerConfig("b", 64513, nil)
	if err := f.reconciler.Client.Create(context.Background(), conflicting); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reconcile(t); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(metricValues{Updates: 2, Errors: 1, Loaded: 1, Stale: 1}, f.metrics()); diff != "" {
		t.Errorf("after the conflict, metrics (-want +got):\n%s", diff)
	}
	if got := len(f.applier.configs()); got != 1 {
		t.Errorf("after the conflict, %d configs applied, want only the first", got)
	}
	if err := f.reconciler.Client.Delete(context.Background(), conflicting); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reconcile(t); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(metricValues{Updates: 3, Errors: 1, Loaded: 1}, f.metrics()); diff != "" {
		t.Errorf("after the fix, metrics (-want +got):\n%s", diff)
	}
	if got := f.reconciler.ConversionResult(); got != ConversionSuccess {
		t.Errorf("after the fix, conversion result = %q", got)
	}
	if f.resultChanges != 3 {
		t.Errorf("conversion result changed %d times, want 3 (success, failed, success)", f.resultChanges)
	}
}

func TestFRRConfigurationReconcileDoesNotModifyCachedObjects(t *testing.T) {
	cfg := withPasswordSecret(routerConfig("a", 64512, nil), "pass")
	cfg.Spec.BGP.Routers[0].Neighbors = append(cfg.Spec.BGP.Routers[0].Neighbors, v1beta1.Neighbor{ASN: 64601, Address: "192.0.2.3", Password: "clear"})
	f := newDaemonFixture(t, interceptor.Funcs{}, daemonNodeObject(nil), cfg, passwordSecret("pass", "s3cret"))
	var logs strings.Builder
	f.reconciler.Logger = funcr.New(func(prefix, args string) { logs.WriteString(args + "\n") }, funcr.Options{Verbosity: 1})
	before := &v1beta1.FRRConfiguration{}
	key := types.NamespacedName{Namespace: daemonNamespace, Name: "a"}
	if err := f.reconciler.Client.Get(context.Background(), key, before); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reconcile(t); err != nil {
		t.Fatal(err)
	}
	after := &v1beta1.FRRConfiguration{}
	if err := f.reconciler.Client.Get(context.Background(), key, after); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("stored config changed (-before +after):\n%s", diff)
	}
	if !strings.Contains(logs.String(), retracted) || strings.Contains(logs.String(), "clear") {
		t.Errorf("debug dump does not retract passwords:\n%s", logs.String())
	}
}

func TestRedactedConfigRetractsPasswords(t *testing.T) {
	cfg := routerConfig("a", 64512, nil)
	cfg.Annotations = map[string]string{lastAppliedAnnotation: "{...password...}", "keep": "me"}
	cfg.Spec.BGP.Routers[0].Neighbors[0].Password = "s3cret"
	got := redactedConfig(cfg)
	if got.Spec.BGP.Routers[0].Neighbors[0].Password != retracted {
		t.Errorf("password = %q, want %q", got.Spec.BGP.Routers[0].Neighbors[0].Password, retracted)
	}
	if diff := cmp.Diff(map[string]string{"keep": "me"}, got.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	if cfg.Spec.BGP.Routers[0].Neighbors[0].Password != "s3cret" {
		t.Error("redactedConfig modified its input")
	}
}

func TestDaemonCacheOptionsScopeEveryWatchedKind(t *testing.T) {
	opts := DaemonCacheOptions(daemonNode, daemonNamespace)
	got := map[string]string{}
	for obj, by := range opts.ByObject {
		scope := ""
		if by.Field != nil {
			scope = "field " + by.Field.String()
		}
		for ns := range by.Namespaces {
			scope += "namespace " + ns
		}
		kind := fmt.Sprintf("%T", obj)
		got[kind[strings.LastIndex(kind, ".")+1:]] = scope
	}
	want := map[string]string{
		"Node":                "field metadata.name=node-a",
		"FRRNodeState":        "field metadata.name=node-a",
		"FRRConfiguration":    "namespace frr-k8s-system",
		"Secret":              "namespace frr-k8s-system",
		"FRRK8sConfiguration": "namespace frr-k8s-system",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cache scopes (-want +got):\n%s", diff)
	}
}

func TestDaemonCacheStripsWhatTheDaemonNeverReads(t *testing.T) {
	opts := DaemonCacheOptions(daemonNode, daemonNamespace)
	var configTransform func(any) (any, error)
	for obj, by := range opts.ByObject {
		if _, ok := obj.(*v1beta1.FRRConfiguration); ok {
			configTransform = by.Transform
		}
	}
	if configTransform == nil {
		t.Fatal("no cache transform for FRRConfigurations")
	}
	cfg := routerConfig("applied", 64512, nil)
	cfg.Annotations = map[string]string{lastAppliedAnnotation: `{"spec":{}}`, "team": "net"}
	cfg.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}
	in := cfg.DeepCopy()
	got, err := configTransform(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := in.DeepCopy()
	want.Annotations = map[string]string{"team": "net"}
	want.ManagedFields = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cached config (-want +got):\n%s", diff)
	}
}
