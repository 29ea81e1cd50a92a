package controller

import (
	"testing"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// filterReconciler is a reconciler whose event filters see objs.
func filterReconciler(t *testing.T, objs ...client.Object) *FRRConfigurationReconciler {
	t.Helper()
	return &FRRConfigurationReconciler{
		Client:    fake.NewClientBuilder().WithScheme(NewScheme()).WithObjects(objs...).Build(),
		NodeName:  daemonNode,
		Namespace: daemonNamespace,
		Logger:    logr.Discard(),
	}
}

// eventKinds runs a predicate on the four kinds of events for obj (old and
// new for updates) and returns which passed.
type eventResults struct{ Create, Update, Delete, Generic bool }

func runPredicate[T client.Object](p predicate.TypedPredicate[T], oldObj, newObj T) eventResults {
	return eventResults{
		Create:  p.Create(event.TypedCreateEvent[T]{Object: newObj}),
		Update:  p.Update(event.TypedUpdateEvent[T]{ObjectOld: oldObj, ObjectNew: newObj}),
		Delete:  p.Delete(event.TypedDeleteEvent[T]{Object: newObj}),
		Generic: p.Generic(event.TypedGenericEvent[T]{Object: newObj}),
	}
}

var (
	allPass = eventResults{true, true, true, true}
	noPass  = eventResults{}
)

func TestConfigFilter(t *testing.T) {
	edge := map[string]string{"role": "edge"}
	core := map[string]string{"role": "core"}
	bad := routerConfig("bad", 64512, nil)
	bad.Spec.NodeSelector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "role", Operator: "Bogus"}}
	elsewhere := routerConfig("a", 64512, nil)
	elsewhere.Namespace = "default"
	tests := []struct {
		name     string
		node     *corev1.Node // nil: not in the cache yet
		old, new *v1beta1.FRRConfiguration
		want     eventResults
	}{
		{"empty selector matches", daemonNodeObject(edge), routerConfig("a", 1, nil), routerConfig("a", 1, nil), allPass},
		{"matching selector", daemonNodeObject(edge), routerConfig("a", 1, edge), routerConfig("a", 1, edge), allPass},
		{"other node's config", daemonNodeObject(edge), routerConfig("a", 1, core), routerConfig("a", 1, core), noPass},
		{"hostname selector of another node", daemonNodeObject(map[string]string{"kubernetes.io/hostname": daemonNode}),
			routerConfig("a", 1, map[string]string{"kubernetes.io/hostname": "node-b"}),
			routerConfig("a", 1, map[string]string{"kubernetes.io/hostname": "node-b"}), noPass},
		{"selector stops matching", daemonNodeObject(edge), routerConfig("a", 1, edge), routerConfig("a", 1, core),
			eventResults{Update: true}},
		{"selector starts matching", daemonNodeObject(edge), routerConfig("a", 1, core), routerConfig("a", 1, edge), allPass},
		{"unparsable selector", daemonNodeObject(edge), bad, bad, allPass},
		{"other namespace", daemonNodeObject(edge), elsewhere, elsewhere, noPass},
		{"node not known yet", nil, routerConfig("a", 1, core), routerConfig("a", 1, core), allPass},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var objs []client.Object
			if tc.node != nil {
				objs = append(objs, tc.node)
			}
			r := filterReconciler(t, objs...)
			got := runPredicate(r.configFilter(), tc.old, tc.new)
			if got != tc.want {
				t.Errorf("passed = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSecretFilter(t *testing.T) {
	referenced := passwordSecret("pass", "x")
	unrelated := passwordSecret("other", "x")
	elsewhere := passwordSecret("pass", "x")
	elsewhere.Namespace = "default"
	r := filterReconciler(t)
	p := r.secretFilter()

	for _, s := range []*corev1.Secret{referenced, unrelated} {
		if got := runPredicate(p, s, s); got != allPass {
			t.Errorf("before the first success, %s: passed = %+v, want all", s.Name, got)
		}
	}
	if got := runPredicate(p, elsewhere, elsewhere); got != noPass {
		t.Errorf("other namespace: passed = %+v, want none", got)
	}

	r.secretRefs.record(sets.New("pass"))
	r.secretRefs.startFiltering()
	if got := runPredicate(p, referenced, referenced); got != allPass {
		t.Errorf("referenced secret: passed = %+v, want all", got)
	}
	if got := runPredicate(p, unrelated, unrelated); got != noPass {
		t.Errorf("unreferenced secret: passed = %+v, want none", got)
	}
	if got := runPredicate(p, elsewhere, elsewhere); got != noPass {
		t.Errorf("referenced name in another namespace: passed = %+v, want none", got)
	}
}

func TestSecretFilterFollowsReconciles(t *testing.T) {
	cfg := withPasswordSecret(routerConfig("a", 64512, nil), "pass")
	f := newDaemonFixture(t, interceptor.Funcs{}, daemonNodeObject(nil), cfg)
	p := f.reconciler.secretFilter()
	later := passwordSecret("pass", "x")
	unrelated := passwordSecret("other", "x")

	// The Secret is missing: the reconcile fails, every Secret still counts.
	if _, err := f.reconcile(t); err != nil {
		t.Fatal(err)
	}
	if got := runPredicate(p, unrelated, unrelated); got != allPass {
		t.Errorf("before a success, unrelated secret: passed = %+v, want all", got)
	}
	if err := f.reconciler.Client.Create(t.Context(), later); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reconcile(t); err != nil {
		t.Fatal(err)
	}
	if got := f.reconciler.ConversionResult(); got != ConversionSuccess {
		t.Fatalf("conversion result = %q", got)
	}
	if got := runPredicate(p, later, later); got != allPass {
		t.Errorf("referenced secret: passed = %+v, want all", got)
	}
	if got := runPredicate(p, unrelated, unrelated); got != noPass {
		t.Errorf("unrelated secret: passed = %+v, want none", got)
	}
}

func TestNodeFilter(t *testing.T) {
	own := daemonNodeObject(map[string]string{"a": "1"})
	relabelled := daemonNodeObject(map[string]string{"a": "2"})
	annotated := own.DeepCopy()
	annotated.Annotations = map[string]string{"x": "y"}
	annotated.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	other := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-b", Labels: map[string]string{"a": "1"}}}
	otherRelabelled := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-b", Labels: map[string]string{"a": "2"}}}
	p := filterReconciler(t).nodeFilter()
	tests := []struct {
		name     string
		old, new *corev1.Node
		want     eventResults
	}{
		{"label change", own, relabelled, allPass},
		{"status and annotation change", own, annotated, eventResults{Create: true, Delete: true, Generic: true}},
		{"other node", other, otherRelabelled, noPass},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := runPredicate(p, tc.old, tc.new); got != tc.want {
				t.Errorf("passed = %+v, want %+v", got, tc.want)
			}
		})
	}
}
