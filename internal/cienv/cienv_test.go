package cienv

import "testing"

func TestEnabled(t *testing.T) {
	for value, want := range map[string]bool{"true": true, "": false, "1": false, "false": false} {
		t.Setenv("CI", value)
		if got := Enabled(); got != want {
			t.Errorf("CI=%q: Enabled() = %v, want %v", value, got, want)
		}
	}
}

// recorder is a testing.TB that records whether SkipOrFail failed or
// skipped first, without stopping the test.
type recorder struct {
	testing.TB
	first string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(string, ...any) { r.note("fail") }

func (r *recorder) Skipf(string, ...any) { r.note("skip") }

func (r *recorder) note(what string) {
	if r.first == "" {
		r.first = what
	}
}

// TestSkipOrFail checks the rule in the mode the tests run in: under
// CI=true a missing dependency fails unless the run is -short.
func TestSkipOrFail(t *testing.T) {
	ciWant := "fail"
	if testing.Short() {
		ciWant = "skip"
	}
	for ci, want := range map[string]string{"true": ciWant, "": "skip"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		SkipOrFail(r, "missing dependency")
		if r.first != want {
			t.Errorf("CI=%q, -short=%v: SkipOrFail did %q first, want %q", ci, testing.Short(), r.first, want)
		}
	}
}

func TestSkipIfShort(t *testing.T) {
	reached := false
	t.Run("sub", func(t *testing.T) {
		SkipIfShort(t, "nothing")
		reached = true
	})
	if reached == testing.Short() {
		t.Errorf("SkipIfShort under -short=%v let the test continue: %v", testing.Short(), reached)
	}
}
