// Package redact hides FRR neighbor passwords in text meant for logs and
// status: by pattern (every spelling FRR accepts for the password keyword)
// and by value (every password found in the FRR configuration being
// applied, wherever it shows up again, e.g. in "% Unknown command: ..."
// lines). It uses the standard library only, so the reloader sidecar can
// share it with the daemon.
package redact

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
)

// Retracted replaces every hidden value.
const Retracted = "<retracted>"

// Keywords is every spelling of the neighbor password keyword FRR accepts:
// it matches command keywords by unique prefix, so "neighbor X pa S" through
// "neighbor X password S" all set a password ("p" is ambiguous with
// "port"). Keywords are case sensitive. Checked with vtysh --dryrun on FRR
// 8.4 and 10 by internal/frr's TestPasswordKeywordsFRRDryRun.
var Keywords = []string{"pa", "pas", "pass", "passw", "passwo", "passwor", "password"}

// keywordRE matches a password keyword written out or abbreviated, as a
// whole token, and the rest of its line.
var keywordRE = regexp.MustCompile(`(?m)(^|[ \t])(pa|pas|pass|passw|passwo|passwor|password)([ \t][^\n]*)?$`)

// substringRE matches "password" anywhere (area-password, passwordless...)
// and the rest of its line, like the historical `sed 's/password.*/...'`.
var substringRE = regexp.MustCompile(`password[^\n]*`)

// valueRE finds the token that follows a password keyword, abbreviated or
// not, or any word ending in "password".
var valueRE = regexp.MustCompile(`(?m)(?:(?:^|[ \t])(?:pa|pas|pass|passw|passwo|passwor)|password)[ \t]+([^ \t\r\n]+)`)

// shortValue is the length under which a known value is only hidden where
// it stands as a whole token, so a password like "ab" does not blank every
// "ab" of a text.
const shortValue = 4

// Redactor hides passwords by pattern and by value. The zero value hides
// by pattern only.
type Redactor struct {
	values []string        // longest first
	short  map[string]bool // hidden as whole tokens only
}

// New returns a Redactor that also hides every password value found in
// the given FRR configuration texts.
func New(configs ...string) *Redactor {
	var values []string
	for _, c := range configs {
		for line := range linesWith(c, marker) {
			for _, m := range valueRE.FindAllStringSubmatch(line, -1) {
				if m[1] != Retracted {
					values = append(values, m[1])
				}
			}
		}
	}
	return WithValues(values...)
}

// WithValues returns a Redactor that also hides the given password values.
func WithValues(values ...string) *Redactor {
	values = slices.DeleteFunc(slices.Clone(values), func(v string) bool { return v == "" })
	slices.SortFunc(values, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	values = slices.Compact(values)
	r := &Redactor{}
	for _, v := range values {
		if len(v) < shortValue {
			if r.short == nil {
				r.short = map[string]bool{}
			}
			r.short[v] = true
			continue
		}
		r.values = append(r.values, v)
	}
	return r
}

// isBlank reports whether c separates tokens (regexp's \s).
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// replaceTokens replaces every blank-separated token of s found in tokens.
func replaceTokens(s string, tokens map[string]bool) string {
	var b strings.Builder
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isBlank(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if tok := s[start:i]; tokens[tok] {
				b.WriteString(Retracted)
			} else {
				b.WriteString(tok)
			}
			start = -1
		}
		if i < len(s) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// Redact hides every known password value, then every password keyword
// and the rest of its line.
func (r *Redactor) Redact(s string) string {
	if r != nil {
		for _, v := range r.values {
			s = strings.ReplaceAll(s, v, Retracted)
		}
		if r.short != nil {
			s = replaceTokens(s, r.short)
		}
	}
	return replaceLinesWith(s, marker, func(line string) string {
		line = keywordRE.ReplaceAllString(line, "${1}${2} "+Retracted)
		return substringRE.ReplaceAllLiteralString(line, "password "+Retracted)
	})
}

// marker is in every match of keywordRE, substringRE and valueRE, and none
// of their matches spans a newline: only the lines holding it need them.
// A running configuration of megabytes has few such lines, and finding
// them is much faster than running the expressions over all of it.
const marker = "pa"

// linesWith yields every line of s (without its newline) that contains sub.
func linesWith(s, sub string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for i := 0; i < len(s); {
			j := strings.Index(s[i:], sub)
			if j < 0 {
				return
			}
			start, end := lineAround(s, i+j)
			if !yield(s[start:end]) {
				return
			}
			i = end + 1
		}
	}
}

// replaceLinesWith returns s with every line that contains sub replaced by
// f of it (both without the newline).
func replaceLinesWith(s, sub string, f func(string) string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			break
		}
		start, end := lineAround(s, i+j)
		if b.Cap() == 0 {
			b.Grow(len(s) + 64)
		}
		b.WriteString(s[done:start])
		b.WriteString(f(s[start:end]))
		done, i = end, end+1
	}
	if done == 0 && b.Cap() == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// lineAround returns the bounds of the line of s holding byte i, without
// its newline.
func lineAround(s string, i int) (start, end int) {
	start = strings.LastIndexByte(s[:i], '\n') + 1
	end = strings.IndexByte(s[i:], '\n')
	if end < 0 {
		return start, len(s)
	}
	return start, i + end
}

// String hides the passwords of s, by pattern and by the values s itself
// holds.
func String(s string) string {
	return New(s).Redact(s)
}
