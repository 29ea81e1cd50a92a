package frr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/frrk8s/frrk8s/internal/cienv"
)

var (
	sighupOnce  sync.Once
	sighupCount atomic.Int64
)

// sighups counts the SIGHUPs this test process receives. Once subscribed,
// the subscription is never stopped, so a late signal cannot end the
// process.
func sighups() *atomic.Int64 {
	sighupOnce.Do(func() {
		ch := make(chan os.Signal, 16)
		signal.Notify(ch, syscall.SIGHUP)
		go func() {
			for range ch {
				sighupCount.Add(1)
			}
		}()
	})
	return &sighupCount
}

// writeOwnPID writes this process's pid, with surrounding whitespace, to a
// pid file in dir.
func writeOwnPID(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "reloader.pid")
	if err := os.WriteFile(path, []byte(" "+strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWriteConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "frr.conf")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"hostname a\n", "hostname b\npassword x\n", ""} {
		if err := WriteConfig(path, text); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != text {
			t.Errorf("content = %q, want %q", b, text)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("mode = %o, want 600", mode)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteConfigErrors(t *testing.T) {
	dir := t.TempDir()
	if err := WriteConfig(filepath.Join(dir, "missing", "frr.conf"), "x"); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	// The target is a directory: the rename fails and the temp file goes.
	target := filepath.Join(dir, "frr.conf")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteConfig(target, "x"); err == nil {
		t.Error("replacing a non-empty directory succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestSignalReloader(t *testing.T) {
	count := sighups()
	before := count.Load()
	pidFile := writeOwnPID(t, t.TempDir())
	if _, err := SignalReloader(pidFile); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "SIGHUP", func() bool { return count.Load() > before })
}

func TestSignalReloaderErrors(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]string{
		"empty":          "",
		"not a number":   "reloader",
		"zero":           "0",
		"negative":       "-1",
		"two numbers":    "12 13",
		"hexadecimal":    "0x10",
		"no such pid":    "2147483647",
		"beyond an int":  "99999999999999999999",
		"fractional pid": "12.5",
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := SignalReloader(path); err == nil {
				t.Errorf("pid file %q accepted", content)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := SignalReloader(filepath.Join(dir, "absent"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want a not-exist error", err)
		}
	})
}

func TestPathOrEnv(t *testing.T) {
	t.Setenv(EnvConfigFile, "")
	t.Setenv(EnvPIDFile, "")
	f := &FRR{opts: withDefaults(Options{})}
	if got := f.configFile(); got != "/etc/frr_reloader/frr.conf" {
		t.Errorf("default config file = %q", got)
	}
	if got := f.pidFile(); got != "/etc/frr_reloader/reloader.pid" {
		t.Errorf("default pid file = %q", got)
	}
	if f.opts.StatusDir != "/etc/frr_reloader" {
		t.Errorf("default status dir = %q", f.opts.StatusDir)
	}
	if f.opts.Debounce != 3*time.Second {
		t.Errorf("default debounce = %v", f.opts.Debounce)
	}

	// The environment is read when used.
	t.Setenv(EnvConfigFile, "/tmp/x/frr.conf")
	t.Setenv(EnvPIDFile, "/tmp/x/reloader.pid")
	if got := f.configFile(); got != "/tmp/x/frr.conf" {
		t.Errorf("config file from the environment = %q", got)
	}
	if got := f.pidFile(); got != "/tmp/x/reloader.pid" {
		t.Errorf("pid file from the environment = %q", got)
	}

	// Explicit options win.
	f = &FRR{opts: withDefaults(Options{ConfigFile: "/a/frr.conf", PIDFile: "/a/pid"})}
	if got := f.configFile(); got != "/a/frr.conf" {
		t.Errorf("explicit config file = %q", got)
	}
	if got := f.pidFile(); got != "/a/pid" {
		t.Errorf("explicit pid file = %q", got)
	}
}

// handOffFixture runs an FRR on a fake clock whose reloads are recorded
// instead of written.
type handOffFixture struct {
	frr     *FRR
	clock   *testingclock.FakeClock
	reloads *reloadRecorder
}

func newHandOffFixture(t *testing.T, o Options) *handOffFixture {
	t.Helper()
	h := &handOffFixture{
		clock:   testingclock.NewFakeClock(time.Unix(1700000000, 0)),
		reloads: &reloadRecorder{},
	}
	o.Clock = h.clock
	o.Debounce = time.Second
	o.StatusDir = t.TempDir()
	h.frr = &FRR{opts: withDefaults(o)}
	h.frr.start(t.Context(), h.reloads.reload)
	return h
}

// flush lets the debounce window close and waits for the reload count.
func (h *handOffFixture) flush(t *testing.T, want int) {
	t.Helper()
	h.frr.debounce.sync()
	h.clock.Step(time.Second)
	waitFor(t, "the reload", func() bool { return h.reloads.count() >= want })
	h.frr.debounce.sync()
	if got := h.reloads.count(); got != want {
		t.Fatalf("reloads = %d, want %d", got, want)
	}
}

func twoRouters() *Config {
	return &Config{
		LogLevel: "informational",
		Routers: []Router{
			{ASN: 64512, RouterID: "192.0.2.1"},
			{ASN: 64512, VRF: "red"},
		},
	}
}

func TestApplyConfigGivesHostnameAndFallbackRouterIDToRender(t *testing.T) {
	h := newHandOffFixture(t, Options{
		Hostname:         func() (string, error) { return "node-a", nil },
		FallbackRouterID: "167.62.253.30",
	})
	in := twoRouters()
	if err := h.frr.ApplyConfig(in); err != nil {
		t.Fatal(err)
	}
	h.flush(t, 1)
	if got := h.reloads.last(); got != in {
		t.Errorf("handed-off config is not the caller's model: %+v", got)
	}
	if diff := cmp.Diff(twoRouters(), in); diff != "" {
		t.Errorf("the caller's config was modified (-want +got):\n%s", diff)
	}
	want := RenderOptions{Hostname: "node-a", FallbackRouterID: "167.62.253.30"}
	if diff := cmp.Diff(want, h.frr.renderOptions()); diff != "" {
		t.Errorf("render options (-want +got):\n%s", diff)
	}
}

func TestApplyConfigWithoutFallbackRouterID(t *testing.T) {
	h := newHandOffFixture(t, Options{Hostname: func() (string, error) { return "node-b", nil }})
	if err := h.frr.ApplyConfig(twoRouters()); err != nil {
		t.Fatal(err)
	}
	h.flush(t, 1)
	if diff := cmp.Diff(RenderOptions{Hostname: "node-b"}, h.frr.renderOptions()); diff != "" {
		t.Errorf("render options (-want +got):\n%s", diff)
	}
}

func TestApplyConfigErrors(t *testing.T) {
	failing := errors.New("uname failed")
	h := newHandOffFixture(t, Options{Hostname: func() (string, error) { return "", failing }})
	if err := h.frr.ApplyConfig(twoRouters()); !errors.Is(err, failing) {
		t.Errorf("hostname error: got %v, want it wrapped", err)
	}
	if err := h.frr.ApplyConfig(nil); err == nil {
		t.Error("a nil config was accepted")
	}
	h.flush(t, 0)
}

// TestNewWritesAndSignals runs the real hand-off on a fake clock: the file
// is written with mode 0600 and this process gets SIGHUP.
func TestNewWritesAndSignals(t *testing.T) {
	count := sighups()
	before := count.Load()
	dir := t.TempDir()
	clk := testingclock.NewFakeClock(time.Unix(1700000000, 0))
	f := New(t.Context(), Options{
		ConfigFile:       filepath.Join(dir, "frr.conf"),
		PIDFile:          writeOwnPID(t, dir),
		StatusDir:        dir,
		Debounce:         time.Second,
		Hostname:         func() (string, error) { return "dummyhostname", nil },
		FallbackRouterID: FallbackRouterID("dummyhostname", nil),
		Clock:            clk,
		Logger:           logr.Discard(),
	})
	if err := f.ApplyConfig(&Config{LogLevel: "informational", Routers: []Router{{ASN: 64512}}}); err != nil {
		t.Fatal(err)
	}
	f.debounce.sync()
	clk.Step(time.Second)
	waitFor(t, "SIGHUP", func() bool { return count.Load() > before })

	b, err := os.ReadFile(filepath.Join(dir, "frr.conf"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Render(&Config{
		LogLevel: "informational",
		Routers:  []Router{{ASN: 64512, RouterID: "167.62.253.30"}},
	}, RenderOptions{Hostname: "dummyhostname"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("frr.conf (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(b), "bgp router-id 167.62.253.30\n") {
		t.Errorf("frr.conf lacks the fallback router-id:\n%s", b)
	}
	info, err := os.Stat(filepath.Join(dir, "frr.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode = %o, want 600", mode)
	}
}

// TestNewRetriesWithoutReloader checks that a missing pid file is retried
// every RetryInterval until the reloader shows up.
func TestNewRetriesWithoutReloader(t *testing.T) {
	count := sighups()
	dir := t.TempDir()
	clk := testingclock.NewFakeClock(time.Unix(1700000000, 0))
	f := New(t.Context(), Options{
		ConfigFile: filepath.Join(dir, "frr.conf"),
		PIDFile:    filepath.Join(dir, "reloader.pid"),
		StatusDir:  dir,
		Debounce:   time.Second,
		Hostname:   func() (string, error) { return "node", nil },
		Clock:      clk,
	})
	if err := f.ApplyConfig(&Config{LogLevel: "informational"}); err != nil {
		t.Fatal(err)
	}
	f.debounce.sync()
	clk.Step(time.Second)
	// The file is written before the signal fails.
	waitFor(t, "frr.conf", func() bool {
		_, err := os.Stat(filepath.Join(dir, "frr.conf"))
		return err == nil
	})
	f.debounce.sync()

	before := count.Load()
	writeOwnPID(t, dir)
	clk.Step(RetryInterval)
	waitFor(t, "SIGHUP after the retry", func() bool { return count.Load() > before })
}

// reloaderFixture runs the real reloader binary against fake frr-reload.py
// and vtysh scripts in a temporary shared volume.
type reloaderFixture struct {
	t        *testing.T
	bin      string
	env      []string
	dir      string // the shared volume
	failFlag string // while it exists, the fake frr-reload.py --test fails
	slowFlag string // while it exists, the fake frr-reload.py --reload waits
	started  string // the fake frr-reload.py --reload writes its pid here
	output   *lockedBuffer
	cmd      *exec.Cmd
}

// buildReloader builds cmd/reloader into a temporary directory.
func buildReloader(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		cienv.SkipOrFail(t, "the go tool is needed to build the reloader: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "frr-reloader")
	cmd := exec.Command(goTool, "build", "-o", bin, "github.com/frrk8s/frrk8s/cmd/reloader")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/reloader: %v\n%s", err, out)
	}
	return bin
}

// fakeReloadScript stands for frr-reload.py: --test fails while failFlag
// exists, --reload writes its pid to started, waits while slowFlag exists,
// then copies the file (its last argument) to applied.
const fakeReloadScript = `#!/bin/sh
for last in "$@"; do :; done
case " $* " in
*" --test "*)
	if [ -e %[1]q ]; then
		echo "line 3: %% Unknown command: neighbor 192.0.2.9 password hunter2"
		exit 1
	fi
	echo "checked $last"
	;;
*" --reload "*)
	echo $$ > %[3]q
	while [ -e %[4]q ]; do sleep 0.05; done
	cp "$last" %[2]q
	;;
*)
	exit 2
	;;
esac
`

// fakeVtyshScript stands for vtysh -c "show running-conf": it prints what
// was applied last.
const fakeVtyshScript = `#!/bin/sh
[ "$1" = "-c" ] || exit 2
cat %[1]q 2>/dev/null
exit 0
`

func startReloader(t *testing.T) *reloaderFixture {
	t.Helper()
	scripts := t.TempDir()
	f := &reloaderFixture{
		t:        t,
		bin:      buildReloader(t),
		dir:      t.TempDir(),
		failFlag: filepath.Join(scripts, "fail"),
		slowFlag: filepath.Join(scripts, "slow"),
		started:  filepath.Join(scripts, "reload.pid"),
		output:   &lockedBuffer{},
	}
	applied := filepath.Join(scripts, "applied.conf")
	reload := writeScript(t, scripts, "frr-reload", fmt.Sprintf(fakeReloadScript, f.failFlag, applied, f.started, f.slowFlag))
	vtysh := writeScript(t, scripts, "vtysh", fmt.Sprintf(fakeVtyshScript, applied))
	f.env = append(os.Environ(),
		"SHARED_VOLUME="+f.dir,
		"FRR_RELOAD_CMD="+reload,
		"FRR_RELOAD_ARGS=",
		"VTYSH_CMD="+vtysh,
		// The fake FRR commands play upstream's two frr-reload.py passes;
		// the hand-off contract is the same in every reloader mode, and
		// cmd/reloader tests the fast path with real FRR.
		"FRR_RELOADER_MODE=legacy",
	)
	t.Cleanup(func() {
		_ = os.Remove(f.slowFlag)
		if f.cmd != nil {
			_ = f.cmd.Process.Signal(syscall.SIGTERM)
			_ = f.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("reloader output:\n%s", f.output.String())
		}
	})
	f.start()
	return f
}

// start runs the reloader and waits until its pid file holds its pid.
func (f *reloaderFixture) start() {
	f.t.Helper()
	cmd := exec.Command(f.bin)
	cmd.Env = f.env
	cmd.Stdout, cmd.Stderr = f.output, f.output
	if err := cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	f.cmd = cmd
	want := strconv.Itoa(cmd.Process.Pid)
	waitFor(f.t, "the reloader's pid file", func() bool {
		b, err := os.ReadFile(filepath.Join(f.dir, "reloader.pid"))
		return err == nil && string(b) == want
	})
}

// kill ends the reloader with SIGKILL, which it cannot clean up after,
// and the fake frr-reload.py it may have left running.
func (f *reloaderFixture) kill() {
	f.t.Helper()
	_ = f.cmd.Process.Kill()
	_ = f.cmd.Wait()
	f.cmd = nil
	if b, err := os.ReadFile(f.started); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func writeScript(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// lockedBuffer collects a process's output for concurrent readers.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// statusLog records the published statuses.
type statusLog struct {
	mu       sync.Mutex
	statuses []ReloadStatus
}

func (s *statusLog) add(st ReloadStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses = append(s.statuses, st)
}

func (s *statusLog) all() []ReloadStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.statuses)
}

// waitForStatus waits until a status published after the first skip ones
// satisfies match, and returns it.
func (s *statusLog) waitForStatus(t *testing.T, skip int, what string, match func(ReloadStatus) bool) ReloadStatus {
	t.Helper()
	var found ReloadStatus
	waitFor(t, what, func() bool {
		all := s.all()
		for _, st := range all[min(skip, len(all)):] {
			if match(st) {
				found = st
				return true
			}
		}
		return false
	})
	return found
}

// TestHandOffToTheReloader runs the hand-off against the real reloader: a
// config is written, signalled, applied and its result published; then a
// failing check publishes the failure text.
func TestHandOffToTheReloader(t *testing.T) {
	r := startReloader(t)
	published := &statusLog{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := New(ctx, Options{
		ConfigFile: filepath.Join(r.dir, "frr.conf"),
		PIDFile:    filepath.Join(r.dir, "reloader.pid"),
		StatusDir:  r.dir,
		Debounce:   50 * time.Millisecond,
		Hostname:   func() (string, error) { return "node-a", nil },
		OnStatus:   published.add,
	})

	good := &Config{LogLevel: "informational", Routers: []Router{{ASN: 64512, RouterID: "192.0.2.1"}}}
	if err := f.ApplyConfig(good); err != nil {
		t.Fatal(err)
	}
	wantText, err := Render(good, RenderOptions{Hostname: "node-a"})
	if err != nil {
		t.Fatal(err)
	}
	st := published.waitForStatus(t, 0, "a success status", func(s ReloadStatus) bool {
		return s.LastReloadResult == ReloadSuccess && s.RunningConfig == wantText
	})
	if !strings.HasSuffix(st.Raw, " success") {
		t.Errorf(".status = %q, want a success", st.Raw)
	}
	if diff := cmp.Diff(st, f.Status()); diff != "" {
		t.Errorf("Status() is not the last publication (-published +Status):\n%s", diff)
	}

	if err := os.WriteFile(r.failFlag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	seen := len(published.all())
	bad := &Config{LogLevel: "informational", Routers: []Router{{ASN: 64513, RouterID: "192.0.2.1"}}}
	if err := f.ApplyConfig(bad); err != nil {
		t.Fatal(err)
	}
	st = published.waitForStatus(t, seen, "a failure status", func(s ReloadStatus) bool {
		return strings.HasSuffix(s.Raw, " failure")
	})
	// The reloader redacts last-error itself, in every mode.
	wantErr := "line 3: % Unknown command: neighbor 192.0.2.9 password <retracted>\n"
	if st.LastReloadResult != wantErr {
		t.Errorf("failure result = %q, want %q", st.LastReloadResult, wantErr)
	}
	if st.RunningConfig != wantText {
		t.Errorf("running config after the failure = %q, want the last applied config", st.RunningConfig)
	}
}

// TestHandOffResentAfterTheReloaderIsKilled kills the real reloader with
// SIGKILL in the middle of a reload and starts a new one: the hand-off is
// pending (no new .status), the pid file changes, and the daemon side
// sends the config again, which the new reloader applies.
func TestHandOffResentAfterTheReloaderIsKilled(t *testing.T) {
	r := startReloader(t)
	published := &statusLog{}
	f := New(t.Context(), Options{
		ConfigFile: filepath.Join(r.dir, "frr.conf"),
		PIDFile:    filepath.Join(r.dir, "reloader.pid"),
		StatusDir:  r.dir,
		Debounce:   50 * time.Millisecond,
		Hostname:   func() (string, error) { return "node-a", nil },
		OnStatus:   published.add,
	})
	first := &Config{LogLevel: "informational", Routers: []Router{{ASN: 64512, RouterID: "192.0.2.1"}}}
	if err := f.ApplyConfig(first); err != nil {
		t.Fatal(err)
	}
	firstText, err := Render(first, RenderOptions{Hostname: "node-a"})
	if err != nil {
		t.Fatal(err)
	}
	published.waitForStatus(t, 0, "the first config applied", func(s ReloadStatus) bool {
		return s.LastReloadResult == ReloadSuccess && s.RunningConfig == firstText
	})

	// The next reload hangs in frr-reload.py --reload until the reloader
	// is killed.
	if err := os.WriteFile(r.slowFlag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(r.started)
	second := &Config{LogLevel: "informational", Routers: []Router{{ASN: 64513, RouterID: "192.0.2.1"}}}
	if err := f.ApplyConfig(second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reload to hang", func() bool {
		_, err := os.Stat(r.started)
		return err == nil
	})
	seen := len(published.all())
	r.kill()
	if err := os.Remove(r.slowFlag); err != nil {
		t.Fatal(err)
	}
	hups := strings.Count(r.output.String(), "Received SIGHUP")
	r.start()

	secondText, err := Render(second, RenderOptions{Hostname: "node-a"})
	if err != nil {
		t.Fatal(err)
	}
	published.waitForStatus(t, seen, "the second config applied by the new reloader", func(s ReloadStatus) bool {
		return s.LastReloadResult == ReloadSuccess && s.RunningConfig == secondText
	})
	if got := strings.Count(r.output.String(), "Received SIGHUP"); got <= hups {
		t.Errorf("the new reloader got no SIGHUP (%d before the restart, %d after)", hups, got)
	}
}

// benchConfig is one router with four neighbors advertising n prefixes.
func benchConfig(n int) *Config {
	prefixes := make([]string, n)
	for i := range prefixes {
		prefixes[i] = fmt.Sprintf("10.%d.%d.0/24", i>>8&0xff, i&0xff)
	}
	r := Router{ASN: 64512, V4Prefixes: prefixes}
	for i := range 4 {
		r.Neighbors = append(r.Neighbors, Neighbor{
			Family:   FamilyIPv4,
			ASN:      "64513",
			Addr:     fmt.Sprintf("192.0.2.%d", i+1),
			Hold:     new(int64(90)),
			Outgoing: AllowedOut{PrefixesV4: prefixes},
		})
	}
	return &Config{LogLevel: "informational", Routers: []Router{r}}
}

// BenchmarkApplyConfig measures ApplyConfig and the debouncer's handling,
// for an unchanged config (the usual reconcile) and a changed one.
func BenchmarkApplyConfig(b *testing.B) {
	for _, n := range []int{10, 10000} {
		cfg := benchConfig(n)
		other := benchConfig(n)
		other.Routers[0].ASN++
		b.Run(fmt.Sprintf("unchanged/%d", n), func(b *testing.B) {
			h := newBenchHandOff(b)
			b.ReportAllocs()
			for b.Loop() {
				if err := h.ApplyConfig(cfg); err != nil {
					b.Fatal(err)
				}
			}
			h.debounce.sync()
		})
		b.Run(fmt.Sprintf("changed/%d", n), func(b *testing.B) {
			h := newBenchHandOff(b)
			configs := [2]*Config{cfg, other}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := h.ApplyConfig(configs[i%2]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			h.debounce.sync()
		})
	}
}

// newBenchHandOff is an FRR whose window never closes during the run.
func newBenchHandOff(b *testing.B) *FRR {
	o := withDefaults(Options{
		StatusDir: b.TempDir(),
		Hostname:  func() (string, error) { return "node", nil },
		Clock:     testingclock.NewFakeClock(time.Unix(1700000000, 0)),
	})
	f := &FRR{opts: o}
	return f.start(b.Context(), func(*Config) (handOffReceipt, error) { return handOffReceipt{}, nil })
}
