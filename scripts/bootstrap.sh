#!/bin/sh
# Sets up a fresh machine for the README's two commands.
#   bootstrap.sh           npm dependencies + build (enough for `regtrust demo`)
#   bootstrap.sh --system  also the system packages the integration tests drive
#   bootstrap.sh --bench   also the tools `npm run bench` compares against
set -eu
cd "$(dirname "$0")/.."

# install_missing WHAT COMMAND:PACKAGE...: apt-get installs the packages whose command is missing.
install_missing() {
  what=$1
  shift
  need=""
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
  done
  [ -n "$need" ] || return 0
  if [ "$(id -u)" != "0" ]; then
    echo "bootstrap: missing $what:$need (run as root, or install them)" >&2
    exit 1
  fi
  echo "bootstrap: installing$need" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
}

case "${1:-}" in
  --system)
    install_missing "system packages" docker-registry:docker-registry containerd:containerd skopeo:skopeo \
      openssl:openssl curl:curl update-ca-certificates:ca-certificates ip:iproute2 cloud-init:cloud-init \
      ansible-playbook:ansible-core mmdebstrap:mmdebstrap umoci:umoci
    # test/k8s/restart-layout.test.ts: a node and a pod made of namespaces (util-linux is Essential; named anyway).
    install_missing "namespace tools" unshare:util-linux setpriv:util-linux nsenter:util-linux
    ;;
  --bench)
    install_missing "bench tools" openssl:openssl curl:curl sslscan:sslscan testssl:testssl.sh \
    update-ca-certificates:ca-certificates
    ;;
esac

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
npm run --silent build >&2
