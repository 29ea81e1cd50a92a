package convert

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// names lists the namespace/name of configs.
func names(configs []v1beta1.FRRConfiguration) []string {
	var res []string
	for _, c := range configs {
		res = append(res, c.Namespace+"/"+c.Name)
	}
	return res
}

func TestSelect(t *testing.T) {
	objects := decodeObjects(t,
		cfgYAML("c", "nodeSelector:\n  matchLabels: {kubernetes.io/hostname: node1}\n"),
		cfgYAML("b", ""),
		cfgYAML("a", "nodeSelector:\n  matchExpressions: [{key: rack, operator: In, values: [r2]}]\n"),
		cfgYAML("d", "nodeSelector:\n  matchExpressions: [{key: rack, operator: Exists}]\n"),
		"metadata: {name: a, namespace: other}\n",
	)
	got, err := Select(InNamespace(objects.configs, testNamespace), testNodeLabels)
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	if diff := cmp.Diff([]string{"frr-k8s-system/b", "frr-k8s-system/c", "frr-k8s-system/d"}, names(got)); diff != "" {
		t.Errorf("daemon selection (-want +got):\n%s", diff)
	}
	got, err = Select(objects.configs, testNodeLabels)
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	if diff := cmp.Diff([]string{"other/a", "frr-k8s-system/b", "frr-k8s-system/c", "frr-k8s-system/d"}, names(got)); diff != "" {
		t.Errorf("all-namespace selection (-want +got):\n%s", diff)
	}
}

func TestSelectBadSelector(t *testing.T) {
	objects := decodeObjects(t, cfgYAML("a", ""), cfgYAML("bad", "nodeSelector:\n  matchExpressions: [{key: rack, operator: In}]\n"))
	_, err := Select(InNamespace(objects.configs, testNamespace), testNodeLabels)
	want := withSuffix("could not parse nodeSelector for FRRConfiguration frr-k8s-system/bad, err: values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty", "bad")
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant %s", err, want)
	}
	matches, err := MatchesNode(&objects.configs[1], testNodeLabels)
	if err == nil || matches {
		t.Fatalf("MatchesNode = %t, %v; want an error", matches, err)
	}
}

func TestMatchesNode(t *testing.T) {
	objects := decodeObjects(t,
		cfgYAML("empty", ""),
		cfgYAML("other-node", "nodeSelector:\n  matchLabels: {kubernetes.io/hostname: node2}\n"),
	)
	for i, want := range []bool{true, false} {
		got, err := MatchesNode(&objects.configs[i], testNodeLabels)
		if err != nil || got != want {
			t.Errorf("MatchesNode(%s) = %t, %v; want %t", objects.configs[i].Name, got, err, want)
		}
	}
}

func TestReferencedSecrets(t *testing.T) {
	objects := decodeObjects(t,
		cfgYAML("a", "bgp:\n  routers:\n  - asn: 1\n    neighbors:\n    - {asn: 2, address: 192.0.2.1, passwordSecret: {name: s1}}\n    - {asn: 2, address: 192.0.2.2, passwordSecret: {}}\n"),
		cfgYAML("b", "bgp:\n  routers:\n  - asn: 1\n  - asn: 1\n    vrf: red\n    neighbors:\n    - {asn: 2, address: 192.0.2.1, passwordSecret: {name: s2, namespace: elsewhere}}\n    - {asn: 2, address: 192.0.2.3, passwordSecret: {name: s1}}\n"),
	)
	got := ReferencedSecrets(objects.configs)
	if !got.Equal(sets.New("s1", "s2")) {
		t.Fatalf("ReferencedSecrets = %v, want [s1 s2]", sets.List(got))
	}
}

func TestParseAlwaysBlock(t *testing.T) {
	tests := []struct {
		in      string
		want    []netip.Prefix
		wantErr bool
	}{
		{in: ""},
		{in: "  "},
		{in: "192.168.1.7/24", want: []netip.Prefix{netip.MustParsePrefix("192.168.1.7/24")}},
		{in: " 2001:db8::/64 , 10.0.0.0/8", want: []netip.Prefix{netip.MustParsePrefix("2001:db8::/64"), netip.MustParsePrefix("10.0.0.0/8")}},
		{in: "10.0.0.0/8,", wantErr: true},
		{in: "10.0.0.1", wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseAlwaysBlock(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseAlwaysBlock(%q) error = %v, want error %t", tc.in, err, tc.wantErr)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
			t.Errorf("ParseAlwaysBlock(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestNodeSelector(t *testing.T) {
	node := map[string]string{"kubernetes.io/hostname": "node1", "rack": "r1"}
	cases := []struct {
		name          string
		sel           metav1.LabelSelector
		matches, all  bool
		key, value    string
		labelRequired bool
		invalid       bool
	}{
		{name: "empty", matches: true, all: true},
		{name: "one label", sel: metav1.LabelSelector{MatchLabels: map[string]string{"rack": "r1"}},
			matches: true, key: "rack", value: "r1", labelRequired: true},
		{name: "two labels, smallest key indexed", sel: metav1.LabelSelector{MatchLabels: map[string]string{"rack": "r1", "kubernetes.io/hostname": "node2"}},
			key: "kubernetes.io/hostname", value: "node2", labelRequired: true},
		{name: "label and expression", sel: metav1.LabelSelector{MatchLabels: map[string]string{"rack": "r1"},
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "zone", Operator: metav1.LabelSelectorOpExists}}},
			key: "rack", value: "r1", labelRequired: true},
		{name: "expression only", sel: metav1.LabelSelector{
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "rack", Operator: metav1.LabelSelectorOpIn, Values: []string{"r1", "r2"}}}},
			matches: true},
		{name: "invalid", sel: metav1.LabelSelector{
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "rack", Operator: "Bad"}}}, invalid: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := ParseNodeSelector(&tc.sel)
			if (s.Err() != nil) != tc.invalid {
				t.Fatalf("Err() = %v, want invalid %t", s.Err(), tc.invalid)
			}
			if got := s.Matches(node); got != tc.matches {
				t.Errorf("Matches = %t, want %t", got, tc.matches)
			}
			if got := s.SelectsAll(); got != tc.all {
				t.Errorf("SelectsAll = %t, want %t", got, tc.all)
			}
			key, value, ok := s.RequiredLabel()
			if ok != tc.labelRequired || (ok && (key != tc.key || value != tc.value)) {
				t.Errorf("RequiredLabel = %q, %q, %t; want %q, %q, %t", key, value, ok, tc.key, tc.value, tc.labelRequired)
			}
		})
	}
}
