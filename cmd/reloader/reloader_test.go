package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var fixedNow = time.Unix(1700000000, 0)

func TestRedact(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{in: "", want: ""},
		{in: "router bgp 64512\n", want: "router bgp 64512\n"},
		{in: " neighbor 192.0.2.2 password s3cret\n", want: " neighbor 192.0.2.2 password <retracted>\n"},
		{in: "password\n", want: "password <retracted>\n"},
		{in: "a password x\nb\nc password y z\n", want: "a password <retracted>\nb\nc password <retracted>\n"},
		{in: "passwordless mode", want: "password <retracted>"},
		{in: "Password upper case", want: "Password upper case"},
	}
	for _, tc := range tests {
		if got := redact(tc.in); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactWriterHoldsPartialLines(t *testing.T) {
	var buf bytes.Buffer
	w := newRedactWriter(&buf)
	for _, chunk := range []string{"neighbor x pass", "word sec", "ret\nnext ", "line\ntail pa", "ssword 1"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "neighbor x password <retracted>\nnext line\ntail password <retracted>\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want config
	}{
		{
			name: "defaults",
			env:  map[string]string{},
			want: config{
				sharedVolume:  "/etc/frr_reloader",
				reloadCmd:     []string{"python3", "/usr/lib/frr/frr-reload.py"},
				vtyshCmd:      []string{"vtysh"},
				fullInterval:  10 * time.Minute,
				watchInterval: 10 * time.Second,
				pidDir:        "/var/run/frr",
				vtyshTimeout:  2 * time.Minute,
				reloadTimeout: 15 * time.Minute,
			},
		},
		{
			name: "blank values mean defaults",
			env:  map[string]string{"FRR_RELOAD_CMD": "  ", "VTYSH_CMD": "\t", "FRR_RELOAD_ARGS": " ", "FRR_RELOADER_MODE": " ", "FRR_RELOADER_FULL_INTERVAL": "soon", "FRR_RELOADER_WATCH_INTERVAL": "-1s", "FRR_RELOADER_PID_DIR": " ", "FRR_RELOADER_VTYSH_TIMEOUT": "-1s"},
			want: config{
				sharedVolume:  "/etc/frr_reloader",
				reloadCmd:     []string{"python3", "/usr/lib/frr/frr-reload.py"},
				vtyshCmd:      []string{"vtysh"},
				fullInterval:  10 * time.Minute,
				watchInterval: 10 * time.Second,
				pidDir:        "/var/run/frr",
				vtyshTimeout:  2 * time.Minute,
				reloadTimeout: 15 * time.Minute,
			},
		},
		{
			name: "overrides split on whitespace",
			env: map[string]string{
				"SHARED_VOLUME":               "/shared",
				"FRR_RELOAD_CMD":              "chroot /root  python3 /usr/lib/frr/frr-reload.py",
				"FRR_RELOAD_ARGS":             "--confdir /c\t--rundir /r ",
				"VTYSH_CMD":                   "vtysh --vty_socket /r",
				"FRR_RELOADER_MODE":           "legacy",
				"FRR_RELOADER_FULL_INTERVAL":  "0",
				"FRR_RELOADER_WATCH_INTERVAL": "2s",
				"FRR_RELOADER_PID_DIR":        "/run/frr/ns1",
				"FRR_RELOADER_VTYSH_TIMEOUT":  "5s",
				"FRR_RELOADER_RELOAD_TIMEOUT": "0",
			},
			want: config{
				sharedVolume:  "/shared",
				reloadCmd:     []string{"chroot", "/root", "python3", "/usr/lib/frr/frr-reload.py", "--confdir", "/c", "--rundir", "/r"},
				vtyshCmd:      []string{"vtysh", "--vty_socket", "/r"},
				legacy:        true,
				watchInterval: 2 * time.Second,
				pidDir:        "/run/frr/ns1",
				vtyshTimeout:  5 * time.Second,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := configFromEnv(func(k string) string { return tc.env[k] })
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(config{})); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestArgv(t *testing.T) {
	base := []string{"python3", "/usr/lib/frr/frr-reload.py", "-N", "x"}
	if diff := cmp.Diff([]string{"python3", "/usr/lib/frr/frr-reload.py", "-N", "x", "--test", "--stdout", "/s/frr.conf"},
		testArgv(base, "/s/frr.conf")); diff != "" {
		t.Errorf("testArgv (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"python3", "/usr/lib/frr/frr-reload.py", "-N", "x", "--reload", "--overwrite", "--stdout", "/s/frr.conf"},
		applyArgv(base, "/s/frr.conf")); diff != "" {
		t.Errorf("applyArgv (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vtysh", "--vty_socket", "/r", "-c", "show running-conf"},
		runningConfigArgv([]string{"vtysh", "--vty_socket", "/r"})); diff != "" {
		t.Errorf("runningConfigArgv (-want +got):\n%s", diff)
	}
	if len(base) != 4 {
		t.Errorf("the base command was modified: %q", base)
	}
}

func TestStatusLine(t *testing.T) {
	if got := statusLine(fixedNow, resultSuccess); got != "1700000000 success" {
		t.Errorf("statusLine = %q", got)
	}
	if got := statusLine(fixedNow, resultFailure); got != "1700000000 failure" {
		t.Errorf("statusLine = %q", got)
	}
}

// fake describes the behaviour of the fake frr-reload.py and vtysh.
type fake struct {
	testExit, reloadExit int
	testOut              string // printed by --test on stdout
	testErr              string // printed by --test on stderr
	reloadOut            string // printed by --reload on stdout and stderr
	running              string // printed by vtysh
}

// fakeVtysh makes the reloader's vtysh a script that logs its call, then
// runs body (shell).
func (h *harness) fakeVtysh(t *testing.T, body string) {
	t.Helper()
	script := writeScript(t, t.TempDir(), "vtysh", fmt.Sprintf("echo \"vtysh $*\" >> %q\n", h.calls)+body)
	h.reload.cfg.vtyshCmd = []string{"/bin/sh", script}
}

// harness is a shared volume with fake commands that log their calls.
type harness struct {
	dir    string
	calls  string
	out    *bytes.Buffer
	reload *reloader
}

func newHarness(t *testing.T, f fake) *harness {
	t.Helper()
	dir := t.TempDir()
	bin := t.TempDir()
	calls := filepath.Join(bin, "calls")
	outputs := map[string]string{"test.out": f.testOut, "test.err": f.testErr, "reload.out": f.reloadOut, "running": f.running}
	for name, content := range outputs {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reloadScript := writeScript(t, bin, "frr-reload", fmt.Sprintf(`cd %[1]q
echo "reload $*" >> calls
case "$*" in
*--test*) cat test.out; cat test.err >&2; exit %[2]d ;;
*--reload*) cat reload.out; cat reload.out >&2; exit %[3]d ;;
esac
exit 99
`, bin, f.testExit, f.reloadExit))
	vtyshScript := writeScript(t, bin, "vtysh", fmt.Sprintf(`cd %q
echo "vtysh $*" >> calls
cat running
`, bin))
	env := map[string]string{
		"SHARED_VOLUME":   dir,
		"FRR_RELOAD_CMD":  "/bin/sh " + reloadScript,
		"FRR_RELOAD_ARGS": "--rundir /run/x",
		"VTYSH_CMD":       "/bin/sh " + vtyshScript + " --vty_socket /run/x",
		// These tests cover upstream's two passes; fast_test.go the default.
		"FRR_RELOADER_MODE": "legacy",
	}
	out := &bytes.Buffer{}
	r := newReloader(configFromEnv(func(k string) string { return env[k] }), out)
	r.now = func() time.Time { return fixedNow }
	r.tempDir = t.TempDir()
	if err := os.WriteFile(r.paths.config, []byte("router bgp 64512\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &harness{dir: dir, calls: calls, out: out, reload: r}
}

func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func (h *harness) file(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (h *harness) callLog(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(h.calls)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func (h *harness) check(t *testing.T, wantStatus, wantLastError, wantRunning string, wantCalls []string) {
	t.Helper()
	if got := h.file(t, ".status"); got != wantStatus {
		t.Errorf(".status = %q, want %q", got, wantStatus)
	}
	if got := h.file(t, "last-error"); got != wantLastError {
		t.Errorf("last-error = %q, want %q", got, wantLastError)
	}
	if got := h.file(t, "running-config"); got != wantRunning {
		t.Errorf("running-config = %q, want %q", got, wantRunning)
	}
	if diff := cmp.Diff(wantCalls, h.callLog(t)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if strings.Contains(h.out.String(), "s3cret") {
		t.Errorf("stdout shows a password:\n%s", h.out.String())
	}
}

func callsFor(h *harness, steps ...string) []string {
	var calls []string
	for _, s := range steps {
		switch s {
		case "test":
			calls = append(calls, "reload --rundir /run/x --test --stdout "+h.reload.paths.config)
		case "reload":
			calls = append(calls, "reload --rundir /run/x --reload --overwrite --stdout "+h.reload.paths.config)
		case "vtysh":
			calls = append(calls, "vtysh --vty_socket /run/x -c show running-conf")
		}
	}
	return calls
}

func TestReloadSuccess(t *testing.T) {
	h := newHarness(t, fake{
		testOut:   "Lines To Add\n neighbor 192.0.2.2 password s3cret\n",
		testErr:   "INFO: loading\n",
		reloadOut: "applied password s3cret\n",
		running:   "router bgp 64512\n neighbor 192.0.2.2 password s3cret\n",
	})
	if err := os.WriteFile(filepath.Join(h.dir, "last-error"), []byte("old error"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.reload.reload()
	h.check(t, "1700000000 success", "\n", "router bgp 64512\n neighbor 192.0.2.2 password s3cret\n",
		callsFor(h, "test", "reload", "vtysh"))
	for _, want := range []string{" neighbor 192.0.2.2 password <retracted>\n", "applied password <retracted>\n", "FRR reloaded successfully!"} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, h.out.String())
		}
	}
}

func TestReloadCheckFailure(t *testing.T) {
	h := newHarness(t, fake{
		testExit: 1,
		testOut:  "Lines To Delete\n",
		testErr:  "ERROR: vtysh failed: line 3: % Unknown command: neighbor x password s3cret\n",
		running:  "running before\n",
	})
	h.reload.reload()
	h.check(t, "1700000000 failure",
		"Lines To Delete\nERROR: vtysh failed: line 3: % Unknown command: neighbor x password <retracted>\n",
		"running before\n", callsFor(h, "test", "vtysh"))
	for _, want := range []string{"Syntax error spotted", "% Unknown command: neighbor x password <retracted>\n"} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, h.out.String())
		}
	}
}

func TestReloadApplyFailure(t *testing.T) {
	h := newHarness(t, fake{
		reloadExit: 1,
		testOut:    "Lines To Add\n bad line\n",
		reloadOut:  "Failure to communicate[13] to bgpd, line:  bad line\n",
		running:    "partially applied\n",
	})
	h.reload.reload()
	h.check(t, "1700000000 failure", "Lines To Add\n bad line\n", "partially applied\n",
		callsFor(h, "test", "reload", "vtysh"))
	for _, want := range []string{"Failed to fully apply", "Failure to communicate[13] to bgpd"} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, h.out.String())
		}
	}
}

func TestReloadCommandMissing(t *testing.T) {
	h := newHarness(t, fake{running: "running\n"})
	h.reload.cfg.reloadCmd = []string{filepath.Join(t.TempDir(), "no-such-command")}
	h.reload.reload()
	if got := h.file(t, ".status"); got != "1700000000 failure" {
		t.Errorf(".status = %q, want a failure", got)
	}
	if got := h.file(t, "last-error"); !strings.Contains(got, "no-such-command") {
		t.Errorf("last-error = %q, want the reason the command did not run", got)
	}
	if got := h.file(t, "running-config"); got != "running\n" {
		t.Errorf("running-config = %q, want it refreshed", got)
	}
}

// TestReloadRunningConfigCommandFails keeps upstream's behaviour: the output
// of a failed vtysh (here nothing) replaces running-config.
func TestReloadRunningConfigCommandFails(t *testing.T) {
	h := newHarness(t, fake{})
	h.reload.cfg.vtyshCmd = []string{"/bin/sh", "-c", "echo vtysh down >&2; exit 1"}
	if err := os.WriteFile(h.reload.paths.runningConfig, []byte("stale\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.reload.reload()
	if got := h.file(t, "running-config"); got != "" {
		t.Errorf("running-config = %q, want the (empty) output of the failed command", got)
	}
	if got := h.file(t, ".status"); got != "1700000000 success" {
		t.Errorf(".status = %q, want success (the reload itself worked)", got)
	}
	if !strings.Contains(h.out.String(), "vtysh down") {
		t.Errorf("stdout lacks vtysh's error:\n%s", h.out.String())
	}
}

// TestReloadsAreSerialized runs reloads of two reloaders on the same volume
// concurrently; the fake frr-reload records any overlap.
func TestReloadsAreSerialized(t *testing.T) {
	h := newHarness(t, fake{})
	marks := t.TempDir()
	script := writeScript(t, t.TempDir(), "slow-reload", fmt.Sprintf(`
mkdir %[1]q/inflight 2>/dev/null || echo overlap >> %[1]q/overlaps
echo "$*" >> %[1]q/calls
sleep 0.05
rmdir %[1]q/inflight
`, marks))
	h.reload.cfg.reloadCmd = []string{"/bin/sh", script}
	other := *h.reload
	other.out = newRedactWriter(&bytes.Buffer{})

	var wg sync.WaitGroup
	for i := range 6 {
		r := h.reload
		if i%2 == 1 {
			r = &other
		}
		wg.Go(r.reload)
	}
	wg.Wait()
	if b, err := os.ReadFile(filepath.Join(marks, "overlaps")); err == nil {
		t.Errorf("reloads overlapped: %q", b)
	}
	b, err := os.ReadFile(filepath.Join(marks, "calls"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 12 {
		t.Errorf("frr-reload ran %d times, want 12 (test and reload for each of 6 reloads)", n)
	}
}

func TestStartAndStop(t *testing.T) {
	h := newHarness(t, fake{})
	h.reload.pidValue = 4242
	for _, f := range []string{h.reload.paths.pid, h.reload.paths.lock} {
		if err := os.WriteFile(f, []byte("stale\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.reload.start(); err != nil {
		t.Fatal(err)
	}
	if got := h.file(t, "reloader.pid"); got != strconv.Itoa(4242) {
		t.Errorf("reloader.pid = %q, want 4242 without a newline", got)
	}
	if got := h.file(t, "lock"); got != "" {
		t.Errorf("lock = %q, want a fresh empty file", got)
	}
	h.reload.stop()
	for _, f := range []string{h.reload.paths.pid, h.reload.paths.lock} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists after stop (%v)", f, err)
		}
	}
}

func TestStartFailsWithoutVolume(t *testing.T) {
	r := newReloader(config{sharedVolume: filepath.Join(t.TempDir(), "missing")}, &bytes.Buffer{})
	if err := r.start(); err == nil {
		t.Fatal("start succeeded without a shared volume")
	}
}
