#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo need: FRR (daemons,
# vtysh, frr-reload.py) and iproute2. A no-op when they are present.
set -euo pipefail
pkgs=(frr frr-pythontools iproute2 python3 openssl curl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "install-deps: missing ${missing[*]}; run as root on Debian to install them" >&2
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq "${missing[@]}" >&2
