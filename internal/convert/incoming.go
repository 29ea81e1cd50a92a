package convert

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/ipfamily"
)

// convertIncoming fills what is accepted from the neighbor (merge.md §6):
// everything for mode all, else one selector per prefix in the list of its
// own family, keyed and ordered as the self-merge leaves them.
func convertIncoming(nb *neighbor, recv *v1beta1.Receive) error {
	if recv.Allowed.Mode == v1beta1.AllowAll {
		nb.Incoming.All = true
		return nil
	}
	sels := make([]selector, 0, len(recv.Allowed.Prefixes))
	for _, s := range recv.Allowed.Prefixes {
		f, err := filterForSelector(s)
		if err != nil {
			return err
		}
		sels = append(sels, selector{IncomingFilter: f})
	}
	// Upstream sorts the selectors before its self-merge collapses equal
	// keys; the order decides which of two colliding selectors survives.
	// The IPv4 ones come first.
	slices.SortFunc(sels, func(a, b selector) int { return compareFilters(a.IncomingFilter, b.IncomingFilter) })
	for i := range sels {
		sels[i].key = selectorKey(sels[i].IncomingFilter)
	}
	v6 := slices.IndexFunc(sels, func(s selector) bool { return s.Family != string(ipfamily.IPv4) })
	if v6 < 0 {
		v6 = len(sels)
	}
	// The IPv4 list is capped so that merging into it never writes over
	// the IPv6 one.
	nb.inV4 = collapseSelectors(sels[:v6:v6])
	nb.inV6 = collapseSelectors(sels[v6:])
	return nil
}

// filterForSelector checks a receive selector and builds its filter.
func filterForSelector(s v1beta1.PrefixSelector) (frr.IncomingFilter, error) {
	prefix, err := ipfamily.ParseCIDR(s.Prefix)
	if err != nil {
		return frr.IncomingFilter{}, fmt.Errorf("failed to parse prefix %s: %w", s.Prefix, err)
	}
	if err := checkSelectorLengths(uint32(prefix.Bits()), s.LE, s.GE); err != nil {
		return frr.IncomingFilter{}, err
	}
	return frr.IncomingFilter{
		Family: string(ipfamily.ForPrefix(prefix)),
		Prefix: s.Prefix,
		LE:     s.LE,
		GE:     s.GE,
	}, nil
}

// checkSelectorLengths requires mask <= ge <= le for the bounds that are set.
func checkSelectorLengths(mask, le, ge uint32) error {
	switch {
	case le > 0 && ge > le:
		return fmt.Errorf("invalid selector lengths: ge %d is bigger than le %d", ge, le)
	case le > 0 && mask > le:
		return fmt.Errorf("invalid selector lengths: cidr mask %d is bigger than le %d", mask, le)
	case ge > 0 && mask > ge:
		return fmt.Errorf("invalid selector lengths: cidr mask %d is bigger than ge %d", mask, ge)
	}
	return nil
}

// compareFilters orders filters by family, prefix, le then ge.
func compareFilters(a, b frr.IncomingFilter) int {
	return cmp.Or(strings.Compare(a.Family, b.Family), strings.Compare(a.Prefix, b.Prefix),
		cmp.Compare(a.LE, b.LE), cmp.Compare(a.GE, b.GE))
}

// selectorKey is upstream's merge key: prefix, le and ge run together.
func selectorKey(f frr.IncomingFilter) string {
	return f.Prefix + strconv.FormatUint(uint64(f.LE), 10) + strconv.FormatUint(uint64(f.GE), 10)
}

// collapseSelectors sorts selectors by key; of equal keys the later survives.
func collapseSelectors(sels []selector) []selector {
	slices.SortStableFunc(sels, compareSelectorKeys)
	res := sels[:0]
	for i, s := range sels {
		if i+1 < len(sels) && sels[i+1].key == s.key {
			continue
		}
		res = append(res, s)
	}
	return res
}

// mergeSelectors merges the key-sorted selectors of b into the key-sorted
// list a, which belongs to the caller's neighbor and is updated in place;
// on equal keys the selector of b wins.
func mergeSelectors(a, b []selector) []selector {
	return mergeSortedInPlace(a, b, compareSelectorKeys, true)
}

// compareSelectorKeys orders selectors by key.
func compareSelectorKeys(a, b selector) int { return strings.Compare(a.key, b.key) }
