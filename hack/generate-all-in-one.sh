#!/usr/bin/env bash
# Regenerates config/all-in-one/{frr-k8s,frr-k8s-prometheus}.yaml from the
# kustomize tree with the pinned kustomize in bin/ (`make kustomize`), or
# $KUSTOMIZE.
set -euo pipefail
cd "$(dirname "$0")/.."
kustomize="${KUSTOMIZE:-$(pwd)/bin/kustomize}"
[[ -x "$kustomize" ]] || { echo "kustomize not found at $kustomize: run 'make kustomize'" >&2; exit 1; }
"$kustomize" build config/default >config/all-in-one/frr-k8s.yaml
"$kustomize" build config/prometheus >config/all-in-one/frr-k8s-prometheus.yaml
echo "generated config/all-in-one/frr-k8s.yaml and config/all-in-one/frr-k8s-prometheus.yaml"
