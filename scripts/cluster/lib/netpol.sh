# shellcheck shell=bash
# NetworkPolicy enforcement for the local cluster: kube-router as a firewall only (no routing,
# no service proxy), built by ensure_kube_router_binary (build.sh). The CNI bridge plugin
# ignores NetworkPolicy; kube-router turns each policy into iptables chains and ipsets.
#
# kube-router v2.1.0 (the only version the Go module proxy serves) has reported security
# flaws: acceptable only because it runs solely in this throwaway local test cluster, with its
# health and metrics servers off (no port is opened). It enforces IPv4 only, and on each sync
# it rewrites the whole filter table (iptables-save, edit, iptables-restore): a rule another
# program (dockerd) adds during that moment is lost, so the periodic sync is kept at 5 minutes
# (policy, pod and namespace changes still sync at once). On SIGTERM it leaves its rules and
# ipsets behind; `down` removes them (remove_kube_router_rules), never anything else.

# What kube-router creates (its netpol controller's names): chains in the filter table, the
# jumps to its three top chains from INPUT/FORWARD/OUTPUT, and hash:ip/hash:net ipsets.
KUBE_ROUTER_CHAINS='^KUBE-(ROUTER-(INPUT|FORWARD|OUTPUT)|NWPLCY-|POD-FW-)'
KUBE_ROUTER_JUMP='-j KUBE-ROUTER-(INPUT|FORWARD|OUTPUT)( |$)'
KUBE_ROUTER_IPSETS='^KUBE-(SRC|DST)-'
# "ours" once `up` has checked that no such chain or set existed before it started kube-router.
KUBE_ROUTER_MARKER="$RUN/kube-router-netfilter"

network_policy_enabled() { [ "$NETWORK_POLICY" != 0 ]; }

kube_router_chains() {
  local cmd="$1"
  "$cmd" -t filter -S 2>/dev/null | awk -v re="$KUBE_ROUTER_CHAINS" '$1 == "-N" && $2 ~ re { print $2 }'
}
kube_router_ipsets() {
  command -v ipset >/dev/null || return 0
  ipset list -n 2>/dev/null | grep -E "$KUBE_ROUTER_IPSETS" || true
}

# Ready once its first sync put the jump to KUBE-ROUTER-FORWARD into FORWARD.
kube_router_ready() {
  iptables -t filter -S FORWARD 2>/dev/null | grep -qE -- "$KUBE_ROUTER_JUMP"
}

# Read-only access to what the netpol controller watches (its informers also start for
# services, endpoints and endpointslices), for the client certificate of ensure_pki.
apply_kube_router_rbac() {
  kc apply -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: rgsd-local:kube-router
  labels: {app.kubernetes.io/managed-by: rgsd-local-cluster}
rules:
  - apiGroups: [""]
    resources: [pods, namespaces, nodes, services, endpoints]
    verbs: [get, list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [get, list, watch]
  - apiGroups: [networking.k8s.io]
    resources: [networkpolicies]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: rgsd-local:kube-router
  labels: {app.kubernetes.io/managed-by: rgsd-local-cluster}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "rgsd-local:kube-router"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: rgsd-local-kube-router}
EOF
}

start_kube_router() {
  if ! network_policy_enabled; then
    log "NetworkPolicy enforcement off (RGSD_CLUSTER_NETWORK_POLICY=0): kube-router not started"
    return 0
  fi
  command -v ipset >/dev/null || die "ipset not found; kube-router needs it (apt-get install ipset), or set RGSD_CLUSTER_NETWORK_POLICY=0"
  command -v iptables-restore >/dev/null || die "iptables-restore not found (apt-get install iptables), or set RGSD_CLUSTER_NETWORK_POLICY=0"
  if [ ! -f "$KUBE_ROUTER_MARKER" ]; then
    local found
    found="$( { kube_router_chains iptables; kube_router_chains ip6tables; kube_router_ipsets; } | sort -u | tr '\n' ' ')"
    [ -z "$found" ] || die "kube-router chains or ipsets exist that this cluster did not create (another kube-router on this machine?): $found— not touching them; RGSD_CLUSTER_NETWORK_POLICY=0 starts the cluster without NetworkPolicy enforcement"
    mkdir -p "$RUN"
    echo ours >"$KUBE_ROUTER_MARKER"
  fi
  apply_kube_router_rbac
  start_component kube-router "$KUBE_ROUTER_BIN" \
    --kubeconfig "$PKI/kube-router.kubeconfig" --hostname-override "$NODE_NAME" \
    --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
    --enable-cni=false --enable-ipv4=true --enable-ipv6=false \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --health-port=0 --metrics-port=0 --enable-pprof=false \
    --iptables-sync-period=5m --v=1
  wait_for kube-router 90 kube_router_ready || fail_with_log kube-router "kube-router did not set up its iptables chains"
}

# After kube-router has stopped: the jumps to its top chains, its chains (flushed first, as
# they jump to each other), then its ipsets (no longer referenced). Only when `up` recorded
# that none of them existed before it started kube-router.
remove_kube_router_rules() {
  [ "$(cat "$KUBE_ROUTER_MARKER" 2>/dev/null)" = ours ] || return 0
  local cmd chain line set
  local -a chains rules
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    for chain in INPUT FORWARD OUTPUT; do
      mapfile -t rules < <("$cmd" -t filter -S "$chain" 2>/dev/null | grep -E -- "$KUBE_ROUTER_JUMP" || true)
      for line in "${rules[@]}"; do
        # iptables -S quotes the comment like a shell word; xargs splits it the same way.
        printf '%s\n' "-D ${line#-A }" | xargs "$cmd" -t filter || log "could not delete '$line' ($cmd)"
      done
    done
    mapfile -t chains < <(kube_router_chains "$cmd")
    for chain in "${chains[@]}"; do "$cmd" -t filter -F "$chain" || true; done
    for chain in "${chains[@]}"; do "$cmd" -t filter -X "$chain" || log "could not remove $cmd chain $chain; still referenced?"; done
  done
  for set in $(kube_router_ipsets); do
    ipset destroy "$set" || log "could not destroy ipset $set; still referenced?"
  done
  rm -f "$KUBE_ROUTER_MARKER"
}
