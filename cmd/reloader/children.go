package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// children are the commands the reloader is running, so that stop can end
// them with itself.
type children struct {
	mu    sync.Mutex
	pgids map[int]bool
}

// errTimedOut marks a child that did not finish within its step's bound and
// was killed.
var errTimedOut = errors.New("timed out")

// runChild runs argv with its output to stdout and stderr. The child gets a
// process group of its own and SIGKILL when the reloader dies, so a killed
// reloader leaves no reload running; stop kills the group of every child
// still running. A child still running after its step's bound (stepTimeout)
// is killed with its group and the error wraps errTimedOut.
func (r *reloader) runChild(argv []string, stdout, stderr io.Writer) error {
	started := time.Now()
	ran, err := r.runChildQuiet(argv, stdout, stderr)
	if ran {
		r.printf("Step %q took %.2f seconds", r.stepName(argv), time.Since(started).Seconds())
	}
	return err
}

// runChildQuiet is runChild without the step's timing line, for the
// restart watcher's frequent checks; ran tells whether the child started.
func (r *reloader) runChildQuiet(argv []string, stdout, stderr io.Writer) (ran bool, err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	pid := cmd.Process.Pid
	r.children.add(pid)
	timeout := r.stepTimeout(argv)
	var timedOut atomic.Bool
	if timeout > 0 {
		timer := time.AfterFunc(timeout, func() {
			timedOut.Store(true)
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		})
		defer timer.Stop()
	}
	err = cmd.Wait()
	r.children.remove(pid)
	if timedOut.Load() {
		return true, fmt.Errorf("%s: %w after %v: killed", r.stepName(argv), errTimedOut, timeout)
	}
	if err != nil {
		return true, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return true, nil
}

// stepTimeout bounds one child: frr-reload.py and the cold load of the
// whole file get cfg.reloadTimeout; a `vtysh -f` of commands (an
// incremental change, a move pass) cfg.vtyshTimeout plus perCommand for
// each of its lines, up to cfg.reloadTimeout; every other vtysh call
// cfg.vtyshTimeout. Zero means no bound.
func (r *reloader) stepTimeout(argv []string) time.Duration {
	if hasPrefix(argv, r.cfg.reloadCmd) {
		return r.cfg.reloadTimeout
	}
	if !hasPrefix(argv, r.cfg.vtyshCmd) {
		return r.cfg.vtyshTimeout
	}
	args := argv[len(r.cfg.vtyshCmd):]
	i := slices.Index(args, "-f")
	if i < 0 || i+1 >= len(args) || slices.Contains(args, "--dryrun") {
		return r.cfg.vtyshTimeout
	}
	if args[i+1] == r.paths.config || r.cfg.vtyshTimeout == 0 {
		return r.cfg.reloadTimeout
	}
	b, err := os.ReadFile(args[i+1])
	if err != nil {
		return r.cfg.vtyshTimeout
	}
	d := r.cfg.vtyshTimeout + time.Duration(bytes.Count(b, []byte("\n")))*perCommand
	if r.cfg.reloadTimeout > 0 {
		d = min(d, r.cfg.reloadTimeout)
	}
	return d
}

// perCommand is what a `vtysh -f` of commands may take per line on top of
// the vtysh bound: FRR 8.4 took 20 ms per command moving 4,012 entries
// (8,024 commands in 160 s); five times that.
const perCommand = 100 * time.Millisecond

// hasPrefix reports whether argv starts with prefix.
func hasPrefix(argv, prefix []string) bool {
	return len(argv) >= len(prefix) && slices.Equal(argv[:len(prefix)], prefix)
}

// stepName shortens argv for the log: "vtysh" or "frr-reload.py" followed
// by the arguments after the configured command, file paths by their base
// name.
func (r *reloader) stepName(argv []string) string {
	name, rest := filepath.Base(argv[0]), argv[1:]
	for _, base := range []struct {
		prefix []string
		name   string
	}{{r.cfg.reloadCmd, "frr-reload.py"}, {r.cfg.vtyshCmd, "vtysh"}} {
		if hasPrefix(argv, base.prefix) {
			name, rest = base.name, argv[len(base.prefix):]
			break
		}
	}
	words := []string{name}
	for _, a := range rest {
		if filepath.IsAbs(a) {
			a = filepath.Base(a)
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}

func (c *children) add(pgid int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pgids == nil {
		c.pgids = map[int]bool{}
	}
	c.pgids[pgid] = true
}

func (c *children) remove(pgid int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pgids, pgid)
}

// killAll sends SIGKILL to the process group of every running child.
func (c *children) killAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for pgid := range c.pgids {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

// escapeRE matches terminal escape sequences (CSI such as colours, OSC,
// character set selections and two-byte ones), which frr-reload.py prints around its ERROR lines.
var escapeRE = regexp.MustCompile(`\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()*+][0-9A-Za-z]|[@-Z\\-_])`)

// cleanOutput removes terminal escape sequences and other control
// characters but tab and newline.
func cleanOutput(s string) string {
	s = escapeRE.ReplaceAllString(s, "")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// cleanWriter passes whole lines through cleanOutput, holding a line until
// its newline arrives (or Flush), so a sequence split across writes is
// still removed.
type cleanWriter struct {
	mu      sync.Mutex
	w       io.Writer
	pending []byte
}

func newCleanWriter(w io.Writer) *cleanWriter {
	return &cleanWriter{w: w}
}

// Write buffers p and writes out every completed line, cleaned.
func (c *cleanWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = append(c.pending, p...)
	end := bytes.LastIndexByte(c.pending, '\n')
	if end < 0 {
		return len(p), nil
	}
	if _, err := io.WriteString(c.w, cleanOutput(string(c.pending[:end+1]))); err != nil {
		return 0, err
	}
	c.pending = append(c.pending[:0], c.pending[end+1:]...)
	return len(p), nil
}

// Flush writes a pending incomplete line, cleaned, followed by a newline.
func (c *cleanWriter) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		return nil
	}
	line := cleanOutput(string(c.pending)) + "\n"
	c.pending = c.pending[:0]
	_, err := io.WriteString(c.w, line)
	return err
}
