package convert

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr"
)

// conflictErr is a merge conflict with its D6 suffix.
func conflictErr(msg, field, valueA, cfgA, valueB, cfgB string) string {
	return msg + " (field " + field + ": " + valueA + " in " + testNamespace + "/" + cfgA + ", " + valueB + " in " + testNamespace + "/" + cfgB + ")"
}

// neighborSpec is a spec with router 65000 (VRF vrf) and one neighbor at
// 192.168.1.1 with the given extra YAML lines; the router has the
// prefixes 192.168.10.0/24, 192.168.11.0/24 and 2001:db8:10::/64.
func neighborSpec(vrf, asnLine, extra string) string {
	return "bgp:\n  routers:\n  - asn: 65000\n    vrf: \"" + vrf + "\"\n    prefixes: [192.168.10.0/24, 192.168.11.0/24, \"2001:db8:10::/64\"]\n" +
		"    neighbors:\n    - " + asnLine + "\n      address: 192.168.1.1\n" + indent(extra, "      ")
}

// pair is two configs a and b with one neighbor each.
func pair(extraA, extraB string) []string {
	return []string{
		cfgYAML("a", neighborSpec("", "asn: 65001", extraA)),
		cfgYAML("b", neighborSpec("", "asn: 65001", extraB)),
	}
}

// evpnPair is two configs with a router in vrf carrying the given evpn sections.
func evpnPair(vrf, evpnA, evpnB string) []string {
	spec := func(e string) string {
		return "bgp:\n  routers:\n  - asn: 65000\n    vrf: \"" + vrf + "\"\n    neighbors: [{asn: 65001, address: 192.168.1.1, addressFamilies: [evpn]}]\n    evpn:\n" + indent(e, "      ")
	}
	return []string{cfgYAML("a", spec(evpnA)), cfgYAML("b", spec(evpnB))}
}

func TestMergeConfigs(t *testing.T) {
	nb := nbr4("65001", "192.168.1.1")
	merged := func(changes ...func(*frr.Neighbor)) *frr.Config {
		return model(basicRouter(with(nb, changes...)))
	}
	tests := []convertCase{
		{
			name: "distinct neighbors are merged and sorted as strings",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors: [{asn: 65001, address: 192.168.1.2}]\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - asn: 65000\n    neighbors: [{asn: 65001, address: 192.168.1.10}]\n"),
			},
			want: model(rtr(65000, nbr4("65001", "192.168.1.10"), nbr4("65001", "192.168.1.2"))),
		},
		{
			name: "advertised prefixes and router prefixes are unioned",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    prefixes: [192.168.10.0/24]\n    neighbors: [{asn: 65001, address: 192.168.1.1, toAdvertise: {allowed: {prefixes: [192.168.10.0/24]}}}]\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - asn: 65000\n    prefixes: [192.168.11.0/24]\n    neighbors: [{asn: 65001, address: 192.168.1.1, toAdvertise: {allowed: {prefixes: [192.168.11.0/24]}}}]\n"),
			},
			want: model(frr.Router{ASN: 65000, V4Prefixes: []string{"192.168.10.0/24", "192.168.11.0/24"},
				Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) {
					n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
				})}}),
		},
		{
			name: "mode all merged with a subset is the union",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    prefixes: [192.168.10.0/24, 192.168.11.0/24]\n    neighbors: [{asn: 65001, address: 192.168.1.1, toAdvertise: {allowed: {mode: all}}}]\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - asn: 65000\n    prefixes: [192.168.12.0/24]\n    neighbors: [{asn: 65001, address: 192.168.1.1, toAdvertise: {allowed: {prefixes: [192.168.12.0/24]}}}]\n"),
			},
			want: model(frr.Router{ASN: 65000, V4Prefixes: []string{"192.168.10.0/24", "192.168.11.0/24", "192.168.12.0/24"},
				Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) {
					n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24", "192.168.12.0/24"}
				})}}),
		},
		{
			name: "routers of different VRFs stay apart",
			docs: []string{
				cfgYAML("a", neighborSpec("red", "asn: 65001", "")),
				cfgYAML("b", neighborSpec("", "asn: 65002", "")),
			},
			want: model(basicRouter(nbr4("65002", "192.168.1.1")),
				routerPrefixes(frr.Router{ASN: 65000, VRF: "red", Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) { n.VRF = "red" })}})),
		},
		{
			name: "different router ASNs",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - {asn: 65000, vrf: red}\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - {asn: 65001, vrf: red}\n"),
			},
			wantErr: conflictErr("different asns (65000 != 65001) specified for same vrf: red", "asn", "65000", "a", "65001", "b"),
		},
		{
			name: "different router ids: the first config that set one is named",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - {asn: 65000}\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - {asn: 65000, id: 10.0.0.2}\n"),
				cfgYAML("c", "bgp:\n  routers:\n  - {asn: 65000, id: 10.0.0.3}\n"),
			},
			wantErr: conflictErr("different router ids (10.0.0.2 != 10.0.0.3) specified for same vrf: ", "id", "10.0.0.2", "b", "10.0.0.3", "c"),
		},
		{
			name: "router id taken from a later config",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - {asn: 65000}\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - {asn: 65000, id: 10.0.0.2}\n"),
			},
			want: model(frr.Router{ASN: 65000, RouterID: "10.0.0.2"}),
		},
		{
			name: "neighbor ASN against dynamic ASN",
			docs: []string{
				cfgYAML("a", neighborSpec("red", "asn: 65001", "")),
				cfgYAML("b", neighborSpec("red", "dynamicASN: external", "")),
			},
			wantErr: conflictErr("multiple asns specified for 192.168.1.1-red", "asn/dynamicASN", "65001", "a", "external", "b"),
		},
		{
			name:    "ports differ",
			docs:    pair("port: 1179", ""),
			wantErr: conflictErr("multiple ports specified for 192.168.1.1", "port", "1179", "a", "unset (default 179)", "b"),
		},
		{
			name: "port 179 equals an unset port",
			docs: pair("port: 179", ""),
			want: merged(),
		},
		{
			name:    "source addresses differ",
			docs:    pair("sourceaddress: 10.0.0.1", ""),
			wantErr: conflictErr("multiple source addresses specified for 192.168.1.1", "sourceaddress", "10.0.0.1", "a", "unset", "b"),
		},
		{
			name:    "passwords differ and are never printed",
			docs:    pair("password: one", "password: two"),
			wantErr: conflictErr("multiple passwords specified for 192.168.1.1", "password", "<redacted>", "a", "<redacted>", "b"),
		},
		{
			name:    "password against no password",
			docs:    pair("", "password: two"),
			wantErr: conflictErr("multiple passwords specified for 192.168.1.1", "password", "unset", "a", "<redacted>", "b"),
		},
		{
			name: "resolved passwords are compared",
			docs: append(pair("password: same", "passwordSecret: {name: s}"), secretYAML("s", "kubernetes.io/basic-auth", "stringData: {password: same}")),
			want: merged(func(n *frr.Neighbor) { n.Password = "same" }),
		},
		{
			name: "BFD profiles differ: the first config that set one is named",
			docs: []string{
				cfgYAML("a", neighborSpec("", "asn: 65001", "")),
				cfgYAML("b", withBFDProfile("p1", neighborSpec("", "asn: 65001", "bfdProfile: p1"))),
				cfgYAML("c", withBFDProfile("p2", neighborSpec("", "asn: 65001", "bfdProfile: p2"))),
			},
			wantErr: conflictErr("multiple bfd profiles specified for 192.168.1.1", "bfdProfile", "p1", "b", "p2", "c"),
		},
		{
			name: "BFD profile set on one side only",
			docs: []string{
				cfgYAML("a", neighborSpec("", "asn: 65001", "")),
				cfgYAML("b", withBFDProfile("p1", neighborSpec("", "asn: 65001", "bfdProfile: p1"))),
			},
			want: &frr.Config{LogLevel: "informational", BFDProfiles: []frr.BFDProfile{{Name: "p1"}},
				Routers: []frr.Router{basicRouter(with(nb, func(n *frr.Neighbor) { n.BFDProfile = "p1" }))}},
		},
		{
			name:    "ebgp-multihop differs",
			docs:    pair("", "ebgpMultiHop: true"),
			wantErr: conflictErr("conflicting ebgp-multihop specified for 192.168.1.1", "ebgpMultiHop", "false", "a", "true", "b"),
		},
		{
			name:    "dual stack on one side only",
			docs:    pair("dualStackAddressFamily: true", ""),
			wantErr: conflictErr("conflicting advertiseDualStack specified for 192.168.1.1", "dualStackAddressFamily", "dual", "a", "ipv4", "b"),
		},
		{
			name: "hold times differ (the spec's example)",
			docs: []string{
				cfgYAML("metallb-node1", "nodeSelector:\n  matchLabels: {kubernetes.io/hostname: node1}\n"+neighborSpecAt("10.0.0.1", "holdTime: 90s\nkeepaliveTime: 60s")),
				cfgYAML("peers", neighborSpecAt("10.0.0.1", "")),
			},
			wantErr: "multiple hold times specified for 10.0.0.1 (field holdTime: 90s in frr-k8s-system/metallb-node1, unset (default 180s) in frr-k8s-system/peers)",
		},
		{
			name: "explicit default hold time equals an unset one",
			docs: pair("holdTime: 180s\nkeepaliveTime: 60s", ""),
			want: merged(),
		},
		{
			name:    "keepalive times differ",
			docs:    pair("holdTime: 180s\nkeepaliveTime: 30s", ""),
			wantErr: conflictErr("multiple keepalive times specified for 192.168.1.1", "keepaliveTime", "30s", "a", "unset (default 60s)", "b"),
		},
		{
			name:    "connect times differ",
			docs:    pair("connectTime: 10s", "connectTime: 20s"),
			wantErr: conflictErr("multiple connect times specified for 192.168.1.1", "connectTime", "10s", "a", "20s", "b"),
		},
		{
			name:    "localASN on one side only",
			docs:    pair("localASN: 65100", ""),
			wantErr: conflictErr("multiple localASNs specified for 192.168.1.1", "localASN", "65100", "a", "unset", "b"),
		},
		{
			name: "ipv4 next hops differ",
			docs: []string{
				cfgYAML("a", neighborSpec("red", "asn: 65001", "toAdvertise: {nextHop: {ipv4: 10.0.0.1}}")),
				cfgYAML("b", neighborSpec("red", "asn: 65001", "toAdvertise: {nextHop: {ipv4: 10.0.0.2}}")),
			},
			wantErr: conflictErr("could not merge outgoing for neighbor 192.168.1.1 vrf red, err: ipv4 next hop: multiple next hops (10.0.0.1 != 10.0.0.2) specified",
				"toAdvertise.nextHop.ipv4", "10.0.0.1", "a", "10.0.0.2", "b"),
		},
		{
			name: "ipv6 next hops differ: the first config that set one is named",
			docs: []string{
				cfgYAML("a", neighborSpec("", "asn: 65001", "dualStackAddressFamily: true")),
				cfgYAML("b", neighborSpec("", "asn: 65001", "dualStackAddressFamily: true\ntoAdvertise: {nextHop: {ipv6: \"2001:db8::1\"}}")),
				cfgYAML("c", neighborSpec("", "asn: 65001", "dualStackAddressFamily: true\ntoAdvertise: {nextHop: {ipv6: \"2001:db8::2\"}}")),
			},
			wantErr: conflictErr("could not merge outgoing for neighbor 192.168.1.1 vrf , err: ipv6 next hop: multiple next hops (2001:db8::1 != 2001:db8::2) specified",
				"toAdvertise.nextHop.ipv6", "2001:db8::1", "b", "2001:db8::2", "c"),
		},
		{
			name: "next hop set on one side only",
			docs: pair("", "toAdvertise: {nextHop: {ipv4: 10.0.0.1}}"),
			want: merged(func(n *frr.Neighbor) { n.Outgoing.NextHopV4 = "10.0.0.1" }),
		},
		{
			name: "unnumbered peers: the outgoing wrapper has no address",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors: [{asn: 65001, interface: eth0, toAdvertise: {nextHop: {ipv4: 10.0.0.1}}}]\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - asn: 65000\n    neighbors: [{asn: 65001, interface: eth0, toAdvertise: {nextHop: {ipv4: 10.0.0.2}}}]\n"),
			},
			wantErr: conflictErr("could not merge outgoing for neighbor  vrf , err: ipv4 next hop: multiple next hops (10.0.0.1 != 10.0.0.2) specified",
				"toAdvertise.nextHop.ipv4", "10.0.0.1", "a", "10.0.0.2", "b"),
		},
		{
			name: "a prefix with two local preferences",
			docs: pair("toAdvertise:\n  allowed: {mode: all}\n  withLocalPref: [{localPref: 100, prefixes: [192.168.10.0/24]}]",
				"toAdvertise:\n  allowed: {mode: all}\n  withLocalPref: [{localPref: 200, prefixes: [192.168.11.0/24, 192.168.10.0/24]}]"),
			wantErr: conflictErr("could not merge outgoing for neighbor 192.168.1.1 vrf , err: multiple local prefs (100 != 200) specified for prefix 192.168.10.0/24",
				"toAdvertise.withLocalPref[192.168.10.0/24]", "100", "a", "200", "b"),
		},
		{
			name: "localPref lists with the same value are unioned",
			docs: pair("toAdvertise:\n  allowed: {mode: all}\n  withLocalPref: [{localPref: 100, prefixes: [192.168.11.0/24]}]",
				"toAdvertise:\n  allowed: {mode: all}\n  withLocalPref: [{localPref: 100, prefixes: [192.168.10.0/24]}]"),
			want: merged(func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
				n.Outgoing.PropertyLists = []frr.PropertyList{{Name: "192.168.1.1-100-ip-localpref-prefixes", FW: "ip",
					Prefixes: []string{"192.168.10.0/24", "192.168.11.0/24"}, Set: "set local-preference 100"}}
			}),
		},
		{
			name: "community lists are unioned by community, others kept",
			docs: pair("toAdvertise:\n  allowed: {mode: all}\n  withCommunity: [{community: \"1:1\", prefixes: [192.168.10.0/24]}]",
				"toAdvertise:\n  allowed: {mode: all}\n  withCommunity:\n  - {community: \"2:2\", prefixes: [192.168.10.0/24]}\n  - {community: \"1:1\", prefixes: [192.168.11.0/24]}"),
			want: merged(func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
				n.Outgoing.PropertyLists = []frr.PropertyList{
					{Name: "192.168.1.1-1:1-ip-community-prefixes", FW: "ip", Prefixes: []string{"192.168.10.0/24", "192.168.11.0/24"}, Set: "set community 1:1 additive"},
					{Name: "192.168.1.1-2:2-ip-community-prefixes", FW: "ip", Prefixes: []string{"192.168.10.0/24"}, Set: "set community 2:2 additive"},
				}
			}),
		},
		{
			name: "receive all wins over selectors",
			docs: pair("toReceive: {allowed: {prefixes: [{prefix: 10.0.0.0/8}]}}", "toReceive: {allowed: {mode: all}}"),
			want: merged(func(n *frr.Neighbor) { n.Incoming.All = true }),
		},
		{
			name: "receive selectors are unioned by key",
			docs: pair("toReceive: {allowed: {prefixes: [{prefix: 10.0.0.0/8, le: 24}, {prefix: \"2001:db8::/32\"}]}}",
				"toReceive: {allowed: {prefixes: [{prefix: 10.0.0.0/8, le: 24}, {prefix: 10.0.0.0/8, ge: 12}]}}"),
			want: merged(func(n *frr.Neighbor) {
				n.Incoming.PrefixesV4 = []frr.IncomingFilter{sel("ipv4", "10.0.0.0/8", 0, 12), sel("ipv4", "10.0.0.0/8", 24, 0)}
				n.Incoming.PrefixesV6 = []frr.IncomingFilter{sel("ipv6", "2001:db8::/32", 0, 0)}
			}),
		},
		{
			name: "receive selectors with colliding keys: the later config wins",
			docs: []string{
				cfgYAML("a", neighborSpec("", "asn: 65001", "toReceive: {allowed: {prefixes: [{prefix: \"::/0\", le: 111, ge: 1}]}}")),
				cfgYAML("b", neighborSpec("", "asn: 65001", "toReceive: {allowed: {prefixes: [{prefix: \"::/0\", le: 11, ge: 11}]}}")),
			},
			want: merged(func(n *frr.Neighbor) {
				n.Incoming.PrefixesV6 = []frr.IncomingFilter{sel("ipv6", "::/0", 11, 11)}
			}),
		},
		{
			name: "D2: graceful restart set by the second config",
			docs: pair("", "enableGracefulRestart: true"),
			want: merged(func(n *frr.Neighbor) { n.GracefulRestart = true }),
		},
		{
			name: "D2: graceful restart set by the first config",
			docs: pair("enableGracefulRestart: true", "enableGracefulRestart: false"),
			want: merged(func(n *frr.Neighbor) { n.GracefulRestart = true }),
		},
		{
			name: "addressFamilies are unioned",
			docs: pair("addressFamilies: [unicast]", "addressFamilies: [evpn]"),
			want: merged(func(n *frr.Neighbor) { n.AddressFamilies = []string{"evpn", "unicast"} }),
		},
		{
			name: "D1 after the merge: hold from one config, keepalive default",
			docs: pair("holdTime: 90s\nkeepaliveTime: 60s", "holdTime: 90s\nkeepaliveTime: 1m"),
			want: merged(func(n *frr.Neighbor) { n.Hold, n.Keepalive = ptr(int64(90)), ptr(int64(60)) }),
		},
		{
			name: "equal BFD profiles in two configs; unset echo mode equals false",
			docs: []string{
				cfgYAML("a", "bgp:\n  bfdProfiles: [{name: p, receiveInterval: 100, echoMode: false}]\n"),
				cfgYAML("b", "bgp:\n  bfdProfiles: [{name: p, receiveInterval: 100}, {name: q}]\n"),
			},
			want: &frr.Config{LogLevel: "informational", BFDProfiles: []frr.BFDProfile{{Name: "p", ReceiveInterval: ptr(uint32(100))}, {Name: "q"}}},
		},
		{
			name: "BFD profiles with different values",
			docs: []string{
				cfgYAML("a", "bgp:\n  bfdProfiles: [{name: p, receiveInterval: 100, transmitInterval: 200}]\n"),
				cfgYAML("b", "bgp:\n  bfdProfiles: [{name: p, transmitInterval: 300}]\n"),
			},
			wantErr: conflictErr("duplicate bfd profile name p with different values for config b", "bfdProfiles[p].receiveInterval", "100", "a", "unset", "b"),
		},
		{
			name: "BFD profiles with different echo modes",
			docs: []string{
				cfgYAML("a", "bgp:\n  bfdProfiles: [{name: p, echoMode: true}]\n"),
				cfgYAML("b", "bgp:\n  bfdProfiles: [{name: p}]\n"),
			},
			wantErr: conflictErr("duplicate bfd profile name p with different values for config b", "bfdProfiles[p].echoMode", "true", "a", "false", "b"),
		},
		{
			name: "BFD profiles with different minimum TTLs",
			docs: []string{
				cfgYAML("a", "bgp:\n  bfdProfiles: [{name: p, passiveMode: true, minimumTtl: 10}]\n"),
				cfgYAML("b", "bgp:\n  bfdProfiles: [{name: p, passiveMode: true, minimumTtl: 20}]\n"),
			},
			wantErr: conflictErr("duplicate bfd profile name p with different values for config b", "bfdProfiles[p].minimumTtl", "10", "a", "20", "b"),
		},
		{
			name:    "advertiseVNIs differ, unset meaning Disabled",
			docs:    evpnPair("", "advertiseSVI: false", "advertiseVNIs: All"),
			wantErr: conflictErr(`could not merge EVPN configuration for vrf "", err: different advertiseVNIs ("Disabled" != "All")`, "evpn.advertiseVNIs", "unset (default Disabled)", "a", "All", "b"),
		},
		{
			name:    "advertiseSVI differs",
			docs:    evpnPair("", "advertiseSVI: true", "advertiseSVI: false"),
			wantErr: conflictErr(`could not merge EVPN configuration for vrf "", err: different advertiseSVI (true != false)`, "evpn.advertiseSVI", "true", "a", "false", "b"),
		},
		{
			name: "l2vni RDs differ (the spec's example)",
			docs: evpnPair("red", `l2vnis: [{vni: 100, rd: "1:1"}]`, `l2vnis: [{vni: 100, rd: "1:2"}]`),
			wantErr: `could not merge EVPN configuration for vrf "red", err: could not merge l2vni 100, err: different RD values (1:1 != 1:2) ` +
				`(field evpn.l2vnis[100].rd: 1:1 in frr-k8s-system/a, 1:2 in frr-k8s-system/b)`,
		},
		{
			name:    "l2vni import route targets explicit on one side only",
			docs:    evpnPair("", `l2vnis: [{vni: 100, importRTs: ["1:1", "*:5"]}]`, `l2vnis: [{vni: 100}]`),
			wantErr: conflictErr(`could not merge EVPN configuration for vrf "", err: could not merge l2vni 100, err: conflicting import route targets: mixing implicit and explicit route targets`, "evpn.l2vnis[100].importRTs", "[*:5 1:1]", "a", "unset", "b"),
		},
		{
			name:    "l2vni export route targets explicit on one side only",
			docs:    evpnPair("", `l2vnis: [{vni: 100}]`, `l2vnis: [{vni: 100, exportRTs: ["1:1"]}]`),
			wantErr: conflictErr(`could not merge EVPN configuration for vrf "", err: could not merge l2vni 100, err: conflicting export route targets: mixing implicit and explicit route targets`, "evpn.l2vnis[100].exportRTs", "unset", "a", "[1:1]", "b"),
		},
		{
			name: "l2vnis merged: RD from the side that has it, route targets unioned",
			docs: evpnPair("", `{advertiseVNIs: All, l2vnis: [{vni: 200, exportRTs: ["1:2"]}, {vni: 100, exportRTs: ["1:1"]}]}`,
				`{advertiseVNIs: All, l2vnis: [{vni: 200, rd: "9:9", exportRTs: ["1:3", "1:2"]}, {vni: 300}]}`),
			want: model(frr.Router{ASN: 65000,
				Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) { n.AddressFamilies = []string{"evpn"} })},
				EVPN: &frr.EVPN{AdvertiseVNIs: ptr("All"), L2VNIs: []frr.L2VNI{
					{VNI: 100, ExportRTs: []string{"1:1"}},
					{VNI: 200, RD: "9:9", ExportRTs: []string{"1:2", "1:3"}},
					{VNI: 300},
				}}}),
		},
		{
			name: "l3vni numbers differ",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - {asn: 65000, vrf: red, evpn: {l3vni: {vni: 100, advertisePrefixes: [unicast]}}}\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - {asn: 65000, vrf: red, evpn: {l3vni: {vni: 200, advertisePrefixes: [unicast]}}}\n"),
			},
			wantErr: conflictErr(`could not merge EVPN configuration for vrf "red", err: different l3vni numbers (100 != 200)`, "evpn.l3vni.vni", "100", "a", "200", "b"),
		},
		{
			name: "l3vni RDs differ",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - {asn: 65000, vrf: red, evpn: {l3vni: {vni: 100, rd: \"1:1\", advertisePrefixes: [unicast]}}}\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - {asn: 65000, vrf: red, evpn: {l3vni: {vni: 100, rd: \"1:2\", advertisePrefixes: [unicast]}}}\n"),
			},
			wantErr: conflictErr(`could not merge EVPN configuration for vrf "red", err: different RD values (1:1 != 1:2)`, "evpn.l3vni.rd", "1:1", "a", "1:2", "b"),
		},
		{
			name: "l3vni merged",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - {asn: 65000, vrf: red, evpn: {l3vni: {vni: 100, importRTs: [\"1:2\"], advertisePrefixes: [unicast]}}}\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - {asn: 65000, vrf: red, evpn: {l3vni: {vni: 100, rd: \"1:9\", importRTs: [\"1:1\"], advertisePrefixes: [unicast]}}}\n"),
			},
			want: model(frr.Router{ASN: 65000, VRF: "red", EVPN: &frr.EVPN{L3VNI: &frr.L3VNI{VNI: 100, RD: "1:9",
				ImportRTs: []string{"1:1", "1:2"}, AdvertisePrefixes: []string{"unicast"}}}}),
		},
		{
			name: "EVPN of one config only",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - {asn: 65000, vrf: red}\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - {asn: 65000, vrf: red, evpn: {l3vni: {vni: 100, advertisePrefixes: [unicast]}}}\n"),
			},
			want: model(frr.Router{ASN: 65000, VRF: "red", EVPN: &frr.EVPN{L3VNI: &frr.L3VNI{VNI: 100, AdvertisePrefixes: []string{"unicast"}}}}),
		},
		{
			name:    "self-merge conflict names the same config twice",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors:\n    - {asn: 65001, address: 192.168.1.1}\n    - {asn: 65002, address: 192.168.1.1}\n")},
			wantErr: conflictErr("multiple asns specified for 192.168.1.1", "asn/dynamicASN", "65001", "a", "65002", "a"),
		},
		{
			name:    "two routers of one VRF in one config conflict",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - {asn: 65000, id: 10.0.0.1}\n  - {asn: 65000, id: 10.0.0.2}\n")},
			wantErr: conflictErr("different router ids (10.0.0.1 != 10.0.0.2) specified for same vrf: ", "id", "10.0.0.1", "a", "10.0.0.2", "a"),
		},
		{
			name:    "self-merge of a repeated l2vni keeps upstream's order",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    evpn: {l2vnis: [{vni: 100, rd: \"1:1\"}, {vni: 100, rd: \"1:2\"}]}\n")},
			wantErr: conflictErr(`could not merge EVPN configuration for vrf "", err: could not merge l2vni 100, err: different RD values (1:2 != 1:1)`, "evpn.l2vnis[100].rd", "1:2", "a", "1:1", "a"),
		},
		{
			name: "the same address in two VRFs is two neighbors",
			docs: []string{
				cfgYAML("a", neighborSpec("red", "asn: 65001", "")),
				cfgYAML("b", neighborSpec("red", "asn: 65001", "")),
				cfgYAML("c", neighborSpec("", "asn: 65002", "")),
			},
			want: model(basicRouter(nbr4("65002", "192.168.1.1")),
				routerPrefixes(frr.Router{ASN: 65000, VRF: "red", Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) { n.VRF = "red" })}})),
		},
		{
			name: "imports are unioned",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - {asn: 65000, imports: [{vrf: red}]}\n  - {asn: 65000, vrf: red}\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - {asn: 65000, imports: [{vrf: blue}, {vrf: red}]}\n  - {asn: 65000, vrf: blue}\n  - {asn: 65000, vrf: red}\n"),
			},
			want: model(frr.Router{ASN: 65000, ImportVRFs: []string{"blue", "red"}},
				frr.Router{ASN: 65000, VRF: "blue"}, frr.Router{ASN: 65000, VRF: "red"}),
		},
		{
			name: "raw configs by priority then name",
			docs: []string{
				cfgYAML("a", "raw: {priority: 10, rawConfig: \"! a\"}\n"),
				cfgYAML("c", "raw: {priority: 5, rawConfig: \"! c\"}\n"),
				cfgYAML("b", "raw: {priority: 5, rawConfig: \"! b\"}\n"),
				cfgYAML("d", "raw: {priority: -1, rawConfig: \"! d\\n! d2\"}\n"),
				cfgYAML("e", "raw: {priority: -5}\n"),
			},
			want: &frr.Config{LogLevel: "informational", Extra: "! d\n! d2\n! b\n! c\n! a\n"},
		},
		{
			name: "the first conflict in name order is reported",
			docs: []string{
				cfgYAML("z", neighborSpec("", "asn: 65009", "")),
				cfgYAML("b", neighborSpec("", "asn: 65002", "")),
				cfgYAML("a", neighborSpec("", "asn: 65001", "")),
			},
			wantErr: conflictErr("multiple asns specified for 192.168.1.1", "asn/dynamicASN", "65001", "a", "65002", "b"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

// neighborSpecAt is a spec with router 65000 and one neighbor of ASN 65001
// at address with the given extra YAML lines.
func neighborSpecAt(address, extra string) string {
	return "bgp:\n  routers:\n  - asn: 65000\n    neighbors:\n    - asn: 65001\n      address: " + address + "\n" + indent(extra, "      ")
}

// withBFDProfile adds an empty BFD profile to a spec starting with "bgp:".
func withBFDProfile(name, spec string) string {
	return strings.Replace(spec, "bgp:\n", "bgp:\n  bfdProfiles: [{name: "+name+"}]\n", 1)
}

func TestMergeManyConfigsSharingPeers(t *testing.T) {
	configs := rackGroupConfigs(30)
	late := v1beta1.Router{ASN: 64512, Neighbors: []v1beta1.Neighbor{{
		ASN: 64701, Address: "192.0.2.9",
		ToReceive: v1beta1.Receive{Allowed: v1beta1.AllowedInPrefixes{Prefixes: []v1beta1.PrefixSelector{{Prefix: "10.9.0.0/16"}}}},
	}}}
	configs = append(configs, v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "zz-late", Namespace: "frr-k8s-system"},
		Spec:       v1beta1.FRRConfigurationSpec{BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{late}}},
	})
	got, err := Convert(Input{Configs: configs, LogLevel: "info"})
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	prefixes := []string{"198.51.100.1/32", "198.51.100.200/32", "198.51.100.201/32", "203.0.113.10/32"}
	var tenants []frr.IncomingFilter
	for i := range 16 {
		tenants = append(tenants, sel(frr.FamilyIPv4, fmt.Sprintf("172.%d.7.0/24", 16+i), 32, 0))
	}
	tor := func(addr string) frr.Neighbor {
		return with(nbr4("64600", addr), func(n *frr.Neighbor) {
			n.Hold, n.Keepalive = ptr(int64(90)), ptr(int64(30))
			n.Outgoing.PrefixesV4 = prefixes
			n.Outgoing.PropertyLists = []frr.PropertyList{{
				Name: addr + "-64512:100-ip-community-prefixes", FW: "ip", Prefixes: prefixes[:1], Set: "set community 64512:100 additive",
			}}
			n.Incoming.PrefixesV4 = tenants
		})
	}
	lateNeighbor := with(nbr4("64701", "192.0.2.9"), func(n *frr.Neighbor) {
		n.Incoming.PrefixesV4 = []frr.IncomingFilter{sel(frr.FamilyIPv4, "10.9.0.0/16", 0, 0)}
	})
	want := model(with(rtr(64512, tor("10.0.7.1"), tor("10.0.7.2"), nbr4("64700", "192.0.2.1"), lateNeighbor),
		func(r *frr.Router) { r.V4Prefixes = prefixes }))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("model mismatch (-want +got):\n%s", diff)
	}
}
