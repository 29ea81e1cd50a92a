// Package v1beta1 holds the frrk8s.metallb.io/v1beta1 API: the kinds users and
// controllers write to configure FRR on each node, and the kinds frr-k8s
// writes to report what each node runs.
// +kubebuilder:object:generate=true
// +groupName=frrk8s.metallb.io
package v1beta1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "frrk8s.metallb.io", Version: "v1beta1"}

	// SchemeBuilder registers the kinds of this package with a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the kinds of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
