package frrtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// Backend knows how to run one FRR build: where its binaries are, which
// daemons it needs and which commands reach an instance.
type Backend interface {
	// Name identifies the backend in messages.
	Name() string
	// Check returns why the backend cannot run here, or nil.
	Check() error
	// NewLayout creates the private directories of a new instance.
	NewLayout(instance string) (Layout, error)
	// StandaloneVtysh returns one executable that runs this build's vtysh
	// outside any instance (for --dryrun or -C) on host files under
	// os.TempDir(); helper files it needs are written into dir.
	StandaloneVtysh(dir string) (string, error)
}

// Layout describes one instance of a backend: its directories and the
// commands that start its daemons and talk to it. Paths are host paths unless
// stated otherwise.
type Layout interface {
	// StateDir is removed when the instance is cleaned up; daemon logs go there.
	StateDir() string
	// RunDir holds the vty sockets, pid files and frr-reload temp files.
	RunDir() string
	// ConfDir holds vtysh.conf and the integrated frr.conf.
	ConfDir() string
	// Daemons returns the daemons to start, in start order, for the requested
	// protocol daemons (a build may need more, such as mgmtd on FRR 10).
	Daemons(requested []string) []string
	// DaemonArgv runs daemon in the foreground inside the network namespace ns.
	DaemonArgv(ns, daemon string) []string
	// WatchfrrArgv runs watchfrr in the foreground inside ns, watching daemons
	// without restarting them.
	WatchfrrArgv(ns string, daemons []string) []string
	// VtySocket is the socket whose presence means daemon accepts vty sessions.
	VtySocket(daemon string) string
	// VtyshArgv is the vtysh command line for this instance, without commands.
	VtyshArgv() []string
	// ReloadCmd is the frr-reload.py command line (FRR_RELOAD_CMD).
	ReloadCmd() []string
	// ReloadArgs are the frr-reload.py flags that target this instance
	// (FRR_RELOAD_ARGS).
	ReloadArgs() []string
	// CommandPath maps a host path to the path the commands above see.
	CommandPath(hostPath string) string
}

// Paths of the distribution's FRR packages.
const (
	frrLibDir    = "/usr/lib/frr"
	vtyshPath    = "/usr/bin/vtysh"
	python3Path  = "/usr/bin/python3"
	frrReloadPy  = frrLibDir + "/frr-reload.py"
	frrUser      = "frr"
	statePrefix  = "frrtest-"
	maxSocketLen = 100 // sun_path is 108 bytes including the terminator
)

// DefaultBackend is the backend StartFRR and Require use when no other is
// given: the host's FRR.
func DefaultBackend() Backend {
	return HostFRR()
}

// HostFRR returns the backend that runs the FRR installed on the host
// (Debian's frr 8.4: daemons in /usr/lib/frr, /usr/bin/vtysh) with private
// run and config directories per instance.
func HostFRR() Backend {
	return hostBackend{}
}

type hostBackend struct{}

func (hostBackend) Name() string { return "host FRR from " + frrLibDir }

func (hostBackend) Check() error {
	if os.Geteuid() != 0 {
		return errors.New("network namespaces and FRR daemons need root")
	}
	var missing []string
	for _, d := range []string{"zebra", "bgpd", "bfdd", "staticd", "watchfrr", "frr-reload.py"} {
		missing = appendMissing(missing, filepath.Join(frrLibDir, d))
	}
	missing = appendMissing(missing, vtyshPath)
	missing = appendMissing(missing, python3Path)
	if _, err := exec.LookPath("ip"); err != nil {
		missing = append(missing, "ip (iproute2)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	if _, _, err := frrIDs(); err != nil {
		return err
	}
	return nil
}

func appendMissing(missing []string, path string) []string {
	if _, err := os.Stat(path); err != nil {
		return append(missing, path)
	}
	return missing
}

// frrIDs returns the uid and gid of the frr user that the daemons drop to.
func frrIDs() (int, int, error) {
	u, err := user.Lookup(frrUser)
	if err != nil {
		return 0, 0, fmt.Errorf("look up user %s: %w", frrUser, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return 0, 0, fmt.Errorf("parse uid of %s: %w", frrUser, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return 0, 0, fmt.Errorf("parse gid of %s: %w", frrUser, err)
	}
	return uid, gid, nil
}

func (hostBackend) StandaloneVtysh(string) (string, error) { return vtyshPath, nil }

func (hostBackend) NewLayout(instance string) (Layout, error) {
	removeStaleStateDirs()
	uid, gid, err := frrIDs()
	if err != nil {
		return nil, err
	}
	state, err := os.MkdirTemp("", fmt.Sprintf("%s%d-%s-", statePrefix, os.Getpid(), instance))
	if err != nil {
		return nil, fmt.Errorf("create state dir: %w", err)
	}
	l := &hostLayout{state: state, run: filepath.Join(state, "run"), conf: filepath.Join(state, "etc")}
	if err := l.prepare(uid, gid); err != nil {
		_ = os.RemoveAll(state)
		return nil, err
	}
	return l, nil
}

type hostLayout struct {
	state, run, conf string
}

// prepare creates the directories: the path must be searchable by frr, and
// run and etc must be writable by it (the daemons drop privileges before they
// create sockets and pid files; vtysh write runs as frr).
func (l *hostLayout) prepare(uid, gid int) error {
	if strings.ContainsAny(l.state, " \t\n") {
		return fmt.Errorf("state dir %q contains whitespace, which FRR_RELOAD_ARGS cannot carry", l.state)
	}
	if n := len(l.VtySocket("staticd")); n > maxSocketLen {
		return fmt.Errorf("socket paths under %q are too long (%d bytes): set TMPDIR to a shorter path", l.state, n)
	}
	if err := os.Chmod(l.state, 0o755); err != nil {
		return fmt.Errorf("chmod state dir: %w", err)
	}
	for _, dir := range []string{l.run, l.conf} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", dir, err)
		}
	}
	vtyshConf := filepath.Join(l.conf, "vtysh.conf")
	if err := os.WriteFile(vtyshConf, []byte("service integrated-vtysh-config\n"), 0o644); err != nil {
		return fmt.Errorf("write vtysh.conf: %w", err)
	}
	return nil
}

func (l *hostLayout) StateDir() string { return l.state }
func (l *hostLayout) RunDir() string   { return l.run }
func (l *hostLayout) ConfDir() string  { return l.conf }

func (l *hostLayout) Daemons(requested []string) []string {
	// zebra first: the others connect to its zserv socket.
	order := []string{"zebra"}
	for _, d := range requested {
		if d != "zebra" {
			order = append(order, d)
		}
	}
	return order
}

func (l *hostLayout) DaemonArgv(ns, daemon string) []string {
	argv := []string{
		"ip", "netns", "exec", ns, filepath.Join(frrLibDir, daemon),
		"-P", "0", "-f", "/dev/null",
		"--vty_socket", l.run,
		"-z", filepath.Join(l.run, "zserv.api"),
		"-i", filepath.Join(l.run, daemon+".pid"),
		"--log", "stdout",
	}
	if daemon == "bfdd" {
		argv = append(argv, "--bfdctl", filepath.Join(l.run, "bfdd.sock"))
	}
	return argv
}

// watchfrrWrapper runs watchfrr in the private mount namespace that
// `ip netns exec` creates (a slave of the host's, so nothing propagates back):
// it writes watchfrr.started to the compiled-in /var/run/frr whatever
// --vty_socket says, and on `write integrated` (frr-reload.py's final write)
// it runs `vtysh -w` with the default paths, which would rewrite the host's
// /etc/frr/frr.conf. Bind-mounting the instance's directories there keeps
// both inside the instance.
const watchfrrWrapper = `set -e
run=$1; etc=$2; shift 2
if [ -d /var/run/frr ]; then mount --bind "$run" /var/run/frr; fi
if [ -d /etc/frr ]; then mount --bind "$etc" /etc/frr; fi
exec "$@"`

func (l *hostLayout) WatchfrrArgv(ns string, daemons []string) []string {
	argv := []string{
		"ip", "netns", "exec", ns, "sh", "-c", watchfrrWrapper, "sh", l.run, l.conf,
		filepath.Join(frrLibDir, "watchfrr"), "--dry",
		"--vty_socket", l.run, "-S", l.run, "-p", filepath.Join(l.run, "watchfrr.pid"),
	}
	return append(argv, daemons...)
}

func (l *hostLayout) VtySocket(daemon string) string {
	return filepath.Join(l.run, daemon+".vty")
}

func (l *hostLayout) VtyshArgv() []string {
	return []string{vtyshPath, "--vty_socket", l.run}
}

func (l *hostLayout) ReloadCmd() []string {
	// The system interpreter explicitly: frr-reload.py is packaged for it, and
	// a python3 found earlier on PATH (pyenv) is not guaranteed to work.
	return []string{python3Path, frrReloadPy}
}

func (l *hostLayout) ReloadArgs() []string {
	return []string{"--bindir", filepath.Dir(vtyshPath), "--confdir", l.conf, "--rundir", l.run, "--vty_socket", l.run}
}

func (l *hostLayout) CommandPath(hostPath string) string { return hostPath }

// removeStaleStateDirs runs deleteStaleStateDirs once per test process.
func removeStaleStateDirs() {
	staleDirsOnce.Do(deleteStaleStateDirs)
}

// deleteStaleStateDirs deletes state directories of test processes that no
// longer exist (killed before their cleanup ran).
func deleteStaleStateDirs() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), statePrefix+"*"))
	for _, dir := range matches {
		if pid, ok := ownerPid(filepath.Base(dir)); ok && !processAlive(pid) {
			_ = os.RemoveAll(dir)
		}
	}
}
