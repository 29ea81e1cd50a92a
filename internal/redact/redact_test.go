package redact

import (
	"slices"
	"strings"
	"testing"
)

func TestKeywordsMatchPatterns(t *testing.T) {
	want := "(pa|pas|pass|passw|passwo|passwor|password)"
	if got := "(" + strings.Join(Keywords, "|") + ")"; got != want || !strings.Contains(keywordRE.String(), want) {
		t.Errorf("Keywords %v and keywordRE %s disagree", Keywords, keywordRE)
	}
}

func TestRedactByPattern(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"no password", "router bgp 64512\n", "router bgp 64512\n"},
		{"passive is not a password", " neighbor 192.0.2.1 passive\n", " neighbor 192.0.2.1 passive\n"},
		{"inside a word", "x passwordless y\nz\n", "x password <retracted>\nz\n"},
		{"area-password", " area-password md5 s3cret\n", " area-password <retracted>\n"},
		{"tab separated", "neighbor\t192.0.2.1\tpassw\ts3cret\n", "neighbor\t192.0.2.1\tpassw <retracted>\n"},
		{"bare keyword", "pa\n", "pa <retracted>\n"},
		{"unknown command echo", "% Unknown command: neighbor 192.0.2.1 passwo s3cret\n", "% Unknown command: neighbor 192.0.2.1 passwo <retracted>\n"},
		{"CRLF", "neighbor 192.0.2.1 pass s3cret\r\nnext\r\n", "neighbor 192.0.2.1 pass <retracted>\nnext\r\n"},
	}
	for _, kw := range Keywords {
		tests = append(tests, struct{ name, in, want string }{
			"keyword " + kw, " nei 192.0.2.1 " + kw + " s3cret\n x\n", " nei 192.0.2.1 " + kw + " <retracted>\n x\n",
		})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := String(tc.in); got != tc.want {
				t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactByValue(t *testing.T) {
	conf := "router bgp 64512\n neighbor 192.0.2.1 passw l0ngS3cret\n neighbor 192.0.2.2 password ab\n neighbor 192.0.2.3 password pässwörd\n"
	r := New(conf)
	tests := []struct{ name, in, want string }{
		{"echoed without keyword", "% Unknown command: l0ngS3cret\n", "% Unknown command: <retracted>\n"},
		{"inside a longer token", "xl0ngS3crety\n", "x<retracted>y\n"},
		{"short value as a token", "line 3: ab\n", "line 3: <retracted>\n"},
		{"short value inside a word is kept", "table absent\n", "table absent\n"},
		{"adjacent short tokens", "ab ab ab\n", "<retracted> <retracted> <retracted>\n"},
		{"non-ASCII value", "got pässwörd here\n", "got <retracted> here\n"},
		{"running config", conf, "router bgp 64512\n neighbor 192.0.2.1 passw <retracted>\n neighbor 192.0.2.2 password <retracted>\n neighbor 192.0.2.3 password <retracted>\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactIdempotent(t *testing.T) {
	in := " neighbor 192.0.2.1 password s3cret\n % Unknown command: s3cret\n"
	once := String(in)
	if twice := String(once); twice != once {
		t.Errorf("second pass changed %q into %q", once, twice)
	}
	if strings.Contains(once, "s3cret") {
		t.Errorf("value survived: %q", once)
	}
}

func TestNilRedactor(t *testing.T) {
	var r *Redactor
	if got := r.Redact("neighbor x password y\n"); got != "neighbor x password <retracted>\n" {
		t.Errorf("nil Redactor: %q", got)
	}
}

// wholeText is Redact running the expressions on the whole text, as it did
// before it looked for the marker first.
func wholeText(r *Redactor, s string) string {
	if r != nil {
		for _, v := range r.values {
			s = strings.ReplaceAll(s, v, Retracted)
		}
		if r.short != nil {
			s = replaceTokens(s, r.short)
		}
	}
	s = keywordRE.ReplaceAllString(s, "${1}${2} "+Retracted)
	return substringRE.ReplaceAllLiteralString(s, "password "+Retracted)
}

// wholeTextValues is the values New finds with valueRE on the whole text.
func wholeTextValues(s string) []string {
	var values []string
	for _, m := range valueRE.FindAllStringSubmatch(s, -1) {
		if m[1] != Retracted {
			values = append(values, m[1])
		}
	}
	return WithValues(values...).values
}

// checkLinesWithMarker compares Redact and New on s with wholeText.
func checkLinesWithMarker(t *testing.T, s string) {
	t.Helper()
	r := New(s)
	if got, want := r.Redact(s), wholeText(r, s); got != want {
		t.Errorf("Redact(%q) = %q, the whole-text expressions give %q", s, got, want)
	}
	if got, want := r.values, wholeTextValues(s); !slices.Equal(got, want) {
		t.Errorf("New(%q) found %q, the whole-text expression %q", s, got, want)
	}
	var none *Redactor
	if got, want := none.Redact(s), wholeText(nil, s); got != want {
		t.Errorf("nil Redact(%q) = %q, want %q", s, got, want)
	}
}

// TestLinesWithMarkerOnly checks that running the expressions on the lines
// holding the marker only gives what running them on the whole text gives.
func TestLinesWithMarkerOnly(t *testing.T) {
	for _, s := range linesWithMarkerSeeds {
		checkLinesWithMarker(t, s)
	}
}

// FuzzLinesWithMarkerOnly is TestLinesWithMarkerOnly on any text.
func FuzzLinesWithMarkerOnly(f *testing.F) {
	for _, s := range linesWithMarkerSeeds {
		f.Add(s)
	}
	f.Fuzz(checkLinesWithMarker)
}

var linesWithMarkerSeeds = []string{
	"",
	"pa",
	"pa x",
	"\npa\n",
	"router bgp 64512\n neighbor 192.0.2.1 password s3cret\n neighbor 192.0.2.2 pa abcd\n",
	" neighbor 192.0.2.1 pas xyzw\r\n neighbor 192.0.2.1 passive\nno newline at the end pa qqqq",
	"x passwordless y\nz\npa\tpa pa\n\n\npapa pa\npassword password\n",
	"ip prefix-list a seq 1 permit 10.0.0.0/8\n% Unknown command: s3cretpass\nline 3: pa s3cret\n",
}
