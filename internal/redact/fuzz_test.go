package redact

import (
	"strings"
	"testing"
)

// FuzzRedact checks that no password value survives: a password set in a
// config with any accepted keyword is hidden in that config and wherever it
// appears again in the text, except a value shorter than four bytes inside
// a longer word (by design). Seeds: testdata/fuzz/FuzzRedact.
func FuzzRedact(f *testing.F) {
	for _, kw := range Keywords {
		f.Add(kw, "s3cret", "% Unknown command: s3cret\n")
	}
	f.Add("password", "pässwörd", "line 1: pässwörd\r\n")
	f.Add("pa", "ab", "ab ab\tab\nxaby\n")
	f.Fuzz(func(t *testing.T, keyword, password, text string) {
		if !isKeyword(keyword) || password == "" || strings.ContainsAny(password, " \t\r\n") ||
			strings.Contains("password "+Retracted, password) || strings.Contains(Retracted, password) {
			return
		}
		conf := " neighbor 192.0.2.1 " + keyword + " " + password + "\n"
		out := New(conf).Redact(text + "\n" + conf + text)
		if len(password) >= shortValue {
			if strings.Contains(out, password) {
				t.Fatalf("password %q survives in %q", password, out)
			}
			return
		}
		for _, tok := range strings.Fields(out) {
			if tok == password {
				t.Fatalf("password %q survives as a token in %q", password, out)
			}
		}
	})
}

// isKeyword reports whether kw is one of Keywords.
func isKeyword(kw string) bool {
	for _, k := range Keywords {
		if k == kw {
			return true
		}
	}
	return false
}
