#!/usr/bin/env python3
"""Two builds of this project side by side, for a runtime change that touches every
workload but no guest code: glibc's malloc against mimalloc behind the runtime's host
allocations (CMakeLists.txt, LUNATIC_HOST_ALLOCATOR; docs/benchmarks.md, "Host allocator").

    cmake -S . -B build-glibc -G Ninja -DLUNATIC_HOST_ALLOCATOR=glibc && cmake --build build-glibc
    cmake -S . -B build-mimalloc -G Ninja -DLUNATIC_HOST_ALLOCATOR=mimalloc && cmake --build build-mimalloc
    bench/allocator_ab.py build-glibc build-mimalloc [--rounds 5] [--only NAME,...]
    bench/allocator_ab.py build-glibc build-mimalloc --callgrind [--only pingpong-8,ring,...]

Timed (the default): ROUNDS rounds; in each, every workload runs once on each build, the
build that goes first alternating from round to round, so that a change in the machine's
load hits both alike. Prints every run, then the median of each figure and the ratio B/A
(below 1: B is faster or smaller, for every figure here).

  pingpong-8, -1k, -64k  bench-pingpong N BYTES: µs per round trip, messages of 8 B, 1 KiB, 64 KiB
  ring                   bench-ring 1000 1000: seconds for a million hops
  spawn                  bench-spawn 1000000: seconds to spawn a million processes
  echo                   the TCP echo server of bench/net (io_uring), 1,000 connections for
                         --seconds: messages/s and server CPU µs per message
  chat                   examples/chat with 10,000 idle clients: KiB of resident memory per
                         client (not a timing: a noisy machine gives it right)
  serve                  examples/serve's echo server (`lunaticc --serve`), wrk at 64
                         connections for --seconds: requests/s and p99 latency
Every lunatic program gets two workers (LUNATIC_THREADS=2), as in bench/processes and bench/net.

--callgrind: instruction counts instead of time, for a machine too noisy to time (valgrind;
one worker, epoll: LUNATIC_THREADS=1 LUNATIC_IO=epoll, since io_uring does not run under
valgrind). Each of pingpong-*, ring and spawn runs at two sizes, and the figure is the
difference in instructions divided by the difference in work (per round trip, per hop, per
process), so start-up does not count. echo and serve run their server under callgrind for
two loads and divide likewise by the messages or requests served.
"""
import argparse
import importlib.util
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


net = load_module("bench_net", os.path.join(HERE, "net", "run.py"))        # echo, chat
serve = load_module("bench_serve", os.path.join(HERE, "serve", "run.py"))  # wrk, ports

# name -> (benchmark, arguments, work done, unit of the figure): the process benchmarks.
PROCESS_WORKLOADS = {
    "pingpong-8": ("pingpong", ["200000", "8"], 200000, "µs/round trip"),
    "pingpong-1k": ("pingpong", ["200000", "1024"], 200000, "µs/round trip"),
    "pingpong-64k": ("pingpong", ["20000", "65536"], 20000, "µs/round trip"),
    "ring": ("ring", ["1000", "1000"], 1000000, "s"),
    "spawn": ("spawn", ["1000000"], 1000000, "s"),
}
WORKLOADS = list(PROCESS_WORKLOADS) + ["echo", "chat", "serve"]
THREADS = "2"
log = net.log


class Build:
    def __init__(self, path, work):
        self.path = os.path.abspath(path)
        self.allocator = "?"
        try:
            with open(os.path.join(self.path, "CMakeCache.txt")) as f:
                self.allocator = re.search(r"^LUNATIC_HOST_ALLOCATOR:\w+=(\w+)", f.read(), re.M).group(1)
        except (OSError, AttributeError):
            pass
        self.name = "%s (%s)" % (os.path.basename(self.path), self.allocator)
        self.work = os.path.join(work, os.path.basename(self.path))
        os.makedirs(self.work, exist_ok=True)

    def bench(self, name):
        return os.path.join(self.path, "bench", "processes", "lunatic", "bench-" + name)

    def compile(self, wasm, exe, flags=()):
        net.run_checked([os.path.join(self.path, "bin", "lunaticc"), *flags, wasm, "-o", exe])
        return exe


def echo_wasm(work):
    wasm = os.path.join(work, "echo.wasm")
    net.run_checked(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-I" + os.path.join(ROOT, "sdk", "c"),
                     "-Wl,-z,stack-size=16384", "-Wl,--initial-memory=65536",
                     os.path.join(HERE, "net", "lunatic", "echo.c"), "-o", wasm])
    return wasm


# --- timed -----------------------------------------------------------------------------

def run_process_workload(build, name):
    bench, args, work, _ = PROCESS_WORKLOADS[name]
    argv = [build.bench(bench)] + args
    p = subprocess.run(argv, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, LUNATIC_THREADS=THREADS))
    fields = next((l.split() for l in p.stdout.splitlines() if l.startswith("RESULT ")), None)
    if p.returncode != 0 or not fields:
        return {"error": "exit %d: %s" % (p.returncode, p.stderr.strip()[-200:])}
    seconds = float(fields[2])
    return {"figure": seconds * 1e6 / work if bench == "pingpong" else seconds}


def run_serve(build, o):
    server = os.path.join(build.path, "examples", "serve", "serve_echo_server")
    port = serve.free_port()
    proc = subprocess.Popen([server, "--listen", "127.0.0.1:%d" % port, "--threads", THREADS, "--access-log", "off"],
                            stderr=subprocess.DEVNULL)
    try:
        url = "http://127.0.0.1:%d/" % port
        serve.wait_until_up(url)
        rate, p99, _ = serve.wrk(url, 64, int(o.seconds))
        return {"figure": rate, "p99_ms": p99}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_timed(o, builds, workloads):
    wasm = echo_wasm(o.work) if "echo" in workloads else None
    if wasm:
        o.loadgen = os.path.join(o.work, "loadgen")
        net.run_checked(["cc", "-O2", "-Wall", "-o", o.loadgen, os.path.join(HERE, "net", "loadgen.c")])
        for b in builds:
            b.echo = b.compile(wasm, os.path.join(b.work, "echo"))
    o.warmup = 1
    figures = {  # workload -> [(key, label, format)]
        "echo": [("figure", "messages/s", "%.0f"), ("cpu_us", "server CPU µs/message", "%.2f")],
        "chat": [("figure", "KiB/client", "%.2f")],
        "serve": [("figure", "requests/s", "%.0f"), ("p99_ms", "p99 ms", "%.2f")],
    }
    for name in PROCESS_WORKLOADS:
        figures[name] = [("figure", PROCESS_WORKLOADS[name][3], "%.4g")]
    results = {(w, b.name): [] for w in workloads for b in builds}
    for r in range(o.rounds):
        order = builds if r % 2 == 0 else builds[::-1]
        for w in workloads:
            for b in order:
                if w in PROCESS_WORKLOADS:
                    res = run_process_workload(b, w)
                elif w == "echo":
                    res = net.echo_once(o, {"LUNATIC_THREADS": THREADS}, [b.echo], 1000)
                    if "rate" in res:
                        res["figure"] = res["rate"]
                elif w == "chat":
                    o.build, o.clients = b.path, 10000
                    res = net.chat_memory_once(o, "uring")
                    if "kib" in res:
                        res["figure"] = res["kib"]
                else:
                    res = run_serve(b, o)
                results[(w, b.name)].append(res)
                shown = res.get("error") or "  ".join(fmt % res[k] + " " + label for k, label, fmt in figures[w])
                print("round %d  %-13s %-28s %s" % (r + 1, w, b.name, shown), flush=True)
    print("\nmedians of %d rounds; load average %s\n" % (o.rounds, net_loadavg()))
    a, b = builds
    print("| workload | figure | %s | %s | B/A |" % (a.name, b.name))
    print("|---|---|---:|---:|---:|")
    for w in workloads:
        for key, label, fmt in figures[w]:
            ma, ea = net.median_or_error(results[(w, a.name)], key)
            mb, eb = net.median_or_error(results[(w, b.name)], key)
            ratio = "%.3f" % (mb / ma) if ma and mb else "-"
            print("| %s | %s | %s | %s | %s |" % (w, label, ea or fmt % ma, eb or fmt % mb, ratio))


def net_loadavg():
    return " ".join("%.2f" % x for x in os.getloadavg())


# --- callgrind -------------------------------------------------------------------------

CALLGRIND_ENV = {"LUNATIC_THREADS": "1", "LUNATIC_IO": "epoll"}
# name -> (small arguments, large arguments, work of small, work of large)
CALLGRIND_SIZES = {
    "pingpong-8": (["2000", "8"], ["12000", "8"], 2000, 12000),
    "pingpong-1k": (["2000", "1024"], ["12000", "1024"], 2000, 12000),
    "pingpong-64k": (["500", "65536"], ["3000", "65536"], 500, 3000),
    # 10 processes: valgrind holds far less address space than the 8 GiB a guard-page memory
    # reserves, and 100 of them fail to spawn under it.
    "ring": (["10", "200"], ["10", "1200"], 2000, 12000),
    "spawn": (["2000"], ["12000"], 2000, 12000),
}


def callgrind_argv(out):
    return ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]


def callgrind_total(out):
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + out)


def callgrind_process(build, name):
    bench = PROCESS_WORKLOADS[name][0]
    small, large, work_small, work_large = CALLGRIND_SIZES[name]
    totals = []
    for args in (small, large):
        out = os.path.join(build.work, "callgrind.%s.%d" % (name, len(totals)))
        argv = callgrind_argv(out) + [build.bench(bench)] + args
        p = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, **CALLGRIND_ENV))
        if p.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (shlex.join(argv), p.returncode, p.stderr[-500:]))
        totals.append(callgrind_total(out))
    return (totals[1] - totals[0]) / (work_large - work_small)


def callgrind_server(build, argv_of_port, ready, load):
    """Instructions per unit of load: the server under callgrind, `load(port, size)` run at two
    sizes (each returns the units it got done), the difference in instructions over the
    difference in units."""
    points = []
    for size in (1, 4):
        out = os.path.join(build.work, "callgrind.server.%d" % size)
        port = serve.free_port()
        server = net.Server(CALLGRIND_ENV, callgrind_argv(out) + argv_of_port(port), ready, timeout=120)
        try:
            done = load(port, size)
        finally:
            server.proc.send_signal(2)  # SIGINT: callgrind writes its counts as the program ends
            try:
                server.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                server.stop()
        points.append((done, callgrind_total(out)))
    (u0, i0), (u1, i1) = points
    return (i1 - i0) / (u1 - u0)


def run_callgrind(o, builds, workloads):
    unit = {"echo": "instructions/message", "serve": "instructions/request"}
    wasm = None
    if "echo" in workloads:
        wasm = echo_wasm(o.work)
        o.loadgen = os.path.join(o.work, "loadgen")
        net.run_checked(["cc", "-O2", "-Wall", "-o", o.loadgen, os.path.join(HERE, "net", "loadgen.c")])
    rows = []
    for w in workloads:
        per = []
        for b in builds:
            if w in PROCESS_WORKLOADS:
                per.append(callgrind_process(b, w))
            elif w == "echo":
                exe = b.compile(wasm, os.path.join(b.work, "echo"))

                def echo_load(port, size):
                    p = subprocess.run([o.loadgen, str(port), "10", str(2 * size), "0.5"], capture_output=True, text=True)
                    return int(re.search(r"all=(\d+)", p.stdout).group(1))
                per.append(callgrind_server(b, lambda port: [exe, str(port)], b"READY", echo_load))
            elif w == "serve":
                server = os.path.join(b.path, "examples", "serve", "serve_echo_server")

                def serve_load(port, size):
                    url = "http://127.0.0.1:%d/" % port
                    serve.wait_until_up(url)
                    out = subprocess.run(["wrk", "-t", "1", "-c", "4", "-d", "%ds" % (3 * size), "-s",
                                          os.path.join(HERE, "serve", "post.lua"), url],
                                         capture_output=True, text=True).stdout
                    # wait_until_up's requests count too: a handful, the same at both sizes
                    return int(re.search(r"(\d+) requests in", out).group(1))
                per.append(callgrind_server(b, lambda port: [server, "--listen", "127.0.0.1:%d" % port, "--threads", "1",
                                                             "--access-log", "off"], b"", serve_load))
            else:
                continue  # chat measures memory: the timed mode gives it
            log("%s %s: %.0f" % (w, b.name, per[-1]))
        if per:
            label = unit.get(w, "instructions/" + {"ring": "hop", "spawn": "process"}.get(w, "round trip"))
            rows.append((w, label, per))
    a, b = builds
    print("\ncallgrind (LUNATIC_THREADS=1 LUNATIC_IO=epoll)\n")
    print("| workload | figure | %s | %s | B/A |" % (a.name, b.name))
    print("|---|---|---:|---:|---:|")
    for w, label, (ia, ib) in rows:
        print("| %s | %s | %.0f | %.0f | %.3f |" % (w, label, ia, ib, ib / ia))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("build_a")
    p.add_argument("build_b")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=5, help="of each echo and serve run")
    p.add_argument("--only", default=",".join(WORKLOADS))
    p.add_argument("--callgrind", action="store_true")
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "lunaticc-allocator-ab"))
    o = p.parse_args()
    workloads = [w for w in o.only.split(",") if w]
    unknown = [w for w in workloads if w not in WORKLOADS]
    if unknown:
        sys.exit("unknown workload(s): %s (known: %s)" % (", ".join(unknown), ", ".join(WORKLOADS)))
    os.makedirs(o.work, exist_ok=True)
    builds = [Build(o.build_a, o.work), Build(o.build_b, o.work)]
    if builds[0].name == builds[1].name:
        builds[1].name += " B"
    started = time.time()
    (run_callgrind if o.callgrind else run_timed)(o, builds, workloads)
    log("took %.0f s" % (time.time() - started))


if __name__ == "__main__":
    main()
