#!/usr/bin/env python3
"""What reduction counting costs, in instructions rather than time: every kernel of
bench/kernels, shrunk to a small size, compiled by lunaticc with and without --no-preempt
and run under valgrind's callgrind; prints the instructions executed with / without per
kernel and their geometric mean. Repeatable where wall-clock times are not (a machine
shared with other work); bench/preemption_cost.py measures the time.

Usage: bench/preemption_instructions.py BUILD_DIR [KERNEL...] [--flags=EXTRA]
BUILD_DIR's bin/lunaticc is used. --flags adds lunaticc options to both variants (for
example --flags=--bounds-checks).
"""
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNELS_DIR = os.path.join(ROOT, "bench", "kernels")
WASM_FLAGS = ["--target=wasm32-wasi", "--sysroot=/usr", "-O2"]

# Per kernel, (pattern, replacement) pairs that shrink its work about tenfold or more while
# keeping its loops' shapes: callgrind runs code some fifty times slower than the CPU.
SMALLER = {
    "base64": [(r"ROUNDS = 64", "ROUNDS = 4")],
    "binarytrees": [(r"MAX_DEPTH = 18", "MAX_DEPTH = 14")],
    "fannkuch": [(r"N = 10, REPEAT = 3", "N = 9, REPEAT = 1")],
    "hashmap": [(r"CAPACITY_BITS = 22, KEYS = 1200000, ROUNDS = 6, LOOKUPS = 3000000",
                 "CAPACITY_BITS = 18, KEYS = 100000, ROUNDS = 1, LOOKUPS = 200000")],
    "interp": [(r"rep < 9", "rep < 1"), (r"150000 \+", "15000 +")],
    "mandelbrot": [(r"WIDTH = 2400, HEIGHT = 2000", "WIDTH = 480, HEIGHT = 400")],
    "matmul": [(r"N = 512", "N = 256"), (r"rep < 16", "rep < 1")],
    "nbody": [(r"STEPS = 4500000", "STEPS = 200000")],
    "quicksort": [(r"COUNT = 3000000", "COUNT = 300000")],
    "sha256": [(r"BUFFER = 16 << 20, ROUNDS = 8", "BUFFER = 2 << 20, ROUNDS = 1")],
    "sieve": [(r"LIMIT = 50000000", "LIMIT = 5000000"), (r"rep < 3", "rep < 1")],
    "spectralnorm": [(r"N = 3500", "N = 500")],
    "strsearch": [(r"TEXT = 64 << 20", "TEXT = 4 << 20")],
}


def shrink(kernel, out_dir):
    """Writes the shrunk kernel's source and returns its path; fails if a pattern is gone."""
    with open(os.path.join(KERNELS_DIR, kernel + ".c")) as f:
        source = f.read()
    for pattern, replacement in SMALLER[kernel]:
        source, count = re.subn(pattern, replacement, source)
        if count == 0:
            sys.exit(f"{kernel}.c no longer contains /{pattern}/: update SMALLER")
    path = os.path.join(out_dir, kernel + ".c")
    with open(path, "w") as f:
        f.write(source)
    return path


def instructions(exe, out_dir):
    """Instructions callgrind counts for one run of exe (all threads)."""
    log = os.path.join(out_dir, "callgrind.out")
    # One worker and the epoll engine: valgrind serialises threads anyway, and with
    # io_uring the runtime's idle workers never wake under it.
    env = dict(os.environ, LUNATIC_THREADS="1", LUNATIC_IO="epoll")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={log}", exe],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True, timeout=1800)
    with open(log) as f:
        totals = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.MULTILINE)
    os.remove(log)
    return int(totals.group(1))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--flags=")]
    extra = [f for a in sys.argv[1:] if a.startswith("--flags=") for f in a[len("--flags="):].split(",")]
    build, kernels = args[0], args[1:] or sorted(SMALLER)
    lunaticc = os.path.join(build, "bin", "lunaticc")
    scratch = tempfile.TemporaryDirectory(prefix="preemption-instructions-")  # deleted on exit
    out = scratch.name
    ratios = []
    print(f"instructions (callgrind), lunaticc {' '.join(extra) or '(defaults)'}; with / without reduction counting")
    print("| kernel | with | without | ratio |\n|---|---:|---:|---:|")
    for kernel in kernels:
        wasm = os.path.join(out, kernel + ".wasm")
        subprocess.run(["clang-19", *WASM_FLAGS, shrink(kernel, out), "-o", wasm], check=True)
        counts = []
        for flags in ([], ["--no-preempt"]):
            exe = os.path.join(out, kernel + ("-no-preempt" if flags else ""))
            subprocess.run([lunaticc, *extra, *flags, wasm, "-o", exe], check=True)
            counts.append(instructions(exe, out))
        ratios.append(counts[0] / counts[1])
        print(f"| {kernel} | {counts[0]} | {counts[1]} | {ratios[-1]:.3f} |", flush=True)
    geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"| **geomean** | | | **{geomean:.3f}** |")


if __name__ == "__main__":
    main()
