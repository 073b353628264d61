#!/usr/bin/env bash
# Installs what the benchmarks in bench/ need on top of the tests' packages: the peers they
# are measured against (Erlang, Go, lighttpd, wrk, wasm2c, node), cargo for lunatic-rs, and
# valgrind. Opt-in: neither building lunaticc nor its tests need them.
set -euo pipefail
exec "$(dirname "$0")/setup.sh" --bench
