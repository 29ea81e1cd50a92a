package frrcheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/cienv"
)

// requireVtysh skips the test when vtysh is missing, or fails it under CI=true.
func requireVtysh(t *testing.T) {
	t.Helper()
	cienv.SkipIfShort(t, "FRR (vtysh --dryrun)")
	if _, err := os.Stat(DefaultVtysh); err != nil {
		cienv.SkipOrFail(t, "vtysh not installed, skipping the FRR dry run: %v", err)
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

const validConf = `hostname dryrun
ip prefix-list 192.0.2.1-allowed-ipv4 seq 1 permit 198.51.100.0/24
router bgp 64512
  neighbor 192.0.2.1 remote-as 64513
  address-family ipv4 unicast
    neighbor 192.0.2.1 activate
  exit-address-family
`

func TestDryRunAccepts(t *testing.T) {
	requireVtysh(t)
	out, err := DryRun(testContext(t), "", validConf)
	if err != nil {
		t.Fatalf("DryRun rejected a valid configuration: %v\n%s", err, out)
	}
}

func TestDryRunRejects(t *testing.T) {
	requireVtysh(t)
	for name, conf := range map[string]string{
		"unknown command":    validConf + "wrong line\n",
		"incomplete command": validConf + "router bgp 64512\n  neighbor 192.0.2.1 bfd profile\n",
		"bad value":          "ip prefix-list x seq 1 permit 300.0.0.0/8\n",
	} {
		t.Run(name, func(t *testing.T) {
			out, err := DryRun(testContext(t), DefaultVtysh, conf)
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("DryRun error = %v, want ErrRejected; output:\n%s", err, out)
			}
			if !strings.Contains(err.Error(), "line ") {
				t.Errorf("error %q does not name the bad line", err)
			}
		})
	}
}

func TestDryRunMissingBinary(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "vtysh")
	_, err := DryRun(testContext(t), missing, validConf)
	if err == nil || errors.Is(err, ErrRejected) {
		t.Fatalf("DryRun with a missing binary: error = %v, want a run error", err)
	}
}

func TestDryRunCanceled(t *testing.T) {
	requireVtysh(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := DryRun(ctx, "", validConf)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("DryRun with a canceled context: error = %v, want context.Canceled", err)
	}
}

func TestErrorLines(t *testing.T) {
	out := "% Can't open configuration file /etc/frr/vtysh.conf due to 'Permission denied'.\n" +
		"line 4: % Unknown command[25]:  neighbor 1.2.3.4 port 999999\n"
	got := errorLines(out)
	if len(got) != 1 || !strings.HasPrefix(got[0], "line 4: %") {
		t.Errorf("errorLines = %q, want only the line 4 error", got)
	}
}
