#!/usr/bin/env python3
"""The warning for a module without a name section (compiler/compile.cpp): lunaticc says once
per such module, naming it and how to keep the section, and nothing for a module that has
one; `-w` quiets it; `lunaticc run` never mixes it into the program's stderr.

The module without names is the probe with its name section cut out here, so the test does
not depend on which tools strip it.

Usage: names_warning_test.py LUNATICC PROBE_WASM WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, compare  # noqa: E402  (tests/checks.py)


def leb128(data, at):
    """The unsigned LEB128 at data[at:], and where it ends."""
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def custom_section_names(data):
    """The names of the module's custom sections, in order."""
    names, at = [], 8
    while at < len(data):
        section_id = data[at]
        size, body = leb128(data, at + 1)
        if section_id == 0:
            length, name_at = leb128(data, body)
            names.append(data[name_at:name_at + length].decode())
        at = body + size
    return names


def without_name_section(data):
    """The module `data` with its "name" custom section left out."""
    kept, at = bytearray(data[:8]), 8
    while at < len(data):
        size, body = leb128(data, at + 1)
        end = body + size
        if data[at] == 0:
            length, name_at = leb128(data, body)
            if data[name_at:name_at + length] == b"name":
                at = end
                continue
        kept += data[at:end]
        at = end
    return bytes(kept)


def main():
    lunaticc, probe, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUNATICC_", "LUNATIC_"))}
    env["LUNATICC_CACHE_DIR"] = os.path.join(work, "cache")
    checks = Checks()

    def lunaticc_run(*args):
        done = subprocess.run([lunaticc, *args], capture_output=True, env=env, timeout=300)
        return done.returncode, done.stderr.decode(errors="replace")

    with open(probe, "rb") as f:
        named = f.read()
    checks.expect("the probe has a name section", compare("custom sections", "name" in custom_section_names(named), True))
    nameless_path = os.path.join(work, "nameless.wasm")
    with open(nameless_path, "wb") as f:
        f.write(without_name_section(named))
    with open(nameless_path, "rb") as f:
        checks.expect("the copy has none",
                      compare("custom sections", "name" in custom_section_names(f.read()), False))

    out = os.path.join(work, "out")
    checks.expect("a module with names compiles quietly", compare("status, stderr", lunaticc_run(probe, "-o", out), (0, "")))
    status, stderr = lunaticc_run(nameless_path, "-o", out)
    warning = re.compile(re.escape(f"lunaticc: warning: {nameless_path}: the module has no name section") +
                         r".*-O2 -c, then link without -O.*")
    checks.expect("a module without names: one warning naming it and how to keep the section",
                  compare("status, warning lines", (status, [bool(warning.fullmatch(line)) for line in stderr.splitlines()]),
                          (0, [True])))
    checks.expect("-w quiets it", compare("status, stderr", lunaticc_run("-w", nameless_path, "-o", out), (0, "")))
    status, stderr = lunaticc_run(probe, "--module", nameless_path, "-o", out)
    checks.expect("a --module without names is named in the warning",
                  compare("status, warning lines", (status, [bool(warning.fullmatch(line)) for line in stderr.splitlines()]),
                          (0, [True])))
    checks.expect("lunaticc run: the program's stderr only",
                  compare("status, stderr", lunaticc_run("run", nameless_path), (0, "")))
    print(f"names warning: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
