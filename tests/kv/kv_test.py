#!/usr/bin/env python3
"""End-to-end test of the key-value store example (examples/kv): starts the built server on
a free port with a fresh directory granted as /data, drives it with real TCP clients, and
prints PASS: <scenario> when every check holds.

Scenarios:
  basic      every request kind and its answers, malformed lines, QUIT
  clients    100 clients at once, each writing and reading its own keys; then COUNT
  restart    what was written is there after the server is stopped and started again
  outside    a database path outside the granted directory: the server refuses to start

Usage: kv_test.py --exe BUILD/examples/kv --scenario NAME
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, exe, directory, database="/data/kv.db"):
        self.port = free_port()
        env = dict(os.environ, LUNATIC_DIRS=f"{directory}::/data")
        self.process = subprocess.Popen([exe, database, str(self.port)], env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if "listening" not in line:
            self.process.wait(timeout=10)
            raise SystemExit(f"FAIL: the server did not start: {line!r} {self.process.stderr.read()!r}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.file = self.sock.makefile("rw", newline="\n")

    def ask(self, line):
        self.file.write(line + "\n")
        self.file.flush()
        return self.file.readline().rstrip("\n")

    def close(self):
        self.file.close()
        self.sock.close()


def expect(actual, expected, what):
    if actual != expected:
        raise SystemExit(f"FAIL: {what}: got {actual!r}, expected {expected!r}")


def basic(exe, directory):
    server = Server(exe, directory)
    try:
        c = Client(server.port)
        expect(c.ask("GET a"), "NONE", "GET of a missing key")
        expect(c.ask("SET a hello world"), "OK", "SET")
        expect(c.ask("GET a"), "VALUE hello world", "GET")
        expect(c.ask("SET a again"), "OK", "SET over")
        expect(c.ask("GET a"), "VALUE again", "GET after SET over")
        expect(c.ask("SET b 'quotes'; DROP TABLE kv; --"), "OK", "SET of SQL text")
        expect(c.ask("GET b"), "VALUE 'quotes'; DROP TABLE kv; --", "GET of SQL text")
        expect(c.ask("COUNT"), "COUNT 2", "COUNT")
        expect(c.ask("DEL a"), "DELETED 1", "DEL")
        expect(c.ask("DEL a"), "DELETED 0", "DEL of a missing key")
        expect(c.ask("FROB").startswith("ERROR unknown request"), True, "an unknown request")
        expect(c.ask("SET " + "k" * 300 + " v"), "ERROR too long", "a key too long")
        expect(c.ask("GET").startswith("ERROR unknown request"), True, "GET without a key")
        expect(c.ask("QUIT"), "BYE", "QUIT")
        expect(c.file.readline(), "", "the connection closes after QUIT")
        c.close()
    finally:
        server.stop()


def clients(exe, directory):
    server = Server(exe, directory)
    errors = []

    def one(n):
        try:
            c = Client(server.port)
            for k in range(20):
                expect(c.ask(f"SET c{n}-{k} v{n * 1000 + k}"), "OK", "SET")
            for k in range(20):
                expect(c.ask(f"GET c{n}-{k}"), f"VALUE v{n * 1000 + k}", "GET")
            c.close()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(str(e))

    try:
        threads = [threading.Thread(target=one, args=(n,)) for n in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise SystemExit(f"FAIL: {len(errors)} clients failed, first: {errors[0]}")
        c = Client(server.port)
        expect(c.ask("COUNT"), "COUNT 2000", "COUNT after 100 clients")
        c.close()
    finally:
        server.stop()


def restart(exe, directory):
    server = Server(exe, directory)
    c = Client(server.port)
    expect(c.ask("SET kept across restarts"), "OK", "SET")
    c.close()
    server.stop()
    server = Server(exe, directory)
    try:
        c = Client(server.port)
        expect(c.ask("GET kept"), "VALUE across restarts", "GET after a restart")
        c.close()
    finally:
        server.stop()
    expect(os.path.exists(os.path.join(directory, "kv.db")), True, "the database file in the granted directory")


def outside(exe, directory):
    for database in ("/data/../kv.db", "/tmp/kv-outside.db"):
        port = free_port()
        env = dict(os.environ, LUNATIC_DIRS=f"{directory}::/data")
        run = subprocess.run([exe, database, str(port)], env=env, capture_output=True, text=True, timeout=20)
        if run.returncode == 0 or "cannot open" not in run.stderr:
            raise SystemExit(f"FAIL: {database}: status {run.returncode}, stderr {run.stderr!r}")
        print(run.stderr.strip())
    expect(os.path.exists(os.path.join(os.path.dirname(directory), "kv.db")), False, "nothing made outside")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exe", required=True)
    parser.add_argument("--scenario", required=True, choices=["basic", "clients", "restart", "outside"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as top:
        directory = os.path.join(top, "data")
        os.mkdir(directory)
        globals()[args.scenario](args.exe, directory)
    print(f"PASS: {args.scenario}")


if __name__ == "__main__":
    main()
