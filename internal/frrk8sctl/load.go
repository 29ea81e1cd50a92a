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
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	yamlv2 "go.yaml.in/yaml/v2"
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
// *.yaml and *.yml files (not recursive) are read in name order. Objects are
// decoded like the API server decodes them with its default field
// validation: unknown fields are dropped and duplicate keys keep the last
// value, each with a warning on warn (ignored kinds too). With strict, an
// unknown field or a duplicate key is an error instead.
func Load(paths []string, strict bool, warn io.Writer) (*Inputs, error) {
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
			if err := in.decodeFile(f, data, strict, warn); err != nil {
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

// decodeFile splits a file into YAML documents and decodes them, in
// parallel: the YAML parser is a third of the render workload's time
// (docs/performance.md). Objects, warnings and the first error are kept in
// document order.
func (in *Inputs) decodeFile(name string, data []byte, strict bool, warn io.Writer) error {
	var docs [][]byte
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: document %d: %w", name, len(docs)+1, err)
		}
		docs = append(docs, raw)
	}
	results := make([]decoded, len(docs))
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range min(runtime.GOMAXPROCS(0), len(docs)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(docs); i = int(next.Add(1)) - 1 {
				results[i] = decodeDocument(docs[i], strict)
			}
		})
	}
	wg.Wait()
	for i, r := range results {
		_, _ = io.WriteString(warn, r.warnings.String())
		if r.err != nil {
			return fmt.Errorf("%s: document %d: %w", name, i+1, r.err)
		}
		switch obj := r.obj.(type) {
		case *v1beta1.FRRConfiguration:
			in.Configs = append(in.Configs, *obj)
		case *corev1.Secret:
			in.Secrets = append(in.Secrets, *obj)
		case *corev1.Node:
			in.Nodes = append(in.Nodes, *obj)
		}
	}
	return nil
}

// decoded is the outcome of one document: an object (nil for an empty or
// ignored document), the warnings to print, or an error.
type decoded struct {
	obj      any
	warnings strings.Builder
	err      error
}

// decodeDocument decodes one document by its apiVersion and kind.
func decodeDocument(raw []byte, strict bool) (res decoded) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return res
	}
	// One parse when the document has no duplicate keys; a second,
	// lenient one keeps the last value of each when it has.
	js, err := yaml.YAMLToJSONStrict(raw)
	var duplicates *yamlv2.TypeError
	if errors.As(err, &duplicates) {
		js, err = yaml.YAMLToJSON(raw)
	}
	if err != nil {
		res.err = fmt.Errorf("invalid YAML: %w", err)
		return res
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return res
	}
	var tm metav1.TypeMeta
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
		res.err = fmt.Errorf("reading apiVersion and kind: %w", err)
		return res
	}
	switch {
	case tm.APIVersion == v1beta1.GroupVersion.String() && tm.Kind == "FRRConfiguration":
		res.obj = &v1beta1.FRRConfiguration{}
	case tm.APIVersion == "v1" && tm.Kind == "Secret":
		res.obj = &corev1.Secret{}
	case tm.APIVersion == "v1" && tm.Kind == "Node":
		res.obj = &corev1.Node{}
	default:
		fmt.Fprintf(&res.warnings, "warning: ignoring %s %s: only FRRConfiguration, Secret and Node objects are read\n", describeKind(tm), objectName(js))
		return res
	}
	strictErrs, err := sigsjson.UnmarshalStrict(js, res.obj, sigsjson.DisallowUnknownFields)
	if err != nil {
		res.err = fmt.Errorf("decoding %s %s: %w", tm.Kind, objectName(js), err)
		return res
	}
	var problems []string
	if duplicates != nil {
		problems = append(problems, duplicates.Errors...)
	}
	for _, se := range strictErrs {
		problems = append(problems, se.Error())
	}
	if len(problems) == 0 {
		return res
	}
	if strict {
		res.err = fmt.Errorf("decoding %s %s: %s", tm.Kind, objectName(js), strings.Join(problems, "; "))
		return res
	}
	for _, p := range problems {
		fmt.Fprintf(&res.warnings, "warning: %s %s: %s (%s)\n", tm.Kind, objectName(js), p, droppedOrLast(p))
	}
	return res
}

// droppedOrLast says what became of the value a decoding warning names.
func droppedOrLast(problem string) string {
	if strings.Contains(problem, "already set in map") {
		return "the last value is used"
	}
	return "dropped"
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
