#!/usr/bin/env bash
# Installs the Debian packages lunaticc needs. Idempotent: apt-get skips what is already there.
# Run as root (or with sudo).
#
#   tools/setup.sh            what building lunaticc and running its examples need (the
#                             README's first command, tools/quickstart.sh)
#   tools/setup.sh --cross    and what cross-compiling for aarch64 needs (lunaticc --target
#                             aarch64-linux-gnu): Debian's cross toolchain and the runtime's
#                             libraries for arm64 (multiarch), qemu-user to run the result
#   tools/setup.sh --tests    and what the tests need (tools/test.sh, what CI runs), --cross's too
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
cross_packages=(
  # the runtime for aarch64 (tools/cross_runtime.cmake): Debian's cross compiler, with its
  # C library and crt files that lunaticc links aarch64 executables with, and the arm64
  # builds of the libraries the runtime's archives come from (packages above)
  g++-aarch64-linux-gnu libboost-context-dev:arm64 liburing-dev:arm64 libc-ares-dev:arm64
  libsqlite3-dev:arm64 libssl-dev:arm64
  # (the tests run aarch64 executables under qemu-aarch64-static: below)
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
cross=0
for option in "$@"; do
  case "$option" in
    --cross) cross=1 ;;
    --tests) cross=1; packages+=("${test_packages[@]}"); with_tests=true ;;
    --bench) cross=1; packages+=("${test_packages[@]}" "${bench_packages[@]}"); with_tests=true ;;
    *) echo "usage: tools/setup.sh [--cross] [--tests] [--bench]" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi

arch_added=0
if [ "$cross" = 1 ]; then
  packages+=("${cross_packages[@]}")
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo_cmd[@]}" dpkg --add-architecture arm64
    arch_added=1
  fi
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ "$arch_added" = 1 ]; then
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

# The tests run aarch64 executables under qemu-aarch64-static (no binfmt_misc needed). The
# WASI sandbox opens every guest path with openat2 (wasi/sandbox.h), which qemu-user has
# only since 9.1: bookworm's 7.2 answers ENOSYS, so it comes from bookworm-backports.
if [ "$cross" = 1 ]; then
  # (`|| true`: on a fresh machine qemu is missing, and pipefail would end the script here)
  qemu_version=$(qemu-aarch64-static --version 2>/dev/null |
    sed -n 's/^qemu-aarch64 version \([0-9]*\.[0-9]*\).*/\1/p' || true)
  if [ -z "$qemu_version" ] || ! printf '9.1\n%s\n' "$qemu_version" | sort -V -C; then
    backports=/etc/apt/sources.list.d/bookworm-backports.sources
    if [ ! -e "$backports" ]; then
      printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        "${sudo_cmd[@]}" tee "$backports" >/dev/null
      "${sudo_cmd[@]}" apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
      -t bookworm-backports qemu-user-static
  fi
fi

# Two packages the runtime's archives come from cannot be installed for two architectures at
# once (Debian does not mark them Multi-Arch: same): libhttp-parser-dev, and erlang-dev for
# lunatic::distributed's libei. Of each, the runtime needs only the static archive (the
# headers are the host package's), so the arm64 build of it is unpacked from Debian's
# package into the multiarch directory of /usr/local, where the aarch64 runtime build finds
# it (tools/toolchains/aarch64-linux-gnu.cmake).
cross_archives=(
  "libhttp-parser-dev usr/lib/aarch64-linux-gnu/libhttp_parser.a"
  "erlang-dev usr/lib/erlang/usr/lib/libei.a"
)
if [ "$cross" = 1 ]; then
  for entry in "${cross_archives[@]}"; do
    read -r package member <<<"$entry"
    target=/usr/local/lib/aarch64-linux-gnu/$(basename "$member")
    [ -e "$target" ] && continue
    unpack=$(mktemp -d)
    chmod 777 "$unpack"  # apt-get download fetches as the _apt user
    (cd "$unpack" && apt-get download -qq "$package:arm64" && dpkg-deb -x "$package"_*_arm64.deb root)
    "${sudo_cmd[@]}" install -D -m 644 "$unpack/root/$member" "$target"
    rm -rf "$unpack"
  done
fi
