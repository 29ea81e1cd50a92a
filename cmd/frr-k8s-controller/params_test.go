package main

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/tlsconfig"
)

// envMap is a getenv over a map.
func envMap(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestParseParamsDefaults(t *testing.T) {
	got, err := parseParams(nil, envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := params{
		LogLevel:               "info",
		MetricsBindAddress:     "0.0.0.0:9140",
		HealthProbeBindAddress: "127.0.0.1:7572",
		BGPDebounceTimeout:     "3000",
		PrefixListSeq:          "stable",
		ConfigFile:             "/etc/frr_reloader/frr.conf",
		PIDFile:                "/etc/frr_reloader/reloader.pid",
		StatusDir:              "/etc/frr_reloader",
	}
	if diff := cmp.Diff(want, got.params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if got.debounce != 3*time.Second {
		t.Errorf("debounce = %v, want 3s", got.debounce)
	}
	if got.seqMode != frr.SeqStable {
		t.Errorf("seq mode = %q, want stable", got.seqMode)
	}
}

func TestParseParamsPrefixListSeq(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want frr.SeqMode
	}{
		{nil, map[string]string{"FRR_K8S_PREFIX_LIST_SEQ": "position"}, frr.SeqPosition},
		{[]string{"--prefix-list-seq=position"}, nil, frr.SeqPosition},
		{[]string{"--prefix-list-seq=stable"}, map[string]string{"FRR_K8S_PREFIX_LIST_SEQ": "position"}, frr.SeqStable},
	} {
		got, err := parseParams(tc.args, envMap(tc.env))
		if err != nil {
			t.Fatalf("%v %v: %v", tc.args, tc.env, err)
		}
		if got.seqMode != tc.want {
			t.Errorf("%v %v: seq mode = %q, want %q", tc.args, tc.env, got.seqMode, tc.want)
		}
	}
}

func TestParseParamsFlagsAndEnvironment(t *testing.T) {
	args := []string{
		"--node-name=node-a", "--namespace=frr-k8s-system", "--pod-name=frr-k8s-abcde",
		"--log-level=debug", "--metrics-bind-address=127.0.0.1:9999", "--metrics-cert-dir=/certs",
		"--health-probe-bind-address=:7573", "--pprof-bind-address=:6060",
		"--always-block=192.0.2.0/24, fd00::/8", "--tls-min-version=VersionTLS12",
		"--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "--tls-curve-preferences=29",
		"--zap-log-level=debug",
	}
	env := envMap(map[string]string{
		"FRR_K8S_BGP_DEBOUNCE_TIMEOUT": "250",
		"FRR_K8S_PREFIX_LIST_SEQ":      "position",
		"FRR_CONFIG_FILE":              "/shared/frr.conf",
		"FRR_RELOADER_PID_FILE":        "/shared/reloader.pid",
		"FRR_RELOADER_STATUS_DIR":      "/shared",
	})
	got, err := parseParams(args, env)
	if err != nil {
		t.Fatal(err)
	}
	want := params{
		NodeName: "node-a", Namespace: "frr-k8s-system", PodName: "frr-k8s-abcde", LogLevel: "debug",
		MetricsBindAddress: "127.0.0.1:9999", MetricsCertDir: "/certs", HealthProbeBindAddress: ":7573",
		PprofBindAddress: ":6060", AlwaysBlock: "192.0.2.0/24, fd00::/8", BGPDebounceTimeout: "250", PrefixListSeq: "position",
		TLS: tlsconfig.Flags{
			CipherSuites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", CurvePreferences: "29", MinVersion: "VersionTLS12",
		},
		ConfigFile: "/shared/frr.conf", PIDFile: "/shared/reloader.pid", StatusDir: "/shared",
	}
	if diff := cmp.Diff(want, got.params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	wantBlock := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("fd00::/8")}
	if diff := cmp.Diff(wantBlock, got.alwaysBlock, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("always-block (-want +got):\n%s", diff)
	}
	if got.debounce != 250*time.Millisecond {
		t.Errorf("debounce = %v, want 250ms", got.debounce)
	}
}

func TestParseParamsFlagBeatsEnvironmentDebounce(t *testing.T) {
	got, err := parseParams([]string{"--bgp-debounce-timeout=10"}, envMap(map[string]string{"FRR_K8S_BGP_DEBOUNCE_TIMEOUT": "250"}))
	if err != nil {
		t.Fatal(err)
	}
	if got.debounce != 10*time.Millisecond {
		t.Errorf("debounce = %v, want 10ms", got.debounce)
	}
}

func TestParseParamsRejectsInvalidValues(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"log level", []string{"--log-level=verbose"}, nil, "invalid --log-level"},
		{"always-block", []string{"--always-block=192.0.2.0/24,nonsense"}, nil, "invalid --always-block"},
		{"debounce not a number", []string{"--bgp-debounce-timeout=3s"}, nil, "invalid --bgp-debounce-timeout"},
		{"debounce zero", []string{"--bgp-debounce-timeout=0"}, nil, "invalid --bgp-debounce-timeout"},
		{"debounce negative", []string{"--bgp-debounce-timeout=-5"}, nil, "invalid --bgp-debounce-timeout"},
		{"debounce from environment", nil, map[string]string{"FRR_K8S_BGP_DEBOUNCE_TIMEOUT": "soon"}, "invalid --bgp-debounce-timeout"},
		{"tls", []string{"--tls-min-version=VersionTLS10"}, nil, "invalid --tls-min-version"},
		{"prefix-list-seq", []string{"--prefix-list-seq=hash"}, nil, "invalid --prefix-list-seq"},
		{"prefix-list-seq from environment", nil, map[string]string{"FRR_K8S_PREFIX_LIST_SEQ": "positional"}, "invalid --prefix-list-seq"},
		{"unknown flag", []string{"--no-such-flag"}, nil, "no-such-flag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseParams(tc.args, envMap(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseParams error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestRunExitsOneOnInvalidFlags(t *testing.T) {
	for _, args := range [][]string{{"--log-level=verbose"}, {"--always-block=x"}, {"--bgp-debounce-timeout=0"}} {
		if code := run(args); code != 1 {
			t.Errorf("run(%v) = %d, want 1", args, code)
		}
	}
}
