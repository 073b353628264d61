#!/usr/bin/env python3
"""tls_peer.py: runs a TLS test's executable beside TLS peers on the host.

Used as run_guest_test.py's --wrapper for tests/net/c/tls_*.c: tls_peer.py EXE ARGS... It
makes a throw-away PKI for this run (no key is kept anywhere), starts the servers below on
127.0.0.1, then runs host_peer.py EXE ARGS... (the control connection, TLSCLIENT and SCLIENT
commands) with the guest's environment:

  TLS_CA, TLS_CERT, TLS_KEY   the test CA's certificate; a certificate for localhost,
                              127.0.0.1 and ::1 signed by it, and its key (PEM text)
  TLS_OTHER_CA                another CA, which signed nothing here
  TLS_PORT_GOOD               an echo server with TLS_CERT (it echoes each line)
  TLS_PORT_WRONG_NAME         an echo server whose certificate names only other.test
  TLS_PORT_UNTRUSTED          an echo server whose certificate a CA outside TLS_CA signed
  TLS_PORT_EXPIRED            an echo server whose certificate expired yesterday
  TLS_PORT_STALL              a TCP server that accepts and never answers the handshake
  TLS_PORT_CUT                a TLS server that, after the handshake, sends half a record and
                              closes the connection
  TLS_PORT_SSERVER            Debian's `openssl s_server -rev` (reverses each line)
  TLS_PORT_SINK               a TLS server that, after the handshake, reads nothing for 10 s
  TLS_PORT_COUNT              a TLS server that waits 0.5 s after the handshake (the client's
                              writes fill the buffers and wait), then reads 2,000,000 bytes
                              and answers their FNV-1a hash as a decimal line

The executable itself (the runtime) gets SSL_CERT_FILE, naming a file with the test CA in
it, so a tls_connect that passes no CA certificate trusts the test CA as the system's store.
"""
import datetime
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import host_peer

HERE = os.path.dirname(os.path.abspath(__file__))


def name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def certificate(subject, key, issuer, issuer_key, *, ca=False, names=(), ips=(), expired=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = (now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)) if expired else \
        (now - datetime.timedelta(days=1), now + datetime.timedelta(days=30))
    builder = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                        critical=True)
    if names or ips:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def new_key():
    return ec.generate_private_key(ec.SECP256R1())


def make_pki(directory):
    """Writes the certificates and keys; returns {what: path} and the guest's PEM texts."""
    ca_key, other_ca_key = new_key(), new_key()
    ca = certificate("lunaticc test CA", ca_key, "lunaticc test CA", ca_key, ca=True)
    other_ca = certificate("some other CA", other_ca_key, "some other CA", other_ca_key, ca=True)
    local = dict(names=("localhost",), ips=("127.0.0.1", "::1"))
    leaves = {
        "good": (certificate("localhost", k := new_key(), "lunaticc test CA", ca_key, **local), k),
        "wrong_name": (certificate("other.test", k := new_key(), "lunaticc test CA", ca_key, names=("other.test",)), k),
        "untrusted": (certificate("localhost", k := new_key(), "some other CA", other_ca_key, **local), k),
        "expired": (certificate("localhost", k := new_key(), "lunaticc test CA", ca_key, expired=True, **local), k),
    }
    paths = {}
    for what, (cert, key) in leaves.items():
        paths[what] = (os.path.join(directory, what + ".pem"), os.path.join(directory, what + ".key"))
        with open(paths[what][0], "w") as f:
            f.write(pem(cert))
        with open(paths[what][1], "w") as f:
            f.write(key_pem(key))
    paths["ca"] = os.path.join(directory, "ca.pem")
    with open(paths["ca"], "w") as f:
        f.write(pem(ca))
    guest = {"TLS_CA": pem(ca), "TLS_OTHER_CA": pem(other_ca), "TLS_CERT": pem(leaves["good"][0]),
             "TLS_KEY": key_pem(leaves["good"][1])}
    return paths, guest


def listener():
    return socket.create_server(("127.0.0.1", 0))


def serve_forever(server, handle):
    def run():
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
    threading.Thread(target=run, daemon=True).start()
    return server.getsockname()[1]


def echo_server(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def handle(conn):
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                while data := tls.recv(65536):
                    tls.sendall(data)
        except (OSError, ssl.SSLError):
            pass  # a refused handshake: the guest's test says what it saw
    return serve_forever(listener(), handle)


def after_handshake(cert, key, then):
    """A TLS server that runs then(tls) on each connection once its handshake is made."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def handle(conn):
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                then(tls)
        except (OSError, ssl.SSLError):
            pass
    return serve_forever(listener(), handle)


def sink(tls):
    time.sleep(10)


def count(tls):
    time.sleep(0.5)
    remaining, digest = 2000000, 0x811C9DC5
    while remaining:
        data = tls.recv(min(remaining, 65536))
        if not data:
            return
        for byte in data:
            digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
        remaining -= len(data)
    tls.sendall(b"%d\n" % digest)


def stall_server():
    def handle(conn):
        time.sleep(30)
        conn.close()
    return serve_forever(listener(), handle)


def cut_server(cert, key):
    """Handshakes over memory BIOs, so that it can send half of a record and vanish."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def handle(conn):
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = context.wrap_bio(incoming, outgoing, server_side=True)
        try:
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    conn.sendall(outgoing.read())
                    data = conn.recv(65536)
                    if not data:
                        return
                    incoming.write(data)
            conn.sendall(outgoing.read())
            tls.write(b"this record never arrives whole\n")
            record = outgoing.read()
            conn.sendall(record[:len(record) // 2])
            time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()
    return serve_forever(listener(), handle)


def s_server(cert, key):
    """Debian's openssl s_server, reversing lines (-rev), on a port found free."""
    probe = listener()
    port = probe.getsockname()[1]
    probe.close()
    process = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert, "-key", key,
                                "-rev", "-quiet"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return port, process


def main():
    with tempfile.TemporaryDirectory(prefix="tls_peer.") as directory:
        paths, guest = make_pki(directory)
        env = dict(os.environ)
        for key, value in guest.items():
            env["LUNATIC_ENV_" + key] = value
        ports = {
            "GOOD": echo_server(*paths["good"]),
            "WRONG_NAME": echo_server(*paths["wrong_name"]),
            "UNTRUSTED": echo_server(*paths["untrusted"]),
            "EXPIRED": echo_server(*paths["expired"]),
            "STALL": stall_server(),
            "CUT": cut_server(*paths["good"]),
            "SINK": after_handshake(*paths["good"], sink),
            "COUNT": after_handshake(*paths["good"], count),
        }
        ports["SSERVER"], sserver = s_server(*paths["good"])
        for what, port in ports.items():
            env["LUNATIC_ENV_TLS_PORT_" + what] = str(port)
        env["SSL_CERT_FILE"] = paths["ca"]
        env["TLS_CA_FILE"] = paths["ca"]  # host_peer.py's TLS clients trust it
        try:
            status = subprocess.run([sys.executable, os.path.join(HERE, "host_peer.py")] + sys.argv[1:],
                                    env=env).returncode
        finally:
            sserver.kill()
            sserver.wait()
    return host_peer.exit_status(status)


if __name__ == "__main__":
    sys.exit(main())
