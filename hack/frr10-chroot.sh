#!/usr/bin/env bash
# Builds (once) a Debian chroot holding FRR 10 for the tests that run a
# second, newer FRR next to the host's 8.4, and prints its path on stdout.
#
# The chroot is cached outside the repository, keyed by suite and FRR
# version: ${FRRK8S_CACHE:-~/.cache/frrk8s}/frr10/<suite>-<version>. A
# complete chroot carries a stamp file; when the stamp and the frr package
# recorded in the chroot's dpkg database agree, the script only prints the
# path (a few milliseconds). Otherwise it builds a new chroot in a temporary
# folder next to the destination and renames it into place at the end, so a
# build that is interrupted never leaves a half-built chroot behind the final
# name. Needs root; installs debootstrap with apt-get when it is missing.
# Logs go to stderr. A first build takes about 1.5-3 minutes and 350 MB.
#
# Environment:
#   FRRK8S_CACHE          cache root (default ${XDG_CACHE_HOME:-~/.cache}/frrk8s)
#   FRR10_SUITE           Debian suite to take FRR from (default trixie)
#   FRR10_VERSION         upstream FRR version expected there (default 10.3)
#   FRR10_MIRROR          Debian mirror (default http://deb.debian.org/debian)
#   FRR10_SECURITY_MIRROR security mirror, empty for none
#                         (default http://deb.debian.org/debian-security)
set -euo pipefail

SUITE="${FRR10_SUITE:-trixie}"
VERSION="${FRR10_VERSION:-10.3}"
MIRROR="${FRR10_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${FRR10_SECURITY_MIRROR-http://deb.debian.org/debian-security}"
CACHE_ROOT="${FRRK8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/frrk8s}"
BASE="$CACHE_ROOT/frr10"
DEST="$BASE/${SUITE}-${VERSION}"
STAMP_NAME=".frrk8s-frr10-stamp"
PACKAGES=(frr frr-pythontools iproute2)

log() { echo "frr10-chroot: $*" >&2; }
die() { log "$*"; exit 1; }

# frr_version prints the version of the frr package installed in chroot $1.
frr_version() {
  dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${Version}' frr 2>/dev/null || true
}

# is_complete succeeds when $1 is a finished chroot with the expected FRR.
is_complete() {
  local root=$1 stamp installed
  [[ -f "$root/$STAMP_NAME" ]] || return 1
  stamp="$(<"$root/$STAMP_NAME")"
  installed="$(frr_version "$root")"
  [[ -n "$installed" && "$stamp" == "suite=$SUITE frr=$installed" ]] || return 1
  [[ "$installed" == "$VERSION"-* || "$installed" == "$VERSION".* ]] || return 1
  [[ -x "$root/usr/lib/frr/mgmtd" && -x "$root/usr/bin/vtysh" && -f "$root/usr/lib/frr/frr-reload.py" ]]
}

if is_complete "$DEST"; then
  echo "$DEST"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "building the FRR 10 chroot needs root"
mkdir -p "$BASE"

# One build at a time per cache; a second caller waits and then finds the
# chroot ready.
exec 9>"$BASE/.lock"
flock 9
if is_complete "$DEST"; then
  echo "$DEST"
  exit 0
fi

# unmount_under unmounts every mount point at or below $1, the most recent
# (deepest) first.
unmount_under() {
  local dir mnt i
  local -a found=()
  dir="$(realpath -m "$1")"
  while read -r _ mnt _; do
    mnt="${mnt//\\040/ }"
    if [[ "$mnt" == "$dir" || "$mnt" == "$dir"/* ]]; then
      found+=("$mnt")
    fi
  done </proc/self/mounts
  for ((i = ${#found[@]} - 1; i >= 0; i--)); do
    umount -l "${found[i]}" || log "could not unmount ${found[i]}"
  done
}

# remove_tree deletes a chroot, never crossing into a mounted file system.
remove_tree() {
  [[ -e "$1" ]] || return 0
  unmount_under "$1"
  rm -rf --one-file-system "$1"
}

# Leftovers of builds that were killed.
for old in "$BASE"/.build-*; do
  if [[ -e "$old" ]]; then
    log "removing the unfinished build $old"
    remove_tree "$old"
  fi
done

if ! command -v debootstrap >/dev/null; then
  command -v apt-get >/dev/null || die "debootstrap is missing and there is no apt-get to install it"
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2 ||
    { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2; }
fi
[[ -f "/usr/share/debootstrap/scripts/$SUITE" ]] || die "this debootstrap does not know the suite $SUITE"

BUILD="$(mktemp -d "$BASE/.build-${SUITE}-${VERSION}.XXXXXX")"
chmod 755 "$BUILD" # apt downloads as _apt, which must reach the archive cache
cleanup() { remove_tree "$BUILD"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$SECONDS
log "debootstrap $SUITE from $MIRROR into $BUILD"
debootstrap --variant=minbase "$SUITE" "$BUILD" "$MIRROR" >&2 || die "debootstrap failed"
log "base system ready after $((SECONDS - started)) s"

# Never start services from the chroot (they would run in the host's
# network namespace), and skip documentation to keep the chroot small.
printf '#!/bin/sh\nexit 101\n' >"$BUILD/usr/sbin/policy-rc.d"
chmod 755 "$BUILD/usr/sbin/policy-rc.d"
cat >"$BUILD/etc/dpkg/dpkg.cfg.d/01-frrk8s-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
# A build that dies is thrown away, so dpkg need not fsync every file.
echo force-unsafe-io >"$BUILD/etc/dpkg/dpkg.cfg.d/02-frrk8s-unsafe-io"
echo 'Acquire::Languages "none";' >"$BUILD/etc/apt/apt.conf.d/99-frrk8s-nolang"
{
  echo "deb $MIRROR $SUITE main"
  if [[ -n "$SECURITY_MIRROR" ]]; then
    echo "deb $SECURITY_MIRROR $SUITE-security main"
  fi
} >"$BUILD/etc/apt/sources.list"

mount -t proc proc "$BUILD/proc"
in_chroot() { chroot "$BUILD" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }
log "installing ${PACKAGES[*]}"
in_chroot apt-get update -qq >&2 || die "apt-get update in the chroot failed"
in_chroot apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2 ||
  die "installing ${PACKAGES[*]} in the chroot failed"
in_chroot apt-get clean
rm -rf "$BUILD"/var/lib/apt/lists/*
umount "$BUILD/proc"
rm -f "$BUILD/etc/dpkg/dpkg.cfg.d/02-frrk8s-unsafe-io"

installed="$(frr_version "$BUILD")"
[[ "$installed" == "$VERSION"-* || "$installed" == "$VERSION".* ]] ||
  die "$SUITE offers frr $installed, not $VERSION: set FRR10_VERSION"
echo "suite=$SUITE frr=$installed" >"$BUILD/$STAMP_NAME"
chmod 755 "$BUILD"

remove_tree "$DEST"
mv "$BUILD" "$DEST"
trap - EXIT
log "FRR $installed ready in $DEST ($((SECONDS - started)) s, $(du -sh --one-file-system "$DEST" | cut -f1))"
echo "$DEST"
