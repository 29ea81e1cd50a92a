package convert

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frrk8s/frrk8s/internal/frr"
)

// randomSelectors returns up to max selectors with keys drawn from a small
// range, sorted by key and unique, each tagged with owner.
func randomSelectors(rng *rand.Rand, max int, owner string) []selector {
	byKey := map[string]selector{}
	for range rng.IntN(max + 1) {
		key := strconv.Itoa(rng.IntN(2 * max))
		byKey[key] = selector{key: key, IncomingFilter: frr.IncomingFilter{Prefix: owner + key}}
	}
	res := make([]selector, 0, len(byKey))
	for _, s := range byKey {
		res = append(res, s)
	}
	slices.SortFunc(res, func(a, b selector) int { return strings.Compare(a.key, b.key) })
	return res
}

// plainMergeSelectors is the reference union: every key of a and b, sorted,
// the selector of b winning on equal keys.
func plainMergeSelectors(a, b []selector) []selector {
	byKey := map[string]selector{}
	for _, s := range slices.Concat(a, b) {
		byKey[s.key] = s
	}
	res := make([]selector, 0, len(byKey))
	for _, s := range byKey {
		res = append(res, s)
	}
	slices.SortFunc(res, func(a, b selector) int { return strings.Compare(a.key, b.key) })
	return res
}

func TestMergeSelectorsMatchesPlainUnion(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		a := randomSelectors(rng, 8, "a")
		b := randomSelectors(rng, 8, "b")
		want := plainMergeSelectors(a, b)
		bBefore := slices.Clone(b)
		acc := slices.Grow(slices.Clone(a), rng.IntN(8)) // spare capacity is reused
		got := mergeSelectors(acc, b)
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(selector{})); diff != "" {
			t.Fatalf("mergeSelectors(%v, %v) (-want +got):\n%s", a, b, diff)
		}
		if diff := cmp.Diff(bBefore, b, cmp.AllowUnexported(selector{})); diff != "" {
			t.Fatalf("mergeSelectors modified b (-before +after):\n%s", diff)
		}
	}
}

func TestHasRepeatedIDs(t *testing.T) {
	neighbors := func(ids ...int) []*neighbor {
		var res []*neighbor
		for _, id := range ids {
			res = append(res, &neighbor{id: strconv.Itoa(id)})
		}
		return res
	}
	count := func(n int) []int {
		var res []int
		for i := range n {
			res = append(res, i)
		}
		return res
	}
	tests := []struct {
		name string
		ids  []int
		want bool
	}{
		{name: "none", want: false},
		{name: "one", ids: []int{1}, want: false},
		{name: "few distinct", ids: []int{3, 1, 2}, want: false},
		{name: "few repeated", ids: []int{3, 1, 3}, want: true},
		{name: "many distinct", ids: count(smallNeighborCount + 5), want: false},
		{name: "many repeated", ids: append(count(smallNeighborCount+5), smallNeighborCount+2), want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := hasRepeatedIDs(neighbors(tc.ids...)); got != tc.want {
				t.Fatalf("hasRepeatedIDs(%v) = %t, want %t", tc.ids, got, tc.want)
			}
		})
	}
}

func TestMergeSortedInPlaceKeepsAOnEqualWithoutPreferB(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		a := randomSelectors(rng, 8, "a")
		b := randomSelectors(rng, 8, "b")
		// The reference keeps a's selector: merge b first, then a over it.
		want := plainMergeSelectors(b, a)
		acc := slices.Grow(slices.Clone(a), rng.IntN(8))
		got := mergeSortedInPlace(acc, b, compareSelectorKeys, false)
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(selector{})); diff != "" {
			t.Fatalf("mergeSortedInPlace(%v, %v, false) (-want +got):\n%s", a, b, diff)
		}
	}
}

// The IPv4 and IPv6 selectors of a neighbor are converted into one array;
// merging IPv4 ones must not write over the IPv6 ones.
func TestMergeReceivedSelectorsOfBothFamilies(t *testing.T) {
	objects := decodeObjects(t,
		cfgYAML("a", neighborSpec("", "asn: 65001", "toReceive: {allowed: {prefixes: [{prefix: \"2001:db8:1::/48\"}, {prefix: 10.1.0.0/16}, {prefix: \"2001:db8:2::/48\"}]}}")),
		cfgYAML("b", neighborSpec("", "asn: 65001", "toReceive: {allowed: {prefixes: [{prefix: 10.2.0.0/16}, {prefix: 10.0.0.0/16}]}}")),
	)
	got, err := objects.convert()
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	want := frr.AllowedIn{
		PrefixesV4: []frr.IncomingFilter{
			sel(frr.FamilyIPv4, "10.0.0.0/16", 0, 0), sel(frr.FamilyIPv4, "10.1.0.0/16", 0, 0),
			sel(frr.FamilyIPv4, "10.2.0.0/16", 0, 0),
		},
		PrefixesV6: []frr.IncomingFilter{sel(frr.FamilyIPv6, "2001:db8:1::/48", 0, 0), sel(frr.FamilyIPv6, "2001:db8:2::/48", 0, 0)},
	}
	if diff := cmp.Diff(want, got.Routers[0].Neighbors[0].Incoming); diff != "" {
		t.Fatalf("incoming mismatch (-want +got):\n%s", diff)
	}
}
