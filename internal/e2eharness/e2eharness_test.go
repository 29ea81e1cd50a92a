package e2eharness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

func TestStartStopAndOutput(t *testing.T) {
	p := Start(t, "sleeper", nil, []string{"GREETING=hello"}, "/bin/sh", "-c", `echo "$GREETING"; exec sleep 60`)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.Out.String(), "hello") {
		if time.Now().After(deadline) {
			t.Fatalf("no output from the process: %q", p.Out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if p.Exited() || p.Err() != nil {
		t.Fatalf("Exited() = %v, Err() = %v while it runs", p.Exited(), p.Err())
	}
	p.Stop()
	if !p.Exited() || p.Err() == nil {
		t.Errorf("after Stop: Exited() = %v, Err() = %v; want true and the signal", p.Exited(), p.Err())
	}
	p.Stop() // a second Stop returns at once
}

func TestFailingProcess(t *testing.T) {
	p := Start(t, "false", nil, nil, "/bin/sh", "-c", "exit 3")
	<-p.done
	if code := p.Cmd.ProcessState.ExitCode(); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
}

func TestWriteKubeconfig(t *testing.T) {
	cfg := &rest.Config{Host: "https://127.0.0.1:6443", BearerToken: "tok",
		TLSClientConfig: rest.TLSClientConfig{CAData: []byte("ca"), CertData: []byte("crt"), KeyData: []byte("key")}}
	got, err := clientcmd.BuildConfigFromFlags("", WriteKubeconfig(t, cfg))
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Host, Token   string
		CA, Cert, Key string
	}
	want := view{cfg.Host, "tok", "ca", "crt", "key"}
	if diff := cmp.Diff(want, view{got.Host, got.BearerToken, string(got.CAData), string(got.CertData), string(got.KeyData)}); diff != "" {
		t.Errorf("kubeconfig (-want +got):\n%s", diff)
	}
}

func TestFileHolds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pid")
	if ok, _ := FileHolds(path, "42"); ok {
		t.Error("a missing file holds 42")
	}
	if err := os.WriteFile(path, []byte("42"), 0o600); err != nil {
		t.Fatal(err)
	}
	if ok, seen := FileHolds(path, "42"); !ok {
		t.Errorf("FileHolds = false: %s", seen)
	}
}

func TestRandomSuffixAndFreePort(t *testing.T) {
	if a, b := RandomSuffix(4), RandomSuffix(4); len(a) != 8 || a == b {
		t.Errorf("RandomSuffix(4) = %q, %q; want two different 8-digit values", a, b)
	}
	if p := FreePort(t); p <= 0 {
		t.Errorf("FreePort = %d", p)
	}
}

func TestBuildUnknownBinary(t *testing.T) {
	b := NewBuild("e2eharness-test-", map[string]string{"a": "./cmd/a"})
	if _, err := b.Path("b"); err == nil {
		t.Error("Path of a binary outside the build succeeded")
	}
}

func TestBuildClash(t *testing.T) {
	b := NewBuild("e2eharness-test-", map[string]string{"one": "./x/cmd", "two": "./y/cmd"})
	defer b.Remove()
	if _, err := b.Dir(); err == nil || !strings.Contains(err.Error(), "both build to cmd") {
		t.Errorf("Dir() error = %v, want a name clash", err)
	}
}
