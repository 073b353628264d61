#!/usr/bin/env python3
"""`lunaticc run` (tools/run_command.h) and its compile cache (tools/compile_cache.h).

- the program gets its arguments (argv[0]: the module's path as given), environment and
  stdin, and its exit status and death by signal are the run's (lunaticc execs it);
- a second run of an unchanged module runs the cached executable, compiling nothing; a change
  of the module, of a flag or of lunaticc (its runtime archives) makes a new entry;
- --module compiles another module in (lunatic::process::compile_module finds it by its
  bytes), and a change of that module's bytes makes a new entry too;
- runs at once, of one module or several, all work and leave one complete entry each and no
  temporary file;
- LUNATICC_CACHE_SIZE bounds the cache (least recently used entries go); the cache lives in
  LUNATICC_CACHE_DIR, $XDG_CACHE_HOME/lunaticc or ~/.cache/lunaticc, made with mode 0700;
- bad input is one error line and exit status 1, and leaves nothing in the cache.
It prints the time of a cached run of a 500 KB module, if one is given (the lunatic-rs udp
tests: `--list` starts the executable and returns at once).

Usage: run_mode_test.py LUNATICC PROBE_WASM WORKDIR [LARGE_WASM]
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, compare  # noqa: E402  (tests/checks.py)

ENTRY = re.compile(r"^[0-9a-f]{64}$")


class Cache:
    def __init__(self, lunaticc, work, name):
        self.lunaticc = lunaticc
        self.dir = os.path.join(work, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("LUNATICC_", "LUNATIC_"))}
        self.env["LUNATICC_CACHE_DIR"] = self.dir

    def run(self, args, env=None, stdin=b"", timeout=300):
        done = subprocess.run([self.lunaticc, "run"] + args, input=stdin, capture_output=True,
                              env=dict(self.env, **(env or {})), timeout=timeout)
        return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")

    def entries(self):
        """{name: inode} of the cache's entries."""
        if not os.path.isdir(self.dir):
            return {}
        return {name: os.stat(os.path.join(self.dir, name)).st_ino for name in os.listdir(self.dir) if ENTRY.match(name)}

    def strays(self):
        """Files in the cache that are not entries (temporary files left behind), its own or
        the parts cache's (parts/: compiler/backend/parts_cache.h)."""
        found = []
        for folder, _, files in os.walk(self.dir):
            found += [os.path.relpath(os.path.join(folder, name), self.dir) for name in files if not ENTRY.match(name)]
        return found


def with_custom_section(wasm, path, text):
    """A copy of `wasm` with a custom section appended: another module's content, same code."""
    payload = bytes([4]) + b"note" + text.encode()
    with open(wasm, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data + bytes([0, len(payload)]) + payload)
    return path


def probe_output(module, args):
    return "".join(f"arg: {a}\n" for a in [module] + args)


def check_pass_through(checks, lunaticc, probe, work):
    cache = Cache(lunaticc, work, "pass-through")
    args = ["a", "b c", "-O1", "--entry", "x"]  # after the module, flags are the program's
    status, stdout, stderr = cache.run([probe] + args)
    checks.expect("first run: arguments, argv[0] the module's path",
                  compare("exit status", status, 0) + compare("stdout", stdout, probe_output(probe, args))
                  + compare("stderr", stderr, ""))
    status, stdout, _ = cache.run(["--", probe, "x"])
    checks.expect("-- before the module", compare("stdout", stdout, probe_output(probe, ["x"])))
    status, stdout, _ = cache.run([probe, "exit=7"])
    checks.expect("exit status passes through", compare("exit status", status, 7))
    status, stdout, _ = cache.run([probe], env={"LUNATIC_ENV_FOO": "bar"})
    checks.expect("the environment passes through (LUNATIC_ENV_FOO grants FOO)",
                  compare("stdout", stdout, probe_output(probe, []) + "env: FOO=bar\n"))
    status, stdout, _ = cache.run([probe, "stdin"], stdin=b"hello there\n")
    checks.expect("stdin passes through",
                  compare("stdout", stdout, probe_output(probe, ["stdin"]) + "stdin: hello there\n"))

    # The program replaces lunaticc: a signal to the run's process reaches the program.
    process = subprocess.Popen([lunaticc, "run", probe, "sleep"], stdout=subprocess.PIPE, env=cache.env)
    problems = []
    try:
        lines = [process.stdout.readline().decode() for _ in range(3)]
        problems += compare("stdout", lines, ["arg: " + probe + "\n", "arg: sleep\n", "sleeping\n"])
        executable = os.readlink(f"/proc/{process.pid}/exe")
        if os.path.dirname(executable) != cache.dir:
            problems.append(f"the run's process is {executable}, not the cached executable")
        process.send_signal(signal.SIGTERM)
        problems += compare("the run's end", process.wait(timeout=30), -signal.SIGTERM)
    finally:
        process.kill()
        process.wait()
    checks.expect("the program replaces lunaticc: a signal reaches it", problems)


def check_hits_and_misses(checks, lunaticc, probe, work):
    cache = Cache(lunaticc, work, "hits")
    cache.run([probe])
    first = cache.entries()
    status, stdout, _ = cache.run([probe, "again"])
    problems = compare("exit status", status, 0) + compare("entries", len(first), 1)
    problems += compare("the entries after a second run", cache.entries(), first)
    checks.expect("a second run uses the cached executable", problems)

    changed = with_custom_section(probe, os.path.join(work, "changed.wasm"), "another version")
    status, stdout, _ = cache.run([changed])
    entries = cache.entries()
    problems = compare("stdout", stdout, probe_output(changed, []))
    problems += compare("entries", len(entries), 2)
    problems += [] if set(first) <= set(entries) else ["the first entry went"]
    checks.expect("a changed module is compiled anew", problems)

    before = cache.entries()
    for flags in (["-O1"], ["--bounds-checks"], ["--static"], ["--env", "FOO=baked"]):
        status, stdout, _ = cache.run(flags + [probe])
        after = cache.entries()
        problems = compare("exit status", status, 0) + compare("new entries", len(after) - len(before), 1)
        if flags[0] == "--env":
            problems += compare("stdout", stdout, probe_output(probe, []) + "env: FOO=baked\n")
        if flags[0] == "--static":
            problems += compare("stdout", stdout, probe_output(probe, []))
        status, _, _ = cache.run(flags + [probe])
        problems += compare("entries after running it again", cache.entries(), after)
        checks.expect(f"flags {' '.join(flags)} make an entry of their own, used again", problems)
        before = after
    checks.expect("no temporary file is left", compare("strays", cache.strays(), []))


def check_modules(checks, lunaticc, probe, work):
    cache = Cache(lunaticc, work, "modules")
    grant = ["--dir", work + "::/work:ro"]
    plugin = with_custom_section(probe, os.path.join(work, "plugin.wasm"), "plugin 1")
    ask = "module=/work/plugin.wasm"
    status, stdout, _ = cache.run(grant + [probe, ask])
    problems = compare("exit status", status, 0)
    problems += [] if re.search(r"^module: .*compiled", stdout, re.M) and "compiled in\n" not in stdout else \
        ["without --module, compile_module did not fail naming the cause: " + stdout]
    checks.expect("without --module, another module's bytes are refused with the cause", problems)

    status, stdout, _ = cache.run(grant + ["--module", plugin, probe, ask])
    first = cache.entries()
    problems = compare("exit status", status, 0) + compare("stdout", stdout, probe_output(probe, [ask]) + "module: compiled in\n")
    status, _, _ = cache.run(grant + ["--module", plugin, probe, ask])
    problems += compare("entries after running it again", cache.entries(), first)
    checks.expect("--module compiles the plugin in; a second run uses the entry", problems)

    with_custom_section(probe, plugin, "plugin 2")
    status, stdout, _ = cache.run(grant + ["--module", plugin, probe, ask])
    problems = compare("stdout", stdout, probe_output(probe, [ask]) + "module: compiled in\n")
    problems += compare("new entries", len(cache.entries()) - len(first), 1)
    checks.expect("a changed --module makes a new entry with the new bytes compiled in", problems)
    status, _, stderr = cache.run(["--module", os.path.join(work, "missing.wasm"), probe])
    problems = compare("exit status", status, 1)
    problems += [] if "missing.wasm" in stderr else ["the error does not name the missing module: " + stderr]
    checks.expect("refused: a --module that does not exist", problems)


def check_compiler_change(checks, lunaticc, probe, work):
    """Another compiler, or the same with other runtime archives, does not use old entries."""
    install = os.path.join(work, "install")
    shutil.rmtree(install, ignore_errors=True)
    os.makedirs(os.path.join(install, "bin"))
    build_bin = os.path.dirname(lunaticc)
    for program in ("lunaticc", "lunaticc-compile"):
        shutil.copy2(os.path.join(build_bin, program), os.path.join(install, "bin"))
    shutil.copytree(os.path.join(os.path.dirname(build_bin), "lib"), os.path.join(install, "lib"))
    cache = Cache(os.path.join(install, "bin", "lunaticc"), work, "compiler-change")
    cache.run([probe])
    cache.run([probe])
    problems = compare("entries of two runs", len(cache.entries()), 1)
    later = time.time() + 10
    for changed in (os.path.join("bin", "lunaticc-compile"), os.path.join("lib", "lunaticc", "liblunatic_runtime.a")):
        before = len(cache.entries())
        later += 10
        os.utime(os.path.join(install, changed), (later, later))
        status, stdout, _ = cache.run([probe])
        problems += compare(f"exit status after {changed} changed", status, 0)
        problems += compare(f"new entries after {changed} changed", len(cache.entries()) - before, 1)
    checks.expect("a changed compiler or runtime archive makes a new entry", problems)


def check_concurrent(checks, lunaticc, probe, work):
    cache = Cache(lunaticc, work, "concurrent")
    modules = [probe] * 4 + [with_custom_section(probe, os.path.join(work, f"variant{i}.wasm"), f"variant {i}")
                             for i in range(3)]
    runs = [subprocess.Popen([lunaticc, "run", module, str(i)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=cache.env) for i, module in enumerate(modules)]
    problems = []
    for i, (module, process) in enumerate(zip(modules, runs)):
        stdout, stderr = process.communicate(timeout=300)
        problems += compare(f"run {i}", (process.returncode, stdout.decode(), stderr.decode()),
                            (0, probe_output(module, [str(i)]), ""))
    problems += compare("entries", len(cache.entries()), 4)
    problems += compare("strays", cache.strays(), [])
    # And each entry is whole: running them again is a hit that works.
    for i, module in enumerate(modules):
        status, stdout, _ = cache.run([module, "x"])
        problems += compare(f"run {i} again", (status, stdout), (0, probe_output(module, ["x"])))
    problems += compare("entries after running again", len(cache.entries()), 4)
    checks.expect("seven runs at once, four modules: all work, one whole entry each", problems)


def check_eviction_and_location(checks, lunaticc, probe, work):
    cache = Cache(lunaticc, work, "evicted")
    other = with_custom_section(probe, os.path.join(work, "other.wasm"), "other")
    cache.run([probe])
    first = cache.entries()
    status, stdout, _ = cache.run([other], env={"LUNATICC_CACHE_SIZE": "1K"})
    entries = cache.entries()
    problems = compare("exit status", status, 0) + compare("stdout", stdout, probe_output(other, []))
    problems += compare("entries", len(entries), 1)
    problems += [] if not set(first) & set(entries) else ["the least recently used entry stayed"]
    checks.expect("LUNATICC_CACHE_SIZE: the least recently used entries go", problems)

    home = os.path.join(work, "home")
    xdg = os.path.join(work, "xdg")
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(xdg, ignore_errors=True)
    os.makedirs(home)
    env = {k: v for k, v in cache.env.items() if k not in ("LUNATICC_CACHE_DIR", "XDG_CACHE_HOME")}
    for name, extra, where in (("~/.cache/lunaticc", {"HOME": home}, os.path.join(home, ".cache", "lunaticc")),
                               ("$XDG_CACHE_HOME/lunaticc", {"HOME": home, "XDG_CACHE_HOME": xdg},
                                os.path.join(xdg, "lunaticc"))):
        done = subprocess.run([lunaticc, "run", probe], capture_output=True, env=dict(env, **extra), timeout=300)
        problems = compare("exit status", done.returncode, 0)
        names = os.listdir(where) if os.path.isdir(where) else []
        problems += compare("entries there", len([n for n in names if ENTRY.match(n)]), 1)
        if os.path.isdir(where):
            problems += compare("its mode", oct(os.stat(where).st_mode & 0o777), oct(0o700))
        checks.expect(f"the cache defaults to {name}", problems)


def check_errors(checks, lunaticc, probe, work):
    cache = Cache(lunaticc, work, "errors")
    garbage = os.path.join(work, "garbage.wasm")
    with open(garbage, "wb") as f:
        f.write(b"\0asm\1\0\0\0\x01\xff")
    missing = os.path.join(work, "missing.wasm")
    cases = [
        ("no module", [], {}, "lunaticc: error: run wants a module: lunaticc run [OPTIONS] app.wasm [ARGS...]"),
        ("a missing module", [missing], {},
         f"lunaticc: error: {missing}: cannot read the file: No such file or directory"),
        ("an option run does not have", ["-o", "x", probe], {},
         "lunaticc: error: lunaticc run has no option -o (lunaticc run --help lists them)"),
        ("a bad size", [probe], {"LUNATICC_CACHE_SIZE": "lots"},
         "lunaticc: error: LUNATICC_CACHE_SIZE wants a number of bytes, with K, M or G if you like (500M, 2G), "
         "not 'lots'"),
    ]
    for name, args, env, message in cases:
        status, stdout, stderr = cache.run(args, env=env)
        problems = compare("exit status", status, 1) + compare("stdout", stdout, "")
        problems += compare("stderr", stderr, message + "\n")
        checks.expect(f"refused: {name}", problems)
    status, stdout, stderr = cache.run([garbage])
    problems = compare("exit status", status, 1) + compare("stdout", stdout, "")
    problems += [] if stderr.startswith(f"lunaticc: error: {garbage}: ") and stderr.count("\n") == 1 else [
        f"stderr is {stderr!r}"]
    problems += compare("entries", cache.entries(), {}) + compare("strays", cache.strays(), [])
    checks.expect("refused: a malformed module, leaving nothing in the cache", problems)


def time_cached_start(lunaticc, large, work):
    """Prints how long a cached run of `large` takes to start and end (--list: test mode lists
    and returns)."""
    cache = Cache(lunaticc, work, "timing")
    status, _, stderr = cache.run(["-O0", large, "--list"])
    if status != 0:
        print(f"note: cannot time {large}: {stderr}")
        return []
    times = []
    for _ in range(20):
        started = time.monotonic()
        cache.run(["-O0", large, "--list"])
        times.append(time.monotonic() - started)
    times.sort()
    size = os.path.getsize(large) // 1024
    print(f"cached run of a {size} KB module (lunaticc run {large} --list): median {times[10] * 1000:.1f} ms, "
          f"fastest {times[0] * 1000:.1f} ms")
    # Not a benchmark (the machine may be busy), but a compilation would take seconds.
    return [] if times[10] < 2 else [f"a cached run took {times[10]:.1f} s: it compiled"]


def main():
    lunaticc, probe, work = sys.argv[1:4]
    large = sys.argv[4] if len(sys.argv) > 4 else ""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    checks = Checks()
    check_pass_through(checks, lunaticc, probe, work)
    check_hits_and_misses(checks, lunaticc, probe, work)
    check_modules(checks, lunaticc, probe, work)
    check_compiler_change(checks, lunaticc, probe, work)
    check_concurrent(checks, lunaticc, probe, work)
    check_eviction_and_location(checks, lunaticc, probe, work)
    check_errors(checks, lunaticc, probe, work)
    if large and os.path.exists(large):
        checks.expect("a cached run of a large module starts without compiling", time_cached_start(lunaticc, large, work))
    print(f"run mode: {checks.passed} passed, {checks.failed} failed")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
