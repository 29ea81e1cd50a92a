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

# shellcheck source=hack/demo/lib.sh
source "$(dirname "$0")/lib.sh"
ROOT="$DEMO_ROOT"

if [[ "${1:-}" == "down" ]]; then
  demo_teardown
  echo "demo environment removed"
  exit 0
fi

demo_init demo
demo_prepare
demo_start_controlplane
demo_register_node
demo_start_frr
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

demo_start_frrk8s
demo_write_env

# ---------------------------------------------------------------- the example

step "applying the README's first example"
# The same object as the README's example, as a file users can apply.
kubectl apply -f "$ROOT/hack/demo/example.yaml"

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
