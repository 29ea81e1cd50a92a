package frr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/utils/clock"
)

// Files of the reloader's shared volume.
const (
	// DefaultStatusDir is where the reloader leaves its result files.
	DefaultStatusDir = "/etc/frr_reloader"
	// DefaultConfigFile is where the config goes when $FRR_CONFIG_FILE is unset.
	DefaultConfigFile = DefaultStatusDir + "/frr.conf"
	// DefaultPIDFile is the reloader's pid file when $FRR_RELOADER_PID_FILE
	// is unset.
	DefaultPIDFile = DefaultStatusDir + "/reloader.pid"

	// EnvConfigFile overrides DefaultConfigFile.
	EnvConfigFile = "FRR_CONFIG_FILE"
	// EnvPIDFile overrides DefaultPIDFile.
	EnvPIDFile = "FRR_RELOADER_PID_FILE"
)

// configFileMode is the mode frr.conf is written with; it may hold passwords.
const configFileMode = 0o600

// Options configure the hand-off to the reloader. Zero values mean the
// documented defaults.
type Options struct {
	// ConfigFile is where frr.conf is written; empty means $FRR_CONFIG_FILE,
	// read at each write, else DefaultConfigFile.
	ConfigFile string
	// PIDFile holds the reloader's pid; empty means $FRR_RELOADER_PID_FILE,
	// read at each signal, else DefaultPIDFile.
	PIDFile string
	// StatusDir holds .status, last-error and running-config; empty means
	// DefaultStatusDir.
	StatusDir string
	// Debounce is the window that coalesces configs (--bgp-debounce-timeout);
	// not positive means DefaultDebounce.
	Debounce time.Duration
	// LostReloadTimeout is how long a hand-off may go without a new write
	// of .status before it is sent again; not positive means
	// DefaultLostReloadTimeout.
	LostReloadTimeout time.Duration
	// Hostname names the node in frr.conf; nil means os.Hostname.
	Hostname func() (string, error)
	// FallbackRouterID, when not empty, is rendered as the router-id of
	// the routers without one; compute it once at start with
	// FallbackRouterID.
	FallbackRouterID string
	// OnStatus is called, from the status goroutine, each time a new reload
	// status is published (D3). It must not block for long.
	OnStatus func(ReloadStatus)
	// Clock drives every timer; nil means the real clock.
	Clock clock.WithTicker
	// Logger receives the hand-off's logs; the zero value discards them.
	Logger logr.Logger
}

// ReloadStatus is what the reloader reported last.
type ReloadStatus struct {
	// Raw is the content of .status: "<unix epoch> success|failure".
	Raw string
	// LastReloadResult is "success", or the content of last-error after a
	// failure. It is neither redacted nor capped (see Redact and Cap).
	LastReloadResult string
	// RunningConfig is the content of running-config, neither redacted nor
	// capped.
	RunningConfig string
}

// FRR hands rendered configs to the reloader and follows its results.
type FRR struct {
	opts     Options
	debounce *debouncer

	mu     sync.RWMutex
	status ReloadStatus

	// hostname is the node's hostname got by the last ApplyConfig.
	hostname atomic.Pointer[string]
}

// New starts the debouncer and the status watcher; both stop when ctx ends.
func New(ctx context.Context, o Options) *FRR {
	o = withDefaults(o)
	f := &FRR{opts: o}
	return f.start(ctx, f.handOff)
}

// start runs the goroutines of f with reload as the action of the debouncer.
func (f *FRR) start(ctx context.Context, reload reloadFunc) *FRR {
	f.debounce = newDebouncer(ctx, f.opts.Clock, f.opts.Debounce, f.opts.LostReloadTimeout, reload, f.opts.Logger.WithName("debouncer"))
	w := &statusWatcher{
		dir:         f.opts.StatusDir,
		clock:       f.opts.Clock,
		log:         f.opts.Logger.WithName("status"),
		publish:     f.publish,
		observed:    f.debounce.statusObserved,
		pidFile:     f.pidFile,
		reloaderPID: f.debounce.reloaderStarted,
	}
	go f.debounce.run(ctx)
	go w.run(ctx)
	return f
}

func withDefaults(o Options) Options {
	if o.StatusDir == "" {
		o.StatusDir = DefaultStatusDir
	}
	if o.Debounce <= 0 {
		o.Debounce = DefaultDebounce
	}
	if o.LostReloadTimeout <= 0 {
		o.LostReloadTimeout = DefaultLostReloadTimeout
	}
	if o.Hostname == nil {
		o.Hostname = os.Hostname
	}
	if o.OnStatus == nil {
		o.OnStatus = func(ReloadStatus) {}
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	return o
}

// ApplyConfig queues c for the reloader and returns at once. c is kept, not
// copied, and never modified: the caller must not change it afterwards.
// The node's hostname and the fallback router-id are given to Render. Only
// a failure to get the hostname is returned; writing and signalling happen
// later and are retried by the debouncer.
func (f *FRR) ApplyConfig(c *Config) error {
	if c == nil {
		return errors.New("apply frr config: nil config")
	}
	hostname, err := f.opts.Hostname()
	if err != nil {
		return fmt.Errorf("apply frr config: get hostname: %w", err)
	}
	f.hostname.Store(&hostname)
	f.debounce.apply(c)
	return nil
}

// renderOptions are the options of the next render: the hostname got by
// the last ApplyConfig and the fallback router-id.
func (f *FRR) renderOptions() RenderOptions {
	o := RenderOptions{FallbackRouterID: f.opts.FallbackRouterID}
	if h := f.hostname.Load(); h != nil {
		o.Hostname = *h
	}
	return o
}

// Status returns the reload status published last.
func (f *FRR) Status() ReloadStatus {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.status
}

// publish stores s and tells OnStatus.
func (f *FRR) publish(s ReloadStatus) {
	f.mu.Lock()
	f.status = s
	f.mu.Unlock()
	f.opts.OnStatus(s)
}

// handOff renders c, writes it and signals the reloader. The receipt holds
// the pid signalled and the stamp .status had before the write, which the
// reloader's answer must change.
func (f *FRR) handOff(c *Config) (handOffReceipt, error) {
	text, err := Render(c, f.renderOptions())
	if err != nil {
		return handOffReceipt{}, err
	}
	before := statStatus(f.opts.StatusDir)
	if err := WriteConfig(f.configFile(), text); err != nil {
		return handOffReceipt{}, err
	}
	pid, err := SignalReloader(f.pidFile())
	if err != nil {
		return handOffReceipt{}, err
	}
	return handOffReceipt{pid: pid, before: before}, nil
}

func (f *FRR) configFile() string {
	return pathOrEnv(f.opts.ConfigFile, EnvConfigFile, DefaultConfigFile)
}

func (f *FRR) pidFile() string {
	return pathOrEnv(f.opts.PIDFile, EnvPIDFile, DefaultPIDFile)
}

// pathOrEnv returns path, else the value of the environment variable env,
// else def.
func pathOrEnv(path, env, def string) string {
	if path != "" {
		return path
	}
	if v := os.Getenv(env); v != "" {
		return v
	}
	return def
}

// WriteConfig replaces path with text, mode 0600, through a temporary file
// renamed in the same directory so the reloader never reads half a file.
func WriteConfig(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write frr config: %w", err)
	}
	if err := fillConfigFile(tmp, text); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write frr config %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write frr config: %w", err)
	}
	return nil
}

// fillConfigFile writes text to f with the config mode and closes it.
func fillConfigFile(f *os.File, text string) error {
	if err := f.Chmod(configFileMode); err != nil {
		_ = f.Close()
		return fmt.Errorf("chmod: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		_ = f.Close()
		return fmt.Errorf("write: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// SignalReloader sends SIGHUP to the process whose decimal pid is in
// pidFile (surrounding whitespace ignored) and returns that pid.
func SignalReloader(pidFile string) (int, error) {
	pid, err := readPID(pidFile)
	if err != nil {
		return 0, fmt.Errorf("signal the reloader: %w", err)
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		return 0, fmt.Errorf("signal the reloader: send SIGHUP to pid %d: %w", pid, err)
	}
	return pid, nil
}

// readPID parses the pid file; only a positive pid is accepted, so a bad
// file can never make kill target a process group or every process.
func readPID(pidFile string) (int, error) {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, fmt.Errorf("read pid file: %w", err)
	}
	text := strings.TrimSpace(string(b))
	pid, err := strconv.Atoi(text)
	if err != nil {
		return 0, fmt.Errorf("parse pid file %s: %w", pidFile, err)
	}
	if pid <= 0 {
		return 0, fmt.Errorf("parse pid file %s: pid %d is not positive", pidFile, pid)
	}
	return pid, nil
}
