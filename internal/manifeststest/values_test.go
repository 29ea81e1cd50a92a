package manifeststest

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yamlv3 "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/yaml"
)

// chartPath joins path elements to the chart directory.
func chartPath(elem ...string) string {
	return repoPath(append([]string{"charts", "frr-k8s"}, elem...)...)
}

// readYAMLMap reads a YAML file into a generic map.
func readYAMLMap(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return m
}

// divergenceValues are the keys values.yaml adds to the reference values,
// with their defaults: the statuscleaner's own service account and the
// prefix-list numbering mode.
var divergenceValues = map[string]any{
	"frrk8s.statuscleaner": map[string]any{"serviceAccount": map[string]any{"name": "", "annotations": map[string]any{}}},
	"frrk8s.prefixListSeq": "",
}

func TestValuesMatchReference(t *testing.T) {
	// testdata/helm-values.reference.yaml is upstream's values contract
	// (reference/helm-values.yaml): same keys, same defaults, plus the keys
	// of divergenceValues.
	want := readYAMLMap(t, filepath.Join("testdata", "helm-values.reference.yaml"))
	got := readYAMLMap(t, chartPath("values.yaml"))
	for _, path := range slices.Sorted(maps.Keys(divergenceValues)) {
		parent, key, _ := strings.Cut(path, ".")
		m, _ := got[parent].(map[string]any)
		if diff := cmp.Diff(divergenceValues[path], m[key]); diff != "" {
			t.Errorf("default of %s (-want +got):\n%s", path, diff)
		}
		delete(m, key)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values.yaml differs from the reference values (-reference +chart):\n%s", diff)
	}
}

func TestValuesHaveHelmDocsComments(t *testing.T) {
	data, err := os.ReadFile(chartPath("values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var undocumented []string
	walkMappingKeys(doc.Content[0], "", func(path string, key *yamlv3.Node) {
		if !hasHelmDocsComment(key.HeadComment) {
			undocumented = append(undocumented, path)
		}
	})
	if len(undocumented) > 0 {
		t.Errorf("keys without a `# --` comment right above them: %q", undocumented)
	}
}

// walkMappingKeys calls fn for every key of a mapping, recursively.
func walkMappingKeys(n *yamlv3.Node, prefix string, fn func(path string, key *yamlv3.Node)) {
	if n.Kind != yamlv3.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		path := strings.TrimPrefix(prefix+"."+key.Value, ".")
		fn(path, key)
		walkMappingKeys(value, path, fn)
	}
}

// hasHelmDocsComment says whether the last comment block above a key
// starts with helm-docs' "# --" marker.
func hasHelmDocsComment(head string) bool {
	blocks := strings.Split(strings.TrimSpace(head), "\n\n")
	last := blocks[len(blocks)-1]
	return strings.HasPrefix(last, "# --")
}

func TestValuesSchemaDeclaresEveryKey(t *testing.T) {
	data, err := os.ReadFile(chartPath("values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&schema); err != nil {
		t.Fatalf("values.schema.json: %v", err)
	}
	defs, _ := schema["definitions"].(map[string]any)
	values := readYAMLMap(t, chartPath("values.yaml"))

	var missing []string
	checkSchemaKeys(values, schema, defs, "", &missing)
	if len(missing) > 0 {
		t.Errorf("values without a schema property: %q", missing)
	}
	// And the other way round: the schema declares nothing that is not a
	// value, except the undeclared imagePullSecrets.
	var extra []string
	props, _ := schema["properties"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if _, ok := values[k]; !ok && k != "imagePullSecrets" {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		t.Errorf("schema properties that are no values: %q", extra)
	}
}

// checkSchemaKeys walks the values and records keys the schema does not
// declare. A schema node without properties accepts any keys (maps such
// as labels and resources).
func checkSchemaKeys(values map[string]any, node, defs map[string]any, prefix string, missing *[]string) {
	node = resolveRef(node, defs)
	props, ok := node["properties"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		path := strings.TrimPrefix(prefix+"."+k, ".")
		sub, ok := props[k].(map[string]any)
		if !ok {
			*missing = append(*missing, path)
			continue
		}
		if child, ok := values[k].(map[string]any); ok {
			checkSchemaKeys(child, sub, defs, path, missing)
		}
	}
}

// resolveRef follows a local "#/definitions/x" reference.
func resolveRef(node, defs map[string]any) map[string]any {
	ref, ok := node["$ref"].(string)
	if !ok {
		return node
	}
	target, _ := defs[strings.TrimPrefix(ref, "#/definitions/")].(map[string]any)
	return target
}

func TestChartDeclaresTheCRDSubchart(t *testing.T) {
	chart := readYAMLMap(t, chartPath("Chart.yaml"))
	if chart["name"] != "frr-k8s" || chart["kubeVersion"] != ">= 1.19.0-0" {
		t.Errorf("Chart.yaml: name %v, kubeVersion %v", chart["name"], chart["kubeVersion"])
	}
	deps, _ := chart["dependencies"].([]any)
	want := []any{map[string]any{"name": "crds", "version": "0.0.0", "condition": "crds.enabled"}}
	if diff := cmp.Diff(want, deps); diff != "" {
		t.Errorf("dependencies (-want +got):\n%s", diff)
	}
	sub := readYAMLMap(t, chartPath("charts", "crds", "Chart.yaml"))
	if sub["name"] != "crds" || sub["version"] != "0.0.0" {
		t.Errorf("charts/crds/Chart.yaml: name %v, version %v", sub["name"], sub["version"])
	}
}

func TestChartCRDsAreTheGeneratedOnes(t *testing.T) {
	// `make manifests` copies config/crd/bases into the subchart.
	generated := readDir(t, repoPath("config", "crd", "bases"))
	copied := readDir(t, chartPath("charts", "crds", "templates"))
	if diff := cmp.Diff(sets.List(sets.KeySet(generated)), sets.List(sets.KeySet(copied))); diff != "" {
		t.Fatalf("CRD files (-config/crd/bases +chart):\n%s\nrun `make manifests`", diff)
	}
	for name, content := range generated {
		if copied[name] != content {
			t.Errorf("charts/frr-k8s/charts/crds/templates/%s differs from config/crd/bases: run `make manifests`", name)
		}
	}
}

// readDir returns the YAML files of a directory by name.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(data)
	}
	return files
}
