#!/usr/bin/env bash
# Sets up, builds, and runs the calculator on the built-in sample programme.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset native >/dev/null
cmake --build --preset native --target dealer-calc >/dev/null
echo "== validate"
build/native/dealer-calc validate --program programs/sample/program.json --figures programs/sample/figures.json
echo "== evaluate"
build/native/dealer-calc evaluate --program programs/sample/program.json --figures programs/sample/figures.json

echo "== dealer's page"
scripts/setup.sh --all
scripts/web-setup.sh
node scripts/build-web.mjs
echo "Open http://127.0.0.1:${PORT:-8787}/ (static site, dist/web)"
echo "Offline single file: $(pwd)/dist/dealer-calculator.html"
exec node scripts/serve.mjs
