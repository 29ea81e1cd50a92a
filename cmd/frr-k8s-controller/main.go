// Command frr-k8s-controller is /frr-k8s, the controller of the frr-k8s
// DaemonSet: it turns the FRRConfigurations that select its node into
// frr.conf, hands it to the reloader and publishes the outcome in the
// node's FRRNodeState (spec/daemon.md §1-§6, §8, §11). This file only
// parses flags and wires the pieces together.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/frrk8s/frrk8s/internal/authfilter"
	"github.com/frrk8s/frrk8s/internal/controller"
	"github.com/frrk8s/frrk8s/internal/convert"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/logging"
	"github.com/frrk8s/frrk8s/internal/version"
)

// selectorCacheSize bounds the parsed nodeSelectors kept between
// reconciles: enough for the configs of a large cluster's namespace.
const selectorCacheSize = 8192

func main() {
	os.Exit(run(os.Args[1:]))
}

// run starts the daemon and returns its exit code.
func run(args []string) int {
	s, err := parseParams(args, os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "frr-k8s: %v\n", err)
		return 1
	}
	logger, err := logging.New(s.LogLevel)
	if err != nil {
		fmt.Fprintf(os.Stderr, "frr-k8s: %v\n", err)
		return 1
	}
	ctrl.SetLogger(logger.Logger)
	log := logger.WithName("setup")
	log.Info("starting frr-k8s", "version", version.Version(), "commit", version.GitCommit(), "branch", version.GitBranch())
	log.Info("parameters", "params", s.params)

	ctx := ctrl.SetupSignalHandler()
	mgr, err := newManager(s)
	if err != nil {
		log.Error(err, "cannot create the manager")
		return 1
	}
	if err := setupControllers(ctx, mgr, s, logger); err != nil {
		log.Error(err, "cannot set up the controllers")
		return 1
	}
	if err := mgr.Start(ctx); err != nil {
		log.Error(err, "manager stopped")
		return 1
	}
	return 0
}

// newManager builds the manager: the D5-scoped cache, the authenticated
// HTTPS metrics server, the probes; no leader election.
func newManager(s settings) (manager.Manager, error) {
	tlsOption, err := s.TLS.Option()
	if err != nil {
		return nil, err
	}
	return ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme: controller.NewScheme(),
		Cache:  controller.DaemonCacheOptions(s.NodeName, s.Namespace),
		Metrics: metricsserver.Options{
			BindAddress:    s.MetricsBindAddress,
			SecureServing:  true,
			CertDir:        s.MetricsCertDir,
			FilterProvider: authfilter.New,
			TLSOpts:        []func(*tls.Config){tlsOption},
		},
		HealthProbeBindAddress: s.HealthProbeBindAddress,
		PprofBindAddress:       s.PprofBindAddress,
		LeaderElection:         false,
	})
}

// setupControllers starts the FRR hand-off and registers the
// FRRConfiguration, FRRNodeState and log-level reconcilers and the probes.
func setupControllers(ctx context.Context, mgr manager.Manager, s settings, logger *logging.Logger) error {
	metrics, err := controller.NewMetrics(ctrlmetrics.Registry)
	if err != nil {
		return err
	}
	routerID, err := frr.LocalFallbackRouterID()
	if err != nil {
		return fmt.Errorf("computing the fallback router-id: %w", err)
	}
	if routerID != "" {
		logger.Info("no IPv4 address on this host, using a fallback router-id", "routerID", routerID)
	}
	selectors, err := convert.NewSelectorCache(selectorCacheSize)
	if err != nil {
		return err
	}
	nodeStateTrigger := controller.NewTrigger()
	handoff := frr.New(ctx, frr.Options{
		StatusDir:        s.StatusDir,
		Debounce:         s.debounce,
		FallbackRouterID: routerID,
		OnStatus:         func(frr.ReloadStatus) { nodeStateTrigger.Fire() },
		Logger:           logger.WithName("frr"),
	})
	configs := &controller.FRRConfigurationReconciler{
		Client:          mgr.GetClient(),
		NodeName:        s.NodeName,
		Namespace:       s.Namespace,
		AlwaysBlock:     s.alwaysBlock,
		DefaultLogLevel: s.LogLevel,
		FRR:             handoff,
		Selectors:       selectors,
		Metrics:         metrics,
		OnResultChange:  nodeStateTrigger.Fire,
		Logger:          logger.WithName("frrconfiguration"),
	}
	nodeState := &controller.FRRNodeStateReconciler{
		Client:           mgr.GetClient(),
		NodeName:         s.NodeName,
		ReloadStatus:     handoff,
		ConversionResult: configs.ConversionResult,
		Trigger:          nodeStateTrigger,
		Logger:           logger.WithName("frrnodestate"),
	}
	levels := &controller.LogLevelReconciler{
		Client:       mgr.GetClient(),
		Namespace:    s.Namespace,
		DefaultLevel: s.LogLevel,
		SetLevel:     logger.ApplyLevel,
		Logger:       logger.WithName("loglevel"),
	}
	setups := []struct {
		name       string
		reconciler interface{ SetupWithManager(ctrl.Manager) error }
	}{{"frrconfiguration", configs}, {"frrnodestate", nodeState}, {"loglevel", levels}}
	for _, setup := range setups {
		if err := setup.reconciler.SetupWithManager(mgr); err != nil {
			return fmt.Errorf("setting up the %s controller: %w", setup.name, err)
		}
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("adding the health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("adding the readiness check: %w", err)
	}
	return nil
}
