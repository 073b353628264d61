#!/usr/bin/env python3
"""Whether two lunaticc binaries generate byte-identical code, for a change that should not
alter it (a move, a refactoring).

Compiles every benchmark kernel (bench/kernels/ and bench/suite/) to wasm32 once, as the
benchmarks do (clang-19 -O2, wasi-libc), plus any .wasm given with --wasm, then has each
lunaticc write an object (-c) of it in every memory and preemption mode, and compares the
objects byte for byte. Prints one line per difference and a closing count; exits 1 if any
object differs or fails to compile with one binary only.

Usage: bench/same_code.py LUNATICC_A LUNATICC_B [--jobs N] [--wasm FILE ...]
"""
import argparse
import concurrent.futures
import filecmp
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from kernels import CC, WASM_FLAGS  # noqa: E402

MODES = {"guard": [], "bounds": ["--bounds-checks"], "guard-nopreempt": ["--no-preempt"],
         "bounds-nopreempt": ["--bounds-checks", "--no-preempt"]}


def compile_object(lunaticc, wasm, flags, out):
    result = subprocess.run([lunaticc, "-c", *flags, wasm, "-o", out], capture_output=True, text=True)
    return result.returncode == 0, result.stderr.strip()


def compare(a, b, wasm, mode, work):
    name = os.path.splitext(os.path.basename(wasm))[0]
    outs = [os.path.join(work, f"{name}.{mode}.{side}.o") for side in ("a", "b")]
    results = [compile_object(lunaticc, wasm, MODES[mode], out) for lunaticc, out in zip((a, b), outs)]
    if results[0][0] != results[1][0]:
        return f"{name} {mode}: compiles with one binary only: {results[0][1] or results[1][1]}"
    if not results[0][0]:
        return None if results[0][1] == results[1][1] else f"{name} {mode}: different errors"
    return None if filecmp.cmp(*outs, shallow=False) else f"{name} {mode}: objects differ"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--wasm", nargs="*", default=[], help="more modules to compare")
    args = parser.parse_args()
    sources = sorted(glob.glob(os.path.join(ROOT, "bench", "kernels", "*.c")) +
                     glob.glob(os.path.join(ROOT, "bench", "suite", "*.c")))
    with tempfile.TemporaryDirectory(prefix="lunaticc-same-") as work:
        modules = []
        for source in sources:
            kind = os.path.basename(os.path.dirname(source))
            wasm = os.path.join(work, f"{kind}-{os.path.splitext(os.path.basename(source))[0]}.wasm")
            subprocess.run([CC, *WASM_FLAGS, source, "-o", wasm], check=True)
            modules.append(wasm)
        modules += args.wasm
        jobs = [(wasm, mode) for wasm in modules for mode in MODES]
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            problems = [p for p in pool.map(lambda job: compare(args.a, args.b, *job, work), jobs) if p]
    for problem in problems:
        print(problem)
    print(f"{len(jobs) - len(problems)} passed, {len(problems)} failed "
          f"({len(modules)} modules x {len(MODES)} modes)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
