package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/frrk8s/frrk8s/internal/e2eharness"
	"github.com/frrk8s/frrk8s/internal/testenv"
)

func TestMain(m *testing.M) {
	// A fixed certificate directory keeps the API server's serving
	// certificate, client CA and service account keys across a restart
	// (restartAPIServer); envtest would make new ones in a new directory.
	// Without a watch termination grace period a graceful stop waits 60 s
	// for the daemon's open watches before it closes them.
	// The tests' own controller-runtime clients have nothing to log.
	ctrllog.SetLogger(logr.Discard())
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
	build.Remove()
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
	stopAPIServer(t)
	startAPIServer(t)
}

// stoppedAt is the address of the API server stopped by stopAPIServer.
var stoppedAt *envtest.ListenAddr

// stopAPIServer stops the API server; etcd keeps running.
func stopAPIServer(t testing.TB) {
	t.Helper()
	if controlPlane == nil || controlPlane.APIServer == nil {
		t.Fatal("no envtest control plane to stop")
	}
	api := controlPlane.APIServer
	addr := api.SecureServing.ListenAddr
	stoppedAt = &addr
	if err := api.Stop(); err != nil {
		t.Fatalf("stop the API server: %v", err)
	}
}

// startAPIServer starts the API server stopped by stopAPIServer on the same
// address with the same certificates.
func startAPIServer(t testing.TB) {
	t.Helper()
	api := controlPlane.APIServer
	if err := api.Start(); err != nil {
		t.Fatalf("start the API server again: %v", err)
	}
	before := *stoppedAt
	if after := api.SecureServing.ListenAddr; after != before {
		t.Fatalf("the API server came back on %s:%s instead of %s:%s", after.Address, after.Port, before.Address, before.Port)
	}
}

// build builds the production binaries under test once per test run.
var build = e2eharness.NewBuild("frrk8s-e2e-bin-", map[string]string{
	"frr-k8s":      "./cmd/frr-k8s-controller",
	"frr-reloader": "./cmd/reloader",
})

// binaries are the paths of the production binaries under test.
type binaries struct {
	daemon, reloader string
}

// buildBinaries builds /frr-k8s and the reloader on first use.
func buildBinaries(t testing.TB) binaries {
	t.Helper()
	dir, err := build.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return binaries{daemon: filepath.Join(dir, "frr-k8s"), reloader: filepath.Join(dir, "frr-reloader")}
}
