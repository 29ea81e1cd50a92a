package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frrk8s/frrk8s/internal/frr/confdiff"
	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
)

// applied is what the fast path knows about FRR after its last successful
// reload. The zero value means nothing is known: the next reload is a cold
// start or a full apply.
type applied struct {
	conf    string          // the frr.conf text applied
	file    confdiff.Config // conf, parsed
	pids    map[string]int  // daemon name to pid when it was applied
	running confdiff.Config // FRR's running configuration read back then
}

// reloadFast checks frr.conf with a dry run, then applies it incrementally
// when it can and with frr-reload.py otherwise. full forces the latter.
func (r *reloader) reloadFast(full bool) {
	started := time.Now()
	confBytes, err := os.ReadFile(r.paths.config)
	if err != nil {
		r.fail(started, "Failed to read the configuration file", "", err)
		return
	}
	conf := string(confBytes)
	r.knowPasswords(conf)
	defer os.Remove(r.paths.incremental)

	// An incremental change is checked on its own commands: the rest of the
	// file is the part that passed the check when it was applied.
	want := confdiff.Parse(conf)
	var change *incrementalChange
	if !full && r.state.conf != "" {
		if plan, ok := confdiff.Diff(r.state.file, want); ok {
			change = &incrementalChange{plan: plan, want: want}
		}
	}
	r.printf("Checking the configuration file syntax")
	if out, err := r.checkFast(change); err != nil {
		// The check does not touch FRR: what was applied before still holds.
		r.fail(started, "Syntax error spotted: aborting..", out, err)
		return
	}

	// Until this reload succeeds nothing is known about FRR: a failure or an
	// interruption (the reloader killed) leads to a full apply next time.
	prev := r.state
	r.forget()

	r.printf("Applying the configuration file")
	var (
		running string
		pids    map[string]int // the daemons' pids before the apply, if unchanged
		save    bool           // write memory is still to be done
	)
	switch {
	case prev.conf == "":
		running, save, err = r.applyFirst()
	case change == nil && !full && startupOnly(prev.conf):
		// The last file applied held nothing frr-k8s renders (the daemon
		// hands off an empty configuration before the first
		// FRRConfiguration): loading the new one is a cold start too.
		r.printf("The last configuration applied holds no router: cold start")
		running, save, err = r.applyFirst()
	case full:
		r.printf("Periodic full apply")
		running, pids, err = r.applyPeriodic(prev)
	default:
		running, pids, save, err = r.applyChange(prev, change)
	}
	if err != nil {
		r.fail(started, "Failed to fully apply configuration file", running, err)
		return
	}
	r.remember(conf, want, pids, running)
	r.writeRunningConfig(running)
	if err := os.WriteFile(r.paths.lastError, []byte("\n"), fileMode); err != nil {
		r.printf("Failed to clear %s: %v", r.paths.lastError, err)
	}
	r.printf("FRR reloaded successfully! %d seconds", elapsed(started))
	r.writeStatus(resultSuccess)
	if save {
		// After .status, still under the lock: FRR already runs the file, and
		// saving it takes seconds at scale (FRR 10 at 10,000 prefixes). If it
		// fails, the next reload is a full one, which saves again.
		if err := r.writeMemory(); err != nil {
			r.printf("Failed to save the configuration (%v): the next reload is a full apply", err)
			r.forget()
		}
	}
}

// stepError is a failed step with the output that explains it.
type stepError struct {
	output  string
	printed bool // output already went to stdout
	err     error
}

func (e *stepError) Error() string { return e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// fail reports a failed reload: the message on stdout, the failed step's
// output (redacted, without terminal escapes) in last-error, a failure in
// .status and a refreshed running-config.
func (r *reloader) fail(started time.Time, message, output string, err error) {
	printed := false
	if se, ok := errors.AsType[*stepError](err); ok && se.output != "" {
		output, printed = se.output, se.printed
	}
	r.printf("%s %d seconds (%v)", message, elapsed(started), err)
	text := cleanOutput(output)
	if strings.TrimSpace(text) == "" {
		text, printed = err.Error()+"\n", false
	}
	if !printed {
		r.printText(text)
	}
	if err := os.WriteFile(r.paths.lastError, []byte(r.redactText(summarize(text))), fileMode); err != nil {
		r.printf("Failed to write %s: %v", r.paths.lastError, err)
	}
	r.writeStatus(resultFailure)
	r.refreshRunningConfig()
}

// incrementalChange is a change confdiff found incremental.
type incrementalChange struct {
	plan confdiff.Plan
	want confdiff.Config // the new file, parsed
}

// checkFast dry-runs frr.conf, or for an incremental change its commands
// (written to incremental.conf), and returns vtysh's output.
func (r *reloader) checkFast(change *incrementalChange) (string, error) {
	if change == nil {
		return r.dryRun(r.paths.config)
	}
	if change.plan.Empty() {
		return "", nil
	}
	text := strings.Join(change.plan.Commands, "\n") + "\n"
	if err := os.WriteFile(r.paths.incremental, []byte(text), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", r.paths.incremental, err)
	}
	return r.dryRun(r.paths.incremental)
}

// dryRun parses file with `vtysh --dryrun -f` and returns its output.
func (r *reloader) dryRun(file string) (string, error) {
	var out bytes.Buffer
	runErr := r.runChild(dryRunArgv(r.cfg.vtyshCmd, file), &out, &out)
	if err := frrcheck.Verdict(out.String(), runErr); err != nil {
		return out.String(), err
	}
	return out.String(), nil
}

// applyFirst applies frr.conf when this reloader has applied nothing yet,
// or only a file without any router or filter (the daemon's empty
// configuration). When FRR runs only such a configuration (no BGP router,
// no prefix-list), the file is loaded with one `vtysh -f` and proven with a
// `frr-reload.py --test` that finds nothing to change; anything else, or any
// doubt, is a full apply.
func (r *reloader) applyFirst() (running string, save bool, err error) {
	running, err = r.showRunning()
	if err != nil {
		running, err = r.applyFull("")
		return running, false, err
	}
	if !startupOnly(running) {
		running, err = r.applyFull(running)
		return running, false, err
	}
	full := func() (string, bool, error) {
		running, err := r.applyFull("")
		return running, false, err
	}
	r.printf("Cold start: loading the configuration file with vtysh")
	var out bytes.Buffer
	if err := r.runChild(slices.Concat(r.cfg.vtyshCmd, []string{"-f", r.paths.config}), &out, &out); err != nil {
		r.printText(cleanOutput(out.String()))
		r.printf("Cold load failed (%v): falling back to a full apply", err)
		return full()
	}
	out.Reset()
	// The proof and the read of the running configuration both only read
	// FRR once the load is done: they run side by side (the proof spends
	// most of its time diffing in Python).
	type read struct {
		text string
		err  error
	}
	shown := make(chan read, 1)
	go func() {
		text, err := r.showRunning()
		shown <- read{text, err}
	}()
	testErr := r.runChild(testArgv(r.cfg.reloadCmd, r.paths.config), &out, &out)
	sr := <-shown
	r.printText(cleanOutput(out.String()))
	if testErr != nil {
		r.printf("Cold load check failed (%v): falling back to a full apply", testErr)
		return full()
	}
	if changes := reloadTestChanges(out.String()); len(changes) > 0 {
		r.printf("Cold load left %d differences: falling back to a full apply", len(changes))
		return full()
	}
	return sr.text, true, sr.err
}

// applyChange applies frr.conf over prev: incrementally when change is not
// nil (only prefix-list entries and network lines changed) and FRR's daemons
// are those prev was applied to, with a full apply otherwise or when the
// incremental one cannot be verified. After an incremental apply it also returns the daemons' pids
// read before it (a daemon that restarts meanwhile is noticed next time).
func (r *reloader) applyChange(prev applied, change *incrementalChange) (string, map[string]int, bool, error) {
	pids, err := r.daemonPids()
	if err != nil || !maps.Equal(pids, prev.pids) {
		r.printf("FRR daemons changed since the last apply (%v, before %v, %v): repair", pids, prev.pids, err)
		// The pids read before the repair: a daemon that restarts during it
		// is repaired by the next check or reload.
		running, err := r.applyRepair()
		return running, pids, false, err
	}
	if change == nil {
		r.printf("The change is not incremental: full apply")
		running, err := r.applyFull("")
		return running, nil, false, err
	}
	running, err := r.applyIncremental(change.plan, change.want, prev.running)
	if errors.Is(err, errTimedOut) {
		// A full apply would wait on the same thing: fail now, and the
		// controller's retry applies the file in full (nothing is known).
		return running, nil, false, &stepError{err: fmt.Errorf("%w (%s)", err, lockHint)}
	}
	if err != nil {
		// The reason last: it may quote a line that the redaction cuts short.
		r.printf("Incremental apply failed, falling back to a full apply: %v", err)
		running, err := r.applyFull("")
		return running, nil, false, err
	}
	return running, pids, !change.plan.Empty(), nil
}

// lockHint explains the usual cause of a vtysh that never ends.
const lockHint = "FRR did not take the commands: another configuration session, such as an " +
	"operator's vtysh -f or frr-reload.py, may hold FRR's configuration lock (FRR 10's mgmtd waits for it without a bound)"

// applyIncremental sends plan's commands in one vtysh configuration session,
// reads the running configuration back, compares what the plan touched with
// want and the rest with before (the running configuration after the last
// apply): anything else that changed meanwhile is drift only a full apply
// repairs. It returns the running configuration; saving it is the caller's
// job.
func (r *reloader) applyIncremental(plan confdiff.Plan, want, before confdiff.Config) (string, error) {
	r.printf("Incremental apply: %d commands, %d prefix-lists, %d address families", len(plan.Commands), len(plan.Lists), len(plan.AFs))
	if !plan.Empty() {
		// checkFast wrote the commands to incremental.conf.
		r.printText(strings.Join(plan.Commands, "\n") + "\n")
		var out bytes.Buffer
		runErr := r.runChild(slices.Concat(r.cfg.vtyshCmd, []string{"-f", r.paths.incremental}), &out, &out)
		r.printText(cleanOutput(out.String()))
		if runErr != nil {
			return "", fmt.Errorf("vtysh -f: %w", runErr)
		}
	}
	running, err := r.showRunning()
	if err != nil {
		return "", err
	}
	after := confdiff.Parse(running)
	if err := confdiff.Verify(plan, want, after); err != nil {
		return "", err
	}
	if err := confdiff.Drift(plan, before, after); err != nil {
		return "", err
	}
	return running, nil
}

// applyFull moves renumbered prefix-list entries (moves.go; running is
// FRR's running configuration when the caller just read it, "" to read it),
// runs
// frr-reload.py --reload --overwrite with its output on stdout, then reads
// the running configuration. frr-reload.py sends its
// deletions in one pass, in an order that can leave a line behind (FRR 8.4:
// `no neighbor X bfd` then `no neighbor X bfd profile P` turns BFD back on
// for X), and its second pass only adds. So when it deleted anything, a
// `frr-reload.py --test` follows, and if that still finds differences, one
// more --reload.
func (r *reloader) applyFull(running string) (string, error) {
	r.moveRenumbered(running)
	out, err := r.runReload()
	if err != nil {
		return "", err
	}
	if deletedRE.MatchString(out) {
		var test bytes.Buffer
		err := r.runChild(testArgv(r.cfg.reloadCmd, r.paths.config), &test, &test)
		if changes := reloadTestChanges(test.String()); err == nil && len(changes) > 0 {
			r.printText(cleanOutput(test.String()))
			r.printf("The full apply left %d differences: applying again", len(changes))
			if _, err := r.runReload(); err != nil {
				return "", err
			}
		}
	}
	return r.showRunning()
}

// deletedRE matches the line frr-reload.py logs for a deletion it sent.
var deletedRE = regexp.MustCompile(`(?m)INFO: Executed ".*\bno `)

// runReload runs frr-reload.py --reload --overwrite with its output on
// stdout and returns that output.
func (r *reloader) runReload() (string, error) {
	var out bytes.Buffer
	w := newCleanWriter(r.out)
	both := io.MultiWriter(&out, w)
	err := r.runChild(applyArgv(r.cfg.reloadCmd, r.paths.config), both, both)
	_ = w.Flush()
	r.flush()
	if err != nil {
		return out.String(), &stepError{output: out.String(), printed: true, err: err}
	}
	return out.String(), nil
}

// writeMemory saves the running configuration, so a restarted FRR comes
// back with it.
func (r *reloader) writeMemory() error {
	var out bytes.Buffer
	if err := r.runChild(slices.Concat(r.cfg.vtyshCmd, []string{"-c", "write memory"}), &out, &out); err != nil {
		return &stepError{output: out.String(), err: fmt.Errorf("write memory: %w", err)}
	}
	return nil
}

// showRunning returns FRR's running configuration.
func (r *reloader) showRunning() (string, error) {
	var out, errOut bytes.Buffer
	if err := r.runChild(runningConfigArgv(r.cfg.vtyshCmd), &out, &errOut); err != nil {
		return out.String(), &stepError{output: errOut.String(), err: fmt.Errorf("read the running config: %w", err)}
	}
	return out.String(), nil
}

// daemonPids asks every FRR daemon for its pid (`show modules`), to notice
// a daemon restarted since the last apply.
func (r *reloader) daemonPids() (map[string]int, error) {
	var out bytes.Buffer
	if err := r.runChild(slices.Concat(r.cfg.vtyshCmd, []string{"-c", "show modules"}), &out, &out); err != nil {
		return nil, fmt.Errorf("show modules: %w", err)
	}
	pids := parseModulePids(out.String())
	if len(pids) == 0 {
		return nil, errors.New("show modules: no pid")
	}
	return pids, nil
}

// remember records conf (parsed: file) as applied, with the daemons' pids
// (read now when nil) and the running configuration read back, in memory,
// and conf in last-applied.conf.
func (r *reloader) remember(conf string, file confdiff.Config, pids map[string]int, running string) {
	if pids == nil {
		var err error
		if pids, err = r.daemonPids(); err != nil {
			r.printf("Failed to read the FRR daemons' pids: %v", err)
			return
		}
	}
	if err := os.WriteFile(r.paths.lastApplied, []byte(conf), 0o600); err != nil {
		r.printf("Failed to write %s: %v", r.paths.lastApplied, err)
		return
	}
	r.state = applied{conf: conf, file: file, pids: pids, running: confdiff.Parse(running)}
}

// forget drops what is known about FRR, in memory and on disk.
func (r *reloader) forget() {
	r.state = applied{}
	if err := os.Remove(r.paths.lastApplied); err != nil && !errors.Is(err, os.ErrNotExist) {
		r.printf("Failed to remove %s: %v", r.paths.lastApplied, err)
	}
}

// writeRunningConfig replaces running-config with text.
func (r *reloader) writeRunningConfig(text string) {
	if err := writeFileAtomic(r.paths.runningConfig, text, r.tempDir); err != nil {
		r.printf("Failed to write %s: %v", r.paths.runningConfig, err)
	}
}

// writeFileAtomic writes text into a temporary file and copies it over path,
// as refreshRunningConfig does.
func writeFileAtomic(path, text, tempDir string) error {
	tmp, err := os.CreateTemp(tempDir, "frr-reloader-running-*.conf")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := tmp.WriteString(text); err != nil {
		return err
	}
	return copyFile(tmp, path)
}

// printText prints command output through the redaction.
func (r *reloader) printText(text string) {
	if text == "" {
		return
	}
	_, _ = r.out.Write([]byte(text))
	r.flush()
}

// dryRunArgv checks file with vtysh's parser, without FRR's daemons.
func dryRunArgv(vtyshCmd []string, file string) []string {
	return slices.Concat(vtyshCmd, []string{"--dryrun", "-f", file})
}

// startupOnly reports whether a running configuration holds nothing frr-k8s
// renders: no BGP router and no prefix-list entry.
func startupOnly(running string) bool {
	c := confdiff.Parse(running)
	if len(c.Lists) > 0 || len(c.Networks) > 0 {
		return false
	}
	for _, line := range c.Skeleton {
		if strings.HasPrefix(line, "router ") || strings.HasPrefix(line, "route-map ") || strings.Contains(line, "prefix-list") {
			return false
		}
	}
	return true
}

// invisibleDefaults are lines FRR 10 applies but never shows in its running
// configuration, because they are its defaults: frr-reload.py --test lists
// them as to be added after every load.
var invisibleDefaults = map[string]bool{
	"ip nht resolve-via-default":   true,
	"ipv6 nht resolve-via-default": true,
}

// reloadTestChanges returns the lines that `frr-reload.py --test` lists
// under "Lines To Delete" and "Lines To Add", but for additions of
// invisibleDefaults.
func reloadTestChanges(output string) []string {
	var changes []string
	section := ""
	sc := bufio.NewScanner(strings.NewReader(output))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "Lines To Delete" || line == "Lines To Add":
			section = line
		case section == "" || strings.HasPrefix(line, "====") || strings.TrimSpace(line) == "":
		case section == "Lines To Add" && invisibleDefaults[strings.TrimSpace(line)]:
		default:
			changes = append(changes, line)
		}
	}
	return changes
}

// modulePidRE matches the lines of `show modules` that matter.
var modulePidRE = regexp.MustCompile(`^(?:Module information for (\S+):|pid: (\d+))$`)

// parseModulePids reads `show modules` output: each daemon's section starts
// with "Module information for NAME:" and holds "pid: N".
func parseModulePids(output string) map[string]int {
	pids := map[string]int{}
	daemon := ""
	for line := range strings.Lines(output) {
		m := modulePidRE.FindStringSubmatch(strings.TrimSpace(line))
		switch {
		case m == nil:
		case m[1] != "":
			daemon = m[1]
		case daemon != "":
			if pid, err := strconv.Atoi(m[2]); err == nil {
				pids[daemon] = pid
			}
			daemon = ""
		}
	}
	return pids
}

// maxLastError bounds last-error: frr-reload.py logs every line it applies,
// megabytes for a large configuration.
const maxLastError = 64 << 10

// errorLineRE matches the lines of a long output that explain a failure.
var errorLineRE = regexp.MustCompile(`ERROR|CRITICAL|WARNING|Traceback|Exception|Failure|% |line \d+:`)

// summarize returns output unchanged when it fits in maxLastError; else the
// lines that report errors and the last lines, within the bound.
func summarize(output string) string {
	if len(output) <= maxLastError {
		return output
	}
	const tail = 40
	lines := strings.SplitAfter(output, "\n")
	var kept []string
	for i, line := range lines {
		if i >= len(lines)-tail || errorLineRE.MatchString(line) {
			kept = append(kept, line)
		}
	}
	text := strings.Join(kept, "")
	if len(text) > maxLastError {
		text = text[len(text)-maxLastError:]
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			text = text[i+1:]
		}
	}
	return fmt.Sprintf("(%d bytes of output cut to the error lines and the last %d lines)\n%s", len(output), tail, text)
}
