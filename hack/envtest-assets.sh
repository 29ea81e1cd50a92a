#!/usr/bin/env bash
# Builds kube-apiserver, etcd and kubectl from the Go module proxy (envtest
# cannot download its assets here), caches them by version and prints the
# folder to use as KUBEBUILDER_ASSETS. Idempotent: a cached set costs ~0.1 s.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.37.2}"
ETCD_VERSION="${ETCD_VERSION:-3.7.3}"
CACHE_ROOT="${FRRK8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/frrk8s}"
DEST="$CACHE_ROOT/envtest/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}"
STAGING_VERSION="v0.${K8S_VERSION#1.}"

log() { echo "envtest-assets: $*" >&2; }

# version_of BIN prints what BIN --version says (empty when it cannot run).
version_of() { "$1" --version 2>/dev/null || true; }
etcd_ok() { [[ -x "$DEST/etcd" && "$(version_of "$DEST/etcd")" == *"${ETCD_VERSION}"* ]]; }
kube_ok() {
  [[ -x "$DEST/kube-apiserver" && -x "$DEST/kubectl" && "$(version_of "$DEST/kube-apiserver")" == *"v${K8S_VERSION}"* ]]
}
have_all() { etcd_ok && kube_ok; }

if have_all; then
  echo "$DEST"
  exit 0
fi

mkdir -p "$DEST"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local

build_kube() {
  log "building kube-apiserver and kubectl v${K8S_VERSION} (first run: ~10 min)"
  local mod="$work/kube"
  mkdir -p "$mod"
  (
    cd "$mod"
    go mod init frrk8s.local/kubebuild >/dev/null 2>&1
    local gomod
    gomod="$(go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
    {
      echo "require k8s.io/kubernetes v${K8S_VERSION}"
      # Every staging module required at v0.0.0 is replaced with its published tag.
      awk '/^require \(/{r=1;next} r&&/^\)/{r=0} r&&$1 ~ /^k8s.io\// && $2=="v0.0.0"{print $1}' "$gomod" |
        sort -u | while read -r m; do echo "replace $m => $m ${STAGING_VERSION}"; done
    } >>go.mod
    go get "k8s.io/kubernetes/cmd/kube-apiserver@v${K8S_VERSION}" "k8s.io/kubernetes/cmd/kubectl@v${K8S_VERSION}" >&2
    local major=1 minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
    local ld="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld+=" -X $p.gitVersion=v${K8S_VERSION} -X $p.gitMajor=${major} -X $p.gitMinor=${minor}"
    done
    go build -trimpath -ldflags "$ld" -o "$DEST/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver >&2
    go build -trimpath -ldflags "$ld" -o "$DEST/kubectl" k8s.io/kubernetes/cmd/kubectl >&2
  )
}

build_etcd() {
  log "building etcd v${ETCD_VERSION}"
  local mod="$work/etcd"
  mkdir -p "$mod"
  (
    cd "$mod"
    go mod init frrk8s.local/etcdbuild >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" >&2
    go build -trimpath -ldflags "-s -w" -o "$DEST/etcd" go.etcd.io/etcd/server/v3 >&2
  )
}

etcd_ok || build_etcd
kube_ok || build_kube

have_all || { log "binaries missing after build"; exit 1; }
echo "$DEST"
