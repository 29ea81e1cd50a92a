package manifeststest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/cienv"
	"github.com/frrk8s/frrk8s/internal/convert"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

// sampleNodeLabels are the labels of the node the samples are converted
// for; node_selector.yaml selects bgp-peering=enabled.
var sampleNodeLabels = map[string]string{
	"kubernetes.io/hostname": "node-1",
	"bgp-peering":            "enabled",
}

// sampleFiles lists config/samples/*.yaml.
func sampleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(repoPath("config", "samples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("want at least the ten samples, found %d", len(files))
	}
	return files
}

// ensureNamespace creates a namespace for real (dry-run creations of
// namespaced objects need it to exist).
func ensureNamespace(t *testing.T, c client.Client, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.Create(t.Context(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", name, err)
	}
}

func TestSamplesAreAcceptedByTheAPIServer(t *testing.T) {
	env := testenv.Require(t)
	ensureNamespace(t, env.Client, daemonNamespace)
	for _, file := range sampleFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			for _, obj := range mustDecodeFile(t, file) {
				if obj.GetNamespace() != daemonNamespace {
					t.Errorf("%s %s is in namespace %q, want %s", obj.GetKind(), obj.GetName(), obj.GetNamespace(), daemonNamespace)
				}
				createStrictly(t, env.Client, obj)
			}
		})
	}
}

// createStrictly creates an object the way `kubectl apply` does by
// default (unknown fields are errors) and deletes it when the test ends.
func createStrictly(t *testing.T, c client.Client, obj *unstructured.Unstructured) {
	t.Helper()
	if err := c.Create(t.Context(), obj, client.FieldValidation(metav1.FieldValidationStrict)); err != nil {
		t.Errorf("create %s %s: %v", obj.GetKind(), obj.GetName(), err)
		return
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Delete(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
	})
}

func TestStrictCreationRejectsUpstreamDefects(t *testing.T) {
	// What the samples test guards against: upstream's node_selector.yaml
	// used a `labelSelector` key that the schema does not have.
	env := testenv.Require(t)
	ensureNamespace(t, env.Client, daemonNamespace)
	objs := mustDecode(t, []byte(`
apiVersion: frrk8s.metallb.io/v1beta1
kind: FRRConfiguration
metadata:
  name: unknown-field
  namespace: frr-k8s-system
spec:
  nodeSelector:
    labelSelector:
      foo: bar
`))
	err := env.Client.Create(t.Context(), objs[0], client.FieldValidation(metav1.FieldValidationStrict), client.DryRunAll)
	if err == nil || !strings.Contains(err.Error(), "labelSelector") {
		t.Errorf("strict creation of a config with nodeSelector.labelSelector: got %v, want an unknown field error", err)
	}
}

func TestSamplesConvertAndRender(t *testing.T) {
	decoder := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	for _, file := range sampleFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var configs []v1beta1.FRRConfiguration
			secrets := map[string]corev1.Secret{}
			for _, u := range mustDecodeFile(t, file) {
				js, err := u.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				obj, _, err := decoder.Decode(js, nil, nil)
				if err != nil {
					t.Fatalf("strict decoding of %s %s: %v", u.GetKind(), u.GetName(), err)
				}
				switch o := obj.(type) {
				case *v1beta1.FRRConfiguration:
					configs = append(configs, *o)
				case *corev1.Secret:
					secrets[o.Name] = *o
				default:
					t.Fatalf("unexpected %T in a sample", obj)
				}
			}
			selected, err := convert.Select(convert.InNamespace(configs, daemonNamespace), sampleNodeLabels)
			if err != nil {
				t.Fatalf("the daemon cannot select for the sample: %v", err)
			}
			conf, err := convert.Convert(convert.Input{Configs: selected, Secrets: convert.SecretsByName(secrets), LogLevel: "info"})
			if err != nil {
				t.Fatalf("the daemon rejects the sample: %v", err)
			}
			if len(conf.Routers) == 0 {
				t.Fatal("the sample configures no router for a node with the sample labels")
			}
			conf.Hostname = "node-1"
			text, err := frr.Render(conf)
			if err != nil {
				t.Fatal(err)
			}
			dryRunSample(t, text)
		})
	}
}

// dryRunSample checks a rendered sample with `vtysh --dryrun` when FRR is
// installed (skipped locally without it, an error under CI=true).
func dryRunSample(t *testing.T, text string) {
	t.Helper()
	if _, err := os.Stat(frrcheck.DefaultVtysh); err != nil {
		cienv.SkipOrFail(t, "vtysh not installed, the rendered sample is not checked by FRR: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if out, err := frrcheck.DryRun(ctx, "", text); err != nil {
		t.Errorf("vtysh rejects the rendered sample: %v\n%s\n--- frr.conf\n%s", err, out, text)
	}
}
