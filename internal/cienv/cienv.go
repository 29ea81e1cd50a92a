// Package cienv holds the tests' rule for a missing dependency (FRR, vtysh,
// the API server, a tool the set-up installs): skip locally, fail under
// CI=true, where every test must exercise the real parts. Under -short
// (`make test-short`) the tests that need an API server, FRR or root are
// skipped even under CI=true.
package cienv

import (
	"os"
	"testing"
)

// Enabled reports whether the tests run under CI=true.
func Enabled() bool {
	return os.Getenv("CI") == "true"
}

// SkipOrFail skips the test with the given reason, or fails it under
// CI=true unless the run is -short.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if Enabled() && !testing.Short() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// SkipIfShort skips the test under -short: it needs what, an API server,
// real FRR or root, which short runs leave out.
func SkipIfShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: this test needs %s", what)
	}
}
