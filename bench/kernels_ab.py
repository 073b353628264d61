#!/usr/bin/env python3
"""Side by side: the kernels of bench/kernels compiled by two lunaticc binaries, run in turn.

For a change to the compiler, the question is how the code of one build compares with the
code of another on the same machine at the same time. This compiles each kernel to wasm32
once (clang-19 -O2, as bench/kernels.py does), then with lunaticc A and lunaticc B (same
flags), and runs A, B, A, B, ... RUNS times each, alternating which goes first. Prints per
kernel the median seconds of each and the ratio B/A, and the geometric mean of the ratios.
Every run's output must equal the first run's.

With --callgrind, instructions instead of seconds, for a machine too noisy to time: each
kernel shrunk as bench/preemption_instructions.py shrinks it, run once each under valgrind's
callgrind (RUNS is ignored).

Usage: bench/kernels_ab.py LUNATICC_A LUNATICC_B RUNS [--only K1,K2] [--flags "--bounds-checks"]
       [--callgrind]
"""
import argparse
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from kernels import CC, KERNEL_DIR, KERNELS, WASM_FLAGS  # noqa: E402
import preemption_instructions  # noqa: E402


def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("runs", type=int)
    parser.add_argument("--only", help="comma-separated kernels (default: all)")
    parser.add_argument("--flags", default="", help="lunaticc flags for both, e.g. \"--bounds-checks\"")
    parser.add_argument("--callgrind", action="store_true", help="count instructions of shrunk kernels instead")
    args = parser.parse_args()
    kernels = args.only.split(",") if args.only else KERNELS
    flags = shlex.split(args.flags)
    ratios = []
    with tempfile.TemporaryDirectory(prefix="lunaticc-ab-") as work:
        unit = "instructions" if args.callgrind else "s"
        print(f"| kernel | A {unit} | B {unit} | B/A |\n|---|---:|---:|---:|")
        for kernel in kernels:
            wasm = os.path.join(work, kernel + ".wasm")
            source = (preemption_instructions.shrink(kernel, work) if args.callgrind
                      else os.path.join(KERNEL_DIR, kernel + ".c"))
            subprocess.run([CC, *WASM_FLAGS, source, "-o", wasm], check=True)
            exes = []
            for label, lunaticc in (("a", args.a), ("b", args.b)):
                exe = os.path.join(work, f"{kernel}.{label}")
                subprocess.run([lunaticc, *flags, wasm, "-o", exe], check=True)
                exes.append(exe)
            if args.callgrind:
                a, b = (preemption_instructions.instructions(exe, work) for exe in exes)
                ratios.append(b / a)
                print(f"| {kernel} | {a} | {b} | {b / a:.4f} |", flush=True)
                continue
            times = ([], [])
            expected = None
            for run in range(args.runs):
                order = (0, 1) if run % 2 == 0 else (1, 0)
                for which in order:
                    seconds, out = timed([exes[which]])
                    if expected is None:
                        expected = out
                    elif out != expected:
                        sys.exit(f"kernels_ab.py: {kernel} printed {out!r}, expected {expected!r}")
                    times[which].append(seconds)
            a, b = statistics.median(times[0]), statistics.median(times[1])
            ratios.append(b / a)
            print(f"| {kernel} | {a:.3f} | {b:.3f} | {b / a:.3f} |", flush=True)
    print(f"| **geometric mean** | | | **{math.exp(sum(map(math.log, ratios)) / len(ratios)):.3f}** |")


if __name__ == "__main__":
    main()
