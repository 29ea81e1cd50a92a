package daemon

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

func TestMain(m *testing.M) {
	// A fixed certificate directory keeps the API server's serving
	// certificate, client CA and service account keys across a restart
	// (restartAPIServer); envtest would make new ones in a new directory.
	// Without a watch termination grace period a graceful stop waits 60 s
	// for the daemon's open watches before it closes them.
	certDir, err := os.MkdirTemp("", "frrk8s-e2e-apiserver-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "create the API server certificate directory: %v\n", err)
		os.Exit(1)
	}
	code := testenv.Main(m, func(env *envtest.Environment) {
		api := env.ControlPlane.GetAPIServer()
		api.CertDir = certDir
		api.Configure().Set("shutdown-watch-termination-grace-period", "2s")
		controlPlane = &env.ControlPlane
	})
	_ = os.RemoveAll(certDir)
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// controlPlane is the envtest control plane of the package's API server,
// for restartAPIServer.
var controlPlane *envtest.ControlPlane

// restartAPIServer stops the API server and starts it again on the same
// address with the same certificates; etcd keeps running, so every object
// survives. It fails the test when the address changed, which would leave
// the daemon's kubeconfig pointing nowhere.
func restartAPIServer(t testing.TB) {
	t.Helper()
	if controlPlane == nil || controlPlane.APIServer == nil {
		t.Fatal("no envtest control plane to restart")
	}
	api := controlPlane.APIServer
	before := api.SecureServing.ListenAddr
	if err := api.Stop(); err != nil {
		t.Fatalf("stop the API server: %v", err)
	}
	if err := api.Start(); err != nil {
		t.Fatalf("start the API server again: %v", err)
	}
	if after := api.SecureServing.ListenAddr; after != before {
		t.Fatalf("the API server came back on %s:%s instead of %s:%s", after.Address, after.Port, before.Address, before.Port)
	}
}

// stopTimeout bounds the wait for a process to exit after SIGTERM.
const stopTimeout = 10 * time.Second

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
func buildBinaries(t testing.TB) binaries {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "frrk8s-e2e-bin-")
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

// writeKubeconfig writes a kubeconfig reaching the API server of cfg as
// its user, for the daemon process.
func writeKubeconfig(t testing.TB, cfg *rest.Config) string {
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

// process is a binary under test running in the background.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// startProcess runs argv with env added to the test's environment. At
// cleanup it is stopped with SIGTERM (SIGKILL after stopTimeout) and, when
// the test failed, its output is logged.
func startProcess(t testing.TB, name string, env []string, argv ...string) *process {
	t.Helper()
	p := &process{name: name, out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
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
			t.Logf("%s output:\n%s", name, p.out.String())
		}
	})
	return p
}

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
func freePort(t testing.TB) int {
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

// pidFileHolds reports whether path holds pid.
func pidFileHolds(path string, pid int) (bool, string) {
	got, err := os.ReadFile(path)
	return string(got) == strconv.Itoa(pid), fmt.Sprintf("%s = %q (%v), want %d", path, got, err, pid)
}
