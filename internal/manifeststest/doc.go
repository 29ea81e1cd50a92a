// Package manifeststest tests the deployment artefacts: the kustomize tree
// under config/, the Helm chart under charts/frr-k8s, the samples under
// config/samples and the Dockerfile. It holds tests only.
//
// Rendering tests need helm (bin/helm, from hack/install-helm.sh, or $HELM)
// and kustomize ($KUSTOMIZE or bin/kustomize, from `make kustomize`; else
// `kubectl kustomize` with $KUBECTL, the envtest kubectl or the one in
// $PATH); API server tests need envtest. Without them the
// tests are skipped locally and fail when CI=true or
// MANIFESTS_REQUIRE_TOOLS=true (set by hack/verify-manifests.sh).
package manifeststest
