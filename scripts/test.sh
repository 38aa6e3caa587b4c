#!/usr/bin/env bash
# Sets up and runs every test: the core suite natively and under ASan/UBSan, the WASM
# build (core suite under Node, tests/node), the page tests, the JSON Schemas, and the
# libFuzzer targets for a minute each.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== native build and tests"
cmake --preset native >/dev/null
cmake --build --preset native -j "$jobs"
ctest --preset native

echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j "$jobs"
ctest --preset sanitize

echo "== WebAssembly: dist/ (Emscripten), the core suite under Node, tests/node"
scripts/setup.sh --all
t0=$SECONDS
cmake --preset wasm >/dev/null
cmake --build --preset wasm -j "$jobs"
t1=$SECONDS
ctest --preset wasm
t2=$SECONDS
# Test files in parallel where this Node has the flag (20.10+); the native CLI above is
# the reference of the differential and CLI tests.
node_test=(node --test)
node --test-concurrency=2 -e '' >/dev/null 2>&1 && node_test+=(--test-concurrency="$jobs")
"${node_test[@]}" tests/node/
echo "wasm: build $((t1 - t0)) s, ctest $((t2 - t1)) s, node tests $((SECONDS - t2)) s"

echo "== dealer's page in headless Chromium (tests/browser)"
scripts/setup.sh --all
scripts/web-setup.sh
node scripts/build-web.mjs
node --test tests/browser/

echo "== JSON Schemas (docs/schema) against every programme and figures file (tests/schema)"
node --test tests/schema/

# libFuzzer (fuzz/, clang with ASan + UBSan): every target for 60 s, one after the other,
# starting from the committed seeds. DEALERCALC_FUZZ_SECONDS=N to change, 0 to skip.
fuzz_seconds=${DEALERCALC_FUZZ_SECONDS:-60}
if ((fuzz_seconds > 0)); then
  echo "== libFuzzer targets, ${fuzz_seconds} s each (fuzz/run.sh)"
  fuzz/run.sh "$fuzz_seconds"
fi
