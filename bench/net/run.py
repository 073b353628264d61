#!/usr/bin/env python3
"""Networking benchmarks: the TCP echo server in Go, Erlang and lunatic, side by side; the
TLS echo server in Go (crypto/tls) and lunatic (examples/tls_echo); and the chat example's
memory per idle client (README.md here says what each measures).

    bench/net/run.py BUILD_DIR RUNS [--connections 100,1000] [--seconds 5] [--warmup 1]
                     [--impls go,erlang,lunatic-uring,lunatic-epoll,lunatic-uring-bounds]
    bench/net/run.py BUILD_DIR RUNS --tls [--connections 1000] [--impls go,lunatic-uring,...]
    bench/net/run.py BUILD_DIR RUNS --chat-memory [--clients 10000] [--chat-servers c,assemblyscript]

BUILD_DIR is a build of this project: its bin/lunaticc compiles the lunatic echo server, and
the chat memory mode runs its examples/chat (c) and examples/assemblyscript/chat_as
(assemblyscript, the same server written with lunatic-as). Everything else is built into --work
(/tmp/lunaticc-bench-net): loadgen.c natively, go/echo.go, erlang/echo.erl, and for --tls
examples/tls_echo/tls_echo.c and a certificate (EC P-256) and key, made with
openssl for the run. --tls has no Erlang server; loadgen speaks TLS (loadgen.c --tls).

Echo: for each run, for each connection count, every server is started on a fresh port,
loaded by loadgen for --warmup + --seconds, and stopped; the order of the servers rotates
from run to run. The tables give the median of RUNS runs of each figure and the ratios of
the lunatic servers' medians to Go's and Erlang's. Chat memory: the chat server is started,
--clients idle clients connect (examples/chat/crowd.py), and (VmRSS with them - VmRSS before
them) / clients is the figure, once per backend and run.
"""
import argparse
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "examples", "chat"))
import crowd  # noqa: E402  (examples/chat/crowd.py: idle clients, RSS)

SERVERS = ["go", "erlang", "lunatic-uring", "lunatic-epoll"]
# Also available, not run by default: the lunatic server compiled in bounds-checked mode, and
# the uring server with its metrics endpoint on and never scraped (what recording costs: the
# table adds lunatic-uring-metrics/lunatic-uring).
OPTIONAL_SERVERS = ["lunatic-uring-bounds", "lunatic-uring-metrics"]
# Each lunatic server: its I/O engine (LUNATIC_IO), lunaticc's options and its environment.
LUNATIC_SERVERS = {"lunatic-uring": ("uring", [], {}), "lunatic-epoll": ("epoll", [], {}),
                   "lunatic-uring-bounds": ("uring", ["--bounds-checks"], {}),
                   "lunatic-uring-metrics": ("uring", [], {"LUNATIC_METRICS_LISTEN": "127.0.0.1:0"})}
THREADS = "2"  # GOMAXPROCS, erl +S, LUNATIC_THREADS: the same two cores for every server


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def run_checked(argv, **kw):
    log("$ " + shlex.join(argv))
    subprocess.run(argv, check=True, **kw)


# --- building --------------------------------------------------------------------------

def build(o):
    """Builds loadgen and the servers; returns {name: (env, argv without the port)}."""
    os.makedirs(o.work, exist_ok=True)
    o.loadgen = os.path.join(o.work, "loadgen")
    run_checked(["cc", "-O2", "-Wall", "-o", o.loadgen, os.path.join(HERE, "loadgen.c"), "-lssl", "-lcrypto"])
    tls_files = make_certificate(o) if o.tls else []
    servers = {}
    if "go" in o.impls:
        exe = os.path.join(o.work, "echo-go")
        run_checked(["go", "build", "-o", exe, os.path.join(HERE, "go", "echo.go")],
                    env=dict(os.environ, GO111MODULE="off"), cwd=o.work)
        servers["go"] = ({"GOMAXPROCS": THREADS}, [exe] + tls_files)
    if "erlang" in o.impls and not o.tls:
        run_checked(["erlc", "-o", o.work, os.path.join(HERE, "erlang", "echo.erl")])
        servers["erlang"] = ({}, ["erl", "-noshell", "+S", THREADS, "-pa", o.work, "-run", "echo", "main"])
    lunatic = [i for i in o.impls if i in LUNATIC_SERVERS]
    if lunatic:
        source = os.path.join(ROOT, "examples", "tls_echo", "tls_echo.c") if o.tls else \
            os.path.join(HERE, "lunatic", "echo.c")
        wasm = os.path.join(o.work, "tls_echo.wasm" if o.tls else "echo.wasm")
        # As the process benchmarks' guests: a 16 KiB shadow stack in one 64 KiB page (the TLS
        # server reads its certificate with stdio: a second page).
        run_checked(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", "-O2",
                     "-I" + os.path.join(ROOT, "sdk", "c"), "-Wl,-z,stack-size=16384",
                     "-Wl,--initial-memory=%d" % (131072 if o.tls else 65536), source, "-o", wasm])
        # The TLS server reads its certificate and key through WASI: their directory, granted.
        grant = {"LUNATIC_DIRS": "%s::%s:ro" % (o.work, o.work)} if o.tls else {}
        for name in lunatic:
            backend, flags, env = LUNATIC_SERVERS[name]
            exe = os.path.join(o.work, ("tls-echo-" if o.tls else "echo-") + name)
            run_checked([os.path.join(o.build, "bin", "lunaticc"), *flags, wasm, "-o", exe])
            servers[name] = (dict(env, LUNATIC_THREADS=THREADS, LUNATIC_IO=backend, **grant), [exe] + tls_files)
    return servers


def make_certificate(o):
    """A self-signed EC P-256 certificate for localhost and its key, for the TLS servers."""
    cert, key = os.path.join(o.work, "bench-cert.pem"), os.path.join(o.work, "bench-key.pem")
    run_checked(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=localhost"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [cert, key]


# --- running a server ------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server started in its own process group, ready once it printed `ready` on stdout."""

    def __init__(self, env, argv, ready, timeout=15):
        self.proc = subprocess.Popen(argv, env=dict(os.environ, **env), stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        line = b""
        while ready not in line:
            line = self.proc.stdout.readline()
            if not line or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("%s did not start" % argv[0])

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()


def group_cpu_seconds(pgid):
    """User and system CPU time of the processes of group `pgid` (a server and its helper
    processes, such as Erlang's erl_child_setup), as far as they are still running."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def echo_once(o, env, argv, connections):
    """One loadgen run against a fresh server: {'rate', 'p50', 'p99', 'cpu_us'} or
    {'error'}. cpu_us is the server's CPU time per round trip, warm-up included: a figure
    that other load on the machine moves less than the rate."""
    port = free_port()
    try:
        server = Server(env, argv + [str(port)], b"READY")
    except RuntimeError as e:
        return {"error": str(e)}
    try:
        cpu_before = group_cpu_seconds(server.proc.pid)
        p = subprocess.run([o.loadgen] + (["--tls"] if o.tls else []) +
                           [str(port), str(connections), str(o.seconds), str(o.warmup)],
                           capture_output=True, text=True, timeout=o.seconds + o.warmup + 60)
        cpu = group_cpu_seconds(server.proc.pid) - cpu_before
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    finally:
        server.stop()
    fields = p.stdout.split()
    if p.returncode != 0 or len(fields) < 6 or fields[0] != "RESULT":
        log("  loadgen: " + (p.stderr or p.stdout).strip())
        return {"error": "loadgen exit %d" % p.returncode}
    extra = dict(f.split("=", 1) for f in fields[4:] if "=" in f)
    return {"rate": float(fields[2]), "p50": float(extra["p50_us"]), "p99": float(extra["p99_us"]),
            "cpu_us": cpu / int(extra["all"]) * 1e6}


# --chat-servers name -> the chat server's executable in the build
CHAT_SERVERS = {"c": os.path.join("examples", "chat"),
                "assemblyscript": os.path.join("examples", "assemblyscript", "chat_as")}


def chat_memory_once(o, server_name, backend):
    """Starts a chat server, connects --clients idle clients; KiB per client or error."""
    exe = os.path.join(o.build, CHAT_SERVERS[server_name])
    port = free_port()
    env = {"LUNATIC_THREADS": THREADS, "LUNATIC_IO": backend}
    try:
        server = Server(env, [exe, str(port)], b"listening")
    except RuntimeError as e:
        return {"error": str(e)}
    clients = []
    try:
        time.sleep(0.5)
        before = crowd.vm_rss_kib(server.proc.pid)
        clients = crowd.connect_idle(port, o.clients)
        time.sleep(1)
        after = crowd.vm_rss_kib(server.proc.pid)
        return {"kib": (after - before) / o.clients, "before": before, "after": after}
    except (RuntimeError, OSError) as e:
        return {"error": str(e)}
    finally:
        crowd.close_all(clients)
        server.stop()


# --- tables ----------------------------------------------------------------------------

def median_or_error(runs, key):
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        return None, "ERR: %s (%d/%d)" % (errors[0], len(errors), len(runs))
    return statistics.median(r[key] for r in runs), None


def table(header, rows):
    """Prints a Markdown table (as docs/benchmarks.md takes it): names left, figures right."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


def echo_table(o, names, results):
    lunatic = [n for n in names if n.startswith("lunatic-")]
    refs = [n for n in ("go", "erlang") if n in names]
    pairs = [(a, b) for a in lunatic for b in refs]
    if "lunatic-uring-metrics" in names and "lunatic-uring" in names:
        pairs.append(("lunatic-uring-metrics", "lunatic-uring"))
    header = ["connections", "figure"] + names + ["%s/%s" % p for p in pairs]
    rows = []
    for c in o.connections:
        for key, label, fmt in [("rate", "messages/s", "%.0f"), ("p50", "p50 latency µs", "%.0f"),
                                ("p99", "p99 latency µs", "%.0f"),
                                ("cpu_us", "server CPU µs/message", "%.2f")]:
            medians, cells = {}, []
            for n in names:
                m, err = median_or_error(results[(n, c)], key)
                medians[n] = m
                cells.append(err or fmt % m)
            ratios = ["%.2f" % (medians[a] / medians[b]) if medians[a] and medians[b] else "-"
                      for a, b in pairs]
            rows.append(["{:,}".format(c), label] + cells + ratios)
    table(header, rows)


# --- main ------------------------------------------------------------------------------

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("build", help="a build directory of this project (bin/lunaticc, examples/chat)")
    p.add_argument("runs", type=int)
    p.add_argument("--connections", default="100,1000")
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--warmup", type=float, default=1)
    p.add_argument("--impls", default=",".join(SERVERS))
    p.add_argument("--tls", action="store_true", help="the TLS echo servers (Go's crypto/tls and lunatic's)")
    p.add_argument("--chat-memory", action="store_true", help="measure the chat server instead")
    p.add_argument("--clients", type=int, default=10000)
    p.add_argument("--chat-servers", default="c",
                   help="chat servers to measure: c (examples/chat), assemblyscript (examples/assemblyscript/chat_as)")
    p.add_argument("--work", default="/tmp/lunaticc-bench-net")
    o = p.parse_args()
    o.build = os.path.abspath(o.build)
    o.connections = [int(c) for c in o.connections.split(",")]
    o.impls = o.impls.split(",")
    if o.tls and o.impls == SERVERS:
        o.impls = [i for i in SERVERS if i != "erlang"]  # no Erlang TLS server here
    o.chat_servers = o.chat_servers.split(",")
    unknown = set(o.impls) - set(SERVERS) - set(OPTIONAL_SERVERS)
    if set(o.chat_servers) - set(CHAT_SERVERS):
        p.error("chat servers are %s" % ", ".join(CHAT_SERVERS))
    if unknown or o.runs < 1:
        p.error("RUNS must be positive; servers are %s" % ", ".join(SERVERS + OPTIONAL_SERVERS))
    return o


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def main_chat_memory(o):
    backends = ["uring", "epoll"]
    columns = [(c, b) for c in o.chat_servers for b in backends]
    results = {column: [] for column in columns}
    for r in range(o.runs):
        k = r % len(columns)
        for column in columns[k:] + columns[:k]:
            res = chat_memory_once(o, *column)
            results[column].append(res)
            log("run %d/%d chat %s %s: %s" % (r + 1, o.runs, column[0], column[1], res.get("error") or
                                              "%.1f KiB/client (%d -> %d KiB)" % (res["kib"], res["before"], res["after"])))
    header = ["clients", "figure"] + ["%s (%s)" % ("lunatic" if c == "c" else "lunatic, " + c, b) for c, b in columns]
    cells = []
    for column in columns:
        m, err = median_or_error(results[column], "kib")
        cells.append(err or "%.1f" % m)
    table(header, [["{:,}".format(o.clients), "KiB per idle client"] + cells])
    print("\nmedians of %d runs; LUNATIC_THREADS=%s; %s PORT" % (
        o.runs, THREADS, ", ".join(os.path.join(o.build, CHAT_SERVERS[c]) for c in o.chat_servers)))


def main():
    o = parse_args()
    load_before = loadavg()
    if o.chat_memory:
        main_chat_memory(o)
        return
    servers = build(o)
    names = [n for n in SERVERS + OPTIONAL_SERVERS if n in servers]
    results = {(n, c): [] for n in names for c in o.connections}
    for r in range(o.runs):
        for c in o.connections:
            k = r % len(names)
            for n in names[k:] + names[:k]:
                env, argv = servers[n]
                res = echo_once(o, env, argv, c)
                results[(n, c)].append(res)
                log("run %d/%d %5d conns %-14s %s" % (r + 1, o.runs, c, n, res.get("error") or
                                                     "%.0f msg/s p50 %.0f us p99 %.0f us cpu %.2f us/msg"
                                                     % (res["rate"], res["p50"], res["p99"], res["cpu_us"])))
    echo_table(o, names, results)
    print("\nmedians of %d interleaved runs of %g s (after %g s of warm-up), 64-byte messages%s, "
          "one in flight per connection; load average %s before, %s after"
          % (o.runs, o.seconds, o.warmup, " over TLS 1.3 (AES-128-GCM)" if o.tls else "", load_before, loadavg()))
    print("loadgen: %s%s PORT CONNECTIONS %g %g" % (o.loadgen, " --tls" if o.tls else "", o.seconds, o.warmup))
    for n in names:
        env, argv = servers[n]
        print("%-14s %s" % (n, " ".join(["%s=%s" % kv for kv in env.items()] + [shlex.quote(a) for a in argv] + ["PORT"])))


if __name__ == "__main__":
    main()
