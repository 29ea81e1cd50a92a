package convert

import (
	"fmt"

	lru "github.com/hashicorp/golang-lru/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// SelectorCache remembers parsed nodeSelectors by config and
// resourceVersion, so repeated selections over thousands of unchanged
// configs neither parse nor allocate. A nil cache parses every time.
// It is safe for concurrent use.
type SelectorCache struct {
	entries *lru.Cache[selectorCacheKey, parsedSelector]
}

// selectorCacheKey identifies one version of a config.
type selectorCacheKey struct {
	namespace, name, resourceVersion string
}

// parsedSelector is a parse result: a selector or the selection error.
type parsedSelector struct {
	selector labels.Selector
	err      error
}

// NewSelectorCache returns a cache holding up to size configs.
func NewSelectorCache(size int) (*SelectorCache, error) {
	entries, err := lru.New[selectorCacheKey, parsedSelector](size)
	if err != nil {
		return nil, fmt.Errorf("create selector cache: %w", err)
	}
	return &SelectorCache{entries: entries}, nil
}

// Matches reports whether the config's nodeSelector selects a node with the
// given labels; see MatchesNode.
func (c *SelectorCache) Matches(cfg *v1beta1.FRRConfiguration, nodeLabels map[string]string) (bool, error) {
	parsed := c.parse(cfg)
	if parsed.err != nil {
		return false, parsed.err
	}
	return parsed.selector.Matches(labels.Set(nodeLabels)), nil
}

// Select is Select with parsed selectors cached.
func (c *SelectorCache) Select(configs []v1beta1.FRRConfiguration, nodeLabels map[string]string) ([]v1beta1.FRRConfiguration, error) {
	var res []v1beta1.FRRConfiguration
	for _, cfg := range sortedConfigs(configs) {
		matches, err := c.Matches(cfg, nodeLabels)
		if err != nil {
			return nil, err
		}
		if matches {
			res = append(res, *cfg)
		}
	}
	return res, nil
}

// parse returns the cached parse of the config's selector, parsing on a
// miss. Configs without resourceVersion (built offline) are not cached.
func (c *SelectorCache) parse(cfg *v1beta1.FRRConfiguration) parsedSelector {
	if c == nil || cfg.ResourceVersion == "" {
		return parseNodeSelector(cfg)
	}
	key := selectorCacheKey{cfg.Namespace, cfg.Name, cfg.ResourceVersion}
	if parsed, found := c.entries.Get(key); found {
		return parsed
	}
	parsed := parseNodeSelector(cfg)
	c.entries.Add(key, parsed)
	return parsed
}

// parseNodeSelector parses a config's nodeSelector; the error carries the
// upstream text and the D6 suffix.
func parseNodeSelector(cfg *v1beta1.FRRConfiguration) parsedSelector {
	selector, err := metav1.LabelSelectorAsSelector(&cfg.Spec.NodeSelector)
	if err != nil {
		return parsedSelector{err: withDetail(fmt.Errorf("could not parse nodeSelector for FRRConfiguration %s/%s, err: %w",
			cfg.Namespace, cfg.Name, err), originOf(cfg))}
	}
	return parsedSelector{selector: selector}
}
