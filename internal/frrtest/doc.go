// Package frrtest runs real FRR daemons inside throw-away network namespaces so
// that tests of any package can check behaviour against FRR itself.
//
// A typical test:
//
//	frrtest.Require(t)
//	topo := frrtest.NewTopology(t)
//	node := frrtest.StartFRR(t, topo.Node, "node")
//	peer := frrtest.StartFRR(t, topo.Peer, "peer")
//	if err := peer.ApplyConfig(peerConfig); err != nil { t.Fatal(err) }
//	// point the code under test at node through node.Env()
//	node.WaitEstablished(t, "192.0.2.2", 30*time.Second)
//
// Everything is torn down through t.Cleanup, also when the test fails: the
// daemons are stopped in parallel, the namespaces deleted and the state
// directories removed. Namespaces and state directories left behind by a test
// binary that was killed are removed the next time a topology is created.
//
// How FRR is run is the job of a Backend, selected with WithBackend. HostFRR
// (the default) runs the distribution's FRR (8.4 here) from /usr/lib/frr with
// private run and config directories. FRR10 runs FRR 10 from the Debian
// chroot that hack/frr10-chroot.sh builds and FRRK8S_FRR10_ROOT names, each
// instance in private mount namespaces (see FRR10). To cover both, run the
// test body once per build:
//
//	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
//		node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(v.Backend))
//		...
//	})
//
// The subtests are named frr84 and frr10; one whose build is missing is
// skipped locally and fails under CI=true. Code under test reaches an
// instance only through Instance.Env (FRR_RELOAD_CMD, FRR_RELOAD_ARGS,
// VTYSH_CMD), so it runs unchanged on both. Files handed to those commands
// must live under os.TempDir() (t.TempDir() does): FRR 10 sees that
// directory at the same path.
package frrtest
