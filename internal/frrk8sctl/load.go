// Package frrk8sctl implements the offline frrk8sctl commands: it reads
// FRRConfigurations, Secrets and Nodes from YAML files, runs the daemon's
// own conversion and renderer, and optionally checks the result with a
// local vtysh.
package frrk8sctl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// ReadError reports an input path that does not exist or cannot be read.
type ReadError struct {
	// Path is the file or directory that failed.
	Path string
	// Err is the underlying error.
	Err error
}

// Error describes the unreadable path.
func (e *ReadError) Error() string { return fmt.Sprintf("reading %s: %v", e.Path, e.Err) }

// Unwrap returns the underlying error.
func (e *ReadError) Unwrap() error { return e.Err }

// Inputs are the objects read from the files, before namespace filtering.
type Inputs struct {
	// Configs are the FRRConfigurations found.
	Configs []v1beta1.FRRConfiguration
	// Secrets are the Secrets found.
	Secrets []corev1.Secret
	// Nodes are the Nodes found.
	Nodes []corev1.Node
}

// Load reads every path: a multi-document YAML file, or a directory whose
// *.yaml and *.yml files (not recursive) are read in name order. Warnings
// (unknown fields, ignored kinds) go to warn.
func Load(paths []string, warn io.Writer) (*Inputs, error) {
	in := &Inputs{}
	for _, p := range paths {
		files, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, &ReadError{Path: f, Err: err}
			}
			if err := in.decodeFile(f, data, warn); err != nil {
				return nil, err
			}
		}
	}
	return in, nil
}

// expand turns a path into the files to read.
func expand(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &ReadError{Path: path, Err: err}
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, &ReadError{Path: path, Err: err}
	}
	var files []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	slices.Sort(files)
	return files, nil
}

// decodeFile splits a file into YAML documents and decodes each.
func (in *Inputs) decodeFile(name string, data []byte, warn io.Writer) error {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for doc := 1; ; doc++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: document %d: %w", name, doc, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if err := in.decodeDocument(raw, warn); err != nil {
			return fmt.Errorf("%s: document %d: %w", name, doc, err)
		}
	}
}

// decodeDocument decodes one document by its apiVersion and kind.
func (in *Inputs) decodeDocument(raw []byte, warn io.Writer) error {
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return fmt.Errorf("invalid YAML: %w", err)
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return nil
	}
	var tm metav1.TypeMeta
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
		return fmt.Errorf("reading apiVersion and kind: %w", err)
	}
	switch {
	case tm.APIVersion == v1beta1.GroupVersion.String() && tm.Kind == "FRRConfiguration":
		var c v1beta1.FRRConfiguration
		if err := decodeStrict(js, &c, tm, warn); err != nil {
			return err
		}
		in.Configs = append(in.Configs, c)
	case tm.APIVersion == "v1" && tm.Kind == "Secret":
		var s corev1.Secret
		if err := decodeStrict(js, &s, tm, warn); err != nil {
			return err
		}
		in.Secrets = append(in.Secrets, s)
	case tm.APIVersion == "v1" && tm.Kind == "Node":
		var n corev1.Node
		if err := decodeStrict(js, &n, tm, warn); err != nil {
			return err
		}
		in.Nodes = append(in.Nodes, n)
	default:
		fmt.Fprintf(warn, "warning: ignoring %s %s: only FRRConfiguration, Secret and Node objects are read\n", describeKind(tm), objectName(js))
	}
	return nil
}

// decodeStrict decodes like the API server: type errors fail, unknown
// fields are dropped with a warning.
func decodeStrict(js []byte, into any, tm metav1.TypeMeta, warn io.Writer) error {
	strictErrs, err := sigsjson.UnmarshalStrict(js, into, sigsjson.DisallowUnknownFields)
	if err != nil {
		return fmt.Errorf("decoding %s %s: %w", tm.Kind, objectName(js), err)
	}
	for _, se := range strictErrs {
		fmt.Fprintf(warn, "warning: %s %s: %v (dropped)\n", tm.Kind, objectName(js), se)
	}
	return nil
}

func describeKind(tm metav1.TypeMeta) string {
	if tm.Kind == "" {
		return "object without kind"
	}
	return tm.APIVersion + " " + tm.Kind
}

// objectName returns "<ns>/<name>" or "<name>" of a JSON object, best effort.
func objectName(js []byte) string {
	var meta struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
	_ = sigsjson.UnmarshalCaseSensitivePreserveInts(js, &meta)
	if meta.Metadata.Namespace != "" {
		return meta.Metadata.Namespace + "/" + meta.Metadata.Name
	}
	if meta.Metadata.Name == "" {
		return "(unnamed)"
	}
	return meta.Metadata.Name
}

// ParseLabels parses "k=v,k2=v2" into a map.
func ParseLabels(s string) (map[string]string, error) {
	labels := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("invalid node label %q, expected key=value", part)
		}
		labels[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return labels, nil
}
