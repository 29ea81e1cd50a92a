package manifeststest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/frrk8s/frrk8s/internal/cienv"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

const (
	// daemonNamespace is where both renderings install frr-k8s.
	daemonNamespace = "frr-k8s-system"
	// helmRelease is the release name used for `helm template`; with the
	// chart name frr-k8s the chart's full name is frr-k8s too.
	helmRelease = "frr-k8s"
	// projectImage is the frr-k8s image both renderings use by default.
	projectImage = "quay.io/metallb/frr-k8s:main"
)

// repoPath joins path elements to the repository root.
func repoPath(elem ...string) string {
	return filepath.Join(append([]string{testenv.RepoRoot()}, elem...)...)
}

// toolsRequired says whether a missing rendering tool fails the test.
func toolsRequired() bool {
	return cienv.Enabled() || os.Getenv("MANIFESTS_REQUIRE_TOOLS") == "true"
}

// findTool returns the first candidate that is an executable file; a
// candidate without a slash is looked up in $PATH.
func findTool(candidates ...string) string {
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if !strings.Contains(c, "/") {
			if p, err := exec.LookPath(c); err == nil {
				return p
			}
			continue
		}
		if info, err := os.Stat(c); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return c
		}
	}
	return ""
}

// requireTool returns the path of a tool, or skips the test (fails it
// under CI) when none of the candidates exists.
func requireTool(t testing.TB, name string, candidates ...string) string {
	t.Helper()
	if p := findTool(candidates...); p != "" {
		return p
	}
	msg := fmt.Sprintf("%s not found (tried %q): run hack/verify-manifests.sh, which installs it", name, candidates)
	if toolsRequired() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// helmBinary locates helm: $HELM, bin/helm, then $PATH.
func helmBinary(t testing.TB) string {
	t.Helper()
	return requireTool(t, "helm", os.Getenv("HELM"), repoPath("bin", "helm"), "helm")
}

// kustomizeCommand locates kustomize: $KUSTOMIZE, bin/kustomize (`make
// kustomize`), else `kubectl kustomize` with $KUBECTL, the envtest
// kubectl or the one in $PATH. It returns the program and the arguments
// that precede the directory.
func kustomizeCommand(t testing.TB) (string, []string) {
	t.Helper()
	if p := findTool(os.Getenv("KUSTOMIZE"), repoPath("bin", "kustomize")); p != "" {
		return p, []string{"build"}
	}
	var assets string
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		assets = filepath.Join(dir, "kubectl")
	}
	return requireTool(t, "kustomize or kubectl", os.Getenv("KUBECTL"), assets, "kubectl"), []string{"kustomize"}
}

// runTool runs a program and returns its stdout; the error carries stderr.
func runTool(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

var (
	renderMu    sync.Mutex
	renderCache = map[string][]byte{}
)

// cachedRender runs a rendering command once per test binary.
func cachedRender(key string, render func() ([]byte, error)) ([]byte, error) {
	renderMu.Lock()
	defer renderMu.Unlock()
	if out, ok := renderCache[key]; ok {
		return out, nil
	}
	out, err := render()
	if err != nil {
		return nil, err
	}
	renderCache[key] = out
	return out, nil
}

// helmTemplateRaw renders the chart with extra `helm template` arguments.
func helmTemplateRaw(t testing.TB, args ...string) ([]byte, error) {
	t.Helper()
	helm := helmBinary(t)
	full := append([]string{"template", helmRelease, repoPath("charts", "frr-k8s"), "--namespace", daemonNamespace}, args...)
	return cachedRender("helm "+strings.Join(args, " "), func() ([]byte, error) { return runTool(helm, full...) })
}

// helmTemplate renders the chart and decodes the objects.
func helmTemplate(t testing.TB, args ...string) []*unstructured.Unstructured {
	t.Helper()
	out, err := helmTemplateRaw(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return mustDecode(t, out)
}

// kustomizeRaw builds a kustomize directory under config/.
func kustomizeRaw(t testing.TB, dir string) ([]byte, error) {
	t.Helper()
	tool, args := kustomizeCommand(t)
	return cachedRender("kustomize "+dir, func() ([]byte, error) {
		return runTool(tool, append(args, repoPath("config", dir))...)
	})
}

// kustomize builds a kustomize directory under config/ and decodes it.
func kustomize(t testing.TB, dir string) []*unstructured.Unstructured {
	t.Helper()
	out, err := kustomizeRaw(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	return mustDecode(t, out)
}

// decodeObjects splits a multi-document YAML stream into objects, skipping
// empty documents.
func decodeObjects(data []byte) ([]*unstructured.Unstructured, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []*unstructured.Unstructured
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("split yaml documents: %w", err)
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("convert yaml document: %w", err)
		}
		if len(bytes.TrimSpace(js)) == 0 || string(bytes.TrimSpace(js)) == "null" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			return nil, fmt.Errorf("decode object: %w", err)
		}
		objs = append(objs, u)
	}
}

func mustDecode(t testing.TB, data []byte) []*unstructured.Unstructured {
	t.Helper()
	objs, err := decodeObjects(data)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func mustDecodeFile(t testing.TB, path string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return mustDecode(t, data)
}

// objectsOfKind returns the objects of one kind, in stream order.
func objectsOfKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// findObject returns the object of that kind and name, or fails the test.
func findObject(t testing.TB, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	var names []string
	for _, o := range objectsOfKind(objs, kind) {
		if o.GetName() == name {
			return o
		}
		names = append(names, o.GetName())
	}
	t.Fatalf("no %s named %q (have %q)", kind, name, names)
	return nil
}

// singleObject returns the only object of a kind, or fails the test.
func singleObject(t testing.TB, objs []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	t.Helper()
	found := objectsOfKind(objs, kind)
	if len(found) != 1 {
		t.Fatalf("want exactly one %s, got %d", kind, len(found))
	}
	return found[0]
}

// toTyped converts an unstructured object into a typed one.
func toTyped[T any](t testing.TB, u *unstructured.Unstructured) *T {
	t.Helper()
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		t.Fatalf("convert %s %s: %v", u.GetKind(), u.GetName(), err)
	}
	return out
}

// daemonSet returns the single DaemonSet of a rendering.
func daemonSet(t testing.TB, objs []*unstructured.Unstructured) *appsv1.DaemonSet {
	t.Helper()
	return toTyped[appsv1.DaemonSet](t, singleObject(t, objs, "DaemonSet"))
}

// deployment returns the single Deployment of a rendering.
func deployment(t testing.TB, objs []*unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	return toTyped[appsv1.Deployment](t, singleObject(t, objs, "Deployment"))
}

// containerNamed returns a container or init container by name.
func containerNamed(t testing.TB, spec *corev1.PodSpec, name string) *corev1.Container {
	t.Helper()
	for _, list := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
		if i := slices.IndexFunc(list, func(c corev1.Container) bool { return c.Name == name }); i >= 0 {
			return &list[i]
		}
	}
	t.Fatalf("no container %q", name)
	return nil
}
