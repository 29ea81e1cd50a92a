package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels frr-status puts on every BGPSessionState.
const (
	// SessionStateNodeLabel holds the node name.
	SessionStateNodeLabel = "frrk8s.metallb.io/node"
	// SessionStatePeerLabel holds the peer address or interface.
	SessionStatePeerLabel = "frrk8s.metallb.io/peer"
	// SessionStateVRFLabel holds the VRF name, empty for the default VRF.
	SessionStateVRFLabel = "frrk8s.metallb.io/vrf"
)

// BGPSessionStateSpec is empty: the object only reports.
type BGPSessionStateSpec struct{}

// BGPSessionStateStatus is the state of one BGP session as FRR sees it.
type BGPSessionStateStatus struct {
	// BGPStatus is the BGP finite state machine state, e.g. Established.
	// +optional
	BGPStatus string `json:"bgpStatus,omitempty"`
	// BFDStatus is the BFD session state, or N/A when the session has no BFD.
	// +optional
	BFDStatus string `json:"bfdStatus,omitempty"`
	// Node is the node the session runs on.
	// +optional
	Node string `json:"node,omitempty"`
	// Peer is the neighbor address (IPv6 expanded with dashes) or interface.
	// +optional
	Peer string `json:"peer,omitempty"`
	// VRF is the session's VRF, empty for the default VRF.
	// +optional
	VRF string `json:"vrf,omitempty"`
}

// BGPSessionState reports one BGP session of one node.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Node",type=string,JSONPath=`.status.node`
// +kubebuilder:printcolumn:name="Peer",type=string,JSONPath=`.status.peer`
// +kubebuilder:printcolumn:name="VRF",type=string,JSONPath=`.status.vrf`
// +kubebuilder:printcolumn:name="BGP",type=string,JSONPath=`.status.bgpStatus`
// +kubebuilder:printcolumn:name="BFD",type=string,JSONPath=`.status.bfdStatus`
type BGPSessionState struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is empty.
	Spec BGPSessionStateSpec `json:"spec,omitempty"`
	// Status is the reported session state.
	Status BGPSessionStateStatus `json:"status,omitempty"`
}

// BGPSessionStateList is a list of BGPSessionState.
// +kubebuilder:object:root=true
type BGPSessionStateList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the listed session states.
	Items []BGPSessionState `json:"items"`
}

func init() {
	SchemeBuilder.Register(&BGPSessionState{}, &BGPSessionStateList{})
}
