package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FRRConfigurationSpec is the part of a node's FRR configuration that one
// FRRConfiguration contributes. Configs selecting the same node are merged.
type FRRConfigurationSpec struct {
	// BGP holds the BGP routers and BFD profiles of this config.
	// +optional
	BGP BGPConfig `json:"bgp,omitempty"`

	// Raw is FRR text appended verbatim to the rendered configuration.
	// Unsupported and meant for experiments only.
	// +optional
	Raw RawConfig `json:"raw,omitempty"`

	// NodeSelector chooses the nodes this config applies to; empty selects every node.
	// +optional
	NodeSelector metav1.LabelSelector `json:"nodeSelector,omitempty"`
}

// RawConfig is a fragment of FRR configuration text with a priority.
type RawConfig struct {
	// Priority orders raw fragments of several configs; lower values come first.
	Priority int `json:"priority,omitempty"`

	// Config is the FRR text, copied as is.
	Config string `json:"rawConfig,omitempty"`
}

// BGPConfig groups the BGP routers and the BFD profiles they may reference.
type BGPConfig struct {
	// Routers are the BGP routers, at most one per VRF after merging.
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Routers []Router `json:"routers,omitempty"`

	// BFDProfiles are BFD settings that neighbors of this config can refer to by name.
	// +optional
	BFDProfiles []BFDProfile `json:"bfdProfiles,omitempty"`
}

// Router is a BGP router in one VRF.
type Router struct {
	// ASN is the router's local autonomous system number.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4294967295
	// +kubebuilder:validation:Format=int64
	ASN uint32 `json:"asn"`

	// ID is the BGP router-id.
	// +optional
	ID string `json:"id,omitempty"`

	// VRF is the VRF of the router; empty means the default VRF.
	// +optional
	VRF string `json:"vrf,omitempty"`

	// Neighbors are the BGP peers of the router.
	// +optional
	Neighbors []Neighbor `json:"neighbors,omitempty"`

	// Prefixes are the networks the router originates.
	// +optional
	Prefixes []string `json:"prefixes,omitempty"`

	// Imports lists VRFs whose routes are leaked into this router.
	// +optional
	Imports []Import `json:"imports,omitempty"`

	// EVPN configures the l2vpn evpn address family of the router.
	// +optional
	EVPN *EVPNConfig `json:"evpn,omitempty"`
}

// Import names a VRF to import routes from.
type Import struct {
	// VRF is the name of the VRF; "default" means the default VRF.
	// +optional
	VRF string `json:"vrf,omitempty"`
}

// DynamicASNMode selects an ASN for the peer by session type instead of number.
type DynamicASNMode string

const (
	// InternalASNMode peers with any neighbor in the router's own AS.
	InternalASNMode DynamicASNMode = "internal"
	// ExternalASNMode peers with any neighbor in a different AS.
	ExternalASNMode DynamicASNMode = "external"
)

// AddressFamily is a BGP address family a neighbor is activated in.
// +kubebuilder:validation:Enum=unicast;evpn
type AddressFamily string

const (
	// UnicastFamily activates the IPv4 and/or IPv6 unicast families.
	UnicastFamily AddressFamily = "unicast"
	// EVPNFamily activates the l2vpn evpn family.
	EVPNFamily AddressFamily = "evpn"
)

// Neighbor is a BGP peer of a router.
type Neighbor struct {
	// ASN is the peer's AS number. Exactly one of ASN and DynamicASN must be set.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4294967295
	// +kubebuilder:validation:Format=int64
	// +optional
	ASN uint32 `json:"asn,omitempty"`

	// DynamicASN accepts the peer's AS by session type: internal or external.
	// +kubebuilder:validation:Enum=internal;external
	// +optional
	DynamicASN DynamicASNMode `json:"dynamicASN,omitempty"`

	// LocalASN is the AS number presented to this peer instead of the router's.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=4294967295
	// +kubebuilder:validation:Format=int64
	// +optional
	LocalASN uint32 `json:"localASN,omitempty"`

	// SourceAddress is the address or interface sessions are opened from.
	// +optional
	SourceAddress string `json:"sourceaddress,omitempty"`

	// Address is the peer's IP address. Exactly one of Address and Interface must be set.
	// +optional
	Address string `json:"address,omitempty"`

	// Interface is the host interface of an unnumbered peer.
	// +optional
	Interface string `json:"interface,omitempty"`

	// Port is the peer's BGP port; unset means 179.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=16384
	// +optional
	Port *uint16 `json:"port,omitempty"`

	// Password is the cleartext TCP MD5 password of the session.
	// +optional
	Password string `json:"password,omitempty"`

	// PasswordSecret references a basic-auth Secret in the frr-k8s namespace
	// whose "password" key holds the session password.
	// +optional
	PasswordSecret SecretReference `json:"passwordSecret,omitempty"`

	// HoldTime is the BGP hold time; set together with KeepaliveTime.
	// +optional
	HoldTime *metav1.Duration `json:"holdTime,omitempty"`

	// KeepaliveTime is the BGP keepalive interval; set together with HoldTime.
	// +optional
	KeepaliveTime *metav1.Duration `json:"keepaliveTime,omitempty"`

	// ConnectTime is how long to wait between connection attempts.
	// +kubebuilder:validation:XValidation:message="connect time should be between 1 seconds to 65535",rule="duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535"
	// +kubebuilder:validation:XValidation:message="connect time should contain a whole number of seconds",rule="duration(self).getMilliseconds() % 1000 == 0"
	// +optional
	ConnectTime *metav1.Duration `json:"connectTime,omitempty"`

	// EBGPMultiHop allows eBGP peers that are more than one hop away.
	// +optional
	EBGPMultiHop bool `json:"ebgpMultiHop,omitempty"`

	// BFDProfile names a BFD profile of the same config and enables BFD for the session.
	// +optional
	BFDProfile string `json:"bfdProfile,omitempty"`

	// EnableGracefulRestart turns on BGP graceful restart for the session.
	// +optional
	EnableGracefulRestart bool `json:"enableGracefulRestart,omitempty"`

	// ToAdvertise is what the router sends to the peer.
	// +optional
	ToAdvertise Advertise `json:"toAdvertise,omitempty"`

	// ToReceive is what the router accepts from the peer.
	// +optional
	ToReceive Receive `json:"toReceive,omitempty"`

	// DisableMP is deprecated and ignored.
	// +kubebuilder:default:=false
	// +optional
	DisableMP bool `json:"disableMP,omitempty"`

	// DualStackAddressFamily activates both the IPv4 and the IPv6 unicast
	// families on the session, whatever the peer address family.
	// +kubebuilder:default:=false
	// +optional
	DualStackAddressFamily bool `json:"dualStackAddressFamily,omitempty"`

	// AddressFamilies lists the families activated on the session.
	// +kubebuilder:validation:MaxItems=2
	// +kubebuilder:default:={unicast}
	// +optional
	AddressFamilies []AddressFamily `json:"addressFamilies,omitempty"`
}

// SecretReference points at a Secret by name; the namespace is ignored.
// +structType=atomic
type SecretReference struct {
	// Name is the Secret's name.
	// +optional
	Name string `json:"name,omitempty"`

	// Namespace is accepted for compatibility and ignored: the Secret is read
	// from the frr-k8s namespace.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// Advertise describes the prefixes sent to a neighbor and their attributes.
type Advertise struct {
	// Allowed selects the prefixes advertised to the neighbor.
	// +optional
	Allowed AllowedOutPrefixes `json:"allowed,omitempty"`

	// PrefixesWithLocalPref sets a local preference on some advertised prefixes.
	// +optional
	PrefixesWithLocalPref []LocalPrefPrefixes `json:"withLocalPref,omitempty"`

	// PrefixesWithCommunity attaches communities to some advertised prefixes.
	// +optional
	PrefixesWithCommunity []CommunityPrefixes `json:"withCommunity,omitempty"`

	// NextHop overrides the next hop of the advertised routes per family.
	// +optional
	NextHop NextHop `json:"nextHop,omitempty"`
}

// NextHop holds the next hop addresses to set on advertised routes.
type NextHop struct {
	// IPv4 is the next hop of IPv4 routes.
	// +kubebuilder:validation:Format=ipv4
	// +optional
	IPv4 string `json:"ipv4,omitempty"`

	// IPv6 is the global next hop of IPv6 routes.
	// +kubebuilder:validation:Format=ipv6
	// +optional
	IPv6 string `json:"ipv6,omitempty"`
}

// Receive describes the prefixes accepted from a neighbor.
type Receive struct {
	// Allowed selects the prefixes accepted from the neighbor.
	// +optional
	Allowed AllowedInPrefixes `json:"allowed,omitempty"`
}

// PrefixSelector matches a network and, optionally, a range of mask lengths.
type PrefixSelector struct {
	// Prefix is the network to match.
	// +kubebuilder:validation:Format=cidr
	// +optional
	Prefix string `json:"prefix,omitempty"`

	// LE is the longest accepted mask length.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=128
	// +optional
	LE uint32 `json:"le,omitempty"`

	// GE is the shortest accepted mask length.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=128
	// +optional
	GE uint32 `json:"ge,omitempty"`
}

// AllowedInPrefixes selects the prefixes accepted from a neighbor.
type AllowedInPrefixes struct {
	// Prefixes are the accepted networks when Mode is filtered.
	// +optional
	Prefixes []PrefixSelector `json:"prefixes,omitempty"`

	// Mode is all to accept everything, or filtered to accept only Prefixes.
	// +kubebuilder:default:=filtered
	// +optional
	Mode AllowMode `json:"mode,omitempty"`
}

// AllowedOutPrefixes selects the prefixes advertised to a neighbor.
type AllowedOutPrefixes struct {
	// Prefixes are the advertised networks when Mode is filtered; each must be
	// a prefix of the router or of an imported VRF.
	// +optional
	Prefixes []string `json:"prefixes,omitempty"`

	// Mode is all to advertise every router prefix, or filtered to advertise only Prefixes.
	// +kubebuilder:default:=filtered
	// +optional
	Mode AllowMode `json:"mode,omitempty"`
}

// LocalPrefPrefixes sets one local preference on a set of advertised prefixes.
type LocalPrefPrefixes struct {
	// Prefixes are the advertised prefixes that get the local preference.
	// +kubebuilder:validation:Format=cidr
	// +kubebuilder:validation:MinItems=1
	// +optional
	Prefixes []string `json:"prefixes,omitempty"`

	// LocalPref is the BGP local preference value.
	// +optional
	LocalPref uint32 `json:"localPref,omitempty"`
}

// CommunityPrefixes attaches one community to a set of advertised prefixes.
type CommunityPrefixes struct {
	// Prefixes are the advertised prefixes that carry the community.
	// +kubebuilder:validation:Format=cidr
	// +kubebuilder:validation:MinItems=1
	// +optional
	Prefixes []string `json:"prefixes,omitempty"`

	// Community is a standard community "A:B" or a large one "large:A:B:C".
	// +optional
	Community string `json:"community,omitempty"`
}

// BFDProfile is a named set of BFD session parameters.
type BFDProfile struct {
	// Name identifies the profile within its config.
	Name string `json:"name"`

	// ReceiveInterval is the minimum interval between received control
	// packets, in milliseconds.
	// +kubebuilder:validation:Maximum=60000
	// +kubebuilder:validation:Minimum=10
	// +optional
	ReceiveInterval *uint32 `json:"receiveInterval,omitempty"`

	// TransmitInterval is the minimum interval between sent control packets,
	// in milliseconds.
	// +kubebuilder:validation:Maximum=60000
	// +kubebuilder:validation:Minimum=10
	// +optional
	TransmitInterval *uint32 `json:"transmitInterval,omitempty"`

	// DetectMultiplier is how many lost packets declare the session down.
	// +kubebuilder:validation:Maximum=255
	// +kubebuilder:validation:Minimum=2
	// +optional
	DetectMultiplier *uint32 `json:"detectMultiplier,omitempty"`

	// EchoInterval is the echo packet interval, in milliseconds.
	// +kubebuilder:validation:Maximum=60000
	// +kubebuilder:validation:Minimum=10
	// +optional
	EchoInterval *uint32 `json:"echoInterval,omitempty"`

	// EchoMode enables echo packets.
	// +optional
	EchoMode *bool `json:"echoMode,omitempty"`

	// PassiveMode makes the session wait for the peer's first packet.
	// +optional
	PassiveMode *bool `json:"passiveMode,omitempty"`

	// MinimumTTL is the lowest TTL accepted on multi-hop sessions.
	// +kubebuilder:validation:Maximum=254
	// +kubebuilder:validation:Minimum=1
	// +optional
	MinimumTTL *uint32 `json:"minimumTtl,omitempty"`
}

// AllowMode says whether all prefixes or only listed ones pass a filter.
// +kubebuilder:validation:Enum=all;filtered
type AllowMode string

const (
	// AllowAll lets every prefix pass.
	AllowAll AllowMode = "all"
	// AllowRestricted lets only the listed prefixes pass.
	AllowRestricted AllowMode = "filtered"
)

// FRRConfigurationStatus is intentionally empty; node results live in FRRNodeState.
type FRRConfigurationStatus struct{}

// FRRConfiguration is a piece of FRR configuration for the nodes its
// nodeSelector matches.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
type FRRConfiguration struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired configuration.
	Spec FRRConfigurationSpec `json:"spec,omitempty"`
	// Status is unused.
	Status FRRConfigurationStatus `json:"status,omitempty"`
}

// FRRConfigurationList is a list of FRRConfiguration.
// +kubebuilder:object:root=true
type FRRConfigurationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the listed configurations.
	Items []FRRConfiguration `json:"items"`
}

func init() {
	SchemeBuilder.Register(&FRRConfiguration{}, &FRRConfigurationList{})
}
