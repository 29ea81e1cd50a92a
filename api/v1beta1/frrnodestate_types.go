package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FRRNodeStateSpec is empty: the object only reports.
type FRRNodeStateSpec struct{}

// FRRNodeStateStatus reports what frr-k8s did on a node.
type FRRNodeStateStatus struct {
	// RunningConfig is FRR's running configuration, passwords retracted.
	// +optional
	RunningConfig string `json:"runningConfig,omitempty"`
	// LastReloadResult is "success" or the error of the last reload.
	// +optional
	LastReloadResult string `json:"lastReloadResult,omitempty"`
	// LastConversionResult is "success" or "failed: <error>" for the last
	// conversion of the node's FRRConfigurations.
	// +optional
	LastConversionResult string `json:"lastConversionResult,omitempty"`
}

// FRRNodeState is the state of FRR on one node; it is named after the node.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster
type FRRNodeState struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is empty.
	Spec FRRNodeStateSpec `json:"spec,omitempty"`
	// Status is the reported state.
	Status FRRNodeStateStatus `json:"status,omitempty"`
}

// FRRNodeStateList is a list of FRRNodeState.
// +kubebuilder:object:root=true
type FRRNodeStateList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the listed node states.
	Items []FRRNodeState `json:"items"`
}

func init() {
	SchemeBuilder.Register(&FRRNodeState{}, &FRRNodeStateList{})
}
