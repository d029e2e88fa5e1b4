#!/bin/sh
# Downloads Debian packages of another suite (e.g. trixie) WITHOUT touching the
# machine's apt sources or dpkg database: a private apt configuration under the
# cache fetches the index and `apt-get download`s the .debs, which are unpacked
# with `dpkg -x` into <cache>/<suite>/root. Nothing is installed.
#   debian-fetch.sh SUITE PACKAGE...
#   DEBIAN_ARCH=arm64 debian-fetch.sh SUITE PACKAGE...
# DEBIAN_ARCH (default: this machine's architecture, as before) fetches another
# architecture's packages into <cache>/<suite>-<arch>/root with its own apt
# state (apt-<suite>-<arch>), so the native caches are never touched; the root
# then serves as a sysroot for qemu-user (`qemu-aarch64-static -L <root>`).
# Cache: ${REGTRUST_ORACLE_CACHE:-$HOME/.cache/regtrust-oracle} (shared by the oracle suites).
set -eu
suite=$1
shift
cache=${REGTRUST_ORACLE_CACHE:-$HOME/.cache/regtrust-oracle}
arch=${DEBIAN_ARCH:-}
native=$(dpkg --print-architecture)
if [ -n "$arch" ] && [ "$arch" != "$native" ]; then
  slot=$suite-$arch
else
  slot=$suite
  arch=""
fi
apt_dir=$cache/apt-$slot
root=$cache/$slot/root
debs=$cache/$slot/debs
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/preferences.d" "$root" "$debs"
: >"$apt_dir/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$apt_dir/sources.list" <<SRC
deb [signed-by=$keyring] http://deb.debian.org/debian $suite main
SRC
cat >"$apt_dir/apt.conf" <<CONF
Dir::State "$apt_dir";
Dir::State::Lists "$apt_dir/lists";
Dir::State::status "$apt_dir/status";
Dir::Cache "$apt_dir";
Dir::Cache::Archives "$apt_dir/archives";
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::Etc::Preferences "/nonexistent";
Dir::Etc::PreferencesParts "$apt_dir/etc/preferences.d";
APT::Get::List-Cleanup "0";
APT::Sandbox::User "root";
CONF
if [ -n "$arch" ]; then
  # Only the foreign architecture: its Packages index, and `apt-get download PKG` picks PKG:$arch.
  cat >>"$apt_dir/apt.conf" <<CONF
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
CONF
fi
export APT_CONFIG="$apt_dir/apt.conf"
if [ ! -f "$apt_dir/updated" ] || [ -n "$(find "$apt_dir/updated" -mtime +7)" ]; then
  apt-get -qq update >&2
  touch "$apt_dir/updated"
fi
cd "$debs"
for pkg in "$@"; do
  if ! ls "$debs/${pkg}_"*.deb >/dev/null 2>&1; then
    apt-get -qq download "$pkg" >&2
  fi
  for deb in "$debs/${pkg}_"*.deb; do
    marker="$root/.unpacked-$(basename "$deb")"
    [ -f "$marker" ] || { dpkg -x "$deb" "$root" && touch "$marker"; }
  done
done
echo "$root"
