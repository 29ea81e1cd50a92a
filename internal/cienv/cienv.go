// Package cienv holds the tests' rule for a missing dependency (FRR, vtysh,
// the API server, a tool the set-up installs): skip locally, fail under
// CI=true, where every test must exercise the real parts.
package cienv

import (
	"os"
	"testing"
)

// Enabled reports whether the tests run under CI=true.
func Enabled() bool {
	return os.Getenv("CI") == "true"
}

// SkipOrFail skips the test with the given reason, or fails it under CI=true.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if Enabled() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
