#!/bin/sh
# Sets up a fresh machine for the README's two commands.
#   bootstrap.sh           npm dependencies + build (enough for `regtrust demo`)
#   bootstrap.sh --system  also the system packages the integration tests drive
#   bootstrap.sh --bench   also the tools `npm run bench` compares against
set -eu
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--system" ]; then
  need=""
  command -v docker-registry >/dev/null 2>&1 || need="$need docker-registry"
  command -v containerd >/dev/null 2>&1 || need="$need containerd"
  command -v skopeo >/dev/null 2>&1 || need="$need skopeo"
  command -v openssl >/dev/null 2>&1 || need="$need openssl"
  command -v curl >/dev/null 2>&1 || need="$need curl"
  command -v update-ca-certificates >/dev/null 2>&1 || need="$need ca-certificates"
  command -v ip >/dev/null 2>&1 || need="$need iproute2"
  command -v cloud-init >/dev/null 2>&1 || need="$need cloud-init"
  command -v ansible-playbook >/dev/null 2>&1 || need="$need ansible-core"
  if [ -n "$need" ]; then
    if [ "$(id -u)" != "0" ]; then
      echo "bootstrap: missing system packages:$need (run as root, or install them)" >&2
      exit 1
    fi
    echo "bootstrap: installing$need" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  fi
fi

if [ "${1:-}" = "--bench" ]; then
  need=""
  command -v openssl >/dev/null 2>&1 || need="$need openssl"
  command -v curl >/dev/null 2>&1 || need="$need curl"
  command -v sslscan >/dev/null 2>&1 || need="$need sslscan"
  command -v testssl >/dev/null 2>&1 || need="$need testssl.sh"
  if [ -n "$need" ]; then
    if [ "$(id -u)" != "0" ]; then
      echo "bootstrap: missing bench tools:$need (run as root, or install them)" >&2
      exit 1
    fi
    echo "bootstrap: installing$need" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
npm run --silent build >&2
