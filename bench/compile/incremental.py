#!/usr/bin/env python3
"""Compile times of a large module: cold, warm and unchanged, and warm after a change to one
function (the parts cache, compiler/backend/parts_cache.h), side by side.

The module (by default lunatic-rs's udp tests, 535 KB) and a copy of it with one constant of
one function changed are made by one_function_change.py. Each round compiles, with a cache
of its own that starts empty:
  cold       the module, every part compiled and stored;
  warm       the module again, every part from the cache;
  changed    the changed copy, the part that holds the function compiled, the others cached;
and, with --baseline, the module with another build of lunaticc (one from before the parts
cache, say, to see that cold compiles got no slower), with a cache of its own too.
Rounds interleave the kinds, so that the machine's moods fall on all alike. Reported: median
wall and CPU seconds (user + system, the process and its threads), the parts compiled, and
where the changed compile's time went (lunaticc --timings, medians of each phase). Checked:
the warm executable is the cold one byte for byte, and the changed one is what a compile of
the changed copy with --no-cache writes.

Usage: bench/compile/incremental.py BUILD_DIR [--module M.wasm] [--function NAME]
                                    [--rounds 5] [-O LEVEL] [--baseline BUILD_DIR]
"""
import argparse
import filecmp
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import one_function_change  # noqa: E402

DEFAULT_MODULE = os.path.join(HERE, "..", "..", "..", "shared", "lunatic-rs", "tests", "udp.wasm")
PARTS = re.compile(r"(\d+) parts, (\d+) from the cache")
PHASE = re.compile(r"^(\S.*?)\s+([\d.]+) s wall\s+([\d.]+) s cpu$")


def compile_once(lunaticc, level, module, output, cache, extra=()):
    """Compiles; returns (wall s, CPU s, parts, parts from the cache, {phase: (wall, cpu)})."""
    env = dict(os.environ, LUNATICC_CACHE_DIR=cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run([lunaticc, f"-O{level}", *extra, module, "-o", output], env=env,
                          capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{lunaticc} failed on {module}: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    parts = PARTS.search(done.stderr)
    phases = {m.group(1): (float(m.group(2)), float(m.group(3)))
              for m in map(PHASE.match, done.stderr.splitlines()) if m}
    return wall, cpu, int(parts.group(1)) if parts else None, int(parts.group(2)) if parts else None, phases


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir")
    parser.add_argument("--module", default=DEFAULT_MODULE)
    parser.add_argument("--function", help="the function to change (default: one_function_change.py's choice)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("-O", dest="level", default="2")
    parser.add_argument("--baseline", help="another build directory, compiling the module cold")
    args = parser.parse_args()
    lunaticc = os.path.join(args.build_dir, "bin", "lunaticc")
    baseline = os.path.join(args.baseline, "bin", "lunaticc") if args.baseline else None
    kinds = ["cold", "warm", "changed"] + (["baseline"] if baseline else [])
    results = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory() as work:
        base, changed = os.path.join(work, "base.wasm"), os.path.join(work, "changed.wasm")
        function = one_function_change.make(args.module, base, changed, args.function)
        out = {kind: os.path.join(work, kind) for kind in kinds}
        for round_ in range(args.rounds):
            cache = os.path.join(work, f"cache{round_}")
            if baseline:
                results["baseline"].append(
                    compile_once(baseline, args.level, base, out["baseline"], os.path.join(work, f"baseline-cache{round_}")))
            results["cold"].append(compile_once(lunaticc, args.level, base, out["cold"], cache, ["--timings"]))
            results["warm"].append(compile_once(lunaticc, args.level, base, out["warm"], cache, ["--timings"]))
            results["changed"].append(compile_once(lunaticc, args.level, changed, out["changed"], cache, ["--timings"]))
            print(f"round {round_ + 1} of {args.rounds} done", file=sys.stderr)
        problems = []
        if not filecmp.cmp(out["cold"], out["warm"], shallow=False):
            problems.append("the warm executable differs from the cold one")
        fresh = os.path.join(work, "fresh")
        compile_once(lunaticc, args.level, changed, fresh, os.path.join(work, "unused"), ["--no-cache"])
        if not filecmp.cmp(out["changed"], fresh, shallow=False):
            problems.append("the changed executable differs from a --no-cache compile of the changed module")

    size = os.path.getsize(args.module)
    print(f"lunaticc -O{args.level} {os.path.basename(args.module)} ({size:,} bytes), function changed: ${function}")
    print(f"medians of {args.rounds} interleaved rounds, wall seconds / CPU seconds; cores: {os.cpu_count()}")
    print()
    titles = {"cold": "cold", "warm": "warm, unchanged", "changed": "warm, one function changed",
              "baseline": "baseline, cold"}
    print("| " + " | ".join(titles[kind] for kind in kinds) + " |")
    print("|" + "---:|" * len(kinds))
    cells = []
    for kind in kinds:
        walls = [r[0] for r in results[kind]]
        cpus = [r[1] for r in results[kind]]
        cells.append(f"{statistics.median(walls):.2f} / {statistics.median(cpus):.2f}")
    print("| " + " | ".join(cells) + " |")
    parts = [f"{titles[kind]}: {r[2] - r[3]} of {r[2]} parts compiled"
             for kind in ("cold", "warm", "changed") for r in results[kind][:1] if r[2] is not None]
    print()
    print("; ".join(parts))
    phases = results["changed"][0][4].keys()
    if phases:
        print()
        print("where the changed compile's time went (--timings), medians:")
        print()
        print("| phase | wall s | CPU s |")
        print("|---|---:|---:|")
        for phase in phases:
            walls = [r[4][phase][0] for r in results["changed"] if phase in r[4]]
            cpus = [r[4][phase][1] for r in results["changed"] if phase in r[4]]
            print(f"| {phase} | {statistics.median(walls):.3f} | {statistics.median(cpus):.3f} |")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
