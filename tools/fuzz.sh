#!/usr/bin/env bash
# Builds the front-end fuzzer (libFuzzer, AddressSanitizer, UBSan) and runs it.
#   tools/fuzz.sh [SECONDS] [BUILD_DIR]     default: 600 seconds, build/
#   tools/fuzz.sh --smoke [BUILD_DIR]       ctest's pass (tests/fuzz): every seed once, then
#                                           a fixed number of mutations from a fixed seed
# Seeds: every binary module of the spec test suite (converted with wast2json), which must
# be there. Findings land in BUILD_DIR/fuzz/findings/. The fuzzer is rebuilt only when a
# source is newer than it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
smoke=false
if [ "${1:-}" = --smoke ]; then
  smoke=true
  shift
  seconds=0
else
  seconds="${1:-600}"
  shift || true
fi
build="${1:-$root/build}"
suite="${LUNATIC_SPEC_TESTSUITE:-$root/../shared/spec-testsuite}"
out="$build/fuzz"
mkdir -p "$out/corpus" "$out/findings" "$out/seeds"

if [ ! -d "$suite/core" ]; then
  echo "fuzz.sh: no spec test suite at $suite/core for the seeds (set LUNATIC_SPEC_TESTSUITE)" >&2
  exit 2
fi
if [ -z "$(ls -A "$out/seeds")" ]; then
  for wast in "$suite"/core/*.wast; do
    name=$(basename "$wast" .wast)
    # Some scripts hold modules wast2json refuses (text that is meant to be malformed).
    (cd "$out/seeds" && wast2json --enable-all "$wast" -o "$name.json" >/dev/null 2>&1 || true)
  done
  rm -f "$out/seeds"/*.json "$out/seeds"/*.wat
fi

src="$root/compiler/frontend"
sources=("$root/tests/fuzz/frontend_fuzzer.cpp" "$src/binaryen_reader.cpp" "$src/module_info.cpp"
         "$src/validate.cpp" "$src/wasm_reader.cpp" "$src/binaryen_compat.cpp")
fuzzer="$out/frontend_fuzzer"
stale=false
[ -x "$fuzzer" ] || stale=true
for f in "${sources[@]}" "$src"/*.h "$root"/runtime/include/lunatic/*.h; do
  [ "$f" -nt "$fuzzer" ] && stale=true
done
if $stale; then
  clang++-19 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root" -I"$root/runtime/include" "${sources[@]}" -lbinaryen -o "$fuzzer.new"
  mv "$fuzzer.new" "$fuzzer"
fi

cd "$out/findings"
if $smoke; then
  # A corpus of its own, emptied each time, so that each pass starts from the seeds alone.
  rm -rf "$out/smoke-corpus"
  mkdir -p "$out/smoke-corpus"
  exec "$fuzzer" -seed=1 -runs=20000 -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    "$out/smoke-corpus" "$out/seeds"
fi
exec "$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=4096 -print_final_stats=1 "$out/corpus" "$out/seeds"
