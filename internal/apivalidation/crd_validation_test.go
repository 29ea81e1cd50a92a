package apivalidation

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

const testNamespace = "default"

// object builds an unstructured object of the given kind from a YAML spec
// (or status) fragment.
func object(t *testing.T, kind, name, body string) *unstructured.Unstructured {
	t.Helper()
	doc := fmt.Sprintf("apiVersion: frrk8s.metallb.io/v1beta1\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\n%s", kind, name, testNamespace, body)
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatalf("bad test YAML: %v\n%s", err, doc)
	}
	return u
}

// neighborSpec wraps a neighbor YAML fragment (indented for a list item)
// into an FRRConfiguration spec with one router.
func neighborSpec(fields string) string {
	return "spec:\n  bgp:\n    routers:\n    - asn: 64512\n      neighbors:\n      - address: 192.0.2.1\n        asn: 64513\n" + indent(fields, 8)
}

func bfdSpec(fields string) string {
	return "spec:\n  bgp:\n    bfdProfiles:\n    - name: p\n" + indent(fields, 6)
}

func evpnSpec(fields string) string {
	return "spec:\n  bgp:\n    routers:\n    - asn: 64512\n      vrf: red\n      evpn:\n" + indent(fields, 8)
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

type rejectCase struct {
	name string
	kind string
	body string
	// want are substrings of the API server's message: the field path and the reason.
	want []string
}

func TestCRDRejects(t *testing.T) {
	env := testenv.Require(t)
	cases := []rejectCase{
		{"router asn above 32 bits", "FRRConfiguration", "spec:\n  bgp:\n    routers:\n    - asn: 4294967296\n",
			[]string{"spec.bgp.routers[0].asn", "less than or equal to 4294967295"}},
		{"router asn negative", "FRRConfiguration", "spec:\n  bgp:\n    routers:\n    - asn: -1\n",
			[]string{"spec.bgp.routers[0].asn", "greater than or equal to 0"}},
		{"router asn missing", "FRRConfiguration", "spec:\n  bgp:\n    routers:\n    - vrf: red\n",
			[]string{"spec.bgp.routers[0].asn", "Required value"}},
		{"more than 50 routers", "FRRConfiguration", manyRouters(51),
			[]string{"spec.bgp.routers", "must have at most 50 items"}},
		{"neighbor asn above 32 bits", "FRRConfiguration", "spec:\n  bgp:\n    routers:\n    - asn: 64512\n      neighbors:\n      - address: 192.0.2.1\n        asn: 4294967296\n",
			[]string{"spec.bgp.routers[0].neighbors[0].asn", "less than or equal to 4294967295"}},
		{"localASN zero", "FRRConfiguration", neighborSpec("localASN: 0"),
			[]string{"spec.bgp.routers[0].neighbors[0].localASN", "greater than or equal to 1"}},
		{"localASN above 32 bits", "FRRConfiguration", neighborSpec("localASN: 4294967296"),
			[]string{"spec.bgp.routers[0].neighbors[0].localASN", "less than or equal to 4294967295"}},
		{"port above 16384", "FRRConfiguration", neighborSpec("port: 16385"),
			[]string{"spec.bgp.routers[0].neighbors[0].port", "less than or equal to 16384"}},
		{"port negative", "FRRConfiguration", neighborSpec("port: -1"),
			[]string{"spec.bgp.routers[0].neighbors[0].port", "greater than or equal to 0"}},
		{"dynamicASN unknown", "FRRConfiguration", neighborSpec("dynamicASN: internalish"),
			[]string{"spec.bgp.routers[0].neighbors[0].dynamicASN", `Unsupported value: "internalish"`}},
		{"addressFamilies unknown", "FRRConfiguration", neighborSpec("addressFamilies: [multicast]"),
			[]string{"spec.bgp.routers[0].neighbors[0].addressFamilies[0]", `Unsupported value: "multicast"`}},
		{"addressFamilies too many", "FRRConfiguration", neighborSpec("addressFamilies: [unicast, evpn, unicast]"),
			[]string{"spec.bgp.routers[0].neighbors[0].addressFamilies", "must have at most 2 items"}},
		{"connectTime zero", "FRRConfiguration", neighborSpec("connectTime: 0s"),
			[]string{"spec.bgp.routers[0].neighbors[0].connectTime", "connect time should be between 1 seconds to 65535"}},
		{"connectTime too long", "FRRConfiguration", neighborSpec("connectTime: 65536s"),
			[]string{"spec.bgp.routers[0].neighbors[0].connectTime", "connect time should be between 1 seconds to 65535"}},
		{"connectTime fractional", "FRRConfiguration", neighborSpec("connectTime: 1500ms"),
			[]string{"spec.bgp.routers[0].neighbors[0].connectTime", "connect time should contain a whole number of seconds"}},
		{"advertise mode unknown", "FRRConfiguration", neighborSpec("toAdvertise:\n  allowed:\n    mode: some"),
			[]string{"spec.bgp.routers[0].neighbors[0].toAdvertise.allowed.mode", `Unsupported value: "some"`}},
		{"receive mode unknown", "FRRConfiguration", neighborSpec("toReceive:\n  allowed:\n    mode: none"),
			[]string{"spec.bgp.routers[0].neighbors[0].toReceive.allowed.mode", `Unsupported value: "none"`}},
		{"receive le above 128", "FRRConfiguration", neighborSpec("toReceive:\n  allowed:\n    prefixes:\n    - prefix: 192.0.2.0/24\n      le: 129"),
			[]string{"spec.bgp.routers[0].neighbors[0].toReceive.allowed.prefixes[0].le", "less than or equal to 128"}},
		{"receive ge zero", "FRRConfiguration", neighborSpec("toReceive:\n  allowed:\n    prefixes:\n    - prefix: 192.0.2.0/24\n      ge: 0"),
			[]string{"spec.bgp.routers[0].neighbors[0].toReceive.allowed.prefixes[0].ge", "greater than or equal to 1"}},
		{"receive prefix not a cidr", "FRRConfiguration", neighborSpec("toReceive:\n  allowed:\n    prefixes:\n    - prefix: 192.0.2.0"),
			[]string{"spec.bgp.routers[0].neighbors[0].toReceive.allowed.prefixes[0].prefix", "cidr"}},
		{"next hop ipv4 malformed", "FRRConfiguration", neighborSpec("toAdvertise:\n  nextHop:\n    ipv4: 2001:db8::1"),
			[]string{"spec.bgp.routers[0].neighbors[0].toAdvertise.nextHop.ipv4", "ipv4"}},
		{"next hop ipv6 malformed", "FRRConfiguration", neighborSpec("toAdvertise:\n  nextHop:\n    ipv6: 192.0.2.9"),
			[]string{"spec.bgp.routers[0].neighbors[0].toAdvertise.nextHop.ipv6", "ipv6"}},
		{"withLocalPref without prefixes", "FRRConfiguration", neighborSpec("toAdvertise:\n  withLocalPref:\n  - localPref: 100\n    prefixes: []"),
			[]string{"spec.bgp.routers[0].neighbors[0].toAdvertise.withLocalPref[0].prefixes", "at least 1 items"}},
		{"withCommunity without prefixes", "FRRConfiguration", neighborSpec("toAdvertise:\n  withCommunity:\n  - community: 1:1\n    prefixes: []"),
			[]string{"spec.bgp.routers[0].neighbors[0].toAdvertise.withCommunity[0].prefixes", "at least 1 items"}},
		{"bfd profile without name", "FRRConfiguration", "spec:\n  bgp:\n    bfdProfiles:\n    - receiveInterval: 100\n",
			[]string{"spec.bgp.bfdProfiles[0].name", "Required value"}},
		{"bfd receiveInterval below 10", "FRRConfiguration", bfdSpec("receiveInterval: 9"),
			[]string{"spec.bgp.bfdProfiles[0].receiveInterval", "greater than or equal to 10"}},
		{"bfd transmitInterval above 60000", "FRRConfiguration", bfdSpec("transmitInterval: 60001"),
			[]string{"spec.bgp.bfdProfiles[0].transmitInterval", "less than or equal to 60000"}},
		{"bfd detectMultiplier below 2", "FRRConfiguration", bfdSpec("detectMultiplier: 1"),
			[]string{"spec.bgp.bfdProfiles[0].detectMultiplier", "greater than or equal to 2"}},
		{"bfd detectMultiplier above 255", "FRRConfiguration", bfdSpec("detectMultiplier: 256"),
			[]string{"spec.bgp.bfdProfiles[0].detectMultiplier", "less than or equal to 255"}},
		{"bfd echoInterval below 10", "FRRConfiguration", bfdSpec("echoInterval: 5"),
			[]string{"spec.bgp.bfdProfiles[0].echoInterval", "greater than or equal to 10"}},
		{"bfd minimumTtl zero", "FRRConfiguration", bfdSpec("minimumTtl: 0"),
			[]string{"spec.bgp.bfdProfiles[0].minimumTtl", "greater than or equal to 1"}},
		{"bfd minimumTtl above 254", "FRRConfiguration", bfdSpec("minimumTtl: 255"),
			[]string{"spec.bgp.bfdProfiles[0].minimumTtl", "less than or equal to 254"}},
		{"advertiseVNIs unknown", "FRRConfiguration", evpnSpec("advertiseVNIs: Some"),
			[]string{"spec.bgp.routers[0].evpn.advertiseVNIs", `Unsupported value: "Some"`}},
		{"l2vni vni zero", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 0"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].vni", "greater than or equal to 1"}},
		{"l2vni vni above 24 bits", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 16777216"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].vni", "less than or equal to 16777215"}},
		{"more than 10 l2vnis", "FRRConfiguration", evpnSpec(manyL2VNIs(11)),
			[]string{"spec.bgp.routers[0].evpn.l2vnis", "must have at most 10 items"}},
		{"l3vni without advertisePrefixes", "FRRConfiguration", evpnSpec("l3vni:\n  vni: 100"),
			[]string{"spec.bgp.routers[0].evpn.l3vni.advertisePrefixes", "Required value"}},
		{"l3vni advertisePrefixes unknown", "FRRConfiguration", evpnSpec("l3vni:\n  vni: 100\n  advertisePrefixes: [multicast]"),
			[]string{"spec.bgp.routers[0].evpn.l3vni.advertisePrefixes[0]", `Unsupported value: "multicast"`}},
		{"l3vni advertisePrefixes twice", "FRRConfiguration", evpnSpec("l3vni:\n  vni: 100\n  advertisePrefixes: [unicast, unicast]"),
			[]string{"spec.bgp.routers[0].evpn.l3vni.advertisePrefixes", "must have at most 1 item"}},
		{"l3vni vni zero", "FRRConfiguration", evpnSpec("l3vni:\n  vni: 0\n  advertisePrefixes: [unicast]"),
			[]string{"spec.bgp.routers[0].evpn.l3vni.vni", "greater than or equal to 1"}},
		{"rd with two colons", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 10\n  rd: '1:2:3'"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].rd", "RD must contain exactly one colon"}},
		{"rd with a name as global part", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 10\n  rd: 'abc:2'"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].rd", "RD global administrator must be either an IPv4 address or a number"}},
		{"rd with a name as local part", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 10\n  rd: '1:x'"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].rd", "RD local administrator must be a number"}},
		{"rd ipv4 with large local part", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 10\n  rd: '192.0.2.1:65536'"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].rd", "RD with IPv4 global administrator must have format A.B.C.D:MN where MN <= 65535"}},
		{"rd 4-byte asn with large local part", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 10\n  rd: '65536:65536'"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].rd", "RD with 4-byte ASN global administrator"}},
		{"rd 2-byte asn with local part above 32 bits", "FRRConfiguration", evpnSpec("l3vni:\n  vni: 10\n  advertisePrefixes: [unicast]\n  rd: '100:4294967296'"),
			[]string{"spec.bgp.routers[0].evpn.l3vni.rd", "RD with 2-byte ASN global administrator"}},
		{"rd too long", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 10\n  rd: '1234567890:12345678901'"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].rd", "may not be more than 21 bytes"}},
		{"export rt with wildcard", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 10\n  exportRTs: ['*:100']"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].exportRTs[0]", "RT global administrator must be either an IPv4 address or a number"}},
		{"import rt wildcard above 32 bits", "FRRConfiguration", evpnSpec("l2vnis:\n- vni: 10\n  importRTs: ['*:4294967296']"),
			[]string{"spec.bgp.routers[0].evpn.l2vnis[0].importRTs[0]", "RT with wildcard global administrator must have format *:OPQR"}},
		{"import rt without colon", "FRRConfiguration", evpnSpec("l3vni:\n  vni: 10\n  advertisePrefixes: [unicast]\n  importRTs: ['100']"),
			[]string{"spec.bgp.routers[0].evpn.l3vni.importRTs[0]", "RT must contain exactly one colon"}},
		{"nodeSelector expression without operator", "FRRConfiguration", "spec:\n  nodeSelector:\n    matchExpressions:\n    - key: a\n",
			[]string{"spec.nodeSelector.matchExpressions[0].operator", "Required value"}},
		{"log level unknown", "FRRK8sConfiguration", "spec:\n  logLevel: verbose\n",
			[]string{"spec.logLevel", `Unsupported value: "verbose"`}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := object(t, tc.kind, fmt.Sprintf("reject-%d", i), tc.body)
			err := env.Client.Create(context.Background(), obj)
			if err == nil {
				_ = env.Client.Delete(context.Background(), obj)
				t.Fatalf("the API server accepted an invalid object:\n%s", tc.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func manyRouters(n int) string {
	var b strings.Builder
	b.WriteString("spec:\n  bgp:\n    routers:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - asn: 64512\n      vrf: v%d\n", i)
	}
	return b.String()
}

func manyL2VNIs(n int) string {
	var b strings.Builder
	b.WriteString("l2vnis:\n")
	for i := range n {
		fmt.Fprintf(&b, "- vni: %d\n", i+1)
	}
	return b.String()
}

type acceptCase struct {
	name string
	kind string
	body string
	// check inspects the stored object, for defaults.
	check func(t *testing.T, stored *unstructured.Unstructured)
}

func TestCRDAccepts(t *testing.T) {
	env := testenv.Require(t)
	cases := []acceptCase{
		{name: "minimal router", kind: "FRRConfiguration", body: "spec:\n  bgp:\n    routers:\n    - asn: 64512\n"},
		{name: "asn bounds", kind: "FRRConfiguration", body: "spec:\n  bgp:\n    routers:\n    - asn: 4294967295\n      neighbors:\n      - address: 192.0.2.1\n        asn: 0\n        dynamicASN: external\n"},
		{name: "defaults are applied", kind: "FRRConfiguration", body: neighborSpec("toAdvertise:\n  allowed: {}\ntoReceive:\n  allowed: {}"),
			check: func(t *testing.T, u *unstructured.Unstructured) {
				n := nested(t, u, "spec", "bgp", "routers", 0, "neighbors", 0).(map[string]any)
				want := map[string]any{
					"address":                "192.0.2.1",
					"asn":                    int64(64513),
					"addressFamilies":        []any{"unicast"},
					"disableMP":              false,
					"dualStackAddressFamily": false,
					"toAdvertise":            map[string]any{"allowed": map[string]any{"mode": "filtered"}},
					"toReceive":              map[string]any{"allowed": map[string]any{"mode": "filtered"}},
				}
				if d := cmp.Diff(want, n); d != "" {
					t.Errorf("defaults (-want +got):\n%s", d)
				}
			}},
		{name: "port and durations in range", kind: "FRRConfiguration", body: neighborSpec("port: 16384\nconnectTime: 65535s\nholdTime: 90s\nkeepaliveTime: 30s")},
		{name: "bfd bounds", kind: "FRRConfiguration", body: bfdSpec("receiveInterval: 10\ntransmitInterval: 60000\ndetectMultiplier: 255\nechoInterval: 10\nechoMode: true\npassiveMode: false\nminimumTtl: 254")},
		{name: "valid evpn", kind: "FRRConfiguration", body: evpnSpec("advertiseVNIs: All\nadvertiseSVI: true\nl2vnis:\n- vni: 16777215\n  rd: '192.0.2.1:65535'\n  importRTs: ['*:4294967295', '65535:4294967295']\n  exportRTs: ['4294967295:65535']\nl3vni:\n  vni: 1\n  rd: '65000:100'\n  advertisePrefixes: [unicast]")},
		{name: "receive selectors", kind: "FRRConfiguration", body: neighborSpec("toReceive:\n  allowed:\n    prefixes:\n    - prefix: 192.0.2.0/24\n      ge: 25\n      le: 32\n    - prefix: 2001:db8::/32\n      le: 128")},
		{name: "log level", kind: "FRRK8sConfiguration", body: "spec:\n  logLevel: debug\n"},
		{name: "session state", kind: "BGPSessionState", body: "status:\n  node: n1\n  peer: 192.0.2.1\n  vrf: ''\n  bgpStatus: Established\n  bfdStatus: N/A\n"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			obj := object(t, tc.kind, fmt.Sprintf("accept-%d", i), tc.body)
			if err := env.Client.Create(ctx, obj); err != nil {
				t.Fatalf("the API server rejected a valid object: %v\n%s", err, tc.body)
			}
			t.Cleanup(func() { _ = env.Client.Delete(ctx, obj) })
			if tc.check == nil {
				return
			}
			stored := &unstructured.Unstructured{}
			stored.SetGroupVersionKind(obj.GroupVersionKind())
			if err := env.Client.Get(ctx, client.ObjectKeyFromObject(obj), stored); err != nil {
				t.Fatalf("reading back: %v", err)
			}
			tc.check(t, stored)
		})
	}
}

// TestFRRNodeStateIsClusterScoped checks the scope and the status subresource.
func TestFRRNodeStateIsClusterScoped(t *testing.T) {
	env := testenv.Require(t)
	ctx := context.Background()
	st := &v1beta1.FRRNodeState{}
	st.Name = "node-a"
	if err := env.Client.Create(ctx, st); err != nil {
		t.Fatalf("creating: %v", err)
	}
	t.Cleanup(func() { _ = env.Client.Delete(ctx, st) })
	st.Status.LastConversionResult = "success"
	if err := env.Client.Status().Update(ctx, st); err != nil {
		t.Fatalf("updating status: %v", err)
	}
	got := &v1beta1.FRRNodeState{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: "node-a"}, got); err != nil {
		t.Fatalf("reading back: %v", err)
	}
	if got.Namespace != "" || got.Status.LastConversionResult != "success" {
		t.Fatalf("unexpected object: namespace %q status %+v", got.Namespace, got.Status)
	}
}

func nested(t *testing.T, u *unstructured.Unstructured, path ...any) any {
	t.Helper()
	var cur any = u.Object
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("path %v: not a map at %q", path, k)
			}
			cur = m[k]
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("path %v: not a list at %d", path, k)
			}
			cur = l[k]
		}
	}
	return cur
}
