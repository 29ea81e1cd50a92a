// Package confdiff finds out whether the change between two frr.conf texts
// can be applied incrementally, and how: it is the pure part of the
// reloader's fast path.
//
// A change is incremental when the two texts differ only in prefix-list
// entry lines (`ip|ipv6 prefix-list NAME seq N permit|deny any|PREFIX [ge N]
// [le N]`, at the top level) and in `network PREFIX` lines inside
// `router bgp …` / `address-family ipv4|ipv6 unicast`. Everything else
// (whitespace, blank lines and address-family blocks left empty by removed
// network lines aside) must be identical, in the same order. Any line the
// parser does not recognise exactly stays part of that "skeleton", so an
// unusual line makes the change a full one rather than risk a wrong
// incremental one.
package confdiff

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ListKey names one prefix-list: FRR keeps IPv4 and IPv6 lists of the same
// name apart.
type ListKey struct {
	// Family is "ip" or "ipv6", the command's first word.
	Family string
	// Name is the list name.
	Name string
}

func (k ListKey) String() string { return k.Family + " prefix-list " + k.Name }

// AFKey names one BGP address family of one router.
type AFKey struct {
	// Router is the router line with its words separated by single spaces,
	// for example "router bgp 64512 vrf red".
	Router string
	// AF is "ipv4 unicast" or "ipv6 unicast".
	AF string
}

func (k AFKey) String() string { return k.Router + " address-family " + k.AF }

// Config is the part of a configuration text this package compares.
type Config struct {
	// Lists maps every prefix-list to its entries: seq to rule, the rule
	// being the canonical text after the number ("permit 10.0.0.0/8 le 32").
	Lists map[ListKey]map[uint32]string
	// Networks maps every unicast address family to its network prefixes.
	Networks map[AFKey]map[netip.Prefix]bool
	// Skeleton is every other line, whitespace collapsed, blank lines and
	// address-family blocks left empty dropped, in order.
	Skeleton []string
}

// unicastAFs are the address families whose network lines are classified,
// mapped to whether their prefixes are IPv4.
var unicastAFs = map[string]bool{"ipv4 unicast": true, "ipv6 unicast": false}

// Parse splits a configuration text (an frr.conf or FRR's running
// configuration) into prefix-list entries, network lines and the rest.
func Parse(text string) Config {
	c := Config{
		Lists:    map[ListKey]map[uint32]string{},
		Networks: map[AFKey]map[netip.Prefix]bool{},
	}
	var (
		router  string // current "router bgp …" line, "" at the top level or in another block
		af      string // current address family inside router, "" outside one
		afStart = -1   // index in Skeleton of the current address-family line
	)
	closeAF := func() {
		if _, unicast := unicastAFs[af]; unicast && afStart == len(c.Skeleton)-1 {
			// Nothing but network lines (or nothing) inside: drop the header.
			c.Skeleton = c.Skeleton[:afStart]
		}
		af, afStart = "", -1
	}
	for raw := range strings.Lines(text) {
		words := strings.Fields(raw)
		if len(words) == 0 {
			continue
		}
		line := strings.Join(words, " ")
		indented := raw[0] == ' ' || raw[0] == '\t'
		if !indented {
			closeAF()
			router = ""
			if k, seq, rule, ok := parseEntry(words); ok {
				if c.Lists[k] == nil {
					c.Lists[k] = map[uint32]string{}
				}
				if _, dup := c.Lists[k][seq]; !dup {
					c.Lists[k][seq] = rule
					continue
				}
				// A second line for the same number: keep it in the skeleton.
			}
			if len(words) >= 3 && words[0] == "router" && words[1] == "bgp" {
				router = line
			}
			c.Skeleton = append(c.Skeleton, line)
			continue
		}
		if router != "" {
			switch {
			case words[0] == "address-family":
				closeAF()
				af = strings.Join(words[1:], " ")
				afStart = len(c.Skeleton)
			case line == "exit-address-family":
				if af != "" {
					closeAF()
					continue
				}
			case line == "exit":
				closeAF()
				c.Skeleton = append(c.Skeleton, line)
				router = ""
				continue
			case words[0] == "network" && len(words) == 2 && af != "":
				if v4, ok := unicastAFs[af]; ok {
					if p, err := netip.ParsePrefix(words[1]); err == nil && p == p.Masked() && p.Addr().Is4() == v4 {
						k := AFKey{Router: router, AF: af}
						if c.Networks[k] == nil {
							c.Networks[k] = map[netip.Prefix]bool{}
						}
						c.Networks[k][p] = true
						continue
					}
				}
			}
		}
		c.Skeleton = append(c.Skeleton, line)
	}
	closeAF()
	return c
}

// parseEntry recognises `ip|ipv6 prefix-list NAME seq N permit|deny
// any|PREFIX [ge N] [le N]` (bounds in either order) with a masked prefix of
// the list's family, and returns the rule in FRR's form.
func parseEntry(words []string) (ListKey, uint32, string, bool) {
	if len(words) < 7 || (words[0] != "ip" && words[0] != "ipv6") || words[1] != "prefix-list" || words[3] != "seq" {
		return ListKey{}, 0, "", false
	}
	seq, err := strconv.ParseUint(words[4], 10, 32)
	if err != nil || seq == 0 || words[4] != strconv.FormatUint(seq, 10) {
		return ListKey{}, 0, "", false
	}
	action := words[5]
	if action != "permit" && action != "deny" {
		return ListKey{}, 0, "", false
	}
	k := ListKey{Family: words[0], Name: words[2]}
	rest := words[6:]
	if rest[0] == "any" {
		if len(rest) != 1 {
			return ListKey{}, 0, "", false
		}
		return k, uint32(seq), action + " any", true
	}
	p, err := netip.ParsePrefix(rest[0])
	if err != nil || p != p.Masked() || p.Addr().Is4() != (k.Family == "ip") {
		return ListKey{}, 0, "", false
	}
	// ge and le may come in either order; FRR shows ge first.
	bounds := map[string]string{}
	for rest = rest[1:]; len(rest) > 0; rest = rest[2:] {
		if len(rest) < 2 || (rest[0] != "ge" && rest[0] != "le") || bounds[rest[0]] != "" {
			return ListKey{}, 0, "", false
		}
		n, err := strconv.Atoi(rest[1])
		if err != nil || n < 0 || n > p.Addr().BitLen() || rest[1] != strconv.Itoa(n) {
			return ListKey{}, 0, "", false
		}
		bounds[rest[0]] = rest[1]
	}
	rule := action + " " + p.String()
	for _, bound := range []string{"ge", "le"} {
		if v := bounds[bound]; v != "" {
			rule += " " + bound + " " + v
		}
	}
	return k, uint32(seq), rule, true
}

// Entry is one prefix-list entry.
type Entry struct {
	List ListKey
	Seq  uint32
	Rule string
}

// Line is the entry's configuration line.
func (e Entry) Line() string {
	return fmt.Sprintf("%s seq %d %s", e.List, e.Seq, e.Rule)
}

// Plan is an incremental change: the commands that turn the old
// configuration into the new one, and what they touch.
type Plan struct {
	// Commands are configuration-mode lines for one vtysh session (a file
	// for `vtysh -f`), in this order: entries that replace one of the same
	// rule under another number (the old one removed first, in the same session, since
	// FRR drops an entry identical to an existing one under another number),
	// other added entries, added network lines, removed network lines,
	// removed entries.
	Commands []string
	// Lists are the prefix-lists the commands change, sorted.
	Lists []ListKey
	// AFs are the address families whose network lines change, sorted.
	AFs []AFKey
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool { return len(p.Commands) == 0 }

// Diff returns the incremental plan from old to new, or ok == false when
// they differ in anything but prefix-list entries and network lines.
func Diff(old, new Config) (plan Plan, ok bool) {
	if !slices.Equal(old.Skeleton, new.Skeleton) {
		return Plan{}, false
	}
	var first, added, removed []string
	for _, k := range sortedKeys(old.Lists, new.Lists, compareLists) {
		o, n := old.Lists[k], new.Lists[k]
		var adds, dels []Entry
		for _, seq := range sortedKeys(o, n, cmp.Compare) {
			or, inOld := o[seq]
			nr, inNew := n[seq]
			if inOld && inNew && or == nr {
				continue
			}
			if inOld {
				dels = append(dels, Entry{List: k, Seq: seq, Rule: or})
			}
			if inNew {
				adds = append(adds, Entry{List: k, Seq: seq, Rule: nr})
			}
		}
		if len(adds) == 0 && len(dels) == 0 {
			continue
		}
		plan.Lists = append(plan.Lists, k)
		done := make([]bool, len(dels))
		for _, a := range adds {
			if slices.ContainsFunc(dels, func(d Entry) bool { return d.Seq == a.Seq }) {
				// A number reused for another rule (upstream's positional
				// numbering when a prefix is inserted): replacing entries in
				// place lost every route of the list at the peer on FRR 8.4
				// (advertise benchmark, 40 of 40 withdrawn), so it takes the
				// full path.
				return Plan{}, false
			}
			conflict := false
			for i, d := range dels {
				if !done[i] && d.Rule == a.Rule {
					first = append(first, "no "+d.Line())
					done[i], conflict = true, true
				}
			}
			if conflict {
				first = append(first, a.Line())
			} else {
				added = append(added, a.Line())
			}
		}
		for i, d := range dels {
			if !done[i] {
				removed = append(removed, "no "+d.Line())
			}
		}
	}
	var netAdds, netDels []string
	for _, k := range sortedKeys(old.Networks, new.Networks, compareAFs) {
		o, n := old.Networks[k], new.Networks[k]
		var adds, dels []string
		for _, p := range sortedKeys(o, n, comparePrefixes) {
			switch {
			case n[p] && !o[p]:
				adds = append(adds, " network "+p.String())
			case o[p] && !n[p]:
				dels = append(dels, " no network "+p.String())
			}
		}
		if len(adds) == 0 && len(dels) == 0 {
			continue
		}
		plan.AFs = append(plan.AFs, k)
		netAdds = append(netAdds, inAF(k, adds)...)
		netDels = append(netDels, inAF(k, dels)...)
	}
	plan.Commands = slices.Concat(first, added, netAdds, netDels, removed)
	return plan, true
}

// inAF wraps address-family commands in their router and address family.
func inAF(k AFKey, cmds []string) []string {
	if len(cmds) == 0 {
		return nil
	}
	out := []string{k.Router, " address-family " + k.AF}
	out = append(out, cmds...)
	return append(out, " exit-address-family", "exit")
}

// Verify compares the prefix-lists and address families plan touches in
// running (FRR's running configuration after the change) with want (the
// configuration that was applied) and describes every difference; nil means
// they match.
func Verify(plan Plan, want, running Config) error {
	var diffs []string
	for _, k := range plan.Lists {
		w, r := want.Lists[k], running.Lists[k]
		for _, seq := range sortedKeys(w, r, cmp.Compare) {
			wr, inWant := w[seq]
			rr, inRunning := r[seq]
			switch {
			case !inRunning:
				diffs = append(diffs, fmt.Sprintf("%s seq %d is missing", k, seq))
			case !inWant:
				diffs = append(diffs, fmt.Sprintf("%s seq %d %s should not be there", k, seq, rr))
			case wr != rr:
				diffs = append(diffs, fmt.Sprintf("%s seq %d is %q instead of %q", k, seq, rr, wr))
			}
		}
	}
	for _, k := range plan.AFs {
		w, r := want.Networks[k], running.Networks[k]
		for _, p := range sortedKeys(w, r, comparePrefixes) {
			switch {
			case w[p] && !r[p]:
				diffs = append(diffs, fmt.Sprintf("%s network %s is missing", k, p))
			case r[p] && !w[p]:
				diffs = append(diffs, fmt.Sprintf("%s network %s should not be there", k, p))
			}
		}
	}
	return describe("running configuration differs", diffs)
}

// Drift compares what plan did not touch in two readings of FRR's running
// configuration, before (after the previous apply) and after (after this
// one): the skeleton, the prefix-lists outside plan.Lists and the address
// families outside plan.AFs. It describes every difference (FRR changed
// something by itself, or someone else did); nil means none.
func Drift(plan Plan, before, after Config) error {
	var diffs []string
	if !slices.Equal(before.Skeleton, after.Skeleton) {
		diffs = append(diffs, skeletonDiff(before.Skeleton, after.Skeleton))
	}
	for _, k := range sortedKeys(before.Lists, after.Lists, compareLists) {
		if !slices.Contains(plan.Lists, k) && !maps.Equal(before.Lists[k], after.Lists[k]) {
			diffs = append(diffs, fmt.Sprintf("%s changed", k))
		}
	}
	for _, k := range sortedKeys(before.Networks, after.Networks, compareAFs) {
		if !slices.Contains(plan.AFs, k) && !maps.Equal(before.Networks[k], after.Networks[k]) {
			diffs = append(diffs, fmt.Sprintf("%s network lines changed", k))
		}
	}
	return describe("running configuration drifted outside the change", diffs)
}

// skeletonDiff names the first line where two skeletons part.
func skeletonDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("line %q became %q", a[i], b[i])
		}
	}
	if len(a) < len(b) {
		return fmt.Sprintf("line %q appeared", b[len(a)])
	}
	return fmt.Sprintf("line %q disappeared", a[len(b)])
}

// describe joins diffs, at most ten, into one error after prefix; nil when
// there are none.
func describe(prefix string, diffs []string) error {
	if len(diffs) == 0 {
		return nil
	}
	const maxShown = 10
	more := ""
	if len(diffs) > maxShown {
		more = fmt.Sprintf("; and %d more", len(diffs)-maxShown)
		diffs = diffs[:maxShown]
	}
	return fmt.Errorf("%s: %s%s", prefix, strings.Join(diffs, "; "), more)
}

// sortedKeys returns the union of the keys of a and b, sorted by compare.
func sortedKeys[K comparable, V any](a, b map[K]V, compare func(K, K) int) []K {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compare)
	return keys
}

func compareLists(a, b ListKey) int {
	return cmp.Or(cmp.Compare(a.Family, b.Family), cmp.Compare(a.Name, b.Name))
}

func compareAFs(a, b AFKey) int {
	return cmp.Or(cmp.Compare(a.Router, b.Router), cmp.Compare(a.AF, b.AF))
}

func comparePrefixes(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}
