#!/usr/bin/env python3
"""Golden tests of generated code, in the manner of LLVM's own: each .wat here says how to
compile it (`;; RUN: lunaticc FLAGS`) and what the optimised LLVM IR must contain
(`;; CHECK...` lines, read by LLVM's FileCheck).

Usage: run_codegen_tests.py LUNATICC FILECHECK WORKDIR
"""
import glob
import os
import subprocess
import sys


def main():
    lunaticc, filecheck, workdir = sys.argv[1:4]
    os.makedirs(workdir, exist_ok=True)
    passed = failed = 0
    for source in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "*.wat"))):
        name = os.path.basename(source)[:-4]
        with open(source) as f:
            run = next(line for line in f if line.startswith(";; RUN: lunaticc"))
        flags = run.split("lunaticc", 1)[1].split()
        wasm = os.path.join(workdir, name + ".wasm")
        ir = os.path.join(workdir, name + ".ll")
        steps = [["wat2wasm", "--debug-names", source, "-o", wasm],
                 [lunaticc, *flags, "-c", "--emit-llvm", wasm, "-o", ir]]
        ok = all(subprocess.run(step).returncode == 0 for step in steps)
        if ok:
            with open(ir) as f:
                ok = subprocess.run([filecheck, "--comment-prefixes=NOCOMMENT", source], stdin=f).returncode == 0
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
        passed += ok
        failed += not ok
    print(f"codegen: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
