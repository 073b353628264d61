#!/usr/bin/env bash
# The README's first command: installs what building lunaticc needs (no test or benchmark
# packages), builds lunaticc and the bundled hello-world example (nothing else), and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build -G Ninja -DLUNATICC_TESTS=OFF
cmake --build build --target hello-program
echo "+ build/bin/lunaticc build/examples/hello.wasm -o build/examples/hello   (done by the build)"
echo "+ build/examples/hello one two"
build/examples/hello one two
