# shellcheck shell=bash
# Starting each component of the local cluster (etcd, control plane, containerd, kubelet)
# and the readiness checks `up` and `status` share.

etcd_healthy() {
  curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/apiserver-etcd-client.crt" --key "$PKI/apiserver-etcd-client.key" \
    "https://127.0.0.1:$ETCD_CLIENT_PORT/health" | grep -q '"health":"true"'
}
apiserver_ready() {
  curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$APISERVER_URL/readyz" | grep -qx ok
}
containerd_ready() { ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; }
node_ready() {
  [ "$(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

start_etcd() {
  command -v etcd >/dev/null || die "etcd not found (apt-get install etcd-server)"
  mkdir -p "$CLUSTER_DIR/etcd"
  chmod 700 "$CLUSTER_DIR/etcd"
  start_component etcd etcd --name rgsd-local --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "rgsd-local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --cert-file "$PKI/etcd-server.crt" --key-file "$PKI/etcd-server.key" \
    --client-cert-auth --trusted-ca-file "$PKI/ca.crt"
  wait_for etcd 30 etcd_healthy || fail_with_log etcd "etcd did not become healthy"
}

# The kubeconfigs use 127.0.0.1; pods reach the apiserver at the bridge address it advertises
# (the `kubernetes` EndpointSlice, which rgsd up turns into the NetworkPolicy's apiServerCIDRs),
# so it listens on all addresses, with anonymous requests refused.
start_apiserver() {
  start_component kube-apiserver "$BIN_CACHE/kube-apiserver" \
    --bind-address 0.0.0.0 --secure-port "$APISERVER_PORT" --advertise-address "$POD_GATEWAY" \
    --anonymous-auth=false \
    --etcd-servers "https://127.0.0.1:$ETCD_CLIENT_PORT" --etcd-cafile "$PKI/ca.crt" \
    --etcd-certfile "$PKI/apiserver-etcd-client.crt" --etcd-keyfile "$PKI/apiserver-etcd-client.key" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=true --profiling=false --v=1
  wait_for kube-apiserver 120 apiserver_ready || fail_with_log kube-apiserver "kube-apiserver did not become ready"
}

start_controller_manager() {
  start_component kube-controller-manager "$BIN_CACHE/kube-controller-manager" \
    --kubeconfig "$PKI/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$PKI/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$PKI/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --use-service-account-credentials --service-cluster-ip-range "$SERVICE_CIDR" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --profiling=false --v=1
}

start_scheduler() {
  start_component kube-scheduler "$BIN_CACHE/kube-scheduler" \
    --kubeconfig "$PKI/scheduler.kubeconfig" \
    --authentication-kubeconfig "$PKI/scheduler.kubeconfig" \
    --authorization-kubeconfig "$PKI/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --profiling=false --v=1
}

# containerd with its own socket, root and state: docker's containerd is never touched.
start_containerd() {
  command -v containerd >/dev/null || die "containerd not found (apt-get install containerd)"
  command -v runc >/dev/null || die "runc not found (apt-get install runc)"
  [ -x "$CNI_BIN_DIR/bridge" ] || die "CNI plugins not found in $CNI_BIN_DIR (apt-get install containernetworking-plugins)"
  mkdir -p "$CONTAINERD_DIR" "$CLUSTER_DIR/cni/net.d"
  cat >"$CONTAINERD_DIR/config.toml" <<EOF
version = 2
root = "$CONTAINERD_ROOT"
state = "$CONTAINERD_DIR/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[debug]
  address = "$CONTAINERD_DIR/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CONTAINERD_DIR/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # network namespaces under the state dir, so down can unmount every leftover
  netns_mounts_under_state_dir = true
  # This machine withholds CAP_SYS_RESOURCE even from root, so no process may lower its
  # oom_score_adj (the kubelet asks -998 for sandboxes); clamp instead of failing.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$CONTAINERD_DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CLUSTER_DIR/cni/net.d"
EOF
  write_cni_config
  start_component containerd containerd --config "$CONTAINERD_DIR/config.toml"
  wait_for containerd 30 containerd_ready || fail_with_log containerd "containerd did not start"
}

write_cni_config() {
  cat >"$CLUSTER_DIR/cni/net.d/10-rgsd.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "rgsd-local",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$CLUSTER_DIR/cni/ipam"
      }
    }
  ]
}
EOF
}

# Pods leave through the host. dockerd sets the FORWARD policy to DROP, so accept the pod
# bridge's traffic explicitly (tagged rules, removed again by `down`; nothing is flushed).
FORWARD_RULES=(
  "-i $CNI_BRIDGE -m comment --comment rgsd-local-cluster -j ACCEPT"
  "-o $CNI_BRIDGE -m comment --comment rgsd-local-cluster -j ACCEPT"
)
add_forward_rules() {
  local rule
  command -v iptables >/dev/null || return 0
  for rule in "${FORWARD_RULES[@]}"; do
    # shellcheck disable=SC2086 # the rule is a list of iptables words
    iptables -C FORWARD $rule 2>/dev/null || iptables -I FORWARD 1 $rule
  done
}
remove_forward_rules() {
  local rule
  command -v iptables >/dev/null || return 0
  for rule in "${FORWARD_RULES[@]}"; do
    # shellcheck disable=SC2086
    while iptables -C FORWARD $rule 2>/dev/null; do iptables -D FORWARD $rule; done
  done
}

# The kubelet adds a few iptables chains of its own (KUBE-FIREWALL, canaries). Remember
# whether they were there before, so `down` removes them only when this cluster made them.
KUBELET_CHAINS_MARKER="$RUN/kubelet-iptables-chains"
note_kubelet_chains() {
  command -v iptables >/dev/null || return 0
  [ -f "$KUBELET_CHAINS_MARKER" ] && return 0
  if iptables -t mangle -S KUBE-KUBELET-CANARY >/dev/null 2>&1; then
    echo preexisting >"$KUBELET_CHAINS_MARKER"
  else
    echo ours >"$KUBELET_CHAINS_MARKER"
  fi
}
remove_kubelet_chains() {
  local cmd table chain
  [ "$(cat "$KUBELET_CHAINS_MARKER" 2>/dev/null)" = ours ] || return 0
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    for chain in INPUT OUTPUT; do
      while "$cmd" -C "$chain" -j KUBE-FIREWALL 2>/dev/null; do "$cmd" -D "$chain" -j KUBE-FIREWALL; done
    done
    for table in filter:KUBE-FIREWALL filter:KUBE-KUBELET-CANARY nat:KUBE-KUBELET-CANARY mangle:KUBE-KUBELET-CANARY mangle:KUBE-IPTABLES-HINT; do
      if "$cmd" -t "${table%%:*}" -S "${table#*:}" >/dev/null 2>&1; then
        if ! { "$cmd" -t "${table%%:*}" -F "${table#*:}" && "$cmd" -t "${table%%:*}" -X "${table#*:}"; }; then
          log "could not remove $cmd chain ${table#*:} (${table%%:*}); still referenced?"
        fi
      fi
    done
  done
}

start_kubelet() {
  note_kubelet_chains
  mkdir -p "$KUBELET_DIR/root"
  cat >"$KUBELET_DIR/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine runs cgroup v1 (hybrid); recent kubelets refuse it unless told otherwise.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: $(node_ip)
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $PKI/ca.crt
authorization:
  mode: Webhook
failSwapOn: false
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
# Images here cannot be pulled again (no registry): never garbage-collect them, and only
# evict when the disk is really full.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 100Mi
  nodefs.available: 2%
  imagefs.available: 2%
  nodefs.inodesFree: 2%
serializeImagePulls: false
EOF
  start_component kubelet "$BIN_CACHE/kubelet" \
    --config "$KUBELET_DIR/config.yaml" --kubeconfig "$PKI/kubelet.kubeconfig" \
    --root-dir "$KUBELET_DIR/root" --cert-dir "$KUBELET_DIR/pki" \
    --hostname-override "$NODE_NAME" --node-ip "$(node_ip)" --v=1
  wait_for "node $NODE_NAME" 120 node_ready || fail_with_log kubelet "node $NODE_NAME did not become Ready"
}
