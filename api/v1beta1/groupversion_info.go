// Package v1beta1 holds the frrk8s.metallb.io/v1beta1 API: the kinds users and
// controllers write to configure FRR on each node, and the kinds frr-k8s
// writes to report what each node runs.
// +kubebuilder:object:generate=true
// +groupName=frrk8s.metallb.io
package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "frrk8s.metallb.io", Version: "v1beta1"}

	// SchemeBuilder registers the kinds of this package with a scheme.
	SchemeBuilder = &schemeBuilder{}

	// AddToScheme adds the kinds of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// schemeBuilder collects the kinds of this package. It is a plain
// apimachinery registration, so that importing the API does not link
// controller-runtime (frrk8sctl does not).
type schemeBuilder struct {
	objects []runtime.Object
}

// Register adds kinds to the package's registration.
func (b *schemeBuilder) Register(objects ...runtime.Object) {
	b.objects = append(b.objects, objects...)
}

// AddToScheme adds every registered kind, and the meta types of the group
// version, to s.
func (b *schemeBuilder) AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, b.objects...)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
