#!/usr/bin/env python3
"""Bad input to lunaticc: every case must give exactly one line
`lunaticc: error: FILE: REASON` on stderr, exit status 1 and no output file. Each case is
tried as the module to compile and again as a `--module` beside a valid one (whose error line
then names the bad module: `lunaticc: error: MAIN: --module FILE: REASON`), which must leave
no object behind either. (The no-entry case is a valid module of the second kind: other
modules have no entry.)

Usage: bad_input_test.py LUNATICC WORKDIR
"""
import os
import subprocess
import sys

HEADER = b"\0asm\x01\0\0\0"


def section(section_id, payload):
    assert len(payload) < 128
    return bytes([section_id, len(payload)]) + payload


def with_start(imports):
    """A module with the import section `imports` (of functions of type () -> ()) and an empty
    _start after them."""
    return (HEADER + section(1, b"\x01\x60\x00\x00") + section(2, imports) + section(3, b"\x01\x00")
            + section(7, b"\x01\x06_start\x00\x01") + section(10, b"\x01\x02\x00\x0b"))


CASES = {
    "empty": b"",
    "truncated-header": b"\0as",
    "bad-magic": b"\0wasm\x01\0\0",
    "bad-version": b"\0asm\x02\0\0\0",
    "text-format": b"(module (func))",
    "truncated-section": HEADER + b"\x01\x7f\x01",
    "bad-section-size": HEADER + section(1, b"\x01\x60\x00\x00\x00\x00"),
    # type section: one func type () -> (); function section: one function; no code section
    "missing-code": HEADER + section(1, b"\x01\x60\x00\x00") + section(3, b"\x01\x00"),
    # a body that pushes an i32 in a function returning nothing: invalid
    "type-mismatch": HEADER + section(1, b"\x01\x60\x00\x00") + section(3, b"\x01\x00")
    + section(10, b"\x01\x04\x00\x41\x00\x0b"),
    # an import the runtime does not provide
    "unknown-import": HEADER + section(1, b"\x01\x60\x00\x00")
    + section(2, b"\x01\x03env\x03foo\x00\x00"),
    # a lunatic:: name that upstream Lunatic 0.13's host ABI does not have, in a module that
    # is otherwise fine (it has a _start)
    "unknown-lunatic-import": with_start(b"\x01\x11lunatic::registry\x10get_or_put_later\x00\x00"),
    # lunatic::process::process_id is () -> i64, not () -> ()
    "lunatic-import-signature": with_start(b"\x01\x10lunatic::process\x0aprocess_id\x00\x00"),
    # a valid module that has no _start to run
    "no-entry": HEADER + section(1, b"\x01\x60\x00\x00") + section(3, b"\x01\x00")
    + section(10, b"\x01\x02\x00\x0b"),
    # shared memory belongs to the threads proposal, not 2.0
    "shared-memory": HEADER + section(5, b"\x01\x03\x01\x01"),
    # a memory larger than 4 GiB
    "memory-too-large": HEADER + section(5, b"\x01\x00\x81\x80\x04"),
}


def check(name, command, prefix, output, workdir):
    """Problems of one refused compile, as text; empty if it was refused as it should be."""
    before = set(os.listdir(workdir))
    run = subprocess.run(command, capture_output=True, timeout=60)
    lines = run.stderr.decode(errors="replace").splitlines()
    problems = []
    if run.returncode != 1:
        problems.append(f"exit status {run.returncode}, expected 1")
    if len(lines) != 1 or not lines[0].startswith(prefix):
        problems.append(f"stderr is not one error line: {lines!r}")
    if os.path.exists(output):
        problems.append("an output file was written")
    left = set(os.listdir(workdir)) - before
    if left:
        problems.append(f"files left behind: {sorted(left)}")
    if problems:
        print(f"FAIL {name}: " + "; ".join(problems))
        return False
    print(f"ok   {name}: {lines[0]}")
    return True


def main():
    lunaticc, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    valid = os.path.join(workdir, "valid-main.wasm")
    with open(valid, "wb") as f:
        f.write(with_start(b"\x00"))
    passed = failed = 0
    for name, data in CASES.items():
        source = os.path.join(workdir, name + ".wasm")
        output = os.path.join(workdir, name + ".out")
        with open(source, "wb") as f:
            f.write(data)
        if os.path.exists(output):
            os.remove(output)
        runs = [(name, [lunaticc, source, "-o", output], f"lunaticc: error: {source}: ")]
        if name != "no-entry":
            runs.append((name + " as --module", [lunaticc, valid, "--module", source, "-o", output],
                         f"lunaticc: error: {valid}: --module {source}: "))
        for label, command, prefix in runs:
            if check(label, command, prefix, output, workdir):
                passed += 1
            else:
                failed += 1
    print(f"cli: {passed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
