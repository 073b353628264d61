#!/usr/bin/env python3
"""Golden tests of generated code, in the manner of LLVM's own: each .wat here says how to
compile it and what the optimised LLVM IR must contain (`;; CHECK...` lines, read by LLVM's
FileCheck).

A test has one or more RUN lines:
    ;; RUN: lunaticc FLAGS
    ;; RUN: lunaticc FLAGS | FileCheck --check-prefix=PREFIX
The first form checks the IR against the CHECK lines; the second passes the FileCheck
options given (so a second RUN can check its own PREFIX: lines). A test with an
`;; ERROR: TEXT` line instead expects every RUN to be refused with TEXT in the message.

Usage: run_codegen_tests.py LUNATICC FILECHECK WORKDIR
"""
import glob
import os
import subprocess
import sys


def run_test(source, lunaticc, filecheck, workdir):
    name = os.path.basename(source)[:-4]
    with open(source) as f:
        lines = f.read().splitlines()
    runs = [line[len(";; RUN:"):].strip() for line in lines if line.startswith(";; RUN: lunaticc")]
    errors = [line[len(";; ERROR:"):].strip() for line in lines if line.startswith(";; ERROR:")]
    if not runs:
        print(f"{name}: no RUN line")
        return False
    wasm = os.path.join(workdir, name + ".wasm")
    if subprocess.run(["wat2wasm", "--debug-names", source, "-o", wasm]).returncode != 0:
        return False
    for number, run in enumerate(runs):
        compile_part, _, check_part = run.partition("|")
        flags = compile_part.split()[1:]
        check_options = check_part.split()[1:]  # after "FileCheck"
        ir = os.path.join(workdir, f"{name}.{number}.ll")
        result = subprocess.run([lunaticc, *flags, "-c", "--emit-llvm", wasm, "-o", ir],
                                stderr=subprocess.PIPE, text=True)
        if errors:
            if result.returncode == 0 or not all(e in result.stderr for e in errors):
                print(f"{name}: expected the error {errors}, got: {result.stderr.strip() or 'success'}")
                return False
            continue
        sys.stderr.write(result.stderr)
        if result.returncode != 0:
            return False
        with open(ir) as f:
            check = [filecheck, "--comment-prefixes=NOCOMMENT", *check_options, source]
            if subprocess.run(check, stdin=f).returncode != 0:
                print(f"{name}: RUN {number + 1} ({run}) does not match")
                return False
    return True


def main():
    lunaticc, filecheck, workdir = sys.argv[1:4]
    os.makedirs(workdir, exist_ok=True)
    passed = failed = 0
    for source in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "*.wat"))):
        ok = run_test(source, lunaticc, filecheck, workdir)
        print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(source)[:-4]}")
        passed += ok
        failed += not ok
    print(f"codegen: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
