#!/bin/sh
# Builds test/oracle/cimage against Debian 12's golang-github-containers-image-dev
# (5.23.1) with Debian's Go in GOPATH mode, offline, and prints its path. The
# package's import path ends in /v5, which Debian's GOPATH tree lacks: a private
# GOPATH under the cache links it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${REGTRUST_ORACLE_CACHE:-$HOME/.cache/regtrust-oracle}
out=$cache/bin/cimage-oracle-5.23
gopath=$cache/gopath-cimage
mkdir -p "$cache/bin" "$gopath/src/github.com/containers/image"
ln -sfn /usr/share/gocode/src/github.com/containers/image "$gopath/src/github.com/containers/image/v5"
src=$repo/test/oracle/cimage
if [ ! -x "$out" ] || [ -n "$(find "$src" -newer "$out" -name '*.go')" ]; then
  GOPATH=$gopath:/usr/share/gocode GO111MODULE=off GOPROXY=off GOFLAGS= GOTOOLCHAIN=local \
    GOCACHE=$cache/gocache-cimage go build -o "$out" "$src"/*.go >&2
fi
echo "$out"
