#!/usr/bin/env python3
"""The static hello against the dynamic one: size and start-up, side by side.

examples/hello compiled by one lunaticc twice, `-s` and `-s --static`; each run to exit from
Python's subprocess (fork and exec included), the two interleaved one run at a time (the
order swapped every other run, so a drift of the machine hits both alike). Prints the
stripped sizes, the median start-to-exit times and the static/dynamic ratios, against
issue 28's bar: the static one under 1.5 MiB and no slower to start.

Usage: bench/static_ab.py [LUNATICC] [--runs 50]   (default: build/bin/lunaticc)
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from executable_ab import HELLO, interleaved  # noqa: E402
from kernels import CC, ROOT, WASM_FLAGS  # noqa: E402

KINDS = {"dynamic": [], "static": ["--static"]}
MAX_STATIC_BYTES = 1.5 * 1024 * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lunaticc", nargs="?", default=os.path.join(ROOT, "build", "bin", "lunaticc"))
    parser.add_argument("--runs", type=int, default=50, help="runs of each executable")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lunaticc-static-ab-") as work:
        wasm = os.path.join(work, "hello.wasm")
        # Compiled and linked in two steps, as the build makes examples/hello: it keeps its
        # name section (and lunaticc gives no warning).
        subprocess.run([CC, *WASM_FLAGS, "-c", HELLO, "-o", wasm + ".o"], check=True)
        subprocess.run([CC, *[f for f in WASM_FLAGS if not f.startswith("-O")], wasm + ".o", "-o", wasm], check=True)
        executables = {}
        for kind, flags in KINDS.items():
            executables[kind] = os.path.join(work, "hello." + kind)
            subprocess.run([args.lunaticc, "-s", *flags, wasm, "-o", executables[kind]], check=True)
        sizes = {kind: os.path.getsize(exe) for kind, exe in executables.items()}

        def one_run(kind):
            start = time.perf_counter()
            subprocess.run([executables[kind]], stdout=subprocess.DEVNULL, check=True)
            return [time.perf_counter() - start]

        times = interleaved(list(KINDS), args.runs, one_run)

    medians = {kind: statistics.median(times[kind]) * 1e3 for kind in KINDS}
    print(f"load average after: {os.getloadavg()[0]:.1f}; medians of {args.runs} interleaved runs each\n")
    print("| figure | dynamic | static | static / dynamic |")
    print("|---|---:|---:|---:|")
    print(f"| hello, stripped KiB | {sizes['dynamic'] / 1024:,.0f} | {sizes['static'] / 1024:,.0f} | "
          f"{sizes['static'] / sizes['dynamic']:.3f} |")
    print(f"| hello, start to exit, ms | {medians['dynamic']:.3f} | {medians['static']:.3f} | "
          f"{medians['static'] / medians['dynamic']:.3f} |")
    size_ok = sizes["static"] < MAX_STATIC_BYTES
    start_ok = medians["static"] <= medians["dynamic"]
    print(f"\nbar: static under 1.5 MiB stripped: {'met' if size_ok else 'NOT met'}; "
          f"starts in no more time than the dynamic one: {'met' if start_ok else 'NOT met'}")
    return 0 if size_ok and start_ok else 1


if __name__ == "__main__":
    sys.exit(main())
