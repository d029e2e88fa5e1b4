#!/bin/sh
# Fetches Debian 12 (bookworm)'s arm64 containerd (1.6.20~ds1-1+deb12u3 at the time of
# writing, the same package the amd64 host runs) and the arm64 libc6 it needs into an
# arm64 sysroot, and prints the sysroot's path. Nothing is installed: debian-fetch.sh
# unpacks the .debs under the oracle cache with its own apt state.
# The tests run <root>/usr/bin/containerd under `qemu-aarch64-static -L <root>`
# (Debian's qemu-user-static, user mode, no binfmt_misc), so containerd's own
# platform code (platforms.DefaultSpec(): compile-time GOARCH) selects the
# linux/arm64 manifest of an index. The binary's only ELF NEEDED entry is
# libc.so.6 (readelf -d), with /lib/ld-linux-aarch64.so.1 as interpreter: both in libc6.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${REGTRUST_ORACLE_CACHE:-$HOME/.cache/regtrust-oracle}
mkdir -p "$cache"
# Test files may ask at once on a cold cache; one fetch at a time (apt locks its lists dir).
root=$(DEBIAN_ARCH=arm64 flock "$cache/.bookworm-arm64.lock" sh "$here/debian-fetch.sh" bookworm containerd libc6)
# qemu -L resolves an absolute path inside the sysroot first whenever it exists there (qemu 7.2
# util/path.c), so the package's /etc/containerd/config.toml would shadow a node's own file of that
# name for the emulated containerd; the sysroot keeps only binaries and libraries.
rm -rf "$root/etc/containerd"
for f in usr/bin/containerd lib/ld-linux-aarch64.so.1; do
  if [ ! -e "$root/$f" ]; then
    echo "containerd-arm64.sh: $root/$f is missing after the fetch" >&2
    exit 1
  fi
done
echo "$root"
