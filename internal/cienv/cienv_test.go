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
