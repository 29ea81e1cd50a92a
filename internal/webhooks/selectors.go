package webhooks

import (
	"crypto/sha256"
	"encoding/json"
	"maps"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
)

// configInfo is what the check derives from one version of a config.
type configInfo struct {
	selector *convert.NodeSelector

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
// the configs itself). Digests let nodes whose config sets differ only by
// names (MetalLB's metallb-<node>) share one conversion: a config selecting
// 3,000 nodes that each have their own metallb-<node> is then converted
// once per distinct set, not 3,000 times (BenchmarkAdmission,
// docs/performance.md).
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

// selectors remembers what was derived from each version of the existing
// configs (by UID and resourceVersion), so an admission neither parses the
// selectors of thousands of unchanged configs nor hashes them again.
type selectors struct {
	mu    sync.Mutex
	memo  map[types.UID]*memoEntry
	round uint64
}

// newSelectors returns an empty memo.
func newSelectors() *selectors {
	return &selectors{memo: map[types.UID]*memoEntry{}}
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
			res[i] = &configInfo{selector: convert.ParseNodeSelector(&cfg.Spec.NodeSelector)}
			continue
		}
		e := s.memo[cfg.UID]
		if e == nil || e.resourceVersion != cfg.ResourceVersion {
			e = &memoEntry{resourceVersion: cfg.ResourceVersion, info: &configInfo{selector: convert.ParseNodeSelector(&cfg.Spec.NodeSelector)}}
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
