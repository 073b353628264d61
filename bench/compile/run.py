#!/usr/bin/env python3
"""Compile time of pathological functions (bench/compile/pathological.py) at each size.

For every kind and size the generator writes the program, wat2wasm assembles it and
lunaticc compiles it (to an executable, at the given level) ROUNDS times, the sizes of a
round interleaved so that the machine's moods fall on all of them alike. Reported per size:
the median wall time and the median CPU time (user + system, the process and its threads).
Each executable's output is checked once against the line the generator computed; a wrong
one (a trap, say) is marked in the table and explained below it.

Usage: bench/compile/run.py BUILD_DIR [--kinds locals,indirect,...] [--sizes 2000,4000,...]
                            [--rounds 5] [-O LEVEL]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pathological  # noqa: E402

DEFAULT_KINDS = ["locals", "indirect", "straight", "br_table", "loops"]
DEFAULT_SIZES = [2000, 4000, 8000, 20000, 40000]


def timed(command):
    """Runs `command`; returns (wall seconds, CPU seconds of its process tree)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(command, check=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir")
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS))
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("-O", dest="level", default="2")
    args = parser.parse_args()
    lunaticc = os.path.join(args.build_dir, "bin", "lunaticc")
    kinds = args.kinds.split(",")
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as work:
        programs = {}
        for kind in kinds:
            for size in sizes:
                base = os.path.join(work, f"{kind}{size}")
                text, expected = pathological.program(kind, size)
                with open(base + ".wat", "w") as f:
                    f.write(text)
                subprocess.run(["wat2wasm", base + ".wat", "-o", base + ".wasm"], check=True)
                programs[kind, size] = (base, expected)
        times = {key: [] for key in programs}
        for round_ in range(args.rounds):
            for key, (base, _) in programs.items():
                times[key].append(timed([lunaticc, f"-O{args.level}", base + ".wasm", "-o", base]))
            print(f"round {round_ + 1} of {args.rounds} done", file=sys.stderr)
        wrong = {}
        for key, (base, expected) in programs.items():
            run = subprocess.run([base], capture_output=True, text=True)
            if run.returncode != 0 or run.stdout != expected:
                wrong[key] = f"exit {run.returncode}, printed {run.stdout!r}, expected {expected!r}; {run.stderr.strip()}"
    print(f"lunaticc -O{args.level}, medians of {args.rounds} interleaved rounds: wall seconds / CPU seconds")
    print()
    print("| kind | " + " | ".join(f"N = {size:,}" for size in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for kind in kinds:
        cells = []
        for size in sizes:
            walls, cpus = zip(*times[kind, size])
            cells.append(f"{statistics.median(walls):.2f} / {statistics.median(cpus):.2f}"
                         + (" (wrong output)" if (kind, size) in wrong else ""))
        print(f"| {kind} | " + " | ".join(cells) + " |")
    for (kind, size), message in wrong.items():
        print(f"\n{kind} {size}: {message}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
