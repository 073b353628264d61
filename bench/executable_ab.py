#!/usr/bin/env python3
"""What an executable costs, from two or more lunaticc binaries side by side: the size and
start-up time of examples/hello, and the time to compile each kernel of bench/kernels.

For a change to the runtime or the linking, which every executable carries: its size, how
long it takes to start, and how long lunaticc takes to link it (most of a compilation at -O0).

  size      examples/hello compiled with -s by each lunaticc: KiB
  start-up  that executable run to exit from Python's subprocess (fork and exec included):
            RUNS rounds, each running every build's executable 20 times in a row, the order
            of the builds reversed every other round; the median of all runs
  compile   every kernel of bench/kernels (wasm32 from clang-19 -O2) compiled to an executable
            at -O0 and at -O2, in the same interleaved rounds: the median per kernel, summed

Prints one table; ratios are to the first lunaticc.

Usage: bench/executable_ab.py LUNATICC [LUNATICC...] [--rounds 21] [--compile-rounds 5]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernels import CC, KERNEL_DIR, KERNELS, ROOT, WASM_FLAGS  # noqa: E402

HELLO = os.path.join(ROOT, "examples", "hello", "hello.c")
RUNS_PER_ROUND = 20


def interleaved(items, rounds, measure):
    """{item: [measure(item) for every run]}: rounds in which each item runs in turn, the
    order reversed every other round so that a drift of the machine hits all alike."""
    results = {item: [] for item in items}
    for r in range(rounds):
        for item in (items if r % 2 == 0 else items[::-1]):
            results[item].extend(measure(item))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lunaticc", nargs="+")
    parser.add_argument("--rounds", type=int, default=21, help="start-up rounds")
    parser.add_argument("--compile-rounds", type=int, default=5)
    args = parser.parse_args()
    builds = list(range(len(args.lunaticc)))

    with tempfile.TemporaryDirectory(prefix="lunaticc-executable-ab-") as work:
        def wasm_of(source):
            wasm = os.path.join(work, os.path.basename(source)[:-2] + ".wasm")
            subprocess.run([CC, *WASM_FLAGS, source, "-o", wasm], check=True)
            return wasm

        hello = wasm_of(HELLO)
        executables = []
        for b in builds:
            exe = os.path.join(work, f"hello.{b}")
            subprocess.run([args.lunaticc[b], "-s", hello, "-o", exe], check=True)
            executables.append(exe)
        sizes = [os.path.getsize(e) / 1024 for e in executables]

        def start_up(b):
            times = []
            for _ in range(RUNS_PER_ROUND):
                start = time.perf_counter()
                subprocess.run([executables[b]], stdout=subprocess.DEVNULL, check=True)
                times.append(time.perf_counter() - start)
            return times

        started = interleaved(builds, args.rounds, start_up)

        kernels = [wasm_of(os.path.join(KERNEL_DIR, k + ".c")) for k in KERNELS]
        compiled = {}
        for level in ("-O0", "-O2"):
            def compile_all(b):
                times = []
                for wasm in kernels:
                    start = time.perf_counter()
                    subprocess.run([args.lunaticc[b], level, wasm, "-o", os.path.join(work, f"k.{b}")], check=True)
                    times.append(time.perf_counter() - start)
                return [times]  # one entry per round: the times of every kernel
            per_round = interleaved(builds, args.compile_rounds, compile_all)
            compiled[level] = {b: sum(statistics.median(r[k] for r in per_round[b]) for k in range(len(kernels)))
                               for b in builds}

    figures = [
        ("hello, stripped KiB", sizes, "{:,.0f}"),
        ("hello, start to exit, ms", [statistics.median(started[b]) * 1e3 for b in builds], "{:.3f}"),
        (f"compile {len(kernels)} kernels at -O0, s", [compiled["-O0"][b] for b in builds], "{:.2f}"),
        (f"compile {len(kernels)} kernels at -O2, s", [compiled["-O2"][b] for b in builds], "{:.2f}"),
    ]
    names = [os.path.relpath(c) for c in args.lunaticc]
    print(f"load average after: {os.getloadavg()[0]:.1f}; start-up: {args.rounds} rounds of {RUNS_PER_ROUND} runs; "
          f"compile: medians of {args.compile_rounds} rounds\n")
    print("| figure | " + " | ".join(names) + " | " + " | ".join(f"ratio {i + 1}/1" for i in builds[1:]) + " |")
    print("|---|" + "---:|" * (2 * len(builds) - 1))
    for label, values, form in figures:
        cells = [form.format(v) for v in values] + [f"{v / values[0]:.3f}" for v in values[1:]]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
