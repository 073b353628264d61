#!/usr/bin/env python3
"""resolve_in_root.py: run_guest_test.py's --wrapper for tests/net/c/resolve.c, static, in a
root that holds only the executable and an /etc/hosts (the hosts file host_peer.py gives
the dynamic runs: c-ares must read /etc/hosts where it exists).

    resolve_in_root.py EXE [ARGS...]          (the root is EXE.root, made afresh)

Names other than localhost and the hosts file's go to tests/net/test_dns.py's name server,
named by LUNATIC_DNS_SERVERS (there is no /etc/resolv.conf inside).
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "net"))
import test_dns  # noqa: E402


def main():
    exe, args = sys.argv[1], sys.argv[2:]
    root = exe + ".root"
    env = dict(os.environ, LUNATIC_DNS_SERVERS=test_dns.start())
    env.pop("LUNATIC_DIRS", None)  # the runner's sandbox directory is outside the root; resolve.c uses no file
    with tempfile.NamedTemporaryFile("w", prefix="resolve_hosts.") as hosts:
        hosts.write("10.20.30.40 hosts-file.test\nfd00::1 hosts-file.test\n")
        hosts.flush()
        command = [sys.executable, os.path.join(HERE, "empty_root.py"), "--with", hosts.name + "=/etc/hosts",
                   root, exe, *args]
        return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
