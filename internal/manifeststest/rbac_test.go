package manifeststest

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"
)

// permission is one verb on one resource, as granted to a service account.
// Scope is "cluster" for ClusterRoleBindings and "namespace" for
// RoleBindings in the daemon namespace.
type permission struct {
	Scope        string
	Group        string
	Resource     string
	ResourceName string
	Verb         string
}

// grant expands a rule table row into permissions.
func grant(scope, group string, resources []string, resourceName string, verbs ...string) []permission {
	var out []permission
	for _, r := range resources {
		for _, v := range verbs {
			out = append(out, permission{scope, group, r, resourceName, v})
		}
	}
	return out
}

// wantDaemonPermissions is the RBAC contract of the daemon service account
// (controller, frr-status, frr-metrics), and nothing more: it reads
// FRRConfigurations, Nodes and the Secrets of its namespace and writes only
// FRRNodeStates and BGPSessionStates (the metrics-reader role is for
// scrapers).
func wantDaemonPermissions() sets.Set[permission] {
	crud := []string{"create", "delete", "get", "list", "patch", "update", "watch"}
	read := []string{"get", "list", "watch"}
	return sets.New(slices.Concat(
		grant("cluster", "", []string{"nodes"}, "", read...),
		grant("cluster", "frrk8s.metallb.io", []string{"frrconfigurations", "frrk8sconfigurations"}, "", read...),
		grant("cluster", "frrk8s.metallb.io", []string{"bgpsessionstates", "frrnodestates"}, "", crud...),
		grant("cluster", "frrk8s.metallb.io", []string{"bgpsessionstates/status", "frrnodestates/status"}, "", "get", "patch", "update"),
		grant("cluster", "authentication.k8s.io", []string{"tokenreviews"}, "", "create"),
		grant("cluster", "authorization.k8s.io", []string{"subjectaccessreviews"}, "", "create"),
		grant("namespace", "", []string{"secrets", "pods"}, "", read...),
	)...)
}

// wantStatusCleanerPermissions is the RBAC contract of the statuscleaner
// service account (webhook, NodeStateCleaner, log level, certificate
// rotation): it writes only the webhook certificate Secret, its own webhook
// configuration and deletes FRRNodeStates.
func wantStatusCleanerPermissions() sets.Set[permission] {
	read := []string{"get", "list", "watch"}
	return sets.New(slices.Concat(
		grant("cluster", "", []string{"nodes"}, "", read...),
		grant("cluster", "frrk8s.metallb.io", []string{"frrconfigurations", "frrk8sconfigurations"}, "", read...),
		grant("cluster", "frrk8s.metallb.io", []string{"frrnodestates"}, "", "get", "list", "watch", "delete"),
		grant("cluster", "admissionregistration.k8s.io", []string{"validatingwebhookconfigurations"}, "", read...),
		grant("cluster", "admissionregistration.k8s.io", []string{"validatingwebhookconfigurations"}, webhookConfigurationName, "update"),
		grant("namespace", "", []string{"pods"}, "", read...),
		grant("namespace", "", []string{"secrets"}, webhookSecretName, "get", "list", "watch", "update"),
	)...)
}

// Names the statuscleaner's rights are limited to.
const (
	webhookConfigurationName = "frr-k8s-validating-webhook-configuration"
	webhookSecretName        = "frr-k8s-webhook-server-cert" //nolint:gosec // a name, not a credential
)

// permissionsOf collects what a rendering grants to one service account.
func permissionsOf(t *testing.T, objs []*unstructured.Unstructured, account string) sets.Set[permission] {
	t.Helper()
	roles := map[string][]rbacv1.PolicyRule{}
	for _, kind := range []string{"ClusterRole", "Role"} {
		for _, o := range objectsOfKind(objs, kind) {
			roles[kind+"/"+o.GetName()] = toTyped[rbacv1.ClusterRole](t, o).Rules
		}
	}
	out := sets.New[permission]()
	bind := func(scope string, ref rbacv1.RoleRef, subjects []rbacv1.Subject) {
		for _, s := range subjects {
			if s.Kind != rbacv1.ServiceAccountKind || s.Name != account || s.Namespace != daemonNamespace {
				continue
			}
			rules, ok := roles[ref.Kind+"/"+ref.Name]
			if !ok {
				t.Errorf("a binding refers to the missing %s %s", ref.Kind, ref.Name)
			}
			for _, r := range rules {
				out.Insert(expandRule(scope, r)...)
			}
		}
	}
	for _, o := range objectsOfKind(objs, "ClusterRoleBinding") {
		b := toTyped[rbacv1.ClusterRoleBinding](t, o)
		bind("cluster", b.RoleRef, b.Subjects)
	}
	for _, o := range objectsOfKind(objs, "RoleBinding") {
		b := toTyped[rbacv1.RoleBinding](t, o)
		if b.Namespace != daemonNamespace {
			t.Errorf("RoleBinding %s is in namespace %q", b.Name, b.Namespace)
		}
		bind("namespace", b.RoleRef, b.Subjects)
	}
	return out
}

// expandRule turns a policy rule into single permissions.
func expandRule(scope string, r rbacv1.PolicyRule) []permission {
	names := r.ResourceNames
	if len(names) == 0 {
		names = []string{""}
	}
	var out []permission
	for _, g := range r.APIGroups {
		for _, name := range names {
			out = append(out, grant(scope, g, r.Resources, name, r.Verbs...)...)
		}
	}
	for _, u := range r.NonResourceURLs {
		for _, v := range r.Verbs {
			out = append(out, permission{Scope: scope, Resource: "url:" + u, Verb: v})
		}
	}
	return out
}

func comparePermissions(t *testing.T, what string, want, got sets.Set[permission]) {
	t.Helper()
	if missing := want.Difference(got); missing.Len() > 0 {
		t.Errorf("%s lacks %v", what, sortedPermissions(missing))
	}
	if extra := got.Difference(want); extra.Len() > 0 {
		t.Errorf("%s grants more than the RBAC contract (docs/security.md): %v", what, sortedPermissions(extra))
	}
}

// sortedPermissions lists a set in a stable order for messages.
func sortedPermissions(s sets.Set[permission]) []permission {
	return slices.SortedFunc(maps.Keys(s), func(a, b permission) int {
		return cmp.Compare(
			strings.Join([]string{a.Scope, a.Group, a.Resource, a.ResourceName, a.Verb}, "\x00"),
			strings.Join([]string{b.Scope, b.Group, b.Resource, b.ResourceName, b.Verb}, "\x00"))
	})
}

func TestKustomizeRBACIsLeastPrivilege(t *testing.T) {
	// config/rbac/role.yaml and statuscleaner_role.yaml are generated from
	// the +kubebuilder:rbac markers; this also checks the markers.
	objs := kustomize(t, "default")
	comparePermissions(t, "the kustomize daemon account", wantDaemonPermissions(), permissionsOf(t, objs, "frr-k8s-daemon"))
	comparePermissions(t, "the kustomize statuscleaner account", wantStatusCleanerPermissions(), permissionsOf(t, objs, "frr-k8s-statuscleaner"))
}

func TestHelmRBACIsLeastPrivilege(t *testing.T) {
	objs := helmTemplate(t)
	comparePermissions(t, "the Helm daemon account", wantDaemonPermissions(), permissionsOf(t, objs, "frr-k8s-controller"))
	comparePermissions(t, "the Helm statuscleaner account", wantStatusCleanerPermissions(), permissionsOf(t, objs, "frr-k8s-statuscleaner"))
}

func TestRBACBindsOnlyTheTwoAccounts(t *testing.T) {
	// Every binding of both renderings names one of the two accounts, or
	// (the metrics-reader binding of the prometheus overlay and chart
	// option) the scraper's account.
	for name, c := range map[string]struct {
		objs     []*unstructured.Unstructured
		accounts sets.Set[string]
	}{
		"kustomize": {kustomize(t, "default"), sets.New("frr-k8s-daemon", "frr-k8s-statuscleaner")},
		"helm":      {helmTemplate(t), sets.New("frr-k8s-controller", "frr-k8s-statuscleaner")},
	} {
		got := sets.New[string]()
		for _, kind := range []string{"ClusterRoleBinding", "RoleBinding"} {
			for _, o := range objectsOfKind(c.objs, kind) {
				for _, s := range toTyped[rbacv1.RoleBinding](t, o).Subjects {
					got.Insert(s.Name)
				}
			}
		}
		if !got.Equal(c.accounts) {
			t.Errorf("%s binds %v, want %v", name, sets.List(got), sets.List(c.accounts))
		}
		sas := sets.New[string]()
		for _, o := range objectsOfKind(c.objs, "ServiceAccount") {
			sas.Insert(o.GetName())
		}
		if !sas.Equal(c.accounts) {
			t.Errorf("%s creates the service accounts %v, want %v", name, sets.List(sas), sets.List(c.accounts))
		}
	}
}
