package frrtest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FRR10RootEnv names the environment variable that holds the path of the
// FRR 10 chroot built by hack/frr10-chroot.sh.
const FRR10RootEnv = "FRRK8S_FRR10_ROOT"

// frr10StampFile is written by hack/frr10-chroot.sh into a finished chroot.
const frr10StampFile = ".frrk8s-frr10-stamp"

// chrootExecName is the wrapper script that runs a command in the chroot.
const chrootExecName = "chroot-exec"

// FRR10 returns the backend that runs FRR 10 from the Debian chroot named by
// FRRK8S_FRR10_ROOT (see hack/frr10-chroot.sh).
//
// Every command of an instance (daemons, vtysh, frr-reload.py) runs through
// a small wrapper script in the instance's state dir. The wrapper enters a
// private mount namespace and bind-mounts the instance's run and etc
// directories over the chroot's /run/frr and /etc/frr. For daemons it also
// mounts proc and sysfs and the instance's lib directory over /var/lib/frr;
// for vtysh and frr-reload.py it bind-mounts the host's temporary directory
// at the same path inside the chroot, so files under os.TempDir(), such as
// t.TempDir() volumes and the state dir, have the same path for the host and
// for FRR. FRR 10 then runs with its compiled-in paths, which keeps mgmtd's sockets
// (always in /run/frr) and its commit history (/var/lib/frr) per instance,
// and the chroot itself is never written to. The mounts vanish with the
// processes that made them, so nothing needs unmounting, even after a crash.
func FRR10() Backend {
	return frr10Backend{root: os.Getenv(FRR10RootEnv)}
}

type frr10Backend struct {
	root string
}

// Binaries an FRR 10 instance needs inside the chroot, and host tools.
var (
	frr10Files = []string{
		frrLibDir + "/mgmtd", frrLibDir + "/zebra", frrLibDir + "/bgpd", frrLibDir + "/bfdd",
		frrLibDir + "/staticd", frrLibDir + "/watchfrr", frrReloadPy, vtyshPath, python3Path,
	}
	frr10HostTools = []string{"ip", "unshare", "chroot", "mount", "sh"}
)

func (b frr10Backend) Name() string {
	if b.root == "" {
		return "FRR 10 chroot"
	}
	if stamp, err := os.ReadFile(filepath.Join(b.root, frr10StampFile)); err == nil {
		return fmt.Sprintf("FRR 10 chroot %s (%s)", b.root, strings.TrimSpace(string(stamp)))
	}
	return "FRR 10 chroot " + b.root
}

func (b frr10Backend) Check() error {
	if b.root == "" {
		return fmt.Errorf("%s is not set: build the chroot with hack/frr10-chroot.sh and export its path", FRR10RootEnv)
	}
	if os.Geteuid() != 0 {
		return errors.New("network namespaces, mounts and chroot need root")
	}
	if !filepath.IsAbs(b.root) {
		return fmt.Errorf("%s=%q is not an absolute path", FRR10RootEnv, b.root)
	}
	var missing []string
	for _, f := range frr10Files {
		missing = appendMissing(missing, filepath.Join(b.root, f))
	}
	for _, tool := range frr10HostTools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool+" (host)")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s (rebuild with hack/frr10-chroot.sh)", strings.Join(missing, ", "))
	}
	if _, _, err := chrootFRRIDs(b.root); err != nil {
		return err
	}
	return nil
}

// chrootFRRIDs returns the uid and gid of the chroot's frr user, which differ
// from the host's.
func chrootFRRIDs(root string) (int, int, error) {
	passwd := filepath.Join(root, "etc", "passwd")
	f, err := os.Open(passwd)
	if err != nil {
		return 0, 0, fmt.Errorf("read users of the chroot: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 4 || fields[0] != frrUser {
			continue
		}
		uid, uidErr := strconv.Atoi(fields[2])
		gid, gidErr := strconv.Atoi(fields[3])
		if err := errors.Join(uidErr, gidErr); err != nil {
			return 0, 0, fmt.Errorf("parse the %s entry of %s: %w", frrUser, passwd, err)
		}
		return uid, gid, nil
	}
	if err := sc.Err(); err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", passwd, err)
	}
	return 0, 0, fmt.Errorf("no user %s in %s", frrUser, passwd)
}

func (b frr10Backend) NewLayout(instance string) (Layout, error) {
	removeStaleStateDirs()
	uid, gid, err := chrootFRRIDs(b.root)
	if err != nil {
		return nil, err
	}
	state, err := os.MkdirTemp("", fmt.Sprintf("%s%d-%s-", statePrefix, os.Getpid(), instance))
	if err != nil {
		return nil, fmt.Errorf("create state dir: %w", err)
	}
	l := &frr10Layout{root: b.root, state: state}
	if err := l.prepare(uid, gid); err != nil {
		_ = os.RemoveAll(state)
		return nil, err
	}
	return l, nil
}

func (b frr10Backend) StandaloneVtysh(dir string) (string, error) {
	exe, err := writeChrootExec(dir, b.root, "")
	if err != nil {
		return "", err
	}
	// Callers such as frrcheck.DryRun take one executable, not a command line.
	path := filepath.Join(dir, "vtysh")
	script := fmt.Sprintf("#!/bin/sh\nexec /bin/sh %s %s \"$@\"\n", shellQuote(exe), vtyshPath)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return "", fmt.Errorf("write vtysh wrapper: %w", err)
	}
	return path, nil
}

// frr10Layout is an instance of the FRR 10 backend. Its directories live in
// the state dir on the host and are mounted over the chroot's FRR paths.
type frr10Layout struct {
	root, state string
}

func (l *frr10Layout) prepare(uid, gid int) error {
	if strings.ContainsAny(l.state, " \t\n'\"\\") {
		return fmt.Errorf("state dir %q contains whitespace or quotes, which the FRR_* commands cannot carry", l.state)
	}
	if !strings.HasPrefix(l.state, tempDir()+"/") {
		return fmt.Errorf("state dir %q is outside the temporary directory %q", l.state, tempDir())
	}
	if n := len(l.VtySocket("staticd")); n > maxSocketLen {
		return fmt.Errorf("socket paths under %q are too long (%d bytes): set TMPDIR to a shorter path", l.state, n)
	}
	if err := os.Chmod(l.state, 0o755); err != nil {
		return fmt.Errorf("chmod state dir: %w", err)
	}
	for _, dir := range []string{l.RunDir(), l.ConfDir(), l.libDir()} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", dir, err)
		}
	}
	vtyshConf := filepath.Join(l.ConfDir(), "vtysh.conf")
	if err := os.WriteFile(vtyshConf, []byte("service integrated-vtysh-config\n"), 0o644); err != nil {
		return fmt.Errorf("write vtysh.conf: %w", err)
	}
	if _, err := writeChrootExec(l.state, l.root, l.state); err != nil {
		return err
	}
	return nil
}

func (l *frr10Layout) StateDir() string { return l.state }
func (l *frr10Layout) RunDir() string   { return filepath.Join(l.state, "run") }
func (l *frr10Layout) ConfDir() string  { return filepath.Join(l.state, "etc") }
func (l *frr10Layout) libDir() string   { return filepath.Join(l.state, "lib") }

// exec is the command prefix that runs a program inside the chroot as this
// instance sees it. sh runs the script, so a noexec temporary directory is
// no obstacle.
func (l *frr10Layout) exec() []string {
	return []string{"/bin/sh", filepath.Join(l.state, chrootExecName)}
}

func (l *frr10Layout) Daemons(requested []string) []string {
	// mgmtd first: zebra, staticd and the others are its backends; then zebra,
	// whose zserv socket the protocol daemons connect to.
	order := []string{"mgmtd", "zebra"}
	for _, d := range requested {
		if !slices.Contains(order, d) {
			order = append(order, d)
		}
	}
	return order
}

// daemonExec is exec for daemons: inside ns, with the daemon mounts.
func (l *frr10Layout) daemonExec(ns string) []string {
	return slices.Concat([]string{"ip", "netns", "exec", ns, "env", "FRRTEST_DAEMON=1"}, l.exec())
}

func (l *frr10Layout) DaemonArgv(ns, daemon string) []string {
	// No -f: mgmtd and staticd reject it in 10.3, and with the private
	// /etc/frr there are no per-daemon files to read anyway. The other paths
	// (vty sockets, zserv.api, pid files, bfdd's control socket, mgmtd's
	// sockets) are the compiled-in ones under the private /run/frr.
	return append(l.daemonExec(ns), filepath.Join(frrLibDir, daemon), "-P", "0", "--log", "stdout")
}

func (l *frr10Layout) WatchfrrArgv(ns string, daemons []string) []string {
	// watchfrr's `write integrated` runs vtysh -w in the same chroot and
	// mounts, so frr-reload.py's final write lands in ConfDir.
	return slices.Concat(l.daemonExec(ns), []string{filepath.Join(frrLibDir, "watchfrr"), "--dry"}, daemons)
}

func (l *frr10Layout) VtySocket(daemon string) string {
	return filepath.Join(l.RunDir(), daemon+".vty")
}

func (l *frr10Layout) VtyshArgv() []string {
	return append(l.exec(), vtyshPath)
}

func (l *frr10Layout) ReloadCmd() []string {
	return append(l.exec(), python3Path, frrReloadPy)
}

func (l *frr10Layout) ReloadArgs() []string {
	// The compiled-in --bindir, --confdir and --rundir are right: the
	// wrapper mounts the instance's directories there.
	return nil
}

// CommandPath maps a host path to the chroot: paths under the temporary
// directory keep their name; paths inside the chroot lose its prefix.
// Other host paths are not visible to FRR 10 and come back unchanged.
func (l *frr10Layout) CommandPath(hostPath string) string {
	if rel, ok := strings.CutPrefix(hostPath, l.root+"/"); ok {
		return "/" + rel
	}
	return hostPath
}

// tempDir is the host's temporary directory without a trailing slash.
func tempDir() string {
	return filepath.Clean(os.TempDir())
}

// chrootExecScript enters a private mount namespace (nothing propagates to
// the host, and every mount disappears with the process), prepares the
// chroot and executes the command inside it. Arguments: chroot root, host
// temporary directory, instance state dir or "" for none, then the command.
// Each mount costs a fork and exec, so a command gets only what it needs: a
// daemon (started through "ip netns exec", FRRTEST_DAEMON=1) gets proc, sysfs
// and the instance's directories; a tool (vtysh, frr-reload.py) gets the
// temporary directory and the instance's run and etc directories.
const chrootExecScript = `set -e
root=$1; tmp=$2; state=$3; shift 3
exec unshare --mount --propagation private -- /bin/sh -e -c '
root=$1; tmp=$2; state=$3; shift 3
if [ "$FRRTEST_DAEMON" = 1 ]; then
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --bind "$state/lib" "$root/var/lib/frr"
else
  [ -d "$root$tmp" ] || mkdir -p "$root$tmp"
  mount --rbind "$tmp" "$root$tmp"
fi
if [ -n "$state" ]; then
  mount --bind "$state/run" "$root/run/frr"
  mount --bind "$state/etc" "$root/etc/frr"
fi
unset FRRTEST_DAEMON
exec chroot "$root" "$@"' sh "$root" "$tmp" "$state" "$@"
`

// writeChrootExec writes the wrapper into dir with the chroot, the temporary
// directory and the instance state dir (empty for none) bound in, and
// returns its path.
func writeChrootExec(dir, root, state string) (string, error) {
	path := filepath.Join(dir, chrootExecName)
	script := fmt.Sprintf("#!/bin/sh\n# Runs a command in the FRR 10 chroot %s.\nset -- %s %s %s \"$@\"\n%s",
		root, shellQuote(root), shellQuote(tempDir()), shellQuote(state), chrootExecScript)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return "", fmt.Errorf("write %s: %w", chrootExecName, err)
	}
	return path, nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
