package convert

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
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

func TestSelectorCache(t *testing.T) {
	cache, err := NewSelectorCache(10)
	if err != nil {
		t.Fatal(err)
	}
	objects := decodeObjects(t,
		cfgYAML("node1", "nodeSelector:\n  matchLabels: {kubernetes.io/hostname: node1}\n"),
		cfgYAML("bad", "nodeSelector:\n  matchExpressions: [{key: rack, operator: Bad}]\n"),
	)
	good, bad := &objects.configs[0], &objects.configs[1]
	good.ResourceVersion, bad.ResourceVersion = "7", "7"
	for range 2 {
		if matches, err := cache.Matches(good, testNodeLabels); err != nil || !matches {
			t.Fatalf("Matches(node1) = %t, %v", matches, err)
		}
		if _, err := cache.Matches(bad, testNodeLabels); err == nil {
			t.Fatal("Matches(bad) gave no error")
		}
	}
	if cache.entries.Len() != 2 {
		t.Fatalf("cache holds %d entries, want 2", cache.entries.Len())
	}
	// A new version of a config is parsed again.
	good.ResourceVersion = "8"
	good.Spec.NodeSelector.MatchLabels["kubernetes.io/hostname"] = "node2"
	if matches, err := cache.Matches(good, testNodeLabels); err != nil || matches {
		t.Fatalf("Matches(node1 v8) = %t, %v; want no match", matches, err)
	}
	// Configs built offline have no resourceVersion and are not cached.
	good.ResourceVersion = ""
	if _, err := cache.Matches(good, testNodeLabels); err != nil || cache.entries.Len() != 3 {
		t.Fatalf("offline config: err %v, %d entries", err, cache.entries.Len())
	}
	selected, err := cache.Select(objects.configs[:1], testNodeLabels)
	if err != nil || len(selected) != 0 {
		t.Fatalf("Select = %v, %v; want none", names(selected), err)
	}
}
