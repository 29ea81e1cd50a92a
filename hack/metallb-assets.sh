#!/usr/bin/env bash
# Builds MetalLB's controller and speaker from the Go module proxy, copies the
# CRDs of the same module version next to them, caches the set by version and
# prints the folder (bin: controller, speaker; crd: MetalLB's CRD bases).
# Idempotent: a cached set costs ~0.1 s; the first run builds (~2.5 min).
#
# MetalLB's version is pinned here only. v0.15.2 is the newest release whose
# whole module graph the proxy serves (v0.16.x needs github.com/metallb/frr-k8s
# v0.0.27, which the proxy does not serve).
set -euo pipefail

METALLB_VERSION="${METALLB_VERSION:-v0.15.2}"
CACHE_ROOT="${FRRK8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/frrk8s}"
DEST="$CACHE_ROOT/metallb/${METALLB_VERSION}"

log() { echo "metallb-assets: $*" >&2; }

have_all() {
  [[ -x "$DEST/controller" && -x "$DEST/speaker" && -f "$DEST/.complete" ]] &&
    compgen -G "$DEST/crd/*.yaml" >/dev/null
}

# fix_crds DIR: MetalLB v0.15.2 declares its BGPPeer ASNs as `format: int32`
# with `maximum: 4294967295`; Kubernetes 1.37's API server refuses every
# BGPPeer against that schema ("Maximum boundary value must be of type
# integer with format int32"). The ASN is a uint32 in MetalLB's Go types, so
# the demo's copy says int64, as frr-k8s's CRDs do. Idempotent.
fix_crds() {
  perl -0pi -e 's/format: int32(\n\s*maximum: 4294967295)/format: int64$1/g' "$1"/*.yaml
}

if have_all; then
  fix_crds "$DEST/crd"
  echo "$DEST"
  exit 0
fi

export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
mkdir -p "$DEST"
log "building MetalLB ${METALLB_VERSION} controller and speaker (first run: ~2.5 min)"
tmp="$(mktemp -d "$DEST/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" go install -trimpath -ldflags "-s -w" \
  "go.universe.tf/metallb/speaker@${METALLB_VERSION}" \
  "go.universe.tf/metallb/controller@${METALLB_VERSION}" >&2
moddir="$(go mod download -json "go.universe.tf/metallb@${METALLB_VERSION}" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')"
[[ -d "$moddir/config/crd/bases" ]] || { log "no config/crd/bases in $moddir"; exit 1; }
mkdir -p "$tmp/crd"
cp "$moddir"/config/crd/bases/*.yaml "$tmp/crd/"
chmod -R u+w "$tmp/crd"
fix_crds "$tmp/crd"
rm -rf "$DEST/crd"
mv "$tmp/controller" "$tmp/speaker" "$DEST/"
mv "$tmp/crd" "$DEST/crd"
touch "$DEST/.complete"
have_all || { log "assets missing after build"; exit 1; }
echo "$DEST"
