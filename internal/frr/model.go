// Package frr owns the FRR side of frr-k8s: the render model, the frr.conf
// templates and the hand-off to the reloader. It imports no Kubernetes
// packages; the controller converts API objects into this model.
package frr

// Address families and other words the renderer compares against.
const (
	// FamilyIPv4 marks an IPv4-only neighbor or selector.
	FamilyIPv4 = "ipv4"
	// FamilyIPv6 marks an IPv6-only neighbor or selector.
	FamilyIPv6 = "ipv6"
	// FamilyDual marks a neighbor activated in both unicast families.
	FamilyDual = "dual"

	// AddressFamilyUnicast is the addressFamilies entry for unicast sessions.
	AddressFamilyUnicast = "unicast"
	// AddressFamilyEVPN is the addressFamilies entry for l2vpn evpn sessions.
	AddressFamilyEVPN = "evpn"

	// AdvertiseVNIsAll enables advertise-all-vni.
	AdvertiseVNIsAll = "All"
)

// Config is the fully merged and sorted configuration of one node. The
// renderer prints it as given and never modifies it; the node's hostname
// and fallback router-id are RenderOptions.
type Config struct {
	// LogLevel is FRR's log level word (debugging, informational, ...).
	LogLevel string
	// Routers holds one router per VRF, in output order.
	Routers []Router
	// BFDProfiles holds every BFD profile, in output order.
	BFDProfiles []BFDProfile
	// Extra is raw configuration appended verbatim at the end.
	Extra string
}

// Router is one "router bgp" block.
type Router struct {
	// ASN is the local autonomous system number.
	ASN uint32
	// RouterID is the optional BGP router-id.
	RouterID string
	// VRF is the router's VRF, empty for the default VRF.
	VRF string
	// Neighbors are the router's BGP peers, in output order.
	Neighbors []Neighbor
	// V4Prefixes are the IPv4 networks the router originates.
	V4Prefixes []string
	// V6Prefixes are the IPv6 networks the router originates.
	V6Prefixes []string
	// ImportVRFs are the VRFs whose routes are leaked into this router.
	ImportVRFs []string
	// EVPN is the l2vpn evpn configuration, nil when absent.
	EVPN *EVPN
}

// Neighbor is one BGP peer with its filters.
type Neighbor struct {
	// Family is ipv4, ipv6 or dual.
	Family string
	// DisplayName is <asn>@<address or interface>, used in error texts.
	DisplayName string
	// ASN is the decimal remote ASN, or "internal"/"external".
	ASN string
	// SrcAddr is the update-source address or interface.
	SrcAddr string
	// Addr is the peer address, empty for unnumbered peers.
	Addr string
	// Iface is the interface of an unnumbered peer.
	Iface string
	// Port is the peer TCP port, nil when unset.
	Port *uint16
	// Hold is the hold time in seconds, nil when unset.
	Hold *int64
	// Keepalive is the keepalive interval in seconds, nil when unset.
	Keepalive *int64
	// Connect is the connect retry time in seconds, nil when unset.
	Connect *int64
	// Password is the cleartext TCP MD5 password.
	Password string
	// BFDProfile names the BFD profile of the session, empty for no BFD.
	BFDProfile string
	// GracefulRestart enables graceful restart for the peer.
	GracefulRestart bool
	// EBGPMultiHop allows multi-hop eBGP sessions.
	EBGPMultiHop bool
	// LocalASN overrides the local ASN presented to the peer when non-zero.
	LocalASN uint32
	// VRF is the VRF the neighbor lives in; it suffixes filter names.
	VRF string
	// Outgoing describes what is advertised to the peer.
	Outgoing AllowedOut
	// Incoming describes what is accepted from the peer.
	Incoming AllowedIn
	// AlwaysBlock lists prefixes that are always rejected from the peer.
	AlwaysBlock []IncomingFilter
	// AddressFamilies lists the activated families (unicast, evpn); empty means unicast.
	AddressFamilies []string
	// Filters are the numbered prefix-list and route-map entries derived
	// from the policy fields above by Number, which must run after any
	// change to them; Render prints them and fails when they are nil.
	Filters *Filters
}

// ID returns the neighbor ID that names its prefix lists and route-maps.
func (n *Neighbor) ID() string {
	id := n.Peer()
	if n.VRF != "" {
		id += "-" + n.VRF
	}
	return id
}

// Peer returns the interface for unnumbered peers and the address otherwise.
func (n *Neighbor) Peer() string {
	if n.Iface != "" {
		return n.Iface
	}
	return n.Addr
}

// AllowedOut is the outgoing policy of a neighbor.
type AllowedOut struct {
	// PrefixesV4 are the IPv4 prefixes advertised to the peer.
	PrefixesV4 []string
	// PrefixesV6 are the IPv6 prefixes advertised to the peer.
	PrefixesV6 []string
	// NextHopV4 overrides the IPv4 next hop when set.
	NextHopV4 string
	// NextHopV6 overrides the IPv6 global next hop when set.
	NextHopV6 string
	// PropertyLists are the local-preference and community lists.
	PropertyLists []PropertyList
}

// PropertyList is a prefix list plus the set statement of its route-map entry.
type PropertyList struct {
	// Name is the final prefix-list name.
	Name string
	// FW is the family word, "ip" or "ipv6".
	FW string
	// Prefixes are the prefixes the property applies to.
	Prefixes []string
	// Set is the route-map set statement, e.g. "set local-preference 100".
	Set string
}

// AllowedIn is the incoming policy of a neighbor.
type AllowedIn struct {
	// All accepts every prefix from the peer.
	All bool
	// PrefixesV4 are the IPv4 selectors of accepted prefixes.
	PrefixesV4 []IncomingFilter
	// PrefixesV6 are the IPv6 selectors of accepted prefixes.
	PrefixesV6 []IncomingFilter
}

// IncomingFilter selects prefixes by network and mask length bounds.
type IncomingFilter struct {
	// Family is ipv4 or ipv6.
	Family string
	// Prefix is the network as written by the user.
	Prefix string
	// LE is the upper mask length bound, 0 when unset.
	LE uint32
	// GE is the lower mask length bound, 0 when unset.
	GE uint32
}

// BFDProfile is one "profile" block under "bfd".
type BFDProfile struct {
	// Name identifies the profile.
	Name string
	// ReceiveInterval is the minimum receive interval in milliseconds.
	ReceiveInterval *uint32
	// TransmitInterval is the minimum transmit interval in milliseconds.
	TransmitInterval *uint32
	// DetectMultiplier is the detection time multiplier.
	DetectMultiplier *uint32
	// EchoInterval is the echo transmit and receive interval in milliseconds.
	EchoInterval *uint32
	// EchoMode enables echo packets.
	EchoMode bool
	// PassiveMode makes the session wait for the peer.
	PassiveMode bool
	// MinimumTTL is the minimum accepted TTL for multi-hop sessions.
	MinimumTTL *uint32
}

// EVPN is the l2vpn evpn part of a router.
type EVPN struct {
	// AdvertiseVNIs is "All" to advertise every VNI, nil when unset.
	AdvertiseVNIs *string
	// AdvertiseSVI advertises SVI addresses.
	AdvertiseSVI bool
	// L2VNIs are the layer 2 VNIs, sorted by VNI.
	L2VNIs []L2VNI
	// L3VNI is the layer 3 VNI of a VRF router, nil when absent.
	L3VNI *L3VNI
}

// L2VNI is one layer 2 VNI with its route distinguisher and targets.
type L2VNI struct {
	// VNI is the VXLAN network identifier.
	VNI uint32
	// RD is the route distinguisher, empty for automatic.
	RD string
	// ImportRTs are the import route targets.
	ImportRTs []string
	// ExportRTs are the export route targets.
	ExportRTs []string
}

// L3VNI is the layer 3 VNI of a VRF.
type L3VNI struct {
	// VNI is the VXLAN network identifier.
	VNI uint32
	// RD is the route distinguisher, empty for automatic.
	RD string
	// ImportRTs are the import route targets.
	ImportRTs []string
	// ExportRTs are the export route targets.
	ExportRTs []string
	// AdvertisePrefixes lists what to advertise as type-5 routes ("unicast").
	AdvertisePrefixes []string
}
