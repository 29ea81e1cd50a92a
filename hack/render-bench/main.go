// Command render-bench times whole `frrk8sctl render` processes on the
// render workload (internal/frrk8sctl/workload: K FRRConfigurations × 600
// prefixes × 4 neighbors) and prints the median wall and CPU time per K
// next to the reference implementation's figures (docs/performance.md).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frrk8s/frrk8s/internal/frrk8sctl"
	"github.com/frrk8s/frrk8s/internal/frrk8sctl/workload"
)

// reference are the reference implementation's in-process seconds by K.
var reference = map[int]string{4: "0.09 s", 64: "3.21 s"}

func main() {
	binary := flag.String("frrk8sctl", "", "the frrk8sctl binary to time (required)")
	runs := flag.Int("runs", 7, "processes per K; the median is printed")
	ks := flag.String("k", "4,16,64", "comma-separated config counts")
	flag.Parse()
	if err := run(*binary, *runs, *ks); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(binary string, runs int, ks string) error {
	if binary == "" {
		return fmt.Errorf("-frrk8sctl is required")
	}
	dir, err := os.MkdirTemp("", "render-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Println("| K | frrk8sctl render process: wall p50 | CPU p50 | reference (in process) |")
	fmt.Println("|---|---|---|---|")
	for _, field := range strings.Split(ks, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil {
			return fmt.Errorf("invalid K %q: %w", field, err)
		}
		path := filepath.Join(dir, fmt.Sprintf("workload-%d.yaml", k))
		if err := os.WriteFile(path, workload.YAML(k, frrk8sctl.DefaultNamespace), 0o600); err != nil {
			return err
		}
		var walls, cpus []time.Duration
		for range runs {
			cmd := exec.Command(binary, "render", "--node-name", "node-1", "--hostname", "node-1", "-f", path)
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("K=%d: %w: %s", k, err, out)
			}
			walls = append(walls, time.Since(start))
			cpus = append(cpus, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		}
		ref := reference[k]
		if ref == "" {
			ref = "—"
		}
		fmt.Printf("| %d | %.3f s | %.3f s | %s |\n", k, median(walls).Seconds(), median(cpus).Seconds(), ref)
	}
	return nil
}

// median returns the middle value.
func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}
