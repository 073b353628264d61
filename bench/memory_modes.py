#!/usr/bin/env python3
"""Guard-page versus bounds-checked linear memory, and the hello-world executable.

Builds each kernel in bench/kernels natively (clang-19 -O2) and as wasm32-wasi compiled by
lunaticc in both memory modes, runs the three side by side (interleaved, RUNS times each),
and prints a Markdown table of medians and ratios to native. Then reports the stripped size
and the median start-up time of examples/hello.

Usage: bench/memory_modes.py BUILD_DIR [RUNS]
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNELS = ["matmul", "quicksort", "sieve"]


def run(cmd):
    subprocess.run(cmd, check=True)


def timed(path):
    start = time.perf_counter()
    subprocess.run([path], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def build(build_dir):
    out = os.path.join(build_dir, "bench")
    os.makedirs(out, exist_ok=True)
    lunaticc = os.path.join(build_dir, "bin", "lunaticc")
    variants = {}
    for kernel in KERNELS:
        source = os.path.join(ROOT, "bench", "kernels", kernel + ".c")
        wasm = os.path.join(out, kernel + ".wasm")
        native = os.path.join(out, kernel + ".native")
        guard = os.path.join(out, kernel + ".guard")
        bounds = os.path.join(out, kernel + ".bounds")
        run(["clang-19", "-O2", source, "-o", native])
        run(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", source, "-o", wasm])
        run([lunaticc, wasm, "-o", guard])
        run([lunaticc, "--bounds-checks", wasm, "-o", bounds])
        variants[kernel] = {"native": native, "guard pages": guard, "bounds checks": bounds}
    return variants


def main():
    build_dir = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    variants = build(build_dir)
    print(f"Medians of {runs} interleaved runs, seconds (ratio to native).\n")
    print("| kernel | native | guard pages | bounds checks |")
    print("|---|---|---|---|")
    ratios = {"guard pages": [], "bounds checks": []}
    for kernel, paths in variants.items():
        times = {name: [] for name in paths}
        for _ in range(runs):
            for name, path in paths.items():
                times[name].append(timed(path))
        medians = {name: statistics.median(t) for name, t in times.items()}
        cells = [f"{medians['native']:.3f}"]
        for name in ("guard pages", "bounds checks"):
            ratio = medians[name] / medians["native"]
            ratios[name].append(ratio)
            cells.append(f"{medians[name]:.3f} ({ratio:.2f})")
        print(f"| {kernel} | " + " | ".join(cells) + " |")
    geo = {name: statistics.geometric_mean(r) for name, r in ratios.items()}
    print(f"| geometric mean | 1.00 | {geo['guard pages']:.2f} | {geo['bounds checks']:.2f} |")

    hello_wasm = os.path.join(build_dir, "examples", "hello.wasm")
    hello = os.path.join(build_dir, "bench", "hello.stripped")
    run([os.path.join(build_dir, "bin", "lunaticc"), "-s", hello_wasm, "-o", hello])
    starts = [timed(hello) for _ in range(max(runs, 50))]
    print(f"\nhello world: {os.path.getsize(hello) / 1024:.0f} KiB stripped; "
          f"start to exit, median of {len(starts)} runs: {statistics.median(starts) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
