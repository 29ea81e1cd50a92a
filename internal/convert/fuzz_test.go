package convert

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/attack"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/golden"
)

// lineBreaks are the characters FRR or frr-reload.py (Python's
// str.splitlines) would start a new line at.
const lineBreaks = "\n\r\v\f\x1c\x1d\x1e\u0085\u2028\u2029"

// FuzzConvertRender decodes an FRRConfiguration from YAML (and a Secret
// password), converts and renders it. Invariants: no panic, and when the
// conversion accepts the input, no string of it can break a line of
// frr.conf: the rendered text (rawConfig aside) holds no line break but \n,
// no NUL, and no input string holding a line break was accepted.
// Seeds: testdata/fuzz/FuzzConvertRender and the attack table.
func FuzzConvertRender(f *testing.F) {
	for _, c := range append(attack.Cases(), attack.ValidCases()...) {
		doc, err := yaml.Marshal(c.Config)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc, string(c.Secret.Data[corev1.BasicAuthPasswordKey]))
	}
	f.Fuzz(func(t *testing.T, doc []byte, secretPassword string) {
		var cfg v1beta1.FRRConfiguration
		if err := yaml.Unmarshal(doc, &cfg); err != nil {
			return
		}
		cfg.Spec.Raw.Config = "" // the documented door for free text
		secret := corev1.Secret{Type: corev1.SecretTypeBasicAuth, Data: map[string][]byte{corev1.BasicAuthPasswordKey: []byte(secretPassword)}}
		secret.Namespace, secret.Name = attack.Namespace, attack.SecretName
		model, err := Convert(Input{Configs: []v1beta1.FRRConfiguration{cfg}, Secrets: SecretsByName(map[string]corev1.Secret{attack.SecretName: secret})})
		if err != nil {
			if msg := err.Error(); len(msg) > 2*maxMessage+256 {
				t.Fatalf("error of %d bytes", len(msg))
			}
			return
		}
		inputs := renderedStrings(reflect.ValueOf(cfg.Spec.BGP), nil)
		if cfg.Spec.BGP.Routers != nil && usesSecret(&cfg) {
			inputs = append(inputs, secretPassword)
		}
		for _, s := range inputs {
			if strings.ContainsAny(s, lineBreaks+"\x00") {
				t.Fatalf("accepted an input string with a line break: %q", s)
			}
		}
		text, err := frr.Render(model, frr.RenderOptions{Hostname: "node"})
		if err != nil {
			return
		}
		if i := strings.IndexAny(text, lineBreaks[1:]+"\x00"); i >= 0 {
			t.Fatalf("rendered text holds %q at %d", text[i], i)
		}
	})
}

// usesSecret reports whether a neighbor of cfg references a Secret.
func usesSecret(cfg *v1beta1.FRRConfiguration) bool {
	for _, r := range cfg.Spec.BGP.Routers {
		for _, n := range r.Neighbors {
			if n.PasswordSecret.Name != "" && n.Password == "" {
				return true
			}
		}
	}
	return false
}

// renderedStrings collects the strings of v, except Secret references
// (never rendered).
func renderedStrings(v reflect.Value, res []string) []string {
	switch v.Kind() {
	case reflect.String:
		return append(res, v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			return renderedStrings(v.Elem(), res)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			res = renderedStrings(v.Index(i), res)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[v1beta1.SecretReference]() {
			return res
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				res = renderedStrings(v.Field(i), res)
			}
		}
	}
	return res
}

// TestWriteFuzzSeeds rewrites testdata/fuzz/FuzzConvertRender from the
// render test inputs with -update.
func TestWriteFuzzSeeds(t *testing.T) {
	if !golden.Update() {
		t.Skip("run with -update to rewrite the seeds")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzConvertRender")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	inputs, _ := filepath.Glob(filepath.Join("testdata", "TestRender*.yaml"))
	for _, in := range inputs {
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range strings.Split(string(b), "\n---\n") {
			if !strings.Contains(doc, "spec:") {
				continue
			}
			seed := "go test fuzz v1\n[]byte(" + strconv.Quote(doc) + ")\nstring(\"s3cret\")\n"
			name := strings.TrimSuffix(filepath.Base(in), ".yaml") + "-" + strconv.Itoa(i)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(seed), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
