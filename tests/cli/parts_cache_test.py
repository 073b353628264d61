#!/usr/bin/env python3
"""The parts cache (compiler/backend/parts_cache.h), on a real 535 KB module (lunatic-rs's udp
tests) and a copy of it with one constant of one function changed
(bench/compile/one_function_change.py):

- a first compile stores every part; a second compiles none, and writes the same executable;
- the changed copy compiles exactly one part, the one that defines the changed function, and
  writes what a compile with --no-cache writes; the executables behave alike;
- a truncated entry, an entry with a byte flipped and a file that is no entry at all are
  detected: their parts are compiled again, their entries rewritten, the output unchanged;
- compilations at once into one empty cache all succeed, alike, leaving no temporary file;
- --no-cache writes nothing to the cache; a cache that cannot be made is done without; a bad
  LUNATICC_CACHE_SIZE is one error line; LUNATICC_CACHE_SIZE bounds the parts too.
Part counts come from `lunaticc --timings` ("N parts, K from the cache").

Usage: parts_cache_test.py LUNATICC WORKDIR MODULE
"""
import filecmp
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "compile"))
from checks import Checks, compare  # noqa: E402  (tests/checks.py)
import one_function_change  # noqa: E402

PARTS = re.compile(r"(\d+) parts, (\d+) from the cache")
ENTRY = re.compile(r"^[0-9a-f]{64}$")


class Compiler:
    def __init__(self, lunaticc, work):
        self.lunaticc = lunaticc
        self.work = work
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("LUNATICC_", "LUNATIC_"))}

    def start(self, module, output, cache, flags=(), env=None):
        environment = dict(self.env, LUNATICC_CACHE_DIR=cache, **(env or {}))
        return subprocess.Popen([self.lunaticc, "--timings", *flags, module, "-o", output], env=environment,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def compile(self, module, output, cache, flags=(), env=None):
        """(exit status, parts, parts from the cache, stderr)."""
        return finish(self.start(module, output, cache, flags, env))


def finish(process):
    _, stderr = process.communicate(timeout=1800)
    counts = PARTS.search(stderr)
    parts, cached = (int(counts.group(1)), int(counts.group(2))) if counts else (None, None)
    return process.returncode, parts, cached, stderr


def entries(cache):
    folder = os.path.join(cache, "parts")
    if not os.path.isdir(folder):
        return {}
    return {name: os.path.join(folder, name) for name in os.listdir(folder) if ENTRY.match(name)}


def strays(cache):
    found = []
    for folder, _, files in os.walk(cache):
        found += [os.path.join(folder, name) for name in files if not ENTRY.match(name)]
    return found


def defines(object_bytes, symbol_suffix, work):
    """Whether the ELF object in an entry (after its header) defines a function named ...suffix."""
    path = os.path.join(work, "entry.o")
    with open(path, "wb") as f:
        f.write(object_bytes[object_bytes.index(b"\x7fELF"):])
    listing = subprocess.run(["nm", "--defined-only", path], capture_output=True, text=True, check=True).stdout
    return any(line.split()[-1].endswith(symbol_suffix) and line.split()[1] in "Tt" for line in listing.splitlines())


def behaviour(executable):
    done = subprocess.run([executable, "--list"], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout


def main():
    lunaticc, work, module = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    checks = Checks()
    compiler = Compiler(lunaticc, work)
    base, changed = os.path.join(work, "base.wasm"), os.path.join(work, "changed.wasm")
    function = one_function_change.make(module, base, changed)
    out = lambda name: os.path.join(work, name)  # noqa: E731
    cache = os.path.join(work, "cache")

    status, parts, cached, stderr = compiler.compile(base, out("cold"), cache)
    stored = entries(cache)
    checks.expect("cold compile: every part compiled and stored",
                  compare("exit status", status, 0) + compare("parts from the cache", cached, 0)
                  + (["fewer than 4 parts: " + stderr] if not parts or parts < 4 else [])
                  + compare("entries", len(stored), parts))

    status, parts_again, cached, stderr = compiler.compile(base, out("warm"), cache)
    checks.expect("warm compile: every part from the cache, the same executable",
                  compare("exit status", status, 0) + compare("parts from the cache", cached, parts)
                  + compare("entries", len(entries(cache)), len(stored))
                  + ([] if filecmp.cmp(out("cold"), out("warm"), shallow=False) else ["the executables differ"]))

    status, parts_changed, cached, stderr = compiler.compile(changed, out("changed"), cache)
    new = set(entries(cache)) - set(stored)
    problems = compare("exit status", status, 0) + compare("parts compiled", (parts_changed or 0) - (cached or 0), 1)
    problems += compare("new entries", len(new), 1)
    if len(new) == 1:
        with open(entries(cache)[new.pop()], "rb") as f:
            if not defines(f.read(), function, work):
                problems.append(f"the part compiled does not define ${function}")
    checks.expect(f"one function changed (${function}): exactly its part compiled", problems)

    status, _, _, stderr = compiler.compile(changed, out("fresh"), os.path.join(work, "unused"), ["--no-cache"])
    checks.expect("the changed executable is what --no-cache writes, and behaves alike",
                  compare("exit status", status, 0)
                  + ([] if filecmp.cmp(out("changed"), out("fresh"), shallow=False) else ["the executables differ"])
                  + compare("behaviour", behaviour(out("changed")), behaviour(out("fresh")))
                  + compare("exit status of the cold one", behaviour(out("cold"))[0], 0)
                  + compare("entries --no-cache stored", len(entries(os.path.join(work, "unused"))), 0))

    # Damage three entries of the module's parts: truncated, a byte flipped, not an entry.
    damaged = sorted(stored.values())[:3]
    with open(damaged[0], "r+b") as f:
        f.truncate(os.path.getsize(damaged[0]) // 2)
    with open(damaged[1], "r+b") as f:
        f.seek(os.path.getsize(damaged[1]) - 100)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0x10]))
    with open(damaged[2], "wb") as f:
        f.write(b"\x7fELF not an entry")
    status, parts, cached, stderr = compiler.compile(base, out("repaired"), cache)
    problems = compare("exit status", status, 0) + compare("parts compiled", (parts or 0) - (cached or 0), 3)
    problems += [] if filecmp.cmp(out("cold"), out("repaired"), shallow=False) else ["the executable differs"]
    status, parts, cached, _ = compiler.compile(base, out("repaired"), cache)
    problems += compare("parts from the cache after the repair", cached, parts)
    checks.expect("damaged entries are compiled again and rewritten", problems)

    shared = os.path.join(work, "shared-cache")
    running = [compiler.start(base, out(f"together{i}"), shared) for i in range(2)]
    results = [finish(process) for process in running]
    problems = [f"compilation {i}: exit status {r[0]}: {r[3].strip()}" for i, r in enumerate(results) if r[0] != 0]
    problems += [f"executable {i} differs" for i in range(2)
                 if not filecmp.cmp(out("cold"), out(f"together{i}"), shallow=False)]
    problems += compare("entries", len(entries(shared)), len(stored)) + compare("stray files", strays(shared), [])
    checks.expect("compilations at once into one empty cache", problems)

    unwritable = os.path.join(work, "a-file")
    with open(unwritable, "w") as f:
        f.write("not a directory")
    status, _, _, stderr = compiler.compile(base, out("uncached"), os.path.join(unwritable, "cache"))
    checks.expect("a cache that cannot be made is done without",
                  compare("exit status", status, 0)
                  + ([] if filecmp.cmp(out("cold"), out("uncached"), shallow=False) else ["the executable differs"]))

    status, _, _, stderr = compiler.compile(base, out("bad-size"), cache, env={"LUNATICC_CACHE_SIZE": "lots"})
    checks.expect("a bad LUNATICC_CACHE_SIZE is an error",
                  compare("exit status", status, 1) + compare("message", "LUNATICC_CACHE_SIZE" in stderr, True))

    small = os.path.join(work, "small-cache")
    status, _, _, stderr = compiler.compile(base, out("small"), small, env={"LUNATICC_CACHE_SIZE": "200K"})
    total = sum(os.path.getsize(path) for path in entries(small).values())
    checks.expect("LUNATICC_CACHE_SIZE bounds the parts",
                  compare("exit status", status, 0) + ([f"{total} bytes kept"] if total > 200 * 1024 else [])
                  + ([] if filecmp.cmp(out("cold"), out("small"), shallow=False) else ["the executable differs"]))

    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
