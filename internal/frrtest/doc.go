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
// How FRR is run is the job of a Backend. HostFRR runs the distribution's FRR
// (8.4 here) from /usr/lib/frr with private run and config directories; other
// backends (for example FRR 10 from a chroot) can be added without changing
// callers, which select them with WithBackend.
package frrtest
