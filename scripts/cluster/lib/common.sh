# shellcheck shell=bash disable=SC2034 # settings are used by the other libs
# Shared settings and helpers of scripts/local-cluster. Sourced, never executed.
#
# Everything the cluster writes lives under $CLUSTER_DIR; built binaries and images are
# cached under $CACHE_DIR/k8s/<version>/ so a warm `up` does not compile anything.

CLUSTER_SRC="$REPO_ROOT/scripts/cluster"
CLUSTER_DIR="${RGSD_CLUSTER_DIR:-/var/tmp/rgsd-cluster}"
CACHE_DIR="${RGSD_CACHE_DIR:-$HOME/.cache/rgsd}"

# The Kubernetes version is pinned in exactly one place: the k8s.io/kubernetes require line
# of scripts/cluster/go.mod (scripts/cluster/pin-version rewrites it).
K8S_VERSION="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v[0-9]/ { print $2; exit }' "$CLUSTER_SRC/go.mod")"
[ -n "$K8S_VERSION" ] || { echo "local-cluster: no k8s.io/kubernetes version in $CLUSTER_SRC/go.mod" >&2; exit 1; }
BIN_CACHE="$CACHE_DIR/k8s/$K8S_VERSION"
K8S_BIN="$BIN_CACHE/k8s"
PAUSE_IMAGE="registry.local/rgsd/pause:$K8S_VERSION"
PAUSE_TAR="$BIN_CACHE/pause-image.tar"
# kube-router enforces NetworkPolicy (firewall only); its version is the require line of
# scripts/cluster/netpol/go.mod. RGSD_CLUSTER_NETWORK_POLICY=0 leaves it out.
KUBE_ROUTER_VERSION="$(awk '$1 == "github.com/cloudnativelabs/kube-router/v2" && $2 ~ /^v[0-9]/ { print $2; exit }' "$CLUSTER_SRC/netpol/go.mod")"
[ -n "$KUBE_ROUTER_VERSION" ] || { echo "local-cluster: no kube-router version in $CLUSTER_SRC/netpol/go.mod" >&2; exit 1; }
KUBE_ROUTER_BIN="$CACHE_DIR/kube-router/$KUBE_ROUTER_VERSION/kube-router"
NETWORK_POLICY="${RGSD_CLUSTER_NETWORK_POLICY:-1}"

NODE_NAME="${RGSD_CLUSTER_NODE:-rgsd-node}"
APISERVER_PORT="${RGSD_CLUSTER_APISERVER_PORT:-16443}"
ETCD_CLIENT_PORT="${RGSD_CLUSTER_ETCD_PORT:-12379}"
ETCD_PEER_PORT="$((ETCD_CLIENT_PORT + 1))"
KUBELET_PORT="${RGSD_CLUSTER_KUBELET_PORT:-10250}"
KUBELET_HEALTHZ_PORT="${RGSD_CLUSTER_KUBELET_HEALTHZ_PORT:-10248}"
SERVICE_CIDR="10.96.0.0/16"
SERVICE_IP="10.96.0.1"
POD_CIDR="${RGSD_CLUSTER_POD_CIDR:-10.244.0.0/24}"
# The bridge's address (host-local's gateway: the subnet's first address). The apiserver
# advertises it, so the `kubernetes` EndpointSlice holds an address pods can reach.
POD_GATEWAY="$(printf '%s\n' "${POD_CIDR%/*}" | awk -F. '{ print $1 "." $2 "." $3 "." ($4 + 1) }')"
CNI_BRIDGE="rgsd0"
CNI_BIN_DIR="${RGSD_CLUSTER_CNI_BIN_DIR:-/usr/lib/cni}"
PV_COUNT="${RGSD_CLUSTER_PV_COUNT:-8}"
PV_CAPACITY="${RGSD_CLUSTER_PV_CAPACITY:-50Gi}"
STORAGE_CLASS="local-disk"

PKI="$CLUSTER_DIR/pki"
RUN="$CLUSTER_DIR/run"
LOGS="$CLUSTER_DIR/logs"
CONTAINERD_DIR="$CLUSTER_DIR/containerd"
CONTAINERD_SOCK="$CONTAINERD_DIR/containerd.sock"
# containerd's content and snapshots are a cache, like the binaries: importing the 1.7 GB
# rgsd image again on every `up` would take most of a minute. `down` removes every container
# from it, so only images survive.
CONTAINERD_ROOT="$CACHE_DIR/containerd"
KUBELET_DIR="$CLUSTER_DIR/kubelet"
VOLUMES_DIR="$CLUSTER_DIR/volumes"
ADMIN_KUBECONFIG="$CLUSTER_DIR/kubeconfig"
APISERVER_URL="https://127.0.0.1:$APISERVER_PORT"

# Components in start order; `down` stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-router pv-recycler)

log() { printf 'local-cluster: %s\n' "$*" >&2; }
die() { printf 'local-cluster: %s\n' "$*" >&2; exit 1; }

# kubectl: $KUBECTL, the repository's pinned one (npm run setup), or PATH.
resolve_kubectl() {
  if [ -n "${KUBECTL:-}" ]; then printf '%s\n' "$KUBECTL"
  elif [ -x "$REPO_ROOT/.tools/bin/kubectl" ]; then printf '%s\n' "$REPO_ROOT/.tools/bin/kubectl"
  elif command -v kubectl >/dev/null; then command -v kubectl
  else die "kubectl not found: run 'npm run setup' (installs .tools/bin/kubectl) or set KUBECTL"
  fi
}
kc() { "$(resolve_kubectl)" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }
ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# The address the node registers with: kubelet refuses loopback node IPs, so use the
# source address of the default route (falling back to the first global IPv4).
node_ip() {
  local ip
  ip="$(ip -4 route get 1.1.1.1 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "src") { print $(i + 1); exit } }')"
  [ -n "$ip" ] || ip="$(ip -4 -o addr show scope global | awk '{ sub(/\/.*/, "", $4); print $4; exit }')"
  [ -n "$ip" ] || die "no non-loopback IPv4 address on this machine (the kubelet needs one for its node IP)"
  printf '%s\n' "$ip"
}

pidfile() { printf '%s/%s.pid\n' "$RUN" "$1"; }

# Prints the pid of a component this script started, if that process is still alive.
component_pid() {
  local file pid
  file="$(pidfile "$1")"
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

# start_component NAME COMMAND... — runs it detached (own session), output to logs/NAME.log.
start_component() {
  local name="$1"; shift
  if component_pid "$name" >/dev/null; then return 0; fi
  mkdir -p "$RUN" "$LOGS"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$(pidfile "$name")"
  log "started $name (pid $!)"
}

# stop_component NAME — SIGTERM, then SIGKILL after a grace period; only our own pid.
stop_component() {
  local name="$1" pid
  if pid="$(component_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not stop after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$(pidfile "$name")"
}

# wait_for DESCRIPTION SECONDS COMMAND... — polls COMMAND until it succeeds.
wait_for() {
  local what="$1" seconds="$2" deadline; shift 2
  deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      return 1
    fi
    sleep 0.5
  done
  log "$what ready"
}

# Fails with the tail of a component's log, so the cause is on screen.
fail_with_log() {
  local name="$1" message="$2"
  log "$message; last lines of $LOGS/$name.log:"
  tail -n 25 "$LOGS/$name.log" >&2 || true
  exit 1
}
