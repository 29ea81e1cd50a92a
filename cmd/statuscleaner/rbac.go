package main

// The RBAC of the statuscleaner's own service account. controller-gen
// collects markers per package, so the rights of the reconcilers it runs
// from internal/controller (NodeStateCleaner, log level) are repeated here;
// `make manifests` turns this package's markers into the statuscleaner-role
// ClusterRole and Role, and internal/controller's into daemon-role.
//
// The webhook reads Nodes (metadata) and FRRConfigurations of every
// namespace.
// +kubebuilder:rbac:groups="",resources=nodes,verbs=get;list;watch
// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=frrconfigurations,verbs=get;list;watch
//
// The log-level controller reads FRRK8sConfiguration.
// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=frrk8sconfigurations,verbs=get;list;watch
//
// The NodeStateCleaner lists the daemon pods and deletes the FRRNodeStates
// of nodes without one.
// +kubebuilder:rbac:groups=frrk8s.metallb.io,resources=frrnodestates,verbs=get;list;watch;delete
// +kubebuilder:rbac:groups="",namespace=frr-k8s-system,resources=pods,verbs=get;list;watch
//
// The certificate rotator reads and rewrites the webhook certificate Secret
// and no other: its cache lists and watches that Secret alone (by a
// metadata.name field selector, which RBAC checks against resourceNames),
// and it patches the CA bundle of its own webhook configuration.
// +kubebuilder:rbac:groups="",namespace=frr-k8s-system,resources=secrets,resourceNames=frr-k8s-webhook-server-cert,verbs=get;list;watch;update
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingwebhookconfigurations,verbs=get;list;watch
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingwebhookconfigurations,resourceNames=frr-k8s-validating-webhook-configuration,verbs=update
