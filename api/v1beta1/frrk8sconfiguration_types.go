package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FRRK8sConfigurationSpec holds runtime settings of frr-k8s.
type FRRK8sConfigurationSpec struct {
	// LogLevel overrides the --log-level of the frr-k8s processes and FRR.
	// +kubebuilder:validation:Enum=all;debug;info;warn;error;none
	// +optional
	LogLevel string `json:"logLevel,omitempty"`
}

// FRRK8sConfigurationStatus is empty.
type FRRK8sConfigurationStatus struct{}

// FRRK8sConfiguration tunes frr-k8s at runtime; only the object named
// "config" in the frr-k8s namespace is read.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
type FRRK8sConfiguration struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired runtime configuration.
	Spec FRRK8sConfigurationSpec `json:"spec,omitempty"`
	// Status is unused.
	Status FRRK8sConfigurationStatus `json:"status,omitempty"`
}

// FRRK8sConfigurationList is a list of FRRK8sConfiguration.
// +kubebuilder:object:root=true
type FRRK8sConfigurationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the listed configurations.
	Items []FRRK8sConfiguration `json:"items"`
}

func init() {
	SchemeBuilder.Register(&FRRK8sConfiguration{}, &FRRK8sConfigurationList{})
}
