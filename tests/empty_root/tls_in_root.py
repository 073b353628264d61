#!/usr/bin/env python3
"""tls_in_root.py: run_guest_test.py's --wrapper for tests/net/c/tls_client.c, static, in a
root that holds only the executable and the test CA's certificate at /certs/ca.pem: no
/usr/lib/ssl, no /etc/ssl, so the CA store the client trusts when it passes no CA comes from
SSL_CERT_FILE=/certs/ca.pem alone (docs/abi.md, "TLS").

    tls_in_root.py EXE [ARGS...]          (the root is EXE.root, made afresh)

It runs tests/net/tls_peer.py (the servers and the throw-away PKI), which runs host_peer.py,
which runs this script again as its HOST_PEER_WRAPPER: that second time it puts the CA file
tls_peer.py made into the root and runs the executable there with empty_root.py.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    argv = sys.argv[1:]
    if os.environ.get("TLS_IN_ROOT_INSIDE"):
        exe, args = argv[0], argv[1:]
        os.environ["SSL_CERT_FILE"] = "/certs/ca.pem"
        os.environ.pop("LUNATIC_DIRS", None)  # the runner's sandbox is outside the root; no file is used
        os.environ.pop("CARES_HOSTS", None)
        command = [sys.executable, os.path.join(HERE, "empty_root.py"),
                   "--with", os.environ["TLS_CA_FILE"] + "=/certs/ca.pem", exe + ".root", exe, *args]
    else:
        os.environ["TLS_IN_ROOT_INSIDE"] = "1"
        os.environ["HOST_PEER_WRAPPER"] = os.path.abspath(__file__)
        command = [sys.executable, os.path.join(HERE, "..", "net", "tls_peer.py"), *argv]
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
