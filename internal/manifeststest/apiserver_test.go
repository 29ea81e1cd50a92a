package manifeststest

import (
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

// dryRunApply submits an object with server-side dry run and strict field
// validation: a dry-run create, or a dry-run update when the object
// already exists (the CRDs installed by envtest, the namespace).
func dryRunApply(t *testing.T, c client.Client, obj *unstructured.Unstructured) {
	t.Helper()
	obj = obj.DeepCopy()
	strict := client.FieldValidation(metav1.FieldValidationStrict)
	err := c.Create(t.Context(), obj, client.DryRunAll, strict)
	if apierrors.IsAlreadyExists(err) {
		existing := &unstructured.Unstructured{}
		existing.SetGroupVersionKind(obj.GroupVersionKind())
		if err = c.Get(t.Context(), client.ObjectKeyFromObject(obj), existing); err == nil {
			obj.SetResourceVersion(existing.GetResourceVersion())
			err = c.Update(t.Context(), obj, client.DryRunAll, strict)
		}
	}
	if err != nil {
		t.Errorf("%s %s/%s rejected: %v", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
	}
}

// checkAccepted dry-runs every object of a rendering against the API
// server. Kinds the test server does not serve (the prometheus-operator
// ServiceMonitor) are reported and skipped.
func checkAccepted(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	env := testenv.Require(t)
	ensureNamespace(t, env.Client, daemonNamespace)
	for _, obj := range objs {
		if _, err := env.Client.RESTMapper().RESTMapping(obj.GroupVersionKind().GroupKind(), obj.GroupVersionKind().Version); meta.IsNoMatchError(err) {
			t.Logf("skipping %s %s: the test API server does not serve %s", obj.GetKind(), obj.GetName(), obj.GroupVersionKind())
			continue
		}
		dryRunApply(t, env.Client, obj)
	}
}

func TestKustomizeRenderingIsAccepted(t *testing.T) {
	objs := kustomize(t, "default")
	checkAccepted(t, objs)
}

func TestHelmRenderingIsAccepted(t *testing.T) {
	checkAccepted(t, helmTemplate(t))
}

func TestHelmRenderingWithEveryOptionIsAccepted(t *testing.T) {
	checkAccepted(t, helmTemplate(t, everyOptionArgs...))
}

// everyOptionArgs turns on every optional part of the chart.
var everyOptionArgs = []string{
	"--set", "frrk8s.alwaysBlock=192.167.9.0/24",
	"--set", "frrk8s.bgpDebounceTimeout=500",
	"--set", "tls.metricsTLSSecret=metrics-cert",
	"--set", "tls.cipherSuites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"--set", "tls.minVersion=VersionTLS12",
	"--set", "tls.curvePreferences=29",
	"--set", "frrk8s.frr.acceptIncomingBGPConnections=true",
	"--set", "frrk8s.disableCertRotation=true",
	"--set", "frrk8s.restartOnRotatorSecretRefresh=true",
	"--set", "frrk8s.priorityClassName=system-node-critical",
	"--set", "frrk8s.nodeSelector.role=bgp",
	"--set", "frrk8s.resources.limits.memory=200Mi",
	"--set", "frrk8s.frr.resources.limits.memory=200Mi",
	"--set", "frrk8s.reloader.resources.limits.memory=50Mi",
	"--set", "frrk8s.frrMetrics.resources.limits.memory=50Mi",
	"--set", "frrk8s.frrStatus.resources.limits.memory=50Mi",
	"--set", "frrk8s.image.pullPolicy=IfNotPresent",
	"--set", "frrk8s.frr.image.pullPolicy=IfNotPresent",
	"--set", "imagePullSecrets[0].name=pull-secret",
	"--set", "prometheus.serviceMonitor.enabled=true",
	"--set", "prometheus.serviceMonitor.interval=30s",
	"--set", "prometheus.rbacPrometheus=true",
	"--set", "prometheus.serviceAccount=prometheus-k8s",
	"--set", "prometheus.namespace=monitoring",
}
