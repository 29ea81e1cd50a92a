package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frrk8s/frrk8s/internal/cienv"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// runCLI runs the command in-process and returns stdout, stderr and the code.
func runCLI(args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func golden(t *testing.T, got string) {
	t.Helper()
	path := filepath.Join("testdata", t.Name()+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden (run with -update): %v", err)
	}
	if d := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); d != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", path, d)
	}
}

func TestRenderMergesNodeConfigs(t *testing.T) {
	// Upstream's positional numbering, which the golden was made with.
	out, errOut, code := runCLI("render", "--node-name", "node1", "--hostname", "node1", "--prefix-list-seq", "position", "-f", "testdata/basic.yaml")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if strings.Contains(out, "s3cret") == false {
		t.Errorf("the Secret's password should be rendered into frr.conf")
	}
	golden(t, out)
}

func TestRenderStableNumbering(t *testing.T) {
	out, errOut, code := runCLI("render", "--node-name", "node1", "--hostname", "node1", "-f", "testdata/basic.yaml")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	explicit, _, _ := runCLI("render", "--node-name", "node1", "--hostname", "node1", "--prefix-list-seq", "stable", "-f", "testdata/basic.yaml")
	if explicit != out {
		t.Errorf("--prefix-list-seq=stable differs from the default")
	}
	if !strings.Contains(out, " seq 4294967295 deny any\n") || !strings.Contains(out, "-out permit 65530\n") {
		t.Errorf("the default is not the stable numbering:\n%s", out)
	}
	golden(t, out)
}

func TestRenderNodeLabelsFlagOverridesNode(t *testing.T) {
	// Without the rack label only metallb-node1 applies, so no timers line.
	out, errOut, code := runCLI("render", "--node-name", "node1", "--hostname", "node1",
		"--node-labels", "kubernetes.io/hostname=node1", "-f", "testdata/basic.yaml")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if strings.Contains(out, "198.51.100.2") || strings.Contains(out, "203.0.113.0/24") {
		t.Errorf("rack-peers should not apply:\n%s", out)
	}
}

func TestRenderDefaultsToHostnameLabel(t *testing.T) {
	// No Node object for node2: its labels default to the hostname label,
	// which metallb-node1 does not select; rack-peers needs rack=r1.
	out, _, code := runCLI("render", "--node-name", "node2", "--hostname", "h", "-f", "testdata/basic.yaml")
	if code != 0 || strings.Contains(out, "router bgp") {
		t.Errorf("expected an empty config for node2, got exit %d:\n%s", code, out)
	}
}

func TestRenderAlwaysBlockAndLogLevel(t *testing.T) {
	out, errOut, code := runCLI("render", "--node-name", "node1", "--hostname", "node1",
		"--always-block", "192.168.1.7/24, fc00::/64", "--log-level", "debug", "-f", "testdata/dir")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"log stdout debugging", "debug bgp updates", "permit 192.168.1.0/24 le 32", "permit fc00::/64 le 128"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestRenderConflictNamesBothConfigs(t *testing.T) {
	out, errOut, code := runCLI("render", "--node-name", "node1", "-f", "testdata/conflict.yaml")
	if code != 1 || out != "" {
		t.Fatalf("want exit 1 and no stdout, got %d and %q", code, out)
	}
	want := "multiple hold times specified for 198.51.100.1 (field holdTime: 90s in frr-k8s-system/a, unset (default 180s) in frr-k8s-system/b)"
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
	if !strings.Contains(errOut, `unknown field "spec.bgp.routers[0].neighbors[0].unknownField"`) {
		t.Errorf("stderr lacks the unknown field warning:\n%s", errOut)
	}
}

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing node name", []string{"render", "-f", "testdata/basic.yaml"}, 1, "--node-name is required"},
		{"missing paths", []string{"render", "--node-name", "n"}, 1, "at least one -f PATH"},
		{"missing file", []string{"render", "--node-name", "n", "-f", "testdata/nope.yaml"}, 2, "no such file"},
		{"bad log level", []string{"render", "--node-name", "n", "--log-level", "loud", "-f", "testdata/basic.yaml"}, 1, "invalid log level"},
		{"bad always-block", []string{"render", "--node-name", "n", "--always-block", "x", "-f", "testdata/basic.yaml"}, 1, "always-block"},
		{"bad labels", []string{"render", "--node-name", "n", "--node-labels", "novalue", "-f", "testdata/basic.yaml"}, 1, "invalid node label"},
		{"bad prefix-list-seq", []string{"render", "--node-name", "n", "--prefix-list-seq", "hash", "-f", "testdata/basic.yaml"}, 1, "invalid --prefix-list-seq"},
		{"unknown command", []string{"draw"}, 1, "unknown command"},
		{"type error", []string{"render", "--node-name", "n", "-f", writeTemp(t, "apiVersion: frrk8s.metallb.io/v1beta1\nkind: FRRConfiguration\nmetadata: {name: x}\nspec:\n  bgp:\n    routers:\n    - asn: \"x\"\n")}, 1, "decoding FRRConfiguration"},
		{"asn overflow", []string{"render", "--node-name", "n", "-f", writeTemp(t, "apiVersion: frrk8s.metallb.io/v1beta1\nkind: FRRConfiguration\nmetadata: {name: x}\nspec:\n  bgp:\n    routers:\n    - asn: 4294967296\n")}, 1, "decoding FRRConfiguration"},
		{"bad duration", []string{"render", "--node-name", "n", "-f", writeTemp(t, "apiVersion: frrk8s.metallb.io/v1beta1\nkind: FRRConfiguration\nmetadata: {name: x}\nspec:\n  bgp:\n    routers:\n    - asn: 1\n      neighbors:\n      - {address: 192.0.2.1, asn: 2, holdTime: soon}\n")}, 1, "decoding FRRConfiguration"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(tc.args...)
			if code != tc.code || out != "" {
				t.Fatalf("want exit %d and no stdout, got %d, stdout %q, stderr %q", tc.code, code, out, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, errOut)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	_, errOut, code := runCLI("render", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"-node-name", "-node-labels", "-namespace", "-hostname", "-always-block", "-log-level", "-prefix-list-seq", "-f"} {
		if !strings.Contains(errOut, f) {
			t.Errorf("help lacks %s", f)
		}
	}
}

func writeTemp(t *testing.T, content string) string {
	path := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// requireVtysh skips without FRR locally and fails under CI=true.
func requireVtysh(t *testing.T) string {
	t.Helper()
	cienv.SkipIfShort(t, "FRR (vtysh)")
	path, err := exec.LookPath("vtysh")
	if err != nil {
		cienv.SkipOrFail(t, "vtysh is not installed")
	}
	return path
}

func TestValidateWithRealVtysh(t *testing.T) {
	vtysh := requireVtysh(t)
	out, errOut, code := runCLI("validate", "--node-name", "node1", "--hostname", "node1", "--vtysh", vtysh, "-f", "testdata/basic.yaml")
	if code != 0 || !strings.Contains(out, "accepted") {
		t.Fatalf("want acceptance, got exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, errOut, code = runCLI("validate", "--node-name", "node1", "--hostname", "node1", "--vtysh", vtysh, "-f", "testdata/raw-bad.yaml")
	if code != 1 || out != "" {
		t.Fatalf("want rejection with exit 1 and no stdout, got %d, %q", code, out)
	}
	if !strings.Contains(errOut, "this is not frr syntax") {
		t.Errorf("stderr lacks vtysh's complaint:\n%s", errOut)
	}
	if !strings.Contains(errOut, "warning: ignoring v1 ConfigMap") {
		t.Errorf("stderr lacks the ignored-kind warning:\n%s", errOut)
	}
}

func TestValidateWithoutFRR(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	out, errOut, code := runCLI("validate", "--node-name", "node1", "--hostname", "node1", "-f", "testdata/basic.yaml")
	if code != 0 || !strings.Contains(out, "FRR is not installed") {
		t.Fatalf("got exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestBinary runs the built command once, as users do.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "frrk8sctl")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "render", "--node-name", "node1", "--hostname", "node1", "-f", "testdata/basic.yaml")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("render: %v\n%s", err, stderr.String())
	}
	want, _, _ := runCLI("render", "--node-name", "node1", "--hostname", "node1", "-f", "testdata/basic.yaml")
	if stdout.String() != want {
		t.Error("the binary's output differs from the in-process run")
	}
	cmd = exec.Command(bin, "render", "--node-name", "node1", "-f", "testdata/missing.yaml")
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("missing file: want exit 2, got %v", err)
	}
}

func TestRenderDuplicateKeyWarnsAndKeepsTheLast(t *testing.T) {
	out, errOut, code := runCLI("render", "--node-name", "node1", "--hostname", "node1", "-f", "testdata/duplicate-keys.yaml")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	want := `warning: FRRConfiguration dup: line 12: key "asn" already set in map (the last value is used)`
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
	if !strings.Contains(out, "neighbor 198.51.100.1 remote-as 64514") {
		t.Errorf("the last asn should win:\n%s", out)
	}
}

func TestRenderStrict(t *testing.T) {
	cases := []struct {
		file string
		want string
	}{
		{"testdata/duplicate-keys.yaml", `decoding FRRConfiguration dup: line 12: key "asn" already set in map`},
		{"testdata/unknown-field.yaml", `decoding FRRConfiguration unknown: unknown field "spec.bgp.routers[0].neighbors[0].unknownField"`},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			out, errOut, code := runCLI("render", "--strict", "--node-name", "node1", "-f", c.file)
			if code != 1 || out != "" {
				t.Fatalf("want exit 1 and no stdout, got %d and %q", code, out)
			}
			if !strings.Contains(errOut, "error: ") || !strings.Contains(errOut, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, errOut)
			}
			if strings.Contains(errOut, "warning:") {
				t.Errorf("--strict should not also warn:\n%s", errOut)
			}
			// Without --strict the same file renders, with a warning.
			if _, errOut, code := runCLI("render", "--node-name", "node1", "-f", c.file); code != 0 || !strings.Contains(errOut, "warning:") {
				t.Errorf("without --strict: exit %d, stderr:\n%s", code, errOut)
			}
		})
	}
}
