#!/usr/bin/env bash
# Sets up the machine for the tests, builds everything and runs every test: what CI runs
# (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --tests
cmake -S . -B build -G Ninja -DLUNATICC_TESTS=ON
cmake --build build
ctest --test-dir build --output-on-failure "$@"
