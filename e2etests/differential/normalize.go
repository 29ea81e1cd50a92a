package differential

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// GlobalContext is the key of the top-level lines that belong to no block
// and to no list.
const GlobalContext = "global"

// Contexts is a normalised FRR configuration: each context (a block such as
// "router bgp 64512 vrf red / address-family ipv4 unicast", a route-map
// entry, one prefix list, or the global lines) maps to its lines, sorted.
// The order of blocks and of lines inside a block does not matter.
type Contexts map[string][]string

// volatilePrefixes start lines that differ between FRR instances running the
// same configuration, or that only frame the output. The hostname is one:
// frr-reload.py sets it in vtysh only, so show running-config keeps the
// machine's name after a reload and the file's after `vtysh -f`.
var volatilePrefixes = []string{
	"frr version ",
	"hostname ",
	"Building configuration",
	"Current configuration",
}

// emptyBlocks are blocks that configure nothing by themselves: FRR keeps
// printing them once their last entry is removed, while an instance that
// never had an entry does not print them.
var emptyBlocks = []string{"bfd"}

// exitWords close a block in FRR's output.
var exitWords = []string{"exit", "exit-address-family", "exit-vrf", "exit-vni", "exit-vnc", "end"}

// ParseRunningConfig normalises the output of `show running-config` (or an
// frr.conf): comments ("!"), blank lines, exit words and volatile lines are
// dropped (as are an empty "bfd" block), whitespace inside lines is collapsed, and every other line is
// filed under its context. A line opens a block when the next line is
// indented deeper or is an exit word at the same indentation; the context
// of a line is the chain of open blocks, joined with " / ". Top-level prefix
// and community list entries are filed under their list ("ip prefix-list
// NAME"), so that one list's entries are compared together.
func ParseRunningConfig(text string) Contexts {
	type line struct {
		indent int
		text   string
	}
	var lines []line
	for _, raw := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || strings.HasPrefix(trimmed, "!") || isVolatile(trimmed) {
			continue
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
		lines = append(lines, line{indent: indent, text: strings.Join(strings.Fields(trimmed), " ")})
	}
	type open struct {
		indent int
		key    string
	}
	var stack []open
	res := Contexts{}
	for i, l := range lines {
		for len(stack) > 0 && stack[len(stack)-1].indent >= l.indent {
			stack = stack[:len(stack)-1]
		}
		if slices.Contains(exitWords, l.text) {
			continue
		}
		opens := false
		if i+1 < len(lines) {
			next := lines[i+1]
			opens = next.indent > l.indent || (next.indent == l.indent && slices.Contains(exitWords, next.text) && next.text != "end")
		}
		var path []string
		for _, o := range stack {
			path = append(path, o.key)
		}
		if opens {
			key := strings.Join(append(path, l.text), " / ")
			if _, ok := res[key]; !ok {
				res[key] = nil
			}
			stack = append(stack, open{indent: l.indent, key: l.text})
			continue
		}
		key := strings.Join(path, " / ")
		if key == "" {
			key = globalKey(l.text)
		}
		res[key] = append(res[key], l.text)
	}
	for k := range res {
		slices.Sort(res[k])
	}
	for _, k := range emptyBlocks {
		if lines, ok := res[k]; ok && len(lines) == 0 && !hasChildren(res, k) {
			delete(res, k)
		}
	}
	return res
}

// hasChildren reports whether a context holds other contexts.
func hasChildren(c Contexts, key string) bool {
	for k := range c {
		if strings.HasPrefix(k, key+" / ") {
			return true
		}
	}
	return false
}

func isVolatile(line string) bool {
	for _, p := range volatilePrefixes {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// globalKey files a top-level line: list entries under their list, the
// rest under GlobalContext.
func globalKey(line string) string {
	f := strings.Fields(line)
	switch {
	case len(f) >= 3 && (f[0] == "ip" || f[0] == "ipv6") && f[1] == "prefix-list":
		return f[0] + " prefix-list " + f[2]
	case len(f) >= 4 && f[0] == "bgp" && (f[1] == "community-list" || f[1] == "large-community-list" || f[1] == "extcommunity-list"):
		if f[2] == "standard" || f[2] == "expanded" {
			return strings.Join(f[:4], " ")
		}
		return strings.Join(f[:3], " ")
	case len(f) >= 4 && f[0] == "bgp" && f[1] == "as-path" && f[2] == "access-list":
		return strings.Join(f[:4], " ")
	}
	return GlobalContext
}

// ContextDiff is one context whose lines differ between two configurations.
type ContextDiff struct {
	// Key names the context.
	Key string
	// OnlyA and OnlyB are the lines only the first or only the second
	// configuration has; a context missing on one side has all its lines
	// on the other, and MissingA or MissingB set.
	OnlyA, OnlyB []string
	// MissingA and MissingB say the context does not exist on that side.
	MissingA, MissingB bool
}

// String prints the difference for a test failure.
func (d ContextDiff) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "context %q", d.Key)
	switch {
	case d.MissingA:
		b.WriteString(" (only in B)")
	case d.MissingB:
		b.WriteString(" (only in A)")
	}
	b.WriteString(":")
	for _, l := range d.OnlyA {
		b.WriteString("\n  A only: " + l)
	}
	for _, l := range d.OnlyB {
		b.WriteString("\n  B only: " + l)
	}
	return b.String()
}

// Diff returns the contexts that differ between a and b, sorted by key.
func Diff(a, b Contexts) []ContextDiff {
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var res []ContextDiff
	for _, k := range keys {
		la, inA := a[k]
		lb, inB := b[k]
		d := ContextDiff{Key: k, MissingA: !inA, MissingB: !inB, OnlyA: subtract(la, lb), OnlyB: subtract(lb, la)}
		if d.MissingA || d.MissingB || len(d.OnlyA) > 0 || len(d.OnlyB) > 0 {
			res = append(res, d)
		}
	}
	return res
}

// subtract returns the lines of a not matched by a line of b, counting
// duplicates; both are sorted.
func subtract(a, b []string) []string {
	var res []string
	j := 0
	for _, l := range a {
		for j < len(b) && b[j] < l {
			j++
		}
		if j < len(b) && b[j] == l {
			j++
			continue
		}
		res = append(res, l)
	}
	return res
}

// ReloadTestDiff is what `frr-reload.py --test` would change: the lines it
// would delete and add, each as printed (context lines joined with " / "),
// sorted.
type ReloadTestDiff struct {
	Delete, Add []string
}

// Empty reports whether frr-reload.py found nothing to change.
func (d ReloadTestDiff) Empty() bool { return len(d.Delete) == 0 && len(d.Add) == 0 }

// ParseReloadTest reads the "Lines To Delete" and "Lines To Add" sections of
// `frr-reload.py --test` output; log lines before them are ignored. Each
// printed command (a context line followed by indented lines) becomes one
// entry with its lines joined by " / ". Volatile lines (the hostname) are
// dropped, and so is deleting one of the emptyBlocks
// ("no bfd") is dropped: frr-reload.py asks for it whenever FRR prints the
// empty block, and FRR keeps printing it after the command.
func ParseReloadTest(out string) ReloadTestDiff {
	var d ReloadTestDiff
	var section *[]string
	var current []string
	flush := func() {
		if section != nil && len(current) > 0 {
			*section = append(*section, strings.Join(current, " / "))
		}
		current = nil
	}
	for _, raw := range strings.Split(out, "\n") {
		trimmed := strings.TrimSpace(raw)
		switch {
		case trimmed == "Lines To Delete":
			flush()
			section = &d.Delete
			continue
		case trimmed == "Lines To Add":
			flush()
			section = &d.Add
			continue
		case section == nil, trimmed == "", strings.Trim(trimmed, "=") == "":
			continue
		}
		text := strings.Join(strings.Fields(trimmed), " ")
		if raw == strings.TrimLeft(raw, " \t") {
			flush()
		}
		current = append(current, text)
	}
	flush()
	d.Delete = slices.DeleteFunc(d.Delete, func(l string) bool {
		l = strings.TrimPrefix(l, "no ")
		return slices.Contains(emptyBlocks, l) || isVolatile(l)
	})
	d.Add = slices.DeleteFunc(d.Add, isVolatile)
	slices.Sort(d.Delete)
	slices.Sort(d.Add)
	return d
}
