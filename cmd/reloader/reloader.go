package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults of the environment.
const (
	defaultSharedVolume = "/etc/frr_reloader"
	defaultReloadCmd    = "python3 /usr/lib/frr/frr-reload.py"
	defaultVtyshCmd     = "vtysh"
	// defaultFullInterval is how long the reloader stays idle before it
	// re-applies the last file in full to repair drift.
	defaultFullInterval = 10 * time.Minute
	// defaultVtyshTimeout bounds one vtysh call but the cold load. The
	// longest seen: `show running-config` at 10,000 prefixes on FRR 10, 2 s.
	// A vtysh -f waiting for FRR 10's configuration lock (held by another
	// configuration session) waits forever without it.
	defaultVtyshTimeout = 2 * time.Minute
	// defaultReloadTimeout bounds one frr-reload.py run and the cold load of
	// the whole file. The longest seen: a full apply of 10,000 prefixes on
	// FRR 10, 70 s.
	defaultReloadTimeout = 15 * time.Minute
)

// modeLegacy selects upstream's two frr-reload.py passes (FRR_RELOADER_MODE).
const modeLegacy = "legacy"

// Results written to .status after the epoch.
const (
	resultSuccess = "success"
	resultFailure = "failure"
)

// Messages that tests count to know when the reloader is idle.
const (
	receivedSIGHUP = "Received SIGHUP, queueing a reload"
	reloadFinished = "Reload finished"
)

// fileMode is what the shell's redirections create the files with.
const fileMode = 0o644

// paths are the files of the shared volume.
type paths struct {
	config        string // frr.conf, written by the controller
	pid           string // reloader.pid
	lock          string // flock target that serializes reloads
	status        string // .status: "<epoch> success|failure"
	lastError     string // output of the step that failed, "\n" after a success
	runningConfig string // FRR's running configuration after the last reload
	lastApplied   string // the frr.conf last applied successfully (fast path)
	incremental   string // the commands of an incremental apply, while it runs
}

func pathsIn(dir string) paths {
	return paths{
		config:        filepath.Join(dir, "frr.conf"),
		pid:           filepath.Join(dir, "reloader.pid"),
		lock:          filepath.Join(dir, "lock"),
		status:        filepath.Join(dir, ".status"),
		lastError:     filepath.Join(dir, "last-error"),
		runningConfig: filepath.Join(dir, "running-config"),
		lastApplied:   filepath.Join(dir, "last-applied.conf"),
		incremental:   filepath.Join(dir, "incremental.conf"),
	}
}

// config is what the environment sets.
type config struct {
	sharedVolume  string
	reloadCmd     []string // FRR_RELOAD_CMD followed by FRR_RELOAD_ARGS
	vtyshCmd      []string
	legacy        bool          // FRR_RELOADER_MODE=legacy
	fullInterval  time.Duration // FRR_RELOADER_FULL_INTERVAL, 0 for never
	watchInterval time.Duration // FRR_RELOADER_WATCH_INTERVAL, 0 for never
	pidDir        string        // FRR_RELOADER_PID_DIR: FRR's pid files
	// vtyshTimeout (FRR_RELOADER_VTYSH_TIMEOUT) and reloadTimeout
	// (FRR_RELOADER_RELOAD_TIMEOUT) bound each child, 0 for never: see
	// stepTimeout.
	vtyshTimeout  time.Duration
	reloadTimeout time.Duration
}

// configFromEnv reads SHARED_VOLUME, FRR_RELOAD_CMD, FRR_RELOAD_ARGS,
// VTYSH_CMD, FRR_RELOADER_MODE, FRR_RELOADER_FULL_INTERVAL,
// FRR_RELOADER_WATCH_INTERVAL, FRR_RELOADER_PID_DIR,
// FRR_RELOADER_VTYSH_TIMEOUT and FRR_RELOADER_RELOAD_TIMEOUT; unset or
// empty (or, for a duration, not a duration) means the default.
func configFromEnv(getenv func(string) string) config {
	dir := getenv("SHARED_VOLUME")
	if dir == "" {
		dir = defaultSharedVolume
	}
	pidDir := strings.TrimSpace(getenv("FRR_RELOADER_PID_DIR"))
	if pidDir == "" {
		pidDir = defaultPidDir
	}
	return config{
		legacy:        strings.TrimSpace(getenv("FRR_RELOADER_MODE")) == modeLegacy,
		fullInterval:  durationFromEnv(getenv("FRR_RELOADER_FULL_INTERVAL"), defaultFullInterval),
		watchInterval: durationFromEnv(getenv("FRR_RELOADER_WATCH_INTERVAL"), defaultWatchInterval),
		vtyshTimeout:  durationFromEnv(getenv("FRR_RELOADER_VTYSH_TIMEOUT"), defaultVtyshTimeout),
		reloadTimeout: durationFromEnv(getenv("FRR_RELOADER_RELOAD_TIMEOUT"), defaultReloadTimeout),
		pidDir:        pidDir,
		sharedVolume:  dir,
		reloadCmd: slices.Concat(
			commandFromEnv(getenv("FRR_RELOAD_CMD"), defaultReloadCmd),
			strings.Fields(getenv("FRR_RELOAD_ARGS"))),
		vtyshCmd: commandFromEnv(getenv("VTYSH_CMD"), defaultVtyshCmd),
	}
}

// durationFromEnv parses value as a Go duration, def when it is empty, not
// a duration or negative.
func durationFromEnv(value string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(strings.TrimSpace(value)); err == nil && d >= 0 {
		return d
	}
	return def
}

// commandFromEnv splits value on whitespace (no shell quoting), falling back
// to def when value is empty.
func commandFromEnv(value, def string) []string {
	if fields := strings.Fields(value); len(fields) > 0 {
		return fields
	}
	return strings.Fields(def)
}

// testArgv is the frr-reload.py call that checks file against FRR.
func testArgv(reloadCmd []string, file string) []string {
	return slices.Concat(reloadCmd, []string{"--test", "--stdout", file})
}

// applyArgv is the frr-reload.py call that applies file to FRR.
func applyArgv(reloadCmd []string, file string) []string {
	return slices.Concat(reloadCmd, []string{"--reload", "--overwrite", "--stdout", file})
}

// runningConfigArgv asks FRR for its running configuration.
func runningConfigArgv(vtyshCmd []string) []string {
	return slices.Concat(vtyshCmd, []string{"-c", "show running-conf"})
}

// statusLine is the content of .status: the Unix epoch and the result,
// without a newline.
func statusLine(now time.Time, result string) string {
	return strconv.FormatInt(now.Unix(), 10) + " " + result
}

// reloader applies the shared frr.conf to FRR and leaves the result files.
type reloader struct {
	paths    paths
	cfg      config
	out      *redactWriter
	now      func() time.Time
	tempDir  string // where the running config is captured before the copy
	pidValue int

	children *children
	state    applied // fast path; only read and written under the lock
	// red knows the passwords of the frr.conf being applied, so that they
	// are hidden by value too; nil before the first reload. Under the lock.
	red *redactor

	mu         *sync.Mutex // guards lastReload
	lastReload time.Time   // when the last reload ended
}

func newReloader(cfg config, stdout io.Writer) *reloader {
	return &reloader{
		paths:    pathsIn(cfg.sharedVolume),
		cfg:      cfg,
		out:      newRedactWriter(stdout),
		now:      time.Now,
		tempDir:  os.TempDir(),
		pidValue: os.Getpid(),
		children: &children{},
		mu:       &sync.Mutex{},
	}
}

// knowPasswords makes every later output of the reloader, last-error
// included, hide the passwords that conf sets, wherever they show up.
func (r *reloader) knowPasswords(conf string) {
	r.red = newRedactor(conf)
	r.out.setRedactor(r.red)
}

// redactText hides passwords by pattern and, once known, by value.
func (r *reloader) redactText(s string) string {
	if r.red == nil {
		return redact(s)
	}
	return redact(r.red.Redact(s))
}

// printf writes one message line through the redaction.
func (r *reloader) printf(format string, args ...any) {
	fmt.Fprintf(r.out, format+"\n", args...)
}

// start replaces stale pid and lock files: it writes the pid without a
// newline and creates the lock.
func (r *reloader) start() error {
	r.removeFiles()
	r.printf("PID is: %d, writing to %s", r.pidValue, r.paths.pid)
	if err := os.WriteFile(r.paths.pid, []byte(strconv.Itoa(r.pidValue)), fileMode); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	lock, err := os.OpenFile(r.paths.lock, os.O_WRONLY|os.O_CREATE, fileMode)
	if err != nil {
		return fmt.Errorf("create lock file: %w", err)
	}
	if err := lock.Close(); err != nil {
		return fmt.Errorf("close lock file: %w", err)
	}
	return nil
}

// stop removes the pid and lock files, as on SIGTERM or SIGINT.
func (r *reloader) stop() {
	r.printf("Caught an exit signal..")
	r.children.killAll()
	r.removeFiles()
}

func (r *reloader) removeFiles() {
	for _, f := range []string{r.paths.pid, r.paths.lock} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			r.printf("Failed to remove %s: %v", f, err)
		}
	}
}

// reload waits for the lock, then checks and applies frr.conf. Reloads of
// this and any other process using the same lock file run one at a time;
// each one reads frr.conf when its turn comes, so the last one queued
// applies the latest file.
func (r *reloader) reload() {
	defer r.printf(reloadFinished)
	unlock, err := lockFile(r.paths.lock)
	if err != nil {
		r.printf("Failed to acquire the reload lock: %v", err)
		return
	}
	defer unlock()
	defer r.markReloaded()
	r.printf("Caught SIGHUP and acquired lock! Reloading FRR..")
	if r.cfg.legacy {
		r.reloadLocked()
		return
	}
	r.reloadFast(false)
}

// markReloaded records the end of a reload for the periodic full pass.
func (r *reloader) markReloaded() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastReload = time.Now()
}

// sinceReload is how long ago the last reload ended; zero before the first.
func (r *reloader) sinceReload() (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastReload.IsZero() {
		return 0, false
	}
	return time.Since(r.lastReload), true
}

// periodicFullApply re-applies frr.conf in full with frr-reload.py whenever
// the reloader has been idle for cfg.fullInterval after a successful
// reload, repairing any drift an incremental apply cannot see, until stop
// is closed.
func (r *reloader) periodicFullApply(stop <-chan struct{}) {
	wait := r.cfg.fullInterval
	for {
		select {
		case <-stop:
			return
		case <-time.After(wait):
		}
		idle, ok := r.sinceReload()
		if !ok || idle < r.cfg.fullInterval {
			wait = r.cfg.fullInterval - idle
			continue
		}
		wait = r.cfg.fullInterval
		unlock, err := lockFile(r.paths.lock)
		if err != nil {
			r.printf("Failed to acquire the reload lock: %v", err)
			continue
		}
		// Only after a success: a failed file waits for the controller.
		if r.state.conf != "" {
			r.printf("Idle for %v: re-applying the configuration file in full", r.cfg.fullInterval)
			r.reloadFast(true)
			r.printf("Periodic full apply finished")
		}
		unlock()
		r.markReloaded()
	}
}

func (r *reloader) reloadLocked() {
	started := time.Now()
	if conf, err := os.ReadFile(r.paths.config); err == nil {
		r.knowPasswords(string(conf))
	}
	r.printf("Checking the configuration file syntax")
	if err := r.check(); err != nil {
		r.printf("Syntax error spotted: aborting.. %d seconds (%v)", elapsed(started), err)
		r.printLastError()
		r.writeStatus(resultFailure)
		r.refreshRunningConfig()
		return
	}
	// The check's output is the diff about to be applied: log it too.
	r.printLastError()

	r.printf("Applying the configuration file")
	if err := r.apply(); err != nil {
		r.printf("Failed to fully apply configuration file %d seconds (%v)", elapsed(started), err)
		r.writeStatus(resultFailure)
		r.refreshRunningConfig()
		return
	}

	r.refreshRunningConfig()
	if err := os.WriteFile(r.paths.lastError, []byte("\n"), fileMode); err != nil {
		r.printf("Failed to clear %s: %v", r.paths.lastError, err)
	}
	r.printf("FRR reloaded successfully! %d seconds", elapsed(started))
	r.writeStatus(resultSuccess)
}

// check runs frr-reload.py --test with its stdout and stderr into last-error.
func (r *reloader) check() error {
	var out bytes.Buffer
	runErr := r.runChild(testArgv(r.cfg.reloadCmd, r.paths.config), &out, &out)
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		// The command did not run at all: say why where its output would be.
		fmt.Fprintf(&out, "%v\n", runErr)
	}
	if err := os.WriteFile(r.paths.lastError, []byte(r.redactText(cleanOutput(out.String()))), fileMode); err != nil {
		return errors.Join(runErr, fmt.Errorf("write %s: %w", r.paths.lastError, err))
	}
	return runErr
}

// apply runs frr-reload.py --reload with its output on stdout.
func (r *reloader) apply() error {
	w := newCleanWriter(r.out)
	err := r.runChild(applyArgv(r.cfg.reloadCmd, r.paths.config), w, w)
	_ = w.Flush()
	r.flush()
	return err
}

// printLastError copies last-error to stdout.
func (r *reloader) printLastError() {
	b, err := os.ReadFile(r.paths.lastError)
	if err != nil {
		r.printf("Failed to read %s: %v", r.paths.lastError, err)
		return
	}
	_, _ = r.out.Write(b)
	r.flush()
}

// writeStatus writes "<epoch> <result>" to .status.
func (r *reloader) writeStatus(result string) {
	if err := os.WriteFile(r.paths.status, []byte(statusLine(r.now(), result)), fileMode); err != nil {
		r.printf("Failed to write %s: %v", r.paths.status, err)
	}
}

// refreshRunningConfig captures FRR's running configuration in a temporary
// file and then copies it over running-config, so that file is rewritten
// only once the command has finished. As upstream, what the command printed
// is copied even when it failed.
func (r *reloader) refreshRunningConfig() {
	tmp, err := os.CreateTemp(r.tempDir, "frr-reloader-running-*.conf")
	if err != nil {
		r.printf("Failed to create a temporary file for the running config: %v", err)
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()

	if err := r.runChild(runningConfigArgv(r.cfg.vtyshCmd), tmp, r.out); err != nil {
		r.flush()
		r.printf("Failed to read the running config: %v", err)
	}
	if err := copyFile(tmp, r.paths.runningConfig); err != nil {
		r.printf("Failed to write %s: %v", r.paths.runningConfig, err)
	}
}

func (r *reloader) flush() {
	_ = r.out.Flush()
}

// copyFile copies src from its start over dst, truncating dst in place as
// cp does.
func copyFile(src *os.File, dst string) error {
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind: %w", err)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	if _, err := io.Copy(out, src); err != nil {
		_ = out.Close()
		return fmt.Errorf("copy: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// lockFile takes an exclusive flock on path through a descriptor of its own,
// waiting as long as another holder has it, and returns the release function.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("flock %s: %w", path, err)
	}
	return func() { _ = f.Close() }, nil
}

func elapsed(since time.Time) int {
	return int(time.Since(since).Seconds())
}
