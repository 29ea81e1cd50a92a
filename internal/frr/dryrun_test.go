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
	if _, err := os.Stat(frrcheck.DefaultVtysh); err != nil {
		cienv.SkipOrFail(t, "vtysh not installed, skipping the FRR dry run: %v", err)
	}
}

// dryRunFile runs vtysh --dryrun on a file of testdata.
func dryRunFile(t *testing.T, name string) (string, error) {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	return frrcheck.DryRun(ctx, "", string(conf))
}

func TestGoldensPassFRRDryRun(t *testing.T) {
	requireVtysh(t)
	goldens, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if err != nil {
		t.Fatalf("list goldens: %v", err)
	}
	checked := 0
	for _, path := range goldens {
		name := filepath.Base(path)
		if name == invalidGolden {
			continue
		}
		checked++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if out, err := dryRunFile(t, name); err != nil {
				t.Errorf("vtysh rejected %s: %v\n%s", name, err, out)
			}
		})
	}
	if checked != 29 {
		t.Errorf("checked %d goldens, want the 29 targets", checked)
	}
}

func TestInvalidGoldenFailsFRRDryRun(t *testing.T) {
	requireVtysh(t)
	out, err := dryRunFile(t, invalidGolden)
	if !errors.Is(err, frrcheck.ErrRejected) {
		t.Fatalf("vtysh dry run of %s: error = %v, want ErrRejected; output:\n%s", invalidGolden, err, out)
	}
	t.Logf("rejected as expected: %v", err)
}
