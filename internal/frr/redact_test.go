package frr

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
	"github.com/frrk8s/frrk8s/internal/frrtest"
	"github.com/frrk8s/frrk8s/internal/redact"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"no password", "router bgp 64512\n", "router bgp 64512\n"},
		{
			"neighbor password",
			" neighbor 192.0.2.1 password s3cret\n neighbor 192.0.2.1 timers 30 90\n",
			" neighbor 192.0.2.1 password <retracted>\n neighbor 192.0.2.1 timers 30 90\n",
		},
		{"end of text", "neighbor 192.0.2.1 password s3cret", "neighbor 192.0.2.1 password <retracted>"},
		{"two lines", "password a\npassword b\n", "password <retracted>\npassword <retracted>\n"},
		{"bare word", "password\n", "password <retracted>\n"},
		{"inside a word", "x passwordless y\nz\n", "x password <retracted>\nz\n"},
		{"dollar kept literal", "password $1\n", "password <retracted>\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCapConstants(t *testing.T) {
	if RunningConfigCap != 1048576 {
		t.Errorf("RunningConfigCap = %d, want 1048576", RunningConfigCap)
	}
	if ReloadResultCap != 262144 {
		t.Errorf("ReloadResultCap = %d, want 262144", ReloadResultCap)
	}
}

func TestCap(t *testing.T) {
	// Marker lengths: "! truncated: 40 bytes total\n" is 28 bytes.
	forty := strings.Repeat("abcdefghi\n", 4)
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"empty", "", 0, ""},
		{"shorter than the limit", "abc\n", 10, "abc\n"},
		{"exactly the limit", forty, 40, forty},
		{"one byte over, room for one line", forty, 39, "abcdefghi\n! truncated: 40 bytes total\n"},
		{"line ends exactly at the room", forty, 38, "abcdefghi\n! truncated: 40 bytes total\n"},
		{"room one byte short of the line", forty, 37, "! truncated: 40 bytes total\n"},
		{"room for exactly the marker", forty, 28, "! truncated: 40 bytes total\n"},
		{"marker does not fit", forty, 27, ""},
		{"no newline keeps the marker", strings.Repeat("x", 100), 60, "! truncated: 100 bytes total\n"},
		{"newline only after the room", strings.Repeat("x", 50) + "\n" + strings.Repeat("y", 49), 70, "! truncated: 100 bytes total\n"},
		{
			"cut at the last newline before the room",
			"a\nbb\nccc\n" + strings.Repeat("z", 100),
			9 + 29,
			"a\nbb\nccc\n! truncated: 109 bytes total\n",
		},
		{
			"newline at the very start",
			"\n" + strings.Repeat("z", 100),
			40,
			"\n! truncated: 101 bytes total\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Cap(tc.in, tc.limit)
			if got != tc.want {
				t.Errorf("Cap(%d bytes, %d) = %q, want %q", len(tc.in), tc.limit, got, tc.want)
			}
			if len(got) > tc.limit {
				t.Errorf("Cap returned %d bytes, more than the limit %d", len(got), tc.limit)
			}
		})
	}
}

// TestCapRealLimits checks the caps at their real sizes, around the
// boundary.
func TestCapRealLimits(t *testing.T) {
	for _, limit := range []int{RunningConfigCap, ReloadResultCap} {
		line := strings.Repeat("x", 99) + "\n"
		text := strings.Repeat(line, limit/len(line)+1) // just over the limit
		if got := Cap(text[:limit], limit); got != text[:limit] {
			t.Errorf("limit %d: a text of exactly the limit was changed", limit)
		}
		got := Cap(text, limit)
		if len(got) > limit {
			t.Fatalf("limit %d: got %d bytes", limit, len(got))
		}
		marker := truncationMarker(len(text))
		if !strings.HasSuffix(got, marker) {
			t.Fatalf("limit %d: missing marker %q at the end", limit, marker)
		}
		kept := strings.TrimSuffix(got, marker)
		if !strings.HasPrefix(text, kept) || !strings.HasSuffix(kept, "\n") {
			t.Errorf("limit %d: kept part is not a prefix ending with a newline", limit)
		}
		// The next line would not have fitted with the marker.
		if len(kept)+len(line)+len(marker) <= limit {
			t.Errorf("limit %d: kept %d bytes, one more line would fit", limit, len(kept))
		}
	}
}

func TestRedactThenCap(t *testing.T) {
	in := strings.Repeat(" neighbor 192.0.2.1 password very-long-secret-value\n", 10)
	got := Cap(Redact(in), 100)
	if strings.Contains(got, "secret") {
		t.Errorf("secret leaked: %q", got)
	}
	if !strings.HasSuffix(got, "! truncated: 410 bytes total\n") {
		t.Errorf("unexpected marker in %q", got)
	}
}

// passwordKeywordConf sets a neighbor password with the given keyword.
func passwordKeywordConf(keyword string) string {
	return "router bgp 64512\n neighbor 192.0.2.1 remote-as 64513\n nei 192.0.2.1 " + keyword + " s3cret\nexit\n"
}

// TestPasswordKeywordsFRRDryRun checks the redaction's keyword list against
// real FRR: every keyword is accepted as the password command, and the one
// letter shorter than the shortest is not (ambiguous), so no accepted
// spelling escapes the pattern.
func TestPasswordKeywordsFRRDryRun(t *testing.T) {
	requireVtysh(t)
	checkPasswordKeywords(t, "")
}

// TestPasswordKeywordsFRR10DryRun is TestPasswordKeywordsFRRDryRun with FRR 10.
func TestPasswordKeywordsFRR10DryRun(t *testing.T) {
	checkPasswordKeywords(t, frrtest.StandaloneVtysh(t, frrtest.FRR10()))
}

// checkPasswordKeywords dry-runs each keyword with vtysh.
func checkPasswordKeywords(t *testing.T, vtysh string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for _, kw := range redact.Keywords {
		if out, err := frrcheck.DryRun(ctx, vtysh, passwordKeywordConf(kw)); err != nil {
			t.Errorf("FRR rejected password keyword %q: %v\n%s", kw, err, out)
		}
		if got := Redact(passwordKeywordConf(kw)); strings.Contains(got, "s3cret") {
			t.Errorf("Redact kept the password set with %q:\n%s", kw, got)
		}
	}
	if _, err := frrcheck.DryRun(ctx, vtysh, passwordKeywordConf("p")); !errors.Is(err, frrcheck.ErrRejected) {
		t.Errorf("FRR accepts %q as a password keyword (err %v): the redaction must cover it", "p", err)
	}
	for _, kw := range []string{"PASSWORD", "Password"} {
		if _, err := frrcheck.DryRun(ctx, vtysh, passwordKeywordConf(kw)); !errors.Is(err, frrcheck.ErrRejected) {
			t.Errorf("FRR accepts %q: keywords are not case sensitive, the redaction must cover it", kw)
		}
	}
}

func TestRedactWithConfigValues(t *testing.T) {
	running := " neighbor 192.0.2.1 password l0ngS3cret\n"
	got := RedactWith("line 7: % Unknown command: l0ngS3cret\n", running)
	if strings.Contains(got, "l0ngS3cret") {
		t.Errorf("RedactWith kept the value: %q", got)
	}
}
