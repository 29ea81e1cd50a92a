package v1beta1

// RouteDistinguisher is a BGP route distinguisher "<global>:<local>", where
// the global part is an IPv4 address or a number.
// +kubebuilder:validation:MaxLength=21
// +kubebuilder:validation:XValidation:rule="self.split(':').size() == 2",message="RD must contain exactly one colon"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || (isIP(self.split(':')[0]) || self.split(':')[0].matches('[0-9]+'))",message="RD global administrator must be either an IPv4 address or a number"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || self.split(':')[1].matches('[0-9]+')",message="RD local administrator must be a number"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || !self.split(':')[0].contains('.') || (self.split(':')[1].matches('[0-9]+') && uint(self.split(':')[1]) <= 65535u)",message="RD with IPv4 global administrator must have format A.B.C.D:MN where MN <= 65535"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || self.split(':')[0].contains('.') || !self.split(':')[0].matches('[0-9]+') || !self.split(':')[1].matches('[0-9]+') || uint(self.split(':')[0]) <= 65535u || uint(self.split(':')[1]) <= 65535u",message="RD with 4-byte ASN global administrator must have format GHJK:MN where GHJK <= 4294967295 and MN <= 65535"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || self.split(':')[0].contains('.') || !self.split(':')[0].matches('[0-9]+') || !self.split(':')[1].matches('[0-9]+') || uint(self.split(':')[0]) > 65535u || uint(self.split(':')[1]) <= 4294967295u",message="RD with 2-byte ASN global administrator must have format EF:OPQR where EF <= 65535 and OPQR <= 4294967295"
type RouteDistinguisher string

// ImportRouteTarget is a route target to import, "<global>:<local>", where
// the global part may also be the wildcard "*".
// +kubebuilder:validation:MaxLength=21
// +kubebuilder:validation:XValidation:rule="self.split(':').size() == 2",message="RT must contain exactly one colon"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || (self.startsWith('*:') || isIP(self.split(':')[0]) || self.split(':')[0].matches('[0-9]+'))",message="RT global administrator must be either '*', an IPv4 address, or a number"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || self.split(':')[1].matches('[0-9]+')",message="RT local administrator must be a number"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || !self.startsWith('*:') || (self.split(':')[1].matches('[0-9]+') && uint(self.split(':')[1]) <= 4294967295u)",message="RT with wildcard global administrator must have format *:OPQR where OPQR <= 4294967295"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || !self.split(':')[0].contains('.') || (self.split(':')[1].matches('[0-9]+') && uint(self.split(':')[1]) <= 65535u)",message="RT with IPv4 global administrator must have format A.B.C.D:MN where MN <= 65535"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || self.startsWith('*:') || self.split(':')[0].contains('.') || !self.split(':')[0].matches('[0-9]+') || !self.split(':')[1].matches('[0-9]+') || uint(self.split(':')[0]) <= 65535u || uint(self.split(':')[1]) <= 65535u",message="RT with 4-byte ASN global administrator must have format GHJK:MN where GHJK <= 4294967295 and MN <= 65535"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || self.startsWith('*:') || self.split(':')[0].contains('.') || !self.split(':')[0].matches('[0-9]+') || !self.split(':')[1].matches('[0-9]+') || uint(self.split(':')[0]) > 65535u || uint(self.split(':')[1]) <= 4294967295u",message="RT with 2-byte ASN global administrator must have format EF:OPQR where EF <= 65535 and OPQR <= 4294967295"
type ImportRouteTarget string

// ExportRouteTarget is a route target to export, "<global>:<local>", where
// the global part is an IPv4 address or a number.
// +kubebuilder:validation:MaxLength=21
// +kubebuilder:validation:XValidation:rule="self.split(':').size() == 2",message="RT must contain exactly one colon"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || (isIP(self.split(':')[0]) || self.split(':')[0].matches('[0-9]+'))",message="RT global administrator must be either an IPv4 address or a number"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || self.split(':')[1].matches('[0-9]+')",message="RT local administrator must be a number"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || !self.split(':')[0].contains('.') || (self.split(':')[1].matches('[0-9]+') && uint(self.split(':')[1]) <= 65535u)",message="RT with IPv4 global administrator must have format A.B.C.D:MN where MN <= 65535"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || self.split(':')[0].contains('.') || !self.split(':')[0].matches('[0-9]+') || !self.split(':')[1].matches('[0-9]+') || uint(self.split(':')[0]) <= 65535u || uint(self.split(':')[1]) <= 65535u",message="RT with 4-byte ASN global administrator must have format GHJK:MN where GHJK <= 4294967295 and MN <= 65535"
// +kubebuilder:validation:XValidation:rule="self.split(':').size() != 2 || self.split(':')[0].contains('.') || !self.split(':')[0].matches('[0-9]+') || !self.split(':')[1].matches('[0-9]+') || uint(self.split(':')[0]) > 65535u || uint(self.split(':')[1]) <= 4294967295u",message="RT with 2-byte ASN global administrator must have format EF:OPQR where EF <= 65535 and OPQR <= 4294967295"
type ExportRouteTarget string

// AdvertiseVNIsMode says which VNIs the router advertises.
// +kubebuilder:validation:Enum=Disabled;All
type AdvertiseVNIsMode string

const (
	// AdvertiseVNIsDisabled advertises no VNI automatically.
	AdvertiseVNIsDisabled AdvertiseVNIsMode = "Disabled"
	// AdvertiseVNIsAll advertises every local VNI.
	AdvertiseVNIsAll AdvertiseVNIsMode = "All"
)

// L3VNIAdvertisePrefixes is a family of prefixes advertised as EVPN type-5 routes.
// +kubebuilder:validation:Enum=unicast
type L3VNIAdvertisePrefixes string

const (
	// L3VNIAdvertiseUnicast advertises the IPv4 and IPv6 unicast routes of the VRF.
	L3VNIAdvertiseUnicast L3VNIAdvertisePrefixes = "unicast"
)

// EVPNConfig is the l2vpn evpn configuration of a router.
type EVPNConfig struct {
	// AdvertiseVNIs is All to advertise every local VNI; unset means Disabled.
	// +kubebuilder:validation:Enum=Disabled;All
	// +optional
	AdvertiseVNIs *AdvertiseVNIsMode `json:"advertiseVNIs,omitempty"`

	// AdvertiseSVI advertises the addresses of the switch virtual interfaces.
	// +optional
	AdvertiseSVI bool `json:"advertiseSVI,omitempty"`

	// L2VNIs configures the route distinguisher and targets of layer 2 VNIs.
	// +kubebuilder:validation:MaxItems=10
	// +optional
	L2VNIs []L2VNI `json:"l2vnis,omitempty"`

	// L3VNI is the layer 3 VNI of the router's VRF.
	// +optional
	L3VNI *L3VNI `json:"l3vni,omitempty"`
}

// L2VNI is a layer 2 VXLAN network and its BGP identifiers.
type L2VNI struct {
	// VNI is the VXLAN network identifier.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=16777215
	VNI uint32 `json:"vni"`

	// RD is the route distinguisher; empty lets FRR choose.
	// +optional
	RD RouteDistinguisher `json:"rd,omitempty"`

	// ImportRTs are the route targets to import.
	// +kubebuilder:validation:MaxItems=100
	// +optional
	ImportRTs []ImportRouteTarget `json:"importRTs,omitempty"`

	// ExportRTs are the route targets to export.
	// +kubebuilder:validation:MaxItems=100
	// +optional
	ExportRTs []ExportRouteTarget `json:"exportRTs,omitempty"`
}

// L3VNI is the layer 3 VXLAN network of a VRF and its BGP identifiers.
type L3VNI struct {
	// VNI is the VXLAN network identifier.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=16777215
	VNI uint32 `json:"vni"`

	// RD is the route distinguisher; empty lets FRR choose.
	// +optional
	RD RouteDistinguisher `json:"rd,omitempty"`

	// ImportRTs are the route targets to import.
	// +kubebuilder:validation:MaxItems=100
	// +optional
	ImportRTs []ImportRouteTarget `json:"importRTs,omitempty"`

	// ExportRTs are the route targets to export.
	// +kubebuilder:validation:MaxItems=100
	// +optional
	ExportRTs []ExportRouteTarget `json:"exportRTs,omitempty"`

	// AdvertisePrefixes lists the route families advertised as type-5 routes.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=1
	AdvertisePrefixes []L3VNIAdvertisePrefixes `json:"advertisePrefixes"`
}
