package convert

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr"
)

// readObjects decodes a YAML file of testdata.
func readObjects(t testing.TB, name string) testObjects {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return decodeObjects(t, string(data))
}

func TestMergeMetalLBWithUserConfig(t *testing.T) {
	got, err := readObjects(t, "metallb.yaml").convert()
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	tor := frr.Neighbor{
		Family: frr.FamilyDual, DisplayName: "64513@172.18.0.5", ASN: "64513", Addr: "172.18.0.5",
		Hold: ptr(int64(90)), Keepalive: ptr(int64(30)), BFDProfile: "metallb-bfd", GracefulRestart: true,
		Outgoing: frr.AllowedOut{
			PrefixesV4: []string{"192.168.10.5/24"},
			PrefixesV6: []string{"2001:db8:a::5/64"},
			PropertyLists: []frr.PropertyList{
				{Name: "172.18.0.5-150-ip-localpref-prefixes", FW: "ip", Prefixes: []string{"192.168.10.5/24"}, Set: "set local-preference 150"},
				{Name: "172.18.0.5-65535:65282-ip-community-prefixes", FW: "ip", Prefixes: []string{"192.168.10.5/24"}, Set: "set community 65535:65282 additive"},
			},
		},
		Incoming: frr.AllowedIn{
			PrefixesV4: []frr.IncomingFilter{sel("ipv4", "10.100.0.0/16", 0, 20), sel("ipv4", "10.100.0.0/16", 24, 0)},
			PrefixesV6: []frr.IncomingFilter{sel("ipv6", "2001:db8:100::/48", 0, 0)},
		},
	}
	want := &frr.Config{
		LogLevel: "informational",
		Routers: []frr.Router{{
			ASN:        64512,
			V4Prefixes: []string{"192.168.10.5/24"},
			V6Prefixes: []string{"2001:db8:a::5/64"},
			Neighbors:  []frr.Neighbor{tor, nbr4("64514", "172.18.0.6")},
		}},
		BFDProfiles: []frr.BFDProfile{{Name: "metallb-bfd", ReceiveInterval: ptr(uint32(300)), TransmitInterval: ptr(uint32(300)), DetectMultiplier: ptr(uint32(3))}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("model mismatch (-want +got):\n%s", diff)
	}
}

func TestConvertIsDeterministic(t *testing.T) {
	objects := readObjects(t, "metallb.yaml")
	objects.configs = append(objects.configs, decodeObjects(t,
		cfgYAML("raw-b", "raw: {priority: 1, rawConfig: \"! b\"}\n"),
		cfgYAML("raw-a", "raw: {priority: 1, rawConfig: \"! a\"}\n"),
		cfgYAML("vrf", neighborSpec("red", "asn: 65001", "toAdvertise: {allowed: {mode: all}}\ntoReceive: {allowed: {prefixes: [{prefix: 10.0.0.0/8, le: 9}, {prefix: 10.0.0.0/8, ge: 12}]}}")),
		cfgYAML("vrf2", neighborSpec("red", "asn: 65001", "toReceive: {allowed: {prefixes: [{prefix: 10.0.0.0/8, le: 16}]}}")),
	).configs...)
	want, err := objects.convert()
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := objects
		shuffled.configs = slices.Clone(objects.configs)
		rng.Shuffle(len(shuffled.configs), func(i, j int) {
			shuffled.configs[i], shuffled.configs[j] = shuffled.configs[j], shuffled.configs[i]
		})
		got, err := shuffled.convert()
		if err != nil {
			t.Fatalf("convert shuffled: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("shuffled input changed the model (-first +shuffled):\n%s", diff)
		}
	}
}

func TestConvertDoesNotModifyInputs(t *testing.T) {
	objects := readObjects(t, "metallb.yaml")
	objects.configs = append(objects.configs, decodeObjects(t,
		cfgYAML("evpn", "bgp:\n  routers:\n  - asn: 64512\n    vrf: red\n    prefixes: [10.1.0.0/16, 10.0.0.0/16]\n    imports: [{vrf: red}]\n    evpn: {l3vni: {vni: 5, importRTs: [\"1:2\", \"1:1\"], advertisePrefixes: [unicast]}}\n"),
	).configs...)
	before := make([]v1beta1.FRRConfiguration, len(objects.configs))
	for i := range objects.configs {
		objects.configs[i].DeepCopyInto(&before[i])
	}
	if _, err := objects.convert(); err != nil {
		t.Fatalf("convert: %v", err)
	}
	if diff := cmp.Diff(before, objects.configs); diff != "" {
		t.Fatalf("the conversion modified its input (-before +after):\n%s", diff)
	}
}
