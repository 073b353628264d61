#!/usr/bin/env python3
"""Nodes of ours (and a real erl) on loopback, one scenario per run:

- three:  three nodes form a full mesh from two --join flags (one of them --no-main, which
          only hosts what others spawn); from one of them, on each
          other: remote spawn, request/response, exists, a monitor and a link firing, unlink,
          a refused spawn of an unknown module and one without the config's permission;
- kill:   a node is killed with SIGKILL while another links to and monitors processes on
          it: both fire, and sending there then reports no such node (the killed node is
          configured through LUNATIC_NODE, LUNATIC_COOKIE and LUNATIC_NET_TICKTIME);
- stall:  the same with SIGSTOP (a node that stops answering): both fire within the tick
          time (--net-ticktime 4) plus one second;
- cookie: a node with the wrong cookie is refused, and both sides log it;
- builds: two builds of different code connect, say so, and refuse each other's spawns;
- erl:    a real erl node sends {Tag, Binary, Pid} to our registered processes and gets
          replies; ours sends to its registered name and gets its answer; the Erlang
          process links to ours, which crashes: an EXIT comes, and noproc for a link to a
          process that is gone; one of ours linked to an Erlang process that exits
          abnormally ends with it;
- chat:   the chat example (examples/chat) on two nodes: clients of either share channels.

Each run starts its own epmd on a free port (ERL_EPMD_PORT) and stops everything it started.

Nodes log at info level, so that connections show in their logs.

Usage: cluster_test.py --probe NODE_PROBE_EXE --chat CHAT_EXE --scenario NAME
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

TICK = 4  # --net-ticktime of the stall scenario's nodes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, probe):
        self.probe = probe
        self.children = []
        self.logs = tempfile.TemporaryDirectory()
        self.env = dict(os.environ, ERL_EPMD_PORT=str(free_port()), LUNATIC_THREADS="2", LUNATIC_LOG="info")
        self.tag = "t%d" % os.getpid()
        self.epmd = self.start(["epmd", "-port", self.env["ERL_EPMD_PORT"]], "epmd")
        # epmd listens once it answers names
        for _ in range(100):
            if subprocess.run(["epmd", "-port", self.env["ERL_EPMD_PORT"], "-names"], capture_output=True,
                              env=self.env).returncode == 0:
                break
            time.sleep(0.05)

    def name(self, short):
        return "%s%s@127.0.0.1" % (self.tag, short)

    def start(self, argv, label, env=None):
        out = open(os.path.join(self.logs.name, label + ".out"), "w+")
        err = open(os.path.join(self.logs.name, label + ".err"), "w+")
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=dict(self.env, **(env or {})))
        child.out, child.err, child.label = out, err, label
        self.children.append(child)
        return child

    def node(self, short, mode, joins=(), cookie="secret", extra=(), exe=None):
        argv = [exe or self.probe, "--node", self.name(short), "--cookie", cookie]
        for j in joins:
            argv += ["--join", self.name(j)]
        return self.start(argv + list(extra) + mode, short)

    @staticmethod
    def text(child, stream="out"):
        f = child.out if stream == "out" else child.err
        f.flush()
        with open(f.name) as g:
            return g.read()

    def wait_for(self, child, pattern, seconds, stream="out"):
        deadline = time.time() + seconds
        while time.time() < deadline:
            m = re.search(pattern, self.text(child, stream))
            if m:
                return m
            if child.poll() is not None:
                m = re.search(pattern, self.text(child, stream))
                return m
            time.sleep(0.05)
        return None

    def stop(self):
        for child in reversed(self.children):
            if child.poll() is None:
                try:
                    os.kill(child.pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass
                child.kill()
            child.wait()

    def dump(self):
        for child in self.children:
            for stream in ("out", "err"):
                t = self.text(child, stream)
                if t.strip():
                    print("--- %s %s ---\n%s" % (child.label, stream, t[-3000:]))


def three(c):
    a = c.node("a", ["host"])
    if not c.wait_for(a, "READY", 20):
        return "node a did not start"
    b = c.node("b", [], joins=["a"], extra=["--no-main"])
    if not c.wait_for(b, "listening on port", 20, "err"):
        return "node b did not start: " + c.text(b, "err")
    probe = c.node("c", ["three", "3"], joins=["a"])
    m = c.wait_for(probe, r"PASS three: (\d+) other nodes|FAIL.*", 120)
    if not m or not m.group(0).startswith("PASS") or m.group(1) != "2":
        return "the probe: " + (m.group(0) if m else "no result")
    return None


def death(c, how):
    extra = ["--net-ticktime", str(TICK)]
    if how == "kill":  # the same, from the environment
        a = c.start([c.probe, "host"], "a", env={"LUNATIC_NODE": c.name("a"), "LUNATIC_COOKIE": "secret",
                                                 "LUNATIC_NET_TICKTIME": str(TICK)})
    else:
        a = c.node("a", ["host"], extra=extra)
    if not c.wait_for(a, "READY", 20):
        return "node a did not start"
    b = c.node("b", ["arm"], joins=["a"], extra=extra)
    if not c.wait_for(b, "ARMED|FAIL.*", 60) or "ARMED" not in c.text(b):
        return "node b did not arm: " + c.text(b)
    armed = time.time()
    os.kill(a.pid, signal.SIGKILL if how == "kill" else signal.SIGSTOP)
    m = c.wait_for(b, r"PASS arm: death seen (\d+) ms after ARMED|FAIL.*", TICK + 30)
    if not m or not m.group(0).startswith("PASS"):
        return "node b: " + (m.group(0) if m else "no result")
    seen = time.time() - armed
    if how == "stall" and seen > TICK + 1:
        return "the stalled node's death was seen %.1f s after it stopped (tick time %d s)" % (seen, TICK)
    if how == "kill" and seen > 1:
        return "the killed node's death was seen %.1f s after the kill" % seen
    print("death seen %.2f s after %s" % (seen, "SIGKILL" if how == "kill" else "SIGSTOP"))
    if not re.search(r"node \S+ is down", c.text(b, "err")):
        return "node b did not log the node's end"
    return None


def cookie(c):
    a = c.node("a", ["host"], cookie="right")
    if not c.wait_for(a, "READY", 20):
        return "node a did not start"
    b = c.node("b", ["host"], joins=["a"], cookie="wrong")
    if not c.wait_for(b, r"cannot connect to node \S+: the handshake failed", 20, "err"):
        return "the joining node did not log the refusal: " + c.text(b, "err")
    if not c.wait_for(a, r"refused a connection: the handshake failed", 20, "err"):
        return "the joined node did not log the refusal: " + c.text(a, "err")
    if re.search("connected to node", c.text(a, "err") + c.text(b, "err")):
        return "a node with the wrong cookie got connected"
    return None


def builds(c):
    a = c.node("a", ["host"])
    if not c.wait_for(a, "READY", 20):
        return "node a did not start"
    b = c.node("b", ["other"], joins=["a"], exe=c.probe + "_other")
    m = c.wait_for(b, r"PASS other: (.*)|FAIL.*", 60)
    if not m or not m.group(0).startswith("PASS"):
        return "node b: " + (m.group(0) if m else "no result")
    if "different build" not in m.group(1):
        return "the refusal does not say why: " + m.group(1)
    for node in (a, b):
        if not c.wait_for(node, r"runs a different build of the program", 10, "err"):
            return "a node did not log the other's build: " + c.text(node, "err")
    return None


ERL_SCRIPT = """
Node = '%(node)s',
register(erl_sink, self()),
{echo, Node} ! {7, <<"hi">>, self()},
Echo = receive {7, <<"pong:hi">>, From} -> From after 20000 -> io:format("FAIL no pong~n"), halt(1) end,
{echo, Node} ! {8, <<"twice">>, self()},
receive {8, <<"pong:twice">>, _} -> ok after 20000 -> io:format("FAIL no second pong~n"), halt(1) end,
{main, Node} ! {1, <<>>, self()},
receive {42, <<"from lunatic">>, Pid} when is_pid(Pid) -> Pid ! {43, <<"ack:from lunatic">>}
after 20000 -> io:format("FAIL nothing to erl_sink~n"), halt(1) end,
process_flag(trap_exit, true),
link(Echo),
{echo, Node} ! {9, <<"crash">>, self()},
receive {'EXIT', Echo, failed} -> ok
after 20000 -> io:format("FAIL no EXIT from our crashed process: ~p~n", [process_info(self(), messages)]), halt(1)
end,
link(Echo),
receive {'EXIT', Echo, noproc} -> ok after 20000 -> io:format("FAIL no noproc for a link to a dead process~n"), halt(1) end,
{victim, Node} ! {10, <<"who">>, self()},
Victim = receive {10, <<"pong:who">>, V} -> V after 20000 -> io:format("FAIL no pong from victim~n"), halt(1) end,
Helper = spawn(fun() -> link(Victim), receive go -> exit(boom) end end),
Helper ! go,
timer:sleep(300),
link(Victim),
receive {'EXIT', Victim, Why} when Why == noproc; Why == killed -> ok
after 20000 -> io:format("FAIL our process outlived the Erlang process linked to it~n"), halt(1) end,
{main, Node} ! {44, <<"bye">>},
io:format("ERL OK~n"),
timer:sleep(1000),
halt(0).
"""


def erl(c):
    a = c.node("a", ["erl"])
    if not c.wait_for(a, "READY", 20):
        return "node a did not start"
    script = ERL_SCRIPT % {"node": c.name("a")}
    e = c.start(["erl", "-name", c.name("erl"), "-setcookie", "secret", "-noshell", "-eval",
                 " ".join(script.split())], "erl")
    if not c.wait_for(e, "ERL OK|FAIL.*", 60) or "ERL OK" not in c.text(e):
        return "the erl node: " + c.text(e)
    if not c.wait_for(a, "PASS erl|FAIL.*", 30) or "PASS erl" not in c.text(a):
        return "our node: " + c.text(a)
    return None


def chat(c, exe):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "chat"))
    from chat_test import Client, Failure  # noqa: E402  (tests/chat/chat_test.py)
    ports = [free_port(), free_port()]
    a = c.node("a", [str(ports[0])], exe=exe)
    b = c.node("b", [str(ports[1])], joins=["a"], exe=exe)
    for node in (a, b):
        if not c.wait_for(node, "listening on", 20):
            return "a chat node did not start: " + c.text(node, "err")
    if not c.wait_for(b, "connected to node", 20, "err"):
        return "the chat nodes did not connect: " + c.text(b, "err")
    try:
        alice, bob, carol = Client(ports[0], "alice"), Client(ports[1], "bob"), Client(ports[1], "carol")
        alice.join("#room", 1)
        bob.join("#room", 1)  # each node counts its own members
        carol.join("#other", 1)
        bob.say("hello from b")
        alice.expect("[#room] bob: hello from b")
        alice.say("hello from a")
        bob.expect("[#room] alice: hello from a")
        carol.sync()  # another channel hears nothing
        alice.sync()
    except Failure as e:
        return str(e)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe", required=True)
    parser.add_argument("--chat", help="examples/chat, built")
    parser.add_argument("--scenario", required=True,
                        choices=["three", "kill", "stall", "cookie", "builds", "erl", "chat"])
    args = parser.parse_args()
    c = Cluster(args.probe)
    try:
        if args.scenario == "three":
            problem = three(c)
        elif args.scenario in ("kill", "stall"):
            problem = death(c, args.scenario)
        elif args.scenario == "cookie":
            problem = cookie(c)
        elif args.scenario == "builds":
            problem = builds(c)
        elif args.scenario == "chat":
            problem = chat(c, args.chat)
        else:
            problem = erl(c)
        if problem:
            print("FAIL: %s: %s" % (args.scenario, problem))
            c.dump()
            return 1
        print("PASS: %s" % args.scenario)
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
