#!/usr/bin/env python3
"""Starts an example server on a free port, POSTs a body with curl and checks the answer.

    serve_example.py SERVER --body TEXT --expect TEXT [--path PATH] [--content-type TYPE]
                     [--listen HOST:0] [--wrapper COMMAND]

TEXT may hold \\n for newlines. Exit status 0 if the answer is 200 with the expected body
and the server, sent SIGTERM, then exits with status 0. --listen (default 127.0.0.1:0)
names the address the server binds; --wrapper is a command, split at spaces, that runs the
server in turn (a static executable in an empty root: tests/empty_root).
"""
import argparse
import re
import signal
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("--path", default="/")
    parser.add_argument("--body", required=True)
    parser.add_argument("--expect", required=True)
    parser.add_argument("--content-type")
    parser.add_argument("--listen", default="127.0.0.1:0")
    parser.add_argument("--wrapper", default="")
    args = parser.parse_args()
    body, expected = (s.encode().decode("unicode_escape").encode() for s in (args.body, args.expect))

    server = subprocess.Popen([*args.wrapper.split(), args.server, "--listen", args.listen, "--access-log", "off"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        line = server.stderr.readline().decode()
        match = re.search(r"serving on (http://\S+)/", line)
        if not match:
            print(f"FAIL: the server did not start: {line}")
            return 1
        result = subprocess.run(["curl", "-sS", "--max-time", "10", "--data-binary", "@-",
                                 "-w", "\n%{http_code} %{content_type}", match.group(1) + args.path],
                                input=body, capture_output=True)
        answer, _, status_line = result.stdout.rpartition(b"\n")
        status, _, content_type = status_line.decode().partition(" ")
        if result.returncode != 0 or status != "200" or answer != expected:
            print(f"FAIL: {status} {answer!r}, expected 200 {expected!r} {result.stderr.decode()}")
            return 1
        if args.content_type and content_type != args.content_type:
            print(f"FAIL: Content-Type {content_type}, expected {args.content_type}")
            return 1
    finally:
        server.send_signal(signal.SIGTERM)
        exit_status = server.wait(timeout=10)
    if exit_status != 0:
        print(f"FAIL: the server exited with status {exit_status} on SIGTERM: {server.stderr.read().decode()}")
        return 1
    print("ok:", answer.decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
