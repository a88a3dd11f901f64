#!/usr/bin/env bash
# README command 2: install what is missing, build, and run every test:
#   1. Release build: unit, integration and end-to-end tests (promtool, real Prometheus).
#   2. ASan + UBSan build: unit and integration tests once more.
# OBSERVO_SANITIZE=0 skips the second pass (a quicker local loop); CI always runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
jobs=$(nproc)

echo "== Release build and every test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 300

if [[ "${OBSERVO_SANITIZE:-1}" != 0 || "${CI:-}" == true ]]; then
  echo "== ASan + UBSan build: unit and integration tests"
  cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DOBSERVO_SANITIZE=ON \
    -DOBSERVO_BUILD_BENCH=OFF >/dev/null
  cmake --build build-sanitize -j "$jobs" --target observo_unit_tests observo_integration_tests
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" \
    ctest --test-dir build-sanitize --output-on-failure -j "$jobs" -L 'unit|integration' --timeout 300
fi
