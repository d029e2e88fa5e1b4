#!/bin/sh
# The release tier (issues #18 and #21), after `node scripts/test.mjs` ran everything on this machine's Node:
# `npm run release` builds every release artifact into release/ (both architectures' single executables, the npm
# package, the images and their multi-arch index, SBOMs, the krew manifest, SHA256SUMS). Then, on Node 24 LTS (the
# Node the release embeds, from the npm registry): the bundle again (test/artifact), every lazily loaded chunk
# (test/build/chunks-load), the release's linux/amd64 single executable through the single-executable matrix
# (test/sea), and test/release/built, which proves the rest of release/. The test runner itself stays on this
# machine's Node; only the artifacts change.
set -eu
cd "$(dirname "$0")/.."
node24=$(sh scripts/node24.sh)
echo "test-release: $("$node24" --version) at $node24" >&2
npm run --silent release
version=$(node -p 'require("./package.json").version')
REGTRUST_NODE="$node24" \
  REGTRUST_SEA_BINARY="release/regtrust-$version-linux-amd64" \
  REGTRUST_SEA_WORK=build/release-work/sea-amd64/sea \
  REGTRUST_RELEASE_DIR=release \
  exec node scripts/test.mjs test/artifact/ test/build/chunks-load test/sea/ test/release/built/
