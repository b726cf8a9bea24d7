#!/usr/bin/env bash
# Command two: installs what is missing, builds everything and runs every test with
# ctest twice: in the Release build (build/), then the whole suite again in a build
# with AddressSanitizer and UBSan (build-asan/, clang), which also builds and runs the
# libFuzzer targets for a bounded time each. FINCRM_FUZZ_SECONDS (default 60) bounds
# each fuzzing run; FINCRM_SANITIZE=0 skips the sanitizer pass (a quick local check).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# The web console, before the binary that embeds it (its browser tests run in ctest as web.e2e).
bash scripts/build-web.sh
# The OpenAPI validator (npm), from its lock file; skipped when already installed.
if [ ! -d tests/openapi/node_modules ] || [ tests/openapi/package-lock.json -nt tests/openapi/node_modules ]; then
  npm ci --prefix tests/openapi --no-audit --no-fund --loglevel=error
fi

jobs="${FINCRM_JOBS:-2}"
bash scripts/build.sh
status=0
echo "== the suite (Release)"
(cd build && ctest --output-on-failure -j "$jobs") || status=$?

if [[ "${FINCRM_SANITIZE:-1}" != "0" ]]; then
  # Any sanitizer report fails its test: UBSan aborts (no recovery), ASan and
  # LeakSanitizer exit non-zero. Debian's OpenMP runtime (XGBoost) keeps thread-local
  # buffers until exit, which LeakSanitizer would otherwise report.
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-asan -G Ninja -DFINCRM_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFINCRM_FUZZ_SECONDS="${FINCRM_FUZZ_SECONDS:-60}" >/dev/null
  ninja -C build-asan -j "$jobs"
  echo "== the suite again under AddressSanitizer and UBSan, with the fuzz targets"
  (cd build-asan && ctest --output-on-failure -j "$jobs") || status=$?
fi
exit "$status"
