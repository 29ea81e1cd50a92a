package webhooks

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
)

// groupingNodes are twelve nodes over two zones and three racks.
func groupingNodes() []Node {
	var nodes []Node
	for i := range 12 {
		name := fmt.Sprintf("node-%02d", i)
		nodes = append(nodes, Node{Name: name, Labels: map[string]string{
			"kubernetes.io/hostname": name,
			"zone":                   []string{"a", "b"}[i%2],
			"rack":                   fmt.Sprintf("r%d", i%3),
		}})
	}
	return nodes
}

// selectorCandidates are configs with every kind of selector.
func selectorCandidates(t *testing.T) []candidate {
	selectors := []string{
		"{}",
		"{matchLabels: {zone: a}}",
		"{matchLabels: {zone: b, rack: r1}}",
		"{matchLabels: {kubernetes.io/hostname: node-04}}",
		"{matchLabels: {kubernetes.io/hostname: node-05, zone: a}}",
		"{matchExpressions: [{key: rack, operator: In, values: [r0, r2]}]}",
		"{matchExpressions: [{key: rack, operator: DoesNotExist}]}",
		"{matchLabels: {rack: r2}, matchExpressions: [{key: zone, operator: NotIn, values: [a]}]}",
		"{matchLabels: {rack: r9}}",
	}
	var res []candidate
	v := NewValidator()
	for i, s := range selectors {
		c := cfg(t, fmt.Sprintf("c%d", i), "nodeSelector: "+s+"\n")
		res = append(res, candidate{cfg: c, info: &configInfo{matcher: v.selectors.forSelector(&c.Spec.NodeSelector)}})
	}
	return res
}

func TestIndexFindsWhatScanningFinds(t *testing.T) {
	cands := selectorCandidates(t)
	scan := scanSet(cands)
	idx := newConfigIndex(cands)
	for _, n := range groupingNodes() {
		if diff := cmp.Diff(scan(nil, n.Labels), idx.appendSet(nil, n.Labels)); diff != "" {
			t.Errorf("node %s: index and scan disagree (-scan +index):\n%s", n.Name, diff)
		}
	}
}

func TestGroupNodes(t *testing.T) {
	cands := selectorCandidates(t)
	nodes := groupingNodes()
	tests := []struct {
		name  string
		nodes []Node
		want  []string
	}{
		{
			name:  "scanning",
			nodes: nodes[:linearScanLimit],
			want:  []string{"node-00 [0 1 5]", "node-01 [0 2]", "node-03 [0 5]"},
		},
		{
			name:  "indexed",
			nodes: nodes,
			want:  []string{"node-00 [0 1 5]", "node-01 [0 2]", "node-03 [0 5]", "node-04 [0 1 3]", "node-05 [0 5 7]", "node-10 [0 1]"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, g := range groupNodes(tc.nodes, cands) {
				got = append(got, fmt.Sprintf("%s %v", g.node, g.members))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
		})
	}
}

// perNodeConflicts are configs selecting one node each, conflicting with a
// config selecting every node on the nodes listed.
func perNodeConflicts(t *testing.T, nodes []Node, conflicting ...string) []*v1beta1.FRRConfiguration {
	var res []*v1beta1.FRRConfiguration
	for i, n := range nodes {
		extra := ""
		for _, c := range conflicting {
			if c == n.Name {
				extra = "port: 1179"
			}
		}
		c := cfg(t, "metallb-"+n.Name, neighborSpec("{matchLabels: {kubernetes.io/hostname: "+n.Name+"}}", "192.0.2.1", extra))
		c.UID = types.UID(fmt.Sprintf("uid-%d", i))
		c.ResourceVersion = "1"
		res = append(res, c)
	}
	return res
}

func TestParallelGroupsReportTheFirstFailure(t *testing.T) {
	nodes := groupingNodes()
	existing := perNodeConflicts(t, nodes, "node-09", "node-03", "node-11")
	newCfg := cfg(t, "all", neighborSpec("", "192.0.2.1", ""))
	want := onNode(conflict("multiple ports specified for 192.0.2.1", "port", "unset (default 179)", "all", "1179", "metallb-node-03"), "node-03")
	for _, workers := range []int{1, 2, 5, 16} {
		v := NewValidator()
		v.workers = workers
		for range 3 {
			_, err := v.Validate(newCfg, nodes, existing)
			if err == nil || err.Error() != want {
				t.Fatalf("%d workers: got %v, want %q", workers, err, want)
			}
		}
	}
}

func TestSelectorKeysAreDistinct(t *testing.T) {
	// Printed naively, both would be map[a:b c:d].
	one := &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b c:d"}}
	two := &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b", "c": "d"}}
	if selectorKey(one) == selectorKey(two) {
		t.Fatalf("two selectors share the key %q", selectorKey(one))
	}
	v := NewValidator()
	if m := v.selectors.forSelector(two); m.err != nil {
		t.Fatalf("valid selector: %v", m.err)
	}
	if m := v.selectors.forSelector(one); m.err == nil {
		t.Fatal("the invalid selector was given the valid one's parse")
	}
}

func TestSelectorMemo(t *testing.T) {
	s := newSelectors()
	a := cfg(t, "a", "nodeSelector: {matchLabels: {zone: a}}\n")
	a.UID, a.ResourceVersion = "uid-a", "1"
	b := cfg(t, "b", "nodeSelector: {matchLabels: {zone: b}}\n")
	b.UID, b.ResourceVersion = "uid-b", "1"

	first := s.forConfigs([]*v1beta1.FRRConfiguration{a, b})
	if got := s.forConfigs([]*v1beta1.FRRConfiguration{a, b}); got[0] != first[0] || got[1] != first[1] {
		t.Error("unchanged configs were parsed again")
	}
	updated := a.DeepCopy()
	updated.ResourceVersion = "2"
	updated.Spec.NodeSelector.MatchLabels["zone"] = "c"
	got := s.forConfigs([]*v1beta1.FRRConfiguration{updated, b})
	if got[0] == first[0] || !got[0].matcher.matches(map[string]string{"zone": "c"}) {
		t.Error("a new resourceVersion did not get its own matcher")
	}
	s.forConfigs([]*v1beta1.FRRConfiguration{updated})
	s.forConfigs([]*v1beta1.FRRConfiguration{updated})
	if _, found := s.memo["uid-b"]; found {
		t.Error("the entry of a deleted config was kept")
	}
	if len(s.memo) != 1 {
		t.Errorf("memo holds %d entries, want 1", len(s.memo))
	}
}

// countingValidator counts the conversions of a sequential Validator.
func countingValidator() (*Validator, *int) {
	v := NewValidator()
	v.workers = 1
	calls := 0
	v.convert = func(in convert.Input) error {
		calls++
		return convertOnly(in)
	}
	return v, &calls
}

func TestConversionsPerAdmission(t *testing.T) {
	nodes := groupingNodes()
	renamed := func(configs []*v1beta1.FRRConfiguration, rename func(i int) string) []*v1beta1.FRRConfiguration {
		for i, c := range configs {
			c.Name = rename(i)
		}
		return configs
	}
	distinct := perNodeConflicts(t, nodes)
	for i, c := range distinct {
		c.Spec.BGP.Routers[0].Prefixes = append(c.Spec.BGP.Routers[0].Prefixes, fmt.Sprintf("198.51.100.%d/32", i))
	}
	tests := []struct {
		name     string
		existing []*v1beta1.FRRConfiguration
		want     int
		wantErr  string
	}{
		{
			name:     "per-node configs differing by name only",
			existing: perNodeConflicts(t, nodes),
			want:     1,
		},
		{
			name:     "two kinds of per-node configs, the second denied on its first node",
			existing: perNodeConflicts(t, nodes, "node-09", "node-03", "node-11"),
			want:     2,
			wantErr:  onNode(conflict("multiple ports specified for 192.0.2.1", "port", "unset (default 179)", "all", "1179", "metallb-node-03"), "node-03"),
		},
		{
			name: "the same contents sorted on both sides of the new config",
			existing: renamed(perNodeConflicts(t, nodes), func(i int) string {
				return []string{"a-", "z-"}[i%2] + nodes[i].Name
			}),
			want: 2,
		},
		{
			name:     "per-node configs with distinct contents",
			existing: distinct,
			want:     len(nodes),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, calls := countingValidator()
			_, err := v.Validate(cfg(t, "all", neighborSpec("", "192.0.2.1", "")), nodes, tc.existing)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.wantErr {
				t.Errorf("got error %q, want %q", gotErr, tc.wantErr)
			}
			if *calls != tc.want {
				t.Errorf("%d conversions, want %d", *calls, tc.want)
			}
		})
	}
}
