package frrtest

import (
	"os"
	"testing"
)

// InCI reports whether the tests run under CI=true, where a missing
// dependency is a failure instead of a reason to skip.
func InCI() bool {
	return os.Getenv("CI") == "true"
}

// SkipOrFail skips the test with the given reason, or fails it under CI=true.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// Require skips the test (fails it under CI=true) when the default backend
// cannot run FRR here: binaries missing, not root, no frr user.
func Require(t testing.TB) {
	t.Helper()
	RequireBackend(t, DefaultBackend())
}

// RequireBackend is Require for a given backend.
func RequireBackend(t testing.TB, b Backend) {
	t.Helper()
	if err := b.Check(); err != nil {
		SkipOrFail(t, "real FRR (%s) is not usable here: %v", b.Name(), err)
	}
}
