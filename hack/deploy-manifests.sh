#!/usr/bin/env bash
# Prints config/default with the image IMG and the namespace NAMESPACE, for
# `make deploy` / `make undeploy`: a throw-away overlay, so the tree is not
# edited. KUSTOMIZE is the kustomize binary (default bin/kustomize).
set -euo pipefail
cd "$(dirname "$0")/.."

IMG="${IMG:-quay.io/metallb/frr-k8s:main}"
NAMESPACE="${NAMESPACE:-frr-k8s-system}"
KUSTOMIZE="${KUSTOMIZE:-$(pwd)/bin/kustomize}"

# IMG is name[:tag] or name@digest.
case "$IMG" in
  *@*) name="${IMG%@*}"; ref="digest: ${IMG#*@}" ;;
  *:*) [[ "${IMG##*/}" == *:* ]] && { name="${IMG%:*}"; ref="newTag: ${IMG##*:}"; } || { name="$IMG"; ref=""; } ;;
  *) name="$IMG"; ref="" ;;
esac

overlay="$(mktemp -d "$(pwd)/config/.deploy.XXXXXX")"
trap 'rm -rf "$overlay"' EXIT
cat >"$overlay/kustomization.yaml" <<YAML
namespace: ${NAMESPACE}
resources:
- ../default
images:
- name: quay.io/metallb/frr-k8s
  newName: ${name}
  ${ref}
YAML
"$KUSTOMIZE" build "$overlay"
