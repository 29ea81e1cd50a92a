package webhooks

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

// deniedPrefix starts every denial the API server returns to a client.
const deniedPrefix = `admission webhook "` + Name + `" denied the request: `

// pollTimeout bounds every wait on the API server or the cache.
const pollTimeout = 30 * time.Second

// warningRecorder keeps the warnings the API server returns.
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

// HandleWarningHeaderWithContext implements rest.WarningHandlerWithContext.
func (r *warningRecorder) HandleWarningHeaderWithContext(_ context.Context, _ int, _ string, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, text)
}

// take returns the warnings recorded so far and forgets them.
func (r *warningRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.warnings
	r.warnings = nil
	return res
}

// fixture is the webhook served to the shared API server, reading from a
// real informer cache, and a client that records warnings.
type fixture struct {
	client   client.Client
	warnings *warningRecorder
	cache    cache.Cache
}

// setupOnce creates the namespaces and the nodes of testNodes.
var setupOnce sync.Once

// serving starts the cache and the webhook server for one test, stopped
// when it ends (the API server only stops quickly once no watch is left),
// and creates the namespaces and the nodes of testNodes once.
func serving(t *testing.T) *fixture {
	t.Helper()
	env := testenv.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	c, err := cache.New(env.Config, cache.Options{Scheme: scheme.Scheme})
	if err != nil {
		t.Fatalf("creating the cache: %v", err)
	}
	wg.Go(func() { _ = c.Start(ctx) })
	if err := WarmUp(ctx, c); err != nil {
		t.Fatal(err)
	}
	opts := env.WebhookOptions()
	server := webhook.NewServer(webhook.Options{Host: opts.LocalServingHost, Port: opts.LocalServingPort, CertDir: opts.LocalServingCertDir})
	Register(server, NewHandler(scheme.Scheme, CacheLister{Cache: c}, logr.Discard()))
	wg.Go(func() { _ = server.Start(ctx) })
	started := server.StartedChecker()
	if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, pollTimeout, true, func(context.Context) (bool, error) {
		return started(nil) == nil, nil
	}); err != nil {
		t.Fatalf("waiting for the webhook server: %v", err)
	}

	cfg := rest.CopyConfig(env.Config)
	recorder := &warningRecorder{}
	cfg.WarningHandlerWithContext = recorder
	cl, err := client.New(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		t.Fatalf("creating the client: %v", err)
	}
	setupOnce.Do(func() { createNodes(t, cl) })
	f := &fixture{client: cl, warnings: recorder, cache: c}
	if err := f.waitForCache(ctx, func(nodes []Node, _ []*v1beta1.FRRConfiguration) bool { return len(nodes) == len(testNodes) }); err != nil {
		t.Fatalf("waiting for the nodes in the cache: %v", err)
	}
	return f
}

// createNodes creates the namespaces and the nodes of testNodes.
func createNodes(t *testing.T, cl client.Client) {
	ctx := context.Background()
	for _, name := range []string{ns, "other"} {
		if err := cl.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
			t.Fatalf("creating namespace %s: %v", name, err)
		}
	}
	for _, n := range testNodes {
		if err := cl.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: n.Labels}}); err != nil {
			t.Fatalf("creating node %s: %v", n.Name, err)
		}
	}
}

// waitForCache polls the webhook's cache until done holds.
func (f *fixture) waitForCache(ctx context.Context, done func([]Node, []*v1beta1.FRRConfiguration) bool) error {
	lister := CacheLister{Cache: f.cache}
	return wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, pollTimeout, true, func(ctx context.Context) (bool, error) {
		nodes, err := lister.ListNodes(ctx)
		if err != nil {
			return false, err
		}
		configs, err := lister.ListConfigs(ctx)
		if err != nil {
			return false, err
		}
		return done(nodes, configs), nil
	})
}

// waitForVersion waits until the cache holds obj at its resourceVersion.
func (f *fixture) waitForVersion(t *testing.T, obj *v1beta1.FRRConfiguration) {
	t.Helper()
	err := f.waitForCache(context.Background(), func(_ []Node, configs []*v1beta1.FRRConfiguration) bool {
		for _, c := range configs {
			if c.UID == obj.UID && c.ResourceVersion == obj.ResourceVersion {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("waiting for %s/%s in the cache: %v", obj.Namespace, obj.Name, err)
	}
}

// apply creates obj, or updates the spec of the object of the same
// namespace and name, and waits for the cache when it succeeds.
func (f *fixture) apply(t *testing.T, obj *v1beta1.FRRConfiguration) error {
	t.Helper()
	ctx := context.Background()
	current := &v1beta1.FRRConfiguration{}
	err := f.client.Get(ctx, client.ObjectKeyFromObject(obj), current)
	switch {
	case apierrors.IsNotFound(err):
		if err := f.client.Create(ctx, obj); err != nil {
			return err
		}
		current = obj
	case err != nil:
		t.Fatalf("reading %s/%s: %v", obj.Namespace, obj.Name, err)
	default:
		current.Spec = obj.Spec
		if err := f.client.Update(ctx, current); err != nil {
			return err
		}
	}
	f.waitForVersion(t, current)
	return nil
}

// deleteAllConfigs removes every FRRConfiguration and waits for the cache.
func (f *fixture) deleteAllConfigs(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, namespace := range []string{ns, "other"} {
		if err := f.client.DeleteAllOf(ctx, &v1beta1.FRRConfiguration{}, client.InNamespace(namespace)); err != nil {
			t.Fatalf("deleting the configs of %s: %v", namespace, err)
		}
	}
	err := f.waitForCache(ctx, func(_ []Node, configs []*v1beta1.FRRConfiguration) bool { return len(configs) == 0 })
	if err != nil {
		t.Fatalf("waiting for the cache to empty: %v", err)
	}
}

// reproducibleThroughAPIServer reports whether the case can run through
// the API server: it needs no nodes of its own (the API server has
// testNodes) and nothing stops it before the webhook.
func (tc validateCase) reproducibleThroughAPIServer() bool {
	return tc.nodes == nil && tc.notThroughAPIServer == ""
}

// runThroughAPIServer creates the existing configs, then creates or
// updates the config under test through the API server, which calls the
// webhook, and checks the denial text and the warnings the client got.
func (tc validateCase) runThroughAPIServer(t *testing.T, f *fixture) {
	t.Cleanup(func() { f.deleteAllConfigs(t) })
	for _, id := range tc.existing {
		if err := f.apply(t, cfg(t, strings.TrimSuffix(id, "@old"), tc.specs[id])); err != nil {
			t.Fatalf("creating %s: %v", id, err)
		}
	}
	f.warnings.take()
	err := f.apply(t, cfg(t, tc.cfg, tc.specs[tc.cfg]))
	gotErr := ""
	if err != nil {
		gotErr = err.Error()
	}
	wantErr := ""
	if tc.wantErr != "" {
		wantErr = deniedPrefix + tc.wantErr
	}
	if diff := cmp.Diff(wantErr, gotErr); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(tc.wantWarnings, f.warnings.take()); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestThroughAPIServer(t *testing.T) {
	f := serving(t)
	tables := []struct {
		name  string
		cases []validateCase
	}{
		{"denials", denialCases()},
		{"admissions", admissionCases()},
		{"warnings", warningCases()},
	}
	for _, table := range tables {
		t.Run(table.name, func(t *testing.T) {
			for _, tc := range table.cases {
				if !tc.reproducibleThroughAPIServer() {
					continue
				}
				t.Run(tc.name, func(t *testing.T) { tc.runThroughAPIServer(t, f) })
			}
		})
	}
}

// storelessCache hides the informers' stores, so CacheLister lists.
type storelessCache struct{ cache.Cache }

// GetInformer returns the informer without its GetStore method.
func (c storelessCache) GetInformer(ctx context.Context, obj client.Object, opts ...cache.InformerGetOption) (cache.Informer, error) {
	i, err := c.Cache.GetInformer(ctx, obj, opts...)
	if err != nil {
		return nil, err
	}
	return struct{ cache.Informer }{i}, nil
}

func TestCacheLister(t *testing.T) {
	f := serving(t)
	t.Cleanup(func() { f.deleteAllConfigs(t) })
	for _, id := range []string{"a", "other/b"} {
		if err := f.apply(t, cfg(t, id, neighborSpec("", "192.0.2.1", ""))); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, obj := range []client.Object{nodeMetadata(), &v1beta1.FRRConfiguration{}} {
		informer, err := f.cache.GetInformer(ctx, obj)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := informer.(storeInformer); !ok {
			t.Errorf("the %T informer exposes no store: every admission would copy the cache", obj)
		}
	}
	for name, lister := range map[string]CacheLister{"store": {Cache: f.cache}, "list": {Cache: storelessCache{f.cache}}} {
		t.Run(name, func(t *testing.T) {
			nodes, err := lister.ListNodes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var nodeNames []string
			for _, n := range nodes {
				nodeNames = append(nodeNames, n.Name+" zone="+n.Labels["zone"])
			}
			slices.Sort(nodeNames)
			if diff := cmp.Diff([]string{"node-a zone=a", "node-b zone=a", "node-c zone=b"}, nodeNames); diff != "" {
				t.Errorf("nodes (-want +got):\n%s", diff)
			}
			configs, err := lister.ListConfigs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var configNames []string
			for _, c := range configs {
				configNames = append(configNames, c.Namespace+"/"+c.Name)
			}
			slices.Sort(configNames)
			if diff := cmp.Diff([]string{ns + "/a", "other/b"}, configNames); diff != "" {
				t.Errorf("configs (-want +got):\n%s", diff)
			}
		})
	}
}
