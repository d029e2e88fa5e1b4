#!/bin/sh
# Sets up a fresh machine for the README's two commands.
#   bootstrap.sh           npm dependencies + build (enough for `regtrust demo`)
#   bootstrap.sh --system  also the system packages the integration tests drive
#   bootstrap.sh --bench   also the tools `npm run bench` compares against
set -eu
cd "$(dirname "$0")/.."

# install_missing WHAT COMMAND:PACKAGE...: apt-get installs the packages whose command (or absolute file) is missing.
install_missing() {
  what=$1
  shift
  need=""
  for pair in "$@"; do
    probe=${pair%%:*}
    case "$probe" in
      /*) [ -e "$probe" ] || need="$need ${pair#*:}" ;;
      *) command -v "$probe" >/dev/null 2>&1 || need="$need ${pair#*:}" ;;
    esac
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
      ansible-playbook:ansible-core mmdebstrap:mmdebstrap umoci:umoci go:golang-go dockerd:docker.io ignition-validate:ignition promtool:prometheus
    # arm64 without an arm64 machine: Debian's arm64 containerd (test/support/containerd-arm64.test.ts), the arm64
    # image's entrypoint (test/image/multiarch.test.ts) and the release's arm64 executable run under qemu user mode,
    # named on the argv (no binfmt_misc); the arm64 image base is built by mmdebstrap's chrootless mode under
    # fakeroot; `npm run release` strips each architecture's Node with that architecture's binutils.
    install_missing "multi-arch tools" qemu-aarch64-static:qemu-user-static fakeroot:fakeroot \
      aarch64-linux-gnu-strip:binutils-aarch64-linux-gnu strip:binutils
    # test/k8s/restart-layout.test.ts: a node and a pod made of namespaces (util-linux is Essential; named anyway).
    install_missing "namespace tools" unshare:util-linux setpriv:util-linux nsenter:util-linux
    # Go source the differential suites build against (test/oracle/); no command to probe, so a file.
    install_missing "oracle sources" \
      /usr/share/gocode/src/github.com/containerd/containerd/remotes/docker/config/hosts.go:golang-github-containerd-containerd-dev \
      /usr/share/gocode/src/github.com/docker/docker/registry/registry.go:golang-github-docker-docker-dev \
      /usr/share/gocode/src/github.com/containers/image/pkg/tlsclientconfig/tlsclientconfig.go:golang-github-containers-image-dev
    sh scripts/oracle/build-all.sh
    ;;
  --bench)
    install_missing "bench tools" openssl:openssl curl:curl sslscan:sslscan testssl:testssl.sh \
    update-ca-certificates:ca-certificates
    ;;
esac

if [ "${1:-}" = "--system" ]; then
  # The Go crypto/x509 oracle (test/oracle): Debian 12's Go 1.19 installed, Go 1.21–1.24 unpacked
  # from Debian into the user cache by go-toolchains.sh (nothing installed, apt sources untouched).
  install_missing "Go for the oracle suite" /usr/lib/go-1.19/bin/go:golang-1.19-go
  sh scripts/go-toolchains.sh >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
npm run --silent build >&2
