# shellcheck shell=bash
# Images in the cluster's containerd (namespace k8s.io). There is no registry: the pause
# image comes from $PAUSE_TAR, the rgsd image from the local docker daemon.

containerd_has_image() { ctr_k8s images ls -q | grep -qxF "$1"; }

# Docker's short names are docker.io names for containerd and the kubelet.
normalize_ref() {
  local ref="$1" first="${1%%/*}"
  if [[ "$ref" != */* ]]; then ref="docker.io/library/$ref"
  elif [[ "$first" != *.* && "$first" != *:* && "$first" != localhost ]]; then ref="docker.io/$ref"
  fi
  printf '%s\n' "$ref"
}

import_pause_image() {
  containerd_has_image "$PAUSE_IMAGE" && return 0
  ctr_k8s images import --no-unpack "$PAUSE_TAR" >/dev/null
  containerd_has_image "$PAUSE_IMAGE" || die "importing the pause image from $PAUSE_TAR did not register $PAUSE_IMAGE"
  log "pause image $PAUSE_IMAGE imported"
}

# The config digest (= docker image id) of an image in containerd, if it has the image.
containerd_image_id() {
  local manifest
  manifest="$(ctr_k8s images ls | awk -v r="$1" '$1 == r { print $3 }')"
  [ -n "$manifest" ] || return 0
  ctr_k8s content get "$manifest" 2>/dev/null | tr -d ' \n' \
    | grep -o '"config":{[^}]*}' | grep -o 'sha256:[0-9a-f]\{64\}' | head -n 1 || true
}

# load_image REF — copies REF from docker into the cluster, skipping it when containerd
# already has the same image id. A rebuild that re-tags REF during the copy is retried.
load_image() {
  local ref="$1" full id attempt
  command -v docker >/dev/null || die "docker not found: the rgsd image is built with docker (scripts/build-image)"
  full="$(normalize_ref "$ref")"
  for attempt in 1 2 3; do
    id="$(docker image inspect --format '{{.Id}}' "$ref")" \
      || die "image $ref is not in docker: build it first (scripts/build-image)"
    if [ "$(containerd_image_id "$full")" = "$id" ]; then
      if [ "$attempt" -eq 1 ]; then log "image $full already loaded ($id)"; else log "image $full loaded ($id)"; fi
      return 0
    fi
    [ "$attempt" -eq 1 ] || log "image $ref changed while it was being loaded; loading again"
    log "loading image $ref into the cluster's containerd"
    docker save "$ref" | ctr_k8s images import - >/dev/null
  done
  die "could not load $ref into containerd: it has $(containerd_image_id "$full" || true), docker has $id"
}

rgsd_image_ref() {
  local version
  version="$(awk -F'"' '/^appVersion:/ { print $2 }' "$REPO_ROOT/chart/rgsd/Chart.yaml")"
  printf 'rgsd/workstation:%s\n' "${version:-latest}"
}

# During `up`: load the rgsd image when docker has it; otherwise say how to.
load_rgsd_image_if_built() {
  local ref
  ref="$(rgsd_image_ref)"
  if command -v docker >/dev/null && docker image inspect "$ref" >/dev/null 2>&1; then
    load_image "$ref"
  else
    log "note: $ref is not in docker yet; build it (scripts/build-image), then: scripts/local-cluster load-image"
  fi
}
