#!/usr/bin/env bash
# Regenerates config/all-in-one/{frr-k8s,frr-k8s-prometheus}.yaml from the
# kustomize tree with the kubectl built next to the envtest binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
kubectl="${KUBECTL:-$(hack/envtest-assets.sh)/kubectl}"
"$kubectl" kustomize config/default >config/all-in-one/frr-k8s.yaml
"$kubectl" kustomize config/prometheus >config/all-in-one/frr-k8s-prometheus.yaml
echo "generated config/all-in-one/frr-k8s.yaml and config/all-in-one/frr-k8s-prometheus.yaml"
