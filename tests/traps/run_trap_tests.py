#!/usr/bin/env python3
"""Traps in executables: each export of traps.wat, run as the entry of its own executable,
must print `trap: <kind>` and a backtrace of Wasm function names on stderr and exit with
status 134; stack exhaustion must be caught, never a segfault. Both memory modes, and a
stripped executable, which must still name its functions. A function LLVM inlined (inner
into div at -O2, the default) still has its frame, named from the inline table
(compiler/debuginfo/inline_table.h), as it has at -O0, where nothing is inlined.

Usage: run_trap_tests.py LUNATICC WORKDIR [--target TARGET --wrapper WRAPPER]
  (for another target: executables compiled with --target TARGET and run as WRAPPER EXE,
  e.g. --target aarch64-linux-gnu --wrapper qemu-aarch64-static)
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = [  # entry, lunaticc flags, expected first line, the functions the backtrace starts with
    ("div", [], "trap: integer divide by zero", ["inner", "div"]),
    ("div", ["-O0"], "trap: integer divide by zero", ["inner", "div"]),
    ("stack", [], "trap: call stack exhausted", ["recurse"]),
    ("unreachable", [], "trap: unreachable", ["unreachable"]),
    ("oob", ["--bounds-checks"], "trap: out of bounds memory access", ["oob", "oob_entry"]),
    ("oob_direct", [], "trap: out of bounds memory access", ["oob_direct"]),
    ("div", ["-s"], "trap: integer divide by zero", ["inner", "div"]),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("lunaticc")
    parser.add_argument("work")
    parser.add_argument("--target", default="")
    parser.add_argument("--wrapper", default="")
    args = parser.parse_args()
    lunaticc, work = args.lunaticc, args.work
    target = ["--target", args.target] if args.target else []
    wrapper = [args.wrapper] if args.wrapper else []
    os.makedirs(work, exist_ok=True)
    wasm = os.path.join(work, "traps.wasm")
    subprocess.run(["wat2wasm", "--debug-names", os.path.join(HERE, "traps.wat"), "-o", wasm], check=True)
    passed = failed = 0
    for entry, flags, first_line, functions in CASES:
        exe = os.path.join(work, f"{entry}{''.join(flags)}")
        subprocess.run([lunaticc, *target, *flags, "--entry", entry, wasm, "-o", exe], check=True)
        run = subprocess.run([*wrapper, exe], capture_output=True, text=True, timeout=300)
        lines = run.stderr.splitlines()
        frames = [line[len("  at "):].split(" (")[0] for line in lines[1:] if line.startswith("  at ")]
        ok = run.returncode == 134 and lines and lines[0] == first_line and frames[:len(functions)] == functions
        print(f"{'ok  ' if ok else 'FAIL'} {entry} {' '.join(flags)}: status {run.returncode}, {lines[:3]}")
        passed += ok
        failed += not ok
    print(f"traps: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
