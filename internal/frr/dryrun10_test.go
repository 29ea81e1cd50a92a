package frr

import (
	"errors"
	"testing"

	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// TestGoldensPassFRR10DryRun is TestGoldensPassFRRDryRun with the vtysh of
// the FRR 10 chroot (FRRK8S_FRR10_ROOT).
func TestGoldensPassFRR10DryRun(t *testing.T) {
	vtysh := frrtest.StandaloneVtysh(t, frrtest.FRR10())
	names := targetGoldens(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if out, err := dryRunFileWith(t, vtysh, name); err != nil {
				t.Errorf("FRR 10 vtysh rejected %s: %v\n%s", name, err, out)
			}
		})
	}
	if len(names) != 29 {
		t.Errorf("checked %d goldens, want the 29 targets", len(names))
	}
}

// TestStableGoldensPassFRR10DryRun is TestStableGoldensPassFRRDryRun with
// the vtysh of the FRR 10 chroot.
func TestStableGoldensPassFRR10DryRun(t *testing.T) {
	dryRunStableGoldens(t, frrtest.StandaloneVtysh(t, frrtest.FRR10()))
}

// TestInvalidGoldenFailsFRR10DryRun checks that FRR 10 rejects the upstream
// fixture that FRR 8.4 rejects.
func TestInvalidGoldenFailsFRR10DryRun(t *testing.T) {
	vtysh := frrtest.StandaloneVtysh(t, frrtest.FRR10())
	out, err := dryRunFileWith(t, vtysh, invalidGolden)
	if !errors.Is(err, frrcheck.ErrRejected) {
		t.Fatalf("FRR 10 vtysh dry run of %s: error = %v, want ErrRejected; output:\n%s", invalidGolden, err, out)
	}
	t.Logf("rejected as expected: %v", err)
}
