#!/usr/bin/env bash
# Builds the front-end fuzzer (libFuzzer, AddressSanitizer, UBSan) and runs it.
#   tools/fuzz.sh [SECONDS] [BUILD_DIR]     default: 600 seconds, build/
# Seeds: every binary module of the spec test suite (converted with wast2json). Findings
# land in BUILD_DIR/fuzz/findings/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-600}"
build="${2:-$root/build}"
out="$build/fuzz"
mkdir -p "$out/corpus" "$out/findings" "$out/seeds"

if [ -z "$(ls -A "$out/seeds")" ]; then
  for wast in "$root"/../shared/spec-testsuite/core/*.wast; do
    name=$(basename "$wast" .wast)
    (cd "$out/seeds" && wast2json --enable-all "$wast" -o "$name.json" >/dev/null 2>&1 || true)
  done
  rm -f "$out/seeds"/*.json "$out/seeds"/*.wat
fi

src="$root/compiler/frontend"
clang++-19 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root" -I"$root/runtime/include" \
  "$root/tests/fuzz/frontend_fuzzer.cpp" "$src/binaryen_reader.cpp" "$src/module_info.cpp" \
  "$src/validate.cpp" "$src/wasm_reader.cpp" "$src/binaryen_compat.cpp" \
  -lbinaryen -o "$out/frontend_fuzzer"

cd "$out/findings"
exec "$out/frontend_fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=4096 -print_final_stats=1 "$out/corpus" "$out/seeds"
