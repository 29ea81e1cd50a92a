// Package e2eharness runs the project's binaries as separate processes
// for the end-to-end tests, as in production: it builds them once per test
// binary (Build), writes a kubeconfig that reaches the test's API server
// (WriteKubeconfig), and starts and stops them with their output kept for
// the report of a failed test (Start). It also holds small helpers those
// tests share: FreePort, RandomSuffix and FileHolds.
//
// A typical TestMain and test:
//
//	var build = e2eharness.NewBuild("frrk8s-e2e-bin-", map[string]string{"frr-k8s": "./cmd/frr-k8s-controller"})
//
//	func TestMain(m *testing.M) {
//		code := testenv.Main(m)
//		build.Remove()
//		os.Exit(code)
//	}
//
//	func TestDaemon(t *testing.T) {
//		env := testenv.Require(t)
//		daemon, err := build.Path("frr-k8s")
//		if err != nil {
//			t.Fatal(err)
//		}
//		p := e2eharness.Start(t, "frr-k8s", nil,
//			[]string{"KUBECONFIG=" + e2eharness.WriteKubeconfig(t, env.Config)}, daemon, "--node-name=n1")
//		...
//	}
package e2eharness
