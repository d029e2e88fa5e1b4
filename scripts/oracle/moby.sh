#!/bin/sh
# Builds test/oracle/moby against Debian 12's golang-github-docker-docker-dev
# (moby 20.10.24) with Debian's Go in GOPATH mode, offline, and prints its path.
#   moby.sh build
#   moby.sh run ETC_DOCKER HOSTS_FILE < cases.json
#     runs it in a private mount namespace (unshare -m) where ETC_DOCKER is
#     bind-mounted on /etc/docker, HOSTS_FILE on /etc/hosts and a resolver-less
#     resolv.conf on /etc/resolv.conf: the machine's
#     own files are never changed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${REGTRUST_ORACLE_CACHE:-$HOME/.cache/regtrust-oracle}
out=$cache/bin/moby-oracle-20.10
build() {
  mkdir -p "$cache/bin"
  src=$repo/test/oracle/moby
  if [ ! -x "$out" ] || [ -n "$(find "$src" -newer "$out" -name '*.go')" ]; then
    GOPATH=/usr/share/gocode GO111MODULE=off GOPROXY=off GOFLAGS= GOTOOLCHAIN=local \
      GOCACHE=$cache/gocache-moby go build -o "$out" "$src"/*.go >&2
  fi
}
case "${1:-}" in
  build)
    build
    echo "$out"
    ;;
  run)
    build
    mkdir -p /etc/docker
    # Names outside the hosts file must fail fast, not wait on a DNS server: no resolver listens here.
    resolv=$(mktemp)
    echo "nameserver 127.0.0.1" >"$resolv"
    status=0
    unshare -m --propagation private sh -c \
      'mount --bind "$1" /etc/docker && mount --bind "$2" /etc/hosts && mount --bind "$3" /etc/resolv.conf && exec "$4"' \
      sh "$2" "$3" "$resolv" "$out" || status=$?
    rm -f "$resolv"
    exit "$status"
    ;;
  *)
    echo "usage: moby.sh build | run ETC_DOCKER HOSTS_FILE" >&2
    exit 2
    ;;
esac
