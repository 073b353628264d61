#!/usr/bin/env python3
"""What reduction counting costs: every kernel of bench/kernels compiled by lunaticc with and
without --no-preempt, in both memory modes, run interleaved; prints the ratio of the median
times (with / without) per kernel and their geometric mean.

Usage: bench/preemption_cost.py BUILD_DIR RUNS
BUILD_DIR is a build whose bin/lunaticc is used and where bench/kernels.py left the .wasm
files (BUILD_DIR/bench-kernels/<kernel>/<kernel>.wasm): run that first.
"""
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    build, runs = sys.argv[1], int(sys.argv[2])
    lunaticc = os.path.join(build, "bin", "lunaticc")
    kernels_dir = os.path.join(build, "bench-kernels")
    kernels = sorted(k for k in os.listdir(kernels_dir) if not k.startswith("_"))
    variants = {"guard": [], "guard-no-preempt": ["--no-preempt"], "bounds": ["--bounds-checks"],
                "bounds-no-preempt": ["--bounds-checks", "--no-preempt"]}
    scratch = tempfile.TemporaryDirectory(prefix="preemption-cost-")  # deleted on exit
    out = scratch.name
    for k in kernels:
        for v, flags in variants.items():
            wasm = os.path.join(kernels_dir, k, k + ".wasm")
            subprocess.run([lunaticc, *flags, wasm, "-o", os.path.join(out, f"{k}-{v}")], check=True)
    times = {(k, v): [] for k in kernels for v in variants}
    for _ in range(runs):
        for k in kernels:
            for v in variants:
                start = time.perf_counter()
                subprocess.run([os.path.join(out, f"{k}-{v}")], stdout=subprocess.DEVNULL, check=True)
                times[(k, v)].append(time.perf_counter() - start)
    ratio = lambda k, mode: (statistics.median(times[(k, mode)]) /
                             statistics.median(times[(k, mode + "-no-preempt")]))
    geomean = lambda xs: math.exp(sum(map(math.log, xs)) / len(xs))
    print(f"medians of {runs} runs; time with reduction counting / time without")
    print("| kernel | guard pages | bounds checks |\n|---|---:|---:|")
    for k in kernels:
        print(f"| {k} | {ratio(k, 'guard'):.3f} | {ratio(k, 'bounds'):.3f} |")
    print(f"| **geomean** | **{geomean([ratio(k, 'guard') for k in kernels]):.3f}** | "
          f"**{geomean([ratio(k, 'bounds') for k in kernels]):.3f}** |")


if __name__ == "__main__":
    main()
