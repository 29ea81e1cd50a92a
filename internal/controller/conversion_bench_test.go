package controller

import (
	"fmt"
	"net/netip"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// benchNodeLabels are the labels of the benchmarked node.
var benchNodeLabels = map[string]string{"kubernetes.io/hostname": "node-7", "zone": "a"}

// metallbConfig is a MetalLB-shaped config for one node.
func metallbConfig(node string, neighbors int) v1beta1.FRRConfiguration {
	router := v1beta1.Router{ASN: 64512, Prefixes: []string{"198.51.100.0/24", "2001:db8:5::/64"}}
	for i := range neighbors {
		router.Neighbors = append(router.Neighbors, v1beta1.Neighbor{
			ASN:                    64513,
			Address:                fmt.Sprintf("192.0.2.%d", i+1),
			DualStackAddressFamily: true,
			HoldTime:               &metav1.Duration{Duration: 90e9},
			KeepaliveTime:          &metav1.Duration{Duration: 30e9},
			ToAdvertise: v1beta1.Advertise{
				Allowed:               v1beta1.AllowedOutPrefixes{Prefixes: router.Prefixes},
				PrefixesWithCommunity: []v1beta1.CommunityPrefixes{{Community: "64512:100", Prefixes: []string{"198.51.100.0/24"}}},
			},
		})
	}
	return v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "metallb-" + node, Namespace: testNamespace},
		Spec: v1beta1.FRRConfigurationSpec{
			BGP:          v1beta1.BGPConfig{Routers: []v1beta1.Router{router}},
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/hostname": node}},
		},
	}
}

// sharedConfig is a user config selecting nodes by zone.
func sharedConfig(i int) v1beta1.FRRConfiguration {
	return v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("shared-%02d", i), Namespace: testNamespace},
		Spec: v1beta1.FRRConfigurationSpec{
			BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{
				ASN: 64512,
				Neighbors: []v1beta1.Neighbor{{
					ASN:                    64513,
					Address:                fmt.Sprintf("192.0.2.%d", i%4+1),
					DualStackAddressFamily: true,
					HoldTime:               &metav1.Duration{Duration: 90e9},
					KeepaliveTime:          &metav1.Duration{Duration: 30e9},
					ToReceive: v1beta1.Receive{Allowed: v1beta1.AllowedInPrefixes{Prefixes: []v1beta1.PrefixSelector{
						{Prefix: fmt.Sprintf("10.%d.0.0/16", i), LE: 24},
					}}},
				}},
			}}},
			NodeSelector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "zone", Operator: metav1.LabelSelectorOpIn, Values: []string{"a", "b"}},
			}},
		},
	}
}

// largeRouterConfig is one router with n prefixes advertised, filtered, to
// four neighbors.
func largeRouterConfig(n int) v1beta1.FRRConfiguration {
	prefixes := make([]string, 0, n)
	for i := range n {
		prefixes = append(prefixes, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24).String())
	}
	router := v1beta1.Router{ASN: 64512, Prefixes: prefixes}
	for i := range 4 {
		router.Neighbors = append(router.Neighbors, v1beta1.Neighbor{
			ASN:     64513,
			Address: fmt.Sprintf("192.0.2.%d", i+1),
			ToAdvertise: v1beta1.Advertise{
				Allowed:               v1beta1.AllowedOutPrefixes{Prefixes: prefixes},
				PrefixesWithLocalPref: []v1beta1.LocalPrefPrefixes{{LocalPref: 200, Prefixes: prefixes[:100]}},
			},
		})
	}
	return v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "large", Namespace: testNamespace},
		Spec:       v1beta1.FRRConfigurationSpec{BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{router}}},
	}
}

func BenchmarkConvert(b *testing.B) {
	var nodeConfigs []v1beta1.FRRConfiguration
	for i := range 200 {
		nodeConfigs = append(nodeConfigs, metallbConfig(fmt.Sprintf("node-%d", i), 4))
	}
	for i := range 19 {
		nodeConfigs = append(nodeConfigs, sharedConfig(i))
	}
	for i := range nodeConfigs {
		nodeConfigs[i].ResourceVersion = "1"
	}
	cache, err := NewSelectorCache(1000)
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name    string
		configs []v1beta1.FRRConfiguration
		cache   *SelectorCache
	}{
		{name: "20-of-219-configs", configs: nodeConfigs},
		{name: "20-of-219-configs-selector-cache", configs: nodeConfigs, cache: cache},
		{name: "10000-prefixes-4-neighbors", configs: []v1beta1.FRRConfiguration{largeRouterConfig(10000)}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			in := ConversionInput{Configs: bc.configs, Namespace: testNamespace, NodeLabels: benchNodeLabels, LogLevel: "info", Selectors: bc.cache}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ConvertToFRR(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
