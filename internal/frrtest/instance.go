package frrtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Watchfrr is the name of FRR's watchdog daemon.
const Watchfrr = "watchfrr"

// Timeouts of the daemon life cycle.
const (
	startTimeout = 15 * time.Second
	stopTimeout  = 5 * time.Second
	logTailLines = 40
)

// DefaultDaemons returns the protocol daemons StartFRR runs unless WithDaemons
// says otherwise: the production set without watchfrr.
func DefaultDaemons() []string {
	return []string{"zebra", "bgpd", "bfdd", "staticd"}
}

// Option changes how StartFRR runs an instance.
type Option func(*options)

type options struct {
	backend  Backend
	daemons  []string
	watchfrr bool
}

// WithBackend selects the FRR build; the default is DefaultBackend().
func WithBackend(b Backend) Option {
	return func(o *options) { o.backend = b }
}

// WithDaemons replaces the protocol daemons to run (zebra is always run).
func WithDaemons(daemons ...string) Option {
	return func(o *options) { o.daemons = slices.Clone(daemons) }
}

// WithWatchfrr also runs watchfrr, watching the other daemons in dry mode: it
// never starts or restarts a daemon, but it answers on its vty, so
// `show daemons` lists it as in production. A daemon stopped with KillDaemon
// stays down.
func WithWatchfrr() Option {
	return func(o *options) { o.watchfrr = true }
}

// Instance is one running FRR: its daemons in a namespace, with private run
// and config directories.
type Instance struct {
	name   string
	ns     *Namespace
	layout Layout
	tb     testing.TB

	mu      sync.Mutex
	procs   map[string]*process
	started []string
}

type process struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error
}

// StartFRR starts an FRR instance named name (used in paths and messages)
// inside ns and waits until every daemon accepts vty connections. It skips
// the test (fails under CI=true) when the backend cannot run here. The
// instance is stopped and its directories removed through t.Cleanup; the
// daemon logs are printed when the test failed.
func StartFRR(t testing.TB, ns *Namespace, name string, opts ...Option) *Instance {
	t.Helper()
	o := options{backend: DefaultBackend(), daemons: DefaultDaemons()}
	for _, opt := range opts {
		opt(&o)
	}
	RequireBackend(t, o.backend)
	layout, err := o.backend.NewLayout(name)
	if err != nil {
		t.Fatalf("prepare FRR instance %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(layout.StateDir()); err != nil {
			t.Errorf("remove state of FRR instance %s: %v", name, err)
		}
	})
	inst := &Instance{name: name, ns: ns, layout: layout, tb: t, procs: map[string]*process{}}
	t.Cleanup(inst.cleanup)
	if err := inst.startAll(o); err != nil {
		t.Fatalf("start FRR instance %s: %v", name, err)
	}
	return inst
}

func (i *Instance) startAll(o options) error {
	daemons := i.layout.Daemons(o.daemons)
	for _, d := range daemons {
		if err := i.start(d, i.layout.DaemonArgv(i.ns.Name, d)); err != nil {
			return err
		}
	}
	if o.watchfrr {
		if err := i.start(Watchfrr, i.layout.WatchfrrArgv(i.ns.Name, daemons)); err != nil {
			return err
		}
	}
	return nil
}

// start runs one daemon in the foreground, its output going to a log file in
// the state dir, and waits for its vty socket.
func (i *Instance) start(daemon string, argv []string) error {
	logPath := filepath.Join(i.layout.StateDir(), daemon+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("create log of %s: %w", daemon, err)
	}
	defer logFile.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", daemon, err)
	}
	p := &process{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	i.mu.Lock()
	i.procs[daemon] = p
	i.started = append(i.started, daemon)
	i.mu.Unlock()
	return i.waitReady(daemon, p)
}

func (i *Instance) waitReady(daemon string, p *process) error {
	socket := i.layout.VtySocket(daemon)
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited during start (%v):\n%s", daemon, p.err, tail(p.logPath, logTailLines))
		default:
		}
		if conn, err := net.Dial("unix", socket); err == nil {
			_ = conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not open %s within %v:\n%s", daemon, socket, startTimeout, tail(p.logPath, logTailLines))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Name returns the instance name given to StartFRR.
func (i *Instance) Name() string { return i.name }

// Namespace returns the namespace the daemons run in.
func (i *Instance) Namespace() *Namespace { return i.ns }

// RunDir returns the directory with the vty sockets and pid files.
func (i *Instance) RunDir() string { return i.layout.RunDir() }

// ConfDir returns the directory with vtysh.conf and the integrated frr.conf.
func (i *Instance) ConfDir() string { return i.layout.ConfDir() }

// StateDir returns the instance's scratch directory (daemon logs, temporary
// files); it is removed at cleanup.
func (i *Instance) StateDir() string { return i.layout.StateDir() }

// ReloadCmd returns the FRR_RELOAD_CMD value that reaches this instance.
func (i *Instance) ReloadCmd() string { return strings.Join(i.layout.ReloadCmd(), " ") }

// ReloadArgs returns the FRR_RELOAD_ARGS value that targets this instance.
func (i *Instance) ReloadArgs() string { return strings.Join(i.layout.ReloadArgs(), " ") }

// VtyshCmd returns the VTYSH_CMD value that reaches this instance.
func (i *Instance) VtyshCmd() string { return strings.Join(i.layout.VtyshArgv(), " ") }

// Env returns FRR_RELOAD_CMD, FRR_RELOAD_ARGS, VTYSH_CMD and
// FRR_RELOADER_PID_DIR (where the daemons' pid files are, as the host sees
// them) for this instance as KEY=value entries, ready for exec.Cmd.Env.
func (i *Instance) Env() []string {
	return []string{
		"FRR_RELOAD_CMD=" + i.ReloadCmd(),
		"FRR_RELOAD_ARGS=" + i.ReloadArgs(),
		"VTYSH_CMD=" + i.VtyshCmd(),
		"FRR_RELOADER_PID_DIR=" + i.RunDir(),
	}
}

// Vtysh runs vtysh against the instance with each argument as one -c command
// and returns its standard output. The error carries the output too.
func (i *Instance) Vtysh(commands ...string) (string, error) {
	argv := i.layout.VtyshArgv()
	for _, c := range commands {
		argv = append(argv, "-c", c)
	}
	return runSplit(argv)
}

// VtyshJSON runs one vtysh command (which should end in "json") and decodes
// its output into v.
func (i *Instance) VtyshJSON(command string, v any) error {
	out, err := i.Vtysh(command)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return fmt.Errorf("decode output of %q: %w: %s", command, err, out)
	}
	return nil
}

// IPv4Routes returns the prefixes of the instance's IPv4 unicast BGP table.
func (i *Instance) IPv4Routes() (map[string]bool, error) {
	var table struct {
		Routes map[string]json.RawMessage `json:"routes"`
	}
	if err := i.VtyshJSON("show bgp ipv4 unicast json", &table); err != nil {
		return nil, err
	}
	res := make(map[string]bool, len(table.Routes))
	for p := range table.Routes {
		res[p] = true
	}
	return res, nil
}

// ApplyConfig writes text as the instance's frr.conf and applies it with
// `vtysh -f`. The lines are added to the running configuration; use Reload to
// replace it.
func (i *Instance) ApplyConfig(text string) error {
	path := filepath.Join(i.ConfDir(), "frr.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write frr.conf: %w", err)
	}
	argv := append(i.layout.VtyshArgv(), "-f", i.layout.CommandPath(path))
	if _, err := runSplit(argv); err != nil {
		return fmt.Errorf("apply config to %s: %w", i.name, err)
	}
	return nil
}

// Reload replaces the running configuration with text through
// `frr-reload.py --reload --overwrite`, as the reloader does, and returns the
// combined output.
func (i *Instance) Reload(text string) (string, error) {
	path := filepath.Join(i.StateDir(), "reload-input.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return "", fmt.Errorf("write reload input: %w", err)
	}
	argv := slices.Concat(i.layout.ReloadCmd(), i.layout.ReloadArgs(),
		[]string{"--reload", "--overwrite", "--stdout", i.layout.CommandPath(path)})
	out, err := run(argv...)
	if err != nil {
		return out, fmt.Errorf("reload %s: %w", i.name, err)
	}
	return out, nil
}

// Daemons returns the names of the daemons that are running, in start order.
func (i *Instance) Daemons() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	var running []string
	for _, d := range i.started {
		if _, ok := i.procs[d]; ok {
			running = append(running, d)
		}
	}
	return running
}

// KillDaemon kills one daemon with SIGKILL, as a crash would, and waits until
// it is gone. Nothing restarts it.
func (i *Instance) KillDaemon(daemon string) error {
	i.mu.Lock()
	p, ok := i.procs[daemon]
	delete(i.procs, daemon)
	i.mu.Unlock()
	if !ok {
		return fmt.Errorf("%s is not running in %s", daemon, i.name)
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("%s did not exit after SIGKILL", daemon)
	}
}

// RestartDaemon starts again a daemon stopped with KillDaemon, as watchfrr
// would after a crash: it comes back without configuration.
func (i *Instance) RestartDaemon(daemon string) error {
	i.mu.Lock()
	if _, running := i.procs[daemon]; running {
		i.mu.Unlock()
		return fmt.Errorf("%s is already running in %s", daemon, i.name)
	}
	i.started = slices.DeleteFunc(i.started, func(d string) bool { return d == daemon })
	i.mu.Unlock()
	return i.start(daemon, i.layout.DaemonArgv(i.ns.Name, daemon))
}

// Stop stops all daemons: SIGTERM to all of them at once, SIGKILL to those
// still running after a few seconds. It is safe to call more than once.
func (i *Instance) Stop() {
	i.mu.Lock()
	procs := i.procs
	i.procs = map[string]*process{}
	i.mu.Unlock()
	for _, p := range procs {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	deadline := time.Now().Add(stopTimeout)
	for _, p := range procs {
		select {
		case <-p.done:
		case <-time.After(time.Until(deadline)):
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
			<-p.done
		}
	}
}

func (i *Instance) cleanup() {
	i.Stop()
	if !i.tb.Failed() {
		return
	}
	i.mu.Lock()
	started := slices.Clone(i.started)
	i.mu.Unlock()
	for _, d := range started {
		i.tb.Logf("FRR instance %s, %s log (last %d lines):\n%s", i.name, d, logTailLines,
			tail(filepath.Join(i.StateDir(), d+".log"), logTailLines))
	}
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// runSplit executes argv and returns its standard output; a failure carries
// both output streams.
func runSplit(argv []string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err,
			strings.TrimSpace(stdout.String()+"\n"+stderr.String()))
	}
	return stdout.String(), nil
}
