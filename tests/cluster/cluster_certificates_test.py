#!/usr/bin/env python3
"""lunatic::distributed's certificates (runtime/api/cluster_certificates_api.cpp), checked
with openssl:

- test_root_cert makes a self-signed certificate authority and its key;
- default_server_certificates makes the control server's certificate, for
  ctrl.lunatic.cloud, signed by that root, and its key;
- sign_node signs a node's request (made here by openssl) with the root, keeping the names
  it asks for and making no certificate authority; a request that is not one answers 0;
- a root key that is not the root certificate's, or a root certificate that is not PEM,
  fails the calling process with a line that says so.

Usage: cluster_certificates_test.py PROBE_EXE WORKDIR
"""
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402  (tests/checks.py)


def check(checks, holds, name, detail=""):
    checks.expect(name, [] if holds else [detail.strip()[-800:] or "does not hold"])


def openssl(*args, cwd):
    return subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)


def run_probe(probe, mode, work):
    env = dict(os.environ, LUNATIC_DIRS=f"{work}::/data")
    return subprocess.run([probe, mode, "/data"], env=env, capture_output=True, text=True, timeout=60)


def main():
    probe, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    checks = Checks()
    made = openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-keyout", "node.key", "-out", "node.csr", "-subj", "/O=Test/CN=node-7",
                   "-addext", "subjectAltName=DNS:node-7.cluster.test,IP:10.0.0.7", cwd=work)
    check(checks, made.returncode == 0, "openssl makes a signing request", made.stderr)

    run = run_probe(probe, "make", work)
    check(checks, run.returncode == 0, "the probe makes the certificates", run.stderr)
    check(checks, "garbage request: 0" in run.stdout, "sign_node answers 0 for a request that is not one", run.stdout)

    root = openssl("x509", "-in", "root.pem", "-noout", "-text", cwd=work).stdout
    check(checks, "CA:TRUE" in root, "the root is a certificate authority", root)
    check(checks, openssl("verify", "-CAfile", "root.pem", "root.pem", cwd=work).returncode == 0,
                 "the root is self-signed")
    for certificate, key in (("root.pem", "root.key"), ("server.pem", "server.key")):
        public_of_certificate = openssl("x509", "-in", certificate, "-noout", "-pubkey", cwd=work).stdout
        public_of_key = openssl("pkey", "-in", key, "-pubout", cwd=work).stdout
        check(checks, public_of_certificate and public_of_certificate == public_of_key,
                     f"{key} is the key of {certificate}")

    verified = openssl("verify", "-CAfile", "root.pem", "server.pem", cwd=work)
    check(checks, verified.returncode == 0, "the server certificate is signed by the root", verified.stdout + verified.stderr)
    server = openssl("x509", "-in", "server.pem", "-noout", "-text", cwd=work).stdout
    check(checks, "DNS:ctrl.lunatic.cloud" in server, "the server certificate names ctrl.lunatic.cloud", server)
    check(checks, "CA:TRUE" not in server, "the server certificate is no certificate authority", server)

    verified = openssl("verify", "-CAfile", "root.pem", "node.pem", cwd=work)
    check(checks, verified.returncode == 0, "the node certificate is signed by the root", verified.stdout + verified.stderr)
    node = openssl("x509", "-in", "node.pem", "-noout", "-text", cwd=work).stdout
    check(checks, "CN = node-7" in node or "CN=node-7" in node, "the node certificate keeps the request's subject", node)
    check(checks, "DNS:node-7.cluster.test" in node and "IP Address:10.0.0.7" in node,
                 "the node certificate keeps the names the request asks for", node)
    check(checks, "CA:TRUE" not in node, "the node certificate is no certificate authority", node)
    public_of_node = openssl("x509", "-in", "node.pem", "-noout", "-pubkey", cwd=work).stdout
    check(checks, public_of_node == openssl("pkey", "-in", "node.key", "-pubout", cwd=work).stdout,
                 "the node certificate is for the request's key")

    run = run_probe(probe, "mismatched", work)
    check(checks, run.returncode != 0 and "the root key is not the root certificate's" in run.stderr
                 and "FAIL" not in run.stdout, "a root key that is not the root's fails the process", run.stderr)
    run = run_probe(probe, "not-pem", work)
    check(checks, run.returncode != 0 and "the root certificate is not a PEM certificate" in run.stderr
                 and "FAIL" not in run.stdout, "a root certificate that is not PEM fails the process", run.stderr)
    print(f"cluster certificates: {checks.passed} passed, {checks.failed} failed")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
