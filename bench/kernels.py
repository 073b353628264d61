#!/usr/bin/env python3
"""Code speed: the C kernels in bench/kernels on every engine, and compile speed.

Each kernel is compiled natively (clang-19 -O2) and to wasm32-wasi (clang-19 -O2, wasi-libc),
and the module is run by:
  - lunaticc -O2, guard pages (the default) and bounds checks (--bounds-checks), each also
    with --no-preempt when this lunaticc has that flag ("n/a" otherwise);
  - wasm2c (Debian's wabt), its output compiled by clang-19 -O2 with wabt's wasm-rt runtime
    (/usr/src/wasm2c) and bench/wasm2c_wasi.c;
  - Node's V8 through node:wasi (bench/node_wasi.mjs, without V8's fast API calls).
All variants run interleaved RUNS times; every run's output must equal the native one's.
Reported: median wall time per kernel and engine, ratio to native, geometric means.

Compile speed: wall time and peak RSS (of the process and its children) of lunaticc -O0 and
-O2 for every kernel, and of wasm2c + clang-19 -O2, with output sizes; the same for a
generated large module (bench/large_module.py, over 1 MiB of Wasm).

The results replace the "## Code speed" section of docs/benchmarks.md (only that section).

Usage: bench/kernels.py BUILD_DIR RUNS [--only K1,K2,...] [--no-large] [--no-docs]
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL_DIR = os.path.join(ROOT, "bench", "kernels")
DOCS = os.path.join(ROOT, "docs", "benchmarks.md")
SECTION = "## Code speed"
KERNELS = ["matmul", "quicksort", "sieve", "nbody", "fannkuch", "spectralnorm", "sha256",
           "base64", "binarytrees", "mandelbrot", "hashmap", "strsearch", "interp"]
WASM2C_RUNTIME = "/usr/src/wasm2c"  # Debian's wabt ships wasm-rt.h and wasm-rt-impl.c here
CC = "clang-19"
WASM_FLAGS = ["--target=wasm32-wasi", "--sysroot=/usr", "-O2"]
COMPILE_REPEATS = 3  # compile-speed figures of kernels are medians of this many runs
# --no-turbo-fast-api-calls: see bench/node_wasi.mjs (a node:wasi crash with memories >= 64 MiB)
NODE = ["node", "--no-warnings", "--no-turbo-fast-api-calls"]

ENGINES = ["native", "guard", "bounds", "guard, no preempt", "bounds, no preempt", "wasm2c",
           "node"]


class Measured:
    """Wall time in seconds and peak RSS in KiB of a finished command."""

    def __init__(self, seconds, rss_kib, stdout):
        self.seconds, self.rss_kib, self.stdout = seconds, rss_kib, stdout


def measure(cmd, capture=True, cwd=None):
    """Runs cmd; fails on a non-zero status. Peak RSS covers the command's reaped children
    (wait4 reports the maximum over the process and its descendants)."""
    with tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                                stderr=err_file, cwd=cwd)
        out = proc.stdout.read() if capture else b""
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if proc.stdout:
            proc.stdout.close()
        err_file.seek(0)
        err = err_file.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit status {proc.returncode}\n"
                           f"{err.decode(errors='replace')[-2000:]}")
    return Measured(seconds, usage.ru_maxrss, out.decode(errors="replace"))


def measure_steps(steps, cwd=None):
    """Runs commands in order: summed wall time, the largest peak RSS."""
    results = [measure(cmd, capture=False, cwd=cwd) for cmd in steps]
    return Measured(sum(r.seconds for r in results), max(r.rss_kib for r in results), "")


def median_measure(fn, repeats):
    results = [fn() for _ in range(repeats)]
    return Measured(statistics.median(r.seconds for r in results),
                    statistics.median(r.rss_kib for r in results), "")


class Toolchain:
    def __init__(self, build_dir):
        self.lunaticc = os.path.join(build_dir, "bin", "lunaticc")
        if not os.access(self.lunaticc, os.X_OK):
            sys.exit(f"kernels.py: no lunaticc at {self.lunaticc} (build the project first)")
        self.help_text = help_text = subprocess.run([self.lunaticc, "--help"],
                                                    capture_output=True, text=True).stdout
        if "--bounds-checks" not in help_text:
            sys.exit("kernels.py: lunaticc --help lists no --bounds-checks (memory-mode flag)")
        self.has_no_preempt = "--no-preempt" in help_text
        for tool in (CC, "wasm2c", "node"):
            if not shutil.which(tool):
                sys.exit(f"kernels.py: {tool} not found")
        for name in ("wasm-rt.h", "wasm-rt-impl.h", "wasm-rt-impl.c"):
            if not os.path.exists(os.path.join(WASM2C_RUNTIME, name)):
                sys.exit(f"kernels.py: {WASM2C_RUNTIME}/{name} missing (Debian package wabt)")

    def lunaticc_cmd(self, wasm, out, flags):
        return [self.lunaticc, *flags, wasm, "-o", out]

    def wasm2c_steps(self, wasm, name, out_dir, exe, extra_cflags=()):
        c_file = os.path.join(out_dir, name + ".c")
        return [
            ["wasm2c", wasm, "-n", name, "-o", c_file],
            [CC, "-O2", "-w", *extra_cflags, "-I", out_dir, "-I", WASM2C_RUNTIME,
             f"-DMODULE={name}", f'-DMODULE_HEADER="{name}.h"', c_file,
             os.path.join(ROOT, "bench", "wasm2c_wasi.c"),
             os.path.join(WASM2C_RUNTIME, "wasm-rt-impl.c"), "-lm", "-o", exe],
        ]


def compile_native(source, exe, flags=()):
    measure([CC, "-O2", *flags, source, "-o", exe, "-lm"], capture=False)


def compile_wasm(source, wasm):
    measure([CC, *WASM_FLAGS, source, "-o", wasm], capture=False)


def lunaticc_variants(tools):
    variants = {"guard": [], "bounds": ["--bounds-checks"]}
    if tools.has_no_preempt:
        variants["guard, no preempt"] = ["--no-preempt"]
        variants["bounds, no preempt"] = ["--bounds-checks", "--no-preempt"]
    return variants


def build_kernel(tools, kernel, out_dir):
    """Builds every variant of one kernel; returns (commands by engine, compile figures)."""
    kdir = os.path.join(out_dir, kernel)
    os.makedirs(kdir, exist_ok=True)
    source = os.path.join(KERNEL_DIR, kernel + ".c")
    native = os.path.join(kdir, "native")
    wasm = os.path.join(kdir, kernel + ".wasm")
    compile_native(source, native)
    compile_wasm(source, wasm)

    commands = {"native": [native]}
    compile_figures = {"wasm bytes": os.path.getsize(wasm)}
    for level in ("-O0", "-O2"):
        exe = os.path.join(kdir, "lunaticc" + level)
        m = median_measure(lambda: measure(tools.lunaticc_cmd(wasm, exe, [level]),
                                           capture=False), COMPILE_REPEATS)
        compile_figures["lunaticc " + level] = (m, os.path.getsize(exe))
    for engine, flags in lunaticc_variants(tools).items():
        exe = os.path.join(kdir, re.sub(r"[^a-z]+", "-", engine))
        measure(tools.lunaticc_cmd(wasm, exe, ["-O2", *flags]), capture=False)
        commands[engine] = [exe]
    exe = os.path.join(kdir, "wasm2c")
    m = median_measure(lambda: measure_steps(tools.wasm2c_steps(wasm, kernel, kdir, exe)),
                       COMPILE_REPEATS)
    compile_figures["wasm2c"] = (m, os.path.getsize(exe))
    commands["wasm2c"] = [exe]
    commands["node"] = [*NODE, os.path.join(ROOT, "bench", "node_wasi.mjs"),
                        wasm]
    return commands, compile_figures


def run_all(commands_by_kernel, runs, reference="native"):
    """Interleaved runs: every round runs every kernel on every engine, in a rotating order.
    Returns {kernel: {engine: [seconds]}} and the reference engine's output by kernel; any
    output differing from the reference's is an error (all of a round's listed together)."""
    times = {k: {e: [] for e in cmds} for k, cmds in commands_by_kernel.items()}
    expected = {}
    for kernel, cmds in commands_by_kernel.items():
        expected[kernel] = measure(cmds[reference]).stdout
    for round_index in range(runs):
        wrong = []
        for kernel, cmds in commands_by_kernel.items():
            engines = list(cmds)
            shift = round_index % len(engines)
            for engine in engines[shift:] + engines[:shift]:
                result = measure(cmds[engine])
                if result.stdout != expected[kernel]:
                    wrong.append(f"{kernel} on {engine} printed {result.stdout!r}, "
                                 f"{reference} printed {expected[kernel]!r}")
                times[kernel][engine].append(result.seconds)
        if wrong:
            raise RuntimeError("\n".join(wrong))
        print(f"  round {round_index + 1}/{runs} done", file=sys.stderr)
    return times, expected


def startup_times(tools, out_dir, runs):
    """Median start-to-exit time of a program that prints one line, per engine."""
    kdir = os.path.join(out_dir, "_empty")
    os.makedirs(kdir, exist_ok=True)
    source = os.path.join(kdir, "empty_source.c")  # empty.c is wasm2c's
    with open(source, "w") as f:
        f.write('#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n')
    wasm = os.path.join(kdir, "empty.wasm")
    measure([CC, *WASM_FLAGS, source, "-o", wasm], capture=False)
    measure([CC, "-O2", source, "-o", os.path.join(kdir, "native")], capture=False)
    measure(tools.lunaticc_cmd(wasm, os.path.join(kdir, "guard"), []), capture=False)
    exe = os.path.join(kdir, "wasm2c")
    measure_steps(tools.wasm2c_steps(wasm, "empty", kdir, exe))
    cmds = {"native": [os.path.join(kdir, "native")], "guard": [os.path.join(kdir, "guard")],
            "wasm2c": [exe],
            "node": [*NODE, os.path.join(ROOT, "bench", "node_wasi.mjs"), wasm]}
    samples = {e: [] for e in cmds}
    for _ in range(max(runs, 20)):
        for engine, cmd in cmds.items():
            samples[engine].append(measure(cmd).seconds)
    return {e: statistics.median(s) for e, s in samples.items()}


def large_module(tools, out_dir):
    kdir = os.path.join(out_dir, "_large")
    os.makedirs(kdir, exist_ok=True)
    source = os.path.join(kdir, "large_source.c")  # large.c is wasm2c's
    measure([sys.executable, os.path.join(ROOT, "bench", "large_module.py"), source],
            capture=False)
    wasm = os.path.join(kdir, "large.wasm")
    measure([CC, *WASM_FLAGS, "-w", source, "-o", wasm], capture=False)
    native = os.path.join(kdir, "native")
    measure([CC, "-O2", "-w", source, "-o", native], capture=False)
    wasm_bytes = os.path.getsize(wasm)
    if wasm_bytes < 1 << 20:
        raise RuntimeError(f"the large module is only {wasm_bytes} bytes of Wasm")
    functions = int(re.search(r"// (\d+) functions", open(source).read(300)).group(1))
    figures = {"wasm bytes": wasm_bytes, "functions": functions}
    expected = measure([native]).stdout
    print("  large module: lunaticc -O0", file=sys.stderr)
    for level in ("-O0", "-O2"):
        exe = os.path.join(kdir, "lunaticc" + level)
        m = measure(tools.lunaticc_cmd(wasm, exe, [level]), capture=False)
        figures["lunaticc " + level] = (m, os.path.getsize(exe))
        if measure([exe]).stdout != expected:
            raise RuntimeError(f"large module compiled by lunaticc {level}: wrong output")
        print(f"  large module: lunaticc {level} {m.seconds:.1f} s", file=sys.stderr)
    exe = os.path.join(kdir, "wasm2c")
    m = measure_steps(tools.wasm2c_steps(wasm, "large", kdir, exe))
    figures["wasm2c"] = (m, os.path.getsize(exe))
    figures["wasm2c C bytes"] = os.path.getsize(os.path.join(kdir, "large.c"))
    if measure([exe]).stdout != expected:
        raise RuntimeError("large module compiled by wasm2c + clang: wrong output")
    print(f"  large module: wasm2c + clang {m.seconds:.1f} s", file=sys.stderr)
    return figures


def fmt_ratio(value):
    return "n/a" if value is None else f"{value:.2f}"


def git_description():
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "compiler",
                            "runtime", "wasi", "tools", "passes", "CMakeLists.txt"],
                           capture_output=True, text=True).stdout.strip()
    return f"commit {head}" + (" plus uncommitted changes to the compiler/runtime" if dirty else "")


def machine_description():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model or platform.machine()}), shared with other work"


def kib(n):
    return f"{n / 1024:,.0f}"


def report(args, tools, times, compile_figures, startup, large):
    engines = [e for e in ENGINES if e != "native"]
    lines = [SECTION, "",
             f"    python3 bench/kernels.py {args.build_dir_arg} {args.runs}", "",
             f"On {datetime.date.today().isoformat()}, lunaticc at {git_description()}; "
             f"{machine_description()}, so timings are noisy: every figure is the median of "
             f"{args.runs} interleaved runs (rounds rotate the order of engines), never one run.",
             "",
             "Each kernel in bench/kernels is one C file, compiled natively with `clang-19 -O2` "
             "and to wasm32-wasi with `clang-19 --target=wasm32-wasi --sysroot=/usr -O2` "
             "(wasi-libc). The module then runs on lunaticc -O2 (guard pages, the default; "
             "`--bounds-checks`; each also with `--no-preempt`"
             + ("" if tools.has_no_preempt else ", which this lunaticc does not have yet: n/a")
             + "), on wasm2c (wabt 1.0.32 from Debian, its C compiled with `clang-19 -O2` "
             "together with wabt's wasm-rt runtime, guard-page mode, and bench/wasm2c_wasi.c) "
             "and on Node's V8 (node:wasi, bench/node_wasi.mjs, with `--no-turbo-fast-api-calls` against a node:wasi crash with memories of 64 MiB and more, nodejs/node#46777). Every run's output (the "
             "kernel's checksum) equals the native one's. Wall time of the whole process, so "
             "start-up is included; binarytrees also compares allocators (glibc natively, "
             "wasi-libc's dlmalloc in Wasm).", ""]

    lines += ["### Run time: ratio to native (lower is better)", ""]
    lines += ratio_table(times, [(e, e) for e in engines], "native")
    lines.append("")
    lines += ["### Run time: medians, seconds", ""]
    lines += medians_table(times, [(e, e) for e in ["native"] + engines])
    lines.append("")
    if startup:
        lines.append("Start-up, for scale (a `main` that prints one line, median of "
                     f"{max(args.runs, 20)} runs): native {startup['native'] * 1000:.1f} ms, "
                     f"lunaticc {startup['guard'] * 1000:.1f} ms, wasm2c "
                     f"{startup['wasm2c'] * 1000:.1f} ms, node {startup['node'] * 1000:.1f} ms.")
        lines.append("")

    ranked = sorted(((statistics.median(t["guard"]) / statistics.median(t["native"]), k)
                     for k, t in times.items()), reverse=True)
    lines.append("Slowest relative to native under lunaticc (guard pages): " +
                 ", ".join(f"{k} ({r:.2f})" for r, k in ranked[:4]) + ".")
    lines.append("")

    lines += ["### Compile speed", "",
              f"Per kernel, medians of {COMPILE_REPEATS} compilations: wall seconds / peak RSS "
              "MiB (the process and its children) / output KiB (executables with symbols, "
              "runtime included). wasm2c is `wasm2c` then one `clang-19 -O2` for its C, the "
              "shim and wasm-rt (times summed, the larger RSS).", "",
              "| kernel | wasm KiB | lunaticc -O0 | lunaticc -O2 | wasm2c + clang -O2 |",
              "|---|---|---|---|---|"]
    totals = {"lunaticc -O0": [], "lunaticc -O2": [], "wasm2c": []}
    for kernel, fig in compile_figures.items():
        cells = [kib(fig["wasm bytes"])]
        for key in ("lunaticc -O0", "lunaticc -O2", "wasm2c"):
            m, size = fig[key]
            totals[key].append(m.seconds)
            cells.append(f"{m.seconds:.2f} / {m.rss_kib / 1024:.0f} / {kib(size)}")
        lines.append(f"| {kernel} | " + " | ".join(cells) + " |")
    if compile_figures:
        lines.append("| **total seconds** | | " + " | ".join(
            f"**{sum(totals[k]):.1f}**" for k in ("lunaticc -O0", "lunaticc -O2", "wasm2c"))
            + " |")
    lines.append("")

    if large:
        lines += ["### Compile speed: a large module", "",
                  f"`bench/large_module.py` generates {large['functions']:,} distinct functions "
                  "(integer loops over a global table, switches, double recurrences, byte "
                  "mixing, callers), all reached through a function table; "
                  f"{large['wasm bytes'] / (1 << 20):.2f} MiB of Wasm at `clang-19 -O2`. One "
                  "compilation each (the output of every executable checked against native):",
                  "",
                  "| compiler | wall seconds | peak RSS MiB | executable KiB |",
                  "|---|---|---|---|"]
        for key, label in (("lunaticc -O0", "lunaticc -O0"), ("lunaticc -O2", "lunaticc -O2"),
                           ("wasm2c", "wasm2c + clang-19 -O2")):
            m, size = large[key]
            lines.append(f"| {label} | {m.seconds:.1f} | {m.rss_kib / 1024:.0f} | {kib(size)} |")
        lines.append("")
        lines.append(f"wasm2c's C for it is {large['wasm2c C bytes'] / (1 << 20):.1f} MiB, "
                     "one file.")
        lines.append("")
    return "\n".join(wrap_prose(lines)).rstrip("\n") + "\n"


def median_ratio(by_engine, engine, native):
    """Median time of engine over that of native, None where engine did not run."""
    if engine not in by_engine:
        return None
    return statistics.median(by_engine[engine]) / statistics.median(by_engine[native])


def ratio_table(times, columns, native):
    """Markdown rows of each kernel's median time on each engine over native's, and their
    geometric means; columns are (heading, engine) pairs."""
    lines = ["| kernel | " + " | ".join(h for h, _ in columns) + " |",
             "|---|" + "---|" * len(columns)]
    ratios = {e: [] for _, e in columns}
    for kernel, by_engine in times.items():
        cells = []
        for _, e in columns:
            r = median_ratio(by_engine, e, native)
            if r is not None:
                ratios[e].append(r)
            cells.append(fmt_ratio(r))
        lines.append(f"| {kernel} | " + " | ".join(cells) + " |")
    lines.append("| **geometric mean** | " + " | ".join(
        f"**{fmt_ratio(statistics.geometric_mean(ratios[e]) if ratios[e] else None)}**"
        for _, e in columns) + " |")
    return lines


def medians_table(times, columns):
    """Markdown rows of each kernel's median seconds on each engine."""
    lines = ["| kernel | " + " | ".join(h for h, _ in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for kernel, by_engine in times.items():
        cells = [f"{statistics.median(by_engine[e]):.3f}" if e in by_engine else "n/a"
                 for _, e in columns]
        lines.append(f"| {kernel} | " + " | ".join(cells) + " |")
    return lines


def wrap_prose(lines):
    """Wraps paragraphs at 95 columns like the rest of docs/benchmarks.md; headings, tables
    and indented commands stay as they are."""
    out = []
    for line in lines:
        if line and not line.startswith(("#", "|", "    ")):
            out.extend(textwrap.wrap(line, width=95, break_long_words=False,
                                     break_on_hyphens=False))
        else:
            out.append(line)
    return out


def replace_section(text, section):
    """Replaces the section whose heading is section's first line (up to the next "## "
    heading), or appends it at the end."""
    heading = section.split("\n", 1)[0]
    lines = text.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if l.rstrip("\n") == heading), None)
    if start is None:
        return text.rstrip("\n") + "\n\n" + section
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + tail if tail else "")


def publish(section, no_docs):
    """Prints the section and, unless no_docs, puts it into docs/benchmarks.md."""
    print(section)
    if no_docs:
        return
    with open(DOCS) as f:
        text = f.read()
    with open(DOCS, "w") as f:
        f.write(replace_section(text, section))
    heading = section.split("\n", 1)[0].lstrip("# ")
    print(f"wrote the '{heading}' section of {os.path.relpath(DOCS, ROOT)}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build_dir")
    parser.add_argument("runs", type=int)
    parser.add_argument("--only", help="comma-separated kernels (default: all)")
    parser.add_argument("--no-large", action="store_true", help="skip the large module")
    parser.add_argument("--no-docs", action="store_true", help="print, leave docs alone")
    args = parser.parse_args()
    args.build_dir_arg = args.build_dir
    build_dir = os.path.abspath(args.build_dir)
    kernels = args.only.split(",") if args.only else KERNELS
    for k in kernels:
        if not os.path.exists(os.path.join(KERNEL_DIR, k + ".c")):
            sys.exit(f"kernels.py: no kernel {k}")
    tools = Toolchain(build_dir)
    out_dir = os.path.join(build_dir, "bench-kernels")
    os.makedirs(out_dir, exist_ok=True)

    commands, compile_figures = {}, {}
    for kernel in kernels:
        print(f"building {kernel}", file=sys.stderr)
        commands[kernel], compile_figures[kernel] = build_kernel(tools, kernel, out_dir)
    print("running", file=sys.stderr)
    times, _ = run_all(commands, args.runs)
    startup = startup_times(tools, out_dir, args.runs)
    large = None if args.no_large else large_module(tools, out_dir)

    publish(report(args, tools, times, compile_figures, startup, large), args.no_docs)


if __name__ == "__main__":
    main()
