package frrtest

import "testing"

// Version is an FRR build the tests run against, with the short name used
// for subtests.
type Version struct {
	// Name is "frr84" or "frr10".
	Name string
	// Backend runs that build.
	Backend Backend
}

// Versions returns the FRR builds every real-FRR test should cover: the
// host's FRR 8.4 and FRR 10 from the chroot named by FRRK8S_FRR10_ROOT.
func Versions() []Version {
	return []Version{
		{Name: "frr84", Backend: HostFRR()},
		{Name: "frr10", Backend: FRR10()},
	}
}

// ForEachVersion runs f as one subtest per entry of Versions, named after
// it. A subtest whose build cannot run here is skipped, or failed under
// CI=true, before f is called.
func ForEachVersion(t *testing.T, f func(t *testing.T, v Version)) {
	t.Helper()
	for _, v := range Versions() {
		t.Run(v.Name, func(t *testing.T) {
			RequireBackend(t, v.Backend)
			f(t, v)
		})
	}
}

// StandaloneVtysh returns an executable that runs b's vtysh outside any
// instance, for example for frrcheck.DryRun. It skips the test (fails it
// under CI=true) when b cannot run here.
func StandaloneVtysh(t testing.TB, b Backend) string {
	t.Helper()
	RequireBackend(t, b)
	path, err := b.StandaloneVtysh(t.TempDir())
	if err != nil {
		t.Fatalf("prepare vtysh of %s: %v", b.Name(), err)
	}
	return path
}
