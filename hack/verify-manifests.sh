#!/usr/bin/env bash
# Checks the deployment artefacts: installs the pinned helm into bin/ when
# missing, takes kubectl from the envtest binaries, then runs the tests of
# internal/manifeststest, which render `helm template charts/frr-k8s` and
# `kubectl kustomize config/...`, lint the chart, apply both renderings to
# an envtest API server with server-side dry run, compare their DaemonSets,
# Deployments and RBAC, apply the samples, and check the Dockerfile.
# Missing tools fail the run here (MANIFESTS_REQUIRE_TOOLS=true).
# Extra arguments go to `go test` (e.g. -run TestHelm -v).
set -euo pipefail
cd "$(dirname "$0")/.."

HELM="$(hack/install-helm.sh)"
assets="$(hack/envtest-assets.sh)"
export HELM KUBECTL="$assets/kubectl" KUBEBUILDER_ASSETS="$assets" MANIFESTS_REQUIRE_TOOLS=true

echo "verify-manifests: $("$HELM" version --short), kubectl $("$KUBECTL" version --client -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | head -n1)"
go test -count=1 "$@" ./internal/manifeststest/
