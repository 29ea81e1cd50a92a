#!/usr/bin/env bash
# MetalLB as the client of frr-k8s, end to end: the local demo's parts
# (hack/demo/lib.sh: kube-apiserver and etcd, the node's FRR and an external
# router in network namespaces, the frr-k8s processes) plus MetalLB's own
# controller and speaker (built from the Go module proxy by
# hack/metallb-assets.sh) as processes, the speaker in FRR-K8s mode. MetalLB
# runs in its own namespace, metallb-system, as most users run it. The demo
# then does what a MetalLB user does (an IPAddressPool, a BGPPeer with a
# password Secret and a BFDProfile, a BGPAdvertisement with a community and a
# local preference, a LoadBalancer Service with a ready endpoint on the node)
# and checks what frr-k8s makes of MetalLB's per-node FRRConfiguration, down to
# the routes, communities and BFD the external router sees.
#
# Usage: hack/demo/demo-metallb.sh          run everything and clean up
#        KEEP=1 hack/demo/demo-metallb.sh   leave it running (hack/demo/demo.sh down stops it)
#        SERVICES=50                        how many Services the scale step creates
#        METALLB_NAMESPACE=frr-k8s-system   run MetalLB in frr-k8s's namespace: its
#                                           BGPPeer's Secret then reaches frr-k8s as
#                                           passwordSecret instead of a plain password
#        DEMO_FRR=10                        FRR 10 (chroot) instead of the host's 8.4
set -euo pipefail

# shellcheck source=hack/demo/lib.sh
source "$(dirname "$0")/lib.sh"
ROOT="$DEMO_ROOT"

if [[ "${1:-}" == "down" ]]; then
  demo_teardown
  echo "demo environment removed"
  exit 0
fi

MLB_NS="${METALLB_NAMESPACE:-metallb-system}"
MLB_CONTROLLER_PORT=17472
MLB_SPEAKER_PORT=17474
# The node and the router share AS 64512 (iBGP), so the router sees the
# local preference MetalLB asks for as well as the community.
PEER_ASN=64512
POOL_PREFIX=192.0.2
COMMUNITY=64512:100
LOCAL_PREF=150
BFD_PROFILE=fast
PASSWORD=demo-bgp-password
SERVICES="${SERVICES:-50}"
started=$SECONDS

demo_init demo-metallb

step "building (once) MetalLB's controller and speaker"
MLB="$("$ROOT/hack/metallb-assets.sh")"
MLB_VERSION="$(basename "$MLB")"
echo "MetalLB $MLB_VERSION from $MLB"
demo_prepare
demo_start_controlplane "$MLB/crd"
wait_for 30 "MetalLB's CRDs" kubectl get bgppeers.v1beta2.metallb.io -A
ok "the API server also serves MetalLB $MLB_VERSION's CRDs"
demo_register_node
demo_start_frr

# The external router: iBGP with the node, with the password and BFD MetalLB's
# BGPPeer asks for; it announces 203.0.113.0/24, which only the user's
# FRRConfiguration below lets the node accept. `debug bgp updates` logs every
# prefix it receives and every withdrawal, which the scale step counts.
cat >"$STATE/frr-peer/peer.conf" <<EOF
debug bgp updates
router bgp $PEER_ASN
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor $NODE_ADDR remote-as $NODE_ASN
 neighbor $NODE_ADDR password $PASSWORD
 neighbor $NODE_ADDR bfd
 address-family ipv4 unicast
  network 203.0.113.0/24
  neighbor $NODE_ADDR activate
 exit-address-family
EOF
vtysh_peer -f "$STATE/frr-peer/peer.conf" >/dev/null
ok "FRR runs for $NODE in netns $NODE_NETNS; the external router (AS $PEER_ASN, password, BFD) in $PEER_NETNS"

demo_start_frrk8s
demo_write_env

step "starting MetalLB's controller and speaker (FRR-K8s mode) as its manifests run them"
[[ "$MLB_NS" == "$NS" ]] || kubectl create namespace "$MLB_NS" >/dev/null
# The speaker looks up its own Pod (the owner of its ServiceBGPStatus objects).
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: speaker-$NODE
  namespace: $MLB_NS
  labels:
    app: metallb
    component: speaker
spec:
  nodeName: $NODE
  hostNetwork: true
  containers:
  - name: speaker
    image: quay.io/metallb/speaker:$MLB_VERSION
EOF
# As config/manifests/metallb-frr-k8s.yaml, with: the namespace given (no
# service account file here), memberlist off (no METALLB_ML_* variables: the
# demo has one node), MetalLB's webhooks off (they need a Service in front),
# and frr-k8s in its own namespace (--frrk8s-namespace).
start metallb-controller env METALLB_BGP_TYPE=frr-k8s METALLB_NAMESPACE="$MLB_NS" \
  "$MLB/controller" --port="$MLB_CONTROLLER_PORT" --log-level=info --tls-min-version=VersionTLS12 \
  --webhook-mode=disabled --disable-cert-rotation
start metallb-speaker env METALLB_BGP_TYPE=frr-k8s METALLB_NAMESPACE="$MLB_NS" METALLB_NODE_NAME="$NODE" \
  METALLB_POD_NAME="speaker-$NODE" METALLB_HOST=127.0.0.1 \
  "$MLB/speaker" --port="$MLB_SPEAKER_PORT" --log-level=info --frrk8s-namespace="$NS"
wait_for 60 "MetalLB's controller metrics" curl -sf "http://127.0.0.1:$MLB_CONTROLLER_PORT/metrics"
wait_for 60 "MetalLB's speaker metrics" curl -sf "http://127.0.0.1:$MLB_SPEAKER_PORT/metrics"
ok "MetalLB $MLB_VERSION controller and speaker are running (speaker: METALLB_BGP_TYPE=frr-k8s, --frrk8s-namespace=$NS)"

# ---------------------------------------------------------------- what a MetalLB user applies

step "applying MetalLB's configuration and a LoadBalancer Service"
kubectl apply -f - <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: tor-password
  namespace: $MLB_NS
type: kubernetes.io/basic-auth
stringData:
  password: $PASSWORD
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata:
  name: $BFD_PROFILE
  namespace: $MLB_NS
spec:
  receiveInterval: 300
  transmitInterval: 300
  detectMultiplier: 3
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: demo-pool
  namespace: $MLB_NS
spec:
  addresses:
  - $POOL_PREFIX.0/24
  avoidBuggyIPs: true
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata:
  name: tor
  namespace: $MLB_NS
spec:
  myASN: $NODE_ASN
  peerASN: $PEER_ASN
  peerAddress: $PEER_ADDR
  passwordSecret:
    name: tor-password
    namespace: $MLB_NS
  bfdProfile: $BFD_PROFILE
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata:
  name: demo-adv
  namespace: $MLB_NS
spec:
  ipAddressPools:
  - demo-pool
  communities:
  - "$COMMUNITY"
  localPref: $LOCAL_PREF
EOF

# service NAME: a LoadBalancer Service with one ready endpoint on the node
# (externalTrafficPolicy Local, so the speaker announces it only from a node
# with a ready local endpoint). No endpoint controller runs here, so the
# EndpointSlice is written as kube-controller-manager would write it.
service() {
  cat <<EOF
apiVersion: v1
kind: Service
metadata:
  name: $1
  namespace: default
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector:
    app: $1
  ports:
  - port: 80
    targetPort: 8080
    protocol: TCP
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: $1-demo
  namespace: default
  labels:
    kubernetes.io/service-name: $1
    endpointslice.kubernetes.io/managed-by: demo
addressType: IPv4
endpoints:
- addresses:
  - 10.244.0.10
  conditions:
    ready: true
  nodeName: $NODE
ports:
- port: 8080
  protocol: TCP
  name: ""
---
EOF
}
service web | kubectl apply -f -

svc_ip() { kubectl get service -n default "$1" -o 'jsonpath={.status.loadBalancer.ingress[0].ip}' 2>/dev/null; }
has_ip() { [[ -n "$(svc_ip "$1")" ]]; }
wait_for 60 "MetalLB to assign an IP to Service web" has_ip web
WEB_IP="$(svc_ip web)"
[[ "$WEB_IP" == "$POOL_PREFIX".* ]] || fail "Service web got $WEB_IP, outside the pool"
ok "MetalLB's controller assigned $WEB_IP to Service default/web from IPAddressPool demo-pool"

MLB_CONFIG="metallb-$NODE"
config_has() { kubectl get frrconfiguration -n "$NS" "$MLB_CONFIG" -o yaml 2>/dev/null | grep -q "$1"; }
wait_for 60 "the speaker's FRRConfiguration $NS/$MLB_CONFIG to announce $WEB_IP" config_has "$WEB_IP/32"
echo "--- FRRConfiguration $NS/$MLB_CONFIG written by MetalLB's speaker (password elided):"
kubectl get frrconfiguration -n "$NS" "$MLB_CONFIG" -o yaml |
  sed -n '/^spec:/,$p' | sed "s/$PASSWORD/<elided>/"
secret_ref="$(kubectl get frrconfiguration -n "$NS" "$MLB_CONFIG" \
  -o 'jsonpath={.spec.bgp.routers[*].neighbors[*].passwordSecret.name}')"
if [[ "$MLB_NS" != "$NS" ]]; then
  # MetalLB runs outside frr-k8s's namespace, so its speaker reads the Secret
  # and hands frr-k8s the password itself (it may not write Secrets there).
  config_has "password: $PASSWORD" || fail "$MLB_CONFIG does not carry the password from the Secret"
  [[ -z "$secret_ref" ]] || fail "$MLB_CONFIG refers to Secret $secret_ref, in a namespace frr-k8s does not read"
  how="the plain password read from MetalLB's Secret"
else
  # Same namespace: the speaker passes the Secret reference through and
  # frr-k8s reads the Secret itself.
  [[ "$secret_ref" == tor-password ]] || fail "$MLB_CONFIG does not refer to Secret tor-password (got '$secret_ref')"
  config_has "password: $PASSWORD" && fail "$MLB_CONFIG carries the plain password although it can refer to the Secret"
  how="passwordSecret tor-password"
fi
ok "the speaker wrote FRRConfiguration $NS/$MLB_CONFIG: node selector, neighbor with $how, BFD profile $BFD_PROFILE, $WEB_IP/32 with community and local preference"

generation_done() {
  # FRRNodeState reports success for a running config that has the Service IP.
  [[ "$(node_state lastConversionResult)" == success && "$(node_state lastReloadResult)" == success ]] &&
    node_state runningConfig | grep -q "$1"
}
wait_for 90 "FRRNodeState to report success with $WEB_IP/32" generation_done "$WEB_IP/32"
ok "FRRNodeState $NODE: conversion success, reload success, running config announces $WEB_IP/32"
echo "--- FRR's running config on $NODE (from FRRNodeState; the BGP part):"
node_state runningConfig | sed -n '/^router bgp/,/^exit$/p' | sed "s/$PASSWORD/<elided>/"

established() { vtysh_node -c "show bgp neighbors $PEER_ADDR json" | grep -q '"bgpState":"Established"'; }
wait_for 90 "the BGP session (with the password) to be Established" established
ok "BGP session $NODE <-> $PEER_ADDR (AS $PEER_ASN) is Established with the password from MetalLB's Secret ($how)"

# peer_route PREFIX: the external router's JSON view of PREFIX.
peer_route() { vtysh_peer -c "show bgp ipv4 unicast $1 json"; }
peer_has() { peer_route "$1/32" | grep -q '"prefix"'; }
wait_for 60 "the external router to receive $WEB_IP/32" peer_has "$WEB_IP"
route="$(peer_route "$WEB_IP/32")"
grep -q "\"string\":\"$COMMUNITY\"" <<<"$route" || fail "the router got $WEB_IP/32 without community $COMMUNITY: $route"
grep -q "\"locPrf\":$LOCAL_PREF" <<<"$route" || fail "the router got $WEB_IP/32 without local preference $LOCAL_PREF: $route"
ok "the external router received $WEB_IP/32 with community $COMMUNITY and local preference $LOCAL_PREF"
echo "--- the external router's view of $WEB_IP/32:"
vtysh_peer -c "show bgp ipv4 unicast $WEB_IP/32"

bfd_up() { vtysh_node -c "show bfd peer $PEER_ADDR json" | grep -q '"status":"up"'; }
wait_for 60 "the BFD session to be up" bfd_up
vtysh_node -c "show bfd peers" | sed -n '/peer /,/^$/p' | head -n 12
vtysh_node -c "show running-config" | grep -q "profile $BFD_PROFILE" || fail "BFD profile $BFD_PROFILE is not in FRR's config"
ok "BFD with $PEER_ADDR is up, using MetalLB's BFDProfile $BFD_PROFILE"

# ---------------------------------------------------------------- merging with a user's config

step "a user's FRRConfiguration for the same peer merges with MetalLB's"
established_count() {
  vtysh_node -c "show bgp neighbors $PEER_ADDR json" | python3 -c \
    'import json,sys; d=json.load(sys.stdin); print(next(iter(d.values())).get("connectionsEstablished", 0))'
}
sessions_before="$(established_count)"
# Merged neighbors must resolve to the same password, so the user gives the
# one MetalLB's config carries, in the same form.
if [[ "$MLB_NS" != "$NS" ]]; then
  user_password="password: $PASSWORD"
else
  user_password="passwordSecret: {name: tor-password, namespace: $NS}"
fi
kubectl apply -f - <<EOF
apiVersion: frrk8s.metallb.io/v1beta1
kind: FRRConfiguration
metadata:
  name: receive-from-tor
  namespace: $NS
spec:
  nodeSelector:
    matchLabels:
      kubernetes.io/hostname: $NODE
  bgp:
    routers:
    - asn: $NODE_ASN
      neighbors:
      - address: $PEER_ADDR
        asn: $PEER_ASN
        $user_password
        toReceive:
          allowed:
            prefixes:
            - prefix: 203.0.113.0/24
EOF
node_has() { vtysh_node -c "show bgp ipv4 unicast $1 json" | grep -q '"prefix"'; }
wait_for 90 "the node to accept 203.0.113.0/24" node_has 203.0.113.0/24
wait_for 30 "FRRNodeState to report success" generation_done "$WEB_IP/32"
peer_has "$WEB_IP" || fail "the router lost $WEB_IP/32 after the merge"
route="$(peer_route "$WEB_IP/32")"
grep -q "\"string\":\"$COMMUNITY\"" <<<"$route" || fail "the merge dropped community $COMMUNITY"
bfd_up || fail "BFD went down after the merge"
ok "merged on $NODE: the node accepts 203.0.113.0/24 (user's config) and still announces $WEB_IP/32 with its community, BFD up"

# ---------------------------------------------------------------- scale

step "scaling to $SERVICES Services and back"
# peer_pool_routes: the pool's /32s the external router has, one a line.
peer_pool_routes() {
  vtysh_peer -c "show bgp ipv4 unicast json" | python3 -c '
import json, sys
routes = json.load(sys.stdin).get("routes", {})
print("\n".join(sorted(p for p in routes if p.startswith(sys.argv[1]) and p.endswith("/32"))))' "$POOL_PREFIX."
}
peer_route_count() { peer_pool_routes | grep -c . || true; }
count_is() { [[ "$(peer_route_count)" == "$1" ]]; }
PEER_LOG="$STATE/logs/frr-peer-bgpd.log"
log_lines_before="$(wc -l <"$PEER_LOG")"
names=()
for i in $(seq 2 "$SERVICES"); do names+=("web-$i"); done
scale_started=$SECONDS
for n in "${names[@]}"; do service "$n"; done | kubectl apply -f - >/dev/null
all_have_ips() {
  local n
  for n in "${names[@]}"; do has_ip "$n" || return 1; done
}
wait_for 120 "IPs for $SERVICES Services" all_have_ips
wait_for 180 "the external router to receive $SERVICES Service IPs" count_is "$SERVICES"
up_secs=$((SECONDS - scale_started))
declare -A scaled_ips=()
for n in "${names[@]}"; do scaled_ips["$(svc_ip "$n")"]=1; done
[[ ${#scaled_ips[@]} -eq $((SERVICES - 1)) ]] || fail "the $((SERVICES - 1)) new Services do not have distinct IPs"
[[ "$(established_count)" == "$sessions_before" ]] || fail "the BGP session was reset while scaling up"
ok "$SERVICES Services: each has its own IP and the external router has all $SERVICES /32s (${up_secs}s), no session reset"

scale_started=$SECONDS
for n in "${names[@]}"; do echo "service/$n endpointslice/$n-demo"; done | xargs kubectl delete -n default >/dev/null
wait_for 180 "the external router to have only $WEB_IP/32 left" count_is 1
down_secs=$((SECONDS - scale_started))
peer_has "$WEB_IP" || fail "the router lost $WEB_IP/32 while the other Services were deleted"
[[ "$(established_count)" == "$sessions_before" ]] || fail "the BGP session was reset while scaling down"
# Count from the router's own log of UPDATEs: each scaled IP announced and
# withdrawn, and no other prefix withdrawn.
tail -n +"$((log_lines_before + 1))" "$PEER_LOG" >"$STATE/scale-updates.log"
pool_re="${POOL_PREFIX//./\\.}\\.[0-9]+/32"
withdrawn="$(grep "rcvd" "$STATE/scale-updates.log" | grep "withdrawn" | grep -oE "$pool_re" | sort || true)"
announced="$(grep "rcvd" "$STATE/scale-updates.log" | grep -v "withdrawn" | grep -oE "$pool_re" | sort -u || true)"
n_withdrawn="$(grep -c . <<<"$withdrawn" || true)"
n_withdrawn_unique="$(sort -u <<<"$withdrawn" | grep -c . || true)"
n_announced="$(grep -c . <<<"$announced" || true)"
missing=0 foreign=0
for ip in "${!scaled_ips[@]}"; do
  grep -qx "$ip/32" <<<"$withdrawn" || missing=$((missing + 1))
  grep -qx "$ip/32" <<<"$announced" || missing=$((missing + 1))
done
while read -r p; do
  [[ -z "$p" ]] && continue
  [[ -n "${scaled_ips[${p%/32}]:-}" ]] || foreign=$((foreign + 1))
done <<<"$withdrawn"
echo "--- the router's log: $n_announced pool /32s announced, $n_withdrawn withdrawals ($n_withdrawn_unique prefixes)"
(( missing == 0 )) || fail "$missing announcements or withdrawals of the scaled Services are missing from the router's log"
(( foreign == 0 )) || fail "the router logged $foreign withdrawals of prefixes that were not deleted"
ok "scaled back to 1 Service (${down_secs}s): the router's log shows each of the $((SERVICES - 1)) IPs announced and withdrawn, and no other prefix withdrawn"

# ---------------------------------------------------------------- deleting the Service

step "deleting the Service withdraws its route"
kubectl delete -n default service/web endpointslice/web-demo >/dev/null
gone() { ! peer_has "$WEB_IP"; }
wait_for 60 "the external router to lose $WEB_IP/32" gone
established || fail "the session dropped when the last Service went away"
node_has 203.0.113.0/24 || fail "the node lost the user's 203.0.113.0/24"
ok "deleting Service web withdrew $WEB_IP/32; the session and the user's received route stay"

echo
echo "demo-metallb passed: ${#checks[@]} checks held (MetalLB $MLB_VERSION controller and speaker in FRR-K8s mode, Service IP, metallb-$NODE FRRConfiguration, FRRNodeState, password from a Secret, community and local preference at the router, BFD, merge with a user's config, $SERVICES Services up and down without a session reset, withdrawal on delete) in $((SECONDS - started))s"
