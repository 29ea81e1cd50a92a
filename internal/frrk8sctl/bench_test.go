package frrk8sctl

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/frrk8sctl/workload"
)

// BenchmarkRenderWorkload is frrk8sctl render in process (decode, convert,
// render) of the render workload: K configs × 600 prefixes × 4 neighbors.
// docs/performance.md has the reference numbers.
func BenchmarkRenderWorkload(b *testing.B) {
	for _, k := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "workload.yaml")
			if err := os.WriteFile(path, workload.YAML(k, DefaultNamespace), 0o600); err != nil {
				b.Fatal(err)
			}
			opts := Options{NodeName: "node-1", Namespace: DefaultNamespace, Hostname: "node-1", LogLevel: "info", Paths: []string{path}}
			b.ReportAllocs()
			cpuStart := processCPU(b)
			for b.Loop() {
				if _, err := Render(opts, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((processCPU(b)-cpuStart).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU returns the process's CPU time so far: on a loaded machine it
// shows the work done, which wall-clock time per op does not (the garbage
// collector's work on the second core counts too).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
