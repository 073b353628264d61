#!/usr/bin/env python3
"""What observability costs: the process benchmarks and the echo benchmark with the metrics
endpoint off and on (never scraped), side by side, and the time a scrape takes with
100,000 processes alive.

    bench/metrics_ab.py BUILD_DIR RUNS [--only processes,echo,scrape] [--scrapes 10]
                        [--processes 100000] [--short]

  processes  bench/processes/run.py RUNS --impls lunatic --with-metrics --lunatic-bin
             BUILD_DIR/bench/processes/lunatic --only spawn,pingpong,ring: the table's
             lunatic-metrics/lunatic column is the cost (the bar: under 1.01)
  echo       bench/net/run.py BUILD_DIR RUNS --impls lunatic-uring,lunatic-uring-metrics:
             the lunatic-uring-metrics/lunatic-uring rows
  scrape     tests/observe's observed program (BUILD_DIR/tests/observe/observed) with
             --processes processes parked and one computing, its /processes and /metrics
             fetched --scrapes times each, interleaved: the medians of the time the runtime
             says it took to list the table, and of each whole HTTP request (the bar: a
             scrape of 100,000 processes under 100 ms)
Every run of both sides alternates, as run.py does, and figures are medians. --short runs
small sizes once, to check that the script works (not a measurement).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def run(argv):
    log("$ " + " ".join(argv))
    subprocess.run(argv, check=True)


def processes(o):
    argv = [sys.executable, os.path.join(HERE, "processes", "run.py"), str(o.runs), "--impls", "lunatic",
            "--with-metrics", "--lunatic-bin", os.path.join(o.build, "bench", "processes", "lunatic"),
            "--only", "spawn,pingpong,ring"]
    if o.short:
        argv += ["--spawn-n", "10000", "--pingpong-n", "10000", "--ring-procs", "100", "--ring-laps", "10"]
    run(argv)


def echo(o):
    argv = [sys.executable, os.path.join(HERE, "net", "run.py"), o.build, str(o.runs),
            "--impls", "lunatic-uring,lunatic-uring-metrics"]
    if o.short:
        argv += ["--connections", "10", "--seconds", "1", "--warmup", "0.2"]
    run(argv)


def get(port, path):
    started = time.monotonic()
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=120) as answer:
        body = answer.read().decode()
    return body, time.monotonic() - started


def scrape(o):
    program = os.path.join(o.build, "tests", "observe", "observed")
    env = dict(os.environ, LUNATIC_METRICS_LISTEN="127.0.0.1:0", LUNATIC_LOG="info")
    proc = subprocess.Popen([program, str(o.processes), "busy"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True)
    try:
        port = None
        while port is None:
            line = proc.stderr.readline()
            if not line:
                raise SystemExit("observed ended before it said where its metrics are")
            match = re.search(r"metrics on http://127\.0\.0\.1:(\d+)/", line)
            port = int(match.group(1)) if match else None
        while "ready" not in proc.stdout.readline():
            if proc.poll() is not None:
                raise SystemExit("observed ended early")
        listed, tables, metrics = [], [], []
        for _ in range(o.scrapes):
            table, seconds = get(port, "/processes")
            tables.append(seconds)
            summary = re.search(r"# (\d+) processes: .* listed in (\d+) us", table)
            if not summary or int(summary.group(1)) != o.processes + 3:
                raise SystemExit("the table lists %s processes, not %d" % (summary and summary.group(1), o.processes + 3))
            listed.append(int(summary.group(2)) / 1e6)
            _, seconds = get(port, "/metrics")
            metrics.append(seconds)
        print("\nscrapes with %d processes alive (one computing), %d of each, medians:" % (o.processes + 3, o.scrapes))
        print("  /processes listed by the runtime   %8.1f ms" % (statistics.median(listed) * 1e3))
        print("  /processes, the whole HTTP request %8.1f ms (%d bytes)" % (statistics.median(tables) * 1e3, len(table)))
        print("  /metrics, the whole HTTP request   %8.1f ms" % (statistics.median(metrics) * 1e3))
        print("load average after: %s" % open("/proc/loadavg").read().split()[0])
    finally:
        proc.kill()
        proc.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("build", help="a build directory of this project")
    p.add_argument("runs", type=int)
    p.add_argument("--only", default="processes,echo,scrape")
    p.add_argument("--scrapes", type=int, default=10)
    p.add_argument("--processes", type=int, default=100000)
    p.add_argument("--short", action="store_true", help="small sizes: checks that it runs, measures nothing")
    o = p.parse_args()
    o.build = os.path.abspath(o.build)
    if o.short:
        o.processes = min(o.processes, 1000)
        o.scrapes = min(o.scrapes, 2)
    parts = {"processes": processes, "echo": echo, "scrape": scrape}
    for name in o.only.split(","):
        if name not in parts:
            p.error("unknown part %r (known: %s)" % (name, ", ".join(parts)))
        parts[name](o)


if __name__ == "__main__":
    main()
