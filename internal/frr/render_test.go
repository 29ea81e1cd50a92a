package frr

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/frrk8s/frrk8s/internal/golden"
)

// goldenPath is the golden file of the running test.
func goldenPath(t *testing.T) string {
	return filepath.Join("testdata", t.Name()+".golden")
}

// goldenOptions are the render options of every golden.
var goldenOptions = RenderOptions{Hostname: "dummyhostname"}

// stableDir holds the stable-mode goldens, named after their test.
const stableDir = "stable"

// testGolden numbers c in position mode (upstream's numbering, which the
// reference goldens use), renders it and compares the text byte for byte
// with the golden file named after the test, or rewrites the golden under
// -update.
func testGolden(t *testing.T, c *Config) {
	t.Helper()
	golden.Compare(t, goldenPath(t), renderWith(t, c, SeqPosition))
}

// testGoldens is testGolden plus the stable-mode golden
// testdata/stable/<TestName>.golden, which a test checks to list only
// permits before a last deny.
func testGoldens(t *testing.T, c *Config) {
	t.Helper()
	testGolden(t, c)
	got := renderWith(t, c, SeqStable)
	golden.Compare(t, filepath.Join("testdata", stableDir, t.Name()+".golden"), got)
	checkPrefixLists(t, got, SeqStable)
}

// numbered numbers c in position mode and returns it.
func numbered(t *testing.T, c *Config) *Config {
	t.Helper()
	if err := Number(c, SeqPosition); err != nil {
		t.Fatalf("number: %v", err)
	}
	return c
}

// renderWith numbers c in mode and renders it with goldenOptions.
func renderWith(t *testing.T, c *Config, mode SeqMode) string {
	t.Helper()
	if err := Number(c, mode); err != nil {
		t.Fatalf("number: %v", err)
	}
	got, err := Render(c, goldenOptions)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return got
}

// config wraps routers into the configuration used by every golden.
func config(routers ...Router) *Config {
	return &Config{
		LogLevel: "informational",
		Routers:  routers,
	}
}

// v4Neighbor is an IPv4 peer with a numeric remote ASN.
func v4Neighbor(addr, asn string) Neighbor {
	return Neighbor{Family: FamilyIPv4, DisplayName: asn + "@" + addr, ASN: asn, Addr: addr}
}

// v6Neighbor is an IPv6 peer with a numeric remote ASN.
func v6Neighbor(addr, asn string) Neighbor {
	return Neighbor{Family: FamilyIPv6, DisplayName: asn + "@" + addr, ASN: asn, Addr: addr}
}

// singleSession is the router of TestSingleSession: one IPv4 peer on port
// 4567 advertising the router's two networks.
func singleSession() *Config {
	n := v4Neighbor("192.168.1.2", "65001")
	n.Port = new(uint16(4567))
	n.Outgoing.PrefixesV4 = []string{"192.169.1.0/24", "192.170.1.0/22"}
	return config(Router{
		ASN:        65000,
		Neighbors:  []Neighbor{n},
		V4Prefixes: []string{"192.169.1.0/24", "192.170.1.0/22"},
	})
}

// bareSession is one IPv4 peer 192.168.1.2 with nothing advertised.
func bareSession(mutate func(n *Neighbor)) *Config {
	n := v4Neighbor("192.168.1.2", "65001")
	mutate(&n)
	return config(Router{ASN: 65000, Neighbors: []Neighbor{n}})
}

func TestSingleSession(t *testing.T) {
	testGoldens(t, singleSession())
}

func TestSingleSessionExplicitRouterID(t *testing.T) {
	n := v4Neighbor("192.168.1.2", "65001")
	n.Port = new(uint16(4567))
	n.Outgoing.PrefixesV4 = []string{"192.169.1.0/24"}
	testGolden(t, config(Router{
		ASN:        65000,
		RouterID:   "10.10.10.1",
		Neighbors:  []Neighbor{n},
		V4Prefixes: []string{"192.169.1.0/24"},
	}))
}

func TestLogLevelDebugging(t *testing.T) {
	c := config()
	c.LogLevel = LogLevelFor("debug")
	testGolden(t, c)
}

func TestSingleSessionIPv6OnlyNode(t *testing.T) {
	n := v6Neighbor("2001:db8::1", "65001")
	n.Port = new(uint16(179))
	n.Outgoing.PrefixesV6 = []string{"2001:db8:1::/64"}
	testGolden(t, config(Router{
		ASN:        65000,
		RouterID:   "167.62.253.30",
		Neighbors:  []Neighbor{n},
		V6Prefixes: []string{"2001:db8:1::/64"},
	}))
}

func TestSingleSessionWithEBGPMultihop(t *testing.T) {
	c := singleSession()
	n := &c.Routers[0].Neighbors[0]
	n.Port = nil
	n.EBGPMultiHop = true
	testGolden(t, c)
}

func TestSingleSessionWithGracefulRestart(t *testing.T) {
	testGolden(t, bareSession(func(n *Neighbor) { n.GracefulRestart = true }))
}

func TestSingleSessionWithLocalASN(t *testing.T) {
	testGolden(t, bareSession(func(n *Neighbor) { n.LocalASN = 65410 }))
}

func TestSingleSessionWithInternalASN(t *testing.T) {
	c := singleSession()
	c.Routers[0].Neighbors[0].ASN = "internal"
	testGolden(t, c)
}

func TestSingleSessionWithExternalASN(t *testing.T) {
	c := singleSession()
	c.Routers[0].Neighbors[0].ASN = "external"
	testGolden(t, c)
}

func TestSingleSessionWithEBGPMultihopAndExtras(t *testing.T) {
	c := singleSession()
	n := &c.Routers[0].Neighbors[0]
	n.Port = nil
	n.EBGPMultiHop = true
	c.Extra = "# foo\n# baar"
	testGolden(t, c)
}

func TestSingleSessionWithIPv6SingleHop(t *testing.T) {
	n := v6Neighbor("2001:db8::1", "65001")
	n.Outgoing.PrefixesV6 = []string{"2001:db8:abcd::/48"}
	testGolden(t, config(Router{
		ASN:        65000,
		Neighbors:  []Neighbor{n},
		V6Prefixes: []string{"2001:db8:abcd::/48"},
	}))
}

func TestSingleUnnumberedSession(t *testing.T) {
	// An interface peer with family ipv4, as the goldens were generated.
	n := Neighbor{
		Family:      FamilyIPv4,
		DisplayName: "external@net0",
		ASN:         "external",
		Iface:       "net0",
		Port:        new(uint16(4567)),
		Outgoing:    AllowedOut{PrefixesV4: []string{"192.169.1.0/24", "192.170.1.0/22"}},
	}
	testGolden(t, config(Router{
		ASN:        65000,
		Neighbors:  []Neighbor{n},
		V4Prefixes: []string{"192.169.1.0/24", "192.170.1.0/22"},
	}))
}

func TestSingleSessionWithNextHopV4(t *testing.T) {
	c := singleSession()
	c.Routers[0].Neighbors[0].Outgoing.NextHopV4 = "192.168.1.1"
	testGolden(t, c)
}

func TestSingleSessionWithNextHopV6(t *testing.T) {
	n := v6Neighbor("2001:db8::1", "65001")
	n.Outgoing.PrefixesV6 = []string{"2001:db8:abcd::/48"}
	n.Outgoing.NextHopV6 = "2001:db8::2"
	testGoldens(t, config(Router{
		ASN:        65000,
		Neighbors:  []Neighbor{n},
		V6Prefixes: []string{"2001:db8:abcd::/48"},
	}))
}

func TestTwoRoutersTwoNeighbors(t *testing.T) {
	n := v4Neighbor("192.168.1.2", "65001")
	n.Hold = new(int64(80))
	n.Keepalive = new(int64(40))
	n.Connect = new(int64(10))
	// Unsorted on purpose: the renderer prints the allowed list as given.
	n.Outgoing.PrefixesV4 = []string{"192.169.1.0/24", "192.169.1.0/22", "192.170.1.0/22"}
	// Out of name order on purpose: Number sorts property lists by name. The names of two different peers all sit on 192.168.1.2.
	n.Outgoing.PropertyLists = []PropertyList{
		{
			Name:     "65040@192.0.1.23-large:123:456:7892-ip-community-prefixes",
			FW:       "ip",
			Prefixes: []string{"192.0.2.0/24"},
			Set:      "set large-community 123:456:7892 additive",
		},
		{
			Name:     "65001@192.168.1.2-100-ip-localpref-prefixes",
			FW:       "ip",
			Prefixes: []string{"192.0.2.0/24"},
			Set:      "set local-preference 100",
		},
		{
			Name:     "65001@192.168.1.2-150-ip-localpref-prefixes",
			FW:       "ip",
			Prefixes: []string{"192.169.1.0/22"},
			Set:      "set local-preference 150",
		},
		{
			Name:     "65001@192.168.1.2-10:169-ip-community-prefixes",
			FW:       "ip",
			Prefixes: []string{"192.0.2.0/24"},
			Set:      "set community 10:169 additive",
		},
		{
			Name:     "65001@192.168.1.2-10:170-ip-community-prefixes",
			FW:       "ip",
			Prefixes: []string{"192.0.2.0/24", "192.169.1.0/22", "192.170.1.0/22"},
			Set:      "set community 10:170 additive",
		},
		{
			Name:     "65040@192.0.1.23-large:123:456:7890-ipv6-community-prefixes",
			FW:       "ipv6",
			Prefixes: []string{"2001:db8::/64"},
			Set:      "set large-community 123:456:7890 additive",
		},
		{
			Name:     "65040@192.0.1.23-20:200-ipv6-community-prefixes",
			FW:       "ipv6",
			Prefixes: []string{"2001:db8::/64"},
			Set:      "set community 20:200 additive",
		},
	}
	// A neighbor of VRF red whose VRF is left empty, so its names lack -red.
	red := v4Neighbor("192.168.1.3", "65001")
	red.Outgoing.PrefixesV4 = []string{"192.169.1.0/24"}
	testGoldens(t, config(
		Router{
			ASN:        65000,
			Neighbors:  []Neighbor{n},
			V4Prefixes: []string{"192.169.1.0/24", "192.170.1.0/22"},
		},
		Router{
			ASN:        65000,
			VRF:        "red",
			Neighbors:  []Neighbor{red},
			V4Prefixes: []string{"192.169.1.0/24"},
		},
	))
}

// oneV4AndOneV6 is a router with an IPv4 and a multi-hop IPv6 peer.
func oneV4AndOneV6() *Config {
	v4 := v4Neighbor("192.168.1.2", "65001")
	v4.Outgoing.PrefixesV4 = []string{"192.169.1.0/24"}
	v6 := v6Neighbor("2001:db8::1", "65002")
	v6.EBGPMultiHop = true
	v6.Outgoing.PrefixesV6 = []string{"2001:db8:abcd::/48"}
	return config(Router{
		ASN:        65000,
		Neighbors:  []Neighbor{v4, v6},
		V4Prefixes: []string{"192.169.1.0/24"},
		V6Prefixes: []string{"2001:db8:abcd::/48"},
	})
}

func TestMultipleNeighborsOneV4AndOneV6(t *testing.T) {
	c := oneV4AndOneV6()
	c.Routers[0].Neighbors[0].SrcAddr = "192.168.1.50"
	testGolden(t, c)
}

func TestMultipleNeighborsOneV4AndOneV6DualStackIPFamily(t *testing.T) {
	c := oneV4AndOneV6()
	for i := range c.Routers[0].Neighbors {
		c.Routers[0].Neighbors[i].Family = FamilyDual
	}
	testGoldens(t, c)
}

func TestMultipleRoutersMultipleNeighs(t *testing.T) {
	c := oneV4AndOneV6()
	c.Routers[0].Neighbors[0].EBGPMultiHop = true
	// Neighbors of VRF red with an empty VRF; the IPv6 one advertises a
	// prefix its router does not originate.
	v4 := v4Neighbor("192.170.1.2", "65001")
	v4.Outgoing.PrefixesV4 = []string{"192.171.1.0/24"}
	v6 := v6Neighbor("2001:db9::1", "65002")
	v6.EBGPMultiHop = true
	v6.Outgoing.PrefixesV6 = []string{"2001:db8:abcd::/48"}
	c.Routers = append(c.Routers, Router{
		ASN:        65000,
		VRF:        "red",
		Neighbors:  []Neighbor{v4, v6},
		V4Prefixes: []string{"192.171.1.0/24"},
		V6Prefixes: []string{"2001:db9:abcd::/48"},
	})
	testGoldens(t, c)
}

func TestMultipleRoutersImportVRFs(t *testing.T) {
	n := v4Neighbor("192.168.1.2", "65001")
	n.EBGPMultiHop = true
	// Routers in the printed, unsorted VRF order.
	testGolden(t, config(
		Router{
			ASN:        65000,
			Neighbors:  []Neighbor{n},
			V4Prefixes: []string{"192.169.1.0/24"},
			V6Prefixes: []string{"2001:db8:abcd::/48"},
			ImportVRFs: []string{"red"},
		},
		Router{
			ASN:        65000,
			VRF:        "red",
			V4Prefixes: []string{"192.171.1.0/24"},
		},
		Router{
			ASN:        65000,
			VRF:        "blue",
			V4Prefixes: []string{"192.171.1.0/24"},
			V6Prefixes: []string{"2001:db9:abcd::/48"},
			ImportVRFs: []string{"default"},
		},
	))
}

// twoSessions is a router with two IPv4 peers.
func twoSessions(first, second Neighbor) *Config {
	return config(Router{ASN: 65000, Neighbors: []Neighbor{first, second}})
}

func v4Selector(prefix string, le, ge uint32) IncomingFilter {
	return IncomingFilter{Family: FamilyIPv4, Prefix: prefix, LE: le, GE: ge}
}

func v6Selector(prefix string, le, ge uint32) IncomingFilter {
	return IncomingFilter{Family: FamilyIPv6, Prefix: prefix, LE: le, GE: ge}
}

func TestTwoSessionsAcceptAll(t *testing.T) {
	first := v4Neighbor("192.168.1.2", "65001")
	first.Incoming.All = true
	second := v4Neighbor("192.168.1.3", "65001")
	second.Incoming.All = true
	testGoldens(t, twoSessions(first, second))
}

func TestTwoSessionsAcceptSomeV4(t *testing.T) {
	first := v4Neighbor("192.168.1.2", "65001")
	first.Incoming.PrefixesV4 = []IncomingFilter{v4Selector("192.168.1.0/24", 0, 0)}
	second := v4Neighbor("192.168.1.3", "65001")
	second.Incoming.PrefixesV4 = []IncomingFilter{
		v4Selector("192.170.1.0/24", 0, 0),
		v4Selector("192.169.1.0/24", 0, 0),
	}
	testGoldens(t, twoSessions(first, second))
}

func TestTwoSessionsAcceptV4AndV6(t *testing.T) {
	// Every selector, the IPv6 ones included, sits in PrefixesV4 in the
	// printed order; PrefixesV6 stays empty, hence the ipv6 deny any.
	first := v4Neighbor("192.168.1.2", "65001")
	first.Incoming.PrefixesV4 = []IncomingFilter{
		v6Selector("fc00:f853:ccd:e800::/64", 0, 0),
		v4Selector("192.168.1.0/24", 0, 0),
		v4Selector("192.168.2.0/24", 32, 24),
		v4Selector("192.168.3.0/24", 32, 0),
		v4Selector("192.168.3.0/24", 0, 16),
	}
	second := v4Neighbor("192.168.1.3", "65002")
	second.Incoming.PrefixesV4 = []IncomingFilter{
		v6Selector("fc00:f853:ccd:e800::/64", 0, 0),
		v4Selector("192.168.1.0/24", 0, 0),
		v4Selector("192.168.2.0/24", 26, 24),
		v4Selector("192.168.3.0/24", 32, 27),
	}
	third := v4Neighbor("192.168.1.4", "65001")
	third.Incoming.PrefixesV4 = []IncomingFilter{
		v6Selector("fc00:f853:ccd:e799::/64", 0, 0),
		v4Selector("192.169.1.0/24", 0, 0),
		v6Selector("fc00:f853:ccd:e800::/64", 32, 24),
		v6Selector("fc00:f853:ccd:e801::/64", 0, 24),
		v6Selector("fc00:f853:ccd:e802::/64", 32, 0),
	}
	c := twoSessions(first, second)
	c.Routers[0].Neighbors = append(c.Routers[0].Neighbors, third)
	testGoldens(t, c)
}

func TestSingleSessionWithAlwaysBlock(t *testing.T) {
	block := []IncomingFilter{
		v4Selector("192.168.1.0/24", 24, 0),
		v6Selector("fc00:f853:ccd:e800::/64", 64, 0),
	}
	first := v4Neighbor("192.168.1.2", "65001")
	first.Incoming.All = true
	first.AlwaysBlock = block
	second := v4Neighbor("192.168.1.6", "65001")
	second.Incoming.PrefixesV4 = []IncomingFilter{v4Selector("192.168.2.0/24", 0, 0)}
	second.AlwaysBlock = block
	testGoldens(t, twoSessions(first, second))
}

// bfdProfiles are the two profiles of the BFD goldens: one with every
// option set and one with none.
func bfdProfiles() []BFDProfile {
	return []BFDProfile{
		{
			Name:             "test",
			ReceiveInterval:  new(uint32(100)),
			TransmitInterval: new(uint32(200)),
			DetectMultiplier: new(uint32(3)),
			EchoInterval:     new(uint32(25)),
			EchoMode:         true,
			PassiveMode:      true,
			MinimumTTL:       new(uint32(20)),
		},
		{Name: "testdefault"},
	}
}

func TestSingleSessionBFD(t *testing.T) {
	c := bareSession(func(n *Neighbor) { n.BFDProfile = "test" })
	c.BFDProfiles = bfdProfiles()
	testGolden(t, c)
}

func TestTwoRoutersTwoNeighborsBFD(t *testing.T) {
	// The red neighbor has an empty VRF, so its names lack -red.
	red := v4Neighbor("192.168.1.3", "65001")
	red.BFDProfile = "testdefault"
	c := config(
		Router{ASN: 65000, Neighbors: []Neighbor{v4Neighbor("192.168.1.2", "65001")}},
		Router{ASN: 65000, VRF: "red", Neighbors: []Neighbor{red}},
	)
	c.BFDProfiles = bfdProfiles()
	testGolden(t, c)
}

func TestEVPNWithL2VNIs(t *testing.T) {
	n := v4Neighbor("192.168.1.2", "65001")
	n.AddressFamilies = []string{AddressFamilyUnicast, AddressFamilyEVPN}
	n.Outgoing.PrefixesV4 = []string{"192.169.1.0/24"}
	testGolden(t, config(Router{
		ASN:        65000,
		Neighbors:  []Neighbor{n},
		V4Prefixes: []string{"192.169.1.0/24"},
		EVPN: &EVPN{
			AdvertiseVNIs: new(AdvertiseVNIsAll),
			L2VNIs: []L2VNI{
				{VNI: 1000, RD: "65000:1000", ImportRTs: []string{"65000:1000"}, ExportRTs: []string{"65000:1000"}},
				// Nothing to configure: no vni block.
				{VNI: 1001},
			},
		},
	}))
}

// l3VNIRouter is a VRF router with only a layer 3 VNI.
func l3VNIRouter(vrf string, vni uint32, imports, exports []string) Router {
	return Router{
		ASN: 65000,
		VRF: vrf,
		EVPN: &EVPN{L3VNI: &L3VNI{
			VNI:               vni,
			RD:                "65000:" + strconv.FormatUint(uint64(vni), 10),
			ImportRTs:         imports,
			ExportRTs:         exports,
			AdvertisePrefixes: []string{AddressFamilyUnicast},
		}},
	}
}

func TestEVPNWithL3VNI(t *testing.T) {
	testGolden(t, config(l3VNIRouter("red", 3000, []string{"65000:3000"}, []string{"65000:3000"})))
}

func TestEVPNNeighborOnlyEVPN(t *testing.T) {
	n := v4Neighbor("192.168.1.2", "65001")
	n.AddressFamilies = []string{AddressFamilyEVPN}
	testGolden(t, config(Router{
		ASN:       65000,
		Neighbors: []Neighbor{n},
		EVPN:      &EVPN{AdvertiseVNIs: new(AdvertiseVNIsAll), AdvertiseSVI: true},
	}))
}

func TestEVPNFull(t *testing.T) {
	v4 := v4Neighbor("192.168.1.2", "65001")
	v4.AddressFamilies = []string{AddressFamilyUnicast, AddressFamilyEVPN}
	v4.Outgoing.PrefixesV4 = []string{"192.169.1.0/24"}
	v6 := v6Neighbor("2001:db8::1", "65002")
	v6.EBGPMultiHop = true
	v6.AddressFamilies = []string{AddressFamilyEVPN}
	// Routers in the printed, unsorted VRF order.
	testGoldens(t, config(
		Router{
			ASN:        65000,
			Neighbors:  []Neighbor{v4, v6},
			V4Prefixes: []string{"192.169.1.0/24"},
			EVPN: &EVPN{
				AdvertiseVNIs: new(AdvertiseVNIsAll),
				AdvertiseSVI:  true,
				L2VNIs: []L2VNI{
					{VNI: 1000, RD: "65000:1000", ImportRTs: []string{"65000:1000"}, ExportRTs: []string{"65000:1000"}},
					{VNI: 1001, RD: "65000:1001", ImportRTs: []string{"65000:1001", "65000:1099"}, ExportRTs: []string{"65000:1001"}},
				},
			},
		},
		l3VNIRouter("red", 3000, []string{"65000:3000"}, []string{"65000:3000"}),
		l3VNIRouter("blue", 4000, []string{"65000:4000", "65000:4099"}, []string{"65000:4000", "65000:4099"}),
	))
}
