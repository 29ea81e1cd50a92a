package frr

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/cienv"
	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
)

// invalidGolden is an upstream fixture that FRR must reject.
const invalidGolden = "TestDockerTestfails.golden"

// requireVtysh skips the test when vtysh is missing, or fails it under CI=true.
func requireVtysh(t *testing.T) {
	t.Helper()
	cienv.SkipIfShort(t, "FRR (vtysh --dryrun)")
	if _, err := os.Stat(frrcheck.DefaultVtysh); err != nil {
		cienv.SkipOrFail(t, "vtysh not installed, skipping the FRR dry run: %v", err)
	}
}

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

// dryRunFileWith runs vtysh --dryrun with the given vtysh (the host's when
// empty) on a file of testdata.
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

func TestGoldensPassFRRDryRun(t *testing.T) {
	requireVtysh(t)
	names := targetGoldens(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if out, err := dryRunFileWith(t, "", name); err != nil {
				t.Errorf("vtysh rejected %s: %v\n%s", name, err, out)
			}
		})
	}
	if len(names) != 29 {
		t.Errorf("checked %d goldens, want the 29 targets", len(names))
	}
}

// stableGoldens returns the stable-mode goldens, as paths under testdata.
func stableGoldens(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", stableDir, "*.golden"))
	if err != nil {
		t.Fatalf("list goldens: %v", err)
	}
	if len(paths) == 0 {
		t.Fatal("no stable-mode golden")
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Join(stableDir, filepath.Base(p))
	}
	return names
}

// dryRunStableGoldens checks every stable-mode golden with vtysh (the
// host's when empty).
func dryRunStableGoldens(t *testing.T, vtysh string) {
	for _, name := range stableGoldens(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			t.Parallel()
			if out, err := dryRunFileWith(t, vtysh, name); err != nil {
				t.Errorf("vtysh rejected %s: %v\n%s", name, err, out)
			}
		})
	}
}

func TestStableGoldensPassFRRDryRun(t *testing.T) {
	requireVtysh(t)
	dryRunStableGoldens(t, "")
}

func TestInvalidGoldenFailsFRRDryRun(t *testing.T) {
	requireVtysh(t)
	out, err := dryRunFileWith(t, "", invalidGolden)
	if !errors.Is(err, frrcheck.ErrRejected) {
		t.Fatalf("vtysh dry run of %s: error = %v, want ErrRejected; output:\n%s", invalidGolden, err, out)
	}
	t.Logf("rejected as expected: %v", err)
}
