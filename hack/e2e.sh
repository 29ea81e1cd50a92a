#!/usr/bin/env bash
# Runs the Ginkgo e2e suite (e2etests/suite) against the local demo
# environment: brings the demo up and keeps it (KEEP=1 hack/demo/demo.sh,
# which runs its own checks), describes it to the suite through FRRK8S_E2E_*
# variables read from the demo's env file, runs the suite (compiled with
# `go test -c` while the demo starts) and always removes the demo
# afterwards. Then, on the freed environment, it runs MetalLB's controller and
# speaker against frr-k8s (hack/demo/demo-metallb.sh) on FRR 8.4
# (E2E_METALLB=0 skips it; E2E_METALLB_FRR10=1 also runs it on FRR 10).
# Exits non-zero when any of them fails.
#
# Usage: hack/e2e.sh [test binary flags...]   e.g. hack/e2e.sh -ginkgo.focus=BFD
# The demo uses fixed network namespaces and ports: when another demo is
# running, the script waits for it to end (E2E_WAIT_SECONDS, default 900).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export DEMO_STATE="${DEMO_STATE:-/tmp/frrk8s-demo}"
STATE="$DEMO_STATE"
WAIT_SECONDS="${E2E_WAIT_SECONDS:-900}"
DEMO_PORTS=(17540 17572 17573 19443)

[[ $(id -u) -eq 0 ]] || { echo "run hack/e2e.sh as root: the demo creates network namespaces" >&2; exit 1; }

# demo_busy says why the demo environment is in use, if it is.
demo_busy() {
  if [[ -e "$STATE" ]]; then echo "$STATE exists"; return 0; fi
  if ip netns list 2>/dev/null | grep -qE '^frrk8s-demo-(node|peer)\b'; then echo "a demo network namespace exists"; return 0; fi
  local port
  for port in "${DEMO_PORTS[@]}"; do
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then echo "port $port is in use"; return 0; fi
  done
  return 1
}

# Serialise runs of this script; a demo started by hand is waited for below.
exec 9>"/tmp/frrk8s-e2e.lock"
flock -w "$WAIT_SECONDS" 9 || { echo "another hack/e2e.sh run holds /tmp/frrk8s-e2e.lock" >&2; exit 1; }
deadline=$((SECONDS + WAIT_SECONDS))
while why="$(demo_busy)"; do
  if (( SECONDS >= deadline )); then
    echo "the demo environment is still in use after ${WAIT_SECONDS}s ($why); if it is a leftover, remove it with: hack/demo/demo.sh down" >&2
    exit 1
  fi
  echo "waiting for the demo environment to be free: $why"
  sleep 10
done

started=$SECONDS
work="$(mktemp -d -t frrk8s-e2e.XXXXXX)"
build_pid=
# From here on the environment is ours: always remove it.
cleanup() {
  local rc=$?
  set +e
  if [[ -n "$build_pid" ]]; then
    kill "$build_pid" 2>/dev/null
    wait "$build_pid" 2>/dev/null
  fi
  rm -rf "$work"
  echo
  echo "== removing the demo environment"
  "$ROOT/hack/demo/demo.sh" down || true
  echo "hack/e2e.sh: finished in $((SECONDS - started))s, exit status $rc"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Compile the suite while the demo comes up.
( cd "$ROOT" && exec go test -c -o "$work/suite.test" ./e2etests/suite ) >"$work/build.log" 2>&1 &
build_pid=$!

echo "== bringing the demo environment up"
KEEP=1 "$ROOT/hack/demo/demo.sh"

[[ -f "$STATE/env" ]] || { echo "the demo did not write $STATE/env" >&2; exit 1; }
# shellcheck source=/dev/null
source "$STATE/env"
export FRRK8S_E2E_KUBECONFIG="$KUBECONFIG"
export FRRK8S_E2E_NAMESPACE="$DEMO_NAMESPACE"
export FRRK8S_E2E_NODE="$DEMO_NODE"
export FRRK8S_E2E_NODE_ASN="$DEMO_NODE_ASN"
export FRRK8S_E2E_NODE_ADDRESS="$DEMO_NODE_ADDRESS"
export FRRK8S_E2E_NODE_VTYSH="vtysh --vty_socket $DEMO_NODE_VTY_SOCKET_DIR"
export FRRK8S_E2E_PEER_ADDRESS="$DEMO_PEER_ADDRESS"
export FRRK8S_E2E_PEER_ASN="$DEMO_PEER_ASN"
export FRRK8S_E2E_PEER_VTYSH="vtysh --vty_socket $DEMO_PEER_VTY_SOCKET_DIR"
export FRRK8S_E2E_METRICS_URL="$DEMO_METRICS_URL"
export FRRK8S_E2E_CONTROLLER_METRICS_URL="$DEMO_CONTROLLER_METRICS_URL"

echo
echo "== running the e2e suite (demo up after $((SECONDS - started))s)"
suite_started=$SECONDS
if ! wait "$build_pid"; then
  build_pid=
  echo "could not compile e2etests/suite:" >&2
  cat "$work/build.log" >&2
  exit 1
fi
build_pid=
args=(-test.v -test.timeout=20m -ginkgo.v)
[[ -t 1 ]] || args+=(-ginkgo.no-color)
rc=0
# The compiled `go test` binary, run from the package directory as go test does.
( cd "$ROOT/e2etests/suite" && "$work/suite.test" "${args[@]}" "$@" ) || rc=$?
echo "e2e suite: exit status $rc after $((SECONDS - suite_started))s"
if (( rc != 0 )); then
  # The demo goes away below: keep what explains the failure.
  for f in "$DEMO_STATE"/logs/reloader.log "$DEMO_STATE"/logs/controller.log; do
    [[ -f "$f" ]] || continue
    echo "--- last lines of $f" >&2
    tail -n "${E2E_LOG_LINES:-150}" "$f" >&2
  done
fi

if [[ "${E2E_METALLB:-1}" != 0 ]]; then
  echo
  echo "== removing the demo environment for demo-metallb"
  "$ROOT/hack/demo/demo.sh" down
  mlb_started=$SECONDS
  mrc=0
  DEMO_FRR=8 "$ROOT/hack/demo/demo-metallb.sh" || mrc=$?
  echo "demo-metallb (FRR 8.4): exit status $mrc after $((SECONDS - mlb_started))s"
  (( rc != 0 )) || rc=$mrc
  if [[ "${E2E_METALLB_FRR10:-}" == 1 ]]; then
    mlb_started=$SECONDS
    mrc=0
    DEMO_FRR=10 "$ROOT/hack/demo/demo-metallb.sh" || mrc=$?
    echo "demo-metallb (FRR 10): exit status $mrc after $((SECONDS - mlb_started))s"
    (( rc != 0 )) || rc=$mrc
  fi
fi
exit $rc
