package frr

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/clock"
	testingclock "k8s.io/utils/clock/testing"
)

// writeStatusFile writes one result file in place, as the reloader does.
func writeStatusFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadStatusFiles(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    ReloadStatus
		wantErr bool
	}{
		{
			name:  "success",
			files: map[string]string{".status": "1700000000 success", "last-error": "\n", "running-config": "frr version 8.4\n"},
			want:  ReloadStatus{Raw: "1700000000 success", LastReloadResult: "success", RunningConfig: "frr version 8.4\n"},
		},
		{
			name:  "success ignores last-error",
			files: map[string]string{".status": "1700000000 success", "last-error": "stale\n"},
			want:  ReloadStatus{Raw: "1700000000 success", LastReloadResult: "success"},
		},
		{
			name:  "failure",
			files: map[string]string{".status": "1700000000 failure", "last-error": "line 2: bad\n", "running-config": "x\n"},
			want:  ReloadStatus{Raw: "1700000000 failure", LastReloadResult: "line 2: bad\n", RunningConfig: "x\n"},
		},
		{
			name:  "failure without last-error",
			files: map[string]string{".status": "1700000000 failure"},
			want:  ReloadStatus{Raw: "1700000000 failure"},
		},
		{
			name:  "second field containing failure",
			files: map[string]string{".status": "1 partial-failure", "last-error": "e"},
			want:  ReloadStatus{Raw: "1 partial-failure", LastReloadResult: "e"},
		},
		{
			name:  "any other word is a success",
			files: map[string]string{".status": "1 done", "last-error": "e"},
			want:  ReloadStatus{Raw: "1 done", LastReloadResult: "success"},
		},
		{
			name:  "surrounding whitespace",
			files: map[string]string{".status": " 1700000000\tsuccess\n"},
			want:  ReloadStatus{Raw: " 1700000000\tsuccess\n", LastReloadResult: "success"},
		},
		{name: "empty status", files: map[string]string{".status": ""}, wantErr: true},
		{name: "one field", files: map[string]string{".status": "success"}, wantErr: true},
		{name: "three fields", files: map[string]string{".status": "1 success now"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				writeStatusFile(t, dir, name, content)
			}
			got, err := ReadStatusFiles(dir)
			if tc.wantErr {
				if err == nil || errors.Is(err, errNoStatus) {
					t.Fatalf("got %+v, %v; want a malformed-status error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadStatusFilesErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadStatusFiles(dir); !errors.Is(err, errNoStatus) {
		t.Errorf("missing .status: got %v, want errNoStatus", err)
	}
	if _, err := ReadStatusFiles(filepath.Join(dir, "absent")); !errors.Is(err, errNoStatus) {
		t.Errorf("missing directory: got %v, want errNoStatus", err)
	}
	writeStatusFile(t, dir, ".status", "1 failure")
	if err := os.Mkdir(filepath.Join(dir, "last-error"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadStatusFiles(dir); err == nil || errors.Is(err, errNoStatus) {
		t.Errorf("unreadable last-error: got %v, want a read error", err)
	}
}

// watcherFixture runs a status watcher over dir and records what it
// publishes and observes.
type watcherFixture struct {
	dir       string
	published *statusLog

	mu       sync.Mutex
	observed []bool
	pids     []int
}

func (w *watcherFixture) reloaderPID(pid int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pids = append(w.pids, pid)
}

func (w *watcherFixture) pidsRead() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.pids)
}

func (w *watcherFixture) observe(o statusObservation) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.observed = append(w.observed, o.failed)
}

func (w *watcherFixture) observations() []bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.observed)
}

func startWatcher(t *testing.T, dir string, clk clock.WithTicker) *watcherFixture {
	t.Helper()
	f := &watcherFixture{dir: dir, published: &statusLog{}}
	ready := make(chan struct{})
	w := &statusWatcher{
		dir:      dir,
		clock:    clk,
		log:      logr.Discard(),
		publish:  f.published.add,
		observed: f.observe,
		onReady:  func() { close(ready) },
		pidFile:  func() string { return filepath.Join(dir, "reloader.pid") },
	}
	w.reloaderPID = f.reloaderPID
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	// From now on every change comes through the watch (or the poll).
	<-ready
	return f
}

// waitPublished waits until the publications equal want.
func (w *watcherFixture) waitPublished(t *testing.T, want ...ReloadStatus) {
	t.Helper()
	waitFor(t, "the publications", func() bool { return len(w.published.all()) >= len(want) })
	if diff := cmp.Diff(want, w.published.all()); diff != "" {
		t.Fatalf("publications (-want +got):\n%s", diff)
	}
}

// reloadSuccess writes the files of a successful reload in the reloader's
// order.
func reloadSuccess(t *testing.T, dir, epoch, running string) ReloadStatus {
	t.Helper()
	writeStatusFile(t, dir, "running-config", running)
	writeStatusFile(t, dir, "last-error", "\n")
	writeStatusFile(t, dir, ".status", epoch+" success")
	return ReloadStatus{Raw: epoch + " success", LastReloadResult: ReloadSuccess, RunningConfig: running}
}

// The watchers below run on the real clock: their 30 s safety poll never
// fires within the test deadline, so every publication comes from a file
// event.

func TestStatusWatcherSuccess(t *testing.T) {
	dir := t.TempDir()
	w := startWatcher(t, dir, clock.RealClock{})
	want := reloadSuccess(t, dir, "1700000000", "router bgp 64512\n")
	w.waitPublished(t, want)
	if diff := cmp.Diff([]bool{false}, w.observations()); diff != "" {
		t.Errorf("observed statuses (-want +got):\n%s", diff)
	}
}

func TestStatusWatcherFailure(t *testing.T) {
	dir := t.TempDir()
	w := startWatcher(t, dir, clock.RealClock{})
	writeStatusFile(t, dir, "last-error", "line 1: % Unknown command: bogus\n")
	writeStatusFile(t, dir, ".status", "1700000000 failure")
	writeStatusFile(t, dir, "running-config", "frr defaults traditional\n")
	waitFor(t, "the failure with its running config", func() bool {
		all := w.published.all()
		return len(all) > 0 && all[len(all)-1].RunningConfig != ""
	})
	got := w.published.all()
	want := ReloadStatus{Raw: "1700000000 failure", LastReloadResult: "line 1: % Unknown command: bogus\n", RunningConfig: "frr defaults traditional\n"}
	if diff := cmp.Diff(want, got[len(got)-1]); diff != "" {
		t.Errorf("last publication (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{true}, w.observations()); diff != "" {
		t.Errorf("observed statuses (-want +got):\n%s", diff)
	}
}

func TestStatusWatcherIgnoresMalformedStatus(t *testing.T) {
	dir := t.TempDir()
	w := startWatcher(t, dir, clock.RealClock{})
	first := reloadSuccess(t, dir, "1700000000", "a\n")
	w.waitPublished(t, first)

	writeStatusFile(t, dir, ".status", "garbage")
	writeStatusFile(t, dir, "running-config", "b\n")
	second := reloadSuccess(t, dir, "1700000005", "c\n")
	w.waitPublished(t, first, second)
	if diff := cmp.Diff([]bool{false, false}, w.observations()); diff != "" {
		t.Errorf("observed statuses (-want +got):\n%s", diff)
	}
}

func TestStatusWatcherKeepsStateWhileMalformed(t *testing.T) {
	dir := t.TempDir()
	clk := testingclock.NewFakeClock(time.Unix(1700000000, 0))
	first := reloadSuccess(t, dir, "1700000000", "a\n")
	w := startWatcher(t, dir, clk)
	w.waitPublished(t, first) // read at start

	writeStatusFile(t, dir, ".status", "1700000001")
	writeStatusFile(t, dir, "running-config", "b\n")
	// Several quiet periods and safety polls later nothing was published.
	for range 3 {
		waitFor(t, "the watcher's timers", clk.HasWaiters)
		clk.Step(StatusPollInterval)
	}
	second := reloadSuccess(t, dir, "1700000002", "c\n")
	waitFor(t, "the next valid status", func() bool {
		clk.Step(StatusQuietPeriod)
		return len(w.published.all()) >= 2
	})
	w.waitPublished(t, first, second)
}

func TestStatusWatcherTwoReloadsInTheSameSecond(t *testing.T) {
	dir := t.TempDir()
	w := startWatcher(t, dir, clock.RealClock{})
	first := reloadSuccess(t, dir, "1700000000", "router bgp 64512\n")
	w.waitPublished(t, first)
	second := reloadSuccess(t, dir, "1700000000", "router bgp 64513\n")
	w.waitPublished(t, first, second)
	// The .status content did not change, but it was written again: a
	// new status was observed (it answers a hand-off).
	if diff := cmp.Diff([]bool{false, false}, w.observations()); diff != "" {
		t.Errorf("observed statuses (-want +got):\n%s", diff)
	}
}

func TestStatusWatcherRunningConfigAfterFailureStatus(t *testing.T) {
	dir := t.TempDir()
	w := startWatcher(t, dir, clock.RealClock{})
	first := reloadSuccess(t, dir, "1700000000", "old\n")
	w.waitPublished(t, first)

	writeStatusFile(t, dir, "last-error", "line 4: error\n")
	writeStatusFile(t, dir, ".status", "1700000001 failure")
	failed := ReloadStatus{Raw: "1700000001 failure", LastReloadResult: "line 4: error\n", RunningConfig: "old\n"}
	w.waitPublished(t, first, failed)

	writeStatusFile(t, dir, "running-config", "new\n")
	refreshed := failed
	refreshed.RunningConfig = "new\n"
	w.waitPublished(t, first, failed, refreshed)
	if diff := cmp.Diff([]bool{false, true}, w.observations()); diff != "" {
		t.Errorf("observed statuses (-want +got):\n%s", diff)
	}
}

func TestStatusWatcherReadsExistingFilesAtStart(t *testing.T) {
	dir := t.TempDir()
	want := reloadSuccess(t, dir, "1700000000", "x\n")
	w := startWatcher(t, dir, clock.RealClock{})
	w.waitPublished(t, want)
}

func TestStatusWatcherAtomicRename(t *testing.T) {
	dir := t.TempDir()
	w := startWatcher(t, dir, clock.RealClock{})
	writeStatusFile(t, dir, "running-config", "x\n")
	writeStatusFile(t, dir, ".status.tmp", "1700000000 success")
	if err := os.Rename(filepath.Join(dir, ".status.tmp"), filepath.Join(dir, ".status")); err != nil {
		t.Fatal(err)
	}
	w.waitPublished(t, ReloadStatus{Raw: "1700000000 success", LastReloadResult: ReloadSuccess, RunningConfig: "x\n"})

	writeStatusFile(t, dir, "running-config.tmp", "y\n")
	if err := os.Rename(filepath.Join(dir, "running-config.tmp"), filepath.Join(dir, "running-config")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the renamed running config", func() bool {
		all := w.published.all()
		return all[len(all)-1].RunningConfig == "y\n"
	})
}

// TestStatusWatcherDirectoryCreatedLater starts without the directory:
// the safety poll retries the watch, after which events work.
func TestStatusWatcherDirectoryCreatedLater(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	clk := testingclock.NewFakeClock(time.Unix(1700000000, 0))
	w := startWatcher(t, dir, clk)
	waitFor(t, "the safety poll ticker", clk.HasWaiters)

	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	first := reloadSuccess(t, dir, "1700000000", "a\n")
	clk.Step(StatusPollInterval)
	w.waitPublished(t, first)

	// The watch is in place now: a quiet period is enough.
	second := reloadSuccess(t, dir, "1700000001", "b\n")
	waitFor(t, "the event-driven read", func() bool {
		clk.Step(StatusQuietPeriod)
		return len(w.published.all()) >= 2
	})
	w.waitPublished(t, first, second)
}

// TestStatusWatcherWaitsForQuiet checks that events keep postponing the
// read until StatusQuietPeriod passes without any.
func TestStatusWatcherWaitsForQuiet(t *testing.T) {
	dir := t.TempDir()
	clk := testingclock.NewFakeClock(time.Unix(1700000000, 0))
	w := startWatcher(t, dir, clk)
	waitFor(t, "the safety poll ticker", clk.HasWaiters)

	want := reloadSuccess(t, dir, "1700000000", "a\n")
	// The ticker plus the quiet timer.
	waitFor(t, "the quiet timer", func() bool { return clk.Waiters() == 2 })
	clk.Step(StatusQuietPeriod - time.Millisecond)
	if got := w.published.all(); len(got) != 0 {
		t.Fatalf("published before the quiet period: %+v", got)
	}
	// A late event may have re-armed the timer: step on until it fires.
	waitFor(t, "the read after the quiet period", func() bool {
		clk.Step(time.Millisecond)
		return len(w.published.all()) > 0
	})
	w.waitPublished(t, want)
}

// TestFailureStatusReusesTheConfig follows the D3 rule through New: a
// failure reported by the reloader hands the stored config over again
// FailureReuseDelay later.
func TestFailureStatusReusesTheConfig(t *testing.T) {
	h := newHandOffFixture(t, Options{Hostname: func() (string, error) { return "node", nil }})
	if err := h.frr.ApplyConfig(twoRouters()); err != nil {
		t.Fatal(err)
	}
	h.flush(t, 1)

	writeStatusFile(t, h.frr.opts.StatusDir, "last-error", "bad\n")
	writeStatusFile(t, h.frr.opts.StatusDir, ".status", "1700000000 failure")
	waitFor(t, "the failure to be published", func() bool {
		h.clock.Step(StatusQuietPeriod)
		return h.frr.Status().LastReloadResult == "bad\n"
	})
	waitFor(t, "the config to be reused", func() bool {
		h.clock.Step(time.Second)
		return h.reloads.count() == 2
	})
	if diff := cmp.Diff(h.reloads.first(), h.reloads.last()); diff != "" {
		t.Errorf("the reuse must hand over the same config (-first +reused):\n%s", diff)
	}
}

// TestStatusWatcherFollowsThePIDFile checks that each new pid written to
// the pid file is reported once, and that a missing or partly written
// file reports nothing.
func TestStatusWatcherFollowsThePIDFile(t *testing.T) {
	dir := t.TempDir()
	writeStatusFile(t, dir, "reloader.pid", "100")
	w := startWatcher(t, dir, clock.RealClock{})
	waitFor(t, "the pid at start", func() bool { return len(w.pidsRead()) == 1 })

	// A restart: the file goes, comes back empty, then holds the new pid.
	if err := os.Remove(filepath.Join(dir, "reloader.pid")); err != nil {
		t.Fatal(err)
	}
	writeStatusFile(t, dir, "reloader.pid", "")
	time.Sleep(2 * StatusQuietPeriod)
	writeStatusFile(t, dir, "reloader.pid", "200")
	waitFor(t, "the new pid", func() bool { return len(w.pidsRead()) == 2 })
	writeStatusFile(t, dir, "reloader.pid", "200")
	time.Sleep(2 * StatusQuietPeriod)
	if diff := cmp.Diff([]int{100, 200}, w.pidsRead()); diff != "" {
		t.Errorf("pids reported (-want +got):\n%s", diff)
	}
}

// TestStatusWatcherStampsEachWrite checks that the stamp of an observed
// write is what statStatus gives for it, so a hand-off's receipt and the
// watcher agree on what is older.
func TestStatusWatcherStampsEachWrite(t *testing.T) {
	dir := t.TempDir()
	var (
		mu       sync.Mutex
		observed []statusObservation
	)
	ready := make(chan struct{})
	w := &statusWatcher{
		dir:     dir,
		clock:   clock.RealClock{},
		log:     logr.Discard(),
		publish: func(ReloadStatus) {},
		observed: func(o statusObservation) {
			mu.Lock()
			defer mu.Unlock()
			observed = append(observed, o)
		},
		onReady: func() { close(ready) },
	}
	go w.run(t.Context())
	<-ready
	if got := statStatus(dir); got != (statusStamp{}) {
		t.Errorf("stamp of a missing .status = %+v, want zero", got)
	}
	writeStatusFile(t, dir, ".status", "1700000000 failure")
	waitFor(t, "the observation", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(observed) == 1
	})
	mu.Lock()
	got := observed[0]
	mu.Unlock()
	want := statusObservation{failed: true, stamp: statStatus(dir)}
	if got != want {
		t.Errorf("observed %+v, want %+v", got, want)
	}
}
