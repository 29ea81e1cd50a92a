package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/frrk8s/frrk8s/internal/attack"
)

// TestAttackTable runs the attack table through frrk8sctl render, Secrets
// included (frrk8sctl reads them, like the daemon): every case exits 1 with
// the field named, and nothing is printed on stdout.
func TestAttackTable(t *testing.T) {
	dir := t.TempDir()
	for i, c := range attack.Cases() {
		if c.InMemoryOnly {
			continue
		}
		cfg, err := yaml.Marshal(c.Config)
		if err != nil {
			t.Fatal(err)
		}
		secret, err := yaml.Marshal(c.Secret)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "case.yaml")
		if err := os.WriteFile(path, []byte(string(cfg)+"---\n"+string(secret)), 0o600); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runCLI("render", "--node-name", "node1", "--hostname", "h", "-f", path)
		if code != 1 || out != "" || !strings.Contains(errOut, c.WantErr) {
			t.Errorf("case %d %s: exit %d, stdout %q, stderr %q; want exit 1 naming %q", i, c.Name, code, out, errOut, c.WantErr)
		}
	}
}
