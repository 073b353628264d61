#!/usr/bin/env python3
"""Runs one guest program of the tests (tests/processes, tests/wasi) and checks what it did.

What a run gets and what it must do are comment lines (// or the * lines of a block comment)
in the program's source, C or Rust:

  // expect-exit: N            the exit status (default 0)
  // expect-stdout: REGEX      a stdout line must match REGEX in full; these lines must come
                               in the order given (other lines may come between). Named
                               groups, (?P<name>...), keep what they matched for expect-stderr
  // expect-stderr: REGEX      stderr must consist of exactly these lines, one per pattern, in
                               order; {{name}} stands for a value kept from stdout. Without
                               any, stderr must be empty
  // expect-stderr+: REGEX     as expect-stderr, but one or more lines (as many as match)
  // expect-max-seconds: S     the run must end within S seconds (default 10)
  // args: WORDS               appended to the program's arguments, split as a shell would
  // env: KEY=VALUE            a variable of the guest's environment (granted, not inherited)
  // stdin: TEXT               a line fed on stdin, after those of earlier stdin lines
  // stdin-file: PATH          stdin is this file (relative to the source's directory)
  // stdin-open: yes           stdin is a pipe the runner holds open until the program ends:
                               after what stdin lines give, a read waits for ever.
                               Without any of these, stdin is empty.
  // given-file: GUEST: TEXT   the file GUEST (say /sandbox/in.txt) holds the line TEXT when
                               the program starts (its directory is made if missing)
  // given-symlink: GUEST: TARGET  GUEST is a symlink to TARGET, as written (say an absolute
                               host path, which a guest cannot make) when the program starts
  // expect-file: GUEST: REGEX the file GUEST must exist after the run, and its whole content
                               match REGEX (write \\n for a line end)
  // expect-no-file: GUEST     the file GUEST must not exist after the run
  // grant: GUEST: DIR[:ro]    one more preopen: DIR, a directory relative to the run's
                               directories (sandbox/pub, say: inside /sandbox), made if
                               missing, which the guest sees as GUEST; ":ro" grants it
                               read-only (node:wasi has no such grants: there it is writable)

Every run gets two fresh, empty directories, which the guest sees as /sandbox and /other
(WASI preopens), and those of grant lines; they are removed afterwards. Anything the run
leaves beside them fails the test: the guest escaped. Any stdout line starting with "FAIL" fails the
test (the programs' checks).

A test named in the expected-failures list (one "name: reason" per line; the name is the
ctest name or a shell-style pattern of such names) is a known bug: its failure is reported
with the reason and passes; if it passes, that is reported as an unexpected pass and fails,
so the list is kept current.

Usage: run_guest_test.py --name NAME --source SRC --expected-failures FILE
                         (--exe EXE [--build-log LOG] | --node WASM) [--env KEY=VALUE ...]
                         [--rlimit-data BYTES]
  --exe runs a native executable built by lunaticc (--build-log: what lunaticc said, shown
  if EXE is missing; --wrapper W: run as W EXE ARGS...); --node runs the module under node:wasi instead, as a reference for the
  test itself. --env sets a variable of the runner's environment (LUNATIC_THREADS, ...).
  --rlimit-data runs the program under that memory limit (RLIMIT_DATA, as `ulimit -d`: the
  system refuses allocations past it).
"""
import argparse
import fnmatch
import json
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time

DIRECTIVE = re.compile(r"^\s*(?://|\*)\s*(expect-(?:exit|stdout|stderr\+?|max-seconds|file|no-file)"
                       r"|args|env|stdin|stdin-file|stdin-open|given-file|given-symlink|grant):\s?(.*?)\s*$")
GUEST_DIRS = ("sandbox", "other")  # each /NAME to the guest, a fresh directory NAME on the host

# Runs a module under node:wasi with the arguments, environment and preopens in its JSON
# argument; stdio are the runner's pipes.
NODE_HOST = """
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
const { wasm, args, env, preopens } = JSON.parse(process.argv[1]);
const wasi = new WASI({ version: "preview1", args, env, preopens, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(wasm));
process.exitCode = wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));
"""


def lunatic_grants(preopens, guest_env, read_only=()):
    """The variables of an executable's environment that grant the guest `preopens` ({guest
    path: host directory}, those named in `read_only` read-only) and `guest_env` ({KEY:
    value}): wasi/grants.h's syntax."""
    grants = {"LUNATIC_ENV_" + key: value for key, value in guest_env.items()}
    grants["LUNATIC_DIRS"] = ":".join(f"{host}::{guest}" + (":ro" if guest in read_only else "")
                                      for guest, host in preopens.items())
    return grants


def read_directives(source):
    """What a run of the program gets and must do, from the directive lines of `source`."""
    exp = {"exit": 0, "stdout": [], "stderr": [], "max-seconds": 10.0, "args": [], "env": {},
           "stdin": b"", "stdin-open": False, "given-file": [], "given-symlink": [], "file": [], "no-file": [],
           "grant": []}
    with open(source, encoding="utf-8") as f:
        for line in f:
            m = DIRECTIVE.match(line)
            if not m:
                continue
            key, value = m.group(1).removeprefix("expect-"), m.group(2)
            if key == "exit":
                exp["exit"] = int(value)
            elif key == "max-seconds":
                exp["max-seconds"] = float(value)
            elif key in ("stderr", "stderr+"):
                exp["stderr"].append((value, key == "stderr+"))
            elif key == "args":
                exp["args"] += shlex.split(value)
            elif key == "env":
                name, _, val = value.partition("=")
                exp["env"][name] = val
            elif key == "stdin":
                exp["stdin"] += value.encode() + b"\n"
            elif key == "stdin-open":
                exp["stdin-open"] = value == "yes"
            elif key == "stdin-file":
                with open(os.path.join(os.path.dirname(source), value), "rb") as data:
                    exp["stdin"] = data.read()
            elif key in ("file", "given-file", "given-symlink"):
                path, _, text = value.partition(": ")
                exp[key].append((path, text))
            elif key == "grant":
                guest, _, directory = value.partition(": ")
                directory, read_only = directory.removesuffix(":ro"), directory.endswith(":ro")
                exp["grant"].append((guest, directory, read_only))
            else:
                exp[key].append(value)
    return exp


def check_output(exp, status, stdout, stderr, seconds):
    """The problems with the status, time and output of a run (empty: none)."""
    problems = []
    if status != exp["exit"]:
        problems.append(f"exit status {status}, expected {exp['exit']}")
    if seconds > exp["max-seconds"]:
        problems.append(f"took {seconds:.2f} s, more than {exp['max-seconds']} s")
    out_lines = stdout.splitlines()
    for line in out_lines:
        if line.startswith("FAIL"):
            problems.append(f"the program reported: {line}")
    kept = {}
    at = 0
    for pattern in exp["stdout"]:
        regex = re.compile(pattern)
        while at < len(out_lines):
            m = regex.fullmatch(out_lines[at])
            at += 1
            if m:
                kept.update({k: v for k, v in m.groupdict().items() if v is not None})
                break
        else:
            problems.append(f"no stdout line (after the ones matched before) matches: {pattern}")
            break
    err_lines = stderr.splitlines()
    at = 0
    for pattern, several in exp["stderr"]:
        pattern = re.sub(r"\{\{(\w+)\}\}",
                         lambda m: re.escape(kept.get(m.group(1), f"<{m.group(1)} unset>")), pattern)
        if at >= len(err_lines):
            problems.append(f"stderr line {at + 1} missing, expected: {pattern}")
            break
        if not re.fullmatch(pattern, err_lines[at]):
            problems.append(f"stderr line {at + 1} is {err_lines[at]!r}, expected: {pattern}")
            break
        at += 1
        while several and at < len(err_lines) and re.fullmatch(pattern, err_lines[at]):
            at += 1
    else:
        for i in range(at, len(err_lines)):
            problems.append(f"unexpected stderr line {i + 1}: {err_lines[i]}")
    return problems


def host_path(preopens, guest):
    """The host path of a guest path under one of the preopens."""
    for name, host in preopens.items():
        if guest.startswith(name + "/"):
            return os.path.join(host, guest[len(name) + 1:])
    raise ValueError(f"{guest} is not under any of {', '.join(preopens)}")


def give_files(exp, preopens):
    for guest, text in exp["given-file"]:
        os.makedirs(os.path.dirname(host_path(preopens, guest)), exist_ok=True)
        with open(host_path(preopens, guest), "w", encoding="utf-8") as f:
            f.write(text + "\n")
    for guest, target in exp["given-symlink"]:
        os.makedirs(os.path.dirname(host_path(preopens, guest)), exist_ok=True)
        os.symlink(target, host_path(preopens, guest))


def check_files(exp, preopens):
    """The problems with the files the run left in the preopens (empty: none)."""
    problems = []
    for guest, pattern in exp["file"]:
        path = host_path(preopens, guest)
        if not os.path.isfile(path):
            problems.append(f"the program left no file {guest}")
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            content = f.read()
        if not re.fullmatch(pattern, content):
            problems.append(f"{guest} holds {content!r}, expected: {pattern}")
    for guest in exp["no-file"]:
        if os.path.lexists(host_path(preopens, guest)):
            problems.append(f"the program left a file {guest}")
    return problems


def check_outside(root, exp):
    """The problems with what the run left beside the preopens, in their parent `root`: a
    guest that reached it escaped its directories."""
    granted = set(GUEST_DIRS) | {directory.split("/")[0] for _, directory, _ in exp["grant"]}
    return [f"the program escaped its directories: it left {name} beside them"
            for name in sorted(set(os.listdir(root)) - granted)]


def command(args, exp, preopens):
    """The command line and environment that run the program under test."""
    env = dict(os.environ)
    for item in args.env:
        key, _, value = item.partition("=")
        env[key] = value
    if args.node:
        config = {"wasm": args.node, "args": [os.path.basename(args.node)] + exp["args"],
                  "env": exp["env"], "preopens": preopens}
        return ["node", "--no-warnings", "--input-type=module", "-e", NODE_HOST, json.dumps(config)], env
    read_only = {guest for guest, _, is_read_only in exp["grant"] if is_read_only}
    env.update(lunatic_grants(preopens, exp["env"], read_only))
    return ([args.wrapper] if args.wrapper else []) + [args.exe] + exp["args"], env


def run(args, exp):
    """Runs the program once in fresh preopens: (status, stdout, stderr, seconds, file problems)."""
    with tempfile.TemporaryDirectory(prefix="guest-test-") as root:
        preopens = {}
        for name in GUEST_DIRS:
            os.mkdir(os.path.join(root, name))
            preopens["/" + name] = os.path.join(root, name)
        for guest, directory, _ in exp["grant"]:
            os.makedirs(os.path.join(root, directory), exist_ok=True)
            preopens[guest] = os.path.join(root, directory)
        give_files(exp, preopens)
        argv, env = command(args, exp, preopens)
        limit = exp["max-seconds"]
        start = time.monotonic()
        held = os.pipe() if exp["stdin-open"] else None
        limit_data = None
        if args.rlimit_data:
            limit_data = lambda: resource.setrlimit(resource.RLIMIT_DATA, (args.rlimit_data, args.rlimit_data))
        try:
            if held:  # the lines fit in the pipe's buffer; its write end stays open meanwhile
                os.write(held[1], exp["stdin"])
                done = subprocess.run(argv, stdin=held[0], capture_output=True, env=env, timeout=limit + 5,
                                      preexec_fn=limit_data)
            else:
                done = subprocess.run(argv, input=exp["stdin"], capture_output=True, env=env,
                                      timeout=limit + 5, preexec_fn=limit_data)
            status, stdout, stderr = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as e:
            status, stdout, stderr = "timed out (killed)", e.stdout or b"", e.stderr or b""
        finally:
            for end in held or ():
                os.close(end)
        seconds = time.monotonic() - start
        return (status, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"),
                seconds, check_files(exp, preopens) + check_outside(root, exp))


def known_failure(path, name):
    """The reason `name` is listed in the expected-failures file, or None. A line is
    `PATTERN: REASON`, split at the first ": " (the format is described at the top of
    tests/expected_failures.txt). Entries starting with spec/ are the spec suite's
    (tests/spec/run_spec.py) and are skipped."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line.startswith("spec/"):
                continue
            pattern, sep, reason = line.partition(": ")
            if not sep or not reason.strip():
                # Skipping it silently would let a known bug fail the test, or hide a fixed one.
                raise SystemExit(f"{path}: no ': <reason>' after the name in {line!r}")
            if fnmatch.fnmatchcase(name, pattern.strip()):
                return reason.strip()
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--expected-failures", required=True)
    engine = parser.add_mutually_exclusive_group(required=True)
    engine.add_argument("--exe")
    engine.add_argument("--node", metavar="WASM")
    parser.add_argument("--build-log")
    parser.add_argument("--wrapper", help="a program that runs EXE (as: WRAPPER EXE ARGS...)")
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--rlimit-data", type=int, help="RLIMIT_DATA of the run, in bytes")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="multiply expect-max-seconds by this (a run under an emulator is slower)")
    args = parser.parse_args()

    exp = read_directives(args.source)
    exp["max-seconds"] *= args.time_scale
    if args.exe and not os.path.exists(args.exe):
        log = open(args.build_log, encoding="utf-8").read() if args.build_log else ""
        status, stdout, stderr, seconds = "not built", "", "", 0.0
        problems = [f"{args.exe} was not built; lunaticc said:\n{log}"]
    else:
        status, stdout, stderr, seconds, file_problems = run(args, exp)
        problems = check_output(exp, status, stdout, stderr, seconds) + file_problems

    if isinstance(status, int) and status < 0:
        status = f"{status} (killed by {signal.Signals(-status).name})"
    print(f"{args.name}: exit status {status} (expected {exp['exit']}), {seconds:.2f} s; "
          f"{len(exp['stdout'])} stdout and {len(exp['stderr'])} stderr patterns")
    print("--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr + "--------------")
    for p in problems:
        print(f"problem: {p}")
    reason = known_failure(args.expected_failures, args.name)
    if reason is not None:
        if problems:
            print(f"EXPECTED FAILURE (a known bug): {reason}")
            return 0
        print(f"UNEXPECTED PASS: {args.name} is listed in {args.expected_failures} "
              f"({reason}); if the bug is fixed, remove it from the list")
        return 1
    print("PASSED" if not problems else "FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
