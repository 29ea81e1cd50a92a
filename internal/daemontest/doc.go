// Package daemontest runs the /frr-k8s reconcilers against a real API
// server (envtest) with a fake FRR hand-off: selection, event filtering
// (D5), failure handling and FRRNodeState publication, end to end through
// the daemon's scoped cache. It holds tests only.
package daemontest
