// Command frr-status is the frr-status sidecar: it publishes one
// BGPSessionState per (VRF, peer) of this node's FRR, read through vtysh
// (VTYSH_CMD), polling every --poll-interval and right after every change of
// the node's FRRNodeState.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/frrk8s/frrk8s/internal/controller"
	"github.com/frrk8s/frrk8s/internal/frr/vtysh"
	"github.com/frrk8s/frrk8s/internal/logging"
	"github.com/frrk8s/frrk8s/internal/version"
)

// params are the parsed command-line flags.
type params struct {
	NodeName     string
	Namespace    string
	PodName      string
	LogLevel     string
	PollInterval time.Duration
}

// MarshalLog shows the poll interval as a Go duration in the start log.
func (p params) MarshalLog() any {
	return map[string]string{
		"nodeName":     p.NodeName,
		"namespace":    p.Namespace,
		"podName":      p.PodName,
		"logLevel":     p.LogLevel,
		"pollInterval": p.PollInterval.String(),
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// parseFlags parses and checks the flags.
func parseFlags(args []string, stderr io.Writer) (params, error) {
	var p params
	fs := flag.NewFlagSet("frr-status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&p.NodeName, "node-name", "", "The name of the node this daemon runs on.")
	fs.StringVar(&p.Namespace, "namespace", "", "The namespace of the daemon pod, where the BGPSessionStates are created.")
	fs.StringVar(&p.PodName, "pod-name", "", "The name of the daemon pod, owner of the BGPSessionStates.")
	fs.StringVar(&p.LogLevel, "log-level", logging.LevelInfo, fmt.Sprintf("The log level, one of %v.", logging.ValidLevels))
	fs.DurationVar(&p.PollInterval, "poll-interval", controller.DefaultPollInterval, "How often FRR's sessions are read (Go duration).")
	if err := fs.Parse(args); err != nil {
		return p, err
	}
	if fs.NArg() > 0 {
		return p, fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if _, err := logging.ParseLevel(p.LogLevel); err != nil {
		return p, err
	}
	if p.PollInterval <= 0 {
		return p, fmt.Errorf("invalid --poll-interval %v: must be positive", p.PollInterval)
	}
	for name, value := range map[string]string{"--node-name": p.NodeName, "--namespace": p.Namespace, "--pod-name": p.PodName} {
		if value == "" {
			return p, fmt.Errorf("%s is required", name)
		}
	}
	return p, nil
}

// run starts frr-status and returns the exit code.
func run(args []string, stderr io.Writer) int {
	p, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "frr-status: %v\n", err)
		return 1
	}
	logger, err := logging.New(p.LogLevel)
	if err != nil {
		fmt.Fprintf(stderr, "frr-status: %v\n", err)
		return 1
	}
	log := logger.WithName("frr-status")
	ctrl.SetLogger(logger.Logger)
	log.Info("starting", "version", version.Version(), "commit", version.GitCommit(), "branch", version.GitBranch())
	log.Info("parameters", "params", p)
	if err := start(ctrl.SetupSignalHandler(), p, logger); err != nil {
		log.Error(err, "frr-status failed")
		return 1
	}
	return 0
}

// start reads the daemon pod, then runs the BGPSessionState and log level
// reconcilers until ctx ends.
func start(ctx context.Context, p params, logger *logging.Logger) error {
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("getting the API server configuration: %w", err)
	}
	scheme := controller.NewScheme()
	pod, err := readPod(ctx, cfg, scheme, p.Namespace, p.PodName)
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controller.BGPSessionStateCacheOptions(p.NodeName, p.Namespace),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	sessions := &controller.BGPSessionStateReconciler{
		Client:       mgr.GetClient(),
		NodeName:     p.NodeName,
		Namespace:    p.Namespace,
		DaemonPod:    pod,
		FRR:          vtysh.NewClient(vtysh.ExecFromEnv(os.Getenv)),
		PollInterval: p.PollInterval,
		Logger:       logger.WithName("bgpsessionstate"),
	}
	if err := sessions.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the BGPSessionState controller: %w", err)
	}
	levels := &controller.LogLevelReconciler{
		Client:       mgr.GetClient(),
		Namespace:    p.Namespace,
		DefaultLevel: p.LogLevel,
		SetLevel:     logger.ApplyLevel,
		Logger:       logger.WithName("loglevel"),
	}
	if err := levels.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the log level controller: %w", err)
	}
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("running the manager: %w", err)
	}
	return nil
}

// readPod reads the daemon pod once, without a cache (no pod informer).
func readPod(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, namespace, name string) (*corev1.Pod, error) {
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("creating the client: %w", err)
	}
	pod := &corev1.Pod{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, pod); err != nil {
		return nil, fmt.Errorf("reading the daemon pod %s/%s: %w", namespace, name, err)
	}
	return pod, nil
}
