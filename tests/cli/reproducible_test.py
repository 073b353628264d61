#!/usr/bin/env python3
"""lunaticc is reproducible: the same module and flags give the same object, byte for byte,
however often it is compiled (so builds can be cached and images compared). What the
compiler orders by pointer, and so by where the allocator happened to put things, shows up
here; such orders vary with address-space layout, so each case is compiled several times.

Usage: reproducible_test.py LUNATICC WORKDIR MODULE...
"""
import hashlib
import os
import subprocess
import sys

FLAG_SETS = [[], ["--bounds-checks"], ["--codegen-parts=2"], ["-O0", "--codegen-parts=2"]]
COMPILATIONS = 6


def main():
    lunaticc, workdir, *modules = sys.argv[1:]
    os.makedirs(workdir, exist_ok=True)
    failed = 0
    for module in modules:
        for flags in FLAG_SETS:
            digests = set()
            for run in range(COMPILATIONS):
                output = os.path.join(workdir, f"{os.path.basename(module)}.{run}.o")
                subprocess.run([lunaticc, *flags, "-c", module, "-o", output], check=True)
                with open(output, "rb") as f:
                    digests.add(hashlib.sha256(f.read()).hexdigest())
            ok = len(digests) == 1
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(module)} {' '.join(flags) or '(default)'}: "
                  f"{len(digests)} different object(s) from {COMPILATIONS} compilations")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
