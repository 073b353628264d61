#!/usr/bin/env python3
"""End-to-end tests of examples/chat: real TCP clients against the built server (the C one,
or the same server in AssemblyScript, examples/assemblyscript/chat).

    chat_test.py --exe BUILD/examples/chat --scenario NAME [--io uring|epoll]
                 [--address localhost] [--wrapper "tests/empty_root/empty_root.py ROOT"]

Each run starts the server on a free port of 127.0.0.1 (LUNATIC_IO as --io says; --address
is the name the server is given to resolve and bind, --wrapper a command that runs it in
turn: a static executable in an empty root, tests/empty_root), plays one
scenario with clients on plain sockets, asserting the exact lines each receives, and stops
the server. The server must stay up throughout and write nothing to stderr (a process that
fails is logged there; one the server ends on purpose, a slow client's, is killed, which is
not). Scenarios:

  talk        clients in two channels talk; lines reach the channel's other members only
  commands    /nick, /join, /channels, /help, /quit and bad commands and names
  disconnect  clients vanish mid-session (a reset, a plain close, a close mid-line)
  garbage     random bytes, control bytes, bad UTF-8, escape sequences and telnet IAC
              sequences, split across reads: a sender harms no one, others see clean text
  long-line   a line of 1 MiB: cut to 400 bytes, the sender told, nothing else disturbed
  slow        a client that stops reading is dropped (its process ended, its connection
              closed), both as a channel's listener and when its own replies back up
  load        10,000 clients connected at once, then a message still gets through
  channels    a channel lives while it has members: short connections that take every
              channel place with their joins leave none taken once they are gone

Every scenario ends with the check that the survivors still talk and a new client still
gets in.
"""
import argparse
import os
import random
import re
import select
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "chat"))
import crowd  # noqa: E402  (examples/chat/crowd.py: many idle clients)

TIMEOUT = 10.0  # for any one expected line
WELCOME = re.compile(r"Welcome to the chat, (guest\d+)! /help lists the commands; /join #lobby to start\.")
HELP = [
    "Commands:",
    "  /nick NAME      take a name (up to 24 letters, digits, - and _)",
    "  /join #channel  join a channel, made if new; what you type then goes there",
    "  /channels       list the channels and how many are in each",
    "  /help           this list",
    "  /quit           leave",
    "Anything else you type goes to the channel you joined last.",
]


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


# --- the server -------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, exe, io, address, wrapper):
        self.port = free_port()
        env = dict(os.environ, LUNATIC_IO=io)
        command = wrapper + [exe, str(self.port)] + ([address] if address != "127.0.0.1" else [])
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        check(line == "chat: listening on %s port %d\n" % (address, self.port),
              "the server did not start: %r %r" % (line, self.proc.stderr.read() if self.proc.poll() is not None else ""))

    def check_running(self):
        check(self.proc.poll() is None, "the server ended with status %s" % self.proc.returncode)

    def stop(self):
        """Stops the server; returns what it wrote to stderr."""
        if self.proc.poll() is None:
            self.proc.kill()
        _, err = self.proc.communicate()
        return err.decode(errors="replace")


# --- clients ----------------------------------------------------------------------------

class Client:
    """A chat client on a plain socket: sends bytes, reads CR LF terminated lines."""

    sync_counter = 0

    def __init__(self, port, name=None, rcvbuf=None):
        self.sock = socket.socket()
        if rcvbuf:  # before connecting, so the window is small from the start
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect(("127.0.0.1", port))
        self.pending = b""
        self.label = name or "client"
        m = WELCOME.fullmatch(self.line())
        check(m, "%s: no welcome" % self.label)
        self.nick = m.group(1)
        if name:
            self.send("/nick %s\r\n" % name)
            self.expect("You are now %s." % name)
            self.nick = name

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def readable(self, timeout):
        """Whether the socket has something to read (or was closed) within `timeout` s."""
        poller = select.poll()  # select() cannot take descriptors above 1023
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(max(0, timeout) * 1000))

    def line(self, timeout=TIMEOUT):
        """The next line, without its CR LF, decoded as UTF-8 (which the server must send)."""
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.pending:
            left = deadline - time.monotonic()
            check(self.readable(left), "%s: no line within %g s (have %r)" % (self.label, timeout, self.pending[:200]))
            data = self.sock.recv(65536)
            check(data, "%s: the server closed the connection (have %r)" % (self.label, self.pending[:200]))
            self.pending += data
        raw, self.pending = self.pending.split(b"\r\n", 1)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Failure("%s: a line is not UTF-8: %r" % (self.label, raw))

    def expect(self, *lines):
        for want in lines:
            got = self.line()
            check(got == want, "%s: expected %r, got %r" % (self.label, want, got))

    def sync_collect(self):
        """Sends an unknown command and returns the lines that come before its answer: the
        server answers only after every line sent before it."""
        Client.sync_counter += 1
        marker = "/sync%d" % Client.sync_counter
        self.send(marker + "\r\n")
        answer = "Unknown command %s; /help lists them." % marker
        before = []
        while True:
            line = self.line()
            if line == answer:
                return before
            before.append(line)

    def sync(self):
        """Makes sure nothing else is waiting: the answer to sync_collect's command must be
        the next line."""
        before = self.sync_collect()
        check(not before, "%s: unexpected %r" % (self.label, before))

    def say(self, text):
        """Says `text` and waits until the channel has written it to every other member
        (the channel answers the request only then, and the sync comes after)."""
        self.send(text + "\r\n")
        self.sync()

    def join(self, channel, members):
        self.send("/join %s\r\n" % channel)
        self.expect("You joined %s (%d here). What you type now goes there." % (channel, members))

    def expect_closed(self, timeout=TIMEOUT):
        """Reads (and drops) until the server closes the connection."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            check(self.readable(left), "%s: the connection is still open after %g s" % (self.label, timeout))
            try:
                if not self.sock.recv(1 << 20):
                    return
            except ConnectionResetError:
                return

    def reset(self):
        """Closes abruptly: an RST, not a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.sock.close()

    def close(self):
        self.sock.close()


def join_lobby(server, name, members, rcvbuf=None):
    """A new client `name` joins #lobby, where `members` are: each of them sees it come."""
    newcomer = Client(server.port, name, rcvbuf)
    newcomer.join("#lobby", len(members) + 1)
    for c in members:
        c.expect("* %s joined #lobby" % name)
    return newcomer


def lobby(server, *names):
    """New clients, one per name, in #lobby."""
    members = []
    for name in names:
        members.append(join_lobby(server, name, members))
    return members


def still_talking(server, *survivors):
    """The server is up, the survivors (two at least, in one channel, the first's current)
    still talk, and a newcomer gets in."""
    server.check_running()
    speaker, listeners = survivors[0], survivors[1:]
    speaker.say("still here")
    for c in listeners:
        c.expect("[#lobby] %s: still here" % speaker.nick)
    newcomer = Client(server.port)
    newcomer.send("/quit\r\n")
    newcomer.expect("Bye.")
    newcomer.expect_closed()


# --- scenarios --------------------------------------------------------------------------

def scenario_talk(server):
    alice, bob = lobby(server, "alice", "bob")
    carol = Client(server.port, "carol")
    carol.join("#other", 1)

    bob.say("hello lobby")
    alice.expect("[#lobby] bob: hello lobby")
    carol.say("hello other")
    for c in (alice, bob, carol):
        c.sync()  # a line of one channel reaches no one outside it, nor its sender

    bob.join("#other", 2)
    carol.expect("* bob joined #other")
    bob.say("hi both")  # goes to #other, joined last
    carol.expect("[#other] bob: hi both")
    alice.sync()
    bob.send("/join #lobby\r\n")
    bob.expect("You now talk in #lobby.")
    bob.say("back in the lobby")
    alice.expect("[#lobby] bob: back in the lobby")
    carol.sync()

    # Many lines in a row arrive whole and in order.
    for i in range(200):
        alice.send("line %d\r\n" % i)
    alice.sync()
    for i in range(200):
        bob.expect("[#lobby] alice: line %d" % i)
    # UTF-8 text passes unchanged.
    carol.say("grüße ✓ 日本")
    bob.expect("[#other] carol: grüße ✓ 日本")
    still_talking(server, alice, bob)


def scenario_commands(server):
    alice = Client(server.port)
    alice.send("/help\r\n")
    alice.expect(*HELP)
    alice.send("/channels\r\n")
    alice.expect("No channels yet: /join #lobby makes one.")
    alice.send("hello?\r\n")
    alice.expect("Join a channel first: /join #lobby (or /help).")
    alice.send("/nick alice\r\n")
    alice.expect("You are now alice.")
    alice.nick = "alice"
    for bad in ("", "has space", "x" * 25, "ünï", "guest7", "a/b"):
        alice.send("/nick %s\r\n" % bad)
        alice.expect("A name is 1 to 24 letters, digits, - and _ (and not guest<number>).")
    alice.send("/nick %s\r\n" % ("y" * 24))
    alice.expect("You are now %s." % ("y" * 24))
    alice.send("/nick   alice  \r\n")  # spaces around the argument are ignored
    alice.expect("You are now alice.")
    for bad in ("lobby", "#", "#a b", "#" + "c" * 32, "##"):
        alice.send("/join %s\r\n" % bad)
        alice.expect("A channel is # and 1 to 31 letters, digits, - and _: /join #lobby")
    alice.send("/frobnicate now\r\n")
    alice.expect("Unknown command /frobnicate; /help lists them.")

    alice.join("#lobby", 1)
    bob = Client(server.port, "bob")
    bob.send("/nick alice\r\n")
    bob.expect("alice is taken.")
    bob.join("#lobby", 2)
    alice.expect("* bob joined #lobby")
    bob.join("#dev", 1)
    bob.send("/channels\r\n")
    bob.expect("Channels: #lobby (2), #dev (1)")
    bob.send("/join #lobby\r\n")
    bob.expect("You now talk in #lobby.")

    # A new name is announced in every channel, and a freed name can be taken.
    bob.send("/nick robert\r\n")
    bob.expect("You are now robert.")
    bob.nick = "robert"
    alice.expect("* bob is now known as robert")
    carol = Client(server.port, "bob")
    carol.join("#dev", 2)
    carol.say("who is robert?")
    bob.expect("* bob joined #dev", "[#dev] bob: who is robert?")

    # At most eight channels each.
    for i in range(7):
        alice.join("#c%d" % i, 1)
    alice.send("/join #c7\r\n")
    alice.expect("You are in 8 channels already.")
    alice.send("/join #lobby\r\n")
    alice.expect("You now talk in #lobby.")

    carol.send("/quit\r\n")
    carol.expect("Bye.")
    carol.expect_closed()
    bob.expect("* bob left #dev")
    still_talking(server, alice, bob)


def scenario_disconnect(server):
    alice, bob = lobby(server, "alice", "bob")
    for i, how in enumerate(("reset", "close", "mid-line", "before-welcome")):
        if how == "before-welcome":
            raw = socket.create_connection(("127.0.0.1", server.port))
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            raw.close()
            continue
        gone = join_lobby(server, "gone%d" % i, [alice, bob])
        gone.say("about to go")
        alice.expect("[#lobby] gone%d: about to go" % i)
        bob.expect("[#lobby] gone%d: about to go" % i)
        if how == "reset":
            gone.reset()
        elif how == "close":
            gone.close()
        else:
            gone.send("half a li")
            gone.reset()
        alice.expect("* gone%d left #lobby" % i)
        bob.expect("* gone%d left #lobby" % i)
    alice.send("/channels\r\n")
    alice.expect("Channels: #lobby (2)")
    still_talking(server, alice, bob)


def scenario_garbage(server):
    alice, bob = lobby(server, "alice", "bob")

    IAC, SB, SE, WILL, WONT, DO, DONT = 255, 250, 240, 251, 252, 253, 254
    cases = [
        # what bob sends (one line), what alice sees of it
        (b"he" + bytes([IAC, WILL, 1]) + b"llo", "hello"),
        (bytes([IAC, DO, 3, IAC, DONT, 1, IAC, WONT, 34]) + b"negotiated", "negotiated"),
        (b"term" + bytes([IAC, SB, 24, 0]) + b"xterm\r\n" + bytes([IAC, SE]) + b"type", "termtype"),
        (b"a" + bytes([IAC, IAC]) + b"b" + bytes([IAC, 241]) + b"c", "abc"),  # IAC IAC, NOP
        (b"\x1b[31mred\x1b[0m \x07bell\x7f", "[31mred[0m bell"),  # no control byte survives
        (b"tab\there", "tab here"),
        (b"bad \xc3\x28 utf8 \xe2\x82 end \xf8\x88\x80\x80\x80 x", "bad ?( utf8 ? end ????? x"),
        (b"overlong \xc0\xaf and c1 \xc2\x85 and surrogate \xed\xa0\x80.", "overlong ?? and c1 ? and surrogate ?."),
        (b"cr-nul\r\x00next", None),  # two lines: "cr-nul", "next"
    ]
    for sent, seen in cases:
        bob.send(sent + b"\r\n")
        bob.sync()
        if seen is None:
            alice.expect("[#lobby] bob: cr-nul", "[#lobby] bob: next")
        else:
            alice.expect("[#lobby] bob: " + seen)

    # The same, a byte at a time: a sequence split across reads is still one sequence.
    for b in b"sp" + bytes([IAC, SB, 31, 0, 80, IAC]) + bytes([SE]) + b"lit\r\n":
        bob.send(bytes([b]))
        time.sleep(0.002)
    bob.sync()
    alice.expect("[#lobby] bob: split")

    # Random bytes from a client of its own, which then quits: the others see only clean
    # text, and mess itself nothing but notices of lines cut.
    rng = random.Random(5)
    mess = join_lobby(server, "mess", [alice, bob])
    noise = bytes(rng.randrange(256) for _ in range(20000)).replace(b"/", b".")  # no commands
    mess.send(noise + b"\r\n" + bytes([IAC, SE]) + b"\r\n")  # whatever state it ends in, end it
    for line in mess.sync_collect():
        check(line == "(Your line was longer than 400 bytes; the rest was dropped.)", "mess: unexpected %r" % line)
    mess.send("/quit\r\n")
    for c in (alice, bob):
        seen = 0
        while True:
            line = c.line()
            if line == "* mess left #lobby":
                break
            check(line.startswith("[#lobby] mess: "), "%s: unexpected %r" % (c.label, line))
            check(not any(ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0 for ch in line),
                  "%s: a control character in %r" % (c.label, line))
            check(len(line.encode()) <= len("[#lobby] mess: ") + 400, "%s: a line over 400 bytes" % c.label)
            seen += 1
        check(seen > 10, "%s saw only %d lines of the random bytes" % (c.label, seen))
    still_talking(server, alice, bob)


def scenario_long_line(server):
    alice, bob = lobby(server, "alice", "bob")
    line = bytes(ord("a") + i % 26 for i in range(1 << 20))
    bob.send(line + b"\r\n")
    bob.expect("(Your line was longer than 400 bytes; the rest was dropped.)")
    bob.sync()
    alice.expect("[#lobby] bob: " + line[:400].decode())
    # A cut never splits a character: 399 ASCII bytes and then a 2-byte character.
    bob.send(b"x" * 399 + "é".encode() * 1000 + b"\r\n")
    bob.expect("(Your line was longer than 400 bytes; the rest was dropped.)")
    bob.sync()
    alice.expect("[#lobby] bob: " + "x" * 399)
    # Exactly 400 bytes is not cut.
    bob.say("y" * 400)
    alice.expect("[#lobby] bob: " + "y" * 400)
    # A megabyte with no end of line, then the client goes.
    bob.send(b"z" * (1 << 20))
    bob.reset()
    alice.expect("* bob left #lobby")
    carol = join_lobby(server, "carol", [alice])
    still_talking(server, alice, carol)


def scenario_slow(server):
    alice, bob = lobby(server, "alice", "bob")
    slow = join_lobby(server, "slow", [alice, bob], rcvbuf=4096)

    # alice talks; bob reads everything; slow reads nothing, and is dropped once its socket
    # buffers are full. bob sees every line, in order, and both see slow leave.
    text = "n" * 380
    deadline = time.monotonic() + 60
    sent = bob_saw = 0
    left = "* slow left #lobby"
    alice_told = bob_told = False
    while not (alice_told and bob_told):
        check(time.monotonic() < deadline, "slow was not dropped within 60 s")
        for _ in range(50):
            alice.send("%06d %s\r\n" % (sent, text))
            sent += 1
        before = alice.sync_collect()
        check(before in ([], [left]) and not (alice_told and before), "alice: unexpected %r" % before)
        alice_told = alice_told or before == [left]
        while bob_saw < sent:
            line = bob.line()
            if line == left and not bob_told:
                bob_told = True
                continue
            check(line == "[#lobby] alice: %06d %s" % (bob_saw, text), "bob: unexpected %r" % line)
            bob_saw += 1
        if alice_told and not bob_told:
            bob.expect(left)  # written after the line that failed slow's write
            bob_told = True
    slow.expect_closed()
    alice.send("/channels\r\n")
    alice.expect("Channels: #lobby (2)")

    # A client whose own replies back up is dropped too: it asks for help and never reads.
    stuck = join_lobby(server, "stuck", [alice, bob], rcvbuf=4096)
    stuck.sock.setblocking(False)
    request = b"/help\r\n" * 1000
    deadline = time.monotonic() + 60
    while True:
        check(time.monotonic() < deadline, "stuck was not dropped within 60 s")
        try:
            stuck.sock.send(request)
        except BlockingIOError:
            time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            break
        if alice.readable(0):
            break
    alice.expect("* stuck left #lobby")
    bob.expect("* stuck left #lobby")
    still_talking(server, alice, bob)


def join_when_free(client, channel, timeout=TIMEOUT):
    """Asks to join `channel` until a channel place is free (channels are freed a moment
    after their last member left)."""
    deadline = time.monotonic() + timeout
    while True:
        client.send("/join %s\r\n" % channel)
        got = client.line()
        if got == "You joined %s (1 here). What you type now goes there." % channel:
            return
        check(got == "There are too many channels.", "%s: unexpected %r" % (client.label, got))
        check(time.monotonic() < deadline, "%s: no channel place free after %g s" % (client.label, timeout))
        time.sleep(0.05)


def expect_channels(client, listing, timeout=TIMEOUT):
    """Asks for the channel list until it is `listing` (a channel whose last member left
    goes a moment later)."""
    deadline = time.monotonic() + timeout
    while True:
        client.send("/channels\r\n")
        got = client.line()
        if got == listing:
            return
        check(time.monotonic() < deadline, "%s: the channels are %r, not %r" % (client.label, got, listing))
        time.sleep(0.05)


def scenario_channels(server, clients=32, joins=8):
    # Every channel place (256) taken by the joins of 32 short connections, twice: they go
    # each its own way, and the places are free again for whoever comes next.
    for round_number in range(2):
        crowd = []
        for i in range(clients):
            c = Client(server.port)
            for k in range(joins):
                c.join("#r%d-%d-%d" % (round_number, i, k), 1)
            crowd.append(c)
        late = Client(server.port, "late")
        late.send("/join #late\r\n")
        late.expect("There are too many channels.")  # the cap still holds while they are there
        for i, c in enumerate(crowd):
            if i % 3 == 0:
                c.send("/quit\r\n")
                c.expect("Bye.")
                c.expect_closed()
            elif i % 3 == 1:
                c.close()
            else:
                c.reset()
        join_when_free(late, "#late")
        expect_channels(late, "Channels: #late (1)")
        late.send("/quit\r\n")
        late.expect("Bye.")
        late.expect_closed()
    expect_channels(Client(server.port), "No channels yet: /join #lobby makes one.")

    # A channel stays while it has a member, and goes with the last.
    alice, bob = lobby(server, "alice", "bob")
    bob.join("#side", 1)
    bob.reset()
    alice.expect("* bob left #lobby")
    bob = join_lobby(server, "bob2", [alice])
    expect_channels(bob, "Channels: #lobby (2)")
    still_talking(server, alice, bob)


def scenario_load(server, count=10000):
    crowd.raise_fd_limit(count + 200)
    started = time.monotonic()
    idle = crowd.connect_idle(server.port, count, timeout=50)
    check(len(idle) == count, "%d of %d clients connected" % (len(idle), count))
    print("%d clients connected in %.1f s" % (count, time.monotonic() - started))
    alice, bob = lobby(server, "alice", "bob")
    still_talking(server, alice, bob)
    # Every idle client is still connected: none has been sent anything more or closed.
    poller = select.poll()
    for c in idle:
        poller.register(c, select.POLLIN)
    ready = poller.poll(0)
    check(not ready, "%d idle clients got data or were closed" % len(ready))
    crowd.close_all(idle)


SCENARIOS = {
    "talk": scenario_talk,
    "commands": scenario_commands,
    "disconnect": scenario_disconnect,
    "garbage": scenario_garbage,
    "long-line": scenario_long_line,
    "slow": scenario_slow,
    "load": scenario_load,
    "channels": scenario_channels,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--exe", required=True)
    p.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    p.add_argument("--io", default="uring", choices=["uring", "epoll"])
    p.add_argument("--address", default="127.0.0.1", help="a name of 127.0.0.1: 127.0.0.1 or localhost")
    p.add_argument("--wrapper", default="", help="a command (split at spaces) that runs the server")
    o = p.parse_args()
    if o.scenario == "load":  # the server inherits the limit
        crowd.raise_fd_limit(10000 + 200)
    server = Server(o.exe, o.io, o.address, o.wrapper.split())
    try:
        SCENARIOS[o.scenario](server)
        server.check_running()
    except Failure as e:
        print("FAIL: %s" % e)
        print("server stderr: %s" % server.stop())
        return 1
    errors = server.stop()
    if errors.strip():
        print("FAIL: the server wrote to stderr:\n%s" % errors)
        return 1
    print("PASS: %s (%s)" % (o.scenario, o.io))
    return 0


if __name__ == "__main__":
    sys.exit(main())
