package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/open-policy-agent/cert-controller/pkg/rotator"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/controller"
	"github.com/frrk8s/frrk8s/internal/logging"
	"github.com/frrk8s/frrk8s/internal/webhooks"
)

// Certificate rotation.
const (
	// webhookSecretName is the Secret, in the namespace, holding the CA and
	// the serving certificate.
	webhookSecretName = "frr-k8s-webhook-server-cert" //nolint:gosec // a name, not a credential
	caName            = "cert"
	caOrganization    = "frrk8s"
	fieldOwner        = "frr-k8s"
)

// start runs the statuscleaner until ctx ends: the manager starts at once
// (with the rotator when enabled); the webhook, the NodeStateCleaner and
// the log-level controller join it once the certificates are ready.
func start(ctx context.Context, cfg *rest.Config, s settings, logger *logging.Logger) error {
	mgr, err := newManager(cfg, s)
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	ready := make(chan struct{})
	if s.DisableCertRotation {
		close(ready)
	} else if err := addRotator(mgr, s, ready); err != nil {
		return fmt.Errorf("setting up the certificate rotation: %w", err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-ready:
		case <-ctx.Done():
			return
		}
		if err := addComponents(ctx, mgr, s, logger); err != nil {
			cancel(err)
		}
	}()
	if err := mgr.Start(ctx); err != nil {
		return err
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return nil
}

// newManager builds the manager: its caches (Nodes as metadata, FRRConfigurations of every namespace), the webhook
// server with the TLS flags, no metrics and no probe server.
func newManager(cfg *rest.Config, s settings) (manager.Manager, error) {
	tlsOption, err := s.TLS.Option()
	if err != nil {
		return nil, err
	}
	inNamespace := cache.ByObject{Field: fields.OneTermEqualSelector("metadata.namespace", s.Namespace)}
	opts := ctrl.Options{
		Scheme: controller.NewScheme(),
		// Nodes are read as metadata only and FRRConfigurations of every
		// namespace, by the webhook (D7); FRRNodeStates are cluster-wide.
		Cache: cache.Options{
			ByObject: map[client.Object]cache.ByObject{
				&corev1.Pod{}:                  inNamespace,
				&v1beta1.FRRK8sConfiguration{}: inNamespace,
			},
			// Nothing here reads managedFields, a large part of Node metadata.
			DefaultTransform: cache.TransformStripManagedFields(),
		},
		WebhookServer: webhook.NewServer(webhook.Options{
			Port:    s.WebhookPort,
			CertDir: s.CertDir,
			TLSOpts: []func(*tls.Config){tlsOption},
		}),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "",
		PprofBindAddress:       s.PprofBindAddress,
	}
	if s.skipNameValidation {
		opts.Controller = config.Controller{SkipNameValidation: &s.skipNameValidation}
	}
	return ctrl.NewManager(cfg, opts)
}

// addRotator adds the cert-controller rotator, which fills the webhook
// Secret, patches the CA bundle of the ValidatingWebhookConfiguration and
// closes ready once the certificates are mounted and the CA injected.
func addRotator(mgr manager.Manager, s settings, ready chan struct{}) error {
	secret := types.NamespacedName{Namespace: s.Namespace, Name: webhookSecretName}
	return rotator.AddRotator(rotatorManager{Manager: mgr, cfg: singleSecretConfig(mgr.GetConfig(), secret)}, &rotator.CertRotator{
		SecretKey:              secret,
		CertDir:                s.CertDir,
		CAName:                 caName,
		CAOrganization:         caOrganization,
		DNSName:                fmt.Sprintf("%s.%s.svc", s.CertServiceName, s.Namespace),
		IsReady:                ready,
		Webhooks:               []rotator.WebhookInfo{{Name: webhooks.ConfigurationName, Type: rotator.Validating}},
		FieldOwner:             fieldOwner,
		RestartOnSecretRefresh: s.RestartOnRotatorSecretRefresh,
	})
}

// rotatorManager is the manager as the rotator sees it: the rotator builds
// its own cache (Secrets of the namespace, webhook configurations) from
// GetConfig, with no option to narrow it, so GetConfig returns a config
// that lists and watches the certificate Secret alone.
type rotatorManager struct {
	manager.Manager
	cfg *rest.Config
}

// GetConfig returns the config the rotator's cache uses.
func (m rotatorManager) GetConfig() *rest.Config { return m.cfg }

// singleSecretConfig returns a copy of cfg whose list and watch requests for
// the Secrets of secret's namespace carry the field selector
// metadata.name=<secret's name>. The API server authorizes such requests
// against the resourceNames of a Role, so the statuscleaner needs no right
// on the other Secrets of the namespace, and its cache holds only the one.
func singleSecretConfig(cfg *rest.Config, secret types.NamespacedName) *rest.Config {
	out := rest.CopyConfig(cfg)
	out.Wrap(func(next http.RoundTripper) http.RoundTripper {
		return &secretSelector{
			next:     next,
			path:     "/api/v1/namespaces/" + secret.Namespace + "/secrets",
			selector: fields.OneTermEqualSelector("metadata.name", secret.Name).String(),
		}
	})
	return out
}

// secretSelector adds a field selector to the collection requests (list
// and watch) on one namespace's Secrets.
type secretSelector struct {
	next     http.RoundTripper
	path     string
	selector string
}

// RoundTrip adds the selector to GETs of the Secret collection and passes
// every request on.
func (s *secretSelector) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, s.path) {
		return s.next.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	query := req.URL.Query()
	selector := s.selector
	if current := query.Get("fieldSelector"); current != "" {
		selector = current + "," + selector
	}
	query.Set("fieldSelector", selector)
	req.URL.RawQuery = query.Encode()
	return s.next.RoundTrip(req)
}

// addComponents registers the webhook (once its caches are synced), the
// NodeStateCleaner and the log-level controller on the running manager.
func addComponents(ctx context.Context, mgr manager.Manager, s settings, logger *logging.Logger) error {
	log := logger.WithName("setup")
	if err := webhooks.WarmUp(ctx, mgr.GetCache()); err != nil {
		return err
	}
	handler := webhooks.NewHandler(mgr.GetScheme(), webhooks.CacheLister{Cache: mgr.GetCache()}, logger.WithName("webhook"))
	webhooks.Register(mgr.GetWebhookServer(), handler)
	log.Info("webhook enabled", "path", webhooks.Path)

	cleaner := &controller.NodeStateCleaner{
		Client:      mgr.GetClient(),
		Namespace:   s.Namespace,
		PodSelector: s.podSelector,
		Logger:      logger.WithName("nodestatecleaner"),
	}
	if err := cleaner.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the NodeStateCleaner: %w", err)
	}
	levels := &controller.LogLevelReconciler{
		Client:       mgr.GetClient(),
		Namespace:    s.Namespace,
		DefaultLevel: s.LogLevel,
		SetLevel:     logger.ApplyLevel,
		Logger:       logger.WithName("loglevel"),
	}
	if err := levels.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the log-level controller: %w", err)
	}
	log.Info("NodeStateCleaner and log-level controller started")
	return nil
}
