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

// wantPermissions is daemon.md §13: what the daemon service account may do,
// and nothing more (the metrics-reader role is for scrapers).
func wantPermissions() sets.Set[permission] {
	crud := []string{"create", "delete", "get", "list", "patch", "update", "watch"}
	var all []permission
	for _, rows := range [][]permission{
		grant("cluster", "", []string{"nodes"}, "", "get", "list", "watch"),
		grant("cluster", "admissionregistration.k8s.io", []string{"validatingwebhookconfigurations"}, "", "get", "list", "watch"),
		grant("cluster", "admissionregistration.k8s.io", []string{"validatingwebhookconfigurations"}, "frr-k8s-validating-webhook-configuration", "update"),
		grant("cluster", "frrk8s.metallb.io", []string{"bgpsessionstates", "frrconfigurations", "frrnodestates"}, "", crud...),
		grant("cluster", "frrk8s.metallb.io", []string{"bgpsessionstates/status", "frrconfigurations/status", "frrnodestates/status"}, "", "get", "patch", "update"),
		grant("cluster", "frrk8s.metallb.io", []string{"frrconfigurations/finalizers"}, "", "update"),
		grant("cluster", "frrk8s.metallb.io", []string{"frrk8sconfigurations"}, "", "get", "list", "watch"),
		grant("cluster", "authentication.k8s.io", []string{"tokenreviews"}, "", "create"),
		grant("cluster", "authorization.k8s.io", []string{"subjectaccessreviews"}, "", "create"),
		grant("namespace", "", []string{"secrets"}, "", "get", "list", "watch", "update"),
		grant("namespace", "", []string{"pods"}, "", "get", "list", "watch"),
		grant("namespace", "frrk8s.metallb.io", []string{"frrnodestates"}, "", "get", "list", "watch", "delete"),
	} {
		all = append(all, rows...)
	}
	return sets.New(all...)
}

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
		t.Errorf("%s grants more than daemon.md §13: %v", what, sortedPermissions(extra))
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
	// config/rbac/role.yaml is generated from the +kubebuilder:rbac markers;
	// this also checks the markers against the spec.
	got := permissionsOf(t, kustomize(t, "default"), "frr-k8s-daemon")
	comparePermissions(t, "the kustomize daemon account", wantPermissions(), got)
}

func TestHelmRBACIsLeastPrivilege(t *testing.T) {
	got := permissionsOf(t, helmTemplate(t), "frr-k8s-controller")
	comparePermissions(t, "the Helm service account", wantPermissions(), got)
}
