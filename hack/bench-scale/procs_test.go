//go:build benchscale

package benchscale

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// binaries are the programs the benchmark runs.
type binaries struct {
	controller, reloader string
}

// buildBinaries builds /frr-k8s and the reloader from the repository into
// dir.
func buildBinaries(ctx context.Context, repo, dir string) (binaries, error) {
	b := binaries{controller: filepath.Join(dir, "frr-k8s"), reloader: filepath.Join(dir, "frr-reloader")}
	for out, pkg := range map[string]string{b.controller: "./cmd/frr-k8s-controller", b.reloader: "./cmd/reloader"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			return b, fmt.Errorf("building %s: %w\n%s", pkg, err, out)
		}
	}
	return b, nil
}

// volume is the shared directory of the controller and the reloader.
type volume struct {
	dir string
}

func (v volume) config() string { return filepath.Join(v.dir, "frr.conf") }
func (v volume) pid() string    { return filepath.Join(v.dir, "reloader.pid") }

// fakeVtysh writes a vtysh stand-in that prints the volume's frr.conf as
// the running config, so the running config echoes what was handed off.
func fakeVtysh(v volume, dir string) (string, error) {
	path := filepath.Join(dir, "fake-vtysh")
	script := "#!/bin/sh\n# Stands in for vtysh -c 'show running-conf': the applied config is the handed-off one.\nexec cat " +
		strconv.Quote(v.config()) + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return "", fmt.Errorf("writing the fake vtysh: %w", err)
	}
	return path, nil
}

// reloaderProc is a running reloader whose SIGHUPs are timestamped from its
// output.
type reloaderProc struct {
	cmd  *exec.Cmd
	done chan struct{}

	mu        sync.Mutex
	sighups   []time.Time
	started   []time.Time // reloads that took the lock
	durations []time.Duration
	out       bytes.Buffer
}

// Lines cmd/reloader prints: for each SIGHUP, when a reload takes the lock
// (reloads run one at a time) and when it is done.
const (
	reloaderSIGHUPLine   = "Received SIGHUP"
	reloaderLockedLine   = "Caught SIGHUP and acquired lock"
	reloaderFinishedLine = "Reload finished"
)

// startReloader runs the reloader on the volume with the extra environment
// (FRR_RELOAD_CMD, VTYSH_CMD, ...) and waits for its pid file.
func startReloader(bin string, v volume, env []string) (*reloaderProc, error) {
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), append([]string{"SHARED_VOLUME=" + v.dir}, env...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	p := &reloaderProc{cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the reloader: %w", err)
	}
	go p.follow(stdout)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if data, err := os.ReadFile(v.pid()); err == nil && strings.TrimSpace(string(data)) == strconv.Itoa(cmd.Process.Pid) {
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("the reloader wrote no pid file:\n%s", p.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// follow timestamps the SIGHUP lines of the reloader's output.
func (p *reloaderProc) follow(r io.Reader) {
	defer close(p.done)
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for s.Scan() {
		now := time.Now()
		p.mu.Lock()
		switch line := s.Text(); {
		case strings.Contains(line, reloaderSIGHUPLine):
			p.sighups = append(p.sighups, now)
		case strings.Contains(line, reloaderLockedLine):
			p.started = append(p.started, now)
		case strings.Contains(line, reloaderFinishedLine) && len(p.started) > len(p.durations):
			p.durations = append(p.durations, now.Sub(p.started[len(p.durations)]))
		}
		if p.out.Len() < 1<<20 {
			p.out.WriteString(s.Text() + "\n")
		}
		p.mu.Unlock()
	}
	_ = p.cmd.Wait()
}

// signals returns the SIGHUP times so far.
func (p *reloaderProc) signals() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.sighups...)
}

// reloadDurations returns how long each finished reload took.
func (p *reloaderProc) reloadDurations() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Duration(nil), p.durations...)
}

func (p *reloaderProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// stop terminates the reloader and waits for it.
func (p *reloaderProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// daemonProc is a running /frr-k8s.
type daemonProc struct {
	cmd       *exec.Cmd
	started   time.Time
	logPath   string
	metrics   string // https://host:port/metrics
	pprofHeap string // http://host:port/debug/pprof/heap
	done      chan struct{}
	exitErr   error
}

// daemonOptions configure one daemon run.
type daemonOptions struct {
	bin, kubeconfig, node string
	volume                volume
	debounce              time.Duration
	logPath               string
	extraEnv              []string
}

// startDaemon runs /frr-k8s for one node with the hand-off on the volume.
func startDaemon(o daemonOptions) (*daemonProc, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(o.logPath)
	if err != nil {
		return nil, fmt.Errorf("creating the daemon log: %w", err)
	}
	cmd := exec.Command(o.bin,
		"--node-name", o.node,
		"--namespace", benchNamespace,
		"--kubeconfig", o.kubeconfig,
		"--log-level", "info",
		"--metrics-bind-address", ports[0],
		"--health-probe-bind-address", ports[1],
		"--pprof-bind-address", ports[2],
	)
	cmd.Env = append(os.Environ(),
		"FRR_CONFIG_FILE="+o.volume.config(),
		"FRR_RELOADER_PID_FILE="+o.volume.pid(),
		"FRR_RELOADER_STATUS_DIR="+o.volume.dir,
		"FRR_K8S_BGP_DEBOUNCE_TIMEOUT="+strconv.FormatInt(o.debounce.Milliseconds(), 10),
	)
	cmd.Env = append(cmd.Env, o.extraEnv...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	d := &daemonProc{
		cmd:       cmd,
		logPath:   o.logPath,
		metrics:   "https://" + ports[0] + "/metrics",
		pprofHeap: "http://" + ports[2] + "/debug/pprof/heap",
		done:      make(chan struct{}),
	}
	d.started = time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting the daemon: %w", err)
	}
	go func() {
		d.exitErr = cmd.Wait()
		logFile.Close()
		close(d.done)
	}()
	return d, nil
}

func (d *daemonProc) pid() int { return d.cmd.Process.Pid }

// alive fails when the daemon has exited.
func (d *daemonProc) alive() error {
	select {
	case <-d.done:
		return fmt.Errorf("the daemon exited (%v); log %s:\n%s", d.exitErr, d.logPath, tailFile(d.logPath, 30))
	default:
		return nil
	}
}

// stop terminates the daemon and waits for it.
func (d *daemonProc) stop() {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// freePorts returns n distinct free 127.0.0.1 addresses.
func freePorts(n int) ([]string, error) {
	var res []string
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		listeners = append(listeners, l)
		res = append(res, l.Addr().String())
	}
	return res, nil
}

// tailFile returns the last n lines of a file.
func tailFile(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// memStatus is the memory of a process from /proc/<pid>/status, in bytes.
type memStatus struct {
	rss, hwm   int64 // VmRSS, VmHWM (peak RSS)
	anon, file int64 // RssAnon, RssFile: the heap and stacks vs. the mapped binary
}

// procStatus reads the memory lines of /proc/<pid>/status.
func procStatus(pid int) (memStatus, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memStatus{}, err
	}
	var m memStatus
	fields := map[string]*int64{"VmRSS:": &m.rss, "VmHWM:": &m.hwm, "RssAnon:": &m.anon, "RssFile:": &m.file}
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || fields[f[0]] == nil {
			continue
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return m, fmt.Errorf("parsing /proc/%d/status %s: %w", pid, f[0], err)
		}
		*fields[f[0]] = kb * 1024
	}
	if m.rss == 0 {
		return m, errors.New("no VmRSS in /proc status")
	}
	return m, nil
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat
// (100 on every Linux architecture Go supports).
const clockTicks = 100

// procCPU returns the user plus system CPU time of a process.
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: fields start after the last ')'.
	rest := string(data)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	// fields[0] is the state; utime and stime are fields 14 and 15 of stat.
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("parsing /proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// rssSample is one RSS reading.
type rssSample struct {
	at time.Time
	memStatus
}

// sampler reads a process's RSS periodically.
type sampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex
	samples []rssSample
	hwm     int64
}

// sampleEvery starts sampling pid.
func sampleEvery(pid int, every time.Duration) *sampler {
	s := &sampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			s.read()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) read() {
	m, err := procStatus(s.pid)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples = append(s.samples, rssSample{at: time.Now(), memStatus: m})
	s.hwm = max(s.hwm, m.hwm)
}

// halt stops sampling.
func (s *sampler) halt() {
	close(s.stop)
	<-s.done
}

// peak is the largest VmHWM seen: the peak RSS of the process so far.
func (s *sampler) peak() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hwm
}

// rssStats summarises the samples of a window.
type rssStats struct {
	mean, peak int64     // RSS
	atPeak     memStatus // the sample with the largest RSS
	n          int
}

// between summarises the samples taken in [from, to].
func (s *sampler) between(from, to time.Time) rssStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st rssStats
	var sum int64
	for _, x := range s.samples {
		if x.at.Before(from) || x.at.After(to) {
			continue
		}
		sum += x.rss
		if x.rss > st.peak {
			st.peak, st.atPeak = x.rss, x.memStatus
		}
		st.n++
	}
	if st.n > 0 {
		st.mean = sum / int64(st.n)
	}
	return st
}

// handOffMessage is what the daemon logs each time it has written frr.conf
// and signalled the reloader (internal/frr debouncer).
const handOffMessage = "frr config handed to the reloader"

// handOffTimes returns the times the daemon logged a hand-off, from its JSON
// log. Unlike the reloader's output, these are taken by the daemon itself
// right after the signal, so they show the debounce windows without the
// reloader's scheduling delays.
func handOffTimes(logPath string) ([]time.Time, error) {
	f, err := os.Open(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var res []time.Time
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for s.Scan() {
		var entry struct {
			Msg string `json:"msg"`
			TS  string `json:"ts"`
		}
		if !bytes.Contains(s.Bytes(), []byte(handOffMessage)) || json.Unmarshal(s.Bytes(), &entry) != nil || entry.Msg != handOffMessage {
			continue
		}
		ts, err := time.Parse(time.RFC3339Nano, entry.TS)
		if err != nil {
			return nil, fmt.Errorf("parsing the daemon log time %q: %w", entry.TS, err)
		}
		res = append(res, ts)
	}
	return res, s.Err()
}
