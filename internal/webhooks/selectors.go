package webhooks

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// selectorCacheSize is the number of parsed nodeSelectors kept (daemon.md
// §10 step 2).
const selectorCacheSize = 300

// matcher is a parsed nodeSelector plus what the node index needs.
type matcher struct {
	selector labels.Selector
	// err is the parse error; the other fields are unset when it is not nil.
	err error
	// key and value are one matchLabels pair every selected node carries;
	// key is empty when the selector has no matchLabels.
	key, value string
	// exact says the pair is the whole selector.
	exact bool
}

// matches reports whether the selector selects a node with these labels.
func (m *matcher) matches(nodeLabels map[string]string) bool {
	if m.key != "" {
		v, ok := nodeLabels[m.key]
		if !ok || v != m.value {
			return false
		}
		if m.exact {
			return true
		}
	}
	return m.selector.Matches(labels.Set(nodeLabels))
}

// selectsAll reports whether the selector is empty, selecting every node.
func (m *matcher) selectsAll() bool {
	return m.key == "" && m.selector.Empty()
}

// newMatcher parses a nodeSelector.
func newMatcher(s *metav1.LabelSelector) *matcher {
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		return &matcher{err: err}
	}
	m := &matcher{selector: sel}
	if len(s.MatchLabels) > 0 {
		m.key = slices.Min(slices.Collect(maps.Keys(s.MatchLabels)))
		m.value = s.MatchLabels[m.key]
		m.exact = len(s.MatchLabels) == 1 && len(s.MatchExpressions) == 0
	}
	return m
}

// selectorKey prints a selector's matchLabels and matchExpressions as the
// cache key. Every string is quoted, so two different selectors never
// print the same.
func selectorKey(s *metav1.LabelSelector) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(s.MatchLabels)) {
		b.WriteString(strconv.Quote(k))
		b.WriteByte('=')
		b.WriteString(strconv.Quote(s.MatchLabels[k]))
		b.WriteByte(',')
	}
	b.WriteByte('|')
	for _, e := range s.MatchExpressions {
		fmt.Fprintf(&b, "%q %q %q;", e.Key, e.Operator, e.Values)
	}
	return b.String()
}

// configInfo is what the check derives from one version of a config.
type configInfo struct {
	matcher *matcher

	digestOnce sync.Once
	digest     [sha256.Size]byte
}

// contentDigest returns the digest of the config's spec without its
// nodeSelector, computed once (see specDigest).
func (ci *configInfo) contentDigest(cfg *v1beta1.FRRConfiguration) [sha256.Size]byte {
	ci.digestOnce.Do(func() { ci.digest = specDigest(cfg) })
	return ci.digest
}

// specDigest hashes what the conversion reads from a config besides its
// name and namespace: the spec, nodeSelector excepted (the webhook selects
// the configs itself).
func specDigest(cfg *v1beta1.FRRConfiguration) [sha256.Size]byte {
	spec := cfg.Spec
	spec.NodeSelector = metav1.LabelSelector{}
	raw, err := json.Marshal(spec)
	if err != nil {
		// Never for API types; a digest unique to the config keeps it apart.
		return sha256.Sum256([]byte("unencodable " + cfg.Namespace + "/" + cfg.Name))
	}
	return sha256.Sum256(raw)
}

// memoEntry is what was derived from one version of a cached config.
type memoEntry struct {
	resourceVersion string
	info            *configInfo
	seen            uint64
}

// selectors parses nodeSelectors through an LRU cache keyed by their
// printed form (upstream's cache), and remembers what was derived from
// each version of the existing configs (by UID and resourceVersion), so an
// admission does not even print the selectors of unchanged configs.
type selectors struct {
	parsed *lru.Cache[string, *matcher]

	mu    sync.Mutex
	memo  map[types.UID]*memoEntry
	round uint64
}

// newSelectors returns empty caches.
func newSelectors() *selectors {
	parsed, err := lru.New[string, *matcher](selectorCacheSize)
	if err != nil {
		panic(fmt.Sprintf("creating the selector cache: %v", err)) // only fails for a size <= 0
	}
	return &selectors{parsed: parsed, memo: map[types.UID]*memoEntry{}}
}

// forSelector returns the matcher of a nodeSelector, parsing it on a miss.
func (s *selectors) forSelector(sel *metav1.LabelSelector) *matcher {
	key := selectorKey(sel)
	if m, ok := s.parsed.Get(key); ok {
		return m
	}
	m := newMatcher(sel)
	s.parsed.Add(key, m)
	return m
}

// forConfigs returns what is derived from the configs, in order. Configs
// with a UID and a resourceVersion are remembered across calls; entries of
// configs absent from two consecutive calls are dropped.
func (s *selectors) forConfigs(configs []*v1beta1.FRRConfiguration) []*configInfo {
	res := make([]*configInfo, len(configs))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.round++
	for i, cfg := range configs {
		if cfg.UID == "" || cfg.ResourceVersion == "" {
			res[i] = &configInfo{matcher: s.forSelector(&cfg.Spec.NodeSelector)}
			continue
		}
		e := s.memo[cfg.UID]
		if e == nil || e.resourceVersion != cfg.ResourceVersion {
			e = &memoEntry{resourceVersion: cfg.ResourceVersion, info: &configInfo{matcher: s.forSelector(&cfg.Spec.NodeSelector)}}
			s.memo[cfg.UID] = e
		}
		e.seen = s.round
		res[i] = e.info
	}
	if len(s.memo) > len(configs) {
		maps.DeleteFunc(s.memo, func(_ types.UID, e *memoEntry) bool { return e.seen+1 < s.round })
	}
	return res
}
