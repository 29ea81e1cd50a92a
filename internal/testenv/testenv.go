// Package testenv starts a real kube-apiserver and etcd (controller-runtime
// envtest) with the project's CRDs installed, for tests. The binaries come
// from hack/envtest-assets.sh through KUBEBUILDER_ASSETS.
package testenv

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	frrk8sv1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"

	"github.com/frrk8s/frrk8s/internal/cienv"
)

// Env is a running API server shared by the tests of one package.
type Env struct {
	// Config reaches the API server as an administrator.
	Config *rest.Config
	// Client is a controller-runtime client with the project's types registered.
	Client client.Client

	env *envtest.Environment
}

var (
	shared     *Env
	skipReason string
	startErr   error
	once       sync.Once
)

// RepoRoot returns the repository root, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// CRDDir is the folder holding the generated CRDs.
func CRDDir() string {
	return filepath.Join(RepoRoot(), "config", "crd", "bases")
}

func init() {
	utilruntime.Must(frrk8sv1beta1.AddToScheme(scheme.Scheme))
}

// Main starts the shared API server, runs the package's tests and stops
// it. Call it from TestMain: os.Exit(testenv.Main(m)).
// Under -short no API server is started and Require skips.
func Main(m *testing.M, opts ...func(*envtest.Environment)) int {
	if !flag.Parsed() {
		flag.Parse()
	}
	once.Do(func() {
		if testing.Short() {
			skipReason = "-short runs leave out the tests that need an API server"
			return
		}
		start(opts...)
	})
	code := m.Run()
	if shared != nil {
		if err := shared.env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testenv: stopping the API server: %v\n", err)
		}
	}
	return code
}

func start(opts ...func(*envtest.Environment)) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		skipReason = "KUBEBUILDER_ASSETS is not set: run `make test` or export KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)"
		return
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{CRDDir()},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme.Scheme,
	}
	for _, o := range opts {
		o(env)
	}
	cfg, err := env.Start()
	if err != nil {
		startErr = fmt.Errorf("starting envtest: %w", err)
		return
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		_ = env.Stop()
		startErr = fmt.Errorf("creating client: %w", err)
		return
	}
	shared = &Env{Config: cfg, Client: c, env: env}
}

// Require returns the shared API server. Without envtest binaries the test
// is skipped locally and fails under CI=true.
func Require(t testing.TB) *Env {
	t.Helper()
	cienv.SkipIfShort(t, "an API server")
	if startErr != nil {
		t.Fatalf("API server unavailable: %v", startErr)
	}
	if shared == nil {
		if skipReason == "" {
			t.Fatal("testenv.Require called without testenv.Main in TestMain")
		}
		cienv.SkipOrFail(t, "no API server: %s", skipReason)
	}
	return shared
}

// WebhookOptions exposes the environment's webhook settings (host, port,
// certificates) once started, for tests that serve admission webhooks.
func (e *Env) WebhookOptions() envtest.WebhookInstallOptions {
	return e.env.WebhookInstallOptions
}
