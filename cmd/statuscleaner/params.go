package main

import (
	"flag"
	"fmt"

	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/frrk8s/frrk8s/internal/logging"
	"github.com/frrk8s/frrk8s/internal/tlsconfig"
)

// params are the command line of /statuscleaner.
type params struct {
	WebhookPort                   int
	CertDir                       string
	CertServiceName               string
	DisableCertRotation           bool
	RestartOnRotatorSecretRefresh bool
	FRRK8sSelector                string
	Namespace                     string
	LogLevel                      string
	PprofBindAddress              string
	TLS                           tlsconfig.Flags
}

// settings are the params parsed and checked.
type settings struct {
	params
	podSelector labels.Selector
	// skipNameValidation lets tests start several managers in one process.
	skipNameValidation bool
}

// parseParams parses args (without the program name).
func parseParams(args []string) (settings, error) {
	var p params
	fs := flag.NewFlagSet("statuscleaner", flag.ContinueOnError)
	fs.IntVar(&p.WebhookPort, "webhook-port", 19443, "The port the webhook server (and its /healthz) listens on.")
	fs.StringVar(&p.CertDir, "cert-dir", "/tmp/k8s-webhook-server/serving-certs",
		"The directory holding the webhook server's tls.crt and tls.key.")
	fs.StringVar(&p.CertServiceName, "cert-service-name", "frr-k8s-webhook-service",
		"The webhook Service; the certificate is issued for <name>.<namespace>.svc.")
	fs.BoolVar(&p.DisableCertRotation, "disable-cert-rotation", false,
		"Do not generate and rotate the webhook certificate and CA bundle.")
	fs.BoolVar(&p.RestartOnRotatorSecretRefresh, "restart-on-rotator-secret-refresh", false,
		"Exit when the rotator refreshes the certificate, so the pod restarts with it.")
	fs.StringVar(&p.FRRK8sSelector, "frrk8s-selector", "app.kubernetes.io/component=frr-k8s",
		"The label selector of the frr-k8s daemon pods; FRRNodeStates of nodes without one are deleted.")
	fs.StringVar(&p.Namespace, "namespace", "", "The namespace this process and the daemon are deployed in.")
	fs.StringVar(&p.LogLevel, "log-level", logging.LevelInfo,
		fmt.Sprintf("The log level, one of %v.", logging.ValidLevels))
	fs.StringVar(&p.PprofBindAddress, "pprof-bind-address", "", "The address pprof binds to; empty disables it.")
	p.TLS.Register(fs)
	// controller-runtime's zap flags are accepted for compatibility; the
	// logger is the project's JSON logger.
	(&zap.Options{}).BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return settings{}, err
	}
	return p.check()
}

// check validates the values that make the process exit at start.
func (p params) check() (settings, error) {
	s := settings{params: p}
	if _, err := logging.ParseLevel(p.LogLevel); err != nil {
		return s, fmt.Errorf("invalid --log-level: %w", err)
	}
	selector, err := labels.Parse(p.FRRK8sSelector)
	if err != nil {
		return s, fmt.Errorf("invalid --frrk8s-selector: %w", err)
	}
	s.podSelector = selector
	if _, err := p.TLS.Option(); err != nil {
		return s, err
	}
	return s, nil
}
