package convert

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frrk8s/frrk8s/internal/cienv"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
)

// End-to-end tests: YAML in testdata → conversion → frr.Render → the golden
// file named after the test (regenerate with -update), then a syntax check
// with vtysh --dryrun when FRR is installed.

// renderOptions are the daemon-side inputs of an end-to-end test.
type renderOptions struct {
	input       string // testdata YAML file, default <TestName>.yaml
	alwaysBlock []netip.Prefix
}

// testRenderGolden converts the test's YAML for node1, renders it as the
// daemon would (hostname dummyhostname, level info) and compares the text.
func testRenderGolden(t *testing.T, opts renderOptions) {
	t.Helper()
	if opts.input == "" {
		opts.input = t.Name() + ".yaml"
	}
	cfg, err := readObjects(t, opts.input).convert(func(in *Input) { in.AlwaysBlock = opts.alwaysBlock })
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	cfg.Hostname = "dummyhostname"
	got, err := frr.Render(cfg)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	compareGolden(t, got)
	dryRun(t, got)
}

// compareGolden compares text with testdata/<TestName>.golden, or rewrites
// the golden under -update.
func compareGolden(t *testing.T, got string) {
	t.Helper()
	path := filepath.Join("testdata", t.Name()+".golden")
	if updateGoldens() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("update golden: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden: %v", err)
	}
	if got != string(want) {
		diff := cmp.Diff(strings.SplitAfter(string(want), "\n"), strings.SplitAfter(got, "\n"))
		t.Errorf("rendered config differs from %s (-want +got):\n%s", path, diff)
	}
}

// dryRun checks the rendered text with vtysh; it skips without FRR unless
// CI=true.
func dryRun(t *testing.T, conf string) {
	t.Helper()
	if _, err := os.Stat(frrcheck.DefaultVtysh); err != nil {
		if cienv.Enabled() {
			t.Fatalf("vtysh is required under CI=true: %v", err)
		}
		t.Logf("vtysh not installed, skipping the FRR dry run: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if out, err := frrcheck.DryRun(ctx, "", conf); err != nil {
		t.Errorf("vtysh rejected the rendered config: %v\n%s", err, out)
	}
}

func TestRenderHoldTimeCompletion(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderReceiveSelectorOrder(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderDefaultCleaning(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderNeighborSorting(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderRawPriority(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderVRFsImportsAndProperties(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderEVPN(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderMetalLBWithUserConfig(t *testing.T) {
	testRenderGolden(t, renderOptions{input: "metallb.yaml"})
}

func TestRenderAlwaysBlockDualStack(t *testing.T) {
	testRenderGolden(t, renderOptions{alwaysBlock: []netip.Prefix{
		netip.MustParsePrefix("192.168.1.7/24"), netip.MustParsePrefix("fd00:1::/48"),
	}})
}
