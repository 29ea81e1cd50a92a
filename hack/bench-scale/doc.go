// Package benchscale measures one /frr-k8s daemon in a 3,000-node cluster
// (D5): memory, start-up time, reconciles, CPU, reloads
// and apply latency against a real API server. The measurement is a Go test
// behind the benchscale build tag, so ordinary `go test ./...` runs skip it;
// hack/bench-scale.sh runs it (see docs/performance.md).
package benchscale
