// Package exporterstest tests the frr-status and frr-metrics binaries end to
// end: built from cmd/status and cmd/metrics, run against a real API server
// (envtest) and a real FRR in test network namespaces (internal/frrtest),
// reaching FRR through VTYSH_CMD as in production. It has no non-test code.
package exporterstest
