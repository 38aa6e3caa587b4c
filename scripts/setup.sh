#!/usr/bin/env bash
# Installs what this project needs on a Debian bookworm machine, and nothing that is
# already there. Safe to run again. Run as root (or with sudo available).
#
#   scripts/setup.sh            # native build and tests
#   scripts/setup.sh --all      # also Emscripten (WASM), Node.js and Chromium (page tests)
set -euo pipefail

want=(cmake ninja-build g++ clang libclang-rt-14-dev nlohmann-json3-dev doctest-dev python3)
if [[ "${1:-}" == "--all" ]]; then
  want+=(emscripten chromium fonts-noto-cjk esbuild xz-utils)
  command -v node >/dev/null 2>&1 || want+=(nodejs npm)
fi

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    # A tool installed outside apt (e.g. a newer cmake or g++) also counts.
    case "$pkg" in
      cmake|g++|clang|python3) command -v "$pkg" >/dev/null 2>&1 && continue ;;
      ninja-build) command -v ninja >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
