package differential

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runningConfig84 is FRR 8.4's show running-config shape.
const runningConfig84 = `Building configuration...

Current configuration:
!
frr version 8.4.4
frr defaults traditional
hostname diff-node
log stdout informational
service integrated-vtysh-config
!
ip prefix-list 198.51.100.10-allowed-ipv4 seq 1 permit 10.0.1.0/24
ip prefix-list 198.51.100.10-allowed-ipv4 seq 2 permit 10.0.2.0/24
ipv6 prefix-list 198.51.100.10-allowed-ipv6 seq 1 deny any
!
ip nht resolve-via-default
!
router bgp 64512
 no bgp ebgp-requires-policy
 neighbor 198.51.100.10 remote-as 64513
 !
 address-family ipv4 unicast
  network 10.0.1.0/24
  neighbor 198.51.100.10 activate
 exit-address-family
exit
!
router bgp 64512 vrf red
 no bgp ebgp-requires-policy
exit
!
route-map 198.51.100.10-out permit 1
 match ip address prefix-list 198.51.100.10-allowed-ipv4
exit
!
route-map empty permit 5
exit
!
bfd
 profile bfd-a
  receive-interval 100
 exit
 !
 profile bfd-b
 exit
 !
exit
!
end
`

func TestParseRunningConfig(t *testing.T) {
	want := Contexts{
		GlobalContext: {"frr defaults traditional", "ip nht resolve-via-default",
			"log stdout informational", "service integrated-vtysh-config"},
		"ip prefix-list 198.51.100.10-allowed-ipv4": {
			"ip prefix-list 198.51.100.10-allowed-ipv4 seq 1 permit 10.0.1.0/24",
			"ip prefix-list 198.51.100.10-allowed-ipv4 seq 2 permit 10.0.2.0/24",
		},
		"ipv6 prefix-list 198.51.100.10-allowed-ipv6":    {"ipv6 prefix-list 198.51.100.10-allowed-ipv6 seq 1 deny any"},
		"router bgp 64512":                               {"neighbor 198.51.100.10 remote-as 64513", "no bgp ebgp-requires-policy"},
		"router bgp 64512 / address-family ipv4 unicast": {"neighbor 198.51.100.10 activate", "network 10.0.1.0/24"},
		"router bgp 64512 vrf red":                       {"no bgp ebgp-requires-policy"},
		"route-map 198.51.100.10-out permit 1":           {"match ip address prefix-list 198.51.100.10-allowed-ipv4"},
		"route-map empty permit 5":                       nil,
		"bfd":                                            nil,
		"bfd / profile bfd-a":                            {"receive-interval 100"},
		"bfd / profile bfd-b":                            nil,
	}
	if diff := cmp.Diff(want, ParseRunningConfig(runningConfig84)); diff != "" {
		t.Errorf("contexts (-want +got):\n%s", diff)
	}
}

// TestParseRenderedConfig parses an frr.conf as rendered (two-space
// indentation, no exit lines for route-maps, repeated address families).
func TestParseRenderedConfig(t *testing.T) {
	text := `log stdout informational
hostname diff-node

ip prefix-list a seq 1 permit 10.0.0.0/24

route-map a-out permit 1
  match ip address prefix-list a
  set local-preference 100
  on-match next

router bgp 64512
  no bgp default ipv4-unicast

  neighbor 198.51.100.10 remote-as 64513

  address-family ipv4 unicast
    neighbor 198.51.100.10 activate
  exit-address-family
  address-family ipv4 unicast
    network 10.0.0.0/24
  exit-address-family

bfd
  profile p
    detect-multiplier 3
    
`
	want := Contexts{
		GlobalContext:              {"log stdout informational"},
		"ip prefix-list a":         {"ip prefix-list a seq 1 permit 10.0.0.0/24"},
		"route-map a-out permit 1": {"match ip address prefix-list a", "on-match next", "set local-preference 100"},
		"router bgp 64512":         {"neighbor 198.51.100.10 remote-as 64513", "no bgp default ipv4-unicast"},
		"router bgp 64512 / address-family ipv4 unicast": {"neighbor 198.51.100.10 activate", "network 10.0.0.0/24"},
		"bfd":             nil,
		"bfd / profile p": {"detect-multiplier 3"},
	}
	if diff := cmp.Diff(want, ParseRunningConfig(text)); diff != "" {
		t.Errorf("contexts (-want +got):\n%s", diff)
	}
}

// TestParseIgnoresOrder checks that the order of blocks and of lines inside
// them does not matter, and that the volatile lines are dropped.
func TestParseIgnoresOrder(t *testing.T) {
	a := "frr version 8.4.4\nhostname a\nbfd\nexit\nrouter bgp 1 vrf a\n x\n y\nexit\n!\nrouter bgp 1 vrf b\n z\nexit\nip prefix-list l seq 2 deny any\nip prefix-list l seq 1 permit any\nend\n"
	b := "frr version 10.4.3\nhostname b\nip prefix-list l seq 1 permit any\nrouter bgp 1 vrf b\n z\nexit\n!\nrouter bgp 1 vrf a\n y\n x\nexit\nip prefix-list l seq 2 deny any\n"
	if diffs := Diff(ParseRunningConfig(a), ParseRunningConfig(b)); len(diffs) > 0 {
		t.Errorf("reordered configs differ: %v", diffs)
	}
}

func TestDiff(t *testing.T) {
	a := Contexts{
		"same":  {"x"},
		"lines": {"a", "b", "b"},
		"onlyA": {"q"},
	}
	b := Contexts{
		"same":  {"x"},
		"lines": {"b", "c"},
		"onlyB": nil,
	}
	want := []ContextDiff{
		{Key: "lines", OnlyA: []string{"a", "b"}, OnlyB: []string{"c"}},
		{Key: "onlyA", OnlyA: []string{"q"}, MissingB: true},
		{Key: "onlyB", MissingA: true},
	}
	if diff := cmp.Diff(want, Diff(a, b)); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	if got, want := want[0].String(), "context \"lines\":\n  A only: a\n  A only: b\n  B only: c"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestParseReloadTest(t *testing.T) {
	out := `
Lines To Delete
===============
no bfd
no hostname vm
ip prefix-list a seq 2 permit 10.0.2.0/24
router bgp 64512
 address-family ipv4 unicast
  no network 10.0.2.0/24

Lines To Add
============
hostname diff-node
router bgp 64512
 neighbor 198.51.100.11 remote-as 64513
ip prefix-list a seq 3 permit 10.0.3.0/24
`
	want := ReloadTestDiff{
		Delete: []string{"ip prefix-list a seq 2 permit 10.0.2.0/24", "router bgp 64512 / address-family ipv4 unicast / no network 10.0.2.0/24"},
		Add:    []string{"ip prefix-list a seq 3 permit 10.0.3.0/24", "router bgp 64512 / neighbor 198.51.100.11 remote-as 64513"},
	}
	got := ParseReloadTest(out)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got.Empty() {
		t.Error("Empty() on a diff with lines")
	}
	if !ParseReloadTest("").Empty() {
		t.Error("empty output is not an empty diff")
	}
}
