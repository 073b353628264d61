#!/usr/bin/env python3
"""Oversized functions (compiler/backend/module_split.h: compiled as at -O0, in parts of their own,
their long blocks cut) compile to programs that print what they must. The programs come from
bench/compile/pathological.py, which computes each one's output itself; the largest is the
20,000-local function of issue 22 at -O2. This checks correctness only: how long compiling
takes is measured by bench/compile/run.py (docs/benchmarks.md), not by tests.

It also checks, in the LLVM IR of the 20,000-local module, that the oversized function was
compiled apart: alone in its part, its locals still in memory (not promoted as at -O2),
while the module's other functions were optimised in a part of their own.

Usage: oversized_function_test.py LUNATICC WORKDIR
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(HERE, "..", "..", "bench", "compile", "pathological.py")

# kind, size, lunaticc flags; each function below is over 20,000 instructions as translated.
CASES = [
    ("locals", 20000, ["-O2"]),
    ("indirect", 3000, ["-O2", "--bounds-checks"]),
    ("loops", 300, ["-O2"]),
    ("br_table", 6000, ["-O2", "--no-preempt"]),
    ("nesting", 3000, ["-O0"]),
]


def build(kind, size, workdir):
    base = os.path.join(workdir, f"{kind}{size}")
    subprocess.run([sys.executable, GENERATOR, kind, str(size), base + ".wat", base + ".expected"], check=True)
    subprocess.run(["wat2wasm", base + ".wat", "-o", base + ".wasm"], check=True)
    with open(base + ".expected") as f:
        return base, f.read()


def run_case(lunaticc, workdir, kind, size, flags):
    base, expected = build(kind, size, workdir)
    executable = f"{base}{''.join(flags)}"
    subprocess.run([lunaticc, *flags, base + ".wasm", "-o", executable], check=True)
    output = subprocess.run([executable], capture_output=True, text=True, timeout=60).stdout
    if output != expected:
        return f"printed {output!r}, expected {expected!r}"
    return None


def check_parts(lunaticc, workdir):
    """The 20,000-local function alone in a part, not optimised; the rest optimised apart."""
    base, _ = build("locals", 20000, workdir)
    ir = base + ".ll"
    subprocess.run([lunaticc, "-O2", "-c", "--emit-llvm", base + ".wasm", "-o", ir], check=True)
    with open(ir) as f:
        parts = re.split(r"^; part \d+ of \d+\n", f.read(), flags=re.M)[1:]
    if len(parts) < 2:
        return f"compiled in {len(parts)} part(s), expected the oversized function in a part of its own"
    oversized = [part for part in parts if part.count("\n") > 200000]
    if len(oversized) != 1:
        return f"{len(oversized)} parts hold a function of over 200,000 lines of IR, expected 1"
    definitions = re.findall(r"^define .*$", oversized[0], flags=re.M)
    if len(definitions) != 1:
        return f"the oversized function's part defines {len(definitions)} functions, expected 1"
    if oversized[0].count(" = alloca ") < 20000:
        return "the oversized function's locals were promoted: it was optimised as at -O2"
    others = [part for part in parts if part is not oversized[0]]
    if not any(re.search(r"^define .*_start\(", part, flags=re.M) for part in others):
        return "_start is not in an ordinary part"
    if any(" = alloca " in part for part in others):
        return "an ordinary part was not optimised (allocas left)"
    return None


def main():
    lunaticc, workdir = sys.argv[1:3]
    os.makedirs(workdir, exist_ok=True)
    failed = 0
    for kind, size, flags in CASES:
        error = run_case(lunaticc, workdir, kind, size, flags)
        failed += error is not None
        print(f"{'FAIL' if error else 'ok  '} {kind} {size} {' '.join(flags)}{': ' + error if error else ''}")
    error = check_parts(lunaticc, workdir)
    failed += error is not None
    print(f"{'FAIL' if error else 'ok  '} locals 20000: oversized function compiled in a part of its own"
          f"{': ' + error if error else ''}")
    print(f"{len(CASES) + 1 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
