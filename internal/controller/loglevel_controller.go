package controller

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/logging"
)

// FRRK8sConfigurationName is the name of the FRRK8sConfiguration, in the
// daemon namespace, that sets the log level.
const FRRK8sConfigurationName = "config"

// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=frrk8sconfigurations,verbs=get;list;watch

// EffectiveLogLevel returns the level that applies now: spec.logLevel of
// <namespace>/config when that object exists and sets it, else
// defaultLevel; "all" is returned as "debug". A read error other than
// NotFound is returned.
func EffectiveLogLevel(ctx context.Context, c client.Reader, namespace, defaultLevel string) (string, error) {
	cfg := &v1beta1.FRRK8sConfiguration{}
	err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: FRRK8sConfigurationName}, cfg)
	switch {
	case apierrors.IsNotFound(err):
		return normalizeLevel(defaultLevel), nil
	case err != nil:
		return "", fmt.Errorf("reading FRRK8sConfiguration %s/%s: %w", namespace, FRRK8sConfigurationName, err)
	case cfg.Spec.LogLevel == "":
		return normalizeLevel(defaultLevel), nil
	}
	return normalizeLevel(cfg.Spec.LogLevel), nil
}

// normalizeLevel treats "all" as "debug".
func normalizeLevel(level string) string {
	if level == logging.LevelAll {
		return logging.LevelDebug
	}
	return level
}

// LogLevelReconciler follows <namespace>/config and reports the effective
// log level to SetLevel on every change. /frr-k8s, /frr-status and
// /statuscleaner each run one to set their process level.
type LogLevelReconciler struct {
	// Client reads FRRK8sConfigurations, normally from the manager's cache.
	Client client.Reader
	// Namespace is the daemon namespace.
	Namespace string
	// DefaultLevel is the --log-level flag, used when no object sets a level.
	DefaultLevel string
	// SetLevel receives the effective level (never "all").
	SetLevel func(level string)
	// Logger receives the reconciler's own messages.
	Logger logr.Logger
}

// Reconcile computes the effective level and hands it to SetLevel.
func (r *LogLevelReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (ctrl.Result, error) {
	level, err := EffectiveLogLevel(ctx, r.Client, r.Namespace, r.DefaultLevel)
	if err != nil {
		return ctrl.Result{}, err
	}
	r.Logger.V(1).Info("effective log level", "level", level)
	r.SetLevel(level)
	return ctrl.Result{}, nil
}

// SetupWithManager watches the FRRK8sConfigurations of the namespace; every
// event maps to the single request <namespace>/config.
func (r *LogLevelReconciler) SetupWithManager(mgr ctrl.Manager) error {
	key := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: r.Namespace, Name: FRRK8sConfigurationName}}
	toKey := handler.TypedEnqueueRequestsFromMapFunc(func(context.Context, *v1beta1.FRRK8sConfiguration) []reconcile.Request {
		return []reconcile.Request{key}
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("loglevel").
		WatchesRawSource(source.Kind(mgr.GetCache(), &v1beta1.FRRK8sConfiguration{}, toKey,
			inNamespace[*v1beta1.FRRK8sConfiguration](r.Namespace))).
		Complete(r)
}
