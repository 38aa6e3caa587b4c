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
