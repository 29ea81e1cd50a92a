#!/usr/bin/env bash
# Checks the deployment artefacts: installs the pinned helm into bin/ when
# missing, takes kustomize from bin/ (`make kustomize`, or $KUSTOMIZE) and
# the API server from the envtest binaries, then runs the tests of
# internal/manifeststest, which render `helm template charts/frr-k8s` and
# `kustomize build config/...`, lint the chart, apply both renderings to
# an envtest API server with server-side dry run, compare their DaemonSets,
# Deployments and RBAC, exercise the RBAC with each service account's
# identity, apply the samples, and check the Dockerfile.
# Missing tools fail the run here (MANIFESTS_REQUIRE_TOOLS=true).
# Extra arguments go to `go test` (e.g. -run TestHelm -v).
set -euo pipefail
cd "$(dirname "$0")/.."

HELM="$(hack/install-helm.sh)"
assets="$(hack/envtest-assets.sh)"
KUSTOMIZE="${KUSTOMIZE:-$(pwd)/bin/kustomize}"
[[ -x "$KUSTOMIZE" ]] || { echo "kustomize not found at $KUSTOMIZE: run 'make kustomize'" >&2; exit 1; }
export HELM KUSTOMIZE KUBEBUILDER_ASSETS="$assets" MANIFESTS_REQUIRE_TOOLS=true

echo "verify-manifests: $("$HELM" version --short), kustomize $("$KUSTOMIZE" version)"
go test -count=1 "$@" ./internal/manifeststest/
