#!/usr/bin/env bash
# Installs the Debian packages lunaticc needs. Idempotent: apt-get skips what is already there.
# Run as root (or with sudo).
#
#   tools/setup.sh            what building lunaticc and running its examples need (the
#                             README's first command, tools/quickstart.sh)
#   tools/setup.sh --tests    and what the tests need (tools/test.sh, what CI runs)
#   tools/setup_bench.sh      and the benchmarks' peers (Erlang, Go, wrk, ...): opt-in
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config python3
  # the compiler: LLVM and lld (linked in), Binaryen, and LLVM's CMake package's own needs
  llvm-19-dev liblld-19-dev lld-19 binaryen zlib1g-dev libzstd-dev libedit-dev libxml2-dev libffi-dev
  # guests: C to wasm32-wasi with clang-19 and wasi-libc
  clang-19 libclang-rt-19-dev-wasm32 wasi-libc
  # flags; the runtime's stack switching and io_uring engine; lunaticc --serve parses HTTP
  # with libhttp-parser (its static archive goes into every server); `lunaticc run` names its
  # cache entries by SHA-256, from OpenSSL's libcrypto; lunatic::networking::resolve asks
  # c-ares (its static archive goes into executables that resolve names, --static or not)
  libcli11-dev libboost-context-dev liburing-dev libhttp-parser-dev libssl-dev libc-ares-dev
  # lunatic::sqlite (runtime/api/sqlite_api.cpp): its static archive goes into executables
  # whose module imports those functions
  libsqlite3-dev
  # lunatic::distributed's nodes speak Erlang distribution through erl_interface (libei.a goes
  # into executables whose module imports those functions); epmd names the nodes, and the
  # tests run real erl nodes beside ours
  erlang-dev erlang-base
)
test_packages=(
  # Rust guests (tests/wasi/rust, examples/serve): Debian's rustc 1.63 and its wasm32-wasi
  # std. rustc links wasm with rust-lld, which Debian makes a link to lld-14 (only a
  # Recommends, so named here); lld-19's wasm-ld refuses the metadata members of the std rlibs.
  rustc libstd-rust-dev-wasm32 lld-14
  # unit tests; FileCheck for the codegen tests comes with llvm-19-dev
  doctest-dev
  # the spec tests' .wat modules; node's WASI as the reference engine of guest tests
  wabt nodejs
  # tests/wasi runs every test once more with io_uring refused, as container engines refuse it
  libseccomp-dev
  # the fuzzer's smoke pass (tests/fuzz) builds with AddressSanitizer
  libclang-rt-19-dev
  # tests/serve drives servers with curl; tests/net's TLS peers make their certificates with
  # Python's cryptography, and tests/cluster checks certificates with openssl
  curl python3-cryptography openssl
  # tests/observe: a real Prometheus scrapes an executable, and promtool checks /metrics
  prometheus
  # tests/debug: gdb breaks on guest source lines; objdump compares code with and without -g
  gdb binutils
)
bench_packages=(
  # bench/processes/lunatic-rs (run.py --lunatic-rs DIR): Debian's cargo builds the benchmarks
  # written with lunatic-rs 0.13 offline, from Debian's copies of the crates lunatic-rs needs
  # (strsim for darling's default features)
  cargo librust-bincode-dev librust-darling-dev librust-paste-dev librust-proc-macro2-dev
  librust-quote-dev librust-rustversion-dev librust-serde-dev librust-serde-derive-dev
  librust-strsim-dev librust-syn-dev librust-thiserror-dev
  # peers: Erlang and Go (processes, networking), lighttpd's mod_cgi and wrk (serve); wasm2c
  # (in wabt) and node are the code-speed peers
  erlang-base golang-go wrk lighttpd
  # instruction counts (callgrind)
  valgrind
  # the host allocator a build may choose instead of glibc's (CMakeLists.txt,
  # LUNATIC_HOST_ALLOCATOR=mimalloc; bench/allocator_ab.py)
  libmimalloc-dev
)
with_tests=false
for option in "$@"; do
  case "$option" in
    --tests) packages+=("${test_packages[@]}"); with_tests=true ;;
    --bench) packages+=("${test_packages[@]}" "${bench_packages[@]}"); with_tests=true ;;
    *) echo "usage: tools/setup.sh [--tests] [--bench]" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# AssemblyScript guests (sdk/assemblyscript: its tests, examples and benchmarks): the
# compiler from npm, exactly the version the package's lockfile pins. Debian's npm, unless
# node already brings its own (NodeSource's nodejs does, and conflicts with Debian's npm).
if $with_tests; then
  if ! command -v npm >/dev/null; then
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends npm
  fi
  (cd "$(dirname "$0")/../sdk/assemblyscript" && npm ci --no-audit --no-fund)
fi
