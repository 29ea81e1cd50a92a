package controller

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr"
)

// staticStatus is a ReloadStatusSource with a fixed status.
type staticStatus frr.ReloadStatus

func (s staticStatus) Status() frr.ReloadStatus { return frr.ReloadStatus(s) }

// nodeStateFixture is an FRRNodeStateReconciler over a fake client that
// counts status updates.
type nodeStateFixture struct {
	reconciler    *FRRNodeStateReconciler
	statusUpdates int
}

func newNodeStateFixture(t *testing.T, status frr.ReloadStatus, result string, objs ...client.Object) *nodeStateFixture {
	t.Helper()
	f := &nodeStateFixture{}
	c := fake.NewClientBuilder().WithScheme(NewScheme()).WithObjects(objs...).
		WithStatusSubresource(&v1beta1.FRRNodeState{}).
		WithInterceptorFuncs(interceptor.Funcs{
			SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
				f.statusUpdates++
				return c.SubResource(sub).Update(ctx, obj, opts...)
			},
		}).Build()
	f.reconciler = &FRRNodeStateReconciler{
		Client:           c,
		NodeName:         daemonNode,
		ReloadStatus:     staticStatus(status),
		ConversionResult: func() string { return result },
		Trigger:          NewTrigger(),
		Logger:           logr.Discard(),
	}
	return f
}

func (f *nodeStateFixture) reconcile(t *testing.T) {
	t.Helper()
	req := reconcile.Request{NamespacedName: types.NamespacedName{Name: daemonNode}}
	if _, err := f.reconciler.Reconcile(context.Background(), req); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
}

func (f *nodeStateFixture) stored(t *testing.T) *v1beta1.FRRNodeState {
	t.Helper()
	state := &v1beta1.FRRNodeState{}
	if err := f.reconciler.Client.Get(context.Background(), types.NamespacedName{Name: daemonNode}, state); err != nil {
		t.Fatalf("get FRRNodeState: %v", err)
	}
	return state
}

func TestFRRNodeStateCreatesAndFillsStatus(t *testing.T) {
	status := frr.ReloadStatus{
		Raw:              "1700000000 failure",
		LastReloadResult: "line 3: neighbor 192.0.2.2 password s3cret\n% Unknown command",
		RunningConfig:    "router bgp 64512\n neighbor 192.0.2.2 password s3cret\nexit\n",
	}
	f := newNodeStateFixture(t, status, "failed: boom")
	for range 2 {
		f.reconcile(t)
	}
	want := v1beta1.FRRNodeStateStatus{
		RunningConfig:        "router bgp 64512\n neighbor 192.0.2.2 password <retracted>\nexit\n",
		LastReloadResult:     "line 3: neighbor 192.0.2.2 password <retracted>\n% Unknown command",
		LastConversionResult: "failed: boom",
	}
	if diff := cmp.Diff(want, f.stored(t).Status); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	if f.statusUpdates != 1 {
		t.Errorf("%d status updates over two reconciles, want 1", f.statusUpdates)
	}
}

func TestFRRNodeStateUnchangedStatusIsNotWritten(t *testing.T) {
	existing := &v1beta1.FRRNodeState{
		ObjectMeta: metav1.ObjectMeta{Name: daemonNode},
		Status:     v1beta1.FRRNodeStateStatus{RunningConfig: "frr\n", LastReloadResult: "success", LastConversionResult: "success"},
	}
	f := newNodeStateFixture(t, frr.ReloadStatus{RunningConfig: "frr\n", LastReloadResult: "success"}, "success", existing)
	f.reconcile(t)
	if f.statusUpdates != 0 {
		t.Errorf("%d status updates, want none", f.statusUpdates)
	}
}

func TestFRRNodeStateCapsLargeTexts(t *testing.T) {
	line := "ip prefix-list a seq 1 permit 192.0.2.0/24\n"
	running := strings.Repeat(line, frr.RunningConfigCap/len(line)+10)
	f := newNodeStateFixture(t, frr.ReloadStatus{RunningConfig: running, LastReloadResult: "success"}, "success")
	f.reconcile(t)
	got := f.stored(t).Status.RunningConfig
	if len(got) > frr.RunningConfigCap {
		t.Errorf("runningConfig is %d bytes, more than the cap %d", len(got), frr.RunningConfigCap)
	}
	if want := frr.Cap(running, frr.RunningConfigCap); got != want {
		t.Errorf("runningConfig does not end as frr.Cap says: ...%q", got[len(got)-60:])
	}
}

func TestFRRNodeStateErrorsAreReturned(t *testing.T) {
	f := newNodeStateFixture(t, frr.ReloadStatus{}, "success")
	f.reconciler.Client = interceptor.NewClient(fake.NewClientBuilder().WithScheme(NewScheme()).Build(), interceptor.Funcs{
		Create: func(context.Context, client.WithWatch, client.Object, ...client.CreateOption) error {
			return errors.New("boom")
		},
	})
	_, err := f.reconciler.Reconcile(context.Background(), reconcile.Request{})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Reconcile error = %v, want the create error", err)
	}
}
