#!/usr/bin/env python3
"""Cross-node ping-pong and one-way streaming between two nodes on loopback: two of ours
(bench-distributed, one of them started with --no-main) against two Erlang nodes
(bench_dist.erl), in interleaved rounds, side by side (README.md).

    python3 bench/distributed/run.py --bin build/bench/distributed/bench-distributed [--rounds 5]
        [--pingpong 20000] [--stream 50000] [--size 1024] [--markdown]

Each round starts a private epmd, then for each benchmark runs ours, then Erlang's (the
order alternating from round to round), and stops every node it started. Prints the median
round trips/s and messages/s of each and their ratio (ours / Erlang's).
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COOKIE = "bench"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def result(output, bench):
    m = re.search(r"RESULT %s (\S+) (\d+) \w+=(\d+)" % bench, output)
    if not m:
        raise RuntimeError("no RESULT line for %s in:\n%s" % (bench, output))
    return int(m.group(2)), int(m.group(3))


def run_pair(host_argv, client_argv, env):
    host = subprocess.Popen(host_argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        client = subprocess.run(client_argv, capture_output=True, text=True, env=env, timeout=600)
        if client.returncode != 0:
            raise RuntimeError("%s failed:\n%s%s" % (client_argv[0], client.stdout, client.stderr))
        return client.stdout
    finally:
        host.kill()
        host.wait()


def ours(args, env, bench, sizes):
    name = "o%d" % os.getpid()
    host = [args.bin, "--node", name + "b@127.0.0.1", "--cookie", COOKIE, "--no-main"]
    client = [args.bin, "--node", name + "a@127.0.0.1", "--cookie", COOKIE, "--join", name + "b@127.0.0.1",
              bench] + sizes
    return run_pair(host, client, dict(env, LUNATIC_THREADS="2"))


def erlang(args, env, bench, sizes, build):
    name = "e%d" % os.getpid()
    common = ["-setcookie", COOKIE, "-noshell", "+S", "2", "-pa", build]
    host = ["erl", "-name", name + "b@127.0.0.1"] + common
    client = ["erl", "-name", name + "a@127.0.0.1"] + common + ["-run", "bench_dist", "main", bench] + sizes + \
        [name + "b@127.0.0.1"]
    return run_pair(host, client, env)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="bench-distributed, built by lunaticc")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pingpong", type=int, default=20000, help="round trips per run")
    parser.add_argument("--stream", type=int, default=50000, help="messages per run")
    parser.add_argument("--size", type=int, default=1024, help="bytes per streamed message")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    build = tempfile.mkdtemp(prefix="bench_dist")
    subprocess.run(["erlc", "-o", build, os.path.join(HERE, "bench_dist.erl")], check=True)
    env = dict(os.environ, ERL_EPMD_PORT=str(free_port()))
    epmd = subprocess.Popen(["epmd", "-port", env["ERL_EPMD_PORT"]], env=env)
    time.sleep(0.3)
    benches = [("pingpong", [str(args.pingpong)], args.pingpong, "round trips/s"),
               ("stream", [str(args.stream), str(args.size)], args.stream, "%d B msgs/s" % args.size)]
    figures = {(b, who): [] for b, _, _, _ in benches for who in ("ours", "erlang")}
    try:
        for r in range(args.rounds):
            for bench, sizes, checksum, _ in benches:
                order = ["ours", "erlang"] if r % 2 == 0 else ["erlang", "ours"]
                for who in order:
                    out = ours(args, env, bench, sizes) if who == "ours" else erlang(args, env, bench, sizes, build)
                    got, figure = result(out, bench)
                    if got != checksum:
                        raise RuntimeError("%s %s: checksum %d, expected %d" % (who, bench, got, checksum))
                    figures[(bench, who)].append(figure)
                    print("round %d %-8s %-6s %d" % (r + 1, bench, who, figure), file=sys.stderr)
    finally:
        epmd.kill()
        epmd.wait()
        shutil.rmtree(build, ignore_errors=True)

    rows = []
    for bench, _, _, unit in benches:
        o = statistics.median(figures[(bench, "ours")])
        e = statistics.median(figures[(bench, "erlang")])
        rows.append((bench, unit, o, e, o / e))
    if args.markdown:
        print("| benchmark | figure | ours (median) | Erlang (median) | ours / Erlang |")
        print("|---|---|---:|---:|---:|")
        for bench, unit, o, e, ratio in rows:
            print("| %s | %s | %.0f | %.0f | %.2f |" % (bench, unit, o, e, ratio))
    else:
        for bench, unit, o, e, ratio in rows:
            print("%-9s %-16s ours %10.0f  erlang %10.0f  ratio %.2f" % (bench, unit, o, e, ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
