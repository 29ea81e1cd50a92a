package convert

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/cienv"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
	"github.com/frrk8s/frrk8s/internal/golden"
)

// End-to-end tests: YAML in testdata → conversion → frr.Render → the golden
// file named after the test (regenerate with -update), then a syntax check
// with vtysh --dryrun when FRR is installed.

// renderOptions are the daemon-side inputs of an end-to-end test.
type renderOptions struct {
	input       string // testdata YAML file, default <TestName>.yaml
	alwaysBlock []netip.Prefix
	// stable also checks the default stable numbering against
	// testdata/stable/<TestName>.golden.
	stable bool
}

// testRenderGolden converts the test's YAML for node1, renders it as the
// daemon would (hostname dummyhostname, level info) with upstream's
// positional numbering, compares the text with testdata/<TestName>.golden
// and dry-runs it; with opts.stable, the same for the stable numbering.
func testRenderGolden(t *testing.T, opts renderOptions) {
	t.Helper()
	if opts.input == "" {
		opts.input = t.Name() + ".yaml"
	}
	modes := []frr.SeqMode{frr.SeqPosition}
	if opts.stable {
		modes = append(modes, frr.SeqStable)
	}
	objects := readObjects(t, opts.input)
	for _, mode := range modes {
		cfg, err := objects.convert(func(in *Input) {
			in.AlwaysBlock = opts.alwaysBlock
			in.PrefixListSeq = mode
		})
		if err != nil {
			t.Fatalf("convert: %v", err)
		}
		got, err := frr.Render(cfg, frr.RenderOptions{Hostname: "dummyhostname"})
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		path := filepath.Join("testdata", t.Name()+".golden")
		if mode == frr.SeqStable {
			path = filepath.Join("testdata", "stable", t.Name()+".golden")
		}
		golden.Compare(t, path, got)
		dryRun(t, got)
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

func TestRenderReceiveSelectorOrder(t *testing.T) { testRenderGolden(t, renderOptions{stable: true}) }

func TestRenderDefaultCleaning(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderNeighborSorting(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderRawPriority(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderVRFsImportsAndProperties(t *testing.T) {
	testRenderGolden(t, renderOptions{stable: true})
}

func TestRenderEVPN(t *testing.T) { testRenderGolden(t, renderOptions{}) }

func TestRenderMetalLBWithUserConfig(t *testing.T) {
	testRenderGolden(t, renderOptions{input: "metallb.yaml", stable: true})
}

func TestRenderAlwaysBlockDualStack(t *testing.T) {
	testRenderGolden(t, renderOptions{stable: true, alwaysBlock: []netip.Prefix{
		netip.MustParsePrefix("192.168.1.7/24"), netip.MustParsePrefix("fd00:1::/48"),
	}})
}
