package convert

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// NodeSelector is a parsed nodeSelector: what the daemon, its cache index
// and the webhook select nodes with.
type NodeSelector struct {
	selector labels.Selector
	err      error
	// key and value are one matchLabels pair every selected node carries
	// (the smallest key); key is empty when there is no matchLabels.
	key, value string
	// exact says the pair is the whole selector.
	exact bool
}

// ParseNodeSelector parses a nodeSelector. A selector that does not parse
// selects nothing and reports the parse error through Err.
func ParseNodeSelector(s *metav1.LabelSelector) *NodeSelector {
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		return &NodeSelector{err: err}
	}
	res := &NodeSelector{selector: sel}
	if len(s.MatchLabels) > 0 {
		res.key = slices.Min(slices.Collect(maps.Keys(s.MatchLabels)))
		res.value = s.MatchLabels[res.key]
		res.exact = len(s.MatchLabels) == 1 && len(s.MatchExpressions) == 0
	}
	return res
}

// Err returns the parse error, nil for a valid selector.
func (s *NodeSelector) Err() error { return s.err }

// Matches reports whether the selector selects a node with these labels.
func (s *NodeSelector) Matches(nodeLabels map[string]string) bool {
	if s.err != nil {
		return false
	}
	if s.key != "" {
		if v, ok := nodeLabels[s.key]; !ok || v != s.value {
			return false
		}
		if s.exact {
			return true
		}
	}
	return s.selector.Matches(labels.Set(nodeLabels))
}

// SelectsAll reports whether the selector is empty, selecting every node.
func (s *NodeSelector) SelectsAll() bool {
	return s.err == nil && s.key == "" && s.selector.Empty()
}

// RequiredLabel returns one label every selected node carries, and false
// when the selector requires none (or does not parse): indexes file a
// config under it, so a node only tries the configs filed under one of its
// own labels.
func (s *NodeSelector) RequiredLabel() (key, value string, ok bool) {
	return s.key, s.value, s.err == nil && s.key != ""
}

// configSelector parses a config's nodeSelector; the error names the
// config.
func configSelector(cfg *v1beta1.FRRConfiguration) (*NodeSelector, error) {
	s := ParseNodeSelector(&cfg.Spec.NodeSelector)
	if s.err != nil {
		return nil, withDetail(fmt.Errorf("could not parse nodeSelector for FRRConfiguration %s/%s, err: %w",
			cfg.Namespace, cfg.Name, s.err), originOf(cfg))
	}
	return s, nil
}

// Select returns the configs whose nodeSelector matches a node with the
// given labels (an empty selector matches every node), sorted by name then
// namespace. The result holds shallow copies: nothing is deep-copied or
// modified. A selector that does not parse fails the whole selection, with
// an error naming its FRRConfiguration.
func Select(configs []v1beta1.FRRConfiguration, nodeLabels map[string]string) ([]v1beta1.FRRConfiguration, error) {
	var res []v1beta1.FRRConfiguration
	for _, cfg := range sortedConfigs(configs) {
		matches, err := MatchesNode(cfg, nodeLabels)
		if err != nil {
			return nil, err
		}
		if matches {
			res = append(res, *cfg)
		}
	}
	return res, nil
}

// MatchesNode reports whether the config's nodeSelector selects a node with
// the given labels. The error is the selection error of Select.
func MatchesNode(cfg *v1beta1.FRRConfiguration, nodeLabels map[string]string) (bool, error) {
	s, err := configSelector(cfg)
	if err != nil {
		return false, err
	}
	return s.Matches(nodeLabels), nil
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
