// Package daemon tests /frr-k8s end to end as in production: the daemon
// and the reloader binaries run as separate processes against a real API
// server (envtest), the node's FRR runs in one network namespace and a BGP
// peer's FRR in another (internal/frrtest). It holds tests only.
package daemon
