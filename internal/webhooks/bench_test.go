package webhooks

import (
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// The benchmarks run the admission check on in-memory snapshots shaped
// like the informer caches, and report the median (p50-ns) and the 90th
// percentile (p90-ns) of the per-admission latency besides the mean, and
// the CPU time per admission (cpu-ns/op).

// cached stamps a UID and a resourceVersion on a config, as the cache has.
func cached(c *v1beta1.FRRConfiguration, i int) *v1beta1.FRRConfiguration {
	c.UID = types.UID(fmt.Sprintf("uid-%d", i))
	c.ResourceVersion = "1"
	return c
}

// upstreamShape is the scenario of upstream's webhook benchmark: nodes
// labelled only with node-id, perNode identical one-neighbor configs
// selecting each node, and a new config for node-0.
func upstreamShape(nodeCount, perNode int) ([]Node, []*v1beta1.FRRConfiguration, *v1beta1.FRRConfiguration) {
	spec := func(node string) v1beta1.FRRConfigurationSpec {
		return v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{"node-id": node}},
			BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{
				ASN: 65001, ID: "192.168.1.1",
				Neighbors: []v1beta1.Neighbor{{ASN: 65002, Address: "192.168.1.2", Port: ptr.To[uint16](179)}},
				Prefixes:  []string{"192.168.1.0/24"},
			}}},
		}
	}
	var nodes []Node
	var configs []*v1beta1.FRRConfiguration
	for i := range nodeCount {
		name := fmt.Sprintf("node-%d", i)
		nodes = append(nodes, Node{Name: name, Labels: map[string]string{"node-id": name}})
		for range perNode {
			c := &v1beta1.FRRConfiguration{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("frr-config-%d", len(configs)), Namespace: "default"},
				Spec:       spec(name),
			}
			configs = append(configs, cached(c, len(configs)))
		}
	}
	newCfg := &v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "test-config", Namespace: "default"}, Spec: spec("node-0")}
	return nodes, configs, newCfg
}

// Cluster shape for the MetalLB benchmarks: racks of 30 nodes, each rack
// with two top-of-rack peers.
const (
	nodesPerRack   = 30
	tenantsPerRack = 30
)

// rackOf is the rack of node i.
func rackOf(i int) int { return i / nodesPerRack }

// torAddress is the address of top-of-rack peer tor (0 or 1) of a rack.
func torAddress(rack, tor int) string {
	return fmt.Sprintf("10.%d.%d.%d", rack/250, rack%250, tor+1)
}

// metallbShape is a MetalLB-managed cluster: every node has a
// metallb-<node> config peering with its rack's two top-of-rack routers
// and advertising four service IPs, and every rack has tenantsPerRack
// shared configs, selected by the rack label, that accept a tenant range
// from the same peers.
func metallbShape(nodeCount int) ([]Node, []*v1beta1.FRRConfiguration) {
	var nodes []Node
	var configs []*v1beta1.FRRConfiguration
	for i := range nodeCount {
		name := fmt.Sprintf("node-%04d", i)
		nodes = append(nodes, Node{Name: name, Labels: map[string]string{
			"kubernetes.io/hostname":         name,
			"kubernetes.io/os":               "linux",
			"node-role.kubernetes.io/worker": "",
			"topology.kubernetes.io/zone":    fmt.Sprintf("zone-%d", rackOf(i)%3),
			"rack":                           fmt.Sprintf("rack-%02d", rackOf(i)),
		}})
		configs = append(configs, cached(metallbConfig(name, rackOf(i), 1), len(configs)))
	}
	for rack := range (nodeCount + nodesPerRack - 1) / nodesPerRack {
		for tenant := range tenantsPerRack {
			configs = append(configs, cached(tenantConfig(rack, tenant), len(configs)))
		}
	}
	return nodes, configs
}

// metallbConfig is the config MetalLB writes for one node.
func metallbConfig(node string, rack, generation int) *v1beta1.FRRConfiguration {
	prefixes := []string{
		fmt.Sprintf("198.51.100.%d/32", generation%250),
		"198.51.100.200/32", "198.51.100.201/32", "203.0.113.10/32",
	}
	router := v1beta1.Router{ASN: 64512, Prefixes: prefixes}
	for tor := range 2 {
		router.Neighbors = append(router.Neighbors, v1beta1.Neighbor{
			ASN:           64600,
			Address:       torAddress(rack, tor),
			HoldTime:      &metav1.Duration{Duration: 90 * time.Second},
			KeepaliveTime: &metav1.Duration{Duration: 30 * time.Second},
			ToAdvertise: v1beta1.Advertise{
				Allowed:               v1beta1.AllowedOutPrefixes{Prefixes: prefixes},
				PrefixesWithCommunity: []v1beta1.CommunityPrefixes{{Community: "64512:100", Prefixes: prefixes[:1]}},
			},
		})
	}
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "metallb-" + node, Namespace: "metallb-system"},
		Spec: v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/hostname": node}},
			BGP:          v1beta1.BGPConfig{Routers: []v1beta1.Router{router}},
		},
	}
}

// tenantConfig accepts a tenant's range from the top-of-rack peers of a rack.
func tenantConfig(rack, tenant int) *v1beta1.FRRConfiguration {
	router := v1beta1.Router{ASN: 64512}
	for tor := range 2 {
		router.Neighbors = append(router.Neighbors, v1beta1.Neighbor{
			ASN:           64600,
			Address:       torAddress(rack, tor),
			HoldTime:      &metav1.Duration{Duration: 90 * time.Second},
			KeepaliveTime: &metav1.Duration{Duration: 30 * time.Second},
			ToReceive: v1beta1.Receive{Allowed: v1beta1.AllowedInPrefixes{Prefixes: []v1beta1.PrefixSelector{
				{Prefix: fmt.Sprintf("172.%d.%d.0/24", 16+tenant%16, rack%250), LE: 32},
			}}},
		})
	}
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("tenant-%02d-rack-%02d", tenant, rack), Namespace: "frr-k8s-system"},
		Spec: v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{"rack": fmt.Sprintf("rack-%02d", rack)}},
			BGP:          v1beta1.BGPConfig{Routers: []v1beta1.Router{router}},
		},
	}
}

// benchmarkAdmission validates newCfg once per iteration and reports the
// latency percentiles.
func benchmarkAdmission(b *testing.B, nodes []Node, configs []*v1beta1.FRRConfiguration, newCfg *v1beta1.FRRConfiguration) {
	v := NewValidator()
	if _, err := v.Validate(newCfg, nodes, configs); err != nil { // also warms the selector caches
		b.Fatalf("the benchmarked config is denied: %v", err)
	}
	var durations []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	cpuStart := processCPU(b)
	for b.Loop() {
		start := time.Now()
		if _, err := v.Validate(newCfg, nodes, configs); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64((processCPU(b)-cpuStart).Nanoseconds())/float64(len(durations)), "cpu-ns/op")
	slices.Sort(durations)
	b.ReportMetric(float64(percentile(durations, 50).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(percentile(durations, 90).Nanoseconds()), "p90-ns")
}

// processCPU is the CPU time the process has used, GC and every goroutine
// included: on a busy machine it shows the work done, which wall-clock
// latency does not.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// percentile returns the p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100]
}

func BenchmarkAdmission(b *testing.B) {
	b.Run("100-nodes-20-configs-per-node", func(b *testing.B) {
		nodes, configs, newCfg := upstreamShape(100, 20)
		benchmarkAdmission(b, nodes, configs, newCfg)
	})
	b.Run("100-nodes-20-configs", func(b *testing.B) {
		nodes, configs, newCfg := upstreamShape(100, 20)
		benchmarkAdmission(b, nodes, configs[:20], newCfg)
	})

	nodes, configs := metallbShape(3000)
	b.Run("3000-nodes-6000-configs/update-metallb-node", func(b *testing.B) {
		benchmarkAdmission(b, nodes, configs, metallbConfig("node-1234", rackOf(1234), 2))
	})
	b.Run("3000-nodes-6000-configs/create-rack-config", func(b *testing.B) {
		benchmarkAdmission(b, nodes, configs, tenantConfig(42, tenantsPerRack))
	})
	b.Run("3000-nodes-6000-configs/create-config-for-every-node", func(b *testing.B) {
		every := tenantConfig(0, tenantsPerRack)
		every.Name = "every-node"
		every.Spec.NodeSelector = metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/os": "linux"}}
		every.Spec.BGP.Routers[0].Neighbors = []v1beta1.Neighbor{{ASN: 64700, Address: "192.0.2.1"}}
		benchmarkAdmission(b, nodes, configs, every)
	})
}

func TestBenchmarkShapes(t *testing.T) {
	nodes, configs := metallbShape(3000)
	if len(nodes) != 3000 || len(configs) != 6000 {
		t.Fatalf("%d nodes and %d configs, want 3000 and 6000", len(nodes), len(configs))
	}
	_, configs100, _ := upstreamShape(100, 20)
	if len(configs100) != 2000 {
		t.Fatalf("%d configs, want 2000", len(configs100))
	}
}
