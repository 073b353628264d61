#!/usr/bin/env bash
# Installs every Debian package lunaticc needs to build, test and benchmark.
# Idempotent: apt-get skips what is already there. Run as root (or with sudo).
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  llvm-19-dev liblld-19-dev lld-19 clang-19 libclang-rt-19-dev
  libclang-rt-19-dev-wasm32 wasi-libc
  # Rust guests (tests/wasi/rust): Debian's rustc 1.63 and its wasm32-wasi std. rustc links
  # wasm with rust-lld, which Debian makes a link to lld-14 (only a Recommends, so named
  # here); lld-19's wasm-ld refuses the metadata members of the std rlibs.
  rustc libstd-rust-dev-wasm32 lld-14
  # bench/processes/lunatic-rs (run.py --lunatic-rs DIR): Debian's cargo builds the benchmarks
  # written with lunatic-rs 0.13 offline, from Debian's copies of the crates lunatic-rs needs
  # (strsim for darling's default features)
  cargo librust-bincode-dev librust-darling-dev librust-paste-dev librust-proc-macro2-dev
  librust-quote-dev librust-rustversion-dev librust-serde-dev librust-serde-derive-dev
  librust-strsim-dev librust-syn-dev librust-thiserror-dev
  binaryen wabt
  zlib1g-dev libzstd-dev libedit-dev libxml2-dev libffi-dev
  libcli11-dev doctest-dev libfmt-dev libboost-context-dev liburing-dev
  # tests/wasi runs every test once more with io_uring refused, as container engines refuse it
  libseccomp-dev
  # lunaticc --serve (runtime/serve/) parses HTTP with libhttp-parser (its static archive goes
  # into every server); tests/serve drives servers with curl; bench/serve loads them with wrk
  # and compares lighttpd's mod_cgi
  libhttp-parser-dev curl wrk lighttpd
  # `lunaticc run` names its cache entries by SHA-256, from OpenSSL's libcrypto
  libssl-dev
  # lunatic::sqlite (runtime/api/sqlite_api.cpp): its static archive goes into executables
  # whose module imports those functions; bench/sqlite compares the same SQL natively
  libsqlite3-dev
  # the host allocator a build may choose instead of glibc's (CMakeLists.txt,
  # LUNATIC_HOST_ALLOCATOR=mimalloc)
  libmimalloc-dev
  erlang-base golang-go
  python3 nodejs
)

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
