#!/usr/bin/env python3
"""bench/sqlite in instructions rather than time: guest.c (lunatic) and native.c (the C API)
run under valgrind's callgrind, each three times (no rows, INSERTS rows per process, then
SELECTS selects as well), so that the differences give the instructions of one insert and
of one select, setup and teardown taken out. Repeatable where run.py's times are not (a
machine shared with other work).

    bench/sqlite/instructions.py BUILD_DIR [--processes 10] [--inserts 2000] [--selects 2000]
                                 [--keep DIR]

Both run one thread (LUNATIC_THREADS=1, the epoll engine: valgrind hangs under io_uring;
natively, valgrind runs one thread at a time), on ":memory:" databases: Debian's valgrind
3.19 does not know openat2 (system call 437), through which the sandbox opens every file,
so under it a database file does not open (and the root waits for workers that failed);
and most of what a file adds is the kernel's work, which callgrind does not count. --keep leaves the callgrind
profiles in DIR, for callgrind_annotate.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import build  # noqa: E402


def instructions(argv, env, out_file):
    done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", *argv], env=env,
                          check=True, capture_output=True, text=True, timeout=1800)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--processes", type=int, default=10)
    parser.add_argument("--inserts", type=int, default=2000)
    parser.add_argument("--selects", type=int, default=2000)
    parser.add_argument("--keep")
    parser.add_argument("--work", default="/tmp/lunaticc-bench-sqlite-instructions")
    o = parser.parse_args()
    os.makedirs(o.work, exist_ok=True)
    keep = o.keep or tempfile.mkdtemp(dir=o.work)
    os.makedirs(keep, exist_ok=True)
    guest, native = build(o.build, o.work)
    steps = [("none", 0, 0), ("inserts", o.inserts, 0), ("selects", o.inserts, o.selects)]
    counts = {}
    for name, program in (("lunatic", guest), ("native", native)):
        for step, inserts, selects in steps:
            env = dict(os.environ, LUNATIC_THREADS="1", LUNATIC_IO="epoll")
            argv = [program, ":memory:", str(o.processes), str(inserts), str(selects)]
            counts[name, step] = instructions(argv, env, os.path.join(keep, f"callgrind.{name}.{step}"))
    rows = o.processes * o.inserts
    selects = o.processes * o.selects
    print(f"{o.processes} processes, {o.inserts} inserts and {o.selects} selects each, in memory; "
          "instructions (callgrind)")
    print(f"{'':10} {'per insert':>12} {'per select':>12}")
    per = {}
    for name in ("native", "lunatic"):
        per[name] = ((counts[name, "inserts"] - counts[name, "none"]) / rows,
                     (counts[name, "selects"] - counts[name, "inserts"]) / selects)
        print(f"{name:10} {per[name][0]:12.0f} {per[name][1]:12.0f}")
    print(f"{'ratio':10} {per['lunatic'][0] / per['native'][0]:12.2f} {per['lunatic'][1] / per['native'][1]:12.2f}"
          "   (lunatic / native)")
    print(f"profiles: {keep}")


if __name__ == "__main__":
    main()
