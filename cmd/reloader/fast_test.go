package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frrk8s/frrk8s/internal/frr/confdiff"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

func TestParseModulePids(t *testing.T) {
	out := `Module information for zebra:
Module Name  Version                   Description

libfrr       8.4.4                     libfrr core module
zebra        8.4.4                     zebra daemon
pid: 15206

Module information for bgpd:
Module Name  Version                   Description
bgpd         8.4.4                     bgpd daemon
pid: 15215

Module information for mgmtd:
pid: 7
pid: 8
% bfdd is not running
`
	want := map[string]int{"zebra": 15206, "bgpd": 15215, "mgmtd": 7}
	if diff := cmp.Diff(want, parseModulePids(out)); diff != "" {
		t.Errorf("pids (-want +got):\n%s", diff)
	}
}

func TestReloadTestChanges(t *testing.T) {
	tests := []struct {
		name, out string
		want      []string
	}{
		{name: "nothing", out: "2026 INFO: Called via\n2026 INFO: Loading Config object\n"},
		{name: "headers only", out: "INFO: x\n\nLines To Delete\n===============\n\nLines To Add\n============\n"},
		{
			name: "both",
			out:  "INFO: x\n\nLines To Delete\n===============\nno hostname vm\n\nLines To Add\n============\nip nht resolve-via-default\nrouter bgp 1\n neighbor x\n",
			want: []string{"no hostname vm", "router bgp 1", " neighbor x"},
		},
		{
			name: "FRR 10's invisible defaults",
			out:  "INFO: x\n\nLines To Add\n============\nip nht resolve-via-default\nipv6 nht resolve-via-default\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, reloadTestChanges(tc.out)); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCleanOutput(t *testing.T) {
	in := "\x1b[31m2026 ERROR: vtysh failed\x1b[0m\r\n\x1b]0;title\x07ok\ttab\x1b(B\n"
	if got, want := cleanOutput(in), "2026 ERROR: vtysh failed\nok\ttab\n"; got != want {
		t.Errorf("cleanOutput = %q, want %q", got, want)
	}
	var buf bytes.Buffer
	w := newCleanWriter(&buf)
	for _, chunk := range []string{"a\x1b[3", "1mred\x1b[0m\nb", "\x1b[1m"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "ared\nb\n"; got != want {
		t.Errorf("cleanWriter wrote %q, want %q", got, want)
	}
}

func TestStartupOnly(t *testing.T) {
	for text, want := range map[string]bool{
		"": true,
		"frr version 10.3\nhostname x\nlog stdout\n!\nend\n": true,
		"router bgp 1\n":                      false,
		"ip prefix-list x seq 1 permit any\n": false,
		"route-map x permit 1\n":              false,
		"bfd\n profile p\n":                   true,
	} {
		if got := startupOnly(text); got != want {
			t.Errorf("startupOnly(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestFastReloadCheckFailure: a file the dry run rejects never reaches
// frr-reload.py, and last-error holds the dry run's redacted output.
func TestFastReloadCheckFailure(t *testing.T) {
	h := newHarness(t, fake{running: "running before\n"})
	h.reload.cfg.legacy = false
	h.fakeVtysh(t, `case "$*" in
*--dryrun*) printf 'line 3: %% Unknown command[25]: \033[31mneighbor x password s3cret\033[0m\n'; exit 2 ;;
esac
echo "running before"
`)
	h.reload.reload()
	h.check(t, "1700000000 failure", "line 3: % Unknown command[25]: neighbor x password <retracted>\n", "running before\n", []string{
		"vtysh --dryrun -f " + h.reload.paths.config,
		"vtysh -c show running-conf",
	})
	if !strings.Contains(h.out.String(), "Syntax error spotted") {
		t.Errorf("stdout lacks the syntax error:\n%s", h.out.String())
	}
}

// TestFastReloadApplyFailure: a failed full apply leaves its own output in
// last-error and forgets the applied state.
func TestFastReloadApplyFailure(t *testing.T) {
	h := newHarness(t, fake{
		reloadExit: 1,
		reloadOut:  "\x1b[31mERROR: Failure to communicate[13] to bgpd, line: neighbor x password s3cret\x1b[0m\n",
		running:    "router bgp 64512\n",
	})
	h.reload.cfg.legacy = false
	h.reload.state = applied{conf: "old", file: confdiff.Parse("old"), pids: map[string]int{"bgpd": 1}}
	if err := os.WriteFile(h.reload.paths.lastApplied, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.reload.reload()
	if got := h.file(t, ".status"); got != "1700000000 failure" {
		t.Errorf(".status = %q", got)
	}
	le := h.file(t, "last-error")
	if want := "ERROR: Failure to communicate[13] to bgpd, line: neighbor x password <retracted>\n"; !strings.Contains(le, want) || strings.Contains(le, "\x1b") {
		t.Errorf("last-error = %q, want it to contain %q without escapes", le, want)
	}
	if strings.Contains(h.out.String(), "\x1b") || strings.Contains(h.out.String(), "s3cret") {
		t.Errorf("stdout has escapes or a password:\n%q", h.out.String())
	}
	if h.reload.state.conf != "" {
		t.Errorf("the applied state survived a failed apply")
	}
	if _, err := os.Stat(h.reload.paths.lastApplied); !os.IsNotExist(err) {
		t.Errorf("last-applied.conf survived a failed apply (%v)", err)
	}
}

// TestProcessChildrenDieWithReloader kills the reloader while frr-reload
// runs: the child must not outlive it.
func TestProcessChildrenDieWithReloader(t *testing.T) {
	dir := t.TempDir()
	bin := t.TempDir()
	pidFile := filepath.Join(bin, "child.pid")
	reload := writeScript(t, bin, "frr-reload", fmt.Sprintf(`echo $$ > %q.tmp; mv %[1]q.tmp %[1]q; exec sleep 60`, pidFile))
	p := startProcess(t, dir, "FRR_RELOAD_CMD=/bin/sh "+reload, "VTYSH_CMD=/bin/true", "FRR_RELOADER_MODE=legacy")
	writeFile(t, p.volume.config, "router bgp 64512\n")
	p.signal(t, syscall.SIGHUP)
	var pid int
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		b, err := os.ReadFile(pidFile)
		if err != nil {
			return false, err.Error()
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil, fmt.Sprintf("child pid %q: %v", b, err)
	})
	p.signal(t, syscall.SIGKILL)
	<-p.done
	frrtest.WaitFor(t, 10*time.Second, func() (bool, string) {
		err := syscall.Kill(pid, 0)
		if err == nil {
			// A zombie is gone for good: only its parent has not reaped it.
			if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); strings.Contains(string(b), ") Z ") {
				return true, ""
			}
		}
		return err != nil, fmt.Sprintf("child %d still runs after the reloader was killed", pid)
	})
}

// TestPeriodicFullApply: after a successful reload and the idle interval,
// the reloader applies the file again with frr-reload.py --reload.
func TestPeriodicFullApply(t *testing.T) {
	h := newHarness(t, fake{})
	h.reload.cfg.legacy = false
	h.reload.cfg.fullInterval = 300 * time.Millisecond
	h.fakeVtysh(t, `case "$*" in
*"show modules"*) printf 'Module information for bgpd:\npid: 42\n' ;;
esac
`)
	h.reload.reload()
	if got := h.file(t, ".status"); got != "1700000000 success" {
		t.Fatalf(".status = %q after the cold load:\n%s", got, h.out.String())
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		h.reload.periodicFullApply(stop)
		close(done)
	}()
	defer func() {
		close(stop)
		<-done
	}()
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		for _, c := range h.callLog(t) {
			if strings.Contains(c, "--reload --overwrite") {
				return true, ""
			}
		}
		return false, fmt.Sprintf("no full apply yet: %q", h.callLog(t))
	})
}

func TestSummarize(t *testing.T) {
	if got := summarize("short\n"); got != "short\n" {
		t.Errorf("summarize changed a short output: %q", got)
	}
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "2026 INFO: applying line %d of a large configuration\n", i)
		if i == 10 {
			b.WriteString("2026 ERROR: Failure to communicate[13] to bgpd, line: bad\n")
		}
	}
	got := summarize(b.String())
	if len(got) > maxLastError+200 {
		t.Errorf("summary is %d bytes", len(got))
	}
	for _, want := range []string{"bytes of output cut", "ERROR: Failure to communicate[13] to bgpd", "line 4999 of"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "line 100 of") {
		t.Errorf("summary kept an INFO line from the middle")
	}
}

// TestFailureHidesPasswordsByValue: FRR echoes a rejected line without the
// password keyword (here the second half of a password split by a newline):
// the value is still hidden in last-error and on stdout, because the
// reloader knows every password of the file it applies.
func TestFailureHidesPasswordsByValue(t *testing.T) {
	h := newHarness(t, fake{running: "running before\n"})
	h.reload.cfg.legacy = false
	conf := "router bgp 64512\n neighbor 192.0.2.2 password first\n lEaKeDhAlF\n"
	if err := os.WriteFile(h.reload.paths.config, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	h.fakeVtysh(t, `case "$*" in
*--dryrun*) printf 'line 3: %% Unknown command[25]: lEaKeDhAlF first\n'; exit 2 ;;
esac
echo "running before"
`)
	h.reload.reload()
	le := h.file(t, "last-error")
	if strings.Contains(le, "first") || strings.Contains(h.out.String(), "first") {
		t.Errorf("a password value survived:\nlast-error: %q\nstdout: %q", le, h.out.String())
	}
	if !strings.Contains(le, "Unknown command") {
		t.Errorf("last-error lost the error: %q", le)
	}
}

// TestIncrementalApplyTimeout: a vtysh -f that never ends (FRR 10 waiting
// for a configuration lock another session holds) is killed after its
// bound; the reload fails at once, without a full apply that would wait
// on the same lock, says why in last-error and forgets the applied state.
func TestIncrementalApplyTimeout(t *testing.T) {
	h := newHarness(t, fake{})
	h.reload.cfg.legacy = false
	h.reload.cfg.vtyshTimeout = 300 * time.Millisecond
	bin := t.TempDir()
	pidFile := filepath.Join(bin, "stuck.pid")
	vtysh := writeScript(t, bin, "vtysh", fmt.Sprintf(`echo "vtysh $*" >> %q
case "$*" in
*"show modules"*) printf 'Module information for bgpd:\npid: 42\n' ;;
*--dryrun*) ;;
*incremental.conf*) echo $$ > %q; exec sleep 60 ;;
*) echo "router bgp 64512" ;;
esac
`, h.calls, pidFile))
	h.reload.cfg.vtyshCmd = []string{"/bin/sh", vtysh}
	old := "ip prefix-list l seq 1 permit 192.0.2.1/32\n"
	h.reload.state = applied{conf: old, file: confdiff.Parse(old), pids: map[string]int{"bgpd": 42}}
	if err := os.WriteFile(h.reload.paths.config, []byte(old+"ip prefix-list l seq 2 permit 192.0.2.2/32\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	h.reload.reload()
	if took := time.Since(started); took > 30*time.Second {
		t.Errorf("the reload took %v: the stuck vtysh was not killed", took)
	}
	if got := h.file(t, ".status"); got != "1700000000 failure" {
		t.Errorf(".status = %q", got)
	}
	if le := h.file(t, "last-error"); !strings.Contains(le, "timed out after 400ms") || !strings.Contains(le, "configuration lock") {
		t.Errorf("last-error does not explain the timeout: %q", le)
	}
	for _, c := range h.callLog(t) {
		if strings.Contains(c, "--reload") {
			t.Errorf("a full apply followed the timeout: %q", h.callLog(t))
		}
	}
	if h.reload.state.conf != "" {
		t.Errorf("the applied state survived a timed-out apply")
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := syscall.Kill(pid, 0); err == nil {
		if stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); !strings.Contains(string(stat), ") Z ") {
			t.Errorf("the stuck vtysh %d still runs", pid)
		}
	}
}

// TestFullApplyAgainAfterDeletions: a full apply that deleted lines is
// checked with frr-reload.py --test, and applied once more when that still
// finds differences (frr-reload.py's deletion order left a line behind);
// one without deletions is not checked.
func TestFullApplyAgainAfterDeletions(t *testing.T) {
	const left = "Lines To Delete\n===============\nrouter bgp 64512\n neighbor 192.0.2.2 bfd\n"
	tests := []struct {
		name      string
		reloadOut string
		testOut   string
		want      []string // frr-reload.py calls, by their first flag
	}{
		{name: "nothing deleted", reloadOut: "INFO: Executed \"router bgp 64512  neighbor 192.0.2.2 bfd\"\n", testOut: left, want: []string{"--reload"}},
		{name: "deleted, nothing left", reloadOut: "INFO: Executed \"router bgp 64512  no neighbor 192.0.2.2 bfd\"\n", want: []string{"--reload", "--test"}},
		{name: "deleted, a line left", reloadOut: "INFO: Executed \"router bgp 64512  no neighbor 192.0.2.2 bfd\"\n", testOut: left, want: []string{"--reload", "--test", "--reload"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, fake{reloadOut: tc.reloadOut, testOut: tc.testOut, running: "router bgp 64512\n"})
			if _, err := h.reload.applyFull(""); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range h.callLog(t) {
				if rest, ok := strings.CutPrefix(c, "reload "); ok {
					for _, f := range strings.Fields(rest) {
						if f == "--reload" || f == "--test" {
							got = append(got, f)
						}
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("frr-reload.py calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStepTimeout(t *testing.T) {
	h := newHarness(t, fake{})
	r := h.reload
	r.cfg.vtyshTimeout, r.cfg.reloadTimeout = 2*time.Minute, 15*time.Minute
	small := filepath.Join(t.TempDir(), "incremental.conf")
	large := filepath.Join(t.TempDir(), "moves.conf")
	writeFile(t, small, strings.Repeat("ip prefix-list l seq 1 permit 192.0.2.1/32\n", 6))
	writeFile(t, large, strings.Repeat("ip prefix-list l seq 1 permit 192.0.2.1/32\n", 8024))
	vtysh := func(args ...string) []string { return slices.Concat(r.cfg.vtyshCmd, args) }
	for _, tc := range []struct {
		argv []string
		want time.Duration
	}{
		{testArgv(r.cfg.reloadCmd, r.paths.config), 15 * time.Minute},
		{applyArgv(r.cfg.reloadCmd, r.paths.config), 15 * time.Minute},
		{vtysh("-f", r.paths.config), 15 * time.Minute},
		{vtysh("--dryrun", "-f", r.paths.config), 2 * time.Minute},
		{vtysh("-c", "show running-conf"), 2 * time.Minute},
		{vtysh("-f", small), 2*time.Minute + 600*time.Millisecond},
		{vtysh("-f", large), 15 * time.Minute},
	} {
		if got := r.stepTimeout(tc.argv); got != tc.want {
			t.Errorf("stepTimeout(%q) = %v, want %v", r.stepName(tc.argv), got, tc.want)
		}
	}
}
