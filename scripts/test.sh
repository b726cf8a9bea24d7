#!/usr/bin/env bash
# Command two: installs what is missing, builds everything (including the libFuzzer
# targets, with clang) and runs every test with ctest. FINCRM_FUZZ_SECONDS (default
# 60) bounds each fuzzing run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# The web console (its browser tests run in ctest as web.e2e).
bash scripts/build-web.sh
# The OpenAPI validator (npm), from its lock file; skipped when already installed.
if [ ! -d tests/openapi/node_modules ] || [ tests/openapi/package-lock.json -nt tests/openapi/node_modules ]; then
  npm ci --prefix tests/openapi --no-audit --no-fund --loglevel=error
fi

# The fuzz target needs clang's libFuzzer, so it has its own build tree.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DFINCRM_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build-fuzz -j "${FINCRM_JOBS:-2}"

FINCRM_CMAKE_ARGS="-DFINCRM_FUZZ_DIR=$PWD/build-fuzz/tests/fuzz \
  -DFINCRM_FUZZ_SECONDS=${FINCRM_FUZZ_SECONDS:-60}" bash scripts/build.sh

cd build
ctest --output-on-failure -j "${FINCRM_JOBS:-2}"
