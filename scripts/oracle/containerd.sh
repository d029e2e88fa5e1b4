#!/bin/sh
# Builds test/oracle/containerd (our small Go program) against containerd's own
# source from Debian, offline, in GOPATH mode (GO111MODULE=off, no module proxy),
# and prints the binary's path.
#   containerd.sh 1.6   containerd 1.6.20 from Debian 12 (golang-github-containerd-containerd-dev,
#                       installed by bootstrap.sh --system) with Debian 12's Go 1.19
#   containerd.sh 1.7   containerd 1.7.24 from Debian 13, fetched and unpacked (never installed)
#                       by debian-fetch.sh with Debian 13's Go 1.24
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${REGTRUST_ORACLE_CACHE:-$HOME/.cache/regtrust-oracle}
case "${1:-}" in
  1.6)
    goroot=$(go env GOROOT)
    gopath=/usr/share/gocode
    ;;
  1.7)
    root=$(sh "$here/debian-fetch.sh" trixie golang-1.24-go golang-1.24-src \
      golang-github-containerd-containerd-dev golang-github-imdario-mergo-dev \
      golang-github-containerd-errdefs-dev golang-github-containerd-log-dev \
      golang-github-containerd-platforms-dev golang-github-containerd-typeurl-dev \
      golang-opentelemetry-otel-dev golang-github-go-logr-logr-dev golang-github-go-logr-stdr-dev)
    goroot=$root/usr/lib/go-1.24
    gopath=$root/usr/share/gocode:/usr/share/gocode
    ;;
  *)
    echo "usage: containerd.sh 1.6|1.7" >&2
    exit 2
    ;;
esac
out=$cache/bin/containerd-oracle-$1
mkdir -p "$cache/bin"
src=$repo/test/oracle/containerd
if [ ! -x "$out" ] || [ -n "$(find "$src" -newer "$out" -name '*.go')" ]; then
  GOROOT=$goroot GOPATH=$gopath GO111MODULE=off GOPROXY=off GOFLAGS= GOTOOLCHAIN=local \
    GOCACHE=$cache/gocache-$1 "$goroot/bin/go" build -o "$out" "$src"/*.go >&2
fi
echo "$out"
