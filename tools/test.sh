#!/usr/bin/env bash
# Sets up the machine, builds everything and runs every test: what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build -G Ninja
cmake --build build
ctest --test-dir build --output-on-failure "$@"
