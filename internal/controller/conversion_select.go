package controller

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// SelectConfigs returns the configs that apply to a node (merge.md §1):
// those of namespace (every namespace when empty) whose nodeSelector
// matches nodeLabels, an empty selector matching every node, sorted by name
// (then namespace). The result holds shallow copies: nothing is deep-copied
// or modified. An unparsable selector fails the whole selection.
func SelectConfigs(configs []v1beta1.FRRConfiguration, namespace string, nodeLabels map[string]string) ([]v1beta1.FRRConfiguration, error) {
	var uncached *SelectorCache
	return uncached.SelectConfigs(configs, namespace, nodeLabels)
}

// MatchesNode reports whether the config's nodeSelector selects a node with
// the given labels. The error is the selection error of SelectConfigs.
func MatchesNode(cfg *v1beta1.FRRConfiguration, nodeLabels map[string]string) (bool, error) {
	var uncached *SelectorCache
	return uncached.Matches(cfg, nodeLabels)
}

// ReferencedSecrets returns the names of the Secrets referenced by a
// passwordSecret of the given configs (the daemon passes the configs that
// match its node, to filter Secret events).
func ReferencedSecrets(configs []v1beta1.FRRConfiguration) sets.Set[string] {
	res := sets.New[string]()
	for i := range configs {
		for _, r := range configs[i].Spec.BGP.Routers {
			for _, n := range r.Neighbors {
				if n.PasswordSecret.Name != "" {
					res.Insert(n.PasswordSecret.Name)
				}
			}
		}
	}
	return res
}

// sortedConfigs returns pointers to the configs of namespace (all when
// empty), sorted by name then namespace.
func sortedConfigs(configs []v1beta1.FRRConfiguration, namespace string) []*v1beta1.FRRConfiguration {
	res := make([]*v1beta1.FRRConfiguration, 0, len(configs))
	for i := range configs {
		if namespace == "" || configs[i].Namespace == namespace {
			res = append(res, &configs[i])
		}
	}
	slices.SortFunc(res, func(a, b *v1beta1.FRRConfiguration) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Namespace, b.Namespace)
	})
	return res
}
