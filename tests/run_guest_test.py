#!/usr/bin/env python3
"""Runs one guest program of tests/processes and checks what it did.

The expectations are comment lines (// or the * lines of a block comment) at the top of the
program's C source:

  // expect-exit: N            the exit status (default 0)
  // expect-stdout: REGEX      a stdout line must match REGEX in full; these lines must come
                               in the order given (other lines may come between). Named
                               groups, (?P<name>...), keep what they matched for expect-stderr
  // expect-stderr: REGEX      stderr must consist of exactly these lines, one per pattern, in
                               order; {{name}} stands for a value kept from stdout. Without
                               any, stderr must be empty
  // expect-stderr+: REGEX     as expect-stderr, but one or more lines (as many as match)
  // expect-max-seconds: S     the run must end within S seconds (default 10)

Any stdout line starting with "FAIL" fails the test (the programs' CHECK macros).

A test named in the expected-failures list (one "name: reason" per line) is a known runtime
bug: its failure is reported with the reason and passes; if it passes, that is reported as an
unexpected pass and fails, so the list is kept current.

Usage: run_process_test.py --name NAME --exe EXE --source SRC --expected-failures FILE
                           [--env KEY=VALUE ...]
"""
import argparse
import os
import re
import subprocess
import sys
import time

DIRECTIVE = re.compile(r"^\s*(?://|\*)\s*expect-(exit|stdout|stderr\+?|max-seconds):\s?(.*?)\s*$")


def read_expectations(source):
    exp = {"exit": 0, "stdout": [], "stderr": [], "max-seconds": 10.0}
    with open(source, encoding="utf-8") as f:
        for line in f:
            m = DIRECTIVE.match(line)
            if not m:
                continue
            key, value = m.group(1), m.group(2)
            if key == "exit":
                exp["exit"] = int(value)
            elif key == "max-seconds":
                exp["max-seconds"] = float(value)
            elif key == "stderr+":
                exp["stderr"].append((value, True))
            elif key == "stderr":
                exp["stderr"].append((value, False))
            else:
                exp[key].append(value)
    return exp


def check(exp, status, stdout, stderr, seconds):
    """The list of problems found (empty: passed)."""
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


def expected_failures(path):
    known = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(":")
            known[name.strip()] = reason.strip()
    return known


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--exe", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--expected-failures", required=True)
    parser.add_argument("--env", action="append", default=[])
    args = parser.parse_args()

    exp = read_expectations(args.source)
    env = dict(os.environ)
    for item in args.env:
        key, _, value = item.partition("=")
        env[key] = value
    limit = exp["max-seconds"]
    start = time.monotonic()
    try:
        run = subprocess.run([args.exe], capture_output=True, env=env, timeout=limit + 5)
        status, stdout, stderr = run.returncode, run.stdout, run.stderr
    except subprocess.TimeoutExpired as e:
        status, stdout, stderr = "timed out (killed)", e.stdout or b"", e.stderr or b""
    seconds = time.monotonic() - start
    stdout = stdout.decode("utf-8", "replace")
    stderr = stderr.decode("utf-8", "replace")
    problems = check(exp, status, stdout, stderr, seconds)

    print(f"{args.name}: exit status {status} (expected {exp['exit']}), {seconds:.2f} s; "
          f"{len(exp['stdout'])} stdout and {len(exp['stderr'])} stderr patterns")
    print("--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr + "--------------")
    known = expected_failures(args.expected_failures)
    for p in problems:
        print(f"problem: {p}")
    if args.name in known:
        if problems:
            print(f"EXPECTED FAILURE (a known runtime bug): {known[args.name]}")
            return 0
        print(f"UNEXPECTED PASS: {args.name} is listed in {args.expected_failures} "
              f"({known[args.name]}); if the bug is fixed, remove it from the list")
        return 1
    print("PASSED" if not problems else "FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
