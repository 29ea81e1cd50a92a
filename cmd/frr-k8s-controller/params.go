package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	kubeconfig "sigs.k8s.io/controller-runtime/pkg/client/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/frrk8s/frrk8s/internal/convert"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/logging"
	"github.com/frrk8s/frrk8s/internal/tlsconfig"
)

// Environment variables read by /frr-k8s (spec/daemon.md §2).
const (
	// envDebounce is the default of --bgp-debounce-timeout.
	envDebounce = "FRR_K8S_BGP_DEBOUNCE_TIMEOUT"
	// envStatusDir moves the reloader's status directory, for tests.
	envStatusDir = "FRR_RELOADER_STATUS_DIR"
)

// defaultDebounceMillis is the --bgp-debounce-timeout default without the
// environment variable.
const defaultDebounceMillis = "3000"

// params are the command line and environment of /frr-k8s.
type params struct {
	NodeName               string
	Namespace              string
	PodName                string
	LogLevel               string
	MetricsBindAddress     string
	MetricsCertDir         string
	HealthProbeBindAddress string
	PprofBindAddress       string
	AlwaysBlock            string
	BGPDebounceTimeout     string
	TLS                    tlsconfig.Flags
	// ConfigFile, PIDFile and StatusDir are the reloader's shared files.
	ConfigFile string
	PIDFile    string
	StatusDir  string
}

// settings are the params parsed and checked.
type settings struct {
	params
	alwaysBlock []netip.Prefix
	debounce    time.Duration
}

// parseParams parses args (without the program name) and the environment.
func parseParams(args []string, getenv func(string) string) (settings, error) {
	var p params
	fs := flag.NewFlagSet("frr-k8s", flag.ContinueOnError)
	fs.StringVar(&p.NodeName, "node-name", "", "The node this daemon is running on.")
	fs.StringVar(&p.Namespace, "namespace", "", "The namespace this daemon is deployed in.")
	fs.StringVar(&p.PodName, "pod-name", "", "The name of the pod this process is running in (unused).")
	fs.StringVar(&p.LogLevel, "log-level", logging.LevelInfo,
		fmt.Sprintf("The log level, one of %v.", logging.ValidLevels))
	fs.StringVar(&p.MetricsBindAddress, "metrics-bind-address", "0.0.0.0:9140",
		"The address the HTTPS metrics endpoint binds to; \"0\" disables it.")
	fs.StringVar(&p.MetricsCertDir, "metrics-cert-dir", "",
		"The directory with tls.crt and tls.key for the metrics endpoint; empty means a self-signed certificate.")
	fs.StringVar(&p.HealthProbeBindAddress, "health-probe-bind-address", "127.0.0.1:7572",
		"The address /healthz and /readyz bind to.")
	fs.StringVar(&p.PprofBindAddress, "pprof-bind-address", "", "The address pprof binds to; empty disables it.")
	fs.StringVar(&p.AlwaysBlock, "always-block", "",
		"Comma-separated CIDRs whose prefixes are never accepted from any peer.")
	fs.StringVar(&p.BGPDebounceTimeout, "bgp-debounce-timeout", debounceDefault(getenv),
		"Milliseconds to coalesce configuration changes before reloading FRR (default from $"+envDebounce+").")
	p.TLS.Register(fs)
	// --kubeconfig, read by ctrl.GetConfig, for running outside a pod.
	kubeconfig.RegisterFlags(fs)
	// controller-runtime's zap flags are accepted for compatibility; the
	// logger is the project's JSON logger.
	(&zap.Options{}).BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return settings{}, err
	}
	p.ConfigFile = envOr(getenv, frr.EnvConfigFile, frr.DefaultConfigFile)
	p.PIDFile = envOr(getenv, frr.EnvPIDFile, frr.DefaultPIDFile)
	p.StatusDir = envOr(getenv, envStatusDir, frr.DefaultStatusDir)
	return p.check()
}

// check validates the values that make the daemon exit at start.
func (p params) check() (settings, error) {
	s := settings{params: p}
	if _, err := logging.ParseLevel(p.LogLevel); err != nil {
		return s, fmt.Errorf("invalid --log-level: %w", err)
	}
	var err error
	if s.alwaysBlock, err = convert.ParseAlwaysBlock(p.AlwaysBlock); err != nil {
		return s, fmt.Errorf("invalid --always-block: %w", err)
	}
	if s.debounce, err = parseDebounce(p.BGPDebounceTimeout); err != nil {
		return s, err
	}
	if _, err := p.TLS.Option(); err != nil {
		return s, err
	}
	return s, nil
}

// debounceDefault is $FRR_K8S_BGP_DEBOUNCE_TIMEOUT, else 3000.
func debounceDefault(getenv func(string) string) string {
	return envOr(getenv, envDebounce, defaultDebounceMillis)
}

// parseDebounce parses a positive number of milliseconds.
func parseDebounce(value string) (time.Duration, error) {
	ms, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if err != nil || ms <= 0 {
		return 0, errors.New("invalid --bgp-debounce-timeout " + strconv.Quote(value) + ": must be a positive number of milliseconds")
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// envOr returns the environment variable, or def when it is unset or empty.
func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}
