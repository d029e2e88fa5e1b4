#!/bin/sh
# Builds every differential-suite oracle (test/oracle/) into the cache, so the
# tests only run them: a cold build fetches Debian 13's containerd 1.7.24 and
# Go 1.24 and takes minutes, longer than one test may run. Idempotent: an
# up-to-date binary is not rebuilt. Called by bootstrap.sh --system.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
echo "bootstrap: building the differential-suite oracles (cached under ${REGTRUST_ORACLE_CACHE:-$HOME/.cache/regtrust-oracle})" >&2
sh "$here/containerd.sh" 1.6 >/dev/null
sh "$here/containerd.sh" 1.7 >/dev/null
sh "$here/moby.sh" build >/dev/null
sh "$here/cimage.sh" >/dev/null
# Not an oracle build: Debian 12's arm64 containerd + libc6 unpacked into an arm64 sysroot
# for startContainerd({ platform: "linux/arm64" }) (test/support/containerd-foreign.ts).
sh "$here/containerd-arm64.sh" >/dev/null
