# Shared parts of the local demos (hack/demo/demo.sh, hack/demo/demo-metallb.sh):
# a real kube-apiserver and etcd, one Node whose FRR runs in a network
# namespace, an external FRR router in another, and the frr-k8s processes run
# as the DaemonSet runs them. Source it from bash; it defines variables and
# functions only. A demo script calls, in order:
#
#   demo_init NAME                    checks, traps (teardown on exit and Ctrl-C)
#   demo_prepare                      installs and builds what the demo needs
#   demo_start_controlplane [CRD_DIR...]
#   demo_register_node
#   demo_start_frr                    node FRR and the external router (no config)
#   demo_start_frrk8s                 reloader, controller, status, metrics, webhook
#   demo_write_env
#
# and `demo_teardown` alone for "down".
#
# DEMO_FRR=10 runs both FRRs from the FRR 10 chroot (hack/frr10-chroot.sh)
# instead of the host's FRR 8.4.

DEMO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
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
NODE_ASN=64512
PEER_ASN=64513
DEMO_FRR="${DEMO_FRR:-8}"

DEMO_NAME=demo
checks=()
fail() { echo "$DEMO_NAME FAILED: $*" >&2; exit 1; }
ok() { checks+=("$1"); echo "  ok: $1"; }
step() { echo; echo "== $*"; }

# ---------------------------------------------------------------- teardown

kill_pidfile() {
  local f="$1"
  [[ -f "$f" ]] || return 0
  local pid; pid="$(cat "$f" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
}

demo_teardown() {
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
  set -e
}

demo_on_exit() {
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
    demo_teardown
  else
    echo "environment kept in $STATE (described in $STATE/env); stop it with: hack/demo/demo.sh down"
    echo "KUBECONFIG to use: export KUBECONFIG=$STATE/kubeconfig (kubectl: ${ASSETS:-}/kubectl)"
  fi
}

# demo_init NAME: the name failures are reported under; installs the exit and
# Ctrl-C traps and removes what an earlier run left behind.
demo_init() {
  DEMO_NAME="$1"
  trap demo_on_exit EXIT
  trap 'exit 130' INT TERM
  [[ $(id -u) -eq 0 ]] || fail "run the demo as root: it creates network namespaces"
  demo_teardown
}

# ---------------------------------------------------------------- helpers

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

kubectl() { "$ASSETS/kubectl" "$@"; }
# vtysh_cmd NAME: the vtysh command line for FRR instance NAME.
vtysh_cmd() {
  if [[ $DEMO_FRR == 10 ]]; then
    echo "sh $STATE/frr-$1/chroot-exec /usr/bin/vtysh"
  else
    echo "vtysh --vty_socket $STATE/frr-$1/run"
  fi
}
vtysh_node() { $(vtysh_cmd node) "$@"; }
vtysh_peer() { $(vtysh_cmd peer) "$@"; }

# ---------------------------------------------------------------- set-up

demo_prepare() {
  step "installing what the demo needs"
  "$DEMO_ROOT/hack/install-deps.sh"
  if [[ $DEMO_FRR == 10 ]]; then
    FRR10_ROOT="$("$DEMO_ROOT/hack/frr10-chroot.sh")"
    echo "FRR 10 from $FRR10_ROOT"
  elif [[ $DEMO_FRR != 8 ]]; then
    fail "DEMO_FRR=$DEMO_FRR: use 8 (the host's FRR 8.4) or 10 (the FRR 10 chroot)"
  fi
  ASSETS="$("$DEMO_ROOT/hack/envtest-assets.sh")"
  export KUBEBUILDER_ASSETS="$ASSETS"
  make -C "$DEMO_ROOT" --no-print-directory build >/dev/null
  BIN="$DEMO_ROOT/bin"
  local b
  for b in frr-k8s-controller reloader status metrics statuscleaner; do
    [[ -x "$BIN/$b" ]] || fail "bin/$b was not built"
  done
  mkdir -p "$STATE"/{pids,logs,shared,certs}
  ( cd "$DEMO_ROOT" && go build -o "$STATE/controlplane" ./hack/demo/controlplane )
}

# demo_start_controlplane [CRD_DIR...]: the API server with frr-k8s's CRDs
# and those of the given folders.
demo_start_controlplane() {
  step "starting kube-apiserver and etcd"
  export KUBECONFIG="$STATE/kubeconfig"
  export KUBEBUILDER_CONTROLPLANE_START_TIMEOUT="${KUBEBUILDER_CONTROLPLANE_START_TIMEOUT:-180s}"
  local crds=("--crds" "$DEMO_ROOT/config/crd/bases") d
  for d in "$@"; do crds+=("--crds" "$d"); done
  start controlplane "$STATE/controlplane" --write-kubeconfig "$KUBECONFIG" "${crds[@]}"
  wait_for 200 "the API server" test -f "$KUBECONFIG"
  wait_for 30 "the CRDs" kubectl get frrconfigurations -A
  ok "kube-apiserver and etcd are up with the frr-k8s CRDs"
}

demo_register_node() {
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
}

# frr_instance NAME NETNS: private run and config folders, daemons in the foreground.
frr_instance() {
  if [[ $DEMO_FRR == 10 ]]; then frr10_instance "$@"; return; fi
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

# frr10_instance NAME NETNS: FRR 10 from the chroot with its compiled-in
# paths; a wrapper (as internal/frrtest's FRR 10 backend writes it) enters a
# private mount namespace and mounts the instance's run, etc and lib folders
# over the chroot's, and /tmp for the tools, so the demo's files under /tmp
# have the same path for FRR.
frr10_instance() {
  local name="$1" netns="$2" dir="$STATE/frr-$1" ids
  ids="$(awk -F: '$1 == "frr" {print $3 ":" $4}' "$FRR10_ROOT/etc/passwd")"
  [[ -n "$ids" ]] || fail "no frr user in $FRR10_ROOT"
  [[ "$dir" == /tmp/* ]] || fail "DEMO_STATE must be under /tmp with DEMO_FRR=10"
  install -d -m 0755 "$dir"
  install -d -o "${ids%%:*}" -g "${ids##*:}" -m 0755 "$dir/run" "$dir/etc" "$dir/lib"
  printf 'service integrated-vtysh-config\n' >"$dir/etc/vtysh.conf"
  cat >"$dir/chroot-exec" <<WRAPPER
#!/bin/sh
# Runs a command in the FRR 10 chroot $FRR10_ROOT as FRR instance $name sees it.
set -e
exec unshare --mount --propagation private -- /bin/sh -e -c '
root=\$1; state=\$2; shift 2
if [ "\$DEMO_FRR_DAEMON" = 1 ]; then
  mount -t proc proc "\$root/proc"
  mount -t sysfs sysfs "\$root/sys"
  mount --bind "\$state/lib" "\$root/var/lib/frr"
else
  mount --rbind /tmp "\$root/tmp"
fi
mount --bind "\$state/run" "\$root/run/frr"
mount --bind "\$state/etc" "\$root/etc/frr"
unset DEMO_FRR_DAEMON
exec chroot "\$root" "\$@"' sh "$FRR10_ROOT" "$dir" "\$@"
WRAPPER
  local d
  for d in mgmtd zebra bgpd bfdd staticd; do
    start "frr-$name-$d" ip netns exec "$netns" env DEMO_FRR_DAEMON=1 sh "$dir/chroot-exec" \
      "/usr/lib/frr/$d" -P 0 --log stdout
    [[ $d == mgmtd ]] && wait_for 15 "mgmtd of $name" test -S "$dir/run/mgmtd.vty"
    [[ $d == zebra ]] && wait_for 15 "zebra of $name" test -S "$dir/run/zserv.api"
  done
  wait_for 15 "bgpd of $name" test -S "$dir/run/bgpd.vty"
  wait_for 15 "bfdd of $name" test -S "$dir/run/bfdd.vty"
}

# demo_start_frr: the node's and the external router's FRR, joined by a veth
# pair (node $NODE_ADDR, router $PEER_ADDR); the router has no config yet.
demo_start_frr() {
  step "starting FRR for the node and an external router in network namespaces"
  local ns
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
}

demo_start_frrk8s() {
  step "starting the frr-k8s processes as the DaemonSet runs them"
  SHARED="$STATE/shared"
  RUN="$STATE/frr-node/run"
  local vtysh reload_cmd reload_args
  vtysh="$(vtysh_cmd node)"
  if [[ $DEMO_FRR == 10 ]]; then
    # The chroot's compiled-in paths are the instance's folders.
    reload_cmd="sh $STATE/frr-node/chroot-exec /usr/bin/python3 /usr/lib/frr/frr-reload.py"
    reload_args=""
  else
    reload_cmd="python3 /usr/lib/frr/frr-reload.py"
    reload_args="--bindir /usr/bin --confdir $STATE/frr-node/etc --rundir $RUN --vty_socket $RUN"
  fi
  start reloader env SHARED_VOLUME="$SHARED" FRR_RELOAD_CMD="$reload_cmd" FRR_RELOAD_ARGS="$reload_args" FRR_RELOADER_PID_DIR="$RUN" \
    VTYSH_CMD="$vtysh" "$BIN/reloader"
  wait_for 10 "the reloader pid file" test -s "$SHARED/reloader.pid"
  start controller env FRR_CONFIG_FILE="$SHARED/frr.conf" FRR_RELOADER_PID_FILE="$SHARED/reloader.pid" \
    FRR_RELOADER_STATUS_DIR="$SHARED" FRR_K8S_BGP_DEBOUNCE_TIMEOUT=500 \
    "$BIN/frr-k8s-controller" --node-name="$NODE" --namespace="$NS" --log-level=info \
    --metrics-bind-address="$CONTROLLER_METRICS" --health-probe-bind-address="$HEALTH"
  start frr-status env VTYSH_CMD="$vtysh" \
    "$BIN/status" --node-name="$NODE" --namespace="$NS" --pod-name="frr-k8s-$NODE" --log-level=info --poll-interval=2s
  start frr-metrics env VTYSH_CMD="$vtysh" \
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
  local ca_bundle
  ca_bundle="$(base64 -w0 <"$STATE/certs/ca.crt")"
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
    caBundle: $ca_bundle
  rules:
  - apiGroups: [frrk8s.metallb.io]
    apiVersions: [v1beta1]
    operations: [CREATE, UPDATE]
    resources: [frrconfigurations]
EOF
  wait_for 30 "the controller's health probe" curl -sf "http://$HEALTH/healthz"
  wait_for 30 "the webhook" curl -skf "https://127.0.0.1:$WEBHOOK_PORT/healthz"
  ok "controller, reloader, frr-status, frr-metrics and statuscleaner (webhook) are running"
}

# demo_write_env: describe the environment for tools that use it (hack/e2e.sh
# sources $STATE/env).
demo_write_env() {
  {
    echo "# The frr-k8s demo environment; source it from a shell."
    DEMO_KUBECTL="$ASSETS/kubectl" DEMO_NAMESPACE="$NS" DEMO_NODE="$NODE" DEMO_NODE_ASN="$NODE_ASN" \
      DEMO_NODE_NETNS="$NODE_NETNS" DEMO_NODE_ADDRESS="$NODE_ADDR" DEMO_NODE_VTY_SOCKET_DIR="$RUN" \
      DEMO_PEER_NETNS="$PEER_NETNS" DEMO_PEER_ADDRESS="$PEER_ADDR" DEMO_PEER_ASN="$PEER_ASN" \
      DEMO_PEER_VTY_SOCKET_DIR="$STATE/frr-peer/run" DEMO_METRICS_URL="https://127.0.0.1:$METRICS_PORT/metrics" \
      DEMO_CONTROLLER_METRICS_URL="https://$CONTROLLER_METRICS/metrics" DEMO_WEBHOOK_URL="https://127.0.0.1:$WEBHOOK_PORT" \
      bash -c 'for k in "$@"; do printf "export %s=%q\n" "$k" "${!k}"; done' _ \
      KUBECONFIG DEMO_KUBECTL DEMO_NAMESPACE DEMO_NODE DEMO_NODE_ASN DEMO_NODE_NETNS DEMO_NODE_ADDRESS \
      DEMO_NODE_VTY_SOCKET_DIR DEMO_PEER_NETNS DEMO_PEER_ADDRESS DEMO_PEER_ASN DEMO_PEER_VTY_SOCKET_DIR \
      DEMO_METRICS_URL DEMO_CONTROLLER_METRICS_URL DEMO_WEBHOOK_URL
  } >"$STATE/env"
}

# node_state FIELD: a field of the node's FRRNodeState status.
node_state() { kubectl get frrnodestate "$NODE" -o "jsonpath={.status.$1}" 2>/dev/null; }
