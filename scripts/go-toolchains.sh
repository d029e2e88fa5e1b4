#!/bin/sh
# Fetches the modern Go toolchains the Go crypto/x509 + crypto/tls oracle
# (test/oracle/go) is built with, from Debian's own archive, without touching
# the machine's apt sources or installing another suite's packages:
#   golang-1.21, -1.22 and -1.23 from bookworm-backports, golang-1.24 from Debian 13 (trixie).
# Go 1.19 is Debian 12's own golang-1.19-go (bootstrap.sh --system installs it).
# Each toolchain is `apt-get download`ed with a private apt configuration in a
# temp dir and unpacked with `dpkg -x` into the cache; a cached one is reused.
#   go-toolchains.sh            fetch what is missing, print the cache dir
# Cache: $REGTRUST_CACHE/go-toolchains (default ~/.cache/regtrust/go-toolchains).
set -eu
cache=${REGTRUST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/regtrust}/go-toolchains
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$cache"

# fetch SUITE GO_MINOR: unpacks golang-GO_MINOR-{go,src} of SUITE into $cache/goGO_MINOR.
fetch() {
  suite=$1
  minor=$2
  dest=$cache/go$minor
  [ -x "$dest/usr/lib/go-$minor/bin/go" ] && [ -f "$dest/.complete" ] && return 0
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/etc/sources.list.d" "$work/etc/preferences.d" "$work/etc/apt.conf.d" \
    "$work/state/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
  touch "$work/state/status"
  echo "deb [signed-by=$keyring] http://deb.debian.org/debian $suite main" >"$work/etc/sources.list"
  cat >"$work/apt.conf" <<CONF
Dir::Etc "$work/etc";
Dir::Etc::SourceList "$work/etc/sources.list";
Dir::Etc::SourceParts "$work/etc/sources.list.d";
Dir::Etc::Parts "$work/etc/apt.conf.d";
Dir::Etc::Preferences "$work/etc/preferences";
Dir::Etc::PreferencesParts "$work/etc/preferences.d";
Dir::State "$work/state";
Dir::State::status "$work/state/status";
Dir::Cache "$work/cache";
APT::Sandbox::User "root";
CONF
  echo "go-toolchains: fetching golang-$minor from Debian $suite into $dest" >&2
  APT_CONFIG=$work/apt.conf apt-get -qq update >&2
  (cd "$work/debs" && APT_CONFIG=$work/apt.conf apt-get -qq download "golang-$minor-go" "golang-$minor-src" >&2)
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$work/root"; done
  # The package's GOROOT links src/ etc. relatively into usr/share/go-MINOR: keep the tree whole.
  "$work/root/usr/lib/go-$minor/bin/go" version >&2
  touch "$work/root/.complete"
  rm -rf "$dest"
  mv "$work/root" "$dest"
  rm -rf "$work"
  trap - EXIT
}

fetch bookworm-backports 1.21
fetch bookworm-backports 1.22
fetch bookworm-backports 1.23
fetch trixie 1.24
echo "$cache"
