package main

import (
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFlags(t *testing.T) {
	required := []string{"--node-name=n1", "--namespace=frr-k8s-system", "--pod-name=frr-k8s-x"}
	got, err := parseFlags(required, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := params{NodeName: "n1", Namespace: "frr-k8s-system", PodName: "frr-k8s-x", LogLevel: "info", PollInterval: 2 * time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	got, err = parseFlags(append(required, "--poll-interval=15s", "--log-level=debug"), io.Discard)
	if err != nil || got.PollInterval != 15*time.Second || got.LogLevel != "debug" {
		t.Errorf("parseFlags = %+v, %v", got, err)
	}
	for _, bad := range [][]string{
		append(required, "--poll-interval=2"),
		append(required, "--poll-interval=-1s"),
		append(required, "--poll-interval=0s"),
		append(required, "--log-level=verbose"),
		append(required, "extra"),
		required[1:],
		{"--node-name=n1", "--namespace=ns"},
	} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) succeeded", bad)
		}
	}
}

func TestRunExitCodes(t *testing.T) {
	if code := run([]string{"--poll-interval=soon"}, io.Discard); code != 1 {
		t.Errorf("invalid --poll-interval: exit %d, want 1", code)
	}
	if code := run([]string{"-h"}, io.Discard); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
	t.Setenv("KUBECONFIG", "/nonexistent/kubeconfig")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	if code := run([]string{"--node-name=n1", "--namespace=ns", "--pod-name=p", "--log-level=none"}, io.Discard); code != 1 {
		t.Errorf("no API server: exit %d, want 1", code)
	}
}
