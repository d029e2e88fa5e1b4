#!/bin/sh
# The artifact tier again on Node 24 LTS (issue #18), after `node scripts/test.mjs` ran everything on
# this machine's Node: the bundle run by Node 24 (test/artifact), every lazily loaded chunk imported by
# Node 24 (test/build/chunks-load), and a single executable built from Node 24 (test/sea). The test
# runner itself stays on this machine's Node; only the artifacts change Node line.
set -eu
cd "$(dirname "$0")/.."
node24=$(sh scripts/node24.sh)
echo "test-node24: $("$node24" --version) at $node24" >&2
[ -f dist/regtrust.mjs ] || npm run --silent build
REGTRUST_SEA_OUT=dist/node24/regtrust "$node24" scripts/build-sea.mjs >/dev/null 2>&1 ||
  REGTRUST_SEA_OUT=dist/node24/regtrust "$node24" scripts/build-sea.mjs
REGTRUST_NODE="$node24" REGTRUST_SEA_BINARY=dist/node24/regtrust \
  exec node scripts/test.mjs test/artifact/ test/build/chunks-load test/sea/
