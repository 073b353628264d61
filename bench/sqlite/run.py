#!/usr/bin/env python3
"""lunatic::sqlite against SQLite's C API natively, the same SQL side by side: PROCESSES
processes (natively, threads) at once, each with its own database file, insert INSERTS single
rows in one transaction (prepared once, bound and stepped per row), then make SELECTS point
selects by primary key. guest.c is the lunatic program, native.c the native one; both use
Debian's libsqlite3 (the same static archive).

    bench/sqlite/run.py BUILD_DIR RUNS [--processes 100] [--inserts 1000] [--selects 1000]
                        [--memory] [--threads 2]

BUILD_DIR is a build of this project (its bin/lunaticc compiles guest.c). Each run runs
both programs once, in alternating order, each in a fresh directory (--memory: ":memory:"
databases instead of files). LUNATIC_THREADS and the native program's cores are both
--threads (taskset), so both have the same cores. Printed: each program's median insert and
select rates (rows per second over all processes) and lunatic's ratio to native (the bar:
at least 0.8 for both).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def build(build_dir, work):
    sdk = os.path.join(ROOT, "sdk", "c")
    wasm = os.path.join(work, "guest.wasm")
    subprocess.run(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-I" + sdk,
                    os.path.join(HERE, "guest.c"), "-o", wasm], check=True)
    guest = os.path.join(work, "guest")
    subprocess.run([os.path.join(build_dir, "bin", "lunaticc"), wasm, "-o", guest], check=True)
    native = os.path.join(work, "native")
    subprocess.run(["cc", "-O2", "-Wall", os.path.join(HERE, "native.c"), "-o", native, "-l:libsqlite3.a", "-lm",
                    "-lpthread"], check=True)
    return guest, native


def run_once(argv, env):
    out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True, timeout=600).stdout.split()
    values = dict(zip(out[0::2], out[1::2]))
    return float(values["insert_seconds"]), float(values["select_seconds"]), int(values["rows"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("runs", type=int)
    parser.add_argument("--processes", type=int, default=100)
    parser.add_argument("--inserts", type=int, default=1000)
    parser.add_argument("--selects", type=int, default=1000)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", default="/tmp/lunaticc-bench-sqlite")
    o = parser.parse_args()
    os.makedirs(o.work, exist_ok=True)
    guest, native = build(o.build, o.work)
    cores = ",".join(str(c) for c in range(o.threads))
    counts = [str(o.processes), str(o.inserts), str(o.selects)]
    results = {"lunatic": [], "native": []}
    for run in range(o.runs):
        order = ["lunatic", "native"] if run % 2 == 0 else ["native", "lunatic"]
        for name in order:
            data = tempfile.mkdtemp(dir=o.work)
            where = ":memory:" if o.memory else ("/data" if name == "lunatic" else data)
            env = dict(os.environ, LUNATIC_THREADS=str(o.threads), LUNATIC_DIRS=f"{data}::/data")
            argv = ["taskset", "-c", cores, guest if name == "lunatic" else native, where, *counts]
            insert_s, select_s, rows = run_once(argv, env)
            shutil.rmtree(data)
            if rows != o.processes * o.selects:
                sys.exit(f"{name}: {rows} rows found, expected {o.processes * o.selects}")
            results[name].append((insert_s, select_s))
            print(f"run {run + 1} {name}: inserts {insert_s:.3f} s, selects {select_s:.3f} s", file=sys.stderr)
    rows_inserted = o.processes * o.inserts
    rows_selected = o.processes * o.selects
    rate = {}
    for name, samples in results.items():
        rate[name] = (rows_inserted / statistics.median(s[0] for s in samples),
                      rows_selected / statistics.median(s[1] for s in samples))
    print(f"{o.processes} processes, {o.inserts} inserts and {o.selects} selects each, "
          f"{'in memory' if o.memory else 'one file each'}, {o.threads} cores, median of {o.runs} runs")
    print(f"{'':10} {'inserts/s':>12} {'selects/s':>12}")
    for name in ("native", "lunatic"):
        print(f"{name:10} {rate[name][0]:12.0f} {rate[name][1]:12.0f}")
    print(f"{'ratio':10} {rate['lunatic'][0] / rate['native'][0]:12.2f} {rate['lunatic'][1] / rate['native'][1]:12.2f}"
          "   (lunatic / native; the bar is 0.8)")


if __name__ == "__main__":
    main()
