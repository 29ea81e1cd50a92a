package webhooks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
)

// naiveDenial is upstream's algorithm without any of the Validator's
// shortcuts: every selected node in name order, every other config tried
// against it, one conversion per node.
func naiveDenial(cfg *v1beta1.FRRConfiguration, nodes []Node, existing []*v1beta1.FRRConfiguration) error {
	sorted := slices.Clone(nodes)
	slices.SortFunc(sorted, func(a, b Node) int { return strings.Compare(a.Name, b.Name) })
	for _, n := range sorted {
		if ok, _ := convert.MatchesNode(cfg, n.Labels); !ok {
			continue
		}
		var set []v1beta1.FRRConfiguration
		for _, c := range existing {
			if c.Name == cfg.Name {
				continue
			}
			if ok, err := convert.MatchesNode(c, n.Labels); err == nil && ok {
				set = append(set, *c)
			}
		}
		set = append(set, *cfg)
		if _, err := convert.Convert(convert.Input{Configs: set, Secrets: convert.SecretsNotRead()}); err != nil {
			return errors.Join(err, errors.New("resource is invalid for node "+n.Name))
		}
	}
	return nil
}

// randomScenario builds nodes over few label values and configs drawing
// their selector and content from small pools, so sets repeat, contents
// repeat under other names, and conflicts happen.
func randomScenario(r *rand.Rand, scenario int) ([]Node, []*v1beta1.FRRConfiguration, *v1beta1.FRRConfiguration) {
	var nodes []Node
	for i := range 3 + r.IntN(15) {
		name := fmt.Sprintf("node-%02d", i)
		nodes = append(nodes, Node{Name: name, Labels: map[string]string{
			"kubernetes.io/hostname": name,
			"zone":                   fmt.Sprintf("z%d", r.IntN(3)),
			"rack":                   fmt.Sprintf("r%d", r.IntN(4)),
		}})
	}
	selector := func() metav1.LabelSelector {
		switch r.IntN(6) {
		case 0:
			return metav1.LabelSelector{}
		case 1:
			return metav1.LabelSelector{MatchLabels: map[string]string{"zone": fmt.Sprintf("z%d", r.IntN(3))}}
		case 2:
			return metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/hostname": nodes[r.IntN(len(nodes))].Name}}
		case 3:
			return metav1.LabelSelector{MatchLabels: map[string]string{"zone": fmt.Sprintf("z%d", r.IntN(3)), "rack": fmt.Sprintf("r%d", r.IntN(4))}}
		case 4:
			return metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "rack", Operator: metav1.LabelSelectorOpIn, Values: []string{fmt.Sprintf("r%d", r.IntN(4)), fmt.Sprintf("r%d", r.IntN(4))}},
			}}
		default:
			return metav1.LabelSelector{MatchLabels: map[string]string{"rack": fmt.Sprintf("r%d", r.IntN(4))}, MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "zone", Operator: metav1.LabelSelectorOpNotIn, Values: []string{fmt.Sprintf("z%d", r.IntN(3))}},
			}}
		}
	}
	spec := func() v1beta1.BGPConfig {
		n := v1beta1.Neighbor{ASN: 65001, Address: fmt.Sprintf("192.0.2.%d", 1+r.IntN(3))}
		if r.IntN(4) == 0 {
			n.Port = ptr.To(uint16(1179 + r.IntN(2)))
		}
		if r.IntN(5) == 0 {
			n.EnableGracefulRestart = true
		}
		router := v1beta1.Router{ASN: 65000, Neighbors: []v1beta1.Neighbor{n}}
		if r.IntN(6) == 0 {
			router.ID = fmt.Sprintf("10.0.0.%d", 1+r.IntN(2))
		}
		return v1beta1.BGPConfig{Routers: []v1beta1.Router{router}}
	}
	names := []string{"a", "b", "m", "metallb", "peers", "z"}
	newConfig := func(i int) *v1beta1.FRRConfiguration {
		return &v1beta1.FRRConfiguration{
			ObjectMeta: metav1.ObjectMeta{
				Name:      fmt.Sprintf("%s-%d", names[r.IntN(len(names))], i),
				Namespace: []string{"frr-k8s-system", "other"}[r.IntN(2)],
				UID:       types.UID(fmt.Sprintf("uid-%d-%d", scenario, i)), ResourceVersion: "1",
			},
			Spec: v1beta1.FRRConfigurationSpec{NodeSelector: selector(), BGP: spec()},
		}
	}
	var existing []*v1beta1.FRRConfiguration
	for i := range r.IntN(25) {
		existing = append(existing, newConfig(i))
	}
	cfg := newConfig(1000)
	cfg.UID, cfg.ResourceVersion = "", ""
	if len(existing) > 0 && r.IntN(4) == 0 {
		cfg.Name = existing[r.IntN(len(existing))].Name // an update
	}
	return nodes, existing, cfg
}

// TestValidatorMatchesUpstreamAlgorithm compares the Validator, with its
// index, groups, content classes and workers, to the plain algorithm on
// random clusters. One Validator serves every scenario, as one serves
// every admission; UIDs are unique, as in a cluster.
func TestValidatorMatchesUpstreamAlgorithm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	v := NewValidator()
	v.workers = 3
	denied := 0
	for i := range 1000 {
		nodes, existing, cfg := randomScenario(r, i)
		want := ""
		if err := naiveDenial(cfg, nodes, existing); err != nil {
			want = err.Error()
			denied++
		}
		got := ""
		if _, err := v.Validate(cfg, nodes, existing); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Fatalf("scenario %d: got %q, want %q", i, got, want)
		}
	}
	if denied < 100 || denied > 900 {
		t.Errorf("%d of 1000 scenarios denied: the scenarios do not exercise both outcomes", denied)
	}
}
