package e2eharness

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StopTimeout bounds the wait for a process to exit after SIGTERM.
const StopTimeout = 10 * time.Second

// Output receives a process's standard output and error.
type Output interface {
	io.Writer
	// String returns what to log about the output when the test failed.
	String() string
}

// Buffer is an Output that keeps everything written to it; it is safe for
// concurrent use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Process is a binary running in the background until the test ends.
type Process struct {
	// Name names the process in messages.
	Name string
	// Cmd is the running command; ProcessState is set once it exited.
	Cmd *exec.Cmd
	// Out receives the process's output.
	Out Output

	done chan struct{}
	err  error
}

// Start runs argv with env added to the test's environment, stdout and
// stderr going to out (a new Buffer when out is nil). At cleanup the
// process is stopped (Stop) and, when the test failed, out is logged.
func Start(t testing.TB, name string, out Output, env []string, argv ...string) *Process {
	t.Helper()
	if out == nil {
		out = &Buffer{}
	}
	p := &Process{Name: name, Out: out, done: make(chan struct{})}
	p.Cmd = exec.Command(argv[0], argv[1:]...)
	p.Cmd.Env = append(os.Environ(), env...)
	p.Cmd.Stdout = out
	p.Cmd.Stderr = out
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.Cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
	return p
}

// Pid returns the process id.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Stop ends the process, if it still runs: SIGTERM, then SIGKILL after
// StopTimeout. It returns once the process is gone.
func (p *Process) Stop() {
	if p.Exited() {
		return
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(StopTimeout):
		_ = p.Cmd.Process.Kill()
		<-p.done
	}
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Err returns how the process ended (exec.Cmd.Wait's error), nil while it
// runs.
func (p *Process) Err() error {
	if !p.Exited() {
		return nil
	}
	return p.err
}
