package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

func TestConfigSelectorIndexValue(t *testing.T) {
	tests := []struct {
		name     string
		selector metav1.LabelSelector
		want     []string
	}{
		{name: "empty selector", want: []string{"*"}},
		{name: "hostname", selector: metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/hostname": "node-1"}},
			want: []string{"kubernetes.io/hostname=node-1"}},
		{name: "smallest key of several", selector: metav1.LabelSelector{MatchLabels: map[string]string{"zone": "a", "rack": "r1"}},
			want: []string{"rack=r1"}},
		{name: "expressions only", selector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "zone", Operator: metav1.LabelSelectorOpIn, Values: []string{"a"}}}}, want: []string{"*"}},
		{name: "labels and expressions", selector: metav1.LabelSelector{MatchLabels: map[string]string{"rack": "r1"},
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "zone", Operator: metav1.LabelSelectorOpExists}}},
			want: []string{"rack=r1"}},
		{name: "unparsable selector reaches every node", selector: metav1.LabelSelector{MatchLabels: map[string]string{"rack": "r1"},
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "zone", Operator: "Bogus"}}}, want: []string{"*"}},
		{name: "invalid label value reaches every node", selector: metav1.LabelSelector{MatchLabels: map[string]string{"rack": "not valid!"}},
			want: []string{"*"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &v1beta1.FRRConfiguration{Spec: v1beta1.FRRConfigurationSpec{NodeSelector: tc.selector}}
			if diff := cmp.Diff(tc.want, ConfigSelectorIndexValue(cfg)); diff != "" {
				t.Errorf("index value (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFRRConfigurationReconcileIndexedCandidates checks that configs of
// other nodes are not candidates while the node's own, label-selected and
// unselective ones are.
func TestFRRConfigurationReconcileIndexedCandidates(t *testing.T) {
	own := routerConfig("metallb-"+daemonNode, 64512, map[string]string{"kubernetes.io/hostname": daemonNode})
	other := routerConfig("metallb-other", 64512, map[string]string{"kubernetes.io/hostname": "other"})
	all := routerConfig("all", 64512, nil)
	f := newDaemonFixture(t, interceptor.Funcs{}, daemonNodeObject(map[string]string{"kubernetes.io/hostname": daemonNode}), own, other, all)
	in, err := f.reconciler.gatherConfigs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range in.candidates {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"all", "metallb-" + daemonNode}, names, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("candidates (-want +got):\n%s", diff)
	}
}
