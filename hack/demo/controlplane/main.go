// Command controlplane runs a local kube-apiserver and etcd (through
// controller-runtime's envtest) with the CRDs of the given folders (frr-k8s's
// by default; --crds repeats) installed, writes an
// administrator kubeconfig and keeps running until it gets SIGINT or
// SIGTERM. The demo uses it as its cluster.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

func main() {
	var kubeconfig string
	var crdDirs []string
	flag.StringVar(&kubeconfig, "write-kubeconfig", "kubeconfig", "where to write the administrator kubeconfig")
	flag.Func("crds", "folder of CRDs to install (repeatable; default config/crd/bases)", func(dir string) error {
		crdDirs = append(crdDirs, dir)
		return nil
	})
	flag.Parse()
	if len(crdDirs) == 0 {
		crdDirs = []string{"config/crd/bases"}
	}
	if err := run(kubeconfig, crdDirs); err != nil {
		fmt.Fprintln(os.Stderr, "controlplane:", err)
		os.Exit(1)
	}
}

func run(kubeconfig string, crdDirs []string) error {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return fmt.Errorf("KUBEBUILDER_ASSETS is not set (use hack/envtest-assets.sh)")
	}
	env := &envtest.Environment{CRDDirectoryPaths: crdDirs, ErrorIfCRDPathMissing: true}
	if _, err := env.Start(); err != nil {
		return fmt.Errorf("starting the control plane: %w", err)
	}
	defer func() { _ = env.Stop() }()

	user, err := env.AddUser(envtest.User{Name: "demo-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("adding the admin user: %w", err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		return fmt.Errorf("building the kubeconfig: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(kubeconfig), 0o755); err != nil {
		return err
	}
	tmp := kubeconfig + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("writing the kubeconfig: %w", err)
	}
	if err := os.Rename(tmp, kubeconfig); err != nil {
		return fmt.Errorf("writing the kubeconfig: %w", err)
	}
	fmt.Printf("control plane ready at %s, kubeconfig %s\n", env.Config.Host, kubeconfig)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
