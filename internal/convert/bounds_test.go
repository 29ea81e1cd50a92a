package convert

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// boundsConfig is a config of one router in VRF "red" with prefixes
// 10.<i/256>.<i%256>.0/24 and neighbors 192.168.<j/256>.<j%256>, each
// advertising in the given mode.
func boundsConfig(name string, prefixes, neighbors int, mode v1beta1.AllowMode) v1beta1.FRRConfiguration {
	r := v1beta1.Router{ASN: 64512, VRF: "red"}
	for i := range prefixes {
		r.Prefixes = append(r.Prefixes, fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256))
	}
	for j := range neighbors {
		n := v1beta1.Neighbor{ASN: 64513, Address: fmt.Sprintf("192.168.%d.%d", j/256, j%256)}
		n.ToAdvertise.Allowed.Mode = mode
		r.Neighbors = append(r.Neighbors, n)
	}
	cfg := v1beta1.FRRConfiguration{}
	cfg.Namespace, cfg.Name = "frr-k8s-system", name
	cfg.Spec.BGP.Routers = []v1beta1.Router{r}
	return cfg
}

func TestBoundsRefused(t *testing.T) {
	tooManyPrefixes := boundsConfig("a", MaxPrefixesPerRouter+1, 0, "")
	tooManySelectors := boundsConfig("a", 0, 1, "")
	for range MaxSelectorsPerNeighbor + 1 {
		tooManySelectors.Spec.BGP.Routers[0].Neighbors[0].ToReceive.Allowed.Prefixes = append(
			tooManySelectors.Spec.BGP.Routers[0].Neighbors[0].ToReceive.Allowed.Prefixes, v1beta1.PrefixSelector{Prefix: "10.0.0.0/8"})
	}
	tests := []struct {
		name    string
		configs []v1beta1.FRRConfiguration
		want    string
	}{
		{"prefixes per router", []v1beta1.FRRConfiguration{tooManyPrefixes},
			"router 64512-red has 50001 prefixes, over the limit of 50000 prefixes per router (FRRConfiguration frr-k8s-system/a)"},
		{"neighbors per router", []v1beta1.FRRConfiguration{boundsConfig("a", 0, MaxNeighborsPerRouter+1, "")},
			"router 64512-red has 5001 neighbors, over the limit of 5000 neighbors per router (FRRConfiguration frr-k8s-system/a)"},
		{"selectors per neighbor", []v1beta1.FRRConfiguration{tooManySelectors},
			"neighbor 64513@192.168.0.0 of router 64512-red has 50001 toReceive prefixes, over the limit of 50000 per neighbor (FRRConfiguration frr-k8s-system/a)"},
		{"mode all multiplies", []v1beta1.FRRConfiguration{boundsConfig("a", 1000, 501, v1beta1.AllowAll)},
			"router 64512-red renders more than the limit of 500000 rendered filter entries per configuration"},
		{"node total", []v1beta1.FRRConfiguration{
			boundsConfig("a", 1000, 200, v1beta1.AllowAll), boundsConfig("b", 1000, 200, v1beta1.AllowAll), boundsConfig("c", 1000, 200, v1beta1.AllowAll)},
			"the configurations selected for the node exceed the limit of 500000 rendered filter entries per node (603000 with this one) (FRRConfiguration frr-k8s-system/c)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Convert(Input{Configs: tc.configs})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestBoundsCheckedBeforeAllocating is the review's amplification: 1,000
// neighbors in mode all over 15,000 prefixes would render 15 million
// prefix-list entries. It is refused before the conversion allocates.
func TestBoundsCheckedBeforeAllocating(t *testing.T) {
	cfg := boundsConfig("a", 15000, 1000, v1beta1.AllowAll)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Convert(Input{Configs: []v1beta1.FRRConfiguration{cfg}})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "limit of 500000 rendered filter entries") {
		t.Fatalf("error %v, want the filter entries limit", err)
	}
	grew := after.TotalAlloc - before.TotalAlloc
	if grew > 1<<20 {
		t.Errorf("refusing the config allocated %d bytes, want under 1 MiB", grew)
	}
	t.Logf("refused after allocating %d bytes", grew)
}

func TestBoundsAtTheLimitAccepted(t *testing.T) {
	cfg := boundsConfig("a", MaxPrefixesPerRouter, 2, v1beta1.AllowAll)
	if _, err := Convert(Input{Configs: []v1beta1.FRRConfiguration{cfg}}); err != nil {
		t.Fatalf("50000 prefixes to two neighbors refused: %v", err)
	}
}

// TestConversionResultStaysSmall: one bad prefix among 50,000 used to make
// a 750 KB lastConversionResult.
func TestConversionResultStaysSmall(t *testing.T) {
	cfg := boundsConfig("a", 49_999, 1, "")
	n := &cfg.Spec.BGP.Routers[0].Neighbors[0]
	n.ToAdvertise.Allowed.Prefixes = append(append([]string{}, cfg.Spec.BGP.Routers[0].Prefixes...), "2001:db8::/64")
	_, err := Convert(Input{Configs: []v1beta1.FRRConfiguration{cfg}})
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	if len(msg) > 1024 || !strings.HasSuffix(msg, " (FRRConfiguration frr-k8s-system/a)") || !strings.Contains(msg, "... and 49995 more]") {
		t.Errorf("error of %d bytes: %q", len(msg), msg)
	}
}

func TestShortMessageKeepsTail(t *testing.T) {
	long := strings.Repeat("é", 5000) + " the end"
	got := shortMessage(long)
	if len(got) > maxMessage+64 || !strings.HasSuffix(got, " the end") || !strings.Contains(got, "bytes cut") {
		t.Errorf("shortMessage: %d bytes, %q...", len(got), got[:40])
	}
	if got := shortList([]string{"a", "b"}); got != "[a b]" {
		t.Errorf("shortList = %q", got)
	}
}
