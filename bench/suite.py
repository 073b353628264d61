#!/usr/bin/env python3
"""Code speed on unseen code: the C kernels of bench/suite on every engine, at two x86-64 levels.

bench/kernels holds the kernels the compiler was tuned on; bench/suite holds kernels written
as C programmers write such code, which the compiler has never been tuned on: dense linear
algebra, stencils over 1-D, 2-D and 3-D arrays, dynamic programming over 2-D tables, graph
algorithms, byte processing and hashing, compression, interpreters, sorting and
pointer-chasing structures. Each prints a checksum.

Native code and lunaticc's code are built for the same instruction-set level, for each level
in turn (default: x86-64-v2, lunaticc's default, then the baseline x86-64):
  - natively with clang-19 -O2 -march=LEVEL;
  - to wasm32-wasi once (clang-19 -O2, wasi-libc), then by lunaticc -O2 --cpu LEVEL with guard
    pages and with --bounds-checks, each also with --no-preempt when this lunaticc has it;
  - by wasm2c, its C compiled by clang-19 -O2 -march=LEVEL;
and the module runs on Node's V8 (which picks its own instructions), compared with native at
each level. Everything is built and run as bench/kernels.py does (its functions are used
here), interleaved RUNS times; every run's output must equal native's at the first level.

The results replace the "## Code speed on unseen code" section of docs/benchmarks.md (only
that section).

Usage: bench/suite.py BUILD_DIR RUNS [--only K1,K2,...] [--levels L1,L2] [--jobs N] [--no-docs]
"""
import argparse
import concurrent.futures
import datetime
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernels import (NODE, ROOT, Toolchain, compile_native, compile_wasm,  # noqa: E402
                     git_description, lunaticc_variants, machine_description, measure,
                     measure_steps, median_ratio, medians_table, publish, ratio_table,
                     run_all, wrap_prose)

SUITE_DIR = os.path.join(ROOT, "bench", "suite")
SECTION = "## Code speed on unseen code"
LEVELS = ["x86-64-v2", "x86-64"]
SLOW = 1.35  # a kernel slower than this many times native is listed by name

# Every kernel, grouped by the kind of code it stands for, in the order of the tables.
KINDS = {
    "dense linear algebra": ["gemm", "gemv", "syrk", "trisolve", "cholesky", "lu", "qr"],
    "stencils": ["heat1d", "jacobi2d", "seidel2d", "fdtd2d", "adi", "blur", "heat3d",
                 "smooth27"],
    "dynamic programming": ["editdist", "lcs", "knapsack", "floyd", "matchain"],
    "graphs": ["bfs", "dijkstra", "pagerank", "prim"],
    "bytes, hashing, compression": ["crc32", "fnv", "siphash", "stripehash", "csvparse",
                                    "utf8", "lz77", "huffman", "rle"],
    "interpreters": ["stackvm", "astinterp"],
    "sorting": ["mergesort", "radixsort", "heapsort"],
    "pointer chasing": ["linkedlist", "bst", "chainhash"],
}
KERNELS = [k for kernels in KINDS.values() for k in kernels]


def engine(name, level):
    """The name of an engine built for one instruction-set level."""
    return f"{name} @{level}"


def build_kernel(tools, kernel, out_dir, levels):
    """Builds every variant of one kernel; returns its commands by engine."""
    kdir = os.path.join(out_dir, kernel)
    os.makedirs(kdir, exist_ok=True)
    source = os.path.join(SUITE_DIR, kernel + ".c")
    wasm = os.path.join(kdir, kernel + ".wasm")
    compile_wasm(source, wasm)
    commands = {}
    for level in levels:
        exe = os.path.join(kdir, "native-" + level)
        compile_native(source, exe, [f"-march={level}"])
        commands[engine("native", level)] = [exe]
        for name, flags in lunaticc_variants(tools).items():
            exe = os.path.join(kdir, re.sub(r"[^a-z]+", "-", name) + "-" + level)
            measure(tools.lunaticc_cmd(wasm, exe, ["-O2", "--cpu", level, *flags]),
                    capture=False)
            commands[engine(name, level)] = [exe]
        exe = os.path.join(kdir, "wasm2c-" + level)
        measure_steps(tools.wasm2c_steps(wasm, kernel, kdir, exe, [f"-march={level}"]))
        commands[engine("wasm2c", level)] = [exe]
    commands["node"] = [*NODE, os.path.join(ROOT, "bench", "node_wasi.mjs"), wasm]
    return commands


def default_cpu(tools):
    match = re.search(r"--cpu[^\n]*?([\w-]+) \(default\)", tools.help_text)
    return match.group(1) if match else None


def level_columns(tools, level):
    """(heading, engine) of every engine but native at one level; node has no level."""
    names = list(lunaticc_variants(tools)) + ["wasm2c"]
    return [(n, engine(n, level)) for n in names] + [("node", "node")]


def mode_ratios(times, levels):
    """{(mode, level): {kernel: ratio to native at level}} for guard pages and bounds checks."""
    return {(mode, level): {k: median_ratio(t, engine(mode, level), engine("native", level))
                            for k, t in times.items()}
            for level in levels for mode in ("guard", "bounds")}


def kind_table(ratios):
    """Geometric means of guard-page and bounds-checked ratios by kind of code."""
    lines = ["| kind | kernels | " + " | ".join(f"{m} @{l}" for m, l in ratios) + " |",
             "|---|---|" + "---|" * len(ratios)]
    for kind, kernels in KINDS.items():
        measured = [k for k in kernels if k in next(iter(ratios.values()))]
        if measured:
            lines.append(f"| {kind} | {len(measured)} | " + " | ".join(
                f"{statistics.geometric_mean(r[k] for k in measured):.2f}"
                for r in ratios.values()) + " |")
    return lines


def slow_lines(ratios):
    """Per memory mode and level, the kernels slower than SLOW times native."""
    lines = []
    for (mode, level), by_kernel in ratios.items():
        slow = sorted(((r, k) for k, r in by_kernel.items() if r > SLOW), reverse=True)
        listed = ", ".join(f"{k} ({r:.2f})" for r, k in slow) or "none"
        lines.append(f"- {mode} @{level}: {listed}")
    return lines


def report(args, tools, times, levels):
    cpu = default_cpu(tools)
    command = f"python3 bench/suite.py {args.build_dir_arg} {args.runs}"
    if levels != LEVELS:
        command += " --levels " + ",".join(levels)
    lines = [SECTION, "", "    " + command, "",
             f"On {datetime.date.today().isoformat()}, lunaticc at {git_description()}; "
             f"{machine_description()}, so timings are noisy: every figure is the median of "
             f"{args.runs} interleaved runs (rounds rotate the order of engines), never one run.",
             "",
             f"bench/suite holds {len(KERNELS)} C kernels the compiler was never tuned on, "
             "written the way C programmers write such code, each printing a checksum and "
             "running about a second natively: " + "; ".join(
                 f"{kind}: {', '.join(kernels)}" for kind, kernels in KINDS.items()) + ". "
             "Two-dimensional and three-dimensional arrays are indexed the natural way, as "
             "static `double[N][N]` globals, malloc'd pointers to rows (`double (*a)[N]`) and "
             "VLA parameters. The module (`clang-19 --target=wasm32-wasi --sysroot=/usr -O2`, "
             "wasi-libc) runs on lunaticc -O2 (guard pages; `--bounds-checks`; each also with "
             "`--no-preempt`), wasm2c (its C compiled by `clang-19 -O2`) and Node's V8, as in "
             "\"Code speed\". Native code and the code of lunaticc and wasm2c are built for the "
             "same instruction-set level, at each level in turn: `clang-19 -O2 -march=LEVEL` "
             "against `lunaticc --cpu LEVEL` (lunaticc's default is "
             f"{cpu or 'not stated by its --help'}); Node's V8 picks its own instructions and is "
             "compared with native at each level. Every run's output equals native's.", ""]
    for level in levels:
        default = " (lunaticc's default)" if level == cpu else ""
        lines += [f"### Ratio to native at {level}{default} (lower is better)", ""]
        lines += ratio_table(times, level_columns(tools, level), engine("native", level))
        lines.append("")
    ratios = mode_ratios(times, levels)
    lines += ["### Geometric means by kind of code", ""]
    lines += kind_table(ratios)
    lines += ["", f"### Kernels over {SLOW} times native", ""]
    lines += slow_lines(ratios)
    lines += ["", "### Medians, seconds", ""]
    columns = [(f"native @{level}", engine("native", level)) for level in levels]
    for level in levels:
        columns += [(h if h == "node" else f"{h} @{level}", e)
                    for h, e in level_columns(tools, level) if h != "node"]
    lines += medians_table(times, columns + [("node", "node")])
    lines.append("")
    return "\n".join(wrap_prose(lines)).rstrip("\n") + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build_dir")
    parser.add_argument("runs", type=int)
    parser.add_argument("--only", help="comma-separated kernels (default: all)")
    parser.add_argument("--levels", default=",".join(LEVELS),
                        help="comma-separated -march / --cpu levels (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(),
                        help="kernels built at once (default: one per core)")
    parser.add_argument("--no-docs", action="store_true", help="print, leave docs alone")
    args = parser.parse_args()
    args.build_dir_arg = args.build_dir
    kernels = args.only.split(",") if args.only else KERNELS
    for k in kernels:
        if k not in KERNELS:
            sys.exit(f"suite.py: no kernel {k}")
    levels = args.levels.split(",")
    tools = Toolchain(os.path.abspath(args.build_dir))
    out_dir = os.path.join(os.path.abspath(args.build_dir), "bench-suite")
    os.makedirs(out_dir, exist_ok=True)

    print(f"building {len(kernels)} kernels at {', '.join(levels)}", file=sys.stderr)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        built = pool.map(lambda k: build_kernel(tools, k, out_dir, levels), kernels)
        commands = dict(zip(kernels, built))
    print("running", file=sys.stderr)
    times, _ = run_all(commands, args.runs, reference=engine("native", levels[0]))
    publish(report(args, tools, times, levels), args.no_docs)


if __name__ == "__main__":
    main()
