package controller

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr/vtysh"
)

// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=bgpsessionstates,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=bgpsessionstates/status,verbs=get;update;patch
// +kubebuilder:rbac:groups="",namespace=frr-k8s-system,resources=pods,verbs=get;list;watch

// BFDStatusNotAvailable is the bfdStatus of a session without BFD.
const BFDStatusNotAvailable = "N/A"

// DefaultPollInterval is the default --poll-interval of frr-status.
const DefaultPollInterval = 2 * time.Minute

// retryBaseDelay is the first retry delay of a failed reconcile; retries
// back off up to the poll interval.
const retryBaseDelay = 100 * time.Millisecond

// BGPNeighborSource reads the BGP neighbors of every VRF from FRR, keyed by
// FRR's VRF name (DefaultVRF for the default VRF) and then by neighbor
// address or interface; *vtysh.Client implements it.
type BGPNeighborSource interface {
	AllNeighbors(ctx context.Context) (map[string]map[string]vtysh.Neighbor, error)
}

// BGPSessionStateReconciler publishes one BGPSessionState per (VRF, peer)
// of this node's FRR in the daemon namespace.
type BGPSessionStateReconciler struct {
	// Client reads from the cache scoped by BGPSessionStateCacheOptions and
	// writes to the API server.
	Client client.Client
	// NodeName is the node frr-status runs on.
	NodeName string
	// Namespace is the daemon namespace, where the objects are created.
	Namespace string
	// DaemonPod owns every object (non-controller reference), so that they
	// are garbage-collected with it.
	DaemonPod *corev1.Pod
	// FRR gives the sessions.
	FRR BGPNeighborSource
	// PollInterval is how often FRR is read; DefaultPollInterval when zero.
	PollInterval time.Duration
	// Logger receives the reconciler's messages.
	Logger logr.Logger
}

// BGPSessionStateCacheOptions scopes frr-status's cache: this node's
// BGPSessionStates in the daemon namespace, this node's FRRNodeState, and
// the FRRK8sConfigurations of the namespace. Nothing else is cached.
func BGPSessionStateCacheOptions(nodeName, namespace string) cache.Options {
	return cache.Options{
		ByObject: map[client.Object]cache.ByObject{
			&v1beta1.BGPSessionState{}: {
				Namespaces: map[string]cache.Config{namespace: {}},
				Label:      labels.SelectorFromSet(labels.Set{v1beta1.SessionStateNodeLabel: nodeName}),
			},
			&v1beta1.FRRNodeState{}: {
				Field: fields.OneTermEqualSelector("metadata.name", nodeName),
			},
			&v1beta1.FRRK8sConfiguration{}: {
				Namespaces: map[string]cache.Config{namespace: {}},
			},
		},
		ReaderFailOnMissingInformer: true,
	}
}

// sessionKey identifies a session: the vrf and peer labels.
type sessionKey struct {
	vrf, peer string
}

func (k sessionKey) String() string {
	return fmt.Sprintf("vrf=%q peer=%q", k.vrf, k.peer)
}

// desiredSession is what one BGPSessionState must say.
type desiredSession struct {
	labels map[string]string
	status v1beta1.BGPSessionStateStatus
}

// Reconcile brings this node's BGPSessionStates in line with FRR's
// sessions. When the request is this node's FRRNodeState, it requeues
// after the poll interval, which makes the poll.
func (r *BGPSessionStateReconciler) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	result := ctrl.Result{}
	if r.isPollRequest(req) {
		result.RequeueAfter = r.pollInterval()
	}
	existing, err := r.listSessions(ctx)
	if err != nil {
		return result, err
	}
	current, duplicates := groupSessions(existing)
	errs := r.deleteAll(ctx, duplicates, "duplicate")

	desired, err := r.desiredSessions(ctx)
	if err != nil {
		return result, kerrors.NewAggregate(append(errs, err))
	}
	for _, key := range sortedSessionKeys(desired) {
		if err := r.apply(ctx, current[key], desired[key]); err != nil {
			errs = append(errs, fmt.Errorf("session %s: %w", key, err))
		}
	}
	var stale []*v1beta1.BGPSessionState
	for key, s := range current {
		if _, ok := desired[key]; !ok {
			stale = append(stale, s)
		}
	}
	errs = append(errs, r.deleteAll(ctx, stale, "stale")...)
	r.Logger.V(1).Info("BGPSessionStates reconciled", "request", req, "sessions", len(desired), "errors", len(errs))
	return result, kerrors.NewAggregate(errs)
}

func (r *BGPSessionStateReconciler) isPollRequest(req reconcile.Request) bool {
	return req.Namespace == "" && req.Name == r.NodeName
}

func (r *BGPSessionStateReconciler) pollInterval() time.Duration {
	if r.PollInterval <= 0 {
		return DefaultPollInterval
	}
	return r.PollInterval
}

// listSessions lists this node's BGPSessionStates.
func (r *BGPSessionStateReconciler) listSessions(ctx context.Context) ([]v1beta1.BGPSessionState, error) {
	var list v1beta1.BGPSessionStateList
	err := r.Client.List(ctx, &list, client.InNamespace(r.Namespace),
		client.MatchingLabels{v1beta1.SessionStateNodeLabel: r.NodeName})
	if err != nil {
		return nil, fmt.Errorf("listing BGPSessionStates: %w", err)
	}
	return list.Items, nil
}

// groupSessions indexes the objects by their vrf and peer labels, keeping
// the oldest of each group (then the first by name) and returning the others
// as duplicates.
func groupSessions(items []v1beta1.BGPSessionState) (map[sessionKey]*v1beta1.BGPSessionState, []*v1beta1.BGPSessionState) {
	sorted := make([]*v1beta1.BGPSessionState, len(items))
	for i := range items {
		sorted[i] = &items[i]
	}
	slices.SortStableFunc(sorted, func(a, b *v1beta1.BGPSessionState) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	current := map[sessionKey]*v1beta1.BGPSessionState{}
	var duplicates []*v1beta1.BGPSessionState
	for _, s := range sorted {
		key := sessionKey{vrf: s.Labels[v1beta1.SessionStateVRFLabel], peer: s.Labels[v1beta1.SessionStatePeerLabel]}
		if _, ok := current[key]; ok {
			duplicates = append(duplicates, s)
			continue
		}
		current[key] = s
	}
	return current, duplicates
}

// desiredSessions reads FRR and returns what every object must say.
func (r *BGPSessionStateReconciler) desiredSessions(ctx context.Context) (map[sessionKey]desiredSession, error) {
	all, err := r.FRR.AllNeighbors(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the BGP neighbors from FRR: %w", err)
	}
	desired := map[sessionKey]desiredSession{}
	for frrVRF, neighbors := range all {
		vrf := frrVRF
		if vrf == vtysh.DefaultVRF {
			vrf = ""
		}
		for neighbor, n := range neighbors {
			peer := BGPSessionPeerName(neighbor)
			bfd, ok := n.BFDStatus()
			if !ok {
				bfd = BFDStatusNotAvailable
			}
			desired[sessionKey{vrf: vrf, peer: peer}] = desiredSession{
				labels: map[string]string{
					v1beta1.SessionStateNodeLabel: r.NodeName,
					v1beta1.SessionStatePeerLabel: peer,
					v1beta1.SessionStateVRFLabel:  vrf,
				},
				status: v1beta1.BGPSessionStateStatus{
					Node:      r.NodeName,
					Peer:      peer,
					VRF:       vrf,
					BGPStatus: n.BGPState,
					BFDStatus: bfd,
				},
			}
		}
	}
	return desired, nil
}

// BGPSessionPeerName is the peer of a BGPSessionState (label and status) for
// an FRR neighbor key: IPv4 addresses and interface names as they are, IPv6
// addresses expanded with "-" for ":" (2001:db8::1 →
// 2001-0db8-0000-0000-0000-0000-0000-0001), which label values allow.
func BGPSessionPeerName(neighbor string) string {
	addr, err := netip.ParseAddr(neighbor)
	if err != nil || !addr.Is6() {
		return neighbor
	}
	return strings.NewReplacer(":", "-", "%", "-").Replace(addr.StringExpanded())
}

// apply creates the object of a session or patches the existing one; an
// object that already says the right thing is left alone.
func (r *BGPSessionStateReconciler) apply(ctx context.Context, current *v1beta1.BGPSessionState, want desiredSession) error {
	if current == nil {
		return r.create(ctx, want)
	}
	base := current.DeepCopy()
	s := current.DeepCopy()
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	maps.Copy(s.Labels, want.labels)
	if !r.ownedByDaemonPod(s) {
		s.OwnerReferences = append(s.OwnerReferences, r.ownerReference())
	}
	if !sameSessionMeta(base, s) {
		if err := r.Client.Patch(ctx, s, client.MergeFrom(base)); err != nil {
			return fmt.Errorf("patching BGPSessionState %s: %w", s.Name, err)
		}
		r.Logger.V(1).Info("BGPSessionState labels patched", "bgpsessionstate", klog.KObj(s))
	}
	if s.Status == want.status {
		return nil
	}
	return r.patchStatus(ctx, s, want.status)
}

// create creates the object with a generated name, then sets its status.
func (r *BGPSessionStateReconciler) create(ctx context.Context, want desiredSession) error {
	s := &v1beta1.BGPSessionState{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    r.NodeName + "-",
			Namespace:       r.Namespace,
			Labels:          want.labels,
			OwnerReferences: []metav1.OwnerReference{r.ownerReference()},
		},
	}
	if err := r.Client.Create(ctx, s); err != nil {
		return fmt.Errorf("creating BGPSessionState: %w", err)
	}
	r.Logger.V(1).Info("BGPSessionState created", "bgpsessionstate", klog.KObj(s))
	return r.patchStatus(ctx, s, want.status)
}

func (r *BGPSessionStateReconciler) patchStatus(ctx context.Context, s *v1beta1.BGPSessionState, status v1beta1.BGPSessionStateStatus) error {
	base := s.DeepCopy()
	s.Status = status
	if err := r.Client.Status().Patch(ctx, s, client.MergeFrom(base)); err != nil {
		return fmt.Errorf("patching the status of BGPSessionState %s: %w", s.Name, err)
	}
	r.Logger.V(1).Info("BGPSessionState status patched", "bgpsessionstate", klog.KObj(s),
		"bgpStatus", status.BGPStatus, "bfdStatus", status.BFDStatus)
	return nil
}

// deleteAll deletes the objects; already deleted ones count as done.
func (r *BGPSessionStateReconciler) deleteAll(ctx context.Context, items []*v1beta1.BGPSessionState, why string) []error {
	var errs []error
	for _, s := range items {
		if err := r.Client.Delete(ctx, s); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting %s BGPSessionState %s: %w", why, s.Name, err))
			continue
		}
		r.Logger.V(1).Info("BGPSessionState deleted", "bgpsessionstate", klog.KObj(s), "reason", why)
	}
	return errs
}

func (r *BGPSessionStateReconciler) ownerReference() metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion: "v1",
		Kind:       "Pod",
		Name:       r.DaemonPod.Name,
		UID:        r.DaemonPod.UID,
	}
}

func (r *BGPSessionStateReconciler) ownedByDaemonPod(s *v1beta1.BGPSessionState) bool {
	return slices.ContainsFunc(s.OwnerReferences, func(o metav1.OwnerReference) bool {
		return o.UID == r.DaemonPod.UID
	})
}

// sameSessionMeta compares what apply may change in the metadata.
func sameSessionMeta(a, b *v1beta1.BGPSessionState) bool {
	return maps.Equal(a.Labels, b.Labels) && len(a.OwnerReferences) == len(b.OwnerReferences)
}

func sortedSessionKeys(m map[sessionKey]desiredSession) []sessionKey {
	keys := make([]sessionKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b sessionKey) int {
		return cmp.Or(cmp.Compare(a.vrf, b.vrf), cmp.Compare(a.peer, b.peer))
	})
	return keys
}

// SetupWithManager watches this node's BGPSessionStates (all events map to
// the single request <namespace>/<node>) and its FRRNodeState (the request
// /<node>, which polls). Failed reconciles are retried with a backoff capped
// at the poll interval, so the poll never stops.
func (r *BGPSessionStateReconciler) SetupWithManager(mgr ctrl.Manager) error {
	sessions := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: r.Namespace, Name: r.NodeName}}
	poll := reconcile.Request{NamespacedName: types.NamespacedName{Name: r.NodeName}}
	ownSessions := predicate.NewTypedPredicateFuncs(func(s *v1beta1.BGPSessionState) bool {
		return s.Namespace == r.Namespace && s.Labels[v1beta1.SessionStateNodeLabel] == r.NodeName
	})
	ownNodeState := predicate.NewTypedPredicateFuncs(func(s *v1beta1.FRRNodeState) bool {
		return s.Name == r.NodeName
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("bgpsessionstate").
		WatchesRawSource(source.Kind(mgr.GetCache(), &v1beta1.BGPSessionState{}, mapEveryEventTo[*v1beta1.BGPSessionState](sessions), ownSessions)).
		WatchesRawSource(source.Kind(mgr.GetCache(), &v1beta1.FRRNodeState{}, mapEveryEventTo[*v1beta1.FRRNodeState](poll), ownNodeState)).
		WithOptions(controller.Options{
			RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](retryBaseDelay, r.pollInterval()),
		}).
		Complete(r)
}

// enqueue maps every event to req.
func mapEveryEventTo[T client.Object](req reconcile.Request) handler.TypedEventHandler[T, reconcile.Request] {
	return handler.TypedEnqueueRequestsFromMapFunc(func(context.Context, T) []reconcile.Request {
		return []reconcile.Request{req}
	})
}
