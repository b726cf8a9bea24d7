#!/usr/bin/env bash
# Configures and builds FinCRM (Release) into build/. Extra arguments go to ninja
# (for example a target name: scripts/build.sh fincrm).
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release ${FINCRM_CMAKE_ARGS:-} >/dev/null
ninja -C build -j "${FINCRM_JOBS:-2}" "$@"
