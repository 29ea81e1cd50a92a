package frr

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// targetGoldens returns the names of the goldens FRR must accept: every
// golden of testdata except invalidGolden.
func targetGoldens(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if err != nil {
		t.Fatalf("list goldens: %v", err)
	}
	var names []string
	for _, p := range paths {
		if name := filepath.Base(p); name != invalidGolden {
			names = append(names, name)
		}
	}
	return names
}

// dryRunFileWith runs vtysh --dryrun with the given vtysh on a file of
// testdata.
func dryRunFileWith(t *testing.T, vtysh, name string) (string, error) {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	return frrcheck.DryRun(ctx, vtysh, string(conf))
}

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
