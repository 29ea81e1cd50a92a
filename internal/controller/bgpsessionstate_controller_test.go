package controller

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr/vtysh"
	"github.com/frrk8s/frrk8s/internal/frr/vtysh/vtyshtest"
)

const (
	sessionTestNode      = "node-a"
	sessionTestNamespace = "frr-k8s-system"
	sessionTestPodUID    = types.UID("pod-uid-1")
)

var (
	pollRequest     = reconcile.Request{NamespacedName: types.NamespacedName{Name: sessionTestNode}}
	sessionsRequest = reconcile.Request{NamespacedName: types.NamespacedName{Namespace: sessionTestNamespace, Name: sessionTestNode}}
)

// writeCounter counts the writes that reach the fake API server.
type writeCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (w *writeCounter) add(kind string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.counts[kind]++
}

func (w *writeCounter) take() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.counts
	w.counts = map[string]int{}
	return c
}

type sessionFixture struct {
	client     client.Client
	frr        *vtyshtest.Fake
	writes     *writeCounter
	reconciler *BGPSessionStateReconciler
}

func newSessionFixture(t *testing.T, funcs interceptor.Funcs, objs ...client.Object) *sessionFixture {
	t.Helper()
	writes := &writeCounter{counts: map[string]int{}}
	counting := interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			writes.add("create")
			if funcs.Create != nil {
				return funcs.Create(ctx, c, obj, opts...)
			}
			return c.Create(ctx, obj, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			writes.add("patch")
			return c.Patch(ctx, obj, patch, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			writes.add("delete")
			if funcs.Delete != nil {
				return funcs.Delete(ctx, c, obj, opts...)
			}
			return c.Delete(ctx, obj, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			writes.add("statusPatch")
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			writes.add("update")
			return c.Update(ctx, obj, opts...)
		},
	}
	c := fake.NewClientBuilder().WithScheme(NewScheme()).WithObjects(objs...).
		WithStatusSubresource(&v1beta1.BGPSessionState{}).
		WithInterceptorFuncs(counting).Build()
	frr := vtyshtest.CapturedFake()
	return &sessionFixture{
		client: c,
		frr:    frr,
		writes: writes,
		reconciler: &BGPSessionStateReconciler{
			Client:    c,
			NodeName:  sessionTestNode,
			Namespace: sessionTestNamespace,
			DaemonPod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
				Name: "frr-k8s-abcde", Namespace: sessionTestNamespace, UID: sessionTestPodUID,
			}},
			FRR:          vtysh.NewClient(frr),
			PollInterval: 7 * time.Second,
			Logger:       logr.Discard(),
		},
	}
}

func (f *sessionFixture) reconcile(t *testing.T, req reconcile.Request) reconcile.Result {
	t.Helper()
	res, err := f.reconciler.Reconcile(context.Background(), req)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	return res
}

// sessionView is what a test checks of a BGPSessionState.
type sessionView struct {
	Labels map[string]string
	Status v1beta1.BGPSessionStateStatus
	Owners []metav1.OwnerReference
}

// sessions lists every BGPSessionState of the namespace, sorted by peer.
func (f *sessionFixture) sessions(t *testing.T) []v1beta1.BGPSessionState {
	t.Helper()
	var list v1beta1.BGPSessionStateList
	if err := f.client.List(context.Background(), &list, client.InNamespace(sessionTestNamespace)); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(list.Items, func(a, b v1beta1.BGPSessionState) int {
		return strings.Compare(a.Labels[v1beta1.SessionStateVRFLabel]+"/"+a.Labels[v1beta1.SessionStatePeerLabel],
			b.Labels[v1beta1.SessionStateVRFLabel]+"/"+b.Labels[v1beta1.SessionStatePeerLabel])
	})
	return list.Items
}

func views(items []v1beta1.BGPSessionState) []sessionView {
	var res []sessionView
	for _, s := range items {
		res = append(res, sessionView{Labels: s.Labels, Status: s.Status, Owners: s.OwnerReferences})
	}
	return res
}

var podOwner = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: "frr-k8s-abcde", UID: sessionTestPodUID}}

func wantView(vrf, peer, bgp, bfd string) sessionView {
	return sessionView{
		Labels: map[string]string{
			v1beta1.SessionStateNodeLabel: sessionTestNode,
			v1beta1.SessionStatePeerLabel: peer,
			v1beta1.SessionStateVRFLabel:  vrf,
		},
		Status: v1beta1.BGPSessionStateStatus{Node: sessionTestNode, Peer: peer, VRF: vrf, BGPStatus: bgp, BFDStatus: bfd},
		Owners: podOwner,
	}
}

// capturedViews is what the captured FRR output must give.
var capturedViews = []sessionView{
	wantView("", "192.0.2.2", "Established", "Up"),
	wantView("", "192.0.2.9", "Idle", BFDStatusNotAvailable),
	wantView("", "fd00-0000-0000-0000-0000-0000-0000-0002", "Established", "Down"),
	wantView("red", "192.0.2.10", "Idle", BFDStatusNotAvailable),
}

func TestBGPSessionStateCreatesOnePerSessionAndIsIdempotent(t *testing.T) {
	f := newSessionFixture(t, interceptor.Funcs{})
	res := f.reconcile(t, pollRequest)
	if res.RequeueAfter != 7*time.Second {
		t.Errorf("RequeueAfter for the FRRNodeState request = %v, want the poll interval", res.RequeueAfter)
	}
	items := f.sessions(t)
	if diff := cmp.Diff(capturedViews, views(items)); diff != "" {
		t.Errorf("sessions (-want +got):\n%s", diff)
	}
	for _, s := range items {
		if s.GenerateName != sessionTestNode+"-" || !strings.HasPrefix(s.Name, sessionTestNode+"-") {
			t.Errorf("object %q has generateName %q, want %q", s.Name, s.GenerateName, sessionTestNode+"-")
		}
		if s.OwnerReferences[0].Controller != nil {
			t.Errorf("owner reference of %s is a controller reference", s.Name)
		}
	}
	if diff := cmp.Diff(map[string]int{"create": 4, "statusPatch": 4}, f.writes.take()); diff != "" {
		t.Errorf("writes of the first reconcile (-want +got):\n%s", diff)
	}

	// Same FRR state: nothing is written, whatever the request.
	for _, req := range []reconcile.Request{pollRequest, sessionsRequest} {
		res := f.reconcile(t, req)
		if diff := cmp.Diff(map[string]int{}, f.writes.take()); diff != "" {
			t.Errorf("writes of a reconcile without changes (-want +got):\n%s", diff)
		}
		if req == sessionsRequest && res.RequeueAfter != 0 {
			t.Errorf("RequeueAfter for a BGPSessionState request = %v, want 0", res.RequeueAfter)
		}
	}
	if diff := cmp.Diff(items, f.sessions(t)); diff != "" {
		t.Errorf("objects changed without a change in FRR (-before +after):\n%s", diff)
	}
}

func TestBGPSessionStateFromFRR10Output(t *testing.T) {
	f := newSessionFixture(t, interceptor.Funcs{})
	f.reconciler.FRR = vtysh.NewClient(vtyshtest.CapturedFakeOf(vtyshtest.FRR10))
	f.reconcile(t, pollRequest)
	want := slices.Clone(capturedViews)
	want[2] = wantView("", "fd00-0000-0000-0000-0000-0000-0000-0002", "Idle", "Down")
	if diff := cmp.Diff(want, views(f.sessions(t))); diff != "" {
		t.Errorf("sessions (-want +got):\n%s", diff)
	}
}

func TestBGPSessionStateFollowsStateChanges(t *testing.T) {
	f := newSessionFixture(t, interceptor.Funcs{})
	f.reconcile(t, pollRequest)
	f.writes.take()
	f.frr.Set("show bgp vrf default neighbors json", `{
		"192.0.2.2":{"bgpState":"Active","peerBfdInfo":{"status":"Down"}},
		"192.0.2.9":{"bgpState":"Idle"},
		"fd00::2":{"bgpState":"Established","peerBfdInfo":{"status":"Down"}}}`)
	f.reconcile(t, pollRequest)
	want := slices.Clone(capturedViews)
	want[0] = wantView("", "192.0.2.2", "Active", "Down")
	if diff := cmp.Diff(want, views(f.sessions(t))); diff != "" {
		t.Errorf("sessions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"statusPatch": 1}, f.writes.take()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestBGPSessionStateDeletesStaleSessions(t *testing.T) {
	otherNode := &v1beta1.BGPSessionState{ObjectMeta: metav1.ObjectMeta{
		Name: "node-b-xyz", Namespace: sessionTestNamespace,
		Labels: map[string]string{v1beta1.SessionStateNodeLabel: "node-b", v1beta1.SessionStatePeerLabel: "192.0.2.77", v1beta1.SessionStateVRFLabel: ""},
	}}
	f := newSessionFixture(t, interceptor.Funcs{}, otherNode)
	f.reconcile(t, pollRequest)
	f.writes.take()
	// The neighbor 192.0.2.9 and VRF red disappear from FRR.
	f.frr.Set("show bgp vrf all json", `{"default":{}}`)
	f.frr.Set("show bgp vrf default neighbors json", `{
		"192.0.2.2":{"bgpState":"Established","peerBfdInfo":{"status":"Up"}},
		"fd00::2":{"bgpState":"Established","peerBfdInfo":{"status":"Down"}}}`)
	f.reconcile(t, sessionsRequest)
	got := f.sessions(t)
	want := []sessionView{
		capturedViews[0],
		{Labels: otherNode.Labels},
		capturedViews[2],
	}
	if diff := cmp.Diff(want, views(got)); diff != "" {
		t.Errorf("sessions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"delete": 2}, f.writes.take()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func existingSession(name, vrf, peer string, created time.Time, status v1beta1.BGPSessionStateStatus) *v1beta1.BGPSessionState {
	return &v1beta1.BGPSessionState{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: sessionTestNamespace,
			CreationTimestamp: metav1.NewTime(created),
			Labels: map[string]string{
				v1beta1.SessionStateNodeLabel: sessionTestNode,
				v1beta1.SessionStatePeerLabel: peer,
				v1beta1.SessionStateVRFLabel:  vrf,
			},
			OwnerReferences: podOwner,
		},
		Status: status,
	}
}

func TestBGPSessionStateDeletesDuplicatesKeepingTheOldest(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	stale := v1beta1.BGPSessionStateStatus{Node: sessionTestNode, Peer: "192.0.2.2", BGPStatus: "Connect", BFDStatus: "Down"}
	f := newSessionFixture(t, interceptor.Funcs{},
		existingSession("node-a-newer", "", "192.0.2.2", t0.Add(time.Minute), stale),
		existingSession("node-a-oldest", "", "192.0.2.2", t0, stale),
		existingSession("node-a-aaa", "", "192.0.2.2", t0.Add(time.Minute), stale),
		// Same peer, other VRF: not a duplicate (and stale).
		existingSession("node-a-blue", "blue", "192.0.2.2", t0, stale),
	)
	f.reconcile(t, sessionsRequest)
	got := f.sessions(t)
	if diff := cmp.Diff(capturedViews, views(got)); diff != "" {
		t.Errorf("sessions (-want +got):\n%s", diff)
	}
	if got[0].Name != "node-a-oldest" {
		t.Errorf("kept %s for 192.0.2.2, want the oldest object", got[0].Name)
	}
	if diff := cmp.Diff(map[string]int{"delete": 3, "create": 3, "statusPatch": 4}, f.writes.take()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	f.reconcile(t, sessionsRequest)
	if diff := cmp.Diff(map[string]int{}, f.writes.take()); diff != "" {
		t.Errorf("writes of the second reconcile (-want +got):\n%s", diff)
	}
}

func TestBGPSessionStateAdoptsObjectsOfAPreviousPod(t *testing.T) {
	want := capturedViews[0]
	old := existingSession("node-a-old", "", "192.0.2.2", time.Now(), want.Status)
	old.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: "frr-k8s-old", UID: "old-uid"}}
	old.Labels["extra"] = "kept"
	f := newSessionFixture(t, interceptor.Funcs{}, old)
	f.reconcile(t, sessionsRequest)
	var got v1beta1.BGPSessionState
	if err := f.client.Get(context.Background(), client.ObjectKeyFromObject(old), &got); err != nil {
		t.Fatal(err)
	}
	wantOwners := append(slices.Clone(old.OwnerReferences), podOwner...)
	if diff := cmp.Diff(wantOwners, got.OwnerReferences); diff != "" {
		t.Errorf("owner references (-want +got):\n%s", diff)
	}
	if got.Labels["extra"] != "kept" || got.Status != want.Status {
		t.Errorf("object = %+v, want the extra label kept and the status unchanged", got.ObjectMeta)
	}
	if diff := cmp.Diff(map[string]int{"patch": 1, "create": 3, "statusPatch": 3}, f.writes.take()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestBGPSessionStateFRRErrorKeepsObjects(t *testing.T) {
	f := newSessionFixture(t, interceptor.Funcs{})
	f.reconcile(t, pollRequest)
	f.writes.take()
	f.frr.Fail("show bgp vrf all json", errors.New("bgpd is not running"))
	res, err := f.reconciler.Reconcile(context.Background(), pollRequest)
	if err == nil || !strings.Contains(err.Error(), "bgpd is not running") {
		t.Errorf("Reconcile error = %v, want FRR's", err)
	}
	if res.RequeueAfter != 7*time.Second {
		t.Errorf("RequeueAfter = %v, want the poll interval", res.RequeueAfter)
	}
	if diff := cmp.Diff(map[string]int{}, f.writes.take()); diff != "" {
		t.Errorf("writes while FRR cannot be read (-want +got):\n%s", diff)
	}
	if len(f.sessions(t)) != len(capturedViews) {
		t.Errorf("objects were removed while FRR could not be read")
	}
}

func TestBGPSessionStateAggregatesErrors(t *testing.T) {
	f := newSessionFixture(t, interceptor.Funcs{
		Create: func(context.Context, client.WithWatch, client.Object, ...client.CreateOption) error {
			return errors.New("quota exceeded")
		},
		Delete: func(context.Context, client.WithWatch, client.Object, ...client.DeleteOption) error {
			return errors.New("forbidden")
		},
	}, existingSession("node-a-gone", "", "192.0.2.250", time.Now(), v1beta1.BGPSessionStateStatus{}))
	_, err := f.reconciler.Reconcile(context.Background(), sessionsRequest)
	if err == nil {
		t.Fatal("Reconcile succeeded although every write failed")
	}
	msg := err.Error()
	if strings.Count(msg, "quota exceeded") != len(capturedViews) || !strings.Contains(msg, "forbidden") {
		t.Errorf("error = %q, want every create and the delete error", msg)
	}
	if diff := cmp.Diff(map[string]int{"create": 4, "delete": 1}, f.writes.take()); diff != "" {
		t.Errorf("attempted writes (-want +got):\n%s", diff)
	}
}

func TestBGPSessionPeerName(t *testing.T) {
	tests := map[string]string{
		"192.0.2.2":          "192.0.2.2",
		"2001:db8::1":        "2001-0db8-0000-0000-0000-0000-0000-0001",
		"fd00::2":            "fd00-0000-0000-0000-0000-0000-0000-0002",
		"FD00:0:0:0:0:0:0:a": "fd00-0000-0000-0000-0000-0000-0000-000a",
		"fe80::1%veth0":      "fe80-0000-0000-0000-0000-0000-0000-0001-veth0",
		"::ffff:192.0.2.1":   "0000-0000-0000-0000-0000-ffff-c000-0201",
		"veth0":              "veth0",
		"eth0.100":           "eth0.100",
	}
	for in, want := range tests {
		if got := BGPSessionPeerName(in); got != want {
			t.Errorf("BGPSessionPeerName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBGPSessionStateCacheOptions(t *testing.T) {
	opts := BGPSessionStateCacheOptions(sessionTestNode, sessionTestNamespace)
	if !opts.ReaderFailOnMissingInformer {
		t.Error("uncached kinds would be cached lazily")
	}
	for obj, by := range opts.ByObject {
		switch obj.(type) {
		case *v1beta1.BGPSessionState:
			if by.Label.String() != v1beta1.SessionStateNodeLabel+"="+sessionTestNode || len(by.Namespaces) != 1 {
				t.Errorf("BGPSessionState scope = %v in %v", by.Label, by.Namespaces)
			}
		case *v1beta1.FRRNodeState:
			if by.Field.String() != "metadata.name="+sessionTestNode {
				t.Errorf("FRRNodeState scope = %v", by.Field)
			}
		case *v1beta1.FRRK8sConfiguration:
			if _, ok := by.Namespaces[sessionTestNamespace]; !ok || len(by.Namespaces) != 1 {
				t.Errorf("FRRK8sConfiguration namespaces = %v", by.Namespaces)
			}
		default:
			t.Errorf("unexpected cached kind %T", obj)
		}
	}
	if len(opts.ByObject) != 3 {
		t.Errorf("%d cached kinds, want 3", len(opts.ByObject))
	}
}
