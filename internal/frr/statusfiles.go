package frr

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/go-logr/logr"
	"k8s.io/utils/clock"
)

// Result files the reloader leaves in the status directory.
const (
	statusFile        = ".status"
	lastErrorFile     = "last-error"
	runningConfigFile = "running-config"
)

// Result words.
const (
	// ReloadSuccess is LastReloadResult after a successful reload.
	ReloadSuccess = "success"
	// reloadFailure marks a failed reload in .status.
	reloadFailure = "failure"
)

// Timings of the status watcher (D3).
const (
	// StatusQuietPeriod is how long the status files must stay unchanged
	// after an event before they are read.
	StatusQuietPeriod = 200 * time.Millisecond
	// StatusPollInterval is the safety-net period of reading them anyway.
	StatusPollInterval = 30 * time.Second
)

// statusWatcher reads the reloader's result files when they change, and
// periodically, and publishes what changed.
type statusWatcher struct {
	dir      string
	clock    clock.WithTicker
	log      logr.Logger
	publish  func(ReloadStatus)      // called with each new status
	observed func(statusObservation) // called with each new write of .status
	onReady  func()                  // optional: called once watching and the first read are done

	// pidFile returns the reloader's pid file, read at each check; nil
	// means the pid is not followed. reloaderPID is called with each new
	// pid read from it. When the file is in dir, its changes are seen as
	// they happen; elsewhere at each safety poll.
	pidFile     func() string
	reloaderPID func(int)

	state statusState
}

// statusState remembers what was observed and published last.
type statusState struct {
	observed    statusStamp // last well-formed .status write
	published   ReloadStatus
	hasSnapshot bool // published holds a publication
	pid         int  // last pid read from the pid file; 0 before any
}

// statusStamp identifies one write of .status: its content, modification
// time and inode. Two writes of the same content, even in the same second,
// differ in their modification time (unless the file system's clock did
// not move in between). The zero value stands for a missing file.
type statusStamp struct {
	raw     string
	modTime int64 // nanoseconds since the Unix epoch
	ino     uint64
}

// statusObservation is a new write of .status seen by the watcher.
type statusObservation struct {
	failed bool
	stamp  statusStamp
}

// statStatus stats and then reads .status in dir; a missing or unreadable
// file gives the zero stamp. Stat comes first, so a write between the two
// leaves a stamp that the next read tells apart.
func statStatus(dir string) statusStamp {
	path := filepath.Join(dir, statusFile)
	info, err := os.Stat(path)
	if err != nil {
		return statusStamp{}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return statusStamp{}
	}
	return stampOf(info, string(raw))
}

// stampOf is the stamp of a .status write with the given file information
// and content.
func stampOf(info fs.FileInfo, raw string) statusStamp {
	s := statusStamp{raw: raw, modTime: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		s.ino = st.Ino
	}
	return s
}

// run watches the directory until ctx ends. Without a working watch (the
// directory may not exist yet) it keeps polling and retries the watch at
// each poll.
func (w *statusWatcher) run(ctx context.Context) {
	ticker := w.clock.NewTicker(StatusPollInterval)
	defer ticker.Stop()
	quiet := oneShot{clock: w.clock}
	defer quiet.stop()

	watcher := w.startWatch()
	defer func() { closeWatch(watcher) }()
	w.readAndPublish()
	w.readPID()
	if w.onReady != nil {
		w.onReady()
	}

	for {
		events, errs := watchChannels(watcher)
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				watcher = nil
				continue
			}
			if isResultEvent(ev) || w.isPIDEvent(ev) {
				quiet.arm(StatusQuietPeriod)
			}
		case err, ok := <-errs:
			if !ok {
				watcher = nil
				continue
			}
			// An overflow may have hidden events: read soon.
			w.log.Error(err, "status directory watch error")
			quiet.arm(StatusQuietPeriod)
		case <-quiet.C():
			quiet.fired()
			w.readAndPublish()
			w.readPID()
		case <-ticker.C():
			if watcher == nil {
				watcher = w.startWatch()
			}
			w.readAndPublish()
			w.readPID()
		}
	}
}

// startWatch watches the status directory, or returns nil after logging
// why it cannot.
func (w *statusWatcher) startWatch() *fsnotify.Watcher {
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		w.log.Error(err, "cannot watch the status directory, polling only", "dir", w.dir)
		return nil
	}
	if err := watcher.Add(w.dir); err != nil {
		_ = watcher.Close()
		w.log.Error(err, "cannot watch the status directory, polling only", "dir", w.dir)
		return nil
	}
	return watcher
}

func closeWatch(watcher *fsnotify.Watcher) {
	if watcher != nil {
		_ = watcher.Close()
	}
}

// watchChannels returns the channels of watcher, nil (never ready) without one.
func watchChannels(watcher *fsnotify.Watcher) (<-chan fsnotify.Event, <-chan error) {
	if watcher == nil {
		return nil, nil
	}
	return watcher.Events, watcher.Errors
}

// isResultEvent tells whether ev creates, writes or renames a result file.
func isResultEvent(ev fsnotify.Event) bool {
	if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Rename) {
		return false
	}
	switch filepath.Base(ev.Name) {
	case statusFile, lastErrorFile, runningConfigFile:
		return true
	}
	return false
}

// isPIDEvent tells whether ev may have changed the reloader's pid file.
func (w *statusWatcher) isPIDEvent(ev fsnotify.Event) bool {
	if w.pidFile == nil || (!ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Rename)) {
		return false
	}
	return filepath.Clean(ev.Name) == filepath.Clean(w.pidFile())
}

// readPID reads the reloader's pid file and reports a pid other than the
// last one read. A missing or malformed file (the reloader is starting or
// gone) reports nothing.
func (w *statusWatcher) readPID() {
	if w.pidFile == nil {
		return
	}
	pid, err := readPID(w.pidFile())
	if err != nil || pid == w.state.pid {
		return
	}
	w.state.pid = pid
	w.log.V(1).Info("reloader pid read", "pid", pid)
	w.reloaderPID(pid)
}

// readAndPublish reads the result files and publishes them when they differ
// from the last publication. A new write of .status is reported to observed
// first.
func (w *statusWatcher) readAndPublish() {
	info, statErr := os.Stat(filepath.Join(w.dir, statusFile))
	s, ok := w.read()
	if !ok {
		return
	}
	if statErr == nil {
		if stamp := stampOf(info, s.Raw); stamp != w.state.observed {
			w.state.observed = stamp
			w.observed(statusObservation{failed: isFailure(s.Raw), stamp: stamp})
		}
	}
	if w.state.hasSnapshot && s == w.state.published {
		return
	}
	w.state.published, w.state.hasSnapshot = s, true
	w.log.V(1).Info("reload status changed", "status", s.Raw)
	w.publish(s)
}

// read reads the three files; false means there is nothing valid to use.
func (w *statusWatcher) read() (ReloadStatus, bool) {
	s, err := ReadStatusFiles(w.dir)
	switch {
	case errors.Is(err, errNoStatus):
		w.log.V(1).Info("no reload status yet", "dir", w.dir)
		return ReloadStatus{}, false
	case err != nil:
		w.log.Error(err, "cannot read the reload status, keeping the previous one", "dir", w.dir)
		return ReloadStatus{}, false
	}
	return s, true
}

// errNoStatus means the reloader has not written .status yet.
var errNoStatus = errors.New("no .status file")

// ReadStatusFiles reads the reloader's result files in dir. It fails when
// .status is missing or is not exactly two whitespace-separated fields.
// The result is "success" unless the second field contains "failure", then
// the content of last-error; a missing last-error or running-config reads
// as "".
func ReadStatusFiles(dir string) (ReloadStatus, error) {
	raw, err := os.ReadFile(filepath.Join(dir, statusFile))
	if errors.Is(err, fs.ErrNotExist) {
		return ReloadStatus{}, errNoStatus
	}
	if err != nil {
		return ReloadStatus{}, fmt.Errorf("read reload status: %w", err)
	}
	s := ReloadStatus{Raw: string(raw), LastReloadResult: ReloadSuccess}
	if len(strings.Fields(s.Raw)) != 2 {
		return ReloadStatus{}, fmt.Errorf("read reload status: malformed %s %q", statusFile, s.Raw)
	}
	if isFailure(s.Raw) {
		if s.LastReloadResult, err = readOptional(filepath.Join(dir, lastErrorFile)); err != nil {
			return ReloadStatus{}, err
		}
	}
	if s.RunningConfig, err = readOptional(filepath.Join(dir, runningConfigFile)); err != nil {
		return ReloadStatus{}, err
	}
	return s, nil
}

// isFailure tells whether a well-formed .status content reports a failure.
func isFailure(raw string) bool {
	fields := strings.Fields(raw)
	return len(fields) == 2 && strings.Contains(fields[1], reloadFailure)
}

// readOptional reads path, a missing file reading as "".
func readOptional(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read reload status: %w", err)
	}
	return string(b), nil
}
