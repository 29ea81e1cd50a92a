package controller

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
)

// ConfigSelectorIndex is the cache index the daemon lists its candidate
// FRRConfigurations with: a config is filed under one "key=value" pair its
// nodeSelector requires (convert.NodeSelector.RequiredLabel), or under
// ConfigSelectorIndexAny when it requires none (an empty selector, only
// matchExpressions, or a selector that does not parse, whose error must
// reach every node). A node can only be selected by the configs filed under
// one of its own labels or under ConfigSelectorIndexAny, so a reconcile
// copies those instead of every config of the namespace. It pays for
// itself in make bench-scale (3,000 nodes, 6,000 configs): mixed-burst
// allocations 127 → 16.8 MiB and CPU −60 % against listing the namespace
// (docs/performance.md).
const ConfigSelectorIndex = "frrk8s.nodeSelectorLabel"

// ConfigSelectorIndexAny files the configs that do not require a label.
const ConfigSelectorIndexAny = "*"

// ConfigSelectorIndexValue is the index function of ConfigSelectorIndex.
func ConfigSelectorIndexValue(obj client.Object) []string {
	cfg, ok := obj.(*v1beta1.FRRConfiguration)
	if !ok {
		return nil
	}
	key, value, ok := convert.ParseNodeSelector(&cfg.Spec.NodeSelector).RequiredLabel()
	if !ok {
		return []string{ConfigSelectorIndexAny}
	}
	return []string{labelIndexKey(key, value)}
}

// labelIndexKey is the index value of one label.
func labelIndexKey(key, value string) string {
	return key + "=" + value
}

// IndexConfigsBySelector registers ConfigSelectorIndex on the indexer
// (the manager's, before the cache starts).
func IndexConfigsBySelector(ctx context.Context, indexer client.FieldIndexer) error {
	if err := indexer.IndexField(ctx, &v1beta1.FRRConfiguration{}, ConfigSelectorIndex, ConfigSelectorIndexValue); err != nil {
		return fmt.Errorf("indexing FRRConfigurations by node selector: %w", err)
	}
	return nil
}
