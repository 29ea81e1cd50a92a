package vtysh

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/frr/vtysh/vtyshtest"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

var capture = flag.Bool("capture", false, "regenerate testdata/captured from a real FRR")

// captureNodeConfig gives the node an established eBGP IPv4 session with BFD
// up, an IPv6 session whose BFD stays down (the peer runs none for it;
// FRR 8.4 establishes the session anyway, FRR 10 keeps it Idle), an
// administratively shut neighbor (no traffic) and a second BGP instance in
// VRF red (the kernel has no VRFs, so it stays inactive).
const captureNodeConfig = `frr defaults traditional
hostname %s
bgp route-map delay-timer 1
router bgp 64512
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor 192.0.2.2 remote-as 64513
 neighbor 192.0.2.2 timers connect 1
 neighbor 192.0.2.2 bfd
 neighbor fd00::2 remote-as 64513
 neighbor fd00::2 timers connect 1
 neighbor fd00::2 bfd
 neighbor 192.0.2.9 remote-as 64599
 neighbor 192.0.2.9 shutdown
 address-family ipv4 unicast
  neighbor 192.0.2.2 activate
  network 198.51.100.0/24
 exit-address-family
 address-family ipv6 unicast
  neighbor fd00::2 activate
  network fd00:1::/64
 exit-address-family
exit
router bgp 64512 vrf red
 no bgp ebgp-requires-policy
 neighbor 192.0.2.10 remote-as 64600
 neighbor 192.0.2.10 shutdown
exit
`

const capturePeerConfig = `bgp route-map delay-timer 1
router bgp 64513
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor 192.0.2.1 remote-as 64512
 neighbor 192.0.2.1 timers connect 1
 neighbor 192.0.2.1 bfd
 neighbor fd00::1 remote-as 64512
 neighbor fd00::1 timers connect 1
 address-family ipv4 unicast
  neighbor 192.0.2.1 activate
  network 198.51.100.128/25
  network 203.0.113.0/24
 exit-address-family
 address-family ipv6 unicast
  neighbor fd00::1 activate
  network fd00:2::/64
 exit-address-family
exit
`

// TestCaptureFromFRR regenerates testdata/captured (FRR 8.4) and
// testdata/captured_frr10 (FRR 10) from real FRR when run with -capture; the
// parsing tests read those files.
func TestCaptureFromFRR(t *testing.T) {
	if !*capture {
		t.Skip("run with -capture to regenerate the captured FRR output")
	}
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		// FRR 10 keeps a session whose BFD is down in Idle; FRR 8.4
		// establishes it anyway.
		captureFrom(t, v.Backend, vtyshtest.CapturedDirOf(v.Name), v.Name == vtyshtest.FRR84)
	})
}

func captureFrom(t *testing.T, backend frrtest.Backend, dir string, v6Established bool) {
	topo := frrtest.NewTopology(t)
	node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithWatchfrr(), frrtest.WithBackend(backend))
	peer := frrtest.StartFRR(t, topo.Peer, "peer", frrtest.WithBackend(backend))
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	if err := peer.ApplyConfig(capturePeerConfig); err != nil {
		t.Fatal(err)
	}
	if err := node.ApplyConfig(fmt.Sprintf(captureNodeConfig, host)); err != nil {
		t.Fatal(err)
	}
	node.WaitEstablished(t, "192.0.2.2", time.Minute)
	if v6Established {
		node.WaitEstablished(t, "fd00::2", time.Minute)
	}
	frrtest.WaitFor(t, time.Minute, func() (bool, string) {
		var peers []BFDPeer
		err := node.VtyshJSON("show bfd peers json", &peers)
		return err == nil && len(peers) == 2 && peers[0].Status != "" && countUp(peers) == 1,
			fmt.Sprintf("bfd peers %+v, %v", peers, err)
	})
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for file, command := range vtyshtest.CapturedCommands {
		out, err := node.Vtysh(command)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := node.KillDaemon("bgpd"); err != nil {
		t.Fatal(err)
	}
	out, err := node.Vtysh("show daemons")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "show_daemons_bgpd_killed.txt"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

func countUp(peers []BFDPeer) int {
	n := 0
	for _, p := range peers {
		if p.Up() {
			n++
		}
	}
	return n
}
