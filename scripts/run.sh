#!/usr/bin/env bash
# README command 1: install what is missing, build (Release), and run the daemon on the
# example configuration (the same text is embedded in the binary as its default).
# Extra arguments go to `observo server`, e.g. `bash scripts/run.sh --port 9090`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target observo
exec ./build/observo server --config config.example.yaml "$@"
