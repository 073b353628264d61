#!/usr/bin/env python3
"""lunaticc --target: the flag's bad values, `lunaticc run` refusing another target, and
aarch64 executables (dynamic and --static) for the right machine, loader and all, that run
under qemu-aarch64-static; a frame larger than aarch64 allows is refused.

Usage: target_test.py LUNATICC HELLO_WASM QEMU WORKDIR
"""
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, compare  # noqa: E402  (tests/checks.py)

TARGET = "aarch64-linux-gnu"
EM_AARCH64 = 183
HELLO = "Hello from WebAssembly, compiled ahead of time by lunaticc!"


def run(command):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    return result.returncode, result.stdout, result.stderr


def elf_machine_and_interpreter(path):
    """(e_machine, the PT_INTERP path or None) of a 64-bit little-endian ELF file."""
    with open(path, "rb") as f:
        data = f.read()
    machine = struct.unpack_from("<H", data, 18)[0]
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        kind, _, offset, _, _, size = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if kind == 3:  # PT_INTERP
            return machine, data[offset:offset + size].rstrip(b"\0").decode()
    return machine, None


def big_frame_wat(path):
    """A function whose -O0 frame is a slot per local: 20,000 v128 locals, 320 KB."""
    with open(path, "w") as f:
        f.write("(module (func $big (export \"_start\") (local " + " ".join(["v128"] * 20000) + ")"
                " (local.set 19999 (local.get 0))))\n")


def main():
    lunaticc, hello, qemu, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    checks = Checks()
    out = os.path.join(work, "out")

    status, _, stderr = run([lunaticc, "--target", "sparc-linux-gnu", hello, "-o", out])
    checks.expect("an unknown target is refused, naming it",
                  compare("status", status, 1) + compare("names it", "unknown target sparc-linux-gnu" in stderr, True))
    status, _, stderr = run([lunaticc, "--target", TARGET, "--cpu", "x86-64-v3", hello, "-o", out])
    checks.expect("an x86 CPU for aarch64 is refused",
                  compare("status", status, 1) + compare("says why", f"unknown CPU x86-64-v3 for {TARGET}" in stderr, True))
    status, _, stderr = run([lunaticc, "--target", TARGET, "--cpu", "native", hello, "-o", out])
    checks.expect("--cpu native for another target is refused",
                  compare("status", status, 1) + compare("says why", "--cpu native" in stderr, True))
    status, _, stderr = run([lunaticc, "run", "--target", TARGET, hello])
    checks.expect("lunaticc run refuses another target",
                  compare("status", status, 1) + compare("says why", "lunaticc --target" in stderr, True))
    status, stdout, _ = run([lunaticc, "--version"])
    checks.expect("--version lists aarch64", compare("listed", f", {TARGET}" in stdout, True))

    for kind, flags, interpreter in (("dynamic", [], "/lib/ld-linux-aarch64.so.1"), ("static", ["--static"], None)):
        exe = os.path.join(work, f"hello-{kind}")
        status, _, stderr = run([lunaticc, "--target", TARGET, *flags, hello, "-o", exe])
        problems = compare("lunaticc", (status, stderr), (0, ""))
        if status == 0:
            problems += compare("machine and loader", elf_machine_and_interpreter(exe), (EM_AARCH64, interpreter))
            status, stdout, stderr = run([qemu, exe])
            problems += compare("run under qemu", (status, stdout.strip(), stderr), (0, HELLO, ""))
        checks.expect(f"a {kind} aarch64 hello runs under qemu", problems)

    wat, wasm = os.path.join(work, "big.wat"), os.path.join(work, "big.wasm")
    big_frame_wat(wat)
    subprocess.run(["wat2wasm", "--debug-names", wat, "-o", wasm], check=True)  # names: no warning
    status, _, stderr = run([lunaticc, "--target", TARGET, "-O0", wasm, "-o", out])
    checks.expect("a frame over 256 KiB is refused for aarch64",
                  compare("status", status, 1) + compare("says why", "more than the 256 KiB" in stderr, True))
    status, _, stderr = run([lunaticc, "-O0", wasm, "-o", out])
    checks.expect("the same frame compiles for x86-64 (the probe checks it)", compare("status", (status, stderr), (0, "")))
    print(f"target: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
