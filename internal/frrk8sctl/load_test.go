package frrk8sctl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// configDoc is one FRRConfiguration document with extra neighbor fields.
func configDoc(name, extra string) string {
	return fmt.Sprintf("apiVersion: frrk8s.metallb.io/v1beta1\nkind: FRRConfiguration\nmetadata:\n  name: %s\nspec:\n  bgp:\n    routers:\n    - asn: 64512\n      neighbors:\n      - address: 198.51.100.1\n        asn: 64513\n%s", name, extra)
}

func writeDocs(t *testing.T, docs ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(path, []byte(strings.Join(docs, "---\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Documents decode in parallel; objects, warnings and errors keep the
// document order.
func TestLoadKeepsDocumentOrder(t *testing.T) {
	var docs []string
	for i := range 40 {
		extra := ""
		if i%3 == 0 {
			extra = fmt.Sprintf("        unknown%d: 1\n", i)
		}
		docs = append(docs, configDoc(fmt.Sprintf("c%02d", i), extra))
	}
	var warn strings.Builder
	in, err := Load([]string{writeDocs(t, docs...)}, false, &warn)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range in.Configs {
		if want := fmt.Sprintf("c%02d", i); c.Name != want {
			t.Fatalf("config %d is %s, want %s", i, c.Name, want)
		}
	}
	var want strings.Builder
	for i := 0; i < 40; i += 3 {
		fmt.Fprintf(&want, "warning: FRRConfiguration c%02d: unknown field \"spec.bgp.routers[0].neighbors[0].unknown%d\" (dropped)\n", i, i)
	}
	if warn.String() != want.String() {
		t.Errorf("warnings:\n%s\nwant:\n%s", warn.String(), want.String())
	}
}

func TestLoadReportsTheFirstFailingDocument(t *testing.T) {
	path := writeDocs(t, configDoc("a", ""), configDoc("b", "        asn: 1\n"), configDoc("c", "        holdTime: [\n"))
	_, err := Load([]string{path}, true, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "document 2: decoding FRRConfiguration b: line 12: key \"asn\" already set in map") {
		t.Fatalf("got %v, want the duplicate key of document 2", err)
	}
}
