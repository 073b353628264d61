#!/usr/bin/env python3
"""What reduction counting costs, in instructions rather than time: every kernel of
bench/kernels (or, with --suite, of bench/suite), shrunk to a small size, compiled by
lunaticc with and without --no-preempt and run under valgrind's callgrind; prints the
instructions executed with / without per kernel and their geometric mean. Repeatable where
wall-clock times are not (a machine shared with other work); bench/preemption_cost.py
measures the time.

Usage: bench/preemption_instructions.py BUILD_DIR [KERNEL...] [--suite] [--flags=EXTRA]
                                        [--jobs=N] [--keep=DIR]
BUILD_DIR's bin/lunaticc is used. --flags adds lunaticc options to both variants (for
example --flags=--bounds-checks). --jobs runs that many kernels at once (default 1).
--keep leaves the shrunk sources, executables and callgrind profiles in DIR, for
callgrind_annotate.
"""
import concurrent.futures
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WASM_FLAGS = ["--target=wasm32-wasi", "--sysroot=/usr", "-O2"]


def constants(**values):
    """Replacements of an `enum { NAME = ..., }` kernel's constants: each NAME's value
    (up to the next comma or brace) becomes the one given."""
    return [(rf"\b{name} = [^,}}\n]*[^,}}\s]", f"{name} = {value}") for name, value in values.items()]


# Per kernel, (pattern, replacement) pairs that shrink its work about tenfold or more while
# keeping its loops' shapes: callgrind runs code some fifty times slower than the CPU.
KERNELS = {
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

# The same for bench/suite. Array sizes, and so inner loops' trip counts, stay as they are
# where the work allows: what reduction counting costs depends on how long loops run.
SUITE = {
    "adi": constants(STEPS=4),
    "astinterp": [(r"c < 300", "c < 80"), (r"n < 2500000", "n < 200000"), (r"i < 3500000", "i < 300000")],
    "bfs": constants(VERTICES="1 << 18", EDGES="2 << 20", SOURCES=2),
    "blur": constants(H=540, PASSES=1),
    "bst": constants(LOOKUPS=200000, ROUNDS=1),
    "chainhash": constants(WORDS=250000, ROUNDS=1),
    "cholesky": constants(N=500, REPEATS=1),
    "crc32": constants(BUFFER="4 << 20", PASSES=1),
    "csvparse": constants(ROWS=100000, PASSES=2),
    "dijkstra": constants(SOURCES=1),
    "editdist": constants(PAIRS=6),
    "fdtd2d": constants(STEPS=30),
    "floyd": constants(N=400),
    "fnv": constants(TEXT="4 << 20", PASSES=2),
    "gemm": constants(N=400, REPEATS=1),
    "gemv": constants(ITERATIONS=30),
    "heapsort": constants(COUNT=300000, ROUNDS=1),
    "heat1d": constants(STEPS=300),
    "heat3d": constants(STEPS=20),
    "huffman": constants(INPUT="2 << 20", ROUNDS=1),
    "jacobi2d": constants(STEPS=40),
    "knapsack": constants(SETS=6),
    "lcs": constants(ROUNDS=2),
    "linkedlist": constants(ROUNDS=10),
    "lu": constants(N=500, REPEATS=1),
    "lz77": constants(INPUT="1 << 20", ROUNDS=1),
    "matchain": constants(N=500),
    "mergesort": constants(COUNT=500000, ROUNDS=1),
    "pagerank": constants(PAGES=250000, ITERATIONS=5),
    "prim": constants(GRAPHS=2),
    "qr": constants(M=600, N=300, REPEATS=1),
    "radixsort": constants(COUNT=1000000, ROUNDS=1),
    "rle": constants(HEIGHT=512, FRAMES=2),
    "seidel2d": constants(SWEEPS=8),
    "siphash": constants(MESSAGES=1000000, LONG_REPEATS=1),
    "smooth27": constants(STEPS=8),
    "stackvm": [(r"PUSH, 27\)", "PUSH, 20)"), (r"PUSH, 2000\)", "PUSH, 300)"), (r"PUSH, 35\)", "PUSH, 22)")],
    "stripehash": constants(BUFFER="8 << 20", PASSES=4),
    "syrk": constants(REPEATS=1),
    "trisolve": constants(RHS=60),
    "utf8": constants(TEXT="2 << 20", PASSES=1),
}

SETS = {"kernels": (os.path.join(ROOT, "bench", "kernels"), KERNELS),
        "suite": (os.path.join(ROOT, "bench", "suite"), SUITE)}


def shrink(source_dir, replacements, kernel, out_dir):
    """Writes the shrunk kernel's source and returns its path; fails if a pattern is gone."""
    with open(os.path.join(source_dir, kernel + ".c")) as f:
        source = f.read()
    for pattern, replacement in replacements:
        source, count = re.subn(pattern, replacement, source)
        if count == 0:
            sys.exit(f"{kernel}.c no longer contains /{pattern}/: update this script's tables")
    path = os.path.join(out_dir, kernel + ".c")
    with open(path, "w") as f:
        f.write(source)
    return path


def instructions(exe, log):
    """(instructions callgrind counts for one run of exe within its processes (guest code,
    host calls, yields), its output); the profile is left in log."""
    # One worker and the epoll engine: valgrind serialises threads anyway, and with
    # io_uring the runtime's idle workers never wake under it. The scheduler's own loop is
    # left out: how often it polls while the process runs depends on the machine's load
    # (hundreds of millions of instructions on a busy one).
    env = dict(os.environ, LUNATIC_THREADS="1", LUNATIC_IO="epoll")
    run = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=lunatic::rt::Process::run()",
                          f"--callgrind-out-file={log}", exe],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, check=True, timeout=3600)
    with open(log) as f:
        totals = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.MULTILINE)
    return int(totals.group(1)), run.stdout


def count_kernel(lunaticc, extra, source_dir, replacements, kernel, out_dir):
    """(instructions with reduction counting, without) for one kernel."""
    kdir = os.path.join(out_dir, kernel)
    os.makedirs(kdir, exist_ok=True)
    wasm = os.path.join(kdir, kernel + ".wasm")
    subprocess.run(["clang-19", *WASM_FLAGS, shrink(source_dir, replacements, kernel, kdir), "-o", wasm],
                   check=True)
    counts, outputs = [], []
    for variant, flags in (("preempt", []), ("no-preempt", ["--no-preempt"])):
        exe = os.path.join(kdir, variant)
        subprocess.run([lunaticc, *extra, *flags, wasm, "-o", exe], check=True)
        count, output = instructions(exe, os.path.join(kdir, variant + ".callgrind"))
        counts.append(count)
        outputs.append(output)
    if outputs[0] != outputs[1]:
        sys.exit(f"{kernel}: the output differs with reduction counting:\n{outputs[0]!r}\nwithout:\n{outputs[1]!r}")
    return counts


def main():
    options = {a.split("=")[0]: a.partition("=")[2] for a in sys.argv[1:] if a.startswith("--")}
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    extra = [f for f in options.get("--flags", "").split(",") if f]
    source_dir, table = SETS["suite" if "--suite" in options else "kernels"]
    build, kernels = args[0], args[1:] or sorted(table)
    lunaticc = os.path.join(build, "bin", "lunaticc")
    scratch = None if "--keep" in options else tempfile.TemporaryDirectory(prefix="preemption-instructions-")
    out = options["--keep"] if scratch is None else scratch.name
    os.makedirs(out, exist_ok=True)
    print(f"instructions (callgrind), lunaticc {' '.join(extra) or '(defaults)'}; with / without reduction counting")
    print("| kernel | with | without | ratio |\n|---|---:|---:|---:|")
    ratios = []
    with concurrent.futures.ThreadPoolExecutor(int(options.get("--jobs") or 1)) as pool:
        futures = [pool.submit(count_kernel, lunaticc, extra, source_dir, table[k], k, out) for k in kernels]
        for kernel, future in zip(kernels, futures):
            with_counting, without = future.result()
            ratios.append(with_counting / without)
            print(f"| {kernel} | {with_counting} | {without} | {ratios[-1]:.3f} |", flush=True)
    geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"| **geomean** | | | **{geomean:.3f}** |")


if __name__ == "__main__":
    main()
