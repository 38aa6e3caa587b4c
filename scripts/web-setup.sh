#!/usr/bin/env bash
# Gets the dealer's page ready to build: Node packages (npm ci, only when node_modules
# is missing or package-lock.json changed since the last install) and the WASM module
# (dist/dealer-calc.mjs, rebuilt incrementally). Used by scripts/run.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "web-setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
# Always (re)build the WASM module: the build is incremental, so an up-to-date dist/ costs
# a second, and a stale one after a core change is never used.
[[ -f build/wasm/build.ninja ]] || cmake --preset wasm >/dev/null
cmake --build --preset wasm >/dev/null
