#!/bin/bash
# Instructions per message (or per round trip) of one side of the cross-node benchmarks
# (README.md), counted by callgrind, which load on the machine does not disturb: runs the
# benchmark with N and with 3N, the chosen side under callgrind (one worker, the epoll engine,
# since valgrind hangs with io_uring), and divides the difference by 2N, so start-up drops out.
#
#   bench/distributed/instructions.sh BIN a|b pingpong N
#   bench/distributed/instructions.sh BIN a|b stream N SIZE
#
# Side a runs the benchmark's main (the pinger, the streaming sender); b is the --no-main node
# that hosts what a spawns (the ponger, the sink). Needs epmd and valgrind.
set -euo pipefail
bin=$1 side=$2 bench=$3 n=$4
shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LUNATIC_THREADS=1 LUNATIC_IO=epoll

# Total instructions of side $side for a run of $1 messages (the rest: the benchmark's size).
count() {
  local messages=$1
  shift
  local port=$((20000 + RANDOM % 20000)) name="i$$_$messages" out="$work/cg.$messages"
  export ERL_EPMD_PORT=$port
  epmd -port "$port" & local epmd_pid=$!
  sleep 0.3
  local host=("$bin" --node "${name}b@127.0.0.1" --cookie instructions --no-main)
  local client=("$bin" --node "${name}a@127.0.0.1" --cookie instructions --join "${name}b@127.0.0.1" "$bench" "$messages" "$@")
  if [ "$side" = b ]; then
    valgrind -q --tool=callgrind --callgrind-out-file="$out" "${host[@]}" 2>/dev/null & local host_pid=$!
    sleep 2
    timeout 600 "${client[@]}" >/dev/null 2>&1
    callgrind_control -d "$host_pid" >/dev/null 2>&1 || true  # the host never ends: dump, then stop it
    sleep 1
  else
    "${host[@]}" 2>/dev/null & local host_pid=$!
    sleep 0.3
    timeout 600 valgrind -q --tool=callgrind --callgrind-out-file="$out" "${client[@]}" >/dev/null 2>&1
  fi
  kill "$host_pid" "$epmd_pid" 2>/dev/null || true
  wait "$host_pid" "$epmd_pid" 2>/dev/null || true
  cat "$out"* | awk '/^summary:/ {total += $2} END {print total}'
}

once=$(count "$n" "$@")
thrice=$(count "$((3 * n))" "$@")
echo "$bench side $side: $(( (thrice - once) / (2 * n) )) instructions per $([ "$bench" = pingpong ] && echo round trip || echo message)"
