package convert

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// Select returns the configs whose nodeSelector matches a node with the
// given labels (an empty selector matches every node), sorted by name then
// namespace. The result holds shallow copies: nothing is deep-copied or
// modified. A selector that does not parse fails the whole selection, with
// an error naming its FRRConfiguration.
func Select(configs []v1beta1.FRRConfiguration, nodeLabels map[string]string) ([]v1beta1.FRRConfiguration, error) {
	var uncached *SelectorCache
	return uncached.Select(configs, nodeLabels)
}

// MatchesNode reports whether the config's nodeSelector selects a node with
// the given labels. The error is the selection error of Select.
func MatchesNode(cfg *v1beta1.FRRConfiguration, nodeLabels map[string]string) (bool, error) {
	var uncached *SelectorCache
	return uncached.Matches(cfg, nodeLabels)
}

// InNamespace returns the configs of one namespace, in their order. The
// daemon only reads the configs of its own namespace; others are ignored
// without an error.
func InNamespace(configs []v1beta1.FRRConfiguration, namespace string) []v1beta1.FRRConfiguration {
	return slices.DeleteFunc(slices.Clone(configs), func(c v1beta1.FRRConfiguration) bool {
		return c.Namespace != namespace
	})
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

// sortedConfigs returns pointers to the configs, sorted by name then
// namespace: the conversion order.
func sortedConfigs(configs []v1beta1.FRRConfiguration) []*v1beta1.FRRConfiguration {
	res := make([]*v1beta1.FRRConfiguration, 0, len(configs))
	for i := range configs {
		res = append(res, &configs[i])
	}
	slices.SortFunc(res, func(a, b *v1beta1.FRRConfiguration) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Namespace, b.Namespace)
	})
	return res
}
