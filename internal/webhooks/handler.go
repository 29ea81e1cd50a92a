package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// Registration facts of the webhook. The manifests come
// from the marker below (controller-gen webhook).
const (
	// Path is where the admission check is served.
	Path = "/validate-frrk8s-metallb-io-v1beta1-frrconfiguration"
	// HealthPath is the health endpoint on the same HTTPS server.
	HealthPath = "/healthz"
	// Name is the webhook name inside the configuration.
	Name = "frrconfigurationsvalidationwebhook.metallb.io"
	// ConfigurationName is the ValidatingWebhookConfiguration holding it.
	ConfigurationName = "frr-k8s-validating-webhook-configuration"
)

//+kubebuilder:webhook:verbs=create;update,path=/validate-frrk8s-metallb-io-v1beta1-frrconfiguration,mutating=false,failurePolicy=fail,groups=frrk8s.metallb.io,resources=frrconfigurations,versions=v1beta1,name=frrconfigurationsvalidationwebhook.metallb.io,sideEffects=None,admissionReviewVersions=v1

// Lister reads what the check needs: every Node (metadata only) and every
// FRRConfiguration of every namespace. The returned objects are only read.
type Lister interface {
	// ListNodes returns every node.
	ListNodes(ctx context.Context) ([]Node, error)
	// ListConfigs returns every FRRConfiguration.
	ListConfigs(ctx context.Context) ([]*v1beta1.FRRConfiguration, error)
}

// CacheLister lists from informer caches (D7) without copying the
// objects: it reads the informers' stores, or lists without deep copies
// when an informer exposes no store. Nodes are read as
// metav1.PartialObjectMetadata, so the cache holds their metadata only.
type CacheLister struct {
	// Cache is normally the manager's cache.
	Cache cache.Cache
}

// nodeMetadata returns the object the metadata-only node informer is
// keyed by.
func nodeMetadata() *metav1.PartialObjectMetadata {
	obj := &metav1.PartialObjectMetadata{}
	obj.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Node"))
	return obj
}

// ListNodes lists the nodes' metadata. Errors carry upstream's text.
func (l CacheLister) ListNodes(ctx context.Context) ([]Node, error) {
	var res []Node
	add := func(obj *metav1.PartialObjectMetadata) { res = append(res, Node{Name: obj.Name, Labels: obj.Labels}) }
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("NodeList"))
	if err := listCached(ctx, l.Cache, nodeMetadata(), list, add); err != nil {
		return nil, errors.Join(err, errors.New("failed to get existing Node objects"))
	}
	return res, nil
}

// ListConfigs lists the FRRConfigurations of every namespace. Errors carry
// upstream's text.
func (l CacheLister) ListConfigs(ctx context.Context) ([]*v1beta1.FRRConfiguration, error) {
	var res []*v1beta1.FRRConfiguration
	add := func(obj *v1beta1.FRRConfiguration) { res = append(res, obj) }
	if err := listCached(ctx, l.Cache, &v1beta1.FRRConfiguration{}, &v1beta1.FRRConfigurationList{}, add); err != nil {
		return nil, errors.Join(err, errors.New("failed to get existing FRRConfiguration objects"))
	}
	return res, nil
}

// storeInformer is an informer exposing its store (client-go's shared
// informers do).
type storeInformer interface {
	GetStore() toolscache.Store
}

// listCached hands add every cached object of obj's kind, read-only and
// not copied; list, of the matching list kind, is only used when the
// informer exposes no store. GetInformer waits for the informer to sync.
func listCached[T client.Object, L client.ObjectList](ctx context.Context, c cache.Cache, obj T, list L, add func(T)) error {
	informer, err := c.GetInformer(ctx, obj)
	if err != nil {
		return err
	}
	if s, ok := informer.(storeInformer); ok {
		for _, item := range s.GetStore().List() {
			typed, ok := item.(T)
			if !ok {
				return fmt.Errorf("unexpected %T in the cache of %T", item, obj)
			}
			add(typed)
		}
		return nil
	}
	if err := c.List(ctx, list, client.UnsafeDisableDeepCopy); err != nil {
		return err
	}
	return meta.EachListItem(list, func(item runtime.Object) error {
		typed, ok := item.(T)
		if !ok {
			return fmt.Errorf("unexpected %T in the list of %T", item, obj)
		}
		add(typed)
		return nil
	})
}

// WarmUp starts the informers CacheLister reads and waits for their sync,
// so the first admission does not pay for the initial lists.
func WarmUp(ctx context.Context, c cache.Cache) error {
	for _, obj := range []client.Object{nodeMetadata(), &v1beta1.FRRConfiguration{}} {
		if _, err := c.GetInformer(ctx, obj); err != nil {
			return fmt.Errorf("starting the informer for %T: %w", obj, err)
		}
	}
	if !c.WaitForCacheSync(ctx) {
		return errors.New("waiting for the webhook caches to sync")
	}
	return nil
}

// Handler is the admission handler for FRRConfiguration.
type Handler struct {
	validator *Validator
	lister    Lister
	decoder   admission.Decoder
	logger    logr.Logger
}

// NewHandler returns a handler reading from lister; the scheme must know
// the frrk8s.metallb.io types.
func NewHandler(scheme *runtime.Scheme, lister Lister, logger logr.Logger) *Handler {
	return &Handler{
		validator: NewValidator(),
		lister:    lister,
		decoder:   admission.NewDecoder(scheme),
		logger:    logger,
	}
}

// Handle admits or denies one request. DELETE is not
// registered; it is allowed if it arrives.
func (h *Handler) Handle(ctx context.Context, req admission.Request) admission.Response {
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return admission.Allowed("")
	}
	cfg := &v1beta1.FRRConfiguration{}
	if err := h.decoder.Decode(req, cfg); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	log := h.logger.WithValues("operation", req.Operation, "config", klog.KObj(cfg))
	log.V(1).Info("validating FRRConfiguration")
	warnings, err := h.validate(ctx, cfg)
	if err != nil {
		log.V(1).Info("FRRConfiguration denied", "reason", err.Error())
		return admission.Denied(err.Error())
	}
	log.V(1).Info("FRRConfiguration admitted", "warnings", warnings)
	return admission.Allowed("").WithWarnings(warnings...)
}

// validate parses the selector, reads the caches and runs the check.
func (h *Handler) validate(ctx context.Context, cfg *v1beta1.FRRConfiguration) ([]string, error) {
	if err := h.validator.CheckSelector(cfg); err != nil {
		return nil, err
	}
	nodes, err := h.lister.ListNodes(ctx)
	if err != nil {
		return nil, err
	}
	configs, err := h.lister.ListConfigs(ctx)
	if err != nil {
		return nil, err
	}
	return h.validator.Validate(cfg, nodes, configs)
}

// Register serves the handler at Path and the health endpoint at
// HealthPath on the webhook server.
func Register(server webhook.Server, h *Handler) {
	server.Register(Path, &webhook.Admission{Handler: h})
	server.Register(HealthPath, HealthHandler{})
}

// HealthHandler answers GET with 200 and {"status": "ok"}, other methods
// with 405.
type HealthHandler struct{}

// ServeHTTP implements http.Handler.
func (HealthHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"status": "ok"}`))
}
