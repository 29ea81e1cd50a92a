// Command reloader is the frr-reloader sidecar (installed as frr-reloader.sh):
// on SIGHUP it checks and applies the frr.conf the controller wrote to the
// shared volume with frr-reload.py and leaves the result, the error and FRR's
// running configuration there (spec/daemon.md §5). Its file name does not
// matter.
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
