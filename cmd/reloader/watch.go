package main

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults of the restart watcher.
const (
	// defaultWatchInterval is how often the watcher checks whether an FRR
	// daemon restarted since the last apply. A check reads the recorded
	// daemons' pid files: 0.1 ms (FRR 8.4) to 0.2 ms (FRR 10) per check on
	// a loaded 2-core test machine (BenchmarkDaemonPids). `vtysh -c "show
	// modules"`, which the reloader trusts, costs 66-75 ms of CPU with FRR
	// 8.4 and 115-120 ms with FRR 10 (through the tests' chroot wrapper) per
	// call, nearly all in vtysh, which builds its whole command tree at every
	// start: about 1 % of a core at this interval. It runs only when a pid
	// file disagrees with the record or cannot be read.
	defaultWatchInterval = 10 * time.Second
	// defaultPidDir is where FRR's daemons write NAME.pid; the chart mounts
	// FRR's /var/run/frr into the reloader's container.
	defaultPidDir = "/var/run/frr"
)

// Messages of the restart watcher.
const (
	restartRepairing = "FRR daemons restarted since the last apply"
	restartRepaired  = "Restart repair finished"
)

// restartWatch is what the watcher keeps between two checks; only its
// goroutine uses it.
type restartWatch struct {
	// note is the last lasting condition logged, so that it is logged once.
	note string
	// tried are the daemons' pids of a repair that did not get through
	// the syntax check: not tried again until they change or a reload
	// records new ones.
	tried map[string]int
	// failures counts the repairs in a row whose apply failed; the next
	// one waits for retryAt.
	failures int
	retryAt  time.Time
}

// logOnce prints a message unless it is the one printed last.
func (w *restartWatch) logOnce(r *reloader, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if msg == w.note {
		return
	}
	w.note = msg
	r.printf("%s", msg)
}

// watchRestarts checks every cfg.watchInterval whether an FRR daemon
// restarted since the last successful apply, and repairs FRR when one did,
// until stop is closed. A daemon that watchfrr starts again after a crash
// comes back empty, or with the configuration saved last, and nothing else
// would tell the reloader before the next change or the periodic full
// apply.
func (r *reloader) watchRestarts(stop <-chan struct{}) {
	var w restartWatch
	ticker := time.NewTicker(r.cfg.watchInterval)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
		r.checkRestarts(&w)
	}
}

// checkRestarts is one check of the watcher, under the reload lock: when a
// reload succeeded and the daemons' pids differ from those recorded then
// (every recorded daemon running again), it reloads frr.conf, whose apply
// sees the new pids and repairs FRR (applyChange).
func (r *reloader) checkRestarts(w *restartWatch) {
	unlock, err := lockFile(r.paths.lock)
	if err != nil {
		w.logOnce(r, "Failed to acquire the reload lock: %v", err)
		return
	}
	defer unlock()
	recorded := r.state.pids
	if r.state.conf == "" {
		// Nothing applied successfully: the next reload is a full one.
		return
	}
	fileErr := pidFilesMatch(r.cfg.pidDir, recorded)
	if fileErr == nil {
		w.note = ""
		return
	}
	pids, err := r.quietDaemonPids()
	switch {
	case err != nil:
		w.logOnce(r, "Failed to read the FRR daemons' pids: %v", err)
		return
	case maps.Equal(pids, recorded):
		w.logOnce(r, "FRR's pid files do not show the running daemons (%v): checking with show modules", fileErr)
		return
	case maps.Equal(pids, w.tried):
		return
	}
	if missing := missingDaemons(recorded, pids); len(missing) > 0 {
		w.logOnce(r, "FRR daemons %v are not running: the repair waits for them", missing)
		return
	}
	if down := r.notUpInWatchfrr(pids); len(down) > 0 {
		// watchfrr refuses to save the configuration (the end of a full
		// apply) until it has seen every daemon up again.
		w.logOnce(r, "FRR daemons %v are not up for watchfrr yet: the repair waits for them", down)
		return
	}
	if time.Now().Before(w.retryAt) {
		return
	}
	w.note = ""
	r.printf("%s (%v, before %v): repairing", restartRepairing, pids, recorded)
	prev := r.state
	r.reloadFast(false)
	r.markReloaded()
	w.tried = nil
	switch {
	case r.state.conf == "":
		// The apply failed. The record before it, whose pids are not the
		// running daemons', sends the next check and the next reload
		// through a repair again (without it, a reload would be a plain
		// full apply, which cannot repair); the checks back off.
		r.state = prev
		w.failures++
		wait := min(r.cfg.watchInterval<<min(w.failures, 10), maxRepairBackoff)
		w.retryAt = time.Now().Add(wait)
		r.printf("Restart repair failed: trying again in %v", wait)
	case maps.Equal(r.state.pids, recorded):
		// The syntax check rejected frr.conf: FRR is as it was, and the
		// next reload of a fixed file repairs it.
		w.tried = pids
	default:
		w.failures, w.retryAt = 0, time.Time{}
	}
	r.printf(restartRepaired)
}

// maxRepairBackoff bounds the wait between two failed repairs.
const maxRepairBackoff = 10 * time.Minute

// notUpInWatchfrr returns the daemons of pids that `show watchfrr` does not
// show as "Up", sorted; none when watchfrr does not answer (FRR without
// watchfrr).
func (r *reloader) notUpInWatchfrr(pids map[string]int) []string {
	var out bytes.Buffer
	if _, err := r.runChildQuiet(slices.Concat(r.cfg.vtyshCmd, []string{"-c", "show watchfrr"}), &out, &out); err != nil {
		return nil
	}
	return watchfrrNotUp(out.String(), pids)
}

// watchfrrNotUp reads `show watchfrr` output, whose daemon lines are
// "  NAME  STATE" (other lines have more words, such as "watchfrr global
// phase: Idle"), and returns the daemons of pids whose state is not "Up".
func watchfrrNotUp(output string, pids map[string]int) []string {
	var down []string
	for line := range strings.Lines(output) {
		fields := strings.Fields(line)
		if len(fields) != 2 {
			continue
		}
		if _, ok := pids[fields[0]]; ok && fields[1] != "Up" {
			down = append(down, fields[0])
		}
	}
	slices.Sort(down)
	return slices.Compact(down)
}

// applyRepair applies frr.conf after an FRR daemon restarted. frr-reload.py
// alone does not do: it compares the file with `show running-config`, which
// vtysh merges from every daemon, and the library configuration every
// daemon holds (prefix-lists, route-maps) still shows from the daemons that
// did not restart, so it is never sent again to the one that did, whose
// neighbors then get nothing. `vtysh -f frr.conf` first sends every line to
// every daemon (the daemons that have them take them as no-ops; vtysh goes
// on past a rejected line), then the full apply removes what should not be
// there and reads the running configuration back.
func (r *reloader) applyRepair() (string, error) {
	r.printf("Repair: loading the configuration file into every FRR daemon with vtysh")
	var out bytes.Buffer
	err := r.runChild(slices.Concat(r.cfg.vtyshCmd, []string{"-f", r.paths.config}), &out, &out)
	r.printText(cleanOutput(out.String()))
	if err != nil {
		r.printf("Repair: vtysh -f reported errors (%v), the full apply follows", err)
	}
	return r.applyFull("")
}

// applyPeriodic is the periodic full apply over prev: a repair when FRR's
// daemons are not those prev was applied to (a restart the watcher, off or
// backing off, did not repair), with the pids read before it.
func (r *reloader) applyPeriodic(prev applied) (string, map[string]int, error) {
	pids, err := r.daemonPids()
	if err != nil || !maps.Equal(pids, prev.pids) {
		r.printf("FRR daemons changed since the last apply (%v, before %v, %v): repair", pids, prev.pids, err)
		running, err := r.applyRepair()
		return running, pids, err
	}
	running, err := r.applyFull("")
	return running, nil, err
}

// quietDaemonPids is daemonPids without the step's timing line.
func (r *reloader) quietDaemonPids() (map[string]int, error) {
	var out bytes.Buffer
	if _, err := r.runChildQuiet(slices.Concat(r.cfg.vtyshCmd, []string{"-c", "show modules"}), &out, &out); err != nil {
		return nil, fmt.Errorf("show modules: %w", err)
	}
	pids := parseModulePids(out.String())
	if len(pids) == 0 {
		return nil, errors.New("show modules: no pid")
	}
	return pids, nil
}

// pidFilesMatch reports, as an error, the first daemon of pids whose pid
// file in dir (NAME.pid, written by the daemon when it starts) cannot be
// read or holds another pid.
func pidFilesMatch(dir string, pids map[string]int) error {
	if len(pids) == 0 {
		return errors.New("no daemon recorded")
	}
	for _, daemon := range slices.Sorted(maps.Keys(pids)) {
		path := filepath.Join(dir, daemon+".pid")
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if pid != pids[daemon] {
			return fmt.Errorf("%s holds %d, recorded %d", path, pid, pids[daemon])
		}
	}
	return nil
}

// missingDaemons returns the daemons of recorded that pids lacks, sorted.
func missingDaemons(recorded, pids map[string]int) []string {
	var missing []string
	for _, daemon := range slices.Sorted(maps.Keys(recorded)) {
		if _, ok := pids[daemon]; !ok {
			missing = append(missing, daemon)
		}
	}
	return missing
}
