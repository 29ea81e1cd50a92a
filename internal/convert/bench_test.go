package convert

import (
	"fmt"
	"net/netip"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr"
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

// rackGroupConfigs is what the admission webhook converts for one rack
// when a config selecting every node is created: the node's MetalLB config
// peering with the rack's two top-of-rack routers, tenants configs
// accepting a range each from the same peers, and the new config.
func rackGroupConfigs(tenants int) []v1beta1.FRRConfiguration {
	tors := []string{"10.0.7.1", "10.0.7.2"}
	torNeighbor := func() v1beta1.Neighbor {
		return v1beta1.Neighbor{
			ASN:           64600,
			HoldTime:      &metav1.Duration{Duration: 90 * time.Second},
			KeepaliveTime: &metav1.Duration{Duration: 30 * time.Second},
		}
	}
	prefixes := []string{"198.51.100.1/32", "198.51.100.200/32", "198.51.100.201/32", "203.0.113.10/32"}
	metallb := v1beta1.Router{ASN: 64512, Prefixes: prefixes}
	for _, tor := range tors {
		n := torNeighbor()
		n.Address = tor
		n.ToAdvertise = v1beta1.Advertise{
			Allowed:               v1beta1.AllowedOutPrefixes{Prefixes: prefixes},
			PrefixesWithCommunity: []v1beta1.CommunityPrefixes{{Community: "64512:100", Prefixes: prefixes[:1]}},
		}
		metallb.Neighbors = append(metallb.Neighbors, n)
	}
	configs := []v1beta1.FRRConfiguration{{
		ObjectMeta: metav1.ObjectMeta{Name: "metallb-node-0210", Namespace: "metallb-system"},
		Spec:       v1beta1.FRRConfigurationSpec{BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{metallb}}},
	}}
	for tenant := range tenants {
		router := v1beta1.Router{ASN: 64512}
		for _, tor := range tors {
			n := torNeighbor()
			n.Address = tor
			n.ToReceive = v1beta1.Receive{Allowed: v1beta1.AllowedInPrefixes{Prefixes: []v1beta1.PrefixSelector{
				{Prefix: fmt.Sprintf("172.%d.7.0/24", 16+tenant%16), LE: 32},
			}}}
			router.Neighbors = append(router.Neighbors, n)
		}
		configs = append(configs, v1beta1.FRRConfiguration{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("tenant-%02d-rack-07", tenant), Namespace: "frr-k8s-system"},
			Spec:       v1beta1.FRRConfigurationSpec{BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{router}}},
		})
	}
	every := v1beta1.Router{ASN: 64512, Neighbors: []v1beta1.Neighbor{{ASN: 64700, Address: "192.0.2.1"}}}
	return append(configs, v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "every-node", Namespace: "frr-k8s-system"},
		Spec:       v1beta1.FRRConfigurationSpec{BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{every}}},
	})
}

// processCPU is the CPU time the process has used: on a busy machine it
// shows the work done, which wall-clock time per op does not.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
			benchmarkConvert(b, func() (*frr.Config, error) {
				selected, err := bc.cache.Select(bc.configs, benchNodeLabels)
				if err != nil {
					return nil, err
				}
				return Convert(Input{Configs: selected, LogLevel: "info"})
			})
		})
	}
	// The admission webhook's input for one group of nodes.
	b.Run("webhook-rack-group-32-configs", func(b *testing.B) {
		configs := rackGroupConfigs(30)
		benchmarkConvert(b, func() (*frr.Config, error) {
			return Convert(Input{Configs: configs, Secrets: SecretsNotRead()})
		})
	})
}

// benchmarkConvert runs convert once per iteration and also reports the
// process CPU time per conversion (cpu-ns/op).
func benchmarkConvert(b *testing.B, convert func() (*frr.Config, error)) {
	b.ReportAllocs()
	cpuStart := processCPU(b)
	for b.Loop() {
		if _, err := convert(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((processCPU(b)-cpuStart).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
