// Command reloader is the frr-reloader sidecar (installed as frr-reloader.sh):
// on SIGHUP it checks and applies the frr.conf the controller wrote to the
// shared volume and leaves the result, the error and FRR's running
// configuration there. Its file name does not matter.
//
// Shared volume (SHARED_VOLUME, default /etc/frr_reloader): frr.conf (input),
// reloader.pid, lock (flock that serialises reloads), .status
// ("<epoch> success|failure"), last-error (the redacted output of the step
// that failed, "\n" after a success), running-config (`show running-conf`
// after every reload), and three files of the fast path: last-applied.conf
// (0600, the frr.conf last applied successfully; removed while a reload runs
// and after a failed one), incremental.conf (0600, the commands of an
// incremental apply, only while it runs) and moves.conf (0600, the commands
// of the move pass before a full apply, only while they run).
//
// A reload (the default, fast path):
//
//  1. Syntax check with `$VTYSH_CMD --dryrun -f frr.conf`, which does not read
//     FRR's running configuration. A rejected file leaves FRR untouched.
//  2. Incremental apply when the file differs from the last one applied only
//     in prefix-list entries and `network` lines of BGP unicast address
//     families (package internal/frr/confdiff): the changed lines go through
//     one `vtysh -f` session (entries that moved to a new number deleted and
//     re-added first, then added entries, added networks, removed networks,
//     removed entries); the running configuration is read back and the
//     touched lists and address families compared with the file, and
//     everything else with the running configuration read after the last
//     apply (a line FRR or another session changed meanwhile is drift). Any
//     error, difference or drift falls back to a full apply. `write memory` follows
//     right after .status is written, still under the lock (it takes
//     seconds at scale); if it fails, the next reload is a full apply.
//  3. Full apply with `frr-reload.py --reload --overwrite` otherwise: any
//     other change, after a failed or interrupted reload, and when the
//     reloader has been idle for FRR_RELOADER_FULL_INTERVAL after a
//     success (drift repair). Before frr-reload.py, a move pass compares
//     `show running-config` with the file: every prefix-list entry FRR runs
//     under one seq whose rule the file holds in the same list under
//     another (the first apply after a switch from positional to stable
//     numbering, a hash collision resolved differently) is deleted and
//     re-added under its new seq, each deletion right before its addition,
//     in one `vtysh -f moves.conf` session, so FRR's route-map delay timer
//     never sees it missing. frr-reload.py cannot: FRR 8.4 silently drops an
//     entry identical to one under another seq, and frr-reload.py sends
//     prefix-list deletions after additions, so the entry would vanish until
//     its second pass. The number of moved entries is logged; a failed move
//     pass is logged and the full apply goes on.
//     frr-reload.py sends its deletions in one pass, in an order that can
//     leave a line behind (FRR 8.4: removing a neighbor's BFD profile turns
//     its BFD back on), so a full apply that deleted lines is followed by
//     `frr-reload.py --test`, and by one more --reload when that still finds
//     differences. When an FRR daemon restarted since the last apply (its
//     pid in `show modules` changed), a repair: `vtysh -f frr.conf` first,
//     which gives every daemon every line (the restarted one gets back its
//     prefix-lists and route-maps, which frr-reload.py would never resend
//     because the other daemons still show them in the running
//     configuration vtysh merges), then the full apply.
//  4. Cold start (nothing applied by this process yet, or only a file
//     without router, route-map or prefix-list, like the empty configuration
//     the daemon hands off before the first FRRConfiguration; and FRR runs
//     neither a BGP router nor a prefix-list): one `vtysh -f frr.conf`, then
//     `frr-reload.py --test` must find nothing to change (else a full apply;
//     FRR 10's invisible `ip|ipv6 nht resolve-via-default` defaults aside;
//     the running configuration is read while it runs), then `write memory`
//     as in 2.
//
// Between reloads, a watcher (not in legacy mode) checks every
// FRR_RELOADER_WATCH_INTERVAL whether the daemons' pid files still hold the
// pids recorded at the last successful apply. When one does not, it takes
// the lock, confirms with `show modules`, waits until every recorded daemon
// runs and watchfrr shows it up (its save at the end of a full apply fails
// before), logs "FRR daemons restarted since the last apply", and reloads
// the current frr.conf, which repairs as in 3 and writes .status, last-error
// and running-config as any reload does. A failed repair keeps the previous
// record, so the next reload repairs too, and is tried again after a
// back-off (from twice the interval, up to 10 minutes).
//
// Children (vtysh, frr-reload.py) run in process groups of their own with
// SIGKILL as parent-death signal, and are killed on SIGTERM, so no reload
// outlives the reloader. Each child has a bound (FRR_RELOADER_VTYSH_TIMEOUT,
// FRR_RELOADER_RELOAD_TIMEOUT): past it the child's group is killed and the
// reload fails with the reason in last-error; the controller retries it. An
// incremental apply that times out does not fall back to a full apply: the
// usual cause is another session holding FRR's configuration lock (FRR 10's
// vtysh -f waits for it forever), which the full apply would wait on too.
// Everything printed and written to last-error passes
// through the password redaction, without terminal escape sequences.
//
// Environment (values split on whitespace, unset or empty means the default):
//
//	FRR_RELOAD_CMD              python3 /usr/lib/frr/frr-reload.py
//	FRR_RELOAD_ARGS             extra frr-reload.py flags (--rundir, -N, ...)
//	VTYSH_CMD                   vtysh
//	FRR_RELOADER_MODE           "legacy": upstream's frr-reload.py --test then
//	                            --reload on every SIGHUP, for comparisons
//	FRR_RELOADER_FULL_INTERVAL  10m: idle time before the periodic full apply
//	                            (a Go duration; 0 turns it off)
//	FRR_RELOADER_VTYSH_TIMEOUT  2m: bound of one vtysh call (0: none)
//	FRR_RELOADER_RELOAD_TIMEOUT 15m: bound of one frr-reload.py run and of
//	                            the cold load's vtysh -f frr.conf (0: none)
//	FRR_RELOADER_WATCH_INTERVAL 10s: period of the restart watcher (a Go
//	                            duration; 0 turns it off)
//	FRR_RELOADER_PID_DIR        /var/run/frr: where FRR's daemons write
//	                            NAME.pid
package main

import (
	"os"
	"os/signal"
	"syscall"
)

// Build information, set through -ldflags "-X main.version=...".
var (
	version = "dev"
	commit  = "unknown"
	branch  = "unknown"
)

func main() {
	os.Exit(run())
}

// run starts the reloader and serves signals until SIGTERM or SIGINT.
func run() int {
	r := newReloader(configFromEnv(os.Getenv), os.Stdout)
	r.printf("frr-reloader version %s, commit %s, branch %s", version, commit, branch)

	// Subscribe before the pid file exists: from then on the controller may
	// send SIGHUP, whose default action would end the process.
	signals := make(chan os.Signal, 64)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	if err := r.start(); err != nil {
		r.printf("Failed to start: %v", err)
		return 1
	}
	if !r.cfg.legacy && r.cfg.fullInterval > 0 {
		go r.periodicFullApply(make(chan struct{}))
	}
	if !r.cfg.legacy && r.cfg.watchInterval > 0 {
		go r.watchRestarts(make(chan struct{}))
	}
	for sig := range signals {
		if sig != syscall.SIGHUP {
			r.stop()
			return 0
		}
		// Each SIGHUP queues one reload on the lock, as upstream's
		// `reload_frr &` does.
		r.printf(receivedSIGHUP)
		go r.reload()
	}
	return 0
}
