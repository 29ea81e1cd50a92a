package controller

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr"
)

// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=frrnodestates,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=frrnodestates/status,verbs=get;update;patch

// ReloadStatusSource returns the last reload status the hand-off observed;
// frr.FRR implements it.
type ReloadStatusSource interface {
	Status() frr.ReloadStatus
}

// FRRNodeStateReconciler publishes this node's conversion result, reload
// result and running configuration in the cluster-scoped FRRNodeState
// named after the node.
type FRRNodeStateReconciler struct {
	// Client reads from the daemon's cache and writes to the API server.
	Client client.Client
	// NodeName is the node, and the FRRNodeState's name.
	NodeName string
	// ReloadStatus gives the reloader's last result and running config.
	ReloadStatus ReloadStatusSource
	// ConversionResult gives the FRRConfiguration reconciler's result.
	ConversionResult func() string
	// Trigger requests a reconcile on reload status publications and
	// conversion-result changes.
	Trigger *Trigger
	// Logger receives the reconciler's messages.
	Logger logr.Logger
}

// Reconcile creates the FRRNodeState when it is missing and updates its
// status when the desired status differs from the stored one.
func (r *FRRNodeStateReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (ctrl.Result, error) {
	state, err := r.getOrCreate(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	desired := r.desiredStatus()
	if state.Status == desired {
		return ctrl.Result{}, nil
	}
	state.Status = desired
	if err := r.Client.Status().Update(ctx, state); err != nil {
		return ctrl.Result{}, fmt.Errorf("updating the status of FRRNodeState %s: %w", r.NodeName, err)
	}
	r.Logger.V(1).Info("FRRNodeState updated", "lastConversionResult", desired.LastConversionResult)
	return ctrl.Result{}, nil
}

// getOrCreate returns this node's FRRNodeState, creating it with an empty
// spec when it does not exist.
func (r *FRRNodeStateReconciler) getOrCreate(ctx context.Context) (*v1beta1.FRRNodeState, error) {
	state := &v1beta1.FRRNodeState{}
	err := r.Client.Get(ctx, types.NamespacedName{Name: r.NodeName}, state)
	if err == nil {
		return state, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("getting FRRNodeState %s: %w", r.NodeName, err)
	}
	state = &v1beta1.FRRNodeState{}
	state.Name = r.NodeName
	if err := r.Client.Create(ctx, state); err != nil {
		return nil, fmt.Errorf("creating FRRNodeState %s: %w", r.NodeName, err)
	}
	return state, nil
}

// desiredStatus is the status to publish: redacted and capped reload
// feedback (D4) plus the current conversion result.
func (r *FRRNodeStateReconciler) desiredStatus() v1beta1.FRRNodeStateStatus {
	status := r.ReloadStatus.Status()
	return v1beta1.FRRNodeStateStatus{
		RunningConfig:        frr.Cap(frr.Redact(status.RunningConfig), frr.RunningConfigCap),
		LastReloadResult:     frr.Cap(frr.RedactWith(status.LastReloadResult, status.RunningConfig), frr.ReloadResultCap),
		LastConversionResult: r.ConversionResult(),
	}
}

// SetupWithManager registers the controller: one reconcile at start, one
// per Trigger fire and one per event on this node's FRRNodeState.
func (r *FRRNodeStateReconciler) SetupWithManager(mgr ctrl.Manager) error {
	key := reconcile.Request{NamespacedName: types.NamespacedName{Name: r.NodeName}}
	return ctrl.NewControllerManagedBy(mgr).
		Named("frrnodestate").
		WatchesRawSource(source.Kind(mgr.GetCache(), &v1beta1.FRRNodeState{}, toKey[*v1beta1.FRRNodeState](key),
			named[*v1beta1.FRRNodeState](r.NodeName))).
		WatchesRawSource(r.Trigger.Source(key, true)).
		Complete(r)
}
