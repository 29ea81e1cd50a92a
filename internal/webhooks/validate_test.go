package webhooks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

const ns = "frr-k8s-system"

// cfg decodes an FRRConfiguration "<namespace>/<name>" whose spec is the
// given YAML. A name without namespace is in ns.
func cfg(t testing.TB, id, spec string) *v1beta1.FRRConfiguration {
	t.Helper()
	namespace, name, found := strings.Cut(id, "/")
	if !found {
		namespace, name = ns, id
	}
	res := &v1beta1.FRRConfiguration{}
	if err := yaml.UnmarshalStrict([]byte(spec), &res.Spec); err != nil {
		t.Fatalf("decoding the spec of %s: %v", id, err)
	}
	res.Name, res.Namespace = name, namespace
	return res
}

// neighborSpec is router 65000 with one neighbor, in the default VRF,
// selecting nodes with the given nodeSelector YAML (empty: every node);
// extra holds more neighbor fields, one per line.
func neighborSpec(selector, address, extra string) string {
	s := ""
	if selector != "" {
		s = "nodeSelector: " + selector + "\n"
	}
	s += "bgp:\n  routers:\n  - asn: 65000\n    prefixes: [192.0.2.0/24, \"2001:db8:10::/64\"]\n    neighbors:\n    - asn: 65001\n      address: " + address + "\n"
	for line := range strings.SplitSeq(extra, "\n") {
		if line != "" {
			s += "      " + line + "\n"
		}
	}
	return s
}

// onNode is the denial of err on node.
func onNode(err, node string) string {
	return err + "\nresource is invalid for node " + node
}

// conflict is a merge conflict with its D6 suffix.
func conflict(msg, field, valueA, cfgA, valueB, cfgB string) string {
	return fmt.Sprintf("%s (field %s: %s in %s, %s in %s)", msg, field, valueA, qualified(cfgA), valueB, qualified(cfgB))
}

// inConfig is a per-config validation error with its D6 suffix.
func inConfig(msg, id string) string {
	return msg + " (FRRConfiguration " + qualified(id) + ")"
}

// qualified adds ns to a name without namespace.
func qualified(id string) string {
	if strings.Contains(id, "/") {
		return id
	}
	return ns + "/" + id
}

// testNodes are three nodes: a and b in zone a, c in zone b.
var testNodes = []Node{
	{Name: "node-c", Labels: map[string]string{"kubernetes.io/hostname": "node-c", "zone": "b"}},
	{Name: "node-a", Labels: map[string]string{"kubernetes.io/hostname": "node-a", "zone": "a"}},
	{Name: "node-b", Labels: map[string]string{"kubernetes.io/hostname": "node-b", "zone": "a"}},
}

type validateCase struct {
	name     string
	nodes    []Node // testNodes when nil
	existing []string
	cfg      string
	// specs maps the names used in existing and cfg ("<ns>/<name>" or
	// "<name>") to their spec YAML.
	specs        map[string]string
	wantWarnings []string
	wantErr      string
	// notThroughAPIServer says why the case cannot be reproduced through
	// the API server.
	notThroughAPIServer string
}

func (tc validateCase) run(t *testing.T) {
	nodes := tc.nodes
	if nodes == nil {
		nodes = testNodes
	}
	var existing []*v1beta1.FRRConfiguration
	for _, id := range tc.existing {
		existing = append(existing, cfg(t, strings.TrimSuffix(id, "@old"), tc.specs[id]))
	}
	newCfg := cfg(t, tc.cfg, tc.specs[tc.cfg])
	before := newCfg.DeepCopy()
	warnings, err := NewValidator().Validate(newCfg, nodes, existing)
	gotErr := ""
	if err != nil {
		gotErr = err.Error()
	}
	if diff := cmp.Diff(tc.wantErr, gotErr); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(tc.wantWarnings, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, newCfg); diff != "" {
		t.Errorf("the validated config was modified (-before +after):\n%s", diff)
	}
}

// denialCases are the table of TestValidateDenials, also run through the API server.
func denialCases() []validateCase {
	const nb = "65001@192.0.2.1"
	tests := []validateCase{
		{
			name:     "router ASN conflict",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": "bgp:\n  routers: [{asn: 65000}]\n",
				"b": "bgp:\n  routers: [{asn: 65010}]\n",
			},
			wantErr: onNode(conflict("different asns (65000 != 65010) specified for same vrf: ", "asn", "65000", "a", "65010", "b"), "node-a"),
		},
		{
			name:     "router ID conflict, the new config sorted first",
			existing: []string{"z"},
			cfg:      "b",
			specs: map[string]string{
				"z": "bgp:\n  routers: [{asn: 65000, id: 10.0.0.1}]\n",
				"b": "bgp:\n  routers: [{asn: 65000, id: 10.0.0.2}]\n",
			},
			wantErr: onNode(conflict("different router ids (10.0.0.2 != 10.0.0.1) specified for same vrf: ", "id", "10.0.0.2", "b", "10.0.0.1", "z"), "node-a"),
		},
		{
			name:     "neighbor ASN conflict",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": neighborSpec("", "192.0.2.1", ""),
				"b": strings.Replace(neighborSpec("", "192.0.2.1", ""), "asn: 65001", "asn: 65002", 1),
			},
			wantErr: onNode(conflict("multiple asns specified for 192.0.2.1", "asn/dynamicASN", "65001", "a", "65002", "b"), "node-a"),
		},
		{
			name:     "port conflict",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": neighborSpec("", "192.0.2.1", "port: 1179"),
				"b": neighborSpec("", "192.0.2.1", ""),
			},
			wantErr: onNode(conflict("multiple ports specified for 192.0.2.1", "port", "1179", "a", "unset (default 179)", "b"), "node-a"),
		},
		{
			name:     "hold time conflict",
			existing: []string{"metallb-node1"},
			cfg:      "peers",
			specs: map[string]string{
				"metallb-node1": neighborSpec("", "192.0.2.1", "holdTime: 90s\nkeepaliveTime: 30s"),
				"peers":         neighborSpec("", "192.0.2.1", ""),
			},
			wantErr: onNode(conflict("multiple hold times specified for 192.0.2.1", "holdTime", "90s", "metallb-node1", "unset (default 180s)", "peers"), "node-a"),
		},
		{
			name:     "password conflict never prints the passwords",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": neighborSpec("", "192.0.2.1", "password: one"),
				"b": neighborSpec("", "192.0.2.1", "password: two"),
			},
			wantErr: onNode(conflict("multiple passwords specified for 192.0.2.1", "password", "<redacted>", "a", "<redacted>", "b"), "node-a"),
		},
		{
			name:     "BFD profile defined twice with different values",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": "bgp:\n  bfdProfiles: [{name: p, receiveInterval: 100}]\n",
				"b": "bgp:\n  bfdProfiles: [{name: p, receiveInterval: 200}]\n",
			},
			wantErr: onNode(conflict("duplicate bfd profile name p with different values for config b", "bfdProfiles[p].receiveInterval", "100", "a", "200", "b"), "node-a"),
		},
		{
			name:     "BFD profile defined in another config",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": "bgp:\n  bfdProfiles: [{name: p}]\n",
				"b": neighborSpec("", "192.0.2.1", "bfdProfile: p"),
			},
			wantErr: onNode(inConfig("failed to process neighbor "+nb+" for router 65000-: neighbor "+nb+" referencing non existing BFDProfile p", "b"), "node-a"),
		},
		{
			name: "BFD profile that exists nowhere",
			cfg:  "b",
			specs: map[string]string{
				"b": neighborSpec("", "192.0.2.1", "bfdProfile: nope"),
			},
			wantErr: onNode(inConfig("failed to process neighbor "+nb+" for router 65000-: neighbor "+nb+" referencing non existing BFDProfile nope", "b"), "node-a"),
		},
		{
			name: "router prefix without a mask",
			cfg:  "b",
			specs: map[string]string{
				"b": "bgp:\n  routers: [{asn: 65000, prefixes: [192.0.2.0/24, 192.0.2.0]}]\n",
			},
			wantErr: onNode(inConfig("unknown ipfamily for 192.0.2.0", "b"), "node-a"),
		},
		{
			name:                "receive prefix that does not parse",
			notThroughAPIServer: "the CRD schema rejects it before the webhook",
			cfg:                 "b",
			specs: map[string]string{
				"b": neighborSpec("", "192.0.2.1", "toReceive: {allowed: {prefixes: [{prefix: 10.0.0.0}]}}"),
			},
			wantErr: onNode(inConfig("failed to process neighbor "+nb+" for router 65000-: failed to parse prefix 10.0.0.0: invalid CIDR address: 10.0.0.0", "b"), "node-a"),
		},
		{
			name: "advertised prefix the router does not have",
			cfg:  "b",
			specs: map[string]string{
				"b": neighborSpec("", "192.0.2.1", "toAdvertise: {allowed: {prefixes: [198.51.100.0/24]}}"),
			},
			wantErr: onNode(inConfig("trying to advertise non configured prefix 198.51.100.0/24 to neighbor "+nb+", vrf ", "b"), "node-a"),
		},
		{
			name: "neighbor address that does not parse",
			cfg:  "b",
			specs: map[string]string{
				"b": neighborSpec("", "192.0.2.300", ""),
			},
			wantErr: onNode(inConfig(`failed to find ipfamily for neighbor 65001@192.0.2.300, err: failed to find ipfamily for 192.0.2.300, IPFamilyForAddresses: Invalid address ["192.0.2.300"]`, "b"), "node-a"),
		},
		{
			name: "hold time without keepalive",
			cfg:  "b",
			specs: map[string]string{
				"b": neighborSpec("", "192.0.2.1", "holdTime: 90s"),
			},
			wantErr: onNode(inConfig("failed to process neighbor "+nb+" for router 65000-: invalid timers for neighbor "+nb+", err: one of KeepaliveTime/HoldTime specified, both must be set or none", "b"), "node-a"),
		},
		{
			name:     "next hop conflict",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": neighborSpec("", "192.0.2.1", "toAdvertise: {nextHop: {ipv4: 10.0.0.1}}"),
				"b": neighborSpec("", "192.0.2.1", "toAdvertise: {nextHop: {ipv4: 10.0.0.2}}"),
			},
			wantErr: onNode(conflict("could not merge outgoing for neighbor 192.0.2.1 vrf , err: ipv4 next hop: multiple next hops (10.0.0.1 != 10.0.0.2) specified",
				"toAdvertise.nextHop.ipv4", "10.0.0.1", "a", "10.0.0.2", "b"), "node-a"),
		},
		{
			name:     "EVPN conflict",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": "bgp:\n  routers:\n  - asn: 65000\n    neighbors: [{asn: 65001, address: 192.0.2.1, addressFamilies: [evpn]}]\n    evpn: {advertiseSVI: true}\n",
				"b": "bgp:\n  routers:\n  - asn: 65000\n    neighbors: [{asn: 65001, address: 192.0.2.1, addressFamilies: [evpn]}]\n    evpn: {advertiseSVI: false}\n",
			},
			wantErr: onNode(conflict(`could not merge EVPN configuration for vrf "", err: different advertiseSVI (true != false)`, "evpn.advertiseSVI", "true", "a", "false", "b"), "node-a"),
		},
		{
			name:     "VNI used in two VRFs (a check on the merged routers, without suffix)",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": "bgp:\n  routers:\n  - {asn: 65000, vrf: red, evpn: {l3vni: {vni: 100, advertisePrefixes: [unicast]}}}\n",
				"b": "bgp:\n  routers:\n  - {asn: 65000, vrf: blue, evpn: {l3vni: {vni: 100, advertisePrefixes: [unicast]}}}\n",
			},
			wantErr: onNode(`duplicate VNI 100: configured as l3vni in vrf "blue" and as l3vni in vrf "red"`, "node-a"),
		},
		{
			name: "invalid selector operator",
			cfg:  "b",
			specs: map[string]string{
				"b": "nodeSelector: {matchExpressions: [{key: zone, operator: Bad}]}\n",
			},
			wantErr: "\"Bad\" is not a valid label selector operator\nresource contains an invalid NodeSelector",
		},
		{
			name: "invalid selector label value",
			cfg:  "b",
			specs: map[string]string{
				"b": "nodeSelector: {matchLabels: {zone: \"a b\"}}\n",
			},
			wantErr: "values[0][zone]: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\nresource contains an invalid NodeSelector",
		},
		{
			name:     "a config of another namespace takes part",
			existing: []string{"other/a"},
			cfg:      "b",
			specs: map[string]string{
				"other/a": neighborSpec("", "192.0.2.1", "port: 1179"),
				"b":       neighborSpec("", "192.0.2.1", ""),
			},
			wantErr: onNode(conflict("multiple ports specified for 192.0.2.1", "port", "1179", "other/a", "unset (default 179)", "b"), "node-a"),
		},
		{
			name:     "the first node by name with a failing set is reported",
			existing: []string{"only-b", "only-c"},
			cfg:      "new",
			specs: map[string]string{
				"only-b": neighborSpec("{matchLabels: {kubernetes.io/hostname: node-b}}", "192.0.2.1", "port: 1179"),
				"only-c": neighborSpec("{matchLabels: {kubernetes.io/hostname: node-c}}", "192.0.2.1", "port: 1180"),
				"new":    neighborSpec("", "192.0.2.1", ""),
			},
			wantErr: onNode(conflict("multiple ports specified for 192.0.2.1", "port", "unset (default 179)", "new", "1179", "only-b"), "node-b"),
		},
		{
			name:     "the same-name config of another namespace does not protect from others",
			existing: []string{"other/b", "c"},
			cfg:      "b",
			specs: map[string]string{
				"other/b": neighborSpec("{matchLabels: {zone: a}}", "192.0.2.1", "port: 1179"),
				"c":       neighborSpec("{matchLabels: {zone: b}}", "192.0.2.1", "port: 1180"),
				"b":       neighborSpec("", "192.0.2.1", ""),
			},
			wantErr: onNode(conflict("multiple ports specified for 192.0.2.1", "port", "unset (default 179)", "b", "1180", "c"), "node-c"),
		},
	}
	return tests
}

func TestValidateDenials(t *testing.T) {
	for _, tc := range denialCases() {
		t.Run(tc.name, tc.run)
	}
}

// admissionCases are the table of TestValidateAdmits, also run through the API server.
func admissionCases() []validateCase {
	tests := []validateCase{
		{
			name:  "first config",
			cfg:   "a",
			specs: map[string]string{"a": neighborSpec("", "192.0.2.1", "")},
		},
		{
			name:     "compatible configs merge",
			existing: []string{"a", "c"},
			cfg:      "b",
			specs: map[string]string{
				"a": neighborSpec("", "192.0.2.1", "holdTime: 90s\nkeepaliveTime: 30s"),
				"c": neighborSpec("{matchLabels: {zone: b}}", "192.0.2.2", ""),
				"b": neighborSpec("", "192.0.2.1", "holdTime: 90s\nkeepaliveTime: 30s\ntoAdvertise: {allowed: {mode: all}}"),
			},
		},
		{
			name:     "update: the old version is not merged with the new one",
			existing: []string{"a@old"},
			cfg:      "a",
			specs: map[string]string{
				"a@old": neighborSpec("", "192.0.2.1", "port: 1179"),
				"a":     neighborSpec("", "192.0.2.1", "port: 1180"),
			},
		},
		{
			name:     "a config of the same name in another namespace is left out too",
			existing: []string{"other/a"},
			cfg:      "a",
			specs: map[string]string{
				"other/a": neighborSpec("", "192.0.2.1", "port: 1179"),
				"a":       neighborSpec("", "192.0.2.1", ""),
			},
		},
		{
			name:     "a conflicting config on other nodes only",
			existing: []string{"zone-b"},
			cfg:      "zone-a",
			specs: map[string]string{
				"zone-b": neighborSpec("{matchLabels: {zone: b}}", "192.0.2.1", "port: 1179"),
				"zone-a": neighborSpec("{matchExpressions: [{key: zone, operator: In, values: [a]}]}", "192.0.2.1", ""),
			},
		},
		{
			name:     "a config selecting no node is only checked for its selector",
			existing: []string{"a"},
			cfg:      "b",
			specs: map[string]string{
				"a": neighborSpec("", "192.0.2.1", ""),
				"b": neighborSpec("{matchLabels: {zone: nowhere}}", "192.0.2.300", "port: 1179"),
			},
		},
		{
			name: "a missing Secret is allowed",
			cfg:  "a",
			specs: map[string]string{
				"a": neighborSpec("", "192.0.2.1", "passwordSecret: {name: missing}"),
			},
		},
		{
			name:                "an existing config with an unparsable selector is skipped",
			notThroughAPIServer: "the webhook denies such a config, so it cannot exist",
			existing:            []string{"broken"},
			cfg:                 "a",
			specs: map[string]string{
				"broken": neighborSpec("{matchExpressions: [{key: zone, operator: Bad}]}", "192.0.2.1", "port: 1179"),
				"a":      neighborSpec("", "192.0.2.1", ""),
			},
		},
		{
			// Every passwordSecret counts as blank, as upstream blanks them.
			name: "password and passwordSecret together",
			cfg:  "b",
			specs: map[string]string{
				"b": neighborSpec("", "192.0.2.1", "password: x\npasswordSecret: {name: s}"),
			},
		},
		{
			name:  "no nodes at all",
			nodes: []Node{},
			cfg:   "a",
			specs: map[string]string{"a": neighborSpec("", "192.0.2.300", "")},
		},
	}
	return tests
}

func TestValidateAdmits(t *testing.T) {
	for _, tc := range admissionCases() {
		t.Run(tc.name, tc.run)
	}
}

// warningCases are the table of TestValidateWarnings, also run through the API server.
func warningCases() []validateCase {
	tests := []validateCase{
		{
			name:         "disableMP",
			cfg:          "a",
			specs:        map[string]string{"a": neighborSpec("", "192.0.2.1", "disableMP: true")},
			wantWarnings: []string{DisableMPWarning},
		},
		{
			name:         "disableMP on a config selecting no node",
			cfg:          "a",
			specs:        map[string]string{"a": neighborSpec("{matchLabels: {zone: nowhere}}", "192.0.2.1", "disableMP: true")},
			wantWarnings: []string{DisableMPWarning},
		},
		{
			name:         "graceful restart change, reported once for several nodes",
			existing:     []string{"a@old"},
			cfg:          "a",
			specs:        map[string]string{"a@old": neighborSpec("", "192.0.2.1", ""), "a": neighborSpec("", "192.0.2.1", "enableGracefulRestart: true")},
			wantWarnings: []string{GracefulRestartWarning},
		},
		{
			name:     "graceful restart change of another neighbor is not reported",
			existing: []string{"a@old"},
			cfg:      "a",
			specs: map[string]string{
				"a@old": neighborSpec("", "192.0.2.2", ""),
				"a":     neighborSpec("", "192.0.2.1", "enableGracefulRestart: true"),
			},
		},
		{
			name:     "graceful restart change in another VRF is not reported",
			existing: []string{"a@old"},
			cfg:      "a",
			specs: map[string]string{
				"a@old": strings.Replace(neighborSpec("", "192.0.2.1", ""), "asn: 65000", "asn: 65000\n    vrf: red", 1),
				"a":     neighborSpec("", "192.0.2.1", "enableGracefulRestart: true"),
			},
		},
		{
			name:     "graceful restart change on a config selecting no node is not reported",
			existing: []string{"a@old"},
			cfg:      "a",
			specs: map[string]string{
				"a@old": neighborSpec("", "192.0.2.1", ""),
				"a":     neighborSpec("{matchLabels: {zone: nowhere}}", "192.0.2.1", "enableGracefulRestart: true"),
			},
		},
		{
			name:     "both warnings, disableMP first",
			existing: []string{"other/a@old"},
			cfg:      "a",
			specs: map[string]string{
				"other/a@old": neighborSpec("", "192.0.2.1", "enableGracefulRestart: true"),
				"a":           neighborSpec("", "192.0.2.1", "disableMP: true"),
			},
			wantWarnings: []string{DisableMPWarning, GracefulRestartWarning},
		},
		{
			name:     "no warnings on a denial",
			existing: []string{"a@old", "b"},
			cfg:      "a",
			specs: map[string]string{
				"a@old": neighborSpec("", "192.0.2.1", "port: 1179"),
				"b":     neighborSpec("", "192.0.2.1", "port: 1179"),
				"a":     neighborSpec("", "192.0.2.1", "enableGracefulRestart: true\ndisableMP: true"),
			},
			wantErr: onNode(conflict("multiple ports specified for 192.0.2.1", "port", "unset (default 179)", "a", "1179", "b"), "node-a"),
		},
	}
	return tests
}

func TestValidateWarnings(t *testing.T) {
	for _, tc := range warningCases() {
		t.Run(tc.name, tc.run)
	}
}
