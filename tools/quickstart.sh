#!/usr/bin/env bash
# Sets up the machine, builds lunaticc, compiles the bundled hello-world example with it and
# runs the result: the README's first command.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build -G Ninja
cmake --build build
echo "+ build/bin/lunaticc build/examples/hello.wasm -o build/hello"
build/bin/lunaticc build/examples/hello.wasm -o build/hello
echo "+ build/hello one two"
build/hello one two
