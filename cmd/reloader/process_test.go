package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/cienv"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// waitTimeout bounds every wait of these tests; it is generous on purpose.
const waitTimeout = 30 * time.Second

var (
	buildOnce sync.Once
	buildDir  string
	binary    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// reloaderBinary builds the reloader once per test run, under the production
// file name to show that the name does not matter.
func reloaderBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		cienv.SkipOrFail(t, "the go tool is needed to build the reloader: %v", err)
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "frr-reloader-build-")
		if buildErr != nil {
			return
		}
		binary = filepath.Join(buildDir, "frr-reloader.sh")
		cmd := exec.Command("go", "build", "-o", binary, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// syncBuffer collects a process's output for concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a running reloader binary with its shared volume.
type process struct {
	volume paths
	cmd    *exec.Cmd
	out    *syncBuffer
	done   chan struct{}
}

// startProcess runs the reloader on the volume dir with extra environment
// and waits until it has written its pid file. It is killed at cleanup if
// still running.
func startProcess(t *testing.T, dir string, env ...string) *process {
	t.Helper()
	p := &process{volume: pathsIn(dir), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(reloaderBinary(t))
	p.cmd.Env = append(os.Environ(), append([]string{"SHARED_VOLUME=" + dir}, env...)...)
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("reloader output:\n%s", p.out.String())
		}
	})
	want := strconv.Itoa(p.cmd.Process.Pid)
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		got, err := os.ReadFile(p.volume.pid)
		return string(got) == want, fmt.Sprintf("reloader.pid = %q (%v), want %q", got, err, want)
	})
	return p
}

func (p *process) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// waitStatus waits until .status reports result.
func (p *process) waitStatus(t *testing.T, result string) {
	t.Helper()
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		b, _ := os.ReadFile(p.volume.status)
		return strings.HasSuffix(string(b), " "+result), fmt.Sprintf(".status = %q", b)
	})
}

// waitIdle waits until every SIGHUP received so far has led to a finished
// reload.
func (p *process) waitIdle(t *testing.T) {
	t.Helper()
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		out := p.out.String()
		received := strings.Count(out, receivedSIGHUP)
		finished := strings.Count(out, reloadFinished)
		return received == finished, fmt.Sprintf("%d SIGHUPs received, %d reloads finished", received, finished)
	})
}

// terminate sends SIGTERM and checks the exit code and the removed files.
func (p *process) terminate(t *testing.T) {
	t.Helper()
	p.signal(t, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(waitTimeout):
		t.Fatal("the reloader did not exit on SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
	for _, f := range []string{p.volume.pid, p.volume.lock} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists after SIGTERM (%v)", f, err)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestProcessLifecycle(t *testing.T) {
	dir := t.TempDir()
	bin := t.TempDir()
	writeFile(t, filepath.Join(dir, "reloader.pid"), "1\n")
	writeFile(t, filepath.Join(dir, "lock"), "stale")
	reload := writeScript(t, bin, "frr-reload", `echo "checked $* password s3cret"`)
	vtysh := writeScript(t, bin, "vtysh", `echo "running $*"`)

	p := startProcess(t, dir, "FRR_RELOAD_CMD=/bin/sh "+reload, "FRR_RELOAD_ARGS=-N x", "VTYSH_CMD=/bin/sh "+vtysh)
	if got := readFile(t, p.volume.lock); got != "" {
		t.Errorf("lock = %q, want a fresh empty file", got)
	}
	writeFile(t, p.volume.config, "router bgp 64512\n")
	p.signal(t, syscall.SIGHUP)
	p.waitStatus(t, resultSuccess)
	p.waitIdle(t)

	if got := readFile(t, p.volume.lastError); got != "\n" {
		t.Errorf("last-error = %q, want a newline", got)
	}
	if got, want := readFile(t, p.volume.runningConfig), "running -c show running-conf\n"; got != want {
		t.Errorf("running-config = %q, want %q", got, want)
	}
	epoch, result, _ := strings.Cut(readFile(t, p.volume.status), " ")
	if _, err := strconv.ParseInt(epoch, 10, 64); err != nil || result != resultSuccess {
		t.Errorf(".status = %q %q, want <epoch> success", epoch, result)
	}
	out := p.out.String()
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "-N x --test --stdout "+p.volume.config+" password <retracted>") {
		t.Errorf("stdout does not show the redacted frr-reload output:\n%s", out)
	}
	p.terminate(t)
}

// TestProcessQueuesSIGHUPs sends SIGHUPs while a reload runs: they queue on
// the lock, and the last reload applies the file as it was last written.
func TestProcessQueuesSIGHUPs(t *testing.T) {
	dir := t.TempDir()
	bin := t.TempDir()
	marks := t.TempDir()
	reload := writeScript(t, bin, "frr-reload", fmt.Sprintf(`
for last; do :; done
version=$(cat "$last")
case "$*" in
*--reload*)
	touch %[1]q/started-$version
	if [ "$version" = v1 ]; then sleep 0.5; fi
	echo "$version" >> %[1]q/applied ;;
esac
`, marks))
	p := startProcess(t, dir, "FRR_RELOAD_CMD=/bin/sh "+reload, "VTYSH_CMD=/bin/true", "FRR_RELOADER_MODE=legacy")

	writeFile(t, p.volume.config, "v1")
	p.signal(t, syscall.SIGHUP)
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		_, err := os.Stat(filepath.Join(marks, "started-v1"))
		return err == nil, fmt.Sprintf("first reload not started: %v", err)
	})
	writeFile(t, p.volume.config, "v2")
	p.signal(t, syscall.SIGHUP)
	p.signal(t, syscall.SIGHUP)
	p.waitIdle(t)

	applied := strings.Fields(readFile(t, filepath.Join(marks, "applied")))
	if len(applied) < 2 || applied[0] != "v1" || applied[len(applied)-1] != "v2" {
		t.Errorf("applied = %q, want v1 first and v2 last", applied)
	}
	if got := readFile(t, p.volume.status); !strings.HasSuffix(got, " success") {
		t.Errorf(".status = %q, want a success", got)
	}
	p.terminate(t)
}
