package frr

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLogLevelFor(t *testing.T) {
	for level, want := range map[string]string{
		"all":     "debugging",
		"debug":   "debugging",
		"info":    "informational",
		"warn":    "warnings",
		"error":   "errors",
		"none":    "emergencies",
		"":        "informational",
		"verbose": "informational",
		"DEBUG":   "informational",
	} {
		if got := LogLevelFor(level); got != want {
			t.Errorf("LogLevelFor(%q) = %q, want %q", level, got, want)
		}
	}
}

func TestRenderNilConfig(t *testing.T) {
	if _, err := Render(nil, RenderOptions{}); err == nil {
		t.Fatal("Render(nil) succeeded, want an error")
	}
}

func TestRenderIsRepeatable(t *testing.T) {
	c := singleSession()
	first := renderWith(t, c, SeqPosition)
	second, err := Render(c, goldenOptions)
	if err != nil {
		t.Fatalf("second render: %v", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second render differs (-first +second):\n%s", diff)
	}
}

func TestRenderNeedsNumbering(t *testing.T) {
	_, err := Render(singleSession(), goldenOptions)
	if err == nil || !strings.Contains(err.Error(), "192.168.1.2 is not numbered") {
		t.Fatalf("Render of an unnumbered model: error = %v, want one naming the neighbor", err)
	}
	// Without neighbors there is nothing to number.
	if _, err := Render(config(Router{ASN: 65000}), goldenOptions); err != nil {
		t.Fatalf("Render of a router without neighbors: %v", err)
	}
}

func TestRenderOptionsLeaveModelUntouched(t *testing.T) {
	c := config(Router{ASN: 65000}, Router{ASN: 65000, VRF: "red", RouterID: "192.0.2.9"})
	want := config(Router{ASN: 65000}, Router{ASN: 65000, VRF: "red", RouterID: "192.0.2.9"})
	out, err := Render(c, RenderOptions{Hostname: "node-a", FallbackRouterID: "167.62.253.30"})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"hostname node-a\n",
		"router bgp 65000\n  no bgp ebgp-requires-policy\n  no bgp network import-check\n  no bgp default ipv4-unicast\n  bgp graceful-restart preserve-fw-state\n\n  bgp router-id 167.62.253.30\n",
		"router bgp 65000 vrf red\n  no bgp ebgp-requires-policy\n  no bgp network import-check\n  no bgp default ipv4-unicast\n  bgp graceful-restart preserve-fw-state\n\n  bgp router-id 192.0.2.9\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Render modified the model (-want +got):\n%s", diff)
	}
}

func TestRenderDoesNotReorderModel(t *testing.T) {
	lists := []PropertyList{
		{Name: "b", FW: "ip", Prefixes: []string{"192.0.2.0/24"}, Set: "set local-preference 1"},
		{Name: "a", FW: "ip", Prefixes: []string{"192.0.2.0/24"}, Set: "set local-preference 2"},
	}
	c := bareSession(func(n *Neighbor) {
		n.Outgoing.PropertyLists = lists
		n.Outgoing.PrefixesV4 = []string{"198.51.100.0/24", "192.0.2.0/24"}
	})
	out := renderWith(t, c, SeqPosition)
	if got := c.Routers[0].Neighbors[0].Outgoing.PropertyLists; got[0].Name != "b" {
		t.Errorf("property lists were reordered in the model: %v", got)
	}
	if strings.Index(out, "prefix-list a ") > strings.Index(out, "prefix-list b ") {
		t.Errorf("property list a not printed before b:\n%s", out)
	}
	if !strings.Contains(out, "192.168.1.2-allowed-ipv4 seq 1 permit 198.51.100.0/24\n") {
		t.Errorf("allowed prefixes were sorted:\n%s", out)
	}
}

func TestRenderZeroPointersAreSet(t *testing.T) {
	c := bareSession(func(n *Neighbor) {
		n.Port = new(uint16(0))
		n.Hold = new(int64(0))
		n.Keepalive = new(int64(0))
		n.Connect = new(int64(0))
	})
	out := renderWith(t, c, SeqPosition)
	for _, line := range []string{
		"  neighbor 192.168.1.2 port 0\n",
		"  \n  neighbor 192.168.1.2 timers 0 0\n",
		"  neighbor 192.168.1.2 timers connect 0\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
}

func TestRenderTimersNeedHoldAndKeepalive(t *testing.T) {
	c := bareSession(func(n *Neighbor) { n.Hold = new(int64(90)) })
	out := renderWith(t, c, SeqPosition)
	if strings.Contains(out, "timers") {
		t.Errorf("timers printed with only the hold time set:\n%s", out)
	}
}

func TestRenderNeighborVRFSuffixesNames(t *testing.T) {
	n := v4Neighbor("192.168.1.3", "65001")
	n.VRF = "red"
	out := renderWith(t, config(Router{ASN: 65000, VRF: "red", Neighbors: []Neighbor{n}}), SeqPosition)
	for _, s := range []string{
		"ip prefix-list 192.168.1.3-red-allowed-ipv4 seq 1 deny any\n",
		"ip prefix-list 192.168.1.3-red-inpl-ipv4 seq 1 deny any\n",
		"route-map 192.168.1.3-red-out permit 1\n",
		"route-map 192.168.1.3-red-in permit 4\n",
		"  neighbor 192.168.1.3 remote-as 65001\n",
		"    neighbor 192.168.1.3 route-map 192.168.1.3-red-in in\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestRenderPasswordAndUnnumberedIPv6(t *testing.T) {
	n := Neighbor{Family: FamilyIPv6, ASN: "internal", Iface: "eth1", Password: "s3cret"}
	out, err := Render(numbered(t, config(Router{ASN: 65000, Neighbors: []Neighbor{n}})), goldenOptions)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	for _, s := range []string{
		"  neighbor eth1 interface remote-as internal\n",
		"  neighbor eth1 password s3cret\n",
		// Printed with the (empty) address, not the interface.
		"  neighbor  disable-connected-check\n",
		"  address-family ipv6 unicast\n    neighbor eth1 activate\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestDisableConnectedCheck(t *testing.T) {
	tests := []struct {
		name string
		n    Neighbor
		want bool
	}{
		{"ebgp ipv6", Neighbor{Family: FamilyIPv6, ASN: "65001"}, true},
		{"ibgp ipv6", Neighbor{Family: FamilyIPv6, ASN: "65000"}, false},
		{"internal ipv6", Neighbor{Family: FamilyIPv6, ASN: "internal"}, false},
		{"external ipv6", Neighbor{Family: FamilyIPv6, ASN: "external"}, true},
		{"internal unnumbered", Neighbor{Family: FamilyIPv6, ASN: "internal", Iface: "eth0"}, true},
		{"multihop", Neighbor{Family: FamilyIPv6, ASN: "65001", EBGPMultiHop: true}, false},
		{"ipv4", Neighbor{Family: FamilyIPv4, ASN: "65001"}, false},
		{"dual", Neighbor{Family: FamilyDual, ASN: "65001"}, false},
	}
	for _, tc := range tests {
		if got := disableConnectedCheck(&tc.n, 65000); got != tc.want {
			t.Errorf("%s: disableConnectedCheck = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestUnicastFamilies(t *testing.T) {
	tests := []struct {
		name string
		n    Neighbor
		want []string
	}{
		{"ipv4", Neighbor{Family: FamilyIPv4}, []string{"ipv4"}},
		{"ipv6", Neighbor{Family: FamilyIPv6}, []string{"ipv6"}},
		{"dual", Neighbor{Family: FamilyDual}, []string{"ipv4", "ipv6"}},
		{"unicast and evpn", Neighbor{Family: FamilyIPv4, AddressFamilies: []string{"unicast", "evpn"}}, []string{"ipv4"}},
		{"evpn only", Neighbor{Family: FamilyDual, AddressFamilies: []string{"evpn"}}, nil},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, unicastFamilies(&tc.n)); diff != "" {
			t.Errorf("%s: unicastFamilies (-want +got):\n%s", tc.name, diff)
		}
	}
}
