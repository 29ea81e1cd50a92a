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

func TestSkipOrFailSkipsUnderShortEvenInCI(t *testing.T) {
	if !testing.Short() {
		t.Skip("checks the -short behaviour; run with -short")
	}
	t.Setenv("CI", "true")
	ran := false
	t.Run("skipped", func(t *testing.T) {
		ran = true
		SkipOrFail(t, "missing dependency")
		t.Error("SkipOrFail returned")
	})
	if !ran {
		t.Fatal("the subtest did not run")
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
