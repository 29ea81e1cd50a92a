package apivalidation

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/frrk8s/frrk8s/internal/cienv"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

// referenceCRDDir is where upstream's schemas (descriptions removed) are
// kept as test data.
func referenceCRDDir() string {
	if d := os.Getenv("FRRK8S_REFERENCE_CRDS"); d != "" {
		return d
	}
	return filepath.Join("testdata", "reference-crds")
}

// TestCRDsMatchReference compares each generated CRD, descriptions removed,
// with upstream's schema, byte for byte as parsed YAML (allOf spellings
// included).
func TestCRDsMatchReference(t *testing.T) {
	refDir := referenceCRDDir()
	refs, _ := filepath.Glob(filepath.Join(refDir, "*.yaml"))
	if len(refs) == 0 {
		cienv.SkipOrFail(t, "no reference CRDs in %s", refDir)
	}
	if len(refs) != 4 {
		t.Fatalf("expected 4 reference CRDs, found %d", len(refs))
	}
	for _, ref := range refs {
		name := filepath.Base(ref)
		t.Run(name, func(t *testing.T) {
			want := loadStripped(t, ref)
			got := loadStripped(t, filepath.Join(testenv.CRDDir(), name))
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("generated CRD differs from the reference (-want +got):\n%s", d)
			}
		})
	}
}

func loadStripped(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	var obj any
	if err := yaml.Unmarshal(data, &obj); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	return stripDescriptions(obj)
}

func stripDescriptions(o any) any {
	switch v := o.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			if k != "description" {
				out[k] = stripDescriptions(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, val := range v {
			out[i] = stripDescriptions(val)
		}
		return out
	}
	return o
}
