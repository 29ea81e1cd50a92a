// Package advertise measures how long frr-k8s takes to apply a large
// advertisement set end to end: the daemon and the reloader binaries run as
// separate processes against a real API server (envtest), the node's FRR
// runs in one network namespace and a BGP peer's FRR in another
// (internal/frrtest), on FRR 8.4 and on FRR 10.
//
// One router originates N /32 prefixes from the benchmark range
// 198.18.0.0/15 and advertises all of them to 4 neighbors through
// filtered toAdvertise lists, so FRR holds 4·N prefix-list entries. The
// clock starts at the FRRConfiguration write and stops when the peer holds
// all N routes on every session and when FRRNodeState reports the reload.
// One-prefix changes are timed the same way.
//
// It is opt-in and slow (minutes): plain `go test ./...` skips it at once.
// Run it with
//
//	FRRK8S_ADVERTISE_BENCH=1 FRRK8S_FRR10_ROOT=$(hack/frr10-chroot.sh) \
//	KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) \
//	go test ./e2etests/advertise -run TestAdvertiseScale -v -timeout 120m
//
// FRRK8S_ADVERTISE_SIZES overrides the prefix counts per FRR version, for
// example "frr84=250,500;frr10=1000". Results are logged as Markdown rows;
// docs/advertise-benchmark.md holds a measured set. Timings are reported,
// never asserted.
package advertise
