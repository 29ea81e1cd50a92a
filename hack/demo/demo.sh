#!/usr/bin/env bash
# The frr-k8s local demo: a real kube-apiserver and etcd, one node whose FRR
# runs in a network namespace, an external FRR router in another, and the
# frr-k8s processes run as the DaemonSet runs them. It applies the README's
# first example, shows what each component reports, then shows a conflicting
# config refused and a bad raw config reported while routing goes on.
#
# Usage: hack/demo/demo.sh            run everything and clean up
#        KEEP=1 hack/demo/demo.sh     leave it running (hack/demo/demo.sh down stops it)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STATE="${DEMO_STATE:-/tmp/frrk8s-demo}"
NS=frr-k8s-system
NODE=demo-node
NODE_NETNS=frrk8s-demo-node
PEER_NETNS=frrk8s-demo-peer
NODE_ADDR=198.51.100.2
PEER_ADDR=198.51.100.1
METRICS_PORT=17573
CONTROLLER_METRICS=127.0.0.1:17540
HEALTH=127.0.0.1:17572
WEBHOOK_PORT=19443

checks=()
fail() { echo "demo FAILED: $*" >&2; exit 1; }
ok() { checks+=("$1"); echo "  ok: $1"; }
step() { echo; echo "== $*"; }

# ---------------------------------------------------------------- teardown

kill_pidfile() {
  local f="$1"
  [[ -f "$f" ]] || return 0
  local pid; pid="$(cat "$f" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
}

teardown() {
  set +e
  if [[ -d "$STATE/pids" ]]; then
    for f in "$STATE"/pids/*.pid; do kill_pidfile "$f"; done
  fi
  for ns in "$NODE_NETNS" "$PEER_NETNS"; do
    if ip netns list 2>/dev/null | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    fi
  done
  sleep 1
  for ns in "$NODE_NETNS" "$PEER_NETNS"; do
    if ip netns list 2>/dev/null | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
      ip netns del "$ns" 2>/dev/null
    fi
  done
  if [[ -d "$STATE/pids" ]]; then
    for f in "$STATE"/pids/*.pid; do
      [[ -f "$f" ]] && kill -9 "$(cat "$f")" 2>/dev/null
    done
  fi
  rm -rf "$STATE"
}

if [[ "${1:-}" == "down" ]]; then
  teardown
  echo "demo environment removed"
  exit 0
fi

on_exit() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    echo >&2
    echo "logs of the failed run (last lines):" >&2
    for f in "$STATE"/logs/*.log; do
      [[ -f "$f" ]] || continue
      echo "--- $f" >&2
      tail -n 15 "$f" >&2
    done
  fi
  if [[ -z "${KEEP:-}" || $rc -ne 0 ]]; then
    teardown
  else
    echo "environment kept in $STATE (described in $STATE/env); stop it with: hack/demo/demo.sh down"
    echo "KUBECONFIG to use: export KUBECONFIG=$STATE/kubeconfig (kubectl: ${ASSETS:-}/kubectl)"
  fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

[[ $(id -u) -eq 0 ]] || fail "run the demo as root: it creates network namespaces"
teardown

# ---------------------------------------------------------------- set-up

step "installing what the demo needs"
"$ROOT/hack/install-deps.sh"
ASSETS="$("$ROOT/hack/envtest-assets.sh")"
export KUBEBUILDER_ASSETS="$ASSETS"
make -C "$ROOT" --no-print-directory build >/dev/null
BIN="$ROOT/bin"
for b in frr-k8s-controller reloader status metrics statuscleaner; do
  [[ -x "$BIN/$b" ]] || fail "bin/$b was not built"
done
mkdir -p "$STATE"/{pids,logs,shared,certs}
( cd "$ROOT" && go build -o "$STATE/controlplane" ./hack/demo/controlplane )

# start NAME CMD...: run a process in the background, logging to logs/NAME.log.
start() {
  local name="$1"; shift
  "$@" >"$STATE/logs/$name.log" 2>&1 &
  echo $! >"$STATE/pids/$name.pid"
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs="$1" what="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || fail "timed out after ${secs}s waiting for $what"
    sleep 0.5
  done
}

step "starting kube-apiserver and etcd"
export KUBECONFIG="$STATE/kubeconfig"
export KUBEBUILDER_CONTROLPLANE_START_TIMEOUT="${KUBEBUILDER_CONTROLPLANE_START_TIMEOUT:-180s}"
start controlplane "$STATE/controlplane" --write-kubeconfig "$KUBECONFIG" --crds "$ROOT/config/crd/bases"
wait_for 200 "the API server" test -f "$KUBECONFIG"
kubectl() { "$ASSETS/kubectl" "$@"; }
wait_for 30 "the CRDs" kubectl get frrconfigurations -A
ok "kube-apiserver and etcd are up with the frr-k8s CRDs"

kubectl create namespace "$NS" >/dev/null
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $NODE
  labels:
    kubernetes.io/hostname: $NODE
    kubernetes.io/os: linux
---
apiVersion: v1
kind: Pod
metadata:
  name: frr-k8s-$NODE
  namespace: $NS
  labels:
    app.kubernetes.io/component: frr-k8s
spec:
  nodeName: $NODE
  containers:
  - name: controller
    image: quay.io/metallb/frr-k8s:main
EOF
ok "registered Node $NODE and its daemon Pod object"

step "starting FRR for the node and an external router in network namespaces"
# frr_instance NAME NETNS: private run and config folders, daemons in the foreground.
frr_instance() {
  local name="$1" netns="$2" dir="$STATE/frr-$1"
  install -d -o frr -g frr -m 0755 "$dir/run" "$dir/etc"
  printf 'service integrated-vtysh-config\n' >"$dir/etc/vtysh.conf"
  : >"$dir/etc/frr.conf"
  chown -R frr:frr "$dir/etc"
  local d
  for d in zebra bgpd bfdd staticd; do
    local extra=()
    [[ $d == bfdd ]] && extra=(--bfdctl "$dir/run/bfdd.sock")
    start "frr-$name-$d" ip netns exec "$netns" "/usr/lib/frr/$d" -P 0 -f /dev/null \
      --vty_socket "$dir/run" -z "$dir/run/zserv.api" -i "$dir/run/$d.pid" --log stdout "${extra[@]}"
    [[ $d == zebra ]] && wait_for 15 "zebra of $name" test -S "$dir/run/zserv.api"
  done
  wait_for 15 "bgpd of $name" test -S "$dir/run/bgpd.vty"
  wait_for 15 "bfdd of $name" test -S "$dir/run/bfdd.vty"
}
vtysh_node() { vtysh --vty_socket "$STATE/frr-node/run" "$@"; }
vtysh_peer() { vtysh --vty_socket "$STATE/frr-peer/run" "$@"; }

for ns in "$NODE_NETNS" "$PEER_NETNS"; do
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip -n "$ns" link set lo up
done
ip link add veth0 netns "$NODE_NETNS" type veth peer name veth0 netns "$PEER_NETNS"
ip -n "$NODE_NETNS" addr add "$NODE_ADDR/24" dev veth0
ip -n "$PEER_NETNS" addr add "$PEER_ADDR/24" dev veth0
ip -n "$NODE_NETNS" link set veth0 up
ip -n "$PEER_NETNS" link set veth0 up

frr_instance node "$NODE_NETNS"
frr_instance peer "$PEER_NETNS"
# The external router: AS 64513, announces two /24s; the node accepts one.
cat >"$STATE/frr-peer/peer.conf" <<EOF
router bgp 64513
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp route-map delay-timer 1
 neighbor $NODE_ADDR remote-as 64512
 address-family ipv4 unicast
  network 203.0.113.0/24
  network 198.18.0.0/24
  neighbor $NODE_ADDR activate
 exit-address-family
EOF
vtysh_peer -f "$STATE/frr-peer/peer.conf" >/dev/null
ok "FRR (zebra, bgpd, bfdd, staticd) runs for $NODE in netns $NODE_NETNS; the external router AS 64513 in $PEER_NETNS"

step "starting the frr-k8s processes as the DaemonSet runs them"
SHARED="$STATE/shared"
RUN="$STATE/frr-node/run"
RELOAD_ARGS="--bindir /usr/bin --confdir $STATE/frr-node/etc --rundir $RUN --vty_socket $RUN"
start reloader env SHARED_VOLUME="$SHARED" FRR_RELOAD_ARGS="$RELOAD_ARGS" VTYSH_CMD="vtysh --vty_socket $RUN" \
  "$BIN/reloader"
wait_for 10 "the reloader pid file" test -s "$SHARED/reloader.pid"
start controller env FRR_CONFIG_FILE="$SHARED/frr.conf" FRR_RELOADER_PID_FILE="$SHARED/reloader.pid" \
  FRR_RELOADER_STATUS_DIR="$SHARED" FRR_K8S_BGP_DEBOUNCE_TIMEOUT=500 \
  "$BIN/frr-k8s-controller" --node-name="$NODE" --namespace="$NS" --log-level=info \
  --metrics-bind-address="$CONTROLLER_METRICS" --health-probe-bind-address="$HEALTH"
start frr-status env VTYSH_CMD="vtysh --vty_socket $RUN" \
  "$BIN/status" --node-name="$NODE" --namespace="$NS" --pod-name="frr-k8s-$NODE" --log-level=info --poll-interval=2s
start frr-metrics env VTYSH_CMD="vtysh --vty_socket $RUN" \
  "$BIN/metrics" --metrics-port="$METRICS_PORT" --metrics-bind-address=127.0.0.1

# The webhook: the demo signs its own serving certificate for 127.0.0.1 and
# registers the webhook by URL, since no Service routes to a host process here.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=frr-k8s-demo-ca" \
  -keyout "$STATE/certs/ca.key" -out "$STATE/certs/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$STATE/certs/tls.key" \
  -out "$STATE/certs/tls.csr" 2>/dev/null
openssl x509 -req -in "$STATE/certs/tls.csr" -CA "$STATE/certs/ca.crt" -CAkey "$STATE/certs/ca.key" \
  -CAcreateserial -days 1 -extfile <(printf 'subjectAltName=IP:127.0.0.1') -out "$STATE/certs/tls.crt" 2>/dev/null
start statuscleaner env NAMESPACE="$NS" "$BIN/statuscleaner" --namespace="$NS" --log-level=info \
  --webhook-port="$WEBHOOK_PORT" --cert-dir="$STATE/certs" --disable-cert-rotation
CA_BUNDLE="$(base64 -w0 <"$STATE/certs/ca.crt")"
kubectl apply -f - >/dev/null <<EOF
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: frr-k8s-validating-webhook-configuration
webhooks:
- name: frrconfigurationsvalidationwebhook.metallb.io
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Fail
  clientConfig:
    url: https://127.0.0.1:$WEBHOOK_PORT/validate-frrk8s-metallb-io-v1beta1-frrconfiguration
    caBundle: $CA_BUNDLE
  rules:
  - apiGroups: [frrk8s.metallb.io]
    apiVersions: [v1beta1]
    operations: [CREATE, UPDATE]
    resources: [frrconfigurations]
EOF
wait_for 30 "the controller's health probe" curl -sf "http://$HEALTH/healthz"
wait_for 30 "the webhook" curl -skf "https://127.0.0.1:$WEBHOOK_PORT/healthz"
ok "controller, reloader, frr-status, frr-metrics and statuscleaner (webhook) are running"

# Describe the environment for tools that use it (hack/e2e.sh sources this).
write_env() {
  local k v
  echo "# The frr-k8s demo environment; source it from a shell."
  for k in KUBECONFIG DEMO_KUBECTL DEMO_NAMESPACE DEMO_NODE DEMO_NODE_ASN DEMO_NODE_NETNS DEMO_NODE_ADDRESS \
    DEMO_NODE_VTY_SOCKET_DIR DEMO_PEER_NETNS DEMO_PEER_ADDRESS DEMO_PEER_ASN DEMO_PEER_VTY_SOCKET_DIR \
    DEMO_METRICS_URL DEMO_CONTROLLER_METRICS_URL DEMO_WEBHOOK_URL; do
    v="${!k}"
    printf 'export %s=%q\n' "$k" "$v"
  done
}
DEMO_KUBECTL="$ASSETS/kubectl" DEMO_NAMESPACE="$NS" DEMO_NODE="$NODE" DEMO_NODE_ASN=64512 \
  DEMO_NODE_NETNS="$NODE_NETNS" DEMO_NODE_ADDRESS="$NODE_ADDR" DEMO_NODE_VTY_SOCKET_DIR="$RUN" \
  DEMO_PEER_NETNS="$PEER_NETNS" DEMO_PEER_ADDRESS="$PEER_ADDR" DEMO_PEER_ASN=64513 \
  DEMO_PEER_VTY_SOCKET_DIR="$STATE/frr-peer/run" DEMO_METRICS_URL="https://127.0.0.1:$METRICS_PORT/metrics" \
  DEMO_CONTROLLER_METRICS_URL="https://$CONTROLLER_METRICS/metrics" DEMO_WEBHOOK_URL="https://127.0.0.1:$WEBHOOK_PORT" \
  write_env >"$STATE/env"

# ---------------------------------------------------------------- the example

step "applying the README's first example"
# The same object as the README's example, as a file users can apply.
kubectl apply -f "$ROOT/hack/demo/example.yaml"

node_state() { kubectl get frrnodestate "$NODE" -o "jsonpath={.status.$1}" 2>/dev/null; }
conversion_ok() { [[ "$(node_state lastConversionResult)" == success ]]; }
reload_ok() { [[ "$(node_state lastReloadResult)" == success ]] && node_state runningConfig | grep -q "router bgp 64512"; }
wait_for 60 "FRRNodeState to report a successful conversion" conversion_ok
wait_for 90 "FRRNodeState to report a successful reload" reload_ok
ok "FRRNodeState $NODE: conversion success, reload success, running config has router bgp 64512"
echo "--- FRRNodeState $NODE (status.runningConfig, first lines):"
node_state runningConfig | head -n 25

peer_has() { vtysh_peer -c "show bgp ipv4 unicast $1/24 json" | grep -q '"prefix"'; }
node_has() { vtysh_node -c "show bgp ipv4 unicast $1/24 json" | grep -q '"prefix"'; }
established() { vtysh_node -c "show bgp neighbors $PEER_ADDR json" | grep -q '"bgpState":"Established"'; }
wait_for 90 "the BGP session to be Established" established
ok "BGP session $NODE (AS 64512) <-> $PEER_ADDR (AS 64513) is Established"
wait_for 60 "the peer to receive 192.0.2.0/24" peer_has 192.0.2.0
ok "the external router received 192.0.2.0/24 from the node"
wait_for 30 "the node to accept 203.0.113.0/24" node_has 203.0.113.0
node_has 198.18.0.0 && fail "the node accepted 198.18.0.0/24, which the example does not allow"
ok "the node accepted 203.0.113.0/24 and filtered 198.18.0.0/24"
echo "--- routes the external router received from the node:"
vtysh_peer -c "show bgp ipv4 unicast neighbors $NODE_ADDR routes"

step "session status and metrics"
session_up() { kubectl get bgpsessionstates -n "$NS" -o jsonpath='{.items[*].status.bgpStatus}' | grep -q Established; }
wait_for 60 "a BGPSessionState in state Established" session_up
kubectl get bgpsessionstates -n "$NS"
ok "BGPSessionState reports the session Established"

kubectl create serviceaccount demo-scraper -n "$NS" >/dev/null
kubectl create clusterrole demo-metrics-reader --verb=get --non-resource-url=/metrics >/dev/null
kubectl create clusterrolebinding demo-scraper --clusterrole=demo-metrics-reader \
  --serviceaccount="$NS:demo-scraper" >/dev/null
TOKEN="$(kubectl create token demo-scraper -n "$NS")"
metric_line() {
  curl -sk -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$METRICS_PORT/metrics" |
    grep "^frrk8s_bgp_session_up{" | grep "$PEER_ADDR"
}
wait_for 30 "frrk8s_bgp_session_up from frr-metrics" metric_line
echo "--- $(metric_line)"
metric_line | grep -q ' 1$' || fail "frrk8s_bgp_session_up is not 1"
ok "frr-metrics: frrk8s_bgp_session_up{peer=\"$PEER_ADDR\"} is 1"
code="$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$METRICS_PORT/metrics")"
[[ "$code" == 401 || "$code" == 403 ]] || fail "the metrics endpoint answered $code without a token"
ok "the metrics endpoint refuses requests without a token ($code)"

step "a conflicting FRRConfiguration is refused"
if out="$(kubectl apply -f "$ROOT/hack/demo/conflict.yaml" 2>&1)"; then
  fail "the conflicting config was accepted: $out"
fi
echo "$out"
grep -q "multiple asns specified for $PEER_ADDR" <<<"$out" || fail "the refusal does not explain the conflict"
grep -q "frr-k8s-system/peer-with-tor" <<<"$out" || fail "the refusal does not name the existing config"
ok "the webhook refused a conflicting config, naming both FRRConfigurations"

step "a raw config that FRR rejects is reported while routing goes on"
kubectl apply -f "$ROOT/hack/demo/bad-raw.yaml" >/dev/null
reload_failed() { [[ "$(node_state lastReloadResult)" != success && -n "$(node_state lastReloadResult)" ]]; }
wait_for 90 "FRRNodeState to report the failed reload" reload_failed
echo "--- FRRNodeState $NODE status.lastReloadResult (FRR's complaint):"
node_state lastReloadResult | grep -iE "unknown command|error|not frr syntax" | head -n 5 || true
peer_has 192.0.2.0 || fail "the peer lost 192.0.2.0/24 after the bad raw config"
established || fail "the session dropped after the bad raw config"
ok "FRRNodeState reports FRR's rejection of the raw config; the session and routes are unchanged"
kubectl delete -f "$ROOT/hack/demo/bad-raw.yaml" >/dev/null
wait_for 90 "FRRNodeState to report success again" reload_ok
ok "removing the bad raw config brings the reload result back to success"

echo
echo "demo passed: ${#checks[@]} checks held (API server, FRR in namespaces, all frr-k8s processes, FRRNodeState, BGP session, routes both ways with filtering, BGPSessionState, frrk8s_bgp_session_up, webhook refusal, bad raw config reported)"
