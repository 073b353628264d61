#!/usr/bin/env python3
"""Connects many idle telnet-style clients to the chat server and holds them.

    python3 examples/chat/crowd.py COUNT [--port 2323] [--pid SERVER_PID] [--hold SECONDS]

Each client connects and waits for the server's welcome line, and then does nothing. With
--pid, prints the server's resident memory before and after, and per client. Used by
tests/chat (the load test) and bench/net/run.py (--chat-memory); the functions below are
what they import.
"""
import argparse
import resource
import selectors
import socket
import sys
import time

WELCOME = b"Welcome"


def raise_fd_limit(needed):
    """Raises this process's descriptor limit to at least `needed`, up to the hard limit;
    returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for process %d" % pid)


def _await_welcome(batch, deadline):
    """Reads from every socket of `batch` until each has sent its welcome line."""
    selector = selectors.DefaultSelector()
    seen = {}
    for s in batch:
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ)
        seen[s] = b""
    waiting = len(batch)
    while waiting:
        left = deadline - time.monotonic()
        if left <= 0:
            selector.close()
            raise RuntimeError("%d of %d clients got no welcome in time" % (waiting, len(batch)))
        for key, _ in selector.select(timeout=left):
            s = key.fileobj
            data = s.recv(4096)
            if not data:
                selector.close()
                raise RuntimeError("the server closed a connection before its welcome")
            seen[s] += data
            if WELCOME in seen[s] and b"\n" in seen[s]:
                selector.unregister(s)
                waiting -= 1
    selector.close()


def connect_idle(port, count, host="127.0.0.1", batch_size=250, timeout=120.0):
    """Opens `count` connections in batches, each batch waiting for every welcome before
    the next connects (so the server's accept queue never overflows); returns the sockets.
    Raises RuntimeError if the server does not keep up within `timeout` seconds."""
    raise_fd_limit(count + 64)
    deadline = time.monotonic() + timeout
    clients = []
    try:
        while len(clients) < count:
            batch = []
            for _ in range(min(batch_size, count - len(clients))):
                s = socket.create_connection((host, port), timeout=max(1.0, deadline - time.monotonic()))
                batch.append(s)
                clients.append(s)
            _await_welcome(batch, deadline)
    except BaseException:
        close_all(clients)
        raise
    return clients


def close_all(clients):
    for s in clients:
        s.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("count", type=int)
    p.add_argument("--port", type=int, default=2323)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--pid", type=int, help="the server's process id, to report its memory")
    p.add_argument("--hold", type=float, default=0, help="seconds to stay connected (0: until Ctrl-C)")
    o = p.parse_args()
    before = vm_rss_kib(o.pid) if o.pid else None
    start = time.monotonic()
    clients = connect_idle(o.port, o.count, o.host)
    print("%d clients connected in %.1f s" % (len(clients), time.monotonic() - start))
    if o.pid:
        time.sleep(1)  # let the server settle
        after = vm_rss_kib(o.pid)
        print("server VmRSS %d KiB before, %d KiB after: %.1f KiB per client"
              % (before, after, (after - before) / len(clients)))
    try:
        if o.hold:
            time.sleep(o.hold)
        else:
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    close_all(clients)


if __name__ == "__main__":
    sys.exit(main())
