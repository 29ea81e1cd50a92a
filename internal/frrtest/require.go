package frrtest

import (
	"testing"

	"github.com/frrk8s/frrk8s/internal/cienv"
)

// Require skips the test (fails it under CI=true) when the default backend
// cannot run FRR here: binaries missing, not root, no frr user.
func Require(t testing.TB) {
	t.Helper()
	RequireBackend(t, DefaultBackend())
}

// RequireBackend is Require for a given backend.
func RequireBackend(t testing.TB, b Backend) {
	t.Helper()
	cienv.SkipIfShort(t, "real FRR")
	if err := b.Check(); err != nil {
		cienv.SkipOrFail(t, "real FRR (%s) is not usable here: %v", b.Name(), err)
	}
}
