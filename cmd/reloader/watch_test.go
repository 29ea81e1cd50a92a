package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/frr/confdiff"
	"github.com/google/go-cmp/cmp"
)

func TestPidFilesMatch(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "zebra.pid"), "10\n")
	writeFile(t, filepath.Join(dir, "bgpd.pid"), "20\n")
	writeFile(t, filepath.Join(dir, "bfdd.pid"), "not a pid\n")
	tests := []struct {
		name    string
		pids    map[string]int
		wantErr string
	}{
		{name: "match", pids: map[string]int{"zebra": 10, "bgpd": 20}},
		{name: "restarted", pids: map[string]int{"zebra": 10, "bgpd": 21}, wantErr: "bgpd.pid holds 20, recorded 21"},
		{name: "no file", pids: map[string]int{"staticd": 5}, wantErr: "no such file"},
		{name: "garbage", pids: map[string]int{"bfdd": 5}, wantErr: "invalid syntax"},
		{name: "nothing recorded", wantErr: "no daemon recorded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := pidFilesMatch(dir, tc.pids)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("pidFilesMatch = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("pidFilesMatch = %v, want an error with %q", err, tc.wantErr)
			}
		})
	}
}

func TestWatchfrrNotUp(t *testing.T) {
	out := `watchfrr global phase: Idle
 Restart Command: "/usr/lib/frr/watchfrr.sh restart %s"
 Min Restart Interval: 60
  zebra                Up
  bgpd                 Down
  bfdd                 Up
  staticd              Restarting
`
	got := watchfrrNotUp(out, map[string]int{"zebra": 1, "bgpd": 2, "bfdd": 3, "watchfrr": 4})
	if diff := cmp.Diff([]string{"bgpd"}, got); diff != "" {
		t.Errorf("not up (-want +got):\n%s", diff)
	}
	if got := watchfrrNotUp("% watchfrr is not running\n", map[string]int{"bgpd": 2}); got != nil {
		t.Errorf("not up without watchfrr = %q", got)
	}
}

// watchHarness is the fast path's harness with a vtysh whose `show
// modules` and `show watchfrr` answers are files of the test (modules,
// watchfrr), pid files in pidDir, and a successful apply on record.
type watchHarness struct {
	*harness
	bin, pidDir string
	w           restartWatch
}

func newWatchHarness(t *testing.T, f fake) *watchHarness {
	t.Helper()
	h := &watchHarness{harness: newHarness(t, f), bin: t.TempDir(), pidDir: t.TempDir()}
	h.reload.cfg.legacy = false
	h.reload.cfg.watchInterval = time.Second
	h.reload.cfg.pidDir = h.pidDir
	vtysh := writeScript(t, h.bin, "vtysh", fmt.Sprintf(`cd %q
echo "vtysh $*" >> %q
case "$*" in
*"show modules"*) cat modules ;;
*"show watchfrr"*) cat watchfrr ;;
*"show running-conf"*) echo "router bgp 64512" ;;
esac
`, h.bin, h.calls))
	h.reload.cfg.vtyshCmd = []string{"/bin/sh", vtysh}
	h.setDaemons(t, map[string]int{"zebra": 10, "bgpd": 20}, "Up")
	h.reload.remember("router bgp 64512\n", confdiff.Parse("router bgp 64512\n"), map[string]int{"zebra": 10, "bgpd": 20}, "router bgp 64512\n")
	return h
}

// setDaemons makes FRR run pids: in `show modules` and the pid files, with
// state for every daemon in `show watchfrr`.
func (h *watchHarness) setDaemons(t *testing.T, pids map[string]int, state string) {
	t.Helper()
	var modules, watchfrr strings.Builder
	watchfrr.WriteString("watchfrr global phase: Idle\n")
	for name, pid := range pids {
		fmt.Fprintf(&modules, "Module information for %s:\npid: %d\n\n", name, pid)
		fmt.Fprintf(&watchfrr, "  %-20s %s\n", name, state)
		writeFile(t, filepath.Join(h.pidDir, name+".pid"), fmt.Sprintf("%d\n", pid))
	}
	writeFile(t, filepath.Join(h.bin, "modules"), modules.String())
	writeFile(t, filepath.Join(h.bin, "watchfrr"), watchfrr.String())
}

// check runs one check of the watcher and returns the commands it ran and
// what it printed.
func (h *watchHarness) check(t *testing.T) ([]string, string) {
	t.Helper()
	_ = os.Remove(h.calls)
	before := h.out.Len()
	h.reload.checkRestarts(&h.w)
	calls := h.callLog(t)
	if len(calls) == 1 && calls[0] == "" {
		calls = nil
	}
	return calls, h.out.String()[before:]
}

// TestWatcherRepairsRestartedDaemon: bgpd's new pid file leads to `show
// modules`, `show watchfrr`, then a reload whose apply is the repair:
// `vtysh -f frr.conf` before frr-reload.py --reload, with a success in the
// result files and the new pids on record. Unchanged pid files cost no
// command.
func TestWatcherRepairsRestartedDaemon(t *testing.T) {
	h := newWatchHarness(t, fake{})
	if calls, _ := h.check(t); calls != nil {
		t.Errorf("a check with unchanged pid files ran %q", calls)
	}

	h.setDaemons(t, map[string]int{"zebra": 10, "bgpd": 21}, "Up")
	calls, out := h.check(t)
	conf := h.reload.paths.config
	want := []string{
		"vtysh -c show modules",
		"vtysh -c show watchfrr",
		"vtysh -c show modules",
		"vtysh -f " + conf,
		"vtysh -c show running-conf", // the move pass
		"reload --rundir /run/x --reload --overwrite --stdout " + conf,
		"vtysh -c show running-conf",
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	for _, w := range []string{restartRepairing + " (map[bgpd:21 zebra:10], before map[bgpd:20 zebra:10]): repairing", markRepair, "FRR reloaded successfully!", restartRepaired} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, reloadFinished) {
		t.Errorf("the repair printed %q, which counts SIGHUPs:\n%s", reloadFinished, out)
	}
	if got := h.file(t, ".status"); got != "1700000000 success" {
		t.Errorf(".status = %q", got)
	}
	if got := h.file(t, "last-error"); got != "\n" {
		t.Errorf("last-error = %q", got)
	}
	if got := h.file(t, "running-config"); got != "router bgp 64512\n" {
		t.Errorf("running-config = %q", got)
	}
	if diff := cmp.Diff(map[string]int{"zebra": 10, "bgpd": 21}, h.reload.state.pids); diff != "" {
		t.Errorf("recorded pids (-want +got):\n%s", diff)
	}
	if calls, _ := h.check(t); calls != nil {
		t.Errorf("the check after the repair ran %q", calls)
	}
}

// TestWatcherWaits: no repair while a recorded daemon is missing from `show
// modules` or watchfrr does not see it up (the full apply's save would
// fail), nor before a successful apply; each condition is logged once.
func TestWatcherWaits(t *testing.T) {
	h := newWatchHarness(t, fake{})
	onlyChecks := func(step string, calls []string, want ...string) {
		t.Helper()
		if diff := cmp.Diff(want, calls); diff != "" {
			t.Errorf("%s: calls (-want +got):\n%s", step, diff)
		}
	}

	h.setDaemons(t, map[string]int{"zebra": 10}, "Up")
	writeFile(t, filepath.Join(h.pidDir, "bgpd.pid"), "21\n")
	calls, out := h.check(t)
	onlyChecks("bgpd down", calls, "vtysh -c show modules")
	if !strings.Contains(out, "FRR daemons [bgpd] are not running: the repair waits for them") {
		t.Errorf("bgpd down: output %q", out)
	}
	if _, out := h.check(t); out != "" {
		t.Errorf("the same condition was logged again: %q", out)
	}

	h.setDaemons(t, map[string]int{"zebra": 10, "bgpd": 21}, "Down")
	calls, out = h.check(t)
	onlyChecks("bgpd not up for watchfrr", calls, "vtysh -c show modules", "vtysh -c show watchfrr")
	if !strings.Contains(out, "FRR daemons [bgpd zebra] are not up for watchfrr yet") {
		t.Errorf("watchfrr: output %q", out)
	}

	h.reload.forget()
	if calls, _ := h.check(t); calls != nil {
		t.Errorf("a check without a successful apply ran %q", calls)
	}
}

// TestWatcherRetriesFailedRepair: a repair whose apply fails keeps the
// record from before it, so the next reload repairs too, and the watcher
// tries again after a back-off.
func TestWatcherRetriesFailedRepair(t *testing.T) {
	h := newWatchHarness(t, fake{reloadExit: 1, reloadOut: "ERROR: vtysh returned status 1 for command \"write\"\n"})
	h.setDaemons(t, map[string]int{"zebra": 10, "bgpd": 21}, "Up")
	_, out := h.check(t)
	if !strings.Contains(out, "Restart repair failed: trying again in 2s") {
		t.Errorf("output lacks the retry:\n%s", out)
	}
	if got := h.file(t, ".status"); got != "1700000000 failure" {
		t.Errorf(".status = %q", got)
	}
	if diff := cmp.Diff(map[string]int{"zebra": 10, "bgpd": 20}, h.reload.state.pids); diff != "" || h.reload.state.conf == "" {
		t.Errorf("record after a failed repair (-want +got):\n%s", diff)
	}
	// Within the back-off: no repair.
	calls, _ := h.check(t)
	if diff := cmp.Diff([]string{"vtysh -c show modules", "vtysh -c show watchfrr"}, calls); diff != "" {
		t.Errorf("calls within the back-off (-want +got):\n%s", diff)
	}
	// A reload meanwhile repairs.
	_ = os.Remove(h.calls)
	h.reload.reload()
	if calls := h.callLog(t); !cmp.Equal(calls[len(calls)-4:len(calls)-1], []string{"vtysh -f " + h.reload.paths.config, "vtysh -c show running-conf", "reload --rundir /run/x --reload --overwrite --stdout " + h.reload.paths.config}) {
		t.Errorf("the reload after a failed repair did not repair: %q", calls)
	}
}

// TestWatcherSkipsRejectedFile: when the repair's reload stops at the
// syntax check (a newer frr.conf is rejected), the watcher does not try
// again for the same daemons.
func TestWatcherSkipsRejectedFile(t *testing.T) {
	h := newWatchHarness(t, fake{})
	script := filepath.Join(h.bin, "vtysh")
	body, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, script, strings.Replace(string(body), "case \"$*\" in\n", "case \"$*\" in\n*--dryrun*) echo '% Unknown command'; exit 2 ;;\n", 1))
	writeFile(t, h.reload.paths.config, "router bgp 64512\n bad line\n")
	h.setDaemons(t, map[string]int{"zebra": 10, "bgpd": 21}, "Up")
	if _, out := h.check(t); !strings.Contains(out, "Syntax error spotted") {
		t.Fatalf("output lacks the rejection:\n%s", out)
	}
	calls, _ := h.check(t)
	if diff := cmp.Diff([]string{"vtysh -c show modules"}, calls); diff != "" {
		t.Errorf("calls after a rejected repair (-want +got):\n%s", diff)
	}
}

// TestPeriodicFullApplyRepairs: the periodic full apply repairs when the
// daemons changed since the last apply (watcher off), and is a plain
// frr-reload.py --reload otherwise.
func TestPeriodicFullApplyRepairs(t *testing.T) {
	h := newWatchHarness(t, fake{})
	conf := h.reload.paths.config
	full := "reload --rundir /run/x --reload --overwrite --stdout " + conf
	_ = os.Remove(h.calls)
	h.reload.reloadFast(true)
	if diff := cmp.Diff([]string{"vtysh --dryrun -f " + conf, "vtysh -c show modules", "vtysh -c show running-conf", full, "vtysh -c show running-conf", "vtysh -c show modules"}, h.callLog(t)); diff != "" {
		t.Errorf("calls with the same daemons (-want +got):\n%s", diff)
	}

	h.setDaemons(t, map[string]int{"zebra": 10, "bgpd": 21}, "Up")
	_ = os.Remove(h.calls)
	h.reload.reloadFast(true)
	if diff := cmp.Diff([]string{"vtysh --dryrun -f " + conf, "vtysh -c show modules", "vtysh -f " + conf, "vtysh -c show running-conf", full, "vtysh -c show running-conf"}, h.callLog(t)); diff != "" {
		t.Errorf("calls after a restart (-want +got):\n%s", diff)
	}
	if got := h.file(t, ".status"); got != "1700000000 success" {
		t.Errorf(".status = %q", got)
	}
	if diff := cmp.Diff(map[string]int{"zebra": 10, "bgpd": 21}, h.reload.state.pids); diff != "" {
		t.Errorf("recorded pids (-want +got):\n%s", diff)
	}
}
