package controller

// The statuscleaner patches the CA bundle of its own webhook configuration
// (cert rotation) and reads it to check the bundle.
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingwebhookconfigurations,verbs=get;list;watch
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingwebhookconfigurations,resourceNames=frr-k8s-validating-webhook-configuration,verbs=update
