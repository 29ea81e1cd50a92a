//go:build benchscale

package benchscale

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// The cluster the benchmark builds: Nodes labelled with their hostname, a
// zone and a rack; in the daemon namespace one MetalLB-shaped config per
// node, shared configs selecting racks and zones, one config for every node,
// and the Secrets their passwordSecrets name.
const (
	benchNamespace = "frr-k8s-system"
	zones          = 10
	nodesPerRack   = 10

	labelHostname = "kubernetes.io/hostname"
	labelZone     = "topology.kubernetes.io/zone"
	labelRack     = "example.com/rack"
	labelBench    = "example.com/bench-generation"
)

// Marker prefixes: each generated router carries one /64 whose fourth group
// is the sequence number of the update that wrote it, so a running config
// tells which update it reflects. Per-node configs and shared configs use
// different markers.
const (
	nodeMarker = "2001:db8:ffff"
	rackMarker = "2001:db8:fffe"
)

// nodeMarkerRE finds the per-node marker in a running config.
var nodeMarkerRE = regexp.MustCompile(`network ` + nodeMarker + `:([0-9a-f]+)::/64`)

// markerPrefix is the marker /64 for a sequence number.
func markerPrefix(marker string, seq int64) string {
	return fmt.Sprintf("%s:%x::/64", marker, seq)
}

// markerSeq returns the sequence number of the per-node marker in a running
// config, or -1 when there is none.
func markerSeq(runningConfig string) int64 {
	m := nodeMarkerRE.FindStringSubmatch(runningConfig)
	if m == nil {
		return -1
	}
	seq, err := strconv.ParseInt(m[1], 16, 64)
	if err != nil {
		return -1
	}
	return seq
}

// cluster is the shape of the generated cluster.
type cluster struct {
	nodes int
	// seq numbers every write of a generated config; markers carry it.
	seq atomic.Int64
}

func newCluster(nodes int) *cluster {
	return &cluster{nodes: nodes}
}

func (c *cluster) racks() int { return max(1, c.nodes/nodesPerRack) }

// rackConfigs is the number of rack configs: together with the zone
// configs and the global one there are as many shared configs as nodes.
func (c *cluster) rackConfigs() int { return max(0, c.nodes-zones-1) }

// nextSeq returns a new sequence number for a marker.
func (c *cluster) nextSeq() int64 { return c.seq.Add(1) }

func nodeName(i int) string       { return fmt.Sprintf("node-%04d", i) }
func rackName(r int) string       { return fmt.Sprintf("rack-%03d", r) }
func zoneName(z int) string       { return fmt.Sprintf("zone-%d", z) }
func nodeSecretName(i int) string { return "bgp-auth-" + nodeName(i) }
func rackSecretName(r int) string { return "bgp-auth-" + rackName(r) }
func metallbName(i int) string    { return "metallb-" + nodeName(i) }

// rackOf and zoneOf place node i.
func (c *cluster) rackOf(i int) int { return (i / nodesPerRack) % c.racks() }
func zoneOf(i int) int              { return i % zones }

// rackSlot returns the rack and the slot of rack config g.
func (c *cluster) rackSlot(g int) (rack, slot int) { return g % c.racks(), g / c.racks() }

func rackConfigName(rack, slot int) string { return fmt.Sprintf("%s-peer-%d", rackName(rack), slot) }

// node is Node i.
func (c *cluster) node(i int) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name: nodeName(i),
		Labels: map[string]string{
			labelHostname:                    nodeName(i),
			labelZone:                        zoneName(zoneOf(i)),
			labelRack:                        rackName(c.rackOf(i)),
			"kubernetes.io/os":               "linux",
			"kubernetes.io/arch":             "amd64",
			"node-role.kubernetes.io/worker": "",
		},
		Annotations: map[string]string{
			"node.alpha.kubernetes.io/ttl":                           "0",
			"volumes.kubernetes.io/controller-managed-attach-detach": "true",
		},
	}}
}

// secrets returns the basic-auth Secrets: one for every other node's
// MetalLB peer and one per rack.
func (c *cluster) secrets() []*corev1.Secret {
	var res []*corev1.Secret
	for i := 0; i < c.nodes; i += 2 {
		res = append(res, basicAuth(nodeSecretName(i), "node-secret-"+strconv.Itoa(i)))
	}
	for r := range c.racks() {
		res = append(res, basicAuth(rackSecretName(r), "rack-secret-"+strconv.Itoa(r)))
	}
	return res
}

func basicAuth(name, password string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: benchNamespace},
		Type:       corev1.SecretTypeBasicAuth,
		Data:       map[string][]byte{"password": []byte(password)},
	}
}

// configs returns every FRRConfiguration: per-node, rack, zone and global.
func (c *cluster) configs() []*v1beta1.FRRConfiguration {
	res := make([]*v1beta1.FRRConfiguration, 0, 2*c.nodes)
	for i := range c.nodes {
		res = append(res, c.metallbConfig(i))
	}
	for g := range c.rackConfigs() {
		res = append(res, c.rackConfig(c.rackSlot(g)))
	}
	for z := range zones {
		res = append(res, zoneConfig(z))
	}
	return append(res, globalConfig())
}

// metallbConfig is the config MetalLB writes for node i: its peers, the
// service prefixes it announces, a password Secret for every other node.
func (c *cluster) metallbConfig(i int) *v1beta1.FRRConfiguration {
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: metallbName(i), Namespace: benchNamespace},
		Spec: v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{labelHostname: nodeName(i)}},
			BGP:          v1beta1.BGPConfig{Routers: []v1beta1.Router{metallbRouter(i, c.nextSeq())}},
		},
	}
}

// metallbRouter is the router of node i's MetalLB config with marker seq.
func metallbRouter(i int, seq int64) v1beta1.Router {
	v4 := []string{fmt.Sprintf("203.0.113.%d/32", 1+i%100), fmt.Sprintf("203.0.113.%d/32", 101+i%99)}
	v6 := []string{fmt.Sprintf("2001:db8:5e::%x/128", i+1)}
	peer := v1beta1.Neighbor{
		ASN:           64500,
		Address:       "192.0.2.2",
		HoldTime:      &metav1.Duration{Duration: 90 * time.Second},
		KeepaliveTime: &metav1.Duration{Duration: 30 * time.Second},
		ToAdvertise: v1beta1.Advertise{
			Allowed:               v1beta1.AllowedOutPrefixes{Prefixes: v4},
			PrefixesWithCommunity: []v1beta1.CommunityPrefixes{{Community: "64512:100", Prefixes: v4[:1]}},
		},
	}
	if i%2 == 0 {
		peer.PasswordSecret = v1beta1.SecretReference{Name: nodeSecretName(i), Namespace: benchNamespace}
	}
	neighbors := []v1beta1.Neighbor{peer}
	if i%3 == 0 {
		neighbors = append(neighbors, v1beta1.Neighbor{
			ASN:         64500,
			Address:     "2001:db8:ff::2",
			ToAdvertise: v1beta1.Advertise{Allowed: v1beta1.AllowedOutPrefixes{Prefixes: v6}},
		})
	}
	prefixes := slices.Concat(v4, v6, []string{markerPrefix(nodeMarker, seq)})
	return v1beta1.Router{ASN: 64512, Prefixes: prefixes, Neighbors: neighbors}
}

// rackConfig is a shared config peering every node of a rack with one of
// its top-of-rack sessions; slot numbers the configs of one rack.
func (c *cluster) rackConfig(rack, slot int) *v1beta1.FRRConfiguration {
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: rackConfigName(rack, slot), Namespace: benchNamespace},
		Spec: v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{labelRack: rackName(rack)}},
			BGP:          v1beta1.BGPConfig{Routers: []v1beta1.Router{rackRouter(rack, slot, c.nextSeq())}},
		},
	}
}

// rackRouter is the router of a rack config with marker seq.
func rackRouter(rack, slot int, seq int64) v1beta1.Router {
	prefix := fmt.Sprintf("203.0.113.%d/32", 200+slot%50)
	tor := v1beta1.Neighbor{
		ASN:          uint32(65000 + slot),
		Address:      fmt.Sprintf("198.51.100.%d", 10+2*slot%200),
		EBGPMultiHop: slot%5 == 4,
		ToReceive: v1beta1.Receive{Allowed: v1beta1.AllowedInPrefixes{Prefixes: []v1beta1.PrefixSelector{
			{Prefix: fmt.Sprintf("198.18.%d.0/24", slot%256), LE: 32},
		}}},
	}
	if slot%2 == 0 {
		tor.ToAdvertise.Allowed.Mode = v1beta1.AllowAll
	} else {
		tor.ToAdvertise.Allowed.Prefixes = []string{prefix}
	}
	if slot == 0 {
		tor.PasswordSecret = v1beta1.SecretReference{Name: rackSecretName(rack)}
	}
	neighbors := []v1beta1.Neighbor{tor}
	if slot%4 == 1 {
		neighbors = append(neighbors, v1beta1.Neighbor{
			ASN:     uint32(65000 + slot),
			Address: fmt.Sprintf("198.51.100.%d", 11+2*slot%200),
			ToAdvertise: v1beta1.Advertise{
				Allowed:               v1beta1.AllowedOutPrefixes{Prefixes: []string{prefix}},
				PrefixesWithLocalPref: []v1beta1.LocalPrefPrefixes{{Prefixes: []string{prefix}, LocalPref: 200}},
			},
		})
	}
	return v1beta1.Router{ASN: 64512, Prefixes: []string{prefix, markerPrefix(rackMarker, seq)}, Neighbors: neighbors}
}

// zoneConfig peers every node of a zone with the zone's route reflector,
// with BFD.
func zoneConfig(z int) *v1beta1.FRRConfiguration {
	interval := uint32(300)
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: zoneName(z) + "-reflector", Namespace: benchNamespace},
		Spec: v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: labelZone, Operator: metav1.LabelSelectorOpIn, Values: []string{zoneName(z)}},
			}},
			BGP: v1beta1.BGPConfig{
				BFDProfiles: []v1beta1.BFDProfile{{Name: "zone-bfd", ReceiveInterval: &interval, TransmitInterval: &interval}},
				Routers: []v1beta1.Router{{ASN: 64512, Neighbors: []v1beta1.Neighbor{{
					ASN:        64512,
					Address:    "198.51.100.250",
					BFDProfile: "zone-bfd",
					ToReceive:  v1beta1.Receive{Allowed: v1beta1.AllowedInPrefixes{Mode: v1beta1.AllowAll}},
				}}}},
			},
		},
	}
}

// globalConfig selects every node.
func globalConfig() *v1beta1.FRRConfiguration {
	multiplier := uint32(5)
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "all-nodes-bfd", Namespace: benchNamespace},
		Spec: v1beta1.FRRConfigurationSpec{
			BGP: v1beta1.BGPConfig{BFDProfiles: []v1beta1.BFDProfile{{Name: "slow", DetectMultiplier: &multiplier}}},
		},
	}
}

// selectingConfigs is the number of configs that select node i.
func (c *cluster) selectingConfigs(i int) int {
	n := 1 + 1 + 1 // its MetalLB config, its zone's config, the global one
	for g := range c.rackConfigs() {
		if rack, _ := c.rackSlot(g); rack == c.rackOf(i) {
			n++
		}
	}
	return n
}

// createAll creates objs with workers parallel requests.
func createAll(ctx context.Context, cl client.Client, objs []client.Object, workers int) error {
	return parallel(ctx, len(objs), workers, func(ctx context.Context, i int) error {
		if err := cl.Create(ctx, objs[i]); err != nil {
			return fmt.Errorf("creating %T %s: %w", objs[i], objs[i].GetName(), err)
		}
		return nil
	})
}

// parallel runs do(0..n-1) on workers goroutines and returns the first
// error; the other workers stop taking work after it.
func parallel(ctx context.Context, n, workers int, do func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := do(ctx, i); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// mergePatch builds a JSON merge patch from a value.
func mergePatch(v any) (client.Patch, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding the patch: %w", err)
	}
	return client.RawPatch(types.MergePatchType, data), nil
}

// routersPatch replaces the routers of a config (lists are replaced whole
// by a merge patch, so no read and no conflict is involved).
func routersPatch(r v1beta1.Router) (client.Patch, error) {
	return mergePatch(map[string]any{"spec": map[string]any{"bgp": map[string]any{"routers": []v1beta1.Router{r}}}})
}

// patchConfig applies a routers patch to the named config.
func patchConfig(ctx context.Context, cl client.Client, name string, r v1beta1.Router) error {
	p, err := routersPatch(r)
	if err != nil {
		return err
	}
	cfg := &v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: benchNamespace}}
	if err := cl.Patch(ctx, cfg, p); err != nil {
		return fmt.Errorf("patching FRRConfiguration %s: %w", name, err)
	}
	return nil
}

// labelNode sets the bench generation label of Node i.
func labelNode(ctx context.Context, cl client.Client, i int, gen int) error {
	p, err := mergePatch(map[string]any{"metadata": map[string]any{"labels": map[string]string{labelBench: strconv.Itoa(gen)}}})
	if err != nil {
		return err
	}
	if err := cl.Patch(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName(i)}}, p); err != nil {
		return fmt.Errorf("labelling node %s: %w", nodeName(i), err)
	}
	return nil
}

// rotateSecret changes the password of the named Secret.
func rotateSecret(ctx context.Context, cl client.Client, name string, gen int) error {
	p, err := mergePatch(map[string]any{"data": map[string][]byte{"password": []byte("rotated-" + strconv.Itoa(gen))}})
	if err != nil {
		return err
	}
	if err := cl.Patch(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: benchNamespace}}, p); err != nil {
		return fmt.Errorf("rotating secret %s: %w", name, err)
	}
	return nil
}
