#!/usr/bin/env python3
"""Runs examples/tls_echo as its README shows and checks it: a certificate made with openssl
for this run, the server started with its directory granted, then clients over TLS (Python's
ssl, checking the certificate and the name localhost) at once, each echoed.

    try_tls_echo.py TLS_ECHO_EXECUTABLE [CLIENTS]
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading


def main():
    exe, clients = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with tempfile.TemporaryDirectory(prefix="tls_echo.") as directory:
        cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost"], check=True, capture_output=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = dict(os.environ, LUNATIC_DIRS=f"{directory}::{directory}:ro")
        server = subprocess.Popen([exe, cert, key, str(port)], env=env, stdout=subprocess.PIPE)
        try:
            if server.stdout.readline().strip() != b"READY":
                sys.exit("tls_echo did not start")
            context = ssl.create_default_context(cafile=cert)
            failures = []

            def client(k):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                        with context.wrap_socket(raw, server_hostname="localhost") as tls:
                            for line in range(3):
                                text = f"client {k} line {line}\n".encode()
                                tls.sendall(text)
                                got = b""
                                while len(got) < len(text):
                                    chunk = tls.recv(4096)
                                    if not chunk:
                                        break
                                    got += chunk
                                if got != text:
                                    failures.append(f"client {k}: sent {text!r}, got {got!r}")
                except (OSError, ssl.SSLError) as error:
                    failures.append(f"client {k}: {error}")

            threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            server.kill()
            server.wait()
    if failures:
        sys.exit("\n".join(failures))
    print(f"tls_echo: {clients} TLS clients at once, each echoed 3 lines")


if __name__ == "__main__":
    main()
