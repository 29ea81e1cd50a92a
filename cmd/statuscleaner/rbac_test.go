package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

// restrictedAccount is the service account the tests run the statuscleaner
// as, bound to the roles `make manifests` generates from this package's
// markers.
const restrictedAccount = "statuscleaner"

// restrictedConfig applies config/rbac/statuscleaner_role.yaml, binds it
// to restrictedAccount and returns a config that acts as that account, so
// the statuscleaner runs with exactly the rights it is deployed with.
func restrictedConfig(t *testing.T, env *testenv.Env) *rest.Config {
	t.Helper()
	ctx := t.Context()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "rbac", "statuscleaner_role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs := []client.Object{&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: testNamespace, Name: restrictedAccount}}}
	subjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: testNamespace, Name: restrictedAccount}}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		role := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &role.Object); err != nil {
			t.Fatal(err)
		}
		if len(role.Object) == 0 {
			continue
		}
		ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: role.GetKind(), Name: role.GetName()}
		meta := metav1.ObjectMeta{Name: "test-" + role.GetName(), Namespace: role.GetNamespace()}
		objs = append(objs, role)
		if role.GetKind() == "ClusterRole" {
			objs = append(objs, &rbacv1.ClusterRoleBinding{ObjectMeta: meta, RoleRef: ref, Subjects: subjects})
		} else {
			objs = append(objs, &rbacv1.RoleBinding{ObjectMeta: meta, RoleRef: ref, Subjects: subjects})
		}
	}
	for _, obj := range objs {
		if err := env.Client.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
		}
	}
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + testNamespace + ":" + restrictedAccount}
	return cfg
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSingleSecretConfigSelectsTheCertificate(t *testing.T) {
	cfg := singleSecretConfig(&rest.Config{Host: "https://127.0.0.1:6443"}, types.NamespacedName{Namespace: "ns", Name: "cert"})
	var seen string
	rt := cfg.WrapTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r.URL.RawQuery
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
	}))
	for _, tc := range []struct{ method, url, want string }{
		{http.MethodGet, "https://h/api/v1/namespaces/ns/secrets?watch=true", "fieldSelector=metadata.name%3Dcert&watch=true"},
		{http.MethodGet, "https://h/api/v1/namespaces/ns/secrets?fieldSelector=type%3Dx", "fieldSelector=type%3Dx%2Cmetadata.name%3Dcert"},
		{http.MethodGet, "https://h/api/v1/namespaces/ns/secrets/cert", ""},
		{http.MethodPut, "https://h/api/v1/namespaces/ns/secrets", ""},
		{http.MethodGet, "https://h/api/v1/namespaces/other/secrets", ""},
		{http.MethodGet, "https://h/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations?watch=true", "watch=true"},
	} {
		req, err := http.NewRequest(tc.method, tc.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		original := req.URL.RawQuery
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if tc.want == "" {
			tc.want = original
		}
		if seen != tc.want {
			t.Errorf("%s %s: query %q, want %q", tc.method, tc.url, seen, tc.want)
		}
		if req.URL.RawQuery != original {
			t.Errorf("%s %s: the caller's request was changed", tc.method, tc.url)
		}
	}
}
