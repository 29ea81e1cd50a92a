package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

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

// Certificate rotation (daemon.md §10).
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

// newManager builds the manager: the caches of daemon.md §10, the webhook
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
	return rotator.AddRotator(mgr, &rotator.CertRotator{
		SecretKey:              types.NamespacedName{Namespace: s.Namespace, Name: webhookSecretName},
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
