# shellcheck shell=bash
# Storage: a default StorageClass with pre-created `local` PersistentVolumes on directories
# under $VOLUMES_DIR (real disk; `local` volumes honour fsGroup, unlike hostPath). PVs are
# Retain; the pv-recycler wipes and frees Released ones so repeated runs keep binding.

PV_LABEL="rgsd.dev/local-cluster-pv=true"

apply_storage() {
  local i manifest
  manifest="$(
    cat <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $STORAGE_CLASS
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
EOF
    for i in $(seq 1 "$PV_COUNT"); do
      mkdir -p "$VOLUMES_DIR/pv$i"
      cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-pv$i
  labels:
    rgsd.dev/local-cluster-pv: "true"
spec:
  capacity:
    storage: $PV_CAPACITY
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: $STORAGE_CLASS
  volumeMode: Filesystem
  local:
    path: $VOLUMES_DIR/pv$i
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values: [$NODE_NAME]
EOF
    done
  )"
  # Server-side apply with the same field manager: idempotent, and leaves claimRef alone.
  printf '%s\n' "$manifest" | kc apply --server-side --field-manager rgsd-local-cluster -f - >/dev/null
  log "storage class $STORAGE_CLASS (default) with $PV_COUNT local volumes under $VOLUMES_DIR"
}

# One pass: every Released local PV gets its directory emptied and its claimRef dropped.
recycle_released_pvs() {
  local name path
  while read -r name path; do
    [ -n "$name" ] || continue
    case "$path" in
      "$VOLUMES_DIR"/pv*) ;;
      *) log "not recycling $name: path $path is outside $VOLUMES_DIR"; continue ;;
    esac
    find "$path" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    kc patch pv "$name" --type json -p '[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null
    log "recycled $name ($path)"
  done < <(kc get pv -l "$PV_LABEL" -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name} {.spec.local.path}{"\n"}{end}')
}

# The long-running recycler started by `up` (tracked by pid like every component).
run_pv_recycler() {
  while true; do
    recycle_released_pvs || log "recycle pass failed; retrying"
    sleep 2
  done
}
