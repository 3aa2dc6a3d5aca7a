# shellcheck shell=bash
# Builds (once per version, cached under $BIN_CACHE) the multi-command Kubernetes binary and
# the pause image. Go's own caches stay in GOCACHE/GOMODCACHE, outside the repository.

ensure_k8s_binary() {
  local name
  if [ ! -x "$K8S_BIN" ]; then
    command -v go >/dev/null || die "go not found: it is needed once to build Kubernetes $K8S_VERSION (then cached in $BIN_CACHE)"
    local minor start
    minor="$(printf '%s\n' "$K8S_VERSION" | cut -d. -f2)"
    mkdir -p "$BIN_CACHE"
    log "building Kubernetes $K8S_VERSION (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet) into $BIN_CACHE — the first build takes a while"
    start=$(date +%s)
    (
      cd "$CLUSTER_SRC" || exit 1
      GOFLAGS=-mod=mod go build -trimpath -o "$K8S_BIN.tmp" -ldflags "-s -w \
        -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
        -X k8s.io/component-base/version.gitMajor=1 \
        -X k8s.io/component-base/version.gitMinor=$minor \
        -X k8s.io/component-base/version.gitTreeState=clean" .
    )
    mv "$K8S_BIN.tmp" "$K8S_BIN"
    log "built $K8S_BIN in $(($(date +%s) - start))s"
  fi
  for name in kube-apiserver kube-controller-manager kube-scheduler kubelet; do
    [ -L "$BIN_CACHE/$name" ] || ln -sfn k8s "$BIN_CACHE/$name"
  done
}

# A docker-archive tarball holding one static pause binary, importable with `ctr images import`.
ensure_pause_image() {
  [ -f "$PAUSE_TAR" ] && return 0
  command -v go >/dev/null || die "go not found: it is needed once to build the pause image"
  local work layer_sha config_sha
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" RETURN
  mkdir -p "$work/rootfs" "$work/image"
  (cd "$CLUSTER_SRC" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/rootfs/pause" ./pause)
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" pause
  layer_sha="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  mkdir -p "$work/image/$layer_sha"
  mv "$work/layer.tar" "$work/image/$layer_sha/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"scripts/cluster/pause"}]}' \
    "$layer_sha" >"$work/config.json"
  config_sha="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
  mv "$work/config.json" "$work/image/$config_sha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
    "$config_sha" "$PAUSE_IMAGE" "$layer_sha" >"$work/image/manifest.json"
  mkdir -p "$BIN_CACHE"
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/image" -cf "$PAUSE_TAR.tmp" .
  mv "$PAUSE_TAR.tmp" "$PAUSE_TAR"
  log "built pause image $PAUSE_IMAGE"
}

# kube-router (firewall only: it enforces NetworkPolicy), built once per version from the
# wrapper module scripts/cluster/netpol (its `tool` line; the version is its require line).
ensure_kube_router_binary() {
  [ -x "$KUBE_ROUTER_BIN" ] && return 0
  command -v go >/dev/null || die "go not found: it is needed once to build kube-router $KUBE_ROUTER_VERSION (then cached in ${KUBE_ROUTER_BIN%/*})"
  local start
  mkdir -p "${KUBE_ROUTER_BIN%/*}"
  log "building kube-router $KUBE_ROUTER_VERSION (NetworkPolicy enforcement) into ${KUBE_ROUTER_BIN%/*} — the first build takes a while"
  start=$(date +%s)
  (
    cd "$CLUSTER_SRC/netpol" || exit 1
    GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$KUBE_ROUTER_BIN.tmp" -ldflags "-s -w \
      -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" \
      github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
  )
  mv "$KUBE_ROUTER_BIN.tmp" "$KUBE_ROUTER_BIN"
  log "built $KUBE_ROUTER_BIN in $(($(date +%s) - start))s"
}
