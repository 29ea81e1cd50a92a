package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// NodeStateCleaner deletes the FRRNodeState of every node that runs no
// frr-k8s daemon pod. The statuscleaner runs it.
type NodeStateCleaner struct {
	// Client reads Pods and FRRNodeStates, normally from the manager's
	// cache, and deletes FRRNodeStates.
	Client client.Client
	// Namespace is the daemon namespace, where the daemon pods run.
	Namespace string
	// PodSelector selects the daemon pods (--frrk8s-selector).
	PodSelector labels.Selector
	// Logger receives the cleaner's messages.
	Logger logr.Logger
}

// nodeStateCleanerKey is the single request every event maps to: each
// reconcile looks at every FRRNodeState.
var nodeStateCleanerKey = reconcile.Request{NamespacedName: types.NamespacedName{Name: "nodestatecleaner"}}

// Reconcile deletes the FRRNodeStates whose name is not the node of a
// daemon pod. Delete errors do not stop the others; they are returned
// together.
func (r *NodeStateCleaner) Reconcile(ctx context.Context, _ reconcile.Request) (ctrl.Result, error) {
	nodes, err := r.nodesWithDaemon(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	states := &v1beta1.FRRNodeStateList{}
	if err := r.Client.List(ctx, states); err != nil {
		return ctrl.Result{}, fmt.Errorf("listing FRRNodeStates: %w", err)
	}
	slices.SortFunc(states.Items, func(a, b v1beta1.FRRNodeState) int { return strings.Compare(a.Name, b.Name) })
	var errs []error
	for i := range states.Items {
		state := &states.Items[i]
		if nodes.Has(state.Name) {
			continue
		}
		r.Logger.Info("deleting the FRRNodeState of a node without daemon pod", "frrNodeState", klog.KObj(state))
		if err := r.Client.Delete(ctx, state); client.IgnoreNotFound(err) != nil {
			errs = append(errs, fmt.Errorf("deleting FRRNodeState %s: %w", state.Name, err))
		}
	}
	return ctrl.Result{}, errors.Join(errs...)
}

// nodesWithDaemon returns the nodes of the daemon pods.
func (r *NodeStateCleaner) nodesWithDaemon(ctx context.Context) (sets.Set[string], error) {
	pods := &corev1.PodList{}
	if err := r.Client.List(ctx, pods, client.InNamespace(r.Namespace), client.MatchingLabelsSelector{Selector: r.PodSelector}); err != nil {
		return nil, fmt.Errorf("listing the daemon pods: %w", err)
	}
	res := sets.New[string]()
	for _, p := range pods.Items {
		res.Insert(p.Spec.NodeName)
	}
	return res, nil
}

// SetupWithManager runs the cleaner on Pod deletions in the namespace and
// FRRNodeState creations; other events are ignored.
func (r *NodeStateCleaner) SetupWithManager(mgr ctrl.Manager) error {
	toKey := func(context.Context, client.Object) []reconcile.Request {
		return []reconcile.Request{nodeStateCleanerKey}
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("nodestatecleaner").
		WatchesRawSource(source.Kind(mgr.GetCache(), client.Object(&corev1.Pod{}),
			handler.EnqueueRequestsFromMapFunc(toKey), podDeletedIn(r.Namespace))).
		WatchesRawSource(source.Kind(mgr.GetCache(), client.Object(&v1beta1.FRRNodeState{}),
			handler.EnqueueRequestsFromMapFunc(toKey), onlyCreations())).
		Complete(r)
}

// podDeletedIn passes the deletions of objects in namespace only.
func podDeletedIn(namespace string) predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		DeleteFunc:  func(e event.DeleteEvent) bool { return e.Object.GetNamespace() == namespace },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// onlyCreations passes creations only.
func onlyCreations() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return true },
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}
