package controller

import (
	"context"
	"maps"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
)

// The event filters of the FRRConfiguration controller (D5) drop, before the queue, every event that cannot change this node's
// configuration.

// inNamespace passes the events of objects in namespace only.
func inNamespace[T client.Object](namespace string) predicate.TypedPredicate[T] {
	return predicate.NewTypedPredicateFuncs(func(o T) bool { return o.GetNamespace() == namespace })
}

// named passes the events of the object with the given name only.
func named[T client.Object](name string) predicate.TypedPredicate[T] {
	return predicate.NewTypedPredicateFuncs(func(o T) bool { return o.GetName() == name })
}

// configFilter passes FRRConfiguration events when the old or the new
// object's nodeSelector matches this node or does not parse.
func (r *FRRConfigurationReconciler) configFilter() predicate.TypedPredicate[*v1beta1.FRRConfiguration] {
	return predicate.TypedFuncs[*v1beta1.FRRConfiguration]{
		CreateFunc: func(e event.TypedCreateEvent[*v1beta1.FRRConfiguration]) bool {
			return r.mayApplyToNode(e.Object)
		},
		UpdateFunc: func(e event.TypedUpdateEvent[*v1beta1.FRRConfiguration]) bool {
			return r.mayApplyToNode(e.ObjectOld, e.ObjectNew)
		},
		DeleteFunc: func(e event.TypedDeleteEvent[*v1beta1.FRRConfiguration]) bool {
			return r.mayApplyToNode(e.Object)
		},
		GenericFunc: func(e event.TypedGenericEvent[*v1beta1.FRRConfiguration]) bool {
			return r.mayApplyToNode(e.Object)
		},
	}
}

// mayApplyToNode reports whether any of the configs is in the daemon
// namespace and selects this node or has a selector that does not parse.
// While the node's labels are unknown every config of the namespace may.
func (r *FRRConfigurationReconciler) mayApplyToNode(configs ...*v1beta1.FRRConfiguration) bool {
	labels, known := r.cachedNodeLabels()
	for _, cfg := range configs {
		if cfg == nil || cfg.Namespace != r.Namespace {
			continue
		}
		if !known {
			return true
		}
		if matches, err := convert.MatchesNode(cfg, labels); err != nil || matches {
			return true
		}
	}
	return false
}

// cachedNodeLabels reads this node's labels from the cache without copying
// the object; false when the node is not there (yet).
func (r *FRRConfigurationReconciler) cachedNodeLabels() (map[string]string, bool) {
	node := &corev1.Node{}
	err := r.Client.Get(context.Background(), types.NamespacedName{Name: r.NodeName}, node, client.UnsafeDisableDeepCopy)
	if err != nil {
		return nil, false
	}
	return node.Labels, true
}

// secretFilter passes Secret events of the daemon namespace for Secrets
// referenced by a matching config, and all of them until the first
// successful reconcile.
func (r *FRRConfigurationReconciler) secretFilter() predicate.TypedPredicate[*corev1.Secret] {
	return predicate.NewTypedPredicateFuncs(func(s *corev1.Secret) bool {
		return s.Namespace == r.Namespace && r.secretRefs.mayMatter(s.Name)
	})
}

// nodeFilter passes the creation and deletion of this node and the updates
// that change its labels.
func (r *FRRConfigurationReconciler) nodeFilter() predicate.TypedPredicate[*corev1.Node] {
	own := func(n *corev1.Node) bool { return n.Name == r.NodeName }
	return predicate.TypedFuncs[*corev1.Node]{
		CreateFunc:  func(e event.TypedCreateEvent[*corev1.Node]) bool { return own(e.Object) },
		DeleteFunc:  func(e event.TypedDeleteEvent[*corev1.Node]) bool { return own(e.Object) },
		GenericFunc: func(e event.TypedGenericEvent[*corev1.Node]) bool { return own(e.Object) },
		UpdateFunc: func(e event.TypedUpdateEvent[*corev1.Node]) bool {
			return own(e.ObjectNew) && !maps.Equal(e.ObjectOld.Labels, e.ObjectNew.Labels)
		},
	}
}

// secretRefs remembers which Secrets the configs of this node reference.
type secretRefs struct {
	mu        sync.Mutex
	names     sets.Set[string]
	filtering bool
}

// record stores the Secrets referenced by the configs that match the node.
func (s *secretRefs) record(names sets.Set[string]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names = names
}

// startFiltering is called after the first successful reconcile: from then
// on only referenced Secrets matter.
func (s *secretRefs) startFiltering() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filtering = true
}

// mayMatter reports whether an event on the named Secret may change the
// configuration.
func (s *secretRefs) mayMatter(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.filtering || s.names.Has(name)
}
