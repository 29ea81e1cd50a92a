package daemon

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// Prefixes of the MetalLB scenario: service IPs the node announces as
// MetalLB would, from a documentation range the peer does not use.
const (
	serviceIP      = "198.51.100.200/32"
	otherServiceIP = "198.51.100.201/32"
)

// bfdProfile is the MetalLB config's BFD profile; its intervals differ
// from FRR's defaults (300 ms), so `show bfd peers json` shows it applied.
// Both ends use a detect multiplier of 10 (3 s to detect a failure rather
// than 0.9 s): on a loaded 2-core machine bfdd can stall for longer than a
// second, and a BFD flap would take the BGP session down with it.
const (
	bfdProfile          = "metallb-bfd"
	bfdIntervalMillis   = 200
	bfdDetectMultiplier = 10
	bfdPeerUp           = "up" // status in `show bfd peers json`
	bgpNeighborBFDUp    = "Up" // peerBfdInfo.status in `show bgp neighbors json`
)

// metallbPeerConfig is the peer's FRR for the MetalLB scenario: no
// password (MetalLB's passwordSecret is empty), BFD for the node, the
// same two originated prefixes as peerConfig.
const metallbPeerConfig = `bgp route-map delay-timer 1
router bgp 64513
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 192.0.2.1 remote-as 64512
 neighbor 192.0.2.1 timers connect 1
 neighbor 192.0.2.1 bfd
 neighbor 192.0.2.1 bfd profile tolerant
 address-family ipv4 unicast
  network 198.51.100.0/26
  network 198.51.100.64/26
 exit-address-family
exit
bfd
 profile tolerant
  detect-multiplier 10
 exit
exit
`

// TestMetalLBNodeWithFRR runs the mission's main case on every FRR
// version: MetalLB's per-node config and a user's config for the same
// peer on one node, with BFD, then restarts the daemon, the reloader and
// the API server, applying a change with each; the session must stay up
// throughout.
func TestMetalLBNodeWithFRR(t *testing.T) {
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		testMetalLBNodeWithFRR(t, v.Backend)
	})
}

func testMetalLBNodeWithFRR(t *testing.T, backend frrtest.Backend) {
	var user *v1beta1.FRRConfiguration
	e := startE2E(t, backend, scenario{
		peerConfig:     metallbPeerConfig,
		debounceMillis: 200,
		configs: func(e *e2e) []client.Object {
			user = e.userReceiveConfig()
			return []client.Object{e.timersConfig(), e.metallbConfig(t, serviceIP), user}
		},
	})

	e.step(t, "MetalLB and user configs both take effect")
	e.frrNode.WaitEstablished(t, neighborAddress, waitTimeout)
	e.peer.WaitEstablished(t, nodeAddress, waitTimeout)
	// The peer gets the service IP next to its own prefixes; the node takes
	// only what the user config allows next to its own service IP.
	e.waitExactRoutes(t, e.peer, serviceIP, accepted, notAccepted)
	e.waitExactRoutes(t, e.frrNode, serviceIP, accepted)
	e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
		return s.LastReloadResult == "success" && strings.Contains(s.RunningConfig, "network "+serviceIP)
	})

	e.step(t, "BFD is up with the profile")
	e.waitBFDUp(t)

	sessions := e.sessionCounters(t)
	e.step(t, "Restarting the daemon does not flap the session")
	// The change written while the daemon is down is the new daemon's
	// first reload: one reload shows both that the restart keeps the
	// session and that changes apply.
	e.daemon.Stop()
	e.update(t, user, func() { setReceived(user, accepted, notAccepted) })
	e.startDaemon(t)
	e.waitRoutes(t, e.frrNode, []string{accepted, notAccepted}, nil)
	e.checkNoFlap(t, sessions)

	e.step(t, "Restarting the reloader is survived")
	e.reloader.Stop()
	e.startReloader(t)
	e.update(t, user, func() { setReceived(user, accepted) })
	e.waitRoutes(t, e.frrNode, []string{accepted}, []string{notAccepted})
	e.checkNoFlap(t, sessions)

	e.step(t, "Restarting the API server is survived")
	restartAPIServer(t)
	e.step(t, "API server back")
	e.updateMetalLB(t, serviceIP, otherServiceIP)
	e.waitRoutes(t, e.peer, []string{serviceIP, otherServiceIP}, nil)
	e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
		return s.LastReloadResult == "success" && strings.Contains(s.RunningConfig, "network "+otherServiceIP)
	})
	e.checkNoFlap(t, sessions)
	e.waitBFDUp(t)
	e.step(t, "done")
	if e.daemon.Exited() {
		t.Error("the daemon exited")
	}
}

// waitExactRoutes waits until inst's IPv4 unicast BGP table holds exactly
// the prefixes want.
func (e *e2e) waitExactRoutes(t testing.TB, inst *frrtest.Instance, want ...string) {
	t.Helper()
	slices.Sort(want)
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		var table struct {
			Routes map[string]any `json:"routes"`
		}
		if err := inst.VtyshJSON("show bgp ipv4 unicast json", &table); err != nil {
			return false, err.Error()
		}
		got := slices.Sorted(maps.Keys(table.Routes))
		return slices.Equal(got, want), fmt.Sprintf("%s has routes to %v, want %v", inst.Name(), got, want)
	})
}

// metallbConfig is the FRRConfiguration MetalLB's FRR-K8s mode writes
// for this node, built from JSON so that the explicit empty structs reach
// the API server as MetalLB sends them: one router, the peer with an empty
// passwordSecret and nothing to receive, the service IPs advertised, the
// BFD profile, and the node selected by its hostname label.
func (e *e2e) metallbConfig(t testing.TB, serviceIPs ...string) *unstructured.Unstructured {
	t.Helper()
	doc := map[string]any{
		"apiVersion": v1beta1.GroupVersion.String(),
		"kind":       "FRRConfiguration",
		"metadata":   map[string]any{"name": "metallb-" + e.node, "namespace": e.namespace},
		"spec": map[string]any{
			"bgp": map[string]any{
				"routers": []any{map[string]any{
					"asn": 64512,
					"neighbors": []any{map[string]any{
						"asn":            64513,
						"address":        neighborAddress,
						"port":           179,
						"passwordSecret": map[string]any{},
						"connectTime":    "1s",
						"bfdProfile":     bfdProfile,
						"toAdvertise": map[string]any{
							"allowed": map[string]any{"prefixes": serviceIPs},
							"nextHop": map[string]any{},
						},
						"toReceive": map[string]any{"allowed": map[string]any{}},
					}},
					"prefixes": serviceIPs,
				}},
				"bfdProfiles": []any{map[string]any{
					"name":             bfdProfile,
					"receiveInterval":  bfdIntervalMillis,
					"transmitInterval": bfdIntervalMillis,
					"detectMultiplier": bfdDetectMultiplier,
				}},
			},
			"raw":          map[string]any{},
			"nodeSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/hostname": e.node}},
		},
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(raw); err != nil {
		t.Fatalf("decode the MetalLB config: %v", err)
	}
	return obj
}

// updateMetalLB replaces the service IPs of the MetalLB config, as
// MetalLB does when a service gets an address.
func (e *e2e) updateMetalLB(t testing.TB, serviceIPs ...string) {
	t.Helper()
	want := e.metallbConfig(t, serviceIPs...)
	current := want.DeepCopy()
	if err := e.client.Get(t.Context(), client.ObjectKeyFromObject(want), current); err != nil {
		t.Fatal(err)
	}
	want.SetResourceVersion(current.GetResourceVersion())
	if err := e.client.Update(t.Context(), want); err != nil {
		t.Fatalf("update the MetalLB config: %v", err)
	}
}

// userReceiveConfig is a user's config for the same router and peer that
// only receives: it accepts one of the peer's two prefixes.
func (e *e2e) userReceiveConfig() *v1beta1.FRRConfiguration {
	connect := metav1.Duration{Duration: connectTime}
	cfg := &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "user-receive", Namespace: e.namespace},
		Spec: v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/hostname": e.node}},
			BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{
				ASN: 64512,
				Neighbors: []v1beta1.Neighbor{{
					ASN:         64513,
					Address:     neighborAddress,
					ConnectTime: &connect,
				}},
			}}},
		},
	}
	setReceived(cfg, accepted)
	return cfg
}

// setReceived makes cfg's neighbor accept exactly prefixes.
func setReceived(cfg *v1beta1.FRRConfiguration, prefixes ...string) {
	selectors := make([]v1beta1.PrefixSelector, 0, len(prefixes))
	for _, p := range prefixes {
		selectors = append(selectors, v1beta1.PrefixSelector{Prefix: p})
	}
	cfg.Spec.BGP.Routers[0].Neighbors[0].ToReceive.Allowed.Prefixes = selectors
}

// waitBFDUp waits until the node's BFD session to the peer is up with the
// profile's intervals and BGP sees it up.
func (e *e2e) waitBFDUp(t testing.TB) {
	t.Helper()
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		var peers []struct {
			Peer             string `json:"peer"`
			Status           string `json:"status"`
			ReceiveInterval  int    `json:"receive-interval"`
			TransmitInterval int    `json:"transmit-interval"`
			DetectMultiplier int    `json:"detect-multiplier"`
		}
		if err := e.frrNode.VtyshJSON("show bfd peers json", &peers); err != nil {
			return false, err.Error()
		}
		for _, p := range peers {
			if p.Peer == neighborAddress {
				ok := p.Status == bfdPeerUp && p.ReceiveInterval == bfdIntervalMillis &&
					p.TransmitInterval == bfdIntervalMillis && p.DetectMultiplier == bfdDetectMultiplier
				return ok, fmt.Sprintf("BFD peer %+v", p)
			}
		}
		return false, fmt.Sprintf("no BFD peer %s in %+v", neighborAddress, peers)
	})
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		var neighbors map[string]struct {
			PeerBFDInfo struct {
				Status string `json:"status"`
			} `json:"peerBfdInfo"`
		}
		if err := e.frrNode.VtyshJSON("show bgp neighbors "+neighborAddress+" json", &neighbors); err != nil {
			return false, err.Error()
		}
		status := neighbors[neighborAddress].PeerBFDInfo.Status
		return status == bgpNeighborBFDUp, fmt.Sprintf("peerBfdInfo.status = %q", status)
	})
}

// sessionCounters are how many times each end of the session has come up.
type sessionCounters struct {
	node, peer int
}

// sessionCounters reads connectionsEstablished on both ends.
func (e *e2e) sessionCounters(t testing.TB) sessionCounters {
	t.Helper()
	return sessionCounters{
		node: connectionsEstablished(t, e.frrNode, neighborAddress),
		peer: connectionsEstablished(t, e.peer, nodeAddress),
	}
}

// checkNoFlap checks that the session is Established and was not
// re-established since before was read.
func (e *e2e) checkNoFlap(t testing.TB, before sessionCounters) {
	t.Helper()
	if state, err := e.frrNode.NeighborState(neighborAddress); err != nil || state != frrtest.BGPEstablished {
		t.Errorf("node's session = %q, %v; want Established", state, err)
	}
	if after := e.sessionCounters(t); after != before {
		t.Errorf("the session was re-established: connectionsEstablished %+v → %+v; node: %s; peer: %s", before, after,
			lastReset(e.frrNode, neighborAddress), lastReset(e.peer, nodeAddress))
	}
}

// lastReset describes why inst's session to neighbor last went down.
func lastReset(inst *frrtest.Instance, neighbor string) string {
	var neighbors map[string]struct {
		LastReset      int    `json:"lastReset"`
		LastResetDueTo string `json:"lastResetDueTo"`
	}
	if err := inst.VtyshJSON("show bgp neighbors "+neighbor+" json", &neighbors); err != nil {
		return err.Error()
	}
	n := neighbors[neighbor]
	return fmt.Sprintf("last reset %d s ago due to %q", n.LastReset, n.LastResetDueTo)
}
