package suite

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Environment variables describing the environment under test.
const (
	envKubeconfig        = "FRRK8S_E2E_KUBECONFIG"
	envNamespace         = "FRRK8S_E2E_NAMESPACE"
	envNode              = "FRRK8S_E2E_NODE"
	envNodeASN           = "FRRK8S_E2E_NODE_ASN"
	envNodeAddress       = "FRRK8S_E2E_NODE_ADDRESS"
	envNodeVtysh         = "FRRK8S_E2E_NODE_VTYSH"
	envPeerAddress       = "FRRK8S_E2E_PEER_ADDRESS"
	envPeerASN           = "FRRK8S_E2E_PEER_ASN"
	envPeerVtysh         = "FRRK8S_E2E_PEER_VTYSH"
	envMetricsURL        = "FRRK8S_E2E_METRICS_URL"
	envControllerMetrics = "FRRK8S_E2E_CONTROLLER_METRICS_URL"
)

// Defaults of the optional variables: upstream's namespace and ASNs, which
// the demo uses too.
const (
	defaultNamespace = "frr-k8s-system"
	defaultNodeASN   = 64512
	defaultPeerASN   = 64513
)

// environment is what the suite knows about the cluster, the node under
// test and its external BGP peer.
type environment struct {
	// kubeconfig reaches the API server as an administrator.
	kubeconfig string
	// namespace is where the daemon reads FRRConfigurations.
	namespace string
	// node is the Node whose FRR the suite inspects.
	node string
	// nodeASN is the AS the suite's configs give the node's router.
	nodeASN uint32
	// nodeAddress is the node's address as the peer sees it.
	nodeAddress netip.Addr
	// nodeVtysh runs vtysh against the node's FRR (argv prefix).
	nodeVtysh []string
	// peerAddress is the external router's address.
	peerAddress netip.Addr
	// peerASN is the external router's AS.
	peerASN uint32
	// peerVtysh runs vtysh against the external router (argv prefix).
	peerVtysh []string
	// metricsURL is frr-metrics' /metrics URL; empty skips its checks.
	metricsURL string
	// controllerMetricsURL is the daemon's /metrics URL; empty skips its checks.
	controllerMetricsURL string
}

// configured reports whether the suite was pointed at an environment.
func configured() bool {
	return os.Getenv(envKubeconfig) != ""
}

// loadEnvironment reads the FRRK8S_E2E_* variables.
func loadEnvironment() (*environment, error) {
	r := envReader{}
	e := &environment{
		kubeconfig:           r.required(envKubeconfig),
		namespace:            r.optional(envNamespace, defaultNamespace),
		node:                 r.required(envNode),
		nodeASN:              r.asn(envNodeASN, defaultNodeASN),
		nodeAddress:          r.addr(envNodeAddress),
		nodeVtysh:            strings.Fields(r.required(envNodeVtysh)),
		peerAddress:          r.addr(envPeerAddress),
		peerASN:              r.asn(envPeerASN, defaultPeerASN),
		peerVtysh:            strings.Fields(r.required(envPeerVtysh)),
		metricsURL:           os.Getenv(envMetricsURL),
		controllerMetricsURL: os.Getenv(envControllerMetrics),
	}
	if len(r.problems) > 0 {
		return nil, fmt.Errorf("the e2e environment is incomplete: %s", strings.Join(r.problems, "; "))
	}
	return e, nil
}

// envReader reads variables and collects what is missing or malformed.
type envReader struct {
	problems []string
}

func (r *envReader) required(name string) string {
	v := os.Getenv(name)
	if v == "" {
		r.problems = append(r.problems, name+" is not set")
	}
	return v
}

func (r *envReader) optional(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (r *envReader) addr(name string) netip.Addr {
	v := r.required(name)
	if v == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		r.problems = append(r.problems, fmt.Sprintf("%s: %v", name, err))
	}
	return a
}

func (r *envReader) asn(name string, def uint32) uint32 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		r.problems = append(r.problems, fmt.Sprintf("%s: %q is not an AS number", name, v))
	}
	return uint32(n)
}
