package controller

import (
	"context"
	"errors"
	"testing"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/event"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

const cleanerNamespace = "frr-k8s-system"

// daemonPod is a pod of namespace on node with the given labels.
func daemonPod(namespace, name, node string, podLabels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: podLabels},
		Spec:       corev1.PodSpec{NodeName: node},
	}
}

// cleanerObjects are daemon pods on node-a and node-b, a pod of another
// component on node-c, a daemon-labelled pod of another namespace on
// node-d, and FRRNodeStates for node-a to node-e.
func cleanerObjects() []client.Object {
	daemon := map[string]string{"app.kubernetes.io/component": "frr-k8s"}
	objs := []client.Object{
		daemonPod(cleanerNamespace, "frr-k8s-a", "node-a", daemon),
		daemonPod(cleanerNamespace, "frr-k8s-b", "node-b", daemon),
		daemonPod(cleanerNamespace, "statuscleaner", "node-c", map[string]string{"app.kubernetes.io/component": "statuscleaner"}),
		daemonPod("elsewhere", "frr-k8s-d", "node-d", daemon),
	}
	for _, node := range []string{"node-a", "node-b", "node-c", "node-d", "node-e"} {
		objs = append(objs, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: node}})
	}
	return objs
}

// newCleaner returns a cleaner over a fake client holding objs.
func newCleaner(t *testing.T, funcs interceptor.Funcs, objs ...client.Object) (*NodeStateCleaner, client.Client) {
	t.Helper()
	selector, err := labels.Parse("app.kubernetes.io/component=frr-k8s")
	if err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(NewScheme()).WithObjects(objs...).WithInterceptorFuncs(funcs).Build()
	return &NodeStateCleaner{Client: c, Namespace: cleanerNamespace, PodSelector: selector, Logger: logr.Discard()}, c
}

// remainingStates lists the names of the FRRNodeStates left.
func remainingStates(t *testing.T, c client.Client) []string {
	t.Helper()
	states := &v1beta1.FRRNodeStateList{}
	if err := c.List(context.Background(), states); err != nil {
		t.Fatal(err)
	}
	var res []string
	for _, s := range states.Items {
		res = append(res, s.Name)
	}
	return res
}

func TestNodeStateCleanerDeletesStatesOfNodesWithoutDaemon(t *testing.T) {
	cleaner, c := newCleaner(t, interceptor.Funcs{}, cleanerObjects()...)
	for run := range 2 {
		if _, err := cleaner.Reconcile(context.Background(), nodeStateCleanerKey); err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
		if diff := cmp.Diff([]string{"node-a", "node-b"}, remainingStates(t, c)); diff != "" {
			t.Errorf("run %d: FRRNodeStates left (-want +got):\n%s", run+1, diff)
		}
	}
}

func TestNodeStateCleanerWithoutPodsDeletesEveryState(t *testing.T) {
	states := []client.Object{
		&v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: "node-a"}},
		&v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: "node-b"}},
	}
	cleaner, c := newCleaner(t, interceptor.Funcs{}, states...)
	if _, err := cleaner.Reconcile(context.Background(), nodeStateCleanerKey); err != nil {
		t.Fatal(err)
	}
	if got := remainingStates(t, c); len(got) != 0 {
		t.Errorf("FRRNodeStates left: %v", got)
	}
}

func TestNodeStateCleanerAggregatesDeleteErrors(t *testing.T) {
	failing := map[string]bool{"node-c": true, "node-e": true}
	funcs := interceptor.Funcs{
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			if failing[obj.GetName()] {
				return errors.New("refused")
			}
			return c.Delete(ctx, obj, opts...)
		},
	}
	cleaner, c := newCleaner(t, funcs, cleanerObjects()...)
	_, err := cleaner.Reconcile(context.Background(), nodeStateCleanerKey)
	want := "deleting FRRNodeState node-c: refused\ndeleting FRRNodeState node-e: refused"
	if err == nil || err.Error() != want {
		t.Fatalf("got error %v, want %q", err, want)
	}
	if diff := cmp.Diff([]string{"node-a", "node-b", "node-c", "node-e"}, remainingStates(t, c)); diff != "" {
		t.Errorf("FRRNodeStates left (-want +got):\n%s", diff)
	}
}

func TestNodeStateCleanerListErrors(t *testing.T) {
	tests := []struct {
		name    string
		failOn  func(client.ObjectList) bool
		wantErr string
	}{
		{
			name:    "pods",
			failOn:  func(l client.ObjectList) bool { _, ok := l.(*corev1.PodList); return ok },
			wantErr: "listing the daemon pods: no list",
		},
		{
			name:    "FRRNodeStates",
			failOn:  func(l client.ObjectList) bool { _, ok := l.(*v1beta1.FRRNodeStateList); return ok },
			wantErr: "listing FRRNodeStates: no list",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			deletes := 0
			funcs := interceptor.Funcs{
				List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
					if tc.failOn(list) {
						return errors.New("no list")
					}
					return c.List(ctx, list, opts...)
				},
				Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
					deletes++
					return c.Delete(ctx, obj, opts...)
				},
			}
			cleaner, _ := newCleaner(t, funcs, cleanerObjects()...)
			_, err := cleaner.Reconcile(context.Background(), nodeStateCleanerKey)
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("got error %v, want %q", err, tc.wantErr)
			}
			if deletes != 0 {
				t.Errorf("%d FRRNodeStates deleted after a failed list", deletes)
			}
		})
	}
}

func TestNodeStateCleanerEventFilters(t *testing.T) {
	pod := daemonPod(cleanerNamespace, "frr-k8s-a", "node-a", nil)
	otherPod := daemonPod("elsewhere", "frr-k8s-a", "node-a", nil)
	state := &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: "node-a"}}
	pods := podDeletedIn(cleanerNamespace)
	states := onlyCreations()
	got := map[string]bool{
		"pod create":             pods.Create(event.CreateEvent{Object: pod}),
		"pod update":             pods.Update(event.UpdateEvent{ObjectOld: pod, ObjectNew: pod}),
		"pod delete":             pods.Delete(event.DeleteEvent{Object: pod}),
		"pod generic":            pods.Generic(event.GenericEvent{Object: pod}),
		"other namespace delete": pods.Delete(event.DeleteEvent{Object: otherPod}),
		"state create":           states.Create(event.CreateEvent{Object: state}),
		"state update":           states.Update(event.UpdateEvent{ObjectOld: state, ObjectNew: state}),
		"state delete":           states.Delete(event.DeleteEvent{Object: state}),
		"state generic":          states.Generic(event.GenericEvent{Object: state}),
	}
	want := map[string]bool{
		"pod create": false, "pod update": false, "pod delete": true, "pod generic": false,
		"other namespace delete": false,
		"state create":           true, "state update": false, "state delete": false, "state generic": false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events passed (-want +got):\n%s", diff)
	}
}
