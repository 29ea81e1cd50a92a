// Package daemon tests /frr-k8s end to end as in production: the daemon
// and the reloader binaries run as separate processes against a real API
// server (envtest), the node's FRR runs in one network namespace and a BGP
// peer's FRR in another (internal/frrtest), on FRR 8.4 and FRR 10. It holds
// tests only.
//
// The fault tests kill the reloader in the middle of a reload
// (TestReloaderKilledMidReload), kill and restart the node's bgpd
// (TestBGPDRestart, opt-in with FRRK8S_FAULTS_BGPD_RESTART=1 until the
// reloader repairs a restarted bgpd) and stop the API server (TestAPIServerOutage: 20 s by
// default, FRRK8S_FAULTS_APISERVER_OUTAGE=2m for the full outage).
//
// TestDaemonWithFRR covers one session end to end: filtering both ways,
// FRRNodeState, metrics, a change without a session reset, a merge conflict
// and a raw config FRR rejects. TestMetalLBNodeWithFRR covers MetalLB's
// per-node config next to a user's config for the same peer, BFD with a
// profile, and restarts of the daemon, the reloader and the API server.
// The API server restarts in place (same address and certificates, etcd
// kept), so the package's tests must not run in parallel.
//
// BenchmarkConfigToFRR measures the latency from an FRRConfiguration write
// to the peer and to FRRNodeState, by config size and debounce window:
//
//	FRRK8S_FRR10_ROOT=$(hack/frr10-chroot.sh) KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) \
//	go test ./e2etests/daemon -run '^$' -bench ConfigToFRR -benchtime=20x -timeout 60m
package daemon
