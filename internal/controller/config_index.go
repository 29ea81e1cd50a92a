package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// ConfigSelectorIndex is the cache index the daemon lists its candidate
// FRRConfigurations with (docs/performance.md): a config is filed under one
// "key=value" pair its nodeSelector requires, or under
// ConfigSelectorIndexAny when it requires none (an empty selector, only
// matchExpressions, or a selector that does not parse, whose error must
// reach every node). A node can only be selected by the configs filed under
// one of its own labels or under ConfigSelectorIndexAny, so a reconcile
// copies those instead of every config of the namespace.
const ConfigSelectorIndex = "frrk8s.nodeSelectorLabel"

// ConfigSelectorIndexAny files the configs that do not require a label.
const ConfigSelectorIndexAny = "*"

// ConfigSelectorIndexValue is the index function of ConfigSelectorIndex.
func ConfigSelectorIndexValue(obj client.Object) []string {
	cfg, ok := obj.(*v1beta1.FRRConfiguration)
	if !ok {
		return nil
	}
	return []string{selectorIndexKey(&cfg.Spec.NodeSelector)}
}

// selectorIndexKey is the smallest "key=value" of the selector's
// matchLabels, or ConfigSelectorIndexAny.
func selectorIndexKey(sel *metav1.LabelSelector) string {
	if len(sel.MatchLabels) == 0 {
		return ConfigSelectorIndexAny
	}
	if _, err := metav1.LabelSelectorAsSelector(sel); err != nil {
		return ConfigSelectorIndexAny
	}
	key := slices.Min(slices.Collect(maps.Keys(sel.MatchLabels)))
	return labelIndexKey(key, sel.MatchLabels[key])
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
