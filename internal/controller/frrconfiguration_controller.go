package controller

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"sync"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
	"github.com/frrk8s/frrk8s/internal/frr"
)

// Conversion results published in FRRNodeState.status.lastConversionResult.
const (
	// ConversionSuccess is the result of a reconcile that applied its config.
	ConversionSuccess = "success"
	// conversionFailedPrefix starts the result of a failed reconcile.
	conversionFailedPrefix = "failed: "
)

// FRRConfigurationKeyName is the name of the single request the
// FRRConfiguration controller reconciles: <namespace>/frrconfig.
const FRRConfigurationKeyName = "frrconfig"

// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=frrconfigurations,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=frrconfigurations/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=frrconfigurations/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=nodes,verbs=get;list;watch
// +kubebuilder:rbac:groups="",namespace=frr-k8s-system,resources=secrets,verbs=get;list;watch;update

// ConfigApplier receives the configuration FRR should run. frr.FRR is the
// production implementation; ApplyConfig must return quickly.
type ConfigApplier interface {
	ApplyConfig(config *frr.Config) error
}

// FRRConfigurationReconciler turns the FRRConfigurations that select this
// node into the FRR configuration (daemon.md §4, merge.md §13). All its
// events map to the single request <namespace>/frrconfig.
type FRRConfigurationReconciler struct {
	// Client reads from the daemon's scoped cache (DaemonCacheOptions).
	Client client.Client
	// NodeName is the node the daemon runs on.
	NodeName string
	// Namespace is the daemon namespace.
	Namespace string
	// AlwaysBlock are the --always-block prefixes.
	AlwaysBlock []netip.Prefix
	// DefaultLogLevel is the --log-level flag.
	DefaultLogLevel string
	// FRR receives the converted configuration.
	FRR ConfigApplier
	// Selectors caches parsed nodeSelectors for the reconciles and the
	// event filters; nil parses them every time.
	Selectors *convert.SelectorCache
	// Metrics are updated by every reconcile.
	Metrics *Metrics
	// OnResultChange, when set, is called whenever the conversion result
	// string changes (it triggers the FRRNodeState reconciler).
	OnResultChange func()
	// Logger receives the reconciler's messages.
	Logger logr.Logger

	secretRefs secretRefs

	resultMu sync.Mutex
	result   string
}

// DaemonCacheOptions scopes the daemon's cache (D5): its own Node and
// FRRNodeState by name, and the FRRConfigurations, Secrets and
// FRRK8sConfigurations of its namespace, listed and watched in that
// namespace only. Nothing else is cached. The cached objects carry no
// managedFields, which nothing in the daemon reads: at 6,000 configs they
// cost about 6 MiB of RSS (docs/performance.md). Cached FRRConfigurations
// also lose kubectl's last-applied-configuration annotation, a second copy
// of the whole spec for every config applied with `kubectl apply`.
func DaemonCacheOptions(nodeName, namespace string) cache.Options {
	ownName := cache.ByObject{Field: fields.OneTermEqualSelector("metadata.name", nodeName)}
	ownNamespace := cache.ByObject{Namespaces: map[string]cache.Config{namespace: {}}}
	configs := cache.ByObject{Namespaces: ownNamespace.Namespaces, Transform: stripConfigForCache}
	return cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Node{}:                 ownName,
			&v1beta1.FRRNodeState{}:        ownName,
			&v1beta1.FRRConfiguration{}:    configs,
			&corev1.Secret{}:               ownNamespace,
			&v1beta1.FRRK8sConfiguration{}: ownNamespace,
		},
	}
}

// lastAppliedAnnotation is where `kubectl apply` keeps the applied object;
// the cache and the debug dumps drop it.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// stripConfigForCache drops what the daemon never reads from an
// FRRConfiguration before the cache stores it: managedFields and kubectl's
// last-applied-configuration annotation.
func stripConfigForCache(obj any) (any, error) {
	if cfg, ok := obj.(*v1beta1.FRRConfiguration); ok {
		cfg.ManagedFields = nil
		if _, found := cfg.Annotations[lastAppliedAnnotation]; found {
			annotations := maps.Clone(cfg.Annotations)
			delete(annotations, lastAppliedAnnotation)
			cfg.Annotations = annotations
		}
	}
	return obj, nil
}

// ConversionResult returns the result of the last reconcile: "" before the
// first one, "success", or "failed: <error>".
func (r *FRRConfigurationReconciler) ConversionResult() string {
	r.resultMu.Lock()
	defer r.resultMu.Unlock()
	return r.result
}

// Reconcile gathers the inputs of this node, converts them and hands the
// result to FRR. Failures follow merge.md §13: FRR keeps the last good
// configuration; user-input errors wait for the next event, transient ones
// are retried.
func (r *FRRConfigurationReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (ctrl.Result, error) {
	r.Metrics.Updates.Inc()

	in, err := r.gatherConfigs(ctx)
	if err != nil {
		return r.inputUnavailable(err)
	}
	level, err := EffectiveLogLevel(ctx, r.Client, r.Namespace, r.DefaultLogLevel)
	if err != nil {
		// Upstream resets the result before reading the level.
		r.publishResult(ConversionSuccess)
		return ctrl.Result{}, err
	}
	if in.namespaceEmpty {
		return r.applyEmpty(level)
	}
	selected, err := r.Selectors.Select(in.candidates, in.nodeLabels)
	if err != nil {
		return r.rejected(err, retry)
	}
	selected = deepCopies(selected)
	referenced := convert.ReferencedSecrets(selected)
	r.secretRefs.record(referenced)
	secrets, err := r.getSecrets(ctx, referenced)
	if err != nil {
		return r.inputUnavailable(err)
	}
	r.dumpInputs(selected)
	model, err := convert.Convert(convert.Input{
		Configs:     selected,
		Secrets:     convert.SecretsByName(secrets),
		AlwaysBlock: r.AlwaysBlock,
		LogLevel:    level,
	})
	if err != nil {
		return r.rejected(err, waitForNextEvent)
	}
	if err := r.FRR.ApplyConfig(model); err != nil {
		return r.rejected(fmt.Errorf("applying the configuration: %w", err), retry)
	}
	return r.applied()
}

// Whether a rejected reconcile is retried.
const (
	retry            = true
	waitForNextEvent = false
)

// configInputs are the FRRConfigurations a reconcile starts from.
type configInputs struct {
	// candidates are the configs that may select the node (shallow
	// copies of the cached objects: they must not be modified).
	candidates []v1beta1.FRRConfiguration
	// nodeLabels are the node's labels.
	nodeLabels map[string]string
	// namespaceEmpty is set when the namespace has no FRRConfiguration
	// at all: FRR gets the empty configuration and the node is not needed.
	namespaceEmpty bool
}

// gatherConfigs reads the node's labels and the configs that may select
// it, through ConfigSelectorIndex: a reconcile copies the configs filed
// under one of the node's labels or under no label, not the whole
// namespace.
func (r *FRRConfigurationReconciler) gatherConfigs(ctx context.Context) (configInputs, error) {
	nodeLabels, nodeErr := r.nodeLabels(ctx)
	if nodeErr == nil {
		candidates, err := r.candidateConfigs(ctx, nodeLabels)
		if err != nil || len(candidates) > 0 {
			return configInputs{candidates: candidates, nodeLabels: nodeLabels}, err
		}
	}
	// No candidate, or no node: an empty namespace needs neither.
	empty, err := r.namespaceEmpty(ctx)
	switch {
	case err != nil:
		return configInputs{}, err
	case empty:
		return configInputs{namespaceEmpty: true}, nil
	case nodeErr != nil:
		return configInputs{}, nodeErr
	}
	return configInputs{nodeLabels: nodeLabels}, nil
}

// candidateConfigs lists, without deep copies, the configs filed in
// ConfigSelectorIndex under one of the node's labels or under none.
func (r *FRRConfigurationReconciler) candidateConfigs(ctx context.Context, nodeLabels map[string]string) ([]v1beta1.FRRConfiguration, error) {
	keys := make([]string, 0, len(nodeLabels)+1)
	keys = append(keys, ConfigSelectorIndexAny)
	for k, v := range nodeLabels {
		keys = append(keys, labelIndexKey(k, v))
	}
	var res []v1beta1.FRRConfiguration
	for _, key := range keys {
		var list v1beta1.FRRConfigurationList
		err := r.Client.List(ctx, &list, client.InNamespace(r.Namespace), client.MatchingFields{ConfigSelectorIndex: key}, client.UnsafeDisableDeepCopy)
		if err != nil {
			return nil, fmt.Errorf("listing FRRConfigurations: %w", err)
		}
		res = append(res, list.Items...)
	}
	return res, nil
}

// namespaceEmpty reports whether the namespace holds no FRRConfiguration.
// It lists the whole namespace, so it runs only when no config may select
// the node.
func (r *FRRConfigurationReconciler) namespaceEmpty(ctx context.Context) (bool, error) {
	var list v1beta1.FRRConfigurationList
	if err := r.Client.List(ctx, &list, client.InNamespace(r.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		return false, fmt.Errorf("listing FRRConfigurations: %w", err)
	}
	return len(list.Items) == 0, nil
}

// nodeLabels returns this node's labels, read without copying the node.
func (r *FRRConfigurationReconciler) nodeLabels(ctx context.Context) (map[string]string, error) {
	node := &corev1.Node{}
	if err := r.Client.Get(ctx, types.NamespacedName{Name: r.NodeName}, node, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("getting node %s: %w", r.NodeName, err)
	}
	return node.Labels, nil
}

// deepCopies copies the selected configs, so nothing downstream shares
// memory with the cache.
func deepCopies(configs []v1beta1.FRRConfiguration) []v1beta1.FRRConfiguration {
	res := make([]v1beta1.FRRConfiguration, len(configs))
	for i := range configs {
		configs[i].DeepCopyInto(&res[i])
	}
	return res
}

// getSecrets reads the referenced Secrets; a missing one is left out and
// reported by the conversion.
func (r *FRRConfigurationReconciler) getSecrets(ctx context.Context, names sets.Set[string]) (map[string]corev1.Secret, error) {
	res := make(map[string]corev1.Secret, names.Len())
	for _, name := range sets.List(names) {
		var s corev1.Secret
		err := r.Client.Get(ctx, types.NamespacedName{Namespace: r.Namespace, Name: name}, &s)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return nil, fmt.Errorf("getting secret %s/%s: %w", r.Namespace, name, err)
		}
		res[name] = s
	}
	return res, nil
}

// applyEmpty hands FRR the empty configuration at the given log level:
// there is no FRRConfiguration in the namespace.
func (r *FRRConfigurationReconciler) applyEmpty(level string) (ctrl.Result, error) {
	if err := r.FRR.ApplyConfig(&frr.Config{LogLevel: frr.LogLevelFor(level)}); err != nil {
		return r.rejected(fmt.Errorf("applying the empty configuration: %w", err), retry)
	}
	r.secretRefs.record(nil)
	r.secretRefs.startFiltering()
	r.publishResult(ConversionSuccess)
	return ctrl.Result{}, nil
}

// inputUnavailable handles a failure to read the inputs: reported, not
// counted as a config error, retried.
func (r *FRRConfigurationReconciler) inputUnavailable(err error) (ctrl.Result, error) {
	r.Logger.Error(err, "cannot read the inputs of the configuration")
	r.publishResult(conversionFailedPrefix + err.Error())
	return ctrl.Result{}, err
}

// rejected handles a configuration that could not be converted or applied:
// FRR keeps the previous one. The error is returned (requeued) only when
// requeue is set.
func (r *FRRConfigurationReconciler) rejected(err error, requeue bool) (ctrl.Result, error) {
	r.Logger.Error(err, "configuration rejected, keeping the previous one", "retry", requeue)
	r.Metrics.configRejected()
	r.publishResult(conversionFailedPrefix + err.Error())
	if requeue {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}

// applied records a configuration handed to FRR.
func (r *FRRConfigurationReconciler) applied() (ctrl.Result, error) {
	r.Logger.V(1).Info("configuration handed to FRR")
	r.Metrics.configApplied()
	r.secretRefs.startFiltering()
	r.publishResult(ConversionSuccess)
	return ctrl.Result{}, nil
}

// publishResult stores the conversion result and signals a change.
func (r *FRRConfigurationReconciler) publishResult(result string) {
	r.resultMu.Lock()
	changed := r.result != result
	r.result = result
	r.resultMu.Unlock()
	if changed && r.OnResultChange != nil {
		r.OnResultChange()
	}
}

// retracted replaces passwords in debug dumps.
const retracted = "<retracted>"

// dumpInputs logs the selected configs at debug level, passwords retracted.
func (r *FRRConfigurationReconciler) dumpInputs(configs []v1beta1.FRRConfiguration) {
	log := r.Logger.V(1)
	if !log.Enabled() {
		return
	}
	for i := range configs {
		log.Info("selected configuration", "config", redactedConfig(&configs[i]))
	}
}

// redactedConfig returns a copy of cfg fit for logs: passwords retracted,
// the last-applied annotation dropped.
func redactedConfig(cfg *v1beta1.FRRConfiguration) *v1beta1.FRRConfiguration {
	res := cfg.DeepCopy()
	delete(res.Annotations, lastAppliedAnnotation)
	res.ManagedFields = nil
	for i := range res.Spec.BGP.Routers {
		for j := range res.Spec.BGP.Routers[i].Neighbors {
			n := &res.Spec.BGP.Routers[i].Neighbors[j]
			if n.Password != "" {
				n.Password = retracted
			}
		}
	}
	return res
}

// SetupWithManager registers the controller and its event filters.
func (r *FRRConfigurationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	key := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: r.Namespace, Name: FRRConfigurationKeyName}}
	informers := mgr.GetCache()
	if err := IndexConfigsBySelector(context.Background(), mgr.GetFieldIndexer()); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("frrconfiguration").
		WatchesRawSource(source.Kind(informers, &v1beta1.FRRConfiguration{}, toKey[*v1beta1.FRRConfiguration](key), r.configFilter())).
		WatchesRawSource(source.Kind(informers, &corev1.Secret{}, toKey[*corev1.Secret](key), r.secretFilter())).
		WatchesRawSource(source.Kind(informers, &corev1.Node{}, toKey[*corev1.Node](key), r.nodeFilter())).
		WatchesRawSource(source.Kind(informers, &v1beta1.FRRK8sConfiguration{}, toKey[*v1beta1.FRRK8sConfiguration](key),
			inNamespace[*v1beta1.FRRK8sConfiguration](r.Namespace))).
		Complete(r)
}

// toKey maps every event to the single request key.
func toKey[T client.Object](key reconcile.Request) handler.TypedEventHandler[T, reconcile.Request] {
	return handler.TypedEnqueueRequestsFromMapFunc(func(context.Context, T) []reconcile.Request {
		return []reconcile.Request{key}
	})
}
