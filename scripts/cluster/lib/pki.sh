# shellcheck shell=bash
# Certificates (openssl) and kubeconfigs of the local cluster, all under $PKI. Generated once
# per state directory; `down` removes them with the rest of the state.

# issue_cert NAME SUBJECT [SANS] [ca] — key + certificate signed by the cluster CA.
issue_cert() {
  local name="$1" subject="$2" sans="${3:-}" ext="$PKI/$1.ext"
  [ -f "$PKI/$name.crt" ] && return 0
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$sans" ]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$sans"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$ext"
  openssl req -new -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

# write_kubeconfig FILE CERT-NAME — a kubeconfig using a client certificate from $PKI.
write_kubeconfig() {
  local file="$1" cert="$2"
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: rgsd-local
  cluster:
    server: $APISERVER_URL
    certificate-authority: $PKI/ca.crt
users:
- name: $cert
  user:
    client-certificate: $PKI/$cert.crt
    client-key: $PKI/$cert.key
contexts:
- name: rgsd-local
  context:
    cluster: rgsd-local
    user: $cert
current-context: rgsd-local
EOF
  chmod 600 "$file"
}

ensure_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
  if [ ! -f "$PKI/ca.crt" ]; then
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=rgsd-local-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.crt" 2>/dev/null
  fi
  if [ ! -f "$PKI/sa.key" ]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  issue_cert etcd-server "/CN=etcd" "IP:127.0.0.1,DNS:localhost"
  issue_cert apiserver-etcd-client "/CN=kube-apiserver-etcd-client"
  issue_cert apiserver "/CN=kube-apiserver" \
    "IP:127.0.0.1,IP:$SERVICE_IP,IP:$POD_GATEWAY,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  issue_cert admin "/O=system:masters/CN=rgsd-local-admin"
  issue_cert controller-manager "/CN=system:kube-controller-manager"
  issue_cert scheduler "/CN=system:kube-scheduler"
  issue_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
  issue_cert kube-router "/CN=rgsd-local-kube-router"
  chmod 600 "$PKI"/*.key
  write_kubeconfig "$ADMIN_KUBECONFIG" admin
  write_kubeconfig "$PKI/controller-manager.kubeconfig" controller-manager
  write_kubeconfig "$PKI/scheduler.kubeconfig" scheduler
  write_kubeconfig "$PKI/kubelet.kubeconfig" kubelet
  write_kubeconfig "$PKI/kube-router.kubeconfig" kube-router
}
