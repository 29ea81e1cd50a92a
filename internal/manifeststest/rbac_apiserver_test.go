package manifeststest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	admissionregv1 "k8s.io/api/admissionregistration/v1"
	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

// helmRBACNamespace is where the RBAC matrix test installs the Helm
// rendering, apart from the kustomize one in daemonNamespace: both create
// a service account named frr-k8s-statuscleaner.
const helmRBACNamespace = "frr-k8s-helm-rbac"

// otherWebhookConfiguration is a webhook configuration that is not
// frr-k8s': the statuscleaner must not be able to change it.
const otherWebhookConfiguration = "other-validating-webhook-configuration"

// rbacKinds are the objects the matrix test applies from a rendering.
var rbacKinds = sets.New("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")

// applyRBAC creates (or replaces) the service accounts, roles and bindings
// of a rendering and deletes them when the test ends.
func applyRBAC(t *testing.T, c client.Client, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		if !rbacKinds.Has(o.GetKind()) {
			continue
		}
		obj := o.DeepCopy()
		err := c.Create(t.Context(), obj)
		if apierrors.IsAlreadyExists(err) {
			existing := &unstructured.Unstructured{}
			existing.SetGroupVersionKind(obj.GroupVersionKind())
			if err = c.Get(t.Context(), client.ObjectKeyFromObject(obj), existing); err == nil {
				obj.SetResourceVersion(existing.GetResourceVersion())
				err = c.Update(t.Context(), obj)
			}
		}
		if err != nil {
			t.Fatalf("apply %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
		t.Cleanup(func() {
			if err := c.Delete(context.Background(), obj); client.IgnoreNotFound(err) != nil {
				t.Errorf("delete %s %s: %v", obj.GetKind(), obj.GetName(), err)
			}
		})
	}
}

// impersonate returns a client that acts as a service account.
func impersonate(t *testing.T, env *testenv.Env, namespace, account string) client.WithWatch {
	t.Helper()
	cfg := rest.CopyConfig(env.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: fmt.Sprintf("system:serviceaccount:%s:%s", namespace, account)}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: env.Client.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// createOrKeep creates an object as the administrator, an existing one is
// kept, and deletes it when the test ends.
func createOrKeep(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Create(t.Context(), obj); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
	t.Cleanup(func() {
		if err := c.Delete(context.Background(), obj); client.IgnoreNotFound(err) != nil {
			t.Errorf("delete %T %s: %v", obj, obj.GetName(), err)
		}
	})
}

// rbacFixtures are the objects the checks read, write and delete, created
// by the administrator in one namespace.
type rbacFixtures struct {
	ns string
	// prefix makes the names of cluster-scoped objects unique per rendering.
	prefix string
}

func setUpFixtures(t *testing.T, c client.Client, ns, prefix string) rbacFixtures {
	t.Helper()
	ensureNamespace(t, c, ns)
	f := rbacFixtures{ns: ns, prefix: prefix}
	createOrKeep(t, c, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: webhookSecretName}})
	createOrKeep(t, c, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rbac-other-secret"}, StringData: map[string]string{"password": "secret"}})
	createOrKeep(t, c, &v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rbac-config"}})
	createOrKeep(t, c, &v1beta1.FRRK8sConfiguration{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "config"}})
	createOrKeep(t, c, &v1beta1.BGPSessionState{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rbac-session"}})
	createOrKeep(t, c, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: prefix + "-state"}})
	createOrKeep(t, c, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "rbac-node"}})
	for _, name := range []string{webhookConfigurationName, otherWebhookConfiguration} {
		createOrKeep(t, c, &admissionregv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name}})
	}
	return f
}

// rbacCheck is one API call made with a service account's identity.
type rbacCheck struct {
	name  string
	allow bool
	call  func(ctx context.Context, c client.WithWatch) error
}

// runChecks makes every call and compares the outcome: an allowed call
// must succeed, a denied one must fail with 403 Forbidden.
func runChecks(t *testing.T, c client.WithWatch, checks []rbacCheck) {
	t.Helper()
	for _, ch := range checks {
		err := ch.call(t.Context(), c)
		switch {
		case ch.allow && err != nil:
			t.Errorf("%s: want allowed, got %v", ch.name, err)
		case !ch.allow && !apierrors.IsForbidden(err):
			t.Errorf("%s: want forbidden, got %v", ch.name, err)
		}
	}
}

// waitForGrants waits until the API server's RBAC authorizer has seen the
// new bindings: the first allowed check passes.
func waitForGrants(t *testing.T, c client.WithWatch, first rbacCheck) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		return first.call(ctx, c) == nil, nil
	})
	if err != nil {
		t.Fatalf("the account never got its rights (%s): %v", first.name, err)
	}
}

// fresh reads an object as the administrator, so that a check exercises
// only the verb under test.
func fresh[T client.Object](ctx context.Context, admin client.Client, obj T) (T, error) {
	err := admin.Get(ctx, client.ObjectKeyFromObject(obj), obj)
	return obj, err
}

// watchOnce starts a watch and stops it: the API server authorizes the
// request when it opens.
func watchOnce(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
	w, err := c.Watch(ctx, list, opts...)
	if err != nil {
		return err
	}
	w.Stop()
	return nil
}

// commonReadChecks are the reads both accounts need.
func commonReadChecks(f rbacFixtures) []rbacCheck {
	return []rbacCheck{
		{"list nodes", true, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &corev1.NodeList{})
		}},
		{"get a node", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Get(ctx, client.ObjectKey{Name: "rbac-node"}, &corev1.Node{})
		}},
		{"watch nodes", true, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &corev1.NodeList{})
		}},
		{"list FRRConfigurations of every namespace", true, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &v1beta1.FRRConfigurationList{})
		}},
		{"watch FRRConfigurations", true, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &v1beta1.FRRConfigurationList{})
		}},
		{"get an FRRConfiguration", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: "rbac-config"}, &v1beta1.FRRConfiguration{})
		}},
		{"get the FRRK8sConfiguration", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: "config"}, &v1beta1.FRRK8sConfiguration{})
		}},
		{"watch FRRK8sConfigurations", true, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &v1beta1.FRRK8sConfigurationList{}, client.InNamespace(f.ns))
		}},
		{"list FRRNodeStates", true, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &v1beta1.FRRNodeStateList{})
		}},
		{"list the pods of the namespace", true, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &corev1.PodList{}, client.InNamespace(f.ns))
		}},
		{"watch the pods of the namespace", true, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &corev1.PodList{}, client.InNamespace(f.ns))
		}},
	}
}

// commonDeniedChecks are the writes neither account may make.
func commonDeniedChecks(admin client.Client, f rbacFixtures) []rbacCheck {
	return []rbacCheck{
		{"create an FRRConfiguration", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Create(ctx, &v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-new"}})
		}},
		{"update an FRRConfiguration", false, func(ctx context.Context, c client.WithWatch) error {
			cfg, err := fresh(ctx, admin, &v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-config"}})
			if err != nil {
				return err
			}
			cfg.Labels = map[string]string{"changed": "true"}
			return c.Update(ctx, cfg)
		}},
		{"patch an FRRConfiguration", false, func(ctx context.Context, c client.WithWatch) error {
			cfg := &v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-config"}}
			return c.Patch(ctx, cfg, client.RawPatch("application/merge-patch+json", []byte(`{"metadata":{"labels":{"changed":"true"}}}`)))
		}},
		{"update the status of an FRRConfiguration", false, func(ctx context.Context, c client.WithWatch) error {
			cfg, err := fresh(ctx, admin, &v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-config"}})
			if err != nil {
				return err
			}
			return c.Status().Update(ctx, cfg)
		}},
		{"delete an FRRConfiguration", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Delete(ctx, &v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-config"}})
		}},
		{"update the FRRK8sConfiguration", false, func(ctx context.Context, c client.WithWatch) error {
			cfg, err := fresh(ctx, admin, &v1beta1.FRRK8sConfiguration{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "config"}})
			if err != nil {
				return err
			}
			cfg.Spec.LogLevel = "debug"
			return c.Update(ctx, cfg)
		}},
		{"update another Secret", false, func(ctx context.Context, c client.WithWatch) error {
			s, err := fresh(ctx, admin, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-other-secret"}})
			if err != nil {
				return err
			}
			s.StringData = map[string]string{"password": "stolen"}
			return c.Update(ctx, s)
		}},
		{"create a Secret", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-new"}})
		}},
		{"delete a Secret", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-other-secret"}})
		}},
		{"list the Secrets of another namespace", false, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &corev1.SecretList{}, client.InNamespace("default"))
		}},
		{"update a node", false, func(ctx context.Context, c client.WithWatch) error {
			n, err := fresh(ctx, admin, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "rbac-node"}})
			if err != nil {
				return err
			}
			n.Labels = map[string]string{"changed": "true"}
			return c.Update(ctx, n)
		}},
		{"delete a pod", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Delete(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "any"}})
		}},
		{"update another webhook configuration", false, func(ctx context.Context, c client.WithWatch) error {
			wh, err := fresh(ctx, admin, &admissionregv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: otherWebhookConfiguration}})
			if err != nil {
				return err
			}
			wh.Labels = map[string]string{"changed": "true"}
			return c.Update(ctx, wh)
		}},
		{"delete the frr-k8s webhook configuration", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Delete(ctx, &admissionregv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: webhookConfigurationName}})
		}},
	}
}

// daemonChecks are the calls specific to the daemon account.
func daemonChecks(admin client.Client, f rbacFixtures) []rbacCheck {
	state := f.prefix + "-state"
	return []rbacCheck{
		{"list the Secrets of the namespace", true, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &corev1.SecretList{}, client.InNamespace(f.ns))
		}},
		{"watch the Secrets of the namespace", true, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &corev1.SecretList{}, client.InNamespace(f.ns))
		}},
		{"get another Secret", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: "rbac-other-secret"}, &corev1.Secret{})
		}},
		{"update the webhook certificate Secret", false, func(ctx context.Context, c client.WithWatch) error {
			s, err := fresh(ctx, admin, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: webhookSecretName}})
			if err != nil {
				return err
			}
			s.StringData = map[string]string{"tls.crt": "forged"}
			return c.Update(ctx, s)
		}},
		{"create an FRRNodeState", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Create(ctx, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: f.prefix + "-created"}})
		}},
		{"update an FRRNodeState", true, func(ctx context.Context, c client.WithWatch) error {
			s, err := fresh(ctx, admin, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: state}})
			if err != nil {
				return err
			}
			s.Labels = map[string]string{"updated": "true"}
			return c.Update(ctx, s)
		}},
		{"patch an FRRNodeState", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Patch(ctx, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: state}},
				client.RawPatch("application/merge-patch+json", []byte(`{"metadata":{"labels":{"patched":"true"}}}`)))
		}},
		{"update the status of an FRRNodeState", true, func(ctx context.Context, c client.WithWatch) error {
			s, err := fresh(ctx, admin, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: state}})
			if err != nil {
				return err
			}
			s.Status.LastReloadResult = "success"
			return c.Status().Update(ctx, s)
		}},
		{"delete an FRRNodeState", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Delete(ctx, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: f.prefix + "-created"}})
		}},
		{"create a BGPSessionState", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Create(ctx, &v1beta1.BGPSessionState{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-created"}})
		}},
		{"patch the status of a BGPSessionState", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Status().Patch(ctx, &v1beta1.BGPSessionState{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-session"}},
				client.RawPatch("application/merge-patch+json", []byte(`{"status":{"bgpStatus":"Established"}}`)))
		}},
		{"watch BGPSessionStates", true, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &v1beta1.BGPSessionStateList{}, client.InNamespace(f.ns))
		}},
		{"delete a BGPSessionState", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Delete(ctx, &v1beta1.BGPSessionState{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-created"}})
		}},
		{"create a TokenReview", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Create(ctx, &authnv1.TokenReview{Spec: authnv1.TokenReviewSpec{Token: "not-a-token"}})
		}},
		{"create a SubjectAccessReview", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Create(ctx, &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
				User:                  "someone",
				NonResourceAttributes: &authzv1.NonResourceAttributes{Path: "/metrics", Verb: "get"},
			}})
		}},
		{"list webhook configurations", false, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &admissionregv1.ValidatingWebhookConfigurationList{})
		}},
		{"update the frr-k8s webhook configuration", false, func(ctx context.Context, c client.WithWatch) error {
			wh, err := fresh(ctx, admin, &admissionregv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: webhookConfigurationName}})
			if err != nil {
				return err
			}
			return c.Update(ctx, wh)
		}},
		{"create an FRRK8sConfiguration", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Create(ctx, &v1beta1.FRRK8sConfiguration{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "rbac-new"}})
		}},
	}
}

// statusCleanerChecks are the calls specific to the statuscleaner account.
func statusCleanerChecks(admin client.Client, f rbacFixtures) []rbacCheck {
	onlyCert := client.MatchingFields{"metadata.name": webhookSecretName}
	return []rbacCheck{
		{"get the webhook certificate Secret", true, func(ctx context.Context, c client.WithWatch) error {
			return c.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: webhookSecretName}, &corev1.Secret{})
		}},
		{"list the webhook certificate Secret by name", true, func(ctx context.Context, c client.WithWatch) error {
			list := &corev1.SecretList{}
			if err := c.List(ctx, list, client.InNamespace(f.ns), onlyCert); err != nil {
				return err
			}
			if len(list.Items) != 1 {
				return fmt.Errorf("listed %d Secrets, want the certificate alone", len(list.Items))
			}
			return nil
		}},
		{"watch the webhook certificate Secret by name", true, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &corev1.SecretList{}, client.InNamespace(f.ns), onlyCert)
		}},
		{"update the webhook certificate Secret", true, func(ctx context.Context, c client.WithWatch) error {
			s, err := fresh(ctx, admin, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: webhookSecretName}})
			if err != nil {
				return err
			}
			s.StringData = map[string]string{"ca.crt": "rotated"}
			return c.Update(ctx, s)
		}},
		{"list every Secret of the namespace", false, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &corev1.SecretList{}, client.InNamespace(f.ns))
		}},
		{"watch every Secret of the namespace", false, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &corev1.SecretList{}, client.InNamespace(f.ns))
		}},
		{"get another Secret", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: "rbac-other-secret"}, &corev1.Secret{})
		}},
		{"list webhook configurations", true, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &admissionregv1.ValidatingWebhookConfigurationList{})
		}},
		{"watch webhook configurations", true, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &admissionregv1.ValidatingWebhookConfigurationList{})
		}},
		{"update the frr-k8s webhook configuration", true, func(ctx context.Context, c client.WithWatch) error {
			wh, err := fresh(ctx, admin, &admissionregv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: webhookConfigurationName}})
			if err != nil {
				return err
			}
			wh.Labels = map[string]string{"ca-injected": "true"}
			return c.Update(ctx, wh)
		}},
		{"delete an FRRNodeState", true, func(ctx context.Context, c client.WithWatch) error {
			victim := &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: f.prefix + "-stale"}}
			if err := admin.Create(ctx, victim); err != nil {
				return err
			}
			return c.Delete(ctx, victim)
		}},
		{"watch FRRNodeStates", true, func(ctx context.Context, c client.WithWatch) error {
			return watchOnce(ctx, c, &v1beta1.FRRNodeStateList{})
		}},
		{"create an FRRNodeState", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Create(ctx, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: f.prefix + "-forged"}})
		}},
		{"update the status of an FRRNodeState", false, func(ctx context.Context, c client.WithWatch) error {
			s, err := fresh(ctx, admin, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: f.prefix + "-state"}})
			if err != nil {
				return err
			}
			s.Status.LastReloadResult = "forged"
			return c.Status().Update(ctx, s)
		}},
		{"list BGPSessionStates", false, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &v1beta1.BGPSessionStateList{}, client.InNamespace(f.ns))
		}},
		{"create a TokenReview", false, func(ctx context.Context, c client.WithWatch) error {
			return c.Create(ctx, &authnv1.TokenReview{Spec: authnv1.TokenReviewSpec{Token: "not-a-token"}})
		}},
	}
}

// checkAccounts applies a rendering's RBAC and runs the matrix with the
// identity of its two service accounts.
func checkAccounts(t *testing.T, objs []*unstructured.Unstructured, ns, daemonAccount, cleanerAccount string) {
	env := testenv.Require(t)
	admin := env.Client
	f := setUpFixtures(t, admin, ns, ns)
	applyRBAC(t, admin, objs)
	t.Run("daemon", func(t *testing.T) {
		c := impersonate(t, env, ns, daemonAccount)
		checks := slices.Concat(commonReadChecks(f), daemonChecks(admin, f), commonDeniedChecks(admin, f))
		waitForGrants(t, c, checks[0])
		runChecks(t, c, checks)
		t.Logf("%d calls checked", len(checks))
	})
	t.Run("statuscleaner", func(t *testing.T) {
		c := impersonate(t, env, ns, cleanerAccount)
		checks := slices.Concat(commonReadChecks(f), statusCleanerChecks(admin, f), commonDeniedChecks(admin, f))
		waitForGrants(t, c, checks[0])
		runChecks(t, c, checks)
		t.Logf("%d calls checked", len(checks))
	})
	t.Run("unbound account", func(t *testing.T) {
		// The API server does enforce RBAC: an account without bindings
		// cannot even list nodes.
		c := impersonate(t, env, ns, "nobody")
		runChecks(t, c, []rbacCheck{{"list nodes", false, func(ctx context.Context, c client.WithWatch) error {
			return c.List(ctx, &corev1.NodeList{})
		}}})
	})
}

func TestKustomizeRBACWithEachAccount(t *testing.T) {
	checkAccounts(t, kustomize(t, "default"), daemonNamespace, "frr-k8s-daemon", "frr-k8s-statuscleaner")
}

func TestHelmRBACWithEachAccount(t *testing.T) {
	objs := helmTemplate(t, "--namespace", helmRBACNamespace)
	checkAccounts(t, objs, helmRBACNamespace, "frr-k8s-controller", "frr-k8s-statuscleaner")
}
