#!/usr/bin/env python3
"""Serving a command-line program over HTTP: examples/serve/echo.c (POST body echoed back),
a fresh process per request, two ways in the same run:

  lunaticc    echo.wasm built with `lunaticc --serve` (runtime/serve/)
  lighttpd    echo.c built natively (cc -O2) and run by lighttpd's mod_cgi: fork and exec
              per request

The servers are up for the whole run; wrk loads them in turn, at each concurrency, round
after round (interleaved, so a change in the machine's load hits both alike). Reports the
median requests per second and median p99 latency of the rounds, and the ratio.

Each round's line also gives the median latency, the TCP counters that tell why a tail is
long (nstat, over that wrk run: ListenOverflows and ListenDrops, handshakes dropped for a
full listen backlog; TCPSynRetrans and TCPTimeouts, segments sent again after a second or
more) and wrk's socket errors (a connection the server closed makes wrk connect again).

    bench/serve/run.py --build build [--rounds 5] [--seconds 5] [--threads 2]
                       [--baseline-build OTHER_BUILD]

With --baseline-build, that build's server runs in the same rounds as a third server, and a
second table compares the two lunaticc builds.
"""
import argparse
import itertools
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONCURRENCY = (1, 64, 256)
SETTLE_SECONDS = 2

LIGHTTPD_CONF = """
server.document-root = "{root}"
server.bind = "127.0.0.1"
server.port = {port}
server.modules = ("mod_cgi")
cgi.assign = (".cgi" => "")
server.errorlog = "{root}/error.log"
server.max-keep-alive-requests = 100000
server.max-connections = 4096
server.max-fds = 16384
"""


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url):
    for _ in range(200):
        if subprocess.run(["curl", "-s", "-o", "/dev/null", "-d", "x", url]).returncode == 0:
            return
        time.sleep(0.05)
    sys.exit(f"no answer from {url}")


TCP_COUNTERS = ("TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPSynRetrans", "TcpExtTCPTimeouts")


def tcp_counters():
    """The counters of TCP_COUNTERS now (nstat -a: absolute), or {} without nstat."""
    if not shutil.which("nstat"):
        return {}
    out = subprocess.run(["nstat", "-az", *TCP_COUNTERS], capture_output=True, text=True).stdout
    return {name: int(value) for name, value in re.findall(r"^(\w+)\s+(\d+)", out, re.M)}


def milliseconds(out, percent):
    value, unit = re.search(rf"^\s+{percent}%\s+([0-9.]+)(us|ms|s)\s*$", out, re.M).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def wrk(url, connections, seconds):
    """(requests per second, p99 latency in ms, what else to say of the run) of one wrk run."""
    threads = min(connections, 2)
    before = tcp_counters()
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
                          "-s", os.path.join(HERE, "post.lua"), url], capture_output=True, text=True, check=True).stdout
    after = tcp_counters()
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    notes = [f"p50 {milliseconds(out, 50):.2f} ms"]
    notes += [f"{name[len('TcpExt'):]} {after[name] - before[name]}" for name in TCP_COUNTERS
              if name in before and name in after and after[name] != before[name]]
    notes += re.findall(r"(Socket errors: .*|Non-2xx or 3xx responses: \d+)", out)
    return rate, milliseconds(out, 99), ", ".join(notes)


def echo_server(build):
    server = os.path.join(os.path.abspath(build), "examples", "serve", "serve_echo_server")
    if not os.path.exists(server):
        sys.exit(f"{server} is missing: build the project first")
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="the lunaticc server's worker threads")
    parser.add_argument("--baseline-build", metavar="DIR",
                        help="another build whose server runs side by side, as 'baseline'")
    args = parser.parse_args()

    servers = {"lunaticc": echo_server(args.build)}
    if args.baseline_build:
        servers["baseline"] = echo_server(args.baseline_build)
    work = tempfile.mkdtemp(prefix="bench-serve-")
    cgi = os.path.join(work, "echo.cgi")
    subprocess.run(["cc", "-O2", os.path.join(ROOT, "examples", "serve", "echo.c"), "-o", cgi], check=True)
    lighttpd_port = free_port()
    with open(os.path.join(work, "lighttpd.conf"), "w") as f:
        f.write(LIGHTTPD_CONF.format(root=work, port=lighttpd_port))

    processes = [subprocess.Popen(["lighttpd", "-D", "-f", os.path.join(work, "lighttpd.conf")])]
    urls = {}
    for name, server in servers.items():
        port = free_port()
        processes.append(subprocess.Popen([server, "--listen", f"127.0.0.1:{port}", "--threads", str(args.threads),
                                           "--access-log", "off"], stderr=subprocess.DEVNULL))
        urls[name] = f"http://127.0.0.1:{port}/"
    urls["lighttpd"] = f"http://127.0.0.1:{lighttpd_port}/echo.cgi"
    try:
        for url in urls.values():
            wait_until_up(url)
        load_before = os.getloadavg()
        results = {(name, c): [] for name in urls for c in CONCURRENCY}
        # Each round takes the next order of the servers, so that each follows each as often:
        # after lighttpd's run at 256 connections, hundreds of CGI processes are still being
        # reaped, and whichever server comes next pays for it in its tail. A pause between runs
        # lets most of that settle.
        orders = list(itertools.permutations(urls))
        for round_number in range(1, args.rounds + 1):
            for c in CONCURRENCY:
                for name in orders[(round_number - 1) % len(orders)]:
                    url = urls[name]
                    time.sleep(SETTLE_SECONDS)
                    rate, p99, notes = wrk(url, c, args.seconds)
                    results[(name, c)].append((rate, p99))
                    print(f"round {round_number} c={c:<3} {name:8} {rate:10.0f} req/s  p99 {p99:8.2f} ms  ({notes})",
                          flush=True)
        load_after = os.getloadavg()
    finally:
        for p in processes:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nload average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}; {os.cpu_count()} cores")
    print(f"medians of {args.rounds} rounds of {args.seconds} s, wrk POSTing 64 bytes:\n")
    print("| concurrency | lunaticc --serve req/s | p99 | lighttpd mod_cgi req/s | p99 | ratio |")
    print("|---:|---:|---:|---:|---:|---:|")
    for c in CONCURRENCY:
        ours = results[("lunaticc", c)]
        theirs = results[("lighttpd", c)]
        ours_rate = statistics.median(r for r, _ in ours)
        theirs_rate = statistics.median(r for r, _ in theirs)
        print(f"| {c} | {ours_rate:,.0f} | {statistics.median(p for _, p in ours):.2f} ms "
              f"| {theirs_rate:,.0f} | {statistics.median(p for _, p in theirs):.2f} ms "
              f"| {ours_rate / theirs_rate:.1f}x |")
    if "baseline" in servers:
        print("\nSide by side with the baseline build (ratios of medians; above 1 is more requests/s, a longer p99):\n")
        print("| concurrency | lunaticc req/s | p99 | baseline req/s | p99 | req/s ratio | p99 ratio |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for c in CONCURRENCY:
            ours, base = results[("lunaticc", c)], results[("baseline", c)]
            rate, base_rate = statistics.median(r for r, _ in ours), statistics.median(r for r, _ in base)
            p99, base_p99 = statistics.median(p for _, p in ours), statistics.median(p for _, p in base)
            print(f"| {c} | {rate:,.0f} | {p99:.2f} ms | {base_rate:,.0f} | {base_p99:.2f} ms "
                  f"| {rate / base_rate:.2f} | {p99 / base_p99:.2f} |")


if __name__ == "__main__":
    main()
