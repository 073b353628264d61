#!/usr/bin/env python3
"""host_peer.py: runs a net test's executable beside a peer on the host.

Used as run_guest_test.py's --wrapper: host_peer.py EXE ARGS... It starts a TCP control
server on 127.0.0.1 (an ephemeral port, given to the guest as the environment variable
HOST_PEER_PORT), runs the executable, and exits with its status (or dies of its signal).
HOST_PEER_WRAPPER, if set, is a program that runs the executable in turn (tests/wasi's
without_uring). The executable resolves names through test_dns.py's name server (slow
names) and a hosts file naming hosts-file.test 10.20.30.40 and fd00::1 (CARES_HOSTS: c-ares
reads it in place of /etc/hosts).

A guest opens a connection to the control port and sends one command line:

  ECHO                the peer answers "OK\\n", then sends back every byte it receives
                      until the guest closes the connection (a host echo server)
  CLIENT PORT TEXT    the peer connects to 127.0.0.1:PORT (a guest server), sends TEXT and
                      a newline, reads until a newline, end of stream or 5 s, and answers
                      "GOT <what it read, without the newline>\\n" on the control connection
                      (or "ERROR <why>\\n")
  TLSCLIENT PORT TEXT as CLIENT, over TLS with Python's ssl module, trusting the CA file
                      TLS_CA_FILE names (tls_peer.py) and checking the name localhost
  SCLIENT PORT TEXT   as CLIENT, with Debian's `openssl s_client` (the same checks)
  STALL PORT          the peer opens a TCP connection to 127.0.0.1:PORT, answers "OK\\n" and
                      then holds it for 5 s without a word (a TLS handshake that stalls)
"""
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import test_dns


def read_line(conn):
    """Bytes up to a newline (not included), or what came before the end of stream."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            return data
        data += chunk
    return data[:-1]


def echo(conn):
    conn.sendall(b"OK\n")
    while True:
        data = conn.recv(65536)
        if not data:
            return
        conn.sendall(data)


def client(conn, port, text):
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as guest:
            guest.sendall(text + b"\n")
            reply = read_line(guest)
        conn.sendall(b"GOT " + reply + b"\n")
    except OSError as error:
        conn.sendall(f"ERROR {error}\n".encode())


def tls_client(conn, port, text):
    try:
        context = ssl.create_default_context(cafile=os.environ["TLS_CA_FILE"])
        with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as guest:
                guest.sendall(text + b"\n")
                reply = read_line(guest)
        conn.sendall(b"GOT " + reply + b"\n")
    except (OSError, ssl.SSLError) as error:
        conn.sendall(f"ERROR {error}\n".encode())


def s_client(conn, port, text):
    command = ["openssl", "s_client", "-connect", f"127.0.0.1:{int(port)}", "-CAfile", os.environ["TLS_CA_FILE"],
               "-verify_hostname", "localhost", "-verify_return_error", "-quiet"]
    try:
        # s_client sends its input and waits for the reply until the guest closes the stream.
        done = subprocess.run(command, input=text + b"\n", capture_output=True, timeout=5)
        lines = done.stdout.splitlines()
        if lines:
            conn.sendall(b"GOT " + lines[0] + b"\n")
        else:
            conn.sendall(b"ERROR " + done.stderr.replace(b"\n", b" ") + b"\n")
    except subprocess.TimeoutExpired:
        conn.sendall(b"ERROR s_client timed out\n")


def stall(conn, port):
    with socket.create_connection(("127.0.0.1", int(port)), timeout=5):
        conn.sendall(b"OK\n")
        time.sleep(5)


def serve(conn):
    with conn:
        try:
            words = read_line(conn).split(b" ", 2)
            if words[0] == b"ECHO":
                echo(conn)
            elif words[0] == b"CLIENT" and len(words) == 3:
                client(conn, words[1], words[2])
            elif words[0] == b"TLSCLIENT" and len(words) == 3:
                tls_client(conn, words[1], words[2])
            elif words[0] == b"SCLIENT" and len(words) == 3:
                s_client(conn, words[1], words[2])
            elif words[0] == b"STALL" and len(words) == 2:
                stall(conn, words[1])
            else:
                conn.sendall(b"ERROR unknown command\n")
        except OSError:
            pass  # the guest went away: its test says what that means


def accept_forever(server):
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def main():
    server = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=accept_forever, args=(server,), daemon=True).start()
    env = dict(os.environ)
    env["LUNATIC_ENV_HOST_PEER_PORT"] = str(server.getsockname()[1])
    env["LUNATIC_DNS_SERVERS"] = test_dns.start()
    argv = sys.argv[1:]
    if env.get("HOST_PEER_WRAPPER"):
        argv = [env["HOST_PEER_WRAPPER"]] + argv
    with tempfile.NamedTemporaryFile("w", prefix="host_peer_hosts.") as hosts:
        hosts.write("10.20.30.40 hosts-file.test\nfd00::1 hosts-file.test\n")
        hosts.flush()
        env["CARES_HOSTS"] = hosts.name
        status = subprocess.run(argv, env=env).returncode
    return exit_status(status)


def exit_status(status):
    """A child's status as this wrapper's: dies of the child's signal, for the runner to name
    it; otherwise returns the status to exit with."""
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    return status


if __name__ == "__main__":
    sys.exit(main())
