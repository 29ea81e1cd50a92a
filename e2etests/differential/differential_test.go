package differential

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/cienv"
	"github.com/frrk8s/frrk8s/internal/e2eharness"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// Environment of the long run (make test-differential).
const (
	// envSeeds is the number of seeds to run, starting at envFirstSeed.
	envSeeds = "FRRK8S_DIFF_SEEDS"
	// envFirstSeed is the first seed (default 1).
	envFirstSeed = "FRRK8S_DIFF_FIRST_SEED"
	// envSteps is the number of frr.conf files per seed.
	envSteps = "FRRK8S_DIFF_STEPS"
	// envCheckEvery compares with a fresh instance every N steps too (0:
	// only the last step).
	envCheckEvery = "FRRK8S_DIFF_CHECK_EVERY"
)

// Defaults of the short run in `go test ./...`: a few seeds with a dozen
// files each, compared halfway and at the end.
const (
	defaultSeeds      = 2
	defaultSteps      = 8
	defaultCheckEvery = 4
)

var seedFlag = flag.Int64("seed", -1, "run only this seed (TestDifferential)")

// reloadTimeout bounds one reload through the reloader; frr-reload.py on a
// loaded machine can take several seconds per call.
const reloadTimeout = 2 * time.Minute

var build = e2eharness.NewBuild("frrk8s-differential-", map[string]string{"frr-reloader": "./cmd/reloader"})

func TestMain(m *testing.M) {
	code := m.Run()
	build.Remove()
	os.Exit(code)
}

// plan is what one run covers.
type plan struct {
	seeds      []uint64
	steps      int
	checkEvery int
}

func planFromEnv(t *testing.T) plan {
	t.Helper()
	p := plan{steps: envInt(t, envSteps, defaultSteps), checkEvery: envInt(t, envCheckEvery, defaultCheckEvery)}
	if *seedFlag >= 0 {
		p.seeds = []uint64{uint64(*seedFlag)}
		return p
	}
	first := envInt(t, envFirstSeed, 1)
	for i := range envInt(t, envSeeds, defaultSeeds) {
		p.seeds = append(p.seeds, uint64(first+i))
	}
	return p
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

// TestDifferential applies seeded sequences of generated frr.conf files
// through the reloader binary to one FRR instance (A) and checks, at the
// end and every FRRK8S_DIFF_CHECK_EVERY steps, that A runs the same
// configuration as a fresh instance (B) given the same file through
// `frr-reload.py --reload --overwrite`, and that `frr-reload.py --test`
// with that file finds the same differences on both.
func TestDifferential(t *testing.T) {
	cienv.SkipIfShort(t, "real FRR")
	p := planFromEnv(t)
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		bin, err := build.Path("frr-reloader")
		if err != nil {
			if _, lookErr := exec.LookPath("go"); lookErr != nil {
				cienv.SkipOrFail(t, "the go tool is needed to build the reloader: %v", lookErr)
			}
			t.Fatal(err)
		}
		topo := frrtest.NewTopology(t)
		for _, seed := range p.seeds {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				runSeed(t, v, topo, bin, seed, p)
			})
		}
	})
}

// runSeed runs one sequence on a fresh instance A.
func runSeed(t *testing.T, v frrtest.Version, topo *frrtest.Topology, bin string, seed uint64, p plan) {
	steps, err := Generate(seed, p.steps)
	if err != nil {
		t.Fatal(err)
	}
	// The daemon writes the node's name, which is the machine's hostname;
	// FRR in a test namespace keeps showing the machine's hostname, so any
	// other name would be a difference after every load.
	if host, err := os.Hostname(); err == nil {
		for i := range steps {
			steps[i].Config = strings.Replace(steps[i].Config, "\nhostname "+Hostname+"\n", "\nhostname "+host+"\n", 1)
		}
	}
	a := frrtest.StartFRR(t, topo.Node, fmt.Sprintf("a%d", seed), frrtest.WithBackend(v.Backend), frrtest.WithWatchfrr())
	r := startReloader(t, bin, a)
	for i, step := range steps {
		if err := r.apply(step.Config); err != nil {
			if reason := frrReloadFails(t, a, step.Config); reason != "" {
				// Not the reloader's fault: frr-reload.py cannot make this
				// change either; A keeps (part of) the previous state.
				t.Logf("seed %d step %d (%s): frr-reload.py itself fails on this change, so the reloader's failure is expected: %s",
					seed, i, step.Change, reason)
				continue
			}
			t.Fatalf("seed %d step %d (%s): %v\n%s", seed, i, step.Change, err, history(steps, i))
		}
		last := i == len(steps)-1
		if !last && (p.checkEvery == 0 || (i+1)%p.checkEvery != 0) {
			continue
		}
		checkStep(t, v, topo, a, seed, steps, i)
	}
	t.Logf("seed %d: %d steps; reloader paths: %s", seed, len(steps), reloaderPaths(r.proc.Out.String()))
}

// pathMarkers are substrings of the reloader's messages that say which way
// it applied a file; reported for information only (the legacy reloader
// prints none of them).
var pathMarkers = []string{"Cold start", "Incremental apply:", "not incremental", "falling back", "full apply"}

// reloaderPaths counts the pathMarkers in the reloader's output.
func reloaderPaths(out string) string {
	var parts []string
	for _, m := range pathMarkers {
		parts = append(parts, fmt.Sprintf("%q %d", m, strings.Count(out, m)))
	}
	return strings.Join(parts, ", ")
}

// history prints the changes up to step last and the file of that step.
func history(steps []Step, last int) string {
	var b strings.Builder
	for i, s := range steps[:last+1] {
		fmt.Fprintf(&b, "step %d: %s\n", i, s.Change)
	}
	fmt.Fprintf(&b, "frr.conf of step %d:\n%s", last, steps[last].Config)
	return b.String()
}

// checkStep compares A after step i with a fresh instance B given that
// step's file through frr-reload.py. When they differ, a fresh instance C
// replays steps 0..i through frr-reload.py, as the reloader before the fast
// path did: if C ends where A is, the difference is frr-reload.py's own
// (its result depends on the path) and is only logged; otherwise the
// reloader left FRR where frr-reload.py would not have, and the test fails.
func checkStep(t *testing.T, v frrtest.Version, topo *frrtest.Topology, a *frrtest.Instance, seed uint64, steps []Step, i int) {
	t.Helper()
	config := steps[i].Config
	b := frrtest.StartFRR(t, topo.Peer, fmt.Sprintf("b%d-%d", seed, i), frrtest.WithBackend(v.Backend), frrtest.WithWatchfrr())
	var fresh string
	if out, err := b.Reload(config); err != nil {
		fresh = fmt.Sprintf("frr-reload.py --reload --overwrite on fresh B failed: %v\n%s", err, out)
	} else {
		fresh = compare(t, a, b, config)
	}
	b.Stop()
	if fresh == "" {
		return
	}
	c := frrtest.StartFRR(t, topo.Peer, fmt.Sprintf("c%d-%d", seed, i), frrtest.WithBackend(v.Backend), frrtest.WithWatchfrr())
	defer c.Stop()
	for j, step := range steps[:i+1] {
		if _, err := c.Reload(step.Config); err != nil {
			t.Logf("seed %d: frr-reload.py fails on step %d on C too", seed, j)
		}
	}
	if replay := compare(t, a, c, config); replay != "" {
		t.Fatalf("seed %d step %d (rerun with -seed=%d): A (the reloader, step by step) differs from B (frr-reload.py, fresh): %s\n"+
			"and from C (frr-reload.py, step by step): %s\n%s", seed, i, seed, fresh, replay, history(steps, i))
	}
	t.Logf("seed %d step %d: frr-reload.py's own path dependence (C, replaying every step through frr-reload.py, ends where A is): %s",
		seed, i, firstLine(fresh))
}

func firstLine(s string) string {
	before, _, _ := strings.Cut(s, "\nA running-config")
	return before
}

// compare returns "" when a and ref run the same configuration and
// `frr-reload.py --test` with config finds the same changes on both, else
// the first difference.
func compare(t *testing.T, a, ref *frrtest.Instance, config string) string {
	t.Helper()
	runA, err := a.Vtysh("show running-config")
	if err != nil {
		return err.Error()
	}
	runRef, err := ref.Vtysh("show running-config")
	if err != nil {
		return err.Error()
	}
	if diffs := Diff(ParseRunningConfig(runA), ParseRunningConfig(runRef)); len(diffs) > 0 {
		return fmt.Sprintf("%d contexts differ, first %s (B/C as %q)\nA running-config:\n%s", len(diffs), diffs[0], ref.Name(), runA)
	}
	file := filepath.Join(t.TempDir(), "frr.conf")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	testA, err := reloadTest(a, file)
	if err != nil {
		return err.Error()
	}
	testRef, err := reloadTest(ref, file)
	if err != nil {
		return err.Error()
	}
	if !slices.Equal(testA.Delete, testRef.Delete) || !slices.Equal(testA.Add, testRef.Add) {
		return fmt.Sprintf("frr-reload.py --test finds different changes:\nA: delete %q add %q\n%s: delete %q add %q",
			testA.Delete, testA.Add, ref.Name(), testRef.Delete, testRef.Add)
	}
	return ""
}

// frrReloadFails returns the last line of a Python traceback when
// `frr-reload.py --test` with config crashes on inst, else "".
func frrReloadFails(t *testing.T, inst *frrtest.Instance, config string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "frr.conf")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := reloadTest(inst, file)
	if err == nil || !strings.Contains(err.Error(), "Traceback") {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	return lines[len(lines)-1]
}

// reloadTest runs `frr-reload.py --test file` against inst and parses its
// standard output (its log goes to standard error).
func reloadTest(inst *frrtest.Instance, file string) (ReloadTestDiff, error) {
	argv := slices.Concat(strings.Fields(inst.ReloadCmd()), strings.Fields(inst.ReloadArgs()), []string{"--test", file})
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return ReloadTestDiff{}, fmt.Errorf("frr-reload.py --test on %s: %w\n%s%s", inst.Name(), err, stdout.String(), stderr.String())
	}
	return ParseReloadTest(stdout.String()), nil
}

// reloader is the reloader binary running on a shared volume, applied to
// one FRR instance.
type reloader struct {
	proc *e2eharness.Process
	dir  string
}

func startReloader(t *testing.T, bin string, inst *frrtest.Instance) *reloader {
	t.Helper()
	dir := t.TempDir()
	// No periodic full apply: it would repair the drift this test looks for.
	env := append([]string{"SHARED_VOLUME=" + dir, "FRR_RELOADER_FULL_INTERVAL=0"}, inst.Env()...)
	r := &reloader{proc: e2eharness.Start(t, "reloader", nil, env, bin), dir: dir}
	want := strconv.Itoa(r.proc.Pid())
	frrtest.WaitFor(t, 30*time.Second, func() (bool, string) {
		got, err := os.ReadFile(filepath.Join(dir, "reloader.pid"))
		return string(got) == want, fmt.Sprintf("reloader.pid = %q (%v), want %q", got, err, want)
	})
	return r
}

// apply hands config to the reloader as the daemon does (frr.conf written
// 0600, SIGHUP) and waits for the new .status; .status is removed first so
// that two reloads within one second are told apart.
func (r *reloader) apply(config string) error {
	status := filepath.Join(r.dir, ".status")
	if err := os.Remove(status); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := frr.WriteConfig(filepath.Join(r.dir, "frr.conf"), config); err != nil {
		return err
	}
	if err := r.proc.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		return fmt.Errorf("signal the reloader: %w", err)
	}
	deadline := time.Now().Add(reloadTimeout)
	for {
		b, err := os.ReadFile(status)
		if fields := strings.Fields(string(b)); err == nil && len(fields) == 2 {
			if fields[1] == "success" {
				return nil
			}
			lastError, _ := os.ReadFile(filepath.Join(r.dir, "last-error"))
			return fmt.Errorf("the reloader reports %q:\n%s", b, lastError)
		}
		if r.proc.Exited() {
			return fmt.Errorf("the reloader exited:\n%s", r.proc.Out.String())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no .status within %v", reloadTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
