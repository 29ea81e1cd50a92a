#!/usr/bin/env bash
# Installs the pinned helm into bin/ (go install, ~1.5 min on a cold cache)
# unless that version is already there, and prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
LOCALBIN="${LOCALBIN:-$(pwd)/bin}"
HELM="$LOCALBIN/helm"

if [[ -x "$HELM" ]] && "$HELM" version --template '{{.Version}}' 2>/dev/null | grep -qx "$HELM_VERSION"; then
  echo "$HELM"
  exit 0
fi

echo "install-helm: installing helm $HELM_VERSION into $LOCALBIN" >&2
mkdir -p "$LOCALBIN"
GOBIN="$LOCALBIN" GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 \
  go install -ldflags "-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" \
  "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" >&2
echo "$HELM"
