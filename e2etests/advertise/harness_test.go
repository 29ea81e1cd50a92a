package advertise

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

// stopTimeout bounds the wait for a process to exit after SIGTERM.
const stopTimeout = 10 * time.Second

// tailLines is how many output lines of a process are kept for diagnosis.
const tailLines = 200

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries are the production binaries under test.
type binaries struct {
	daemon, reloader string
}

// buildBinaries builds /frr-k8s and the reloader once per test run.
func buildBinaries(t *testing.T) binaries {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "frrk8s-advertise-bin-")
		if buildErr != nil {
			return
		}
		for name, pkg := range map[string]string{"frr-k8s": "./cmd/frr-k8s-controller", "frr-reloader": "./cmd/reloader"} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, name), pkg)
			cmd.Dir = testenv.RepoRoot()
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binaries{daemon: filepath.Join(binDir, "frr-k8s"), reloader: filepath.Join(binDir, "frr-reloader")}
}

// removeBinaries deletes what buildBinaries built.
func removeBinaries() {
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
}

// writeKubeconfig writes a kubeconfig that reaches the API server of cfg
// as its user, for the daemon process.
func writeKubeconfig(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["envtest"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData,
		ClientKeyData:         cfg.KeyData,
		Token:                 cfg.BearerToken,
	}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "envtest"}
	kc.CurrentContext = "envtest"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatalf("write kubeconfig: %v", err)
	}
	return path
}

// stampedLine is one output line of a process with the time it arrived.
type stampedLine struct {
	at   time.Time
	text string
}

// lineRecorder receives a process's output. It keeps, with their arrival
// time, the lines containing one of its markers, and the last tailLines
// lines of any kind. The full output (a cold reload prints every line of
// the diff) is not kept.
type lineRecorder struct {
	markers []string

	mu      sync.Mutex
	partial []byte
	marked  []stampedLine
	tail    []string
}

func newLineRecorder(markers ...string) *lineRecorder {
	return &lineRecorder{markers: markers}
}

// Write splits p into lines and records them.
func (r *lineRecorder) Write(p []byte) (int, error) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			break
		}
		r.record(now, string(r.partial[:i]))
		r.partial = r.partial[i+1:]
	}
	return len(p), nil
}

func (r *lineRecorder) record(at time.Time, line string) {
	for _, m := range r.markers {
		if strings.Contains(line, m) {
			r.marked = append(r.marked, stampedLine{at: at, text: line})
			break
		}
	}
	r.tail = append(r.tail, line)
	if len(r.tail) > tailLines {
		r.tail = r.tail[len(r.tail)-tailLines:]
	}
}

// first returns the arrival time of the first marked line containing
// marker that arrived at or after since.
func (r *lineRecorder) first(marker string, since time.Time) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.marked {
		if !l.at.Before(since) && strings.Contains(l.text, marker) {
			return l.at, true
		}
	}
	return time.Time{}, false
}

// count returns how many marked lines containing marker arrived at or after
// since.
func (r *lineRecorder) count(marker string, since time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, l := range r.marked {
		if !l.at.Before(since) && strings.Contains(l.text, marker) {
			n++
		}
	}
	return n
}

// Tail returns the last lines received.
func (r *lineRecorder) Tail() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.tail, "\n")
}

// process is a binary under test running in the background.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *lineRecorder
	done chan struct{}
}

// startProcess runs argv with env added to the test's environment, its
// output going to out. At cleanup it is stopped with SIGTERM (SIGKILL after
// stopTimeout) and, when the test failed, its last output is logged.
func startProcess(t *testing.T, name string, out *lineRecorder, env []string, argv ...string) *process {
	t.Helper()
	p := &process{name: name, out: out, done: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = out
	p.cmd.Stderr = out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s output (last %d lines):\n%s", name, tailLines, out.Tail())
		}
	})
	return p
}

// pid returns the process id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// stop ends the process: SIGTERM, then SIGKILL after stopTimeout.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// fileHolds reports whether the file at path holds exactly want.
func fileHolds(path, want string) (bool, string) {
	got, err := os.ReadFile(path)
	return string(got) == want, fmt.Sprintf("%s = %q (%v), want %q", path, got, err, want)
}
