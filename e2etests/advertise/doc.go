// Package advertise measures how long frr-k8s takes to apply a large
// advertisement set end to end: the daemon and the reloader binaries run as
// separate processes against a real API server (envtest), the node's FRR
// runs in one network namespace and a BGP peer's FRR in another
// (internal/frrtest), on FRR 8.4 and on FRR 10.
//
// One router originates N /32 prefixes from the benchmark range
// 198.18.0.0/15 and advertises all of them to 4 neighbors through
// filtered toAdvertise lists, so FRR holds 4·N prefix-list entries. FRR's
// timers are its defaults. The clock starts at the FRRConfiguration write
// and stops when the peer holds the new set on every session and when
// FRRNodeState reports the reload. After the cold load, one prefix is
// added and removed at the position that sorts last and at the one that
// sorts first (repeated at small N for a median). The peer runs with
// `debug bgp updates`; its log gives the number of withdrawals of
// prefixes other than the one removed, which a hitless change keeps at 0.
//
// Each run is repeated per layout: "stable" (the defaults) and "position"
// (`--prefix-list-seq=position` for the daemon and
// `FRR_RELOADER_MODE=legacy` for the reloader, each passed only when the
// binary supports it), and per debounce window.
//
// TestAdvertiseUpgrade measures an upgrade that switches the numbering while
// FRR keeps running: N prefixes loaded with `--prefix-list-seq=position`,
// then the daemon and the reloader restarted with the stable default. The
// new reloader applies the file in full, moving every renumbered entry
// first; the clock runs from the restart, and the peer must log no
// withdrawal. It reads FRRK8S_ADVERTISE_SIZES and the first debounce of
// FRRK8S_ADVERTISE_DEBOUNCE_MS:
//
//	FRRK8S_ADVERTISE_BENCH=1 FRRK8S_ADVERTISE_SIZES="frr84=1000" \
//	KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) \
//	go test ./e2etests/advertise -run TestAdvertiseUpgrade -v -count=1 -timeout 25m
//
// It is opt-in and slow (minutes): plain `go test ./...` skips it at once.
// Run it with
//
//	FRRK8S_ADVERTISE_BENCH=1 FRRK8S_FRR10_ROOT=$(hack/frr10-chroot.sh) \
//	KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) \
//	FRRK8S_ADVERTISE_SVG=$PWD/docs/advertise-benchmark.svg \
//	go test ./e2etests/advertise -run TestAdvertiseScale -v -timeout 180m
//
// Variables: FRRK8S_ADVERTISE_SIZES overrides the prefix counts per FRR
// version ("frr84=10,1000;frr10=10,10000"); FRRK8S_ADVERTISE_LAYOUTS
// ("stable,position"); FRRK8S_ADVERTISE_DEBOUNCE_MS ("3000,10"; default
// 3000, the production default); FRRK8S_ADVERTISE_REPEATS (how many times
// the changes repeat at N ≤ 100, default 5); FRRK8S_ADVERTISE_SVG (write
// the plot of the one-prefix change times against N there);
// FRRK8S_ADVERTISE_LOG_DIR (write the whole output of the reloader and of
// /frr-k8s there, one file per process and run, each line stamped with its
// arrival time). Results are
// logged as Markdown rows; docs/advertise-benchmark.md holds a measured
// set. Timings are reported, never asserted.
package advertise
