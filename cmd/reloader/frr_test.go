package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// sessionTimeout bounds waits on real BGP sessions and routes.
const sessionTimeout = 45 * time.Second

// peerConfig is the peer's side: AS 64513, fast policy and connect timers, a
// password and one advertised prefix.
const peerConfig = `bgp route-map delay-timer 1
router bgp 64513
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 192.0.2.1 remote-as 64512
 neighbor 192.0.2.1 password s3cret
 neighbor 192.0.2.1 timers connect 1
 address-family ipv4 unicast
  network 192.0.2.64/28
 exit-address-family
exit
`

// nodeConfig is an frr-k8s-shaped frr.conf for the node (AS 64512) with one
// eBGP neighbor, in and out policies and one advertised prefix.
func nodeConfig(t *testing.T) string {
	t.Helper()
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`log stdout informational
log timestamp precision 3
hostname %s
ip nht resolve-via-default
ipv6 nht resolve-via-default
bgp route-map delay-timer 1

ip prefix-list 192.0.2.2-allowed-ipv4 seq 1 permit 192.0.2.128/26
route-map 192.0.2.2-out permit 1
  match ip address prefix-list 192.0.2.2-allowed-ipv4

ip prefix-list 192.0.2.2-inpl-ipv4 seq 1 permit 192.0.2.64/27 le 28
route-map 192.0.2.2-in permit 3
  match ip address prefix-list 192.0.2.2-inpl-ipv4

router bgp 64512
  no bgp ebgp-requires-policy
  no bgp network import-check
  no bgp default ipv4-unicast

  neighbor 192.0.2.2 remote-as 64513
  neighbor 192.0.2.2 password s3cret

  address-family ipv4 unicast
    neighbor 192.0.2.2 activate
    neighbor 192.0.2.2 route-map 192.0.2.2-in in
    neighbor 192.0.2.2 route-map 192.0.2.2-out out
    network 192.0.2.128/26
  exit-address-family
`, hostname)
}

// TestReloaderWithFRR drives the reloader binary against a real FRR node
// with an eBGP peer, on every FRR version: a good config is applied and the
// session comes up, a bad one is rejected and leaves FRR as it was.
func TestReloaderWithFRR(t *testing.T) {
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		testReloaderWithFRR(t, v.Backend)
	})
}

func testReloaderWithFRR(t *testing.T, b frrtest.Backend) {
	topo := frrtest.NewTopology(t)
	node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(b), frrtest.WithWatchfrr())
	peer := frrtest.StartFRR(t, topo.Peer, "peer", frrtest.WithBackend(b))
	if err := peer.ApplyConfig(peerConfig); err != nil {
		t.Fatal(err)
	}
	p := startProcess(t, t.TempDir(), node.Env()...)

	writeFile(t, p.volume.config, nodeConfig(t))
	p.signal(t, syscall.SIGHUP)
	p.waitStatus(t, resultSuccess)
	p.waitIdle(t)
	if got := readFile(t, p.volume.lastError); got != "\n" {
		t.Errorf("last-error = %q, want a newline after a success", got)
	}
	running := readFile(t, p.volume.runningConfig)
	for _, want := range []string{"router bgp 64512", "neighbor 192.0.2.2 remote-as 64513", "network 192.0.2.128/26"} {
		if !strings.Contains(running, want) {
			t.Errorf("running-config lacks %q:\n%s", want, running)
		}
	}
	node.WaitEstablished(t, topo.Peer.Addr4().String(), sessionTimeout)
	peer.WaitEstablished(t, topo.Node.Addr4().String(), sessionTimeout)
	waitRoute(t, peer, "192.0.2.128/26")
	waitRoute(t, node, "192.0.2.64/28")
	if strings.Contains(p.out.String(), "s3cret") {
		t.Errorf("the reloader printed a password:\n%s", p.out.String())
	}

	before, err := node.Vtysh("show running-config")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, p.volume.config, nodeConfig(t)+"router bgp 64512\n  neighbor 192.0.2.2 no-such-keyword\n")
	p.signal(t, syscall.SIGHUP)
	p.waitStatus(t, resultFailure)
	p.waitIdle(t)
	lastError := readFile(t, p.volume.lastError)
	if !strings.Contains(lastError, "no-such-keyword") {
		t.Errorf("last-error does not name the bad line:\n%s", lastError)
	}
	after, err := node.Vtysh("show running-config")
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("a rejected config changed the running config:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if got := readFile(t, p.volume.runningConfig); got != running {
		t.Errorf("running-config after the failure differs from the one after the success:\n%s", got)
	}
	if state, err := node.NeighborState(topo.Peer.Addr4().String()); err != nil || state != frrtest.BGPEstablished {
		t.Errorf("session after the rejected reload = %q, %v; want Established", state, err)
	}
	p.terminate(t)
}

// waitRoute waits until inst has prefix in its IPv4 unicast BGP table.
func waitRoute(t *testing.T, inst *frrtest.Instance, prefix string) {
	t.Helper()
	waitRouteIs(t, inst, prefix, true)
}

// waitRouteIs waits until inst's IPv4 unicast BGP table holds prefix, or
// no longer holds it when present is false.
func waitRouteIs(t *testing.T, inst *frrtest.Instance, prefix string, present bool) {
	t.Helper()
	frrtest.WaitFor(t, sessionTimeout, func() (bool, string) {
		routes, err := inst.IPv4Routes()
		if err != nil {
			return false, err.Error()
		}
		return routes[prefix] == present, fmt.Sprintf("%s: route to %s present = %v", inst.Name(), prefix, routes[prefix])
	})
}

// showRunning returns inst's running configuration.
func showRunning(t *testing.T, inst *frrtest.Instance) string {
	t.Helper()
	out, err := inst.Vtysh("show running-config")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
