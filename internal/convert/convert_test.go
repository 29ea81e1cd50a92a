package convert

import (
	"net/netip"
	"testing"

	"github.com/frrk8s/frrk8s/internal/frr"
)

// basicRouter is router 65000 with oneNeighbor's prefixes and one neighbor.
func basicRouter(n frr.Neighbor) frr.Router {
	return routerPrefixes(rtr(65000, n))
}

func TestConvertSingleConfig(t *testing.T) {
	nb := nbr4("65001", "192.168.1.1")
	tests := []convertCase{
		{
			name: "no configs gives the empty config",
			want: &frr.Config{LogLevel: "informational"},
		},
		{
			name: "raw only",
			docs: []string{cfgYAML("a", "raw:\n  rawConfig: |-\n    ip prefix-list x seq 1 permit any\n")},
			want: &frr.Config{LogLevel: "informational", Extra: "ip prefix-list x seq 1 permit any\n"},
		},
		{
			name: "one neighbor, nothing advertised or accepted",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", ""))},
			want: model(basicRouter(nb)),
		},
		{
			name: "router prefixes split by family, sorted, unique, host bits kept",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    id: 10.0.0.1
    prefixes: [192.168.2.7/24, "2001:db8::/64", 10.0.0.0/8, 192.168.2.7/24, "2001:db8:1::/64"]
`)},
			want: model(frr.Router{ASN: 65000, RouterID: "10.0.0.1",
				V4Prefixes: []string{"10.0.0.0/8", "192.168.2.7/24"},
				V6Prefixes: []string{"2001:db8:1::/64", "2001:db8::/64"}}),
		},
		{
			name: "mode all advertises the router prefixes of the neighbor family (ipv4)",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "toAdvertise: {allowed: {mode: all}}"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
			}))),
		},
		{
			name: "mode all advertises the router prefixes of the neighbor family (ipv6)",
			docs: []string{cfgYAML("a", oneNeighbor("2001:db8::1", "toAdvertise: {allowed: {mode: all}}"))},
			want: model(basicRouter(with(nbr6("65001", "2001:db8::1"), func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV6 = []string{"2001:db8:10::/64"}
			}))),
		},
		{
			name: "mode all on a dual-stack neighbor advertises both families",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "dualStackAddressFamily: true\ntoAdvertise: {allowed: {mode: all}}"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Family = frr.FamilyDual
				n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
				n.Outgoing.PrefixesV6 = []string{"2001:db8:10::/64"}
			}))),
		},
		{
			name: "filtered advertises the allowed prefixes, sorted and unique",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "toAdvertise:\n  allowed:\n    prefixes: [192.168.11.0/24, 192.168.10.0/24, 192.168.11.0/24]"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
			}))),
		},
		{
			name: "explicit filtered mode with one prefix",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "toAdvertise:\n  allowed:\n    mode: filtered\n    prefixes: [192.168.11.0/24]"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV4 = []string{"192.168.11.0/24"}
			}))),
		},
		{
			name: "unnumbered neighbor is dual and named after its interface",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    prefixes: [192.168.10.0/24, "2001:db8:10::/64"]
    neighbors:
    - dynamicASN: external
      interface: eth0
      toAdvertise: {allowed: {mode: all}}
`)},
			want: model(frr.Router{ASN: 65000, V4Prefixes: []string{"192.168.10.0/24"}, V6Prefixes: []string{"2001:db8:10::/64"},
				Neighbors: []frr.Neighbor{{Family: frr.FamilyDual, DisplayName: "external@eth0", ASN: "external", Iface: "eth0",
					Outgoing: frr.AllowedOut{PrefixesV4: []string{"192.168.10.0/24"}, PrefixesV6: []string{"2001:db8:10::/64"}}}}}),
		},
		{
			name: "dynamic internal ASN",
			docs: []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors:\n    - dynamicASN: internal\n      address: 192.168.1.1\n")},
			want: model(rtr(65000, nbr4("internal", "192.168.1.1"))),
		},
		{
			name: "IPv4-mapped IPv6 address counts as ipv4",
			docs: []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors:\n    - asn: 65001\n      address: \"::ffff:192.168.1.1\"\n")},
			want: model(rtr(65000, nbr4("65001", "::ffff:192.168.1.1"))),
		},
		{
			name: "VRF router: neighbor VRF set and filter names suffixed",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    vrf: red
    prefixes: [192.168.10.0/24]
    neighbors:
    - asn: 65001
      address: 192.168.1.1
      toAdvertise:
        allowed: {mode: all}
        withLocalPref: [{localPref: 200, prefixes: [192.168.10.0/24]}]
`)},
			want: model(frr.Router{ASN: 65000, VRF: "red", V4Prefixes: []string{"192.168.10.0/24"},
				Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) {
					n.VRF = "red"
					n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24"}
					n.Outgoing.PropertyLists = []frr.PropertyList{{Name: "192.168.1.1-red-200-ip-localpref-prefixes", FW: "ip",
						Prefixes: []string{"192.168.10.0/24"}, Set: "set local-preference 200"}}
				})}}),
		},
		{
			name: "explicit port kept",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "port: 1179"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Port = ptr(uint16(1179)) }))),
		},
		{
			name: "default-cleaning: port 179 and connect 60s vanish",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "port: 179\nconnectTime: 60s"))},
			want: model(basicRouter(nb)),
		},
		{
			name: "connect time in whole seconds",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "connectTime: 10s"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Connect = ptr(int64(10)) }))),
		},
		{
			name: "timers away from the defaults",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "holdTime: 90s\nkeepaliveTime: 30s"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Hold, n.Keepalive = ptr(int64(90)), ptr(int64(30)) }))),
		},
		{
			name: "D1: hold 90 and keepalive 60 keep both",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "holdTime: 90s\nkeepaliveTime: 60s"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Hold, n.Keepalive = ptr(int64(90)), ptr(int64(60)) }))),
		},
		{
			name: "D1: hold 180 and keepalive 20 keep both",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "holdTime: 3m\nkeepaliveTime: 20s"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Hold, n.Keepalive = ptr(int64(180)), ptr(int64(20)) }))),
		},
		{
			name: "D1: the default pair 180/60 vanishes",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "holdTime: 180s\nkeepaliveTime: 60s"))},
			want: model(basicRouter(nb)),
		},
		{
			name: "timers truncated to whole seconds",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "holdTime: 90.9s\nkeepaliveTime: 30500ms"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Hold, n.Keepalive = ptr(int64(90)), ptr(int64(30)) }))),
		},
		{
			name: "hold time 0 disables keepalives",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "holdTime: 0s\nkeepaliveTime: 0s"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Hold, n.Keepalive = ptr(int64(0)), ptr(int64(0)) }))),
		},
		{
			name: "hold time below a second truncates to 0",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "holdTime: 900ms\nkeepaliveTime: 500ms"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Hold, n.Keepalive = ptr(int64(0)), ptr(int64(0)) }))),
		},
		{
			name: "cleartext password",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "password: s3cret"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Password = "s3cret" }))),
		},
		{
			name: "password from a basic-auth Secret",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "passwordSecret: {name: bgp-pass, namespace: ignored}")), secretYAML("bgp-pass", "kubernetes.io/basic-auth", "data:\n  password: cGFzc3dvcmQ=")},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Password = "password" }))),
		},
		{
			name: "password from a Secret's stringData",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "passwordSecret: {name: bgp-pass}")), secretYAML("bgp-pass", "kubernetes.io/basic-auth", "stringData:\n  password: offline")},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Password = "offline" }))),
		},
		{
			name:   "SecretsNotRead ignores passwordSecret (webhook)",
			docs:   []string{cfgYAML("a", oneNeighbor("192.168.1.1", "passwordSecret: {name: missing}"))},
			modify: func(in *Input) { in.Secrets = SecretsNotRead() },
			want:   model(basicRouter(nb)),
		},
		{
			name: "session options",
			docs: []string{cfgYAML("a", `bgp:
  bfdProfiles:
  - name: fast
  routers:
  - asn: 65000
    neighbors:
    - asn: 65001
      address: 192.168.1.1
      sourceaddress: 10.0.0.1
      ebgpMultiHop: true
      enableGracefulRestart: true
      bfdProfile: fast
      localASN: 65100
      disableMP: true
`)},
			want: &frr.Config{LogLevel: "informational", BFDProfiles: []frr.BFDProfile{{Name: "fast"}},
				Routers: []frr.Router{rtr(65000, with(nb, func(n *frr.Neighbor) {
					n.SrcAddr, n.EBGPMultiHop, n.GracefulRestart, n.BFDProfile, n.LocalASN = "10.0.0.1", true, true, "fast", 65100
				}))}},
		},
		{
			name: "localASN with a dynamic ASN is accepted",
			docs: []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors:\n    - dynamicASN: internal\n      address: 192.168.1.1\n      localASN: 65100\n")},
			want: model(rtr(65000, with(nbr4("internal", "192.168.1.1"), func(n *frr.Neighbor) { n.LocalASN = 65100 }))),
		},
		{
			name: "addressFamilies copied sorted",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "addressFamilies: [unicast, evpn]"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.AddressFamilies = []string{"evpn", "unicast"} }))),
		},
		{
			name: "localPref lists per value, prefixes sorted",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", `toAdvertise:
  allowed: {mode: all}
  withLocalPref:
  - {localPref: 200, prefixes: [192.168.11.0/24, 192.168.10.0/24]}
`))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
				n.Outgoing.PropertyLists = []frr.PropertyList{
					{Name: "192.168.1.1-200-ip-localpref-prefixes", FW: "ip", Prefixes: []string{"192.168.10.0/24", "192.168.11.0/24"}, Set: "set local-preference 200"},
				}
			}))),
		},
		{
			name: "localPref lists per value and family",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", `dualStackAddressFamily: true
toAdvertise:
  allowed: {mode: all}
  withLocalPref:
  - {localPref: 200, prefixes: [192.168.11.0/24, 192.168.10.0/24, "2001:db8:10::/64"]}
`))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Family = frr.FamilyDual
				n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
				n.Outgoing.PrefixesV6 = []string{"2001:db8:10::/64"}
				n.Outgoing.PropertyLists = []frr.PropertyList{
					{Name: "192.168.1.1-200-ip-localpref-prefixes", FW: "ip", Prefixes: []string{"192.168.10.0/24", "192.168.11.0/24"}, Set: "set local-preference 200"},
					{Name: "192.168.1.1-200-ipv6-localpref-prefixes", FW: "ipv6", Prefixes: []string{"2001:db8:10::/64"}, Set: "set local-preference 200"},
				}
			}))),
		},
		{
			name: "two localPref values on distinct prefixes",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", `toAdvertise:
  allowed: {prefixes: [192.168.10.0/24, 192.168.11.0/24]}
  withLocalPref:
  - {localPref: 300, prefixes: [192.168.11.0/24]}
  - {localPref: 100, prefixes: [192.168.10.0/24]}
`))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
				n.Outgoing.PropertyLists = []frr.PropertyList{
					{Name: "192.168.1.1-100-ip-localpref-prefixes", FW: "ip", Prefixes: []string{"192.168.10.0/24"}, Set: "set local-preference 100"},
					{Name: "192.168.1.1-300-ip-localpref-prefixes", FW: "ip", Prefixes: []string{"192.168.11.0/24"}, Set: "set local-preference 300"},
				}
			}))),
		},
		{
			name: "community and large community lists, normalised",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", `toAdvertise:
  allowed: {mode: all}
  withCommunity:
  - {community: "065000:01", prefixes: [192.168.10.0/24]}
  - {community: "large:1:2:3", prefixes: [192.168.10.0/24, 192.168.11.0/24]}
  - {community: "10:20", prefixes: [192.168.10.0/24]}
`))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
				n.Outgoing.PropertyLists = []frr.PropertyList{
					{Name: "192.168.1.1-10:20-ip-community-prefixes", FW: "ip", Prefixes: []string{"192.168.10.0/24"}, Set: "set community 10:20 additive"},
					{Name: "192.168.1.1-large:1:2:3-ip-community-prefixes", FW: "ip", Prefixes: []string{"192.168.10.0/24", "192.168.11.0/24"}, Set: "set large-community 1:2:3 additive"},
					{Name: "192.168.1.1-65000:1-ip-community-prefixes", FW: "ip", Prefixes: []string{"192.168.10.0/24"}, Set: "set community 65000:1 additive"},
				}
			}))),
		},
		{
			name: "localPref lists come before community lists",
			docs: []string{cfgYAML("a", oneNeighbor("2001:db8::1", `toAdvertise:
  allowed: {mode: all}
  withCommunity:
  - {community: "1:1", prefixes: ["2001:db8:10::/64"]}
  withLocalPref:
  - {localPref: 50, prefixes: ["2001:db8:10::/64"]}
`))},
			want: model(basicRouter(with(nbr6("65001", "2001:db8::1"), func(n *frr.Neighbor) {
				n.Outgoing.PrefixesV6 = []string{"2001:db8:10::/64"}
				n.Outgoing.PropertyLists = []frr.PropertyList{
					{Name: "2001:db8::1-50-ipv6-localpref-prefixes", FW: "ipv6", Prefixes: []string{"2001:db8:10::/64"}, Set: "set local-preference 50"},
					{Name: "2001:db8::1-1:1-ipv6-community-prefixes", FW: "ipv6", Prefixes: []string{"2001:db8:10::/64"}, Set: "set community 1:1 additive"},
				}
			}))),
		},
		{
			name: "next hops of both families",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "dualStackAddressFamily: true\ntoAdvertise:\n  nextHop: {ipv4: 10.0.0.1, ipv6: \"2001:db8::ff\"}"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Family = frr.FamilyDual
				n.Outgoing.NextHopV4, n.Outgoing.NextHopV6 = "10.0.0.1", "2001:db8::ff"
			}))),
		},
		{
			name: "receive all drops the selectors",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "toReceive:\n  allowed:\n    mode: all\n    prefixes: [{prefix: 10.0.0.0/8}]"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) { n.Incoming.All = true }))),
		},
		{
			name: "receive selectors split by family, v6 selector on a v4 neighbor",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", `toReceive:
  allowed:
    prefixes:
    - prefix: "2001:db8:20::/64"
    - prefix: 10.2.0.0/16
      ge: 24
    - prefix: 10.1.0.0/16
`))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Incoming.PrefixesV4 = []frr.IncomingFilter{sel("ipv4", "10.1.0.0/16", 0, 0), sel("ipv4", "10.2.0.0/16", 0, 24)}
				n.Incoming.PrefixesV6 = []frr.IncomingFilter{sel("ipv6", "2001:db8:20::/64", 0, 0)}
			}))),
		},
		{
			name: "selector ordering quirk: ge 12 < le 16 < le 9",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", `toReceive:
  allowed:
    prefixes:
    - {prefix: 10.0.0.0/8, le: 9}
    - {prefix: 10.0.0.0/8, le: 16}
    - {prefix: 10.0.0.0/8, ge: 12}
`))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Incoming.PrefixesV4 = []frr.IncomingFilter{sel("ipv4", "10.0.0.0/8", 0, 12), sel("ipv4", "10.0.0.0/8", 16, 0), sel("ipv4", "10.0.0.0/8", 9, 0)}
			}))),
		},
		{
			name: "selectors whose digits concatenate equally collapse, the later in sort order wins",
			docs: []string{cfgYAML("a", oneNeighbor("2001:db8::1", `toReceive:
  allowed:
    prefixes:
    - {prefix: "::/0", le: 111, ge: 1}
    - {prefix: "::/0", le: 11, ge: 11}
`))},
			want: model(basicRouter(with(nbr6("65001", "2001:db8::1"), func(n *frr.Neighbor) {
				n.Incoming.PrefixesV6 = []frr.IncomingFilter{sel("ipv6", "::/0", 111, 1)}
			}))),
		},
		{
			name: "identical selectors collapse",
			docs: []string{cfgYAML("a", oneNeighbor("192.168.1.1", "toReceive:\n  allowed:\n    prefixes: [{prefix: 10.0.0.0/8, le: 24}, {prefix: 10.0.0.0/8, le: 24}]"))},
			want: model(basicRouter(with(nb, func(n *frr.Neighbor) {
				n.Incoming.PrefixesV4 = []frr.IncomingFilter{sel("ipv4", "10.0.0.0/8", 24, 0)}
			}))),
		},
		{
			name: "always-block normalised and attached to every neighbor",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    neighbors:
    - {asn: 65001, address: 192.168.1.1}
  - asn: 65000
    vrf: red
    neighbors:
    - {asn: 65002, address: "2001:db8::2"}
`)},
			modify: func(in *Input) {
				in.AlwaysBlock = []netip.Prefix{netip.MustParsePrefix("192.168.1.7/24"), netip.MustParsePrefix("2001:db8:ff::1/48"), netip.MustParsePrefix("10.0.0.0/8")}
			},
			want: func() *frr.Config {
				block := []frr.IncomingFilter{sel("ipv4", "192.168.1.0/24", 32, 0), sel("ipv6", "2001:db8:ff::/48", 128, 0), sel("ipv4", "10.0.0.0/8", 32, 0)}
				return model(
					rtr(65000, with(nb, func(n *frr.Neighbor) { n.AlwaysBlock = block })),
					frr.Router{ASN: 65000, VRF: "red", Neighbors: []frr.Neighbor{with(nbr6("65002", "2001:db8::2"), func(n *frr.Neighbor) {
						n.VRF, n.AlwaysBlock = "red", block
					})}})
			}(),
		},
		{
			name: "BFD profiles sorted by name, unused ones too",
			docs: []string{cfgYAML("a", `bgp:
  bfdProfiles:
  - {name: slow, receiveInterval: 1000, transmitInterval: 1000}
  - {name: fast, detectMultiplier: 3, echoInterval: 50, echoMode: true, passiveMode: false, minimumTtl: 254}
`)},
			want: &frr.Config{LogLevel: "informational", BFDProfiles: []frr.BFDProfile{
				{Name: "fast", DetectMultiplier: ptr(uint32(3)), EchoInterval: ptr(uint32(50)), EchoMode: true, MinimumTTL: ptr(uint32(254))},
				{Name: "slow", ReceiveInterval: ptr(uint32(1000)), TransmitInterval: ptr(uint32(1000))},
			}},
		},
		{
			name: "imports: VRF list sorted, imported prefixes advertised but not originated",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    prefixes: [192.168.10.0/24]
    imports: [{vrf: red}, {vrf: blue}]
    neighbors:
    - asn: 65001
      address: 192.168.1.1
      toAdvertise:
        allowed:
          prefixes: [192.168.20.0/24, 192.168.10.0/24]
  - asn: 65000
    vrf: red
    prefixes: [192.168.20.0/24]
  - asn: 65000
    vrf: blue
    prefixes: [192.168.30.0/24]
`)},
			want: model(
				frr.Router{ASN: 65000, V4Prefixes: []string{"192.168.10.0/24"}, ImportVRFs: []string{"blue", "red"},
					Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) {
						n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.20.0/24"}
					})}},
				frr.Router{ASN: 65000, VRF: "blue", V4Prefixes: []string{"192.168.30.0/24"}},
				frr.Router{ASN: 65000, VRF: "red", V4Prefixes: []string{"192.168.20.0/24"}},
			),
		},
		{
			name: "import of the default VRF with mode all",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    prefixes: [192.168.10.0/24]
  - asn: 65000
    vrf: red
    prefixes: [192.168.20.0/24]
    imports: [{vrf: default}]
    neighbors:
    - asn: 65001
      address: 192.168.1.1
      toAdvertise: {allowed: {mode: all}}
`)},
			want: model(
				frr.Router{ASN: 65000, V4Prefixes: []string{"192.168.10.0/24"}},
				frr.Router{ASN: 65000, VRF: "red", V4Prefixes: []string{"192.168.20.0/24"}, ImportVRFs: []string{"default"},
					Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) {
						n.VRF = "red"
						n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.20.0/24"}
					})}},
			),
		},
		{
			name: "matchLabels selecting the node",
			docs: []string{cfgYAML("a", "nodeSelector:\n  matchLabels: {kubernetes.io/hostname: node1}\n"+oneNeighbor("192.168.1.1", ""))},
			want: model(basicRouter(nb)),
		},
		{
			name: "matchLabels selecting another node",
			docs: []string{cfgYAML("a", "nodeSelector:\n  matchLabels: {kubernetes.io/hostname: node2}\n"+oneNeighbor("192.168.1.1", ""))},
			want: &frr.Config{LogLevel: "informational"},
		},
		{
			name: "matchExpressions",
			docs: []string{
				cfgYAML("a", "nodeSelector:\n  matchExpressions:\n  - {key: rack, operator: In, values: [r1, r2]}\n"+oneNeighbor("192.168.1.1", "")),
				cfgYAML("b", "nodeSelector:\n  matchExpressions:\n  - {key: rack, operator: DoesNotExist}\n"+oneNeighbor("192.168.1.2", "")),
			},
			want: model(basicRouter(nb)),
		},
		{
			name: "configs of other namespaces are ignored, even with a bad selector",
			docs: []string{
				cfgYAML("a", oneNeighbor("192.168.1.1", "")),
				"metadata: {name: b, namespace: other}\nspec:\n  nodeSelector:\n    matchExpressions: [{key: x, operator: Bad}]\n",
				"metadata: {name: c, namespace: other}\nspec:\n" + indent(oneNeighbor("192.168.1.2", ""), "  "),
			},
			want: model(basicRouter(nb)),
		},
		{
			name:       "Convert does not evaluate nodeSelectors",
			docs:       []string{cfgYAML("a", "nodeSelector:\n  matchLabels: {kubernetes.io/hostname: node2}\n"+oneNeighbor("192.168.1.1", ""))},
			unselected: true,
			want:       model(basicRouter(nb)),
		},
		{
			name:       "Convert keeps configs of any namespace",
			docs:       []string{"metadata: {name: b, namespace: other}\nspec:\n" + indent(oneNeighbor("192.168.1.1", ""), "  ")},
			unselected: true,
			want:       model(basicRouter(nb)),
		},
		{
			name:   "debug log level",
			modify: func(in *Input) { in.LogLevel = "debug" },
			want:   &frr.Config{LogLevel: "debugging"},
		},
		{
			name:   "unknown log level is informational",
			modify: func(in *Input) { in.LogLevel = "loud" },
			want:   &frr.Config{LogLevel: "informational"},
		},
		{
			name: "self-merge: a repeated neighbor is merged",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    prefixes: [192.168.10.0/24, 192.168.11.0/24]
    neighbors:
    - asn: 65001
      address: 192.168.1.1
      toAdvertise: {allowed: {prefixes: [192.168.11.0/24]}}
    - asn: 65001
      address: 192.168.1.1
      port: 179
      toAdvertise: {allowed: {prefixes: [192.168.10.0/24]}}
      toReceive: {allowed: {prefixes: [{prefix: 10.0.0.0/8}]}}
`)},
			want: model(frr.Router{ASN: 65000, V4Prefixes: []string{"192.168.10.0/24", "192.168.11.0/24"},
				Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) {
					n.Outgoing.PrefixesV4 = []string{"192.168.10.0/24", "192.168.11.0/24"}
					n.Incoming.PrefixesV4 = []frr.IncomingFilter{sel("ipv4", "10.0.0.0/8", 0, 0)}
				})}}),
		},
		{
			name: "two routers of one VRF in one config are merged",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    prefixes: [192.168.11.0/24]
    neighbors: [{asn: 65001, address: 192.168.1.1}]
  - asn: 65000
    id: 10.0.0.1
    prefixes: [192.168.10.0/24]
    neighbors: [{asn: 65002, address: 192.168.1.2}]
`)},
			want: model(frr.Router{ASN: 65000, RouterID: "10.0.0.1", V4Prefixes: []string{"192.168.10.0/24", "192.168.11.0/24"},
				Neighbors: []frr.Neighbor{nb, nbr4("65002", "192.168.1.2")}}),
		},
		{
			name: "neighbors sorted by ID as strings",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    neighbors:
    - {asn: 65001, address: 192.168.1.2}
    - {asn: 65001, address: 192.168.1.10}
    - {asn: 65001, address: "2001:db8::1"}
    - {asn: 65001, interface: eth0}
`)},
			want: model(rtr(65000, nbr4("65001", "192.168.1.10"), nbr4("65001", "192.168.1.2"), nbr6("65001", "2001:db8::1"),
				frr.Neighbor{Family: frr.FamilyDual, DisplayName: "65001@eth0", ASN: "65001", Iface: "eth0"})),
		},
		{
			name: "EVPN: l2vnis sorted, route targets sorted and unique",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    neighbors:
    - {asn: 65001, address: 192.168.1.1, addressFamilies: [evpn]}
    evpn:
      advertiseVNIs: All
      advertiseSVI: true
      l2vnis:
      - {vni: 200, rd: "65000:200", importRTs: ["65000:2", "65000:1", "65000:2"]}
      - {vni: 100, exportRTs: ["65000:100"]}
`)},
			want: model(frr.Router{ASN: 65000,
				Neighbors: []frr.Neighbor{with(nb, func(n *frr.Neighbor) { n.AddressFamilies = []string{"evpn"} })},
				EVPN: &frr.EVPN{AdvertiseVNIs: ptr("All"), AdvertiseSVI: true, L2VNIs: []frr.L2VNI{
					{VNI: 100, ExportRTs: []string{"65000:100"}},
					{VNI: 200, RD: "65000:200", ImportRTs: []string{"65000:1", "65000:2"}},
				}}}),
		},
		{
			name: "EVPN: l3vni on a VRF router without neighbors",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    vrf: red
    evpn:
      l3vni: {vni: 1000, rd: "10.0.0.1:5", exportRTs: ["65000:9"], advertisePrefixes: [unicast]}
`)},
			want: model(frr.Router{ASN: 65000, VRF: "red", EVPN: &frr.EVPN{L3VNI: &frr.L3VNI{
				VNI: 1000, RD: "10.0.0.1:5", ExportRTs: []string{"65000:9"}, AdvertisePrefixes: []string{"unicast"}}}}),
		},
		{
			name: "EVPN: advertiseVNIs Disabled needs no EVPN neighbor",
			docs: []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    evpn: {advertiseVNIs: Disabled}\n")},
			want: model(frr.Router{ASN: 65000, EVPN: &frr.EVPN{AdvertiseVNIs: ptr("Disabled")}}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

// secretYAML is a Secret of testNamespace with the given type and data lines.
func secretYAML(name, typ, data string) string {
	return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\ntype: " + typ + "\n" + data + "\n"
}
