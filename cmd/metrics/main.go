// Command frr-metrics is the frr-metrics sidecar: it serves the BGP and BFD
// metrics of this node's FRR, read through vtysh (VTYSH_CMD) at scrape time,
// over HTTPS behind the Kubernetes authn/authz filter, and /livez, which
// fails when an FRR daemon is down.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/frrk8s/frrk8s/internal/frr/vtysh"
	"github.com/frrk8s/frrk8s/internal/logging"
	"github.com/frrk8s/frrk8s/internal/metrics"
	"github.com/frrk8s/frrk8s/internal/tlsconfig"
	"github.com/frrk8s/frrk8s/internal/version"
)

// params are the parsed command-line flags.
type params struct {
	Port        int             `json:"metricsPort"`
	BindAddress string          `json:"metricsBindAddress"`
	Path        string          `json:"metricsPath"`
	CertFile    string          `json:"tlsCertFile"`
	KeyFile     string          `json:"tlsPrivateKeyFile"`
	TLS         tlsconfig.Flags `json:"tls"`
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// parseFlags parses and checks the flags; the TLS option is returned ready
// to apply.
func parseFlags(args []string, stderr io.Writer) (params, func(*tls.Config), error) {
	var p params
	fs := flag.NewFlagSet("frr-metrics", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&p.Port, "metrics-port", 9141, "The port of the metrics server.")
	fs.StringVar(&p.BindAddress, "metrics-bind-address", "0.0.0.0", "The address the metrics server binds to.")
	fs.StringVar(&p.Path, "metrics-path", metrics.DefaultMetricsPath, "The path of the metrics.")
	fs.StringVar(&p.CertFile, "tls-cert-file", "", "The serving certificate; with --tls-private-key-file, reloaded when the files change. Empty: a self-signed certificate is generated in memory.")
	fs.StringVar(&p.KeyFile, "tls-private-key-file", "", "The private key of --tls-cert-file.")
	p.TLS.Register(fs)
	if err := fs.Parse(args); err != nil {
		return p, nil, err
	}
	if fs.NArg() > 0 {
		return p, nil, fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if p.Port < 0 || p.Port > 65535 {
		return p, nil, fmt.Errorf("invalid --metrics-port %d", p.Port)
	}
	if (p.CertFile == "") != (p.KeyFile == "") {
		return p, nil, errors.New("--tls-cert-file and --tls-private-key-file must be given together")
	}
	tlsOpt, err := p.TLS.Option()
	if err != nil {
		return p, nil, err
	}
	return p, tlsOpt, nil
}

// run starts frr-metrics and returns the exit code.
func run(args []string, stderr io.Writer) int {
	p, tlsOpt, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "frr-metrics: %v\n", err)
		return 1
	}
	// The start lines are logged at info; from then on frr-metrics logs at
	// error only.
	logger, err := logging.New(logging.LevelInfo)
	if err != nil {
		fmt.Fprintf(stderr, "frr-metrics: %v\n", err)
		return 1
	}
	log := logger.WithName("frr-metrics")
	ctrl.SetLogger(logger.Logger)
	log.Info("starting", "version", version.Version(), "commit", version.GitCommit(), "branch", version.GitBranch())
	log.Info("parameters", "params", p)
	if err := logger.SetLevel(logging.LevelError); err != nil {
		log.Error(err, "cannot set the log level")
		return 1
	}
	if err := serve(ctrl.SetupSignalHandler(), p, tlsOpt, logger); err != nil {
		log.Error(err, "frr-metrics failed")
		return 1
	}
	return 0
}

// serve builds the handler and serves it until ctx ends.
func serve(ctx context.Context, p params, tlsOpt func(*tls.Config), logger *logging.Logger) error {
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("getting the API server configuration: %w", err)
	}
	protect, err := metrics.KubernetesAuth(cfg, logger.WithName("authn"))
	if err != nil {
		return err
	}
	frr := vtysh.NewClient(vtysh.ExecFromEnv(os.Getenv))
	handler, err := metrics.NewHandler(metrics.HandlerOptions{
		MetricsPath: p.Path,
		Gatherer:    metrics.NewRegistry(frr, logger.WithName("collector")),
		Livez:       metrics.LivezHandler(frr, logger.WithName("livez")),
		Protect:     protect,
		Log:         logger.WithName("metrics"),
	})
	if err != nil {
		return err
	}
	hostname, err := os.Hostname()
	if err != nil {
		return fmt.Errorf("getting the hostname: %w", err)
	}
	address := net.JoinHostPort(p.BindAddress, strconv.Itoa(p.Port))
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", address, err)
	}
	return metrics.Serve(ctx, ln, metrics.ServerOptions{
		Handler:  handler,
		TLSOpts:  []func(*tls.Config){tlsOpt},
		CertFile: p.CertFile,
		KeyFile:  p.KeyFile,
		Hostname: hostname,
		Log:      logger.WithName("server"),
	})
}
