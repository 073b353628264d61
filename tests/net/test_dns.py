"""test_dns.py: a name server for the net tests (host_peer.py), on 127.0.0.1 over UDP.

The executables under test are pointed at it with LUNATIC_DNS_SERVERS (the runtime's c-ares
resolver: runtime/api/networking_dns.cpp), so that a test can have a process wait on a DNS
lookup for as long as it likes (a timeout, or a kill, while the lookup runs):

  <ms>.slow.test    answered after <ms> milliseconds: A 127.0.0.1, no AAAA (each query
                    delayed on its own, so lookups at the same time finish together)
  anything else     NXDOMAIN at once
"""
import socket
import struct
import threading

SLOW_SUFFIX = ".slow.test"
TYPE_A, CLASS_IN = 1, 1


def question_of(query):
    """(name, qtype, end offset of the question) of a query's first question."""
    labels, at = [], 12
    while query[at]:
        length = query[at]
        labels.append(query[at + 1:at + 1 + length].decode("ascii", "replace"))
        at += 1 + length
    qtype, _ = struct.unpack_from("!HH", query, at + 1)
    return ".".join(labels).lower(), qtype, at + 5


def answer(query):
    """(delay in seconds, response) for a query."""
    name, qtype, end = question_of(query)
    (query_id,) = struct.unpack_from("!H", query)
    delay, records, rcode = 0.0, [], 3  # NXDOMAIN
    head = name[: -len(SLOW_SUFFIX)] if name.endswith(SLOW_SUFFIX) else ""
    if head.isdigit():
        delay, rcode = int(head) / 1000, 0
        if qtype == TYPE_A:  # the name, by pointer to the question's; 60 s; 127.0.0.1
            records.append(struct.pack("!HHHIH", 0xC00C, TYPE_A, CLASS_IN, 60, 4) + bytes([127, 0, 0, 1]))
    flags = 0x8180 | rcode  # a response, recursion desired and available
    header = struct.pack("!HHHHHH", query_id, flags, 1, len(records), 0, 0)
    return delay, header + query[12:end] + b"".join(records)


def serve(sock):
    while True:
        query, peer = sock.recvfrom(512)
        try:
            delay, response = answer(query)
        except (IndexError, struct.error):
            continue  # not a query: nothing to answer
        threading.Timer(delay, sock.sendto, args=(response, peer)).start()


def start():
    """Starts the server on a thread; returns its "127.0.0.1:PORT"."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    threading.Thread(target=serve, args=(sock,), daemon=True).start()
    return "127.0.0.1:%d" % sock.getsockname()[1]
