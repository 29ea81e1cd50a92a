package convert

import (
	"errors"
	"testing"
)

// neighborErr wraps a neighbor error as the router conversion does.
func neighborErr(name, router, msg string) string {
	return "failed to process neighbor " + name + " for router " + router + ": " + msg
}

// localPrefErr wraps a property-list error of neighbor 65001@192.168.1.1.
func localPrefErr(msg string) string {
	return withSuffix(neighborErr("65001@192.168.1.1", "65000-", "failed to process local pref for neighbor 65001@192.168.1.1, err: "+msg), "a")
}

func TestConvertErrors(t *testing.T) {
	const nb = "65001@192.168.1.1"
	v4 := func(extra string) []string { return []string{cfgYAML("a", oneNeighbor("192.168.1.1", extra))} }
	v6 := func(extra string) []string { return []string{cfgYAML("a", oneNeighbor("2001:db8::1", extra))} }
	tests := []convertCase{
		{
			name:    "unparsable nodeSelector",
			docs:    []string{cfgYAML("a", "nodeSelector:\n  matchExpressions: [{key: rack, operator: Bad}]\n")},
			wantErr: withSuffix(`could not parse nodeSelector for FRRConfiguration frr-k8s-system/a, err: "Bad" is not a valid label selector operator`, "a"),
		},
		{
			name:    "BFD profile name repeated in one config",
			docs:    []string{cfgYAML("a", "bgp:\n  bfdProfiles: [{name: p}, {name: q}, {name: p}]\n")},
			wantErr: withSuffix("duplicate bfd profile name p in config a", "a"),
		},
		{
			name:    "router prefix without mask",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    prefixes: [192.168.1.0/24, 192.168.1.0]\n")},
			wantErr: withSuffix("unknown ipfamily for 192.168.1.0", "a"),
		},
		{
			name:    "import of a VRF the config does not define",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    imports: [{vrf: red}]\n")},
			wantErr: withSuffix("router 65000- imports vrf red which is not defined", "a"),
		},
		{
			name:    "a bad prefix of an imported router is reported by that router",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    imports: [{vrf: red}]\n    neighbors: [{asn: 65001, address: 192.168.1.1, toAdvertise: {allowed: {prefixes: [192.168.20.0/24]}}}]\n  - asn: 65000\n    vrf: red\n    prefixes: [192.168.20.0/24, bad]\n")},
			wantErr: withSuffix("unknown ipfamily for bad", "a"),
		},
		{
			name:    "import of default without a default-VRF router",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    vrf: red\n    imports: [{vrf: default}]\n")},
			wantErr: withSuffix("vrf  not found in prefixes in router", "a"),
		},
		{
			name:    "localPref prefix of the wrong family",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withLocalPref: [{localPref: 100, prefixes: [\"2001:db8:10::/64\"]}]"),
			wantErr: withSuffix("invalid prefixes [2001:db8:10::/64] for localpref 100 for neighbor "+nb+", err: prefix 2001:db8:10::/64 is not compatible with the ipfamily ipv4", "a"),
		},
		{
			name:    "localPref prefix that does not parse",
			docs:    v4("toAdvertise:\n  withLocalPref: [{localPref: 100, prefixes: [192.168.10.0/24, bogus]}]"),
			wantErr: withSuffix("invalid prefixes [192.168.10.0/24 bogus] for localpref 100 for neighbor "+nb+", err: unknown ipfamily for bogus", "a"),
		},
		{
			name:    "prefix with two local preferences",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withLocalPref:\n  - {localPref: 200, prefixes: [192.168.10.0/24]}\n  - {localPref: 100, prefixes: [192.168.11.0/24, 192.168.10.0/24]}"),
			wantErr: withSuffix("prefix [192.168.11.0/24 192.168.10.0/24] is configured with both local preference 200 and 100", "a"),
		},
		{
			name:    "community prefix of the wrong family",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withCommunity: [{community: \"1:1\", prefixes: [\"2001:db8:10::/64\"]}]"),
			wantErr: withSuffix("invalid prefixes [2001:db8:10::/64] for community 1:1 for neighbor "+nb+", err: prefix 2001:db8:10::/64 is not compatible with the ipfamily ipv4", "a"),
		},
		{
			name:    "allowed prefix of the wrong family",
			docs:    v4("toAdvertise:\n  allowed: {prefixes: [192.168.10.0/24, \"2001:db8:10::/64\"]}"),
			wantErr: withSuffix("invalid allowed prefixes [192.168.10.0/24 2001:db8:10::/64] for neighbor "+nb+", err: prefix 2001:db8:10::/64 is not compatible with the ipfamily ipv4", "a"),
		},
		{
			name:    "allowed prefix that does not parse",
			docs:    v6("toAdvertise:\n  allowed: {prefixes: [nope]}"),
			wantErr: withSuffix("invalid allowed prefixes [nope] for neighbor 65001@2001:db8::1, err: unknown ipfamily for nope", "a"),
		},
		{
			name:    "allowed prefix the router does not have",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    vrf: red\n    prefixes: [192.168.10.0/24]\n    neighbors:\n    - asn: 65001\n      address: 192.168.1.1\n      toAdvertise: {allowed: {prefixes: [192.168.10.0/24, 192.168.99.0/24]}}\n")},
			wantErr: withSuffix("trying to advertise non configured prefix 192.168.99.0/24 to neighbor "+nb+", vrf red", "a"),
		},
		{
			name:    "allowed prefix must match a router prefix as written",
			docs:    v4("toAdvertise: {allowed: {prefixes: [192.168.10.1/24]}}"),
			wantErr: withSuffix("trying to advertise non configured prefix 192.168.10.1/24 to neighbor "+nb+", vrf ", "a"),
		},
		{
			name:    "neighbor address that does not parse",
			docs:    []string{cfgYAML("a", oneNeighbor("192.168.1.300", ""))},
			wantErr: withSuffix(`failed to find ipfamily for neighbor 65001@192.168.1.300, err: failed to find ipfamily for 192.168.1.300, IPFamilyForAddresses: Invalid address ["192.168.1.300"]`, "a"),
		},
		{
			name:    "localASN on an iBGP session",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors:\n    - {asn: 65000, address: 192.168.1.1, localASN: 65100}\n")},
			wantErr: withSuffix("neighbor 65000@192.168.1.1: localASN is not supported for iBGP sessions (neighbor ASN 65000 equals router ASN)", "a"),
		},
		{
			name:    "outgoing checks of every neighbor come before neighbor conversion",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors:\n    - {asn: 65001, address: 192.168.1.1, bfdProfile: nope}\n    - {asn: 65002, address: 192.168.1.2, toAdvertise: {allowed: {prefixes: [10.0.0.0/8]}}}\n")},
			wantErr: withSuffix("trying to advertise non configured prefix 10.0.0.0/8 to neighbor 65002@192.168.1.2, vrf ", "a"),
		},
		{
			name:    "neighbor with neither address nor interface",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors:\n    - {asn: 65001}\n")},
			wantErr: withSuffix(neighborErr("65001@", "65000-", "neighbor with ASN 65001 has no address and no interface"), "a"),
		},
		{
			name:    "neighbor with address and interface",
			docs:    v4("interface: eth0"),
			wantErr: withSuffix(neighborErr(nb, "65000-", "neighbor "+nb+" has both Address and Interface specified"), "a"),
		},
		{
			name:    "BFD profile of another config",
			docs:    []string{cfgYAML("b", "bgp:\n  bfdProfiles: [{name: other}]\n"), cfgYAML("a", oneNeighbor("192.168.1.1", "bfdProfile: other"))},
			wantErr: withSuffix(neighborErr(nb, "65000-", "neighbor "+nb+" referencing non existing BFDProfile other"), "a"),
		},
		{
			name:    "neighbor without ASN",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    vrf: red\n    neighbors:\n    - {address: 192.168.1.1}\n")},
			wantErr: withSuffix(neighborErr("0@192.168.1.1", "65000-red", "neighbor 0@192.168.1.1 has no ASN or DynamicASN specified"), "a"),
		},
		{
			name:    "neighbor with ASN and dynamicASN",
			docs:    v4("dynamicASN: internal"),
			wantErr: withSuffix(neighborErr("internal@192.168.1.1", "65000-", "neighbor internal@192.168.1.1 has both ASN and DynamicASN specified"), "a"),
		},
		{
			name:    "unknown dynamicASN",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors:\n    - {dynamicASN: sideways, address: 192.168.1.1}\n")},
			wantErr: withSuffix(neighborErr("sideways@192.168.1.1", "65000-", "neighbor sideways@192.168.1.1 has invalid DynamicASN sideways specified, must be one of internal,external"), "a"),
		},
		{
			name:    "hold time without keepalive",
			docs:    v4("holdTime: 90s"),
			wantErr: withSuffix(neighborErr(nb, "65000-", "invalid timers for neighbor "+nb+", err: one of KeepaliveTime/HoldTime specified, both must be set or none"), "a"),
		},
		{
			name:    "keepalive without hold time",
			docs:    v4("keepaliveTime: 30s"),
			wantErr: withSuffix(neighborErr(nb, "65000-", "invalid timers for neighbor "+nb+", err: one of KeepaliveTime/HoldTime specified, both must be set or none"), "a"),
		},
		{
			name:    "hold time under 3 seconds",
			docs:    v4("holdTime: 2s\nkeepaliveTime: 1s"),
			wantErr: withSuffix(neighborErr(nb, "65000-", `invalid timers for neighbor `+nb+`, err: invalid hold time "2s": must be 0 or >=3s`), "a"),
		},
		{
			name:    "keepalive above hold time",
			docs:    v4("holdTime: 30s\nkeepaliveTime: 1m"),
			wantErr: withSuffix(neighborErr(nb, "65000-", `invalid timers for neighbor `+nb+`, err: invalid keepaliveTime "1m0s", must be lower than holdTime "30s"`), "a"),
		},
		{
			name:    "password and passwordSecret",
			docs:    v4("password: x\npasswordSecret: {name: s}"),
			wantErr: withSuffix(neighborErr(nb, "65000-", "neighbor "+nb+" specifies both cleartext password and secret ref"), "a"),
		},
		{
			name:    "missing Secret",
			docs:    v4("passwordSecret: {name: missing}"),
			wantErr: withSuffix(neighborErr(nb, "65000-", "secret missing not found for neighbor "+nb), "a"),
		},
		{
			name:    "Secret of the wrong type",
			docs:    append(v4("passwordSecret: {name: bgp-pass}"), secretYAML("bgp-pass", "Opaque", "stringData: {password: x}")),
			wantErr: withSuffix(neighborErr(nb, "65000-", `secret type mismatch on "frr-k8s-system"/"bgp-pass", type "kubernetes.io/basic-auth" is expected `), "a"),
		},
		{
			name:    "Secret without password",
			docs:    append(v4("passwordSecret: {name: bgp-pass}"), secretYAML("bgp-pass", "kubernetes.io/basic-auth", "stringData: {username: x}")),
			wantErr: withSuffix(neighborErr(nb, "65000-", `password field not specified in the secret "frr-k8s-system"/"bgp-pass"`), "a"),
		},
		{
			name:    "ipv4 next hop that is not IPv4",
			docs:    v4("toAdvertise: {nextHop: {ipv4: \"2001:db8::1\"}}"),
			wantErr: withSuffix(neighborErr(nb, "65000-", `invalid ipv4 next hop "2001:db8::1" for neighbor `+nb), "a"),
		},
		{
			name:    "ipv4 next hop on an IPv6 neighbor",
			docs:    v6("toAdvertise: {nextHop: {ipv4: 10.0.0.1}}"),
			wantErr: withSuffix(neighborErr("65001@2001:db8::1", "65000-", `ipv4 next hop "10.0.0.1" set for neighbor 65001@2001:db8::1 without an ipv4 address family`), "a"),
		},
		{
			name:    "ipv6 next hop that is not IPv6",
			docs:    v6("toAdvertise: {nextHop: {ipv6: 10.0.0.1}}"),
			wantErr: withSuffix(neighborErr("65001@2001:db8::1", "65000-", `invalid ipv6 next hop "10.0.0.1" for neighbor 65001@2001:db8::1`), "a"),
		},
		{
			name:    "ipv6 next hop on an IPv4 neighbor",
			docs:    v4("toAdvertise: {nextHop: {ipv6: \"2001:db8::ff\"}}"),
			wantErr: withSuffix(neighborErr(nb, "65000-", `ipv6 next hop "2001:db8::ff" set for neighbor `+nb+` without an ipv6 address family`), "a"),
		},
		{
			name:    "localPref value repeated in one family",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withLocalPref:\n  - {localPref: 100, prefixes: [192.168.10.0/24]}\n  - {localPref: 100, prefixes: [192.168.11.0/24]}"),
			wantErr: localPrefErr("local preference 100 is already defined"),
		},
		{
			name:    "localPref on a prefix that is not advertised",
			docs:    v4("toAdvertise:\n  allowed: {prefixes: [192.168.10.0/24]}\n  withLocalPref: [{localPref: 100, prefixes: [192.168.11.0/24]}]"),
			wantErr: localPrefErr("localPref 100 associated to non existing prefix 192.168.11.0/24"),
		},
		{
			name:    "prefix repeated in a localPref entry",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withLocalPref: [{localPref: 100, prefixes: [192.168.10.0/24, 192.168.10.0/24]}]"),
			wantErr: localPrefErr("prefix 192.168.10.0/24 is already defined for local preference 100"),
		},
		{
			name:    "community with a part out of range",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withCommunity: [{community: \"65536:1\", prefixes: [192.168.10.0/24]}]"),
			wantErr: localPrefErr(`invalid community 65536:1, err: invalid community value: invalid section "65536" of community "65536:1", err: "strconv.ParseUint: parsing \"65536\": value out of range"`),
		},
		{
			name:    "community in no known format",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withCommunity: [{community: no-export, prefixes: [192.168.10.0/24]}]"),
			wantErr: localPrefErr("invalid community no-export, err: invalid community format: no-export"),
		},
		{
			name:    "large community with a bad marker",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withCommunity: [{community: \"big:1:2:3\", prefixes: [192.168.10.0/24]}]"),
			wantErr: localPrefErr(`invalid community big:1:2:3, err: invalid community value: invalid marker for large community, expected community to be of format large:<uint32>:<uint32>:<uint32> but got "big:1:2:3" instead`),
		},
		{
			name:    "community repeated in one family, spelled differently",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withCommunity:\n  - {community: \"1:1\", prefixes: [192.168.10.0/24]}\n  - {community: \"01:01\", prefixes: [192.168.11.0/24]}"),
			wantErr: localPrefErr("community 01:01 is already defined"),
		},
		{
			name:    "community on a prefix that is not advertised",
			docs:    v4("toAdvertise:\n  allowed: {prefixes: [192.168.10.0/24]}\n  withCommunity: [{community: \"large:1:2:3\", prefixes: [192.168.11.0/24]}]"),
			wantErr: localPrefErr("prefix 192.168.11.0/24 is advertised for community 1:2:3 but it's not in the advertisement list of the neighbor"),
		},
		{
			name:    "prefix repeated in a community entry",
			docs:    v4("toAdvertise:\n  allowed: {mode: all}\n  withCommunity: [{community: \"1:1\", prefixes: [192.168.10.0/24, 192.168.10.0/24]}]"),
			wantErr: localPrefErr("prefix 192.168.10.0/24 is already defined for community 1:1"),
		},
		{
			name:    "receive selector that does not parse",
			docs:    v4("toReceive:\n  allowed:\n    prefixes: [{prefix: 10.0.0.0}]"),
			wantErr: withSuffix(neighborErr(nb, "65000-", "failed to parse prefix 10.0.0.0: invalid CIDR address: 10.0.0.0"), "a"),
		},
		{
			name:    "receive selector with ge above le",
			docs:    v4("toReceive:\n  allowed:\n    prefixes: [{prefix: 10.0.0.0/8, le: 16, ge: 24}]"),
			wantErr: withSuffix(neighborErr(nb, "65000-", "invalid selector lengths: ge 24 is bigger than le 16"), "a"),
		},
		{
			name:    "receive selector with mask above le",
			docs:    v4("toReceive:\n  allowed:\n    prefixes: [{prefix: 10.0.0.0/16, le: 8}]"),
			wantErr: withSuffix(neighborErr(nb, "65000-", "invalid selector lengths: cidr mask 16 is bigger than le 8"), "a"),
		},
		{
			name:    "receive selector with mask above ge",
			docs:    v4("toReceive:\n  allowed:\n    prefixes: [{prefix: 10.0.0.0/16, ge: 8}]"),
			wantErr: withSuffix(neighborErr(nb, "65000-", "invalid selector lengths: cidr mask 16 is bigger than ge 8"), "a"),
		},
		{
			name:    "EVPN features without an EVPN neighbor (no suffix)",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    neighbors: [{asn: 65001, address: 192.168.1.1}]\n    evpn: {advertiseSVI: true}\n")},
			wantErr: `invalid EVPN configuration for vrf "": advertiseVNIs=All, advertiseSVI and l2vnis require at least one neighbor with evpn address family`,
		},
		{
			name:    "l2vnis without an EVPN neighbor",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    evpn: {l2vnis: [{vni: 10}]}\n")},
			wantErr: `invalid EVPN configuration for vrf "": advertiseVNIs=All, advertiseSVI and l2vnis require at least one neighbor with evpn address family`,
		},
		{
			name:    "l3vni on a router with neighbors",
			docs:    []string{cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    vrf: red\n    neighbors: [{asn: 65001, address: 192.168.1.1}]\n    evpn: {l3vni: {vni: 10, advertisePrefixes: [unicast]}}\n")},
			wantErr: `invalid EVPN configuration for vrf "red": l3vni can only be configured on routers with no neighbors`,
		},
		{
			name: "VNI used in two VRFs",
			docs: []string{
				cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    vrf: red\n    evpn: {l3vni: {vni: 100, advertisePrefixes: [unicast]}}\n"),
				cfgYAML("b", "bgp:\n  routers:\n  - asn: 65000\n    vrf: blue\n    evpn: {l3vni: {vni: 100, advertisePrefixes: [unicast]}}\n"),
			},
			wantErr: `duplicate VNI 100: configured as l3vni in vrf "blue" and as l3vni in vrf "red"`,
		},
		{
			name: "VNI used as l2vni and l3vni",
			docs: []string{cfgYAML("a", `bgp:
  routers:
  - asn: 65000
    neighbors: [{asn: 65001, address: 192.168.1.1, addressFamilies: [evpn]}]
    evpn: {l2vnis: [{vni: 100}]}
  - asn: 65000
    vrf: red
    evpn: {l3vni: {vni: 100, advertisePrefixes: [unicast]}}
`)},
			wantErr: `duplicate VNI 100: configured as l2vni in vrf "" and as l3vni in vrf "red"`,
		},
		{
			name:    "first failing config in name order is reported",
			docs:    []string{cfgYAML("b", "bgp:\n  routers:\n  - asn: 65000\n    prefixes: [bad-b]\n"), cfgYAML("a", "bgp:\n  routers:\n  - asn: 65000\n    prefixes: [bad-a]\n")},
			wantErr: withSuffix("unknown ipfamily for bad-a", "a"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

func TestConvertErrorTypes(t *testing.T) {
	_, err := decodeObjects(t, cfgYAML("a", oneNeighbor("192.168.1.1", "passwordSecret: {name: missing}"))).convert()
	var notFound *SecretNotFoundError
	if !errors.As(err, &notFound) || notFound.Name != "missing" || notFound.Neighbor != "65001@192.168.1.1" {
		t.Fatalf("error %v does not unwrap to the missing Secret", err)
	}
	var conversion *ConversionError
	if !errors.As(err, &conversion) {
		t.Fatalf("error %v is not a ConversionError", err)
	}
}
