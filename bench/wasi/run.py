#!/usr/bin/env python3
"""WASI I/O benchmarks, side by side in one run (docs/benchmarks.md, "WASI I/O").

  cat       a 1 GiB file on stdin copied to /dev/null in 64 KiB read/write chunks: GNU cat,
            cat.c built natively, and cat.c under lunaticc with each I/O backend.
  write1    1,000,000 one-byte writes to /dev/null and to a regular file: write1.c built
            natively and under lunaticc with each backend; nanoseconds per write.
  sleepers  10,000 processes that each sleep 200 ms (nanosleep), on 2 worker threads, with
            each backend: the wall time of the whole.

Every variant runs once per round, rounds interleaved; the tables give medians.

Usage: bench/wasi/run.py BUILD_DIR RUNS [--file-mib N]
BUILD_DIR is a build of this project (its bin/lunaticc is used).
"""
import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SDK = os.path.join(HERE, "..", "..", "sdk", "c")
BACKENDS = ["uring", "epoll"]
WRITES = 1_000_000


def build(lunaticc, work):
    exe = {}
    for name in ["cat", "write1", "sleepers"]:
        source = os.path.join(HERE, name + ".c")
        wasm = os.path.join(work, name + ".wasm")
        subprocess.run(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-I" + SDK, source, "-o", wasm],
                       check=True)
        exe[name] = os.path.join(work, name)
        subprocess.run([lunaticc, wasm, "-o", exe[name]], check=True)
        if name != "sleepers":
            exe[name + "-native"] = os.path.join(work, name + "-native")
            subprocess.run(["clang-19", "-O2", source, "-o", exe[name + "-native"]], check=True)
    return exe


def make_file(path, mib):
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(chunk)


def timed(command, stdin_path=None, stdout_path=os.devnull, env=None):
    with open(stdin_path or os.devnull, "rb") as stdin, open(stdout_path, "wb") as stdout:
        start = time.perf_counter()
        result = subprocess.run(command, stdin=stdin, stdout=stdout, env=env)
        elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} exited with {result.returncode}")
    return elapsed


def with_backend(backend, threads=None):
    env = dict(os.environ, LUNATIC_IO=backend)
    if threads:
        env["LUNATIC_THREADS"] = str(threads)
    return env


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("runs", type=int)
    parser.add_argument("--file-mib", type=int, default=1024)
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory(prefix="wasi-bench-")  # deleted on exit, with its big file
    work = scratch.name
    exe = build(os.path.join(args.build, "bin", "lunaticc"), work)
    big = os.path.join(work, "big")
    make_file(big, args.file_mib)
    timed(["cat"], big)  # into the page cache

    cat_variants = {"GNU cat": (["cat"], None), "cat.c native": ([exe["cat-native"]], None)}
    for b in BACKENDS:
        cat_variants[f"lunaticc {b}"] = ([exe["cat"]], with_backend(b))
    sinks = {"/dev/null": os.devnull, "file": os.path.join(work, "sink")}
    write_variants = {"native": ([exe["write1-native"]], None)}
    for b in BACKENDS:
        write_variants[f"lunaticc {b}"] = ([exe["write1"]], with_backend(b))

    cat_times = {v: [] for v in cat_variants}
    write_times = {(v, s): [] for v in write_variants for s in sinks}
    sleep_ms = {b: [] for b in BACKENDS}
    for _ in range(args.runs):
        for v, (command, env) in cat_variants.items():
            cat_times[v].append(timed(command, big, env=env))
        for v, (command, env) in write_variants.items():
            for s, path in sinks.items():
                write_times[(v, s)].append(timed(command + [str(WRITES)], stdout_path=path, env=env))
        for b in BACKENDS:
            out = subprocess.run([exe["sleepers"]], env=with_backend(b, threads=2), capture_output=True, text=True,
                                 check=True).stdout
            sleep_ms[b].append(float(re.search(r"in ([0-9.]+) ms", out).group(1)))

    gib = args.file_mib / 1024
    print(f"medians of {args.runs} interleaved runs\n")
    print(f"| cat of a {args.file_mib} MiB file | GiB/s | / GNU cat | / cat.c native |\n|---|---:|---:|---:|")
    base_gnu = statistics.median(cat_times["GNU cat"])
    base_native = statistics.median(cat_times["cat.c native"])
    for v, times in cat_times.items():
        t = statistics.median(times)
        print(f"| {v} | {gib / t:.2f} | {base_gnu / t:.2f} | {base_native / t:.2f} |")
    print(f"\n| 1-byte write, ns per call | " + " | ".join(sinks) + " |\n|---|" + "---:|" * len(sinks))
    for v in write_variants:
        cells = []
        for s in sinks:
            t = statistics.median(write_times[(v, s)]) / WRITES * 1e9
            native = statistics.median(write_times[("native", s)]) / WRITES * 1e9
            cells.append(f"{t:.0f} ({t / native:.2f}×)")
        print(f"| {v} | " + " | ".join(cells) + " |")
    print("\n| 10,000 processes sleeping 200 ms, 2 workers | wall ms |\n|---|---:|")
    for b in BACKENDS:
        print(f"| lunaticc {b} | {statistics.median(sleep_ms[b]):.1f} |")


if __name__ == "__main__":
    main()
