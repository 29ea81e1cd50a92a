package main

import (
	"crypto/tls"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frrk8s/frrk8s/internal/tlsconfig"
)

func TestParseFlags(t *testing.T) {
	got, opt, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := params{Port: 9141, BindAddress: "0.0.0.0", Path: "/metrics"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	var cfg tls.Config
	opt(&cfg)
	if cfg.MinVersion != tls.VersionTLS13 {
		t.Errorf("default minimum TLS version = %x, want TLS 1.3", cfg.MinVersion)
	}
	got, opt, err = parseFlags([]string{
		"--metrics-port=9999", "--metrics-bind-address=127.0.0.1", "--metrics-path=/m",
		"--tls-cert-file=/c", "--tls-private-key-file=/k",
		"--tls-min-version=VersionTLS12", "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want = params{Port: 9999, BindAddress: "127.0.0.1", Path: "/m", CertFile: "/c", KeyFile: "/k",
		TLS: tlsconfig.Flags{MinVersion: "VersionTLS12", CipherSuites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	cfg = tls.Config{}
	opt(&cfg)
	if cfg.MinVersion != tls.VersionTLS12 || len(cfg.CipherSuites) != 1 {
		t.Errorf("TLS option gave min %x and suites %v", cfg.MinVersion, cfg.CipherSuites)
	}
	for _, bad := range [][]string{
		{"--metrics-port=x"},
		{"--metrics-port=70000"},
		{"--tls-cert-file=/c"},
		{"--tls-private-key-file=/k"},
		{"--tls-min-version=VersionTLS10"},
		{"--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		{"extra"},
	} {
		if _, _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) succeeded", bad)
		}
	}
}

func TestRunExitCodes(t *testing.T) {
	if code := run([]string{"--tls-curve-preferences=1,1"}, io.Discard); code != 1 {
		t.Errorf("invalid TLS flag: exit %d, want 1", code)
	}
	if code := run([]string{"-h"}, io.Discard); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
}
