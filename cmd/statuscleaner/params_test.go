package main

import (
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frrk8s/frrk8s/internal/tlsconfig"
)

func TestParseParamsDefaults(t *testing.T) {
	got, err := parseParams(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := params{
		WebhookPort:     19443,
		CertDir:         "/tmp/k8s-webhook-server/serving-certs",
		CertServiceName: "frr-k8s-webhook-service",
		FRRK8sSelector:  "app.kubernetes.io/component=frr-k8s",
		LogLevel:        "info",
	}
	if diff := cmp.Diff(want, got.params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if sel := got.podSelector.String(); sel != "app.kubernetes.io/component=frr-k8s" {
		t.Errorf("pod selector %q", sel)
	}
}

func TestParseParamsFlags(t *testing.T) {
	args := []string{
		"--webhook-port=9443", "--cert-dir=/certs", "--cert-service-name=svc",
		"--disable-cert-rotation", "--restart-on-rotator-secret-refresh",
		"--frrk8s-selector=app=frr-k8s,tier in (a,b)", "--namespace=frr-k8s-system",
		"--log-level=debug", "--pprof-bind-address=:6060",
		"--tls-min-version=VersionTLS12", "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"--tls-curve-preferences=29", "--zap-log-level=debug",
	}
	got, err := parseParams(args)
	if err != nil {
		t.Fatal(err)
	}
	want := params{
		WebhookPort:                   9443,
		CertDir:                       "/certs",
		CertServiceName:               "svc",
		DisableCertRotation:           true,
		RestartOnRotatorSecretRefresh: true,
		FRRK8sSelector:                "app=frr-k8s,tier in (a,b)",
		Namespace:                     "frr-k8s-system",
		LogLevel:                      "debug",
		PprofBindAddress:              ":6060",
		TLS: tlsconfig.Flags{
			CipherSuites:     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
			CurvePreferences: "29",
			MinVersion:       "VersionTLS12",
		},
	}
	if diff := cmp.Diff(want, got.params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if sel := got.podSelector.String(); sel != "app=frr-k8s,tier in (a,b)" {
		t.Errorf("pod selector %q", sel)
	}
}

func TestParseParamsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{args: []string{"--log-level=loud"}, want: "invalid --log-level"},
		{args: []string{"--frrk8s-selector=a in"}, want: "invalid --frrk8s-selector"},
		{args: []string{"--tls-min-version=VersionTLS10"}, want: "invalid --tls-min-version"},
		{args: []string{"--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, want: "invalid --tls-cipher-suites"},
		{args: []string{"--webhook-port=port"}, want: "invalid value"},
		{args: []string{"--unknown"}, want: "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := parseParams(tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestParseParamsHelp(t *testing.T) {
	if _, err := parseParams([]string{"--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
}

func TestRunExitCodes(t *testing.T) {
	if code := run([]string{"--log-level=loud"}); code != 1 {
		t.Errorf("invalid flag: exit code %d, want 1", code)
	}
	if code := run([]string{"--help"}); code != 0 {
		t.Errorf("--help: exit code %d, want 0", code)
	}
}
