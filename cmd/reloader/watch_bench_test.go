package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// BenchmarkDaemonPids measures the two ways the restart watcher reads the
// FRR daemons' pids, against a real FRR node with watchfrr on every FRR
// version: `vtysh -c "show modules"` (wall time per call, and the CPU time
// it costs in vtysh, the children's rusage, and in the FRR daemons that
// answer it, their /proc/PID/stat utime+stime), and the pid files.
func BenchmarkDaemonPids(b *testing.B) {
	for _, v := range frrtest.Versions() {
		b.Run(v.Name+"/pid-files", func(b *testing.B) {
			frrtest.RequireBackend(b, v.Backend)
			topo := frrtest.NewTopology(b)
			node := frrtest.StartFRR(b, topo.Node, "node", frrtest.WithBackend(v.Backend), frrtest.WithWatchfrr())
			cfg := configFromEnv(envLookup(node.Env()))
			r := newReloader(cfg, io.Discard)
			pids, err := r.daemonPids()
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if err := pidFilesMatch(cfg.pidDir, pids); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(v.Name+"/show-modules", func(b *testing.B) {
			frrtest.RequireBackend(b, v.Backend)
			topo := frrtest.NewTopology(b)
			node := frrtest.StartFRR(b, topo.Node, "node", frrtest.WithBackend(v.Backend), frrtest.WithWatchfrr())
			r := newReloader(configFromEnv(envLookup(node.Env())), io.Discard)
			pids, err := r.daemonPids()
			if err != nil {
				b.Fatal(err)
			}
			daemonsBefore := daemonsCPU(b, pids)
			var before syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := r.daemonPids(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			var after syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after); err != nil {
				b.Fatal(err)
			}
			child := float64(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) / 1e6
			daemons := (daemonsCPU(b, pids) - daemonsBefore) * 1000 / clockTicks
			b.ReportMetric(child/float64(b.N), "vtysh-cpu-ms/op")
			b.ReportMetric(daemons/float64(b.N), "daemons-cpu-ms/op")
		})
	}
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times.
const clockTicks = 100

// daemonsCPU sums utime and stime of pids, in clock ticks.
func daemonsCPU(b *testing.B, pids map[string]int) float64 {
	b.Helper()
	total := 0.0
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			b.Fatal(err)
		}
		// Fields after the command's closing parenthesis: utime is the
		// 12th, stime the 13th.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		for _, f := range fields[11:13] {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatal(err)
			}
			total += float64(n)
		}
	}
	return total
}

// envLookup turns KEY=value entries into a getenv function.
func envLookup(env []string) func(string) string {
	return func(k string) string {
		for _, kv := range env {
			if key, value, _ := strings.Cut(kv, "="); key == k {
				return value
			}
		}
		return ""
	}
}
