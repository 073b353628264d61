#!/usr/bin/env python3
"""lunaticc installed and packaged (tools/packaging.cmake), tried as a new user would.

- `cmake --install BUILD --prefix P` gives P/bin/lunaticc, the runtime archives, headers and
  guest SDK; the tree still works after it is moved elsewhere (lunaticc finds its runtime
  relative to itself): a guest built against P's SDK header compiles, as a program, as an
  HTTP server (--serve) and through `lunaticc run`, and runs;
- `lunaticc --version` names lunaticc's, LLVM's and Binaryen's versions and the targets,
  `lunaticc --help` lists every flag;
- `cpack` makes a .deb and a .tar.gz holding that tree; the .tar.gz, unpacked anywhere,
  compiles and runs the same guest, and the .deb installs its files under /usr with its
  dependencies declared.

Usage: install_test.py CMAKE CPACK BUILD_DIR WASM_CC HELLO_SOURCE GUEST_SOURCE WORKDIR
(HELLO_SOURCE: examples/hello; GUEST_SOURCE: a guest that uses the SDK, examples/ping_pong)
"""
import os
import re
import shutil
import subprocess
import sys
import tarfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, compare  # noqa: E402  (tests/checks.py)

# Every flag of `lunaticc --help` (tools/lunaticc_compile.cpp, tools/flags.cpp).
FLAGS = ["--help", "--version", "-o", "-O", "--entry", "--bounds-checks", "--cpu", "--strip",
         "--codegen-parts", "--no-preempt", "--serve", "--env", "--dir", "-c", "--module-symbol",
         "--emit-llvm", "--no-cache", "--timings"]
# What an installation holds, relative to its prefix.
INSTALLED = ["bin/lunaticc", "bin/lunaticc-compile", "lib/lunaticc/liblunatic_runtime.a",
             "lib/lunaticc/liblunatic_main.a", "lib/lunaticc/liblunatic_serve.a",
             "include/lunatic/embed.h", "share/lunaticc/sdk/c/lunatic.h"]
ROUND_TRIPS = "1000"
EXPECTED_OUTPUT = f"counter: {ROUND_TRIPS} after {ROUND_TRIPS} round trips"


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, timeout=600, **kwargs)
    return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")


def clean_environment(cache_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUNATICC_", "LUNATIC_"))}
    env["LUNATICC_CACHE_DIR"] = cache_dir
    return env


def build_wasm(wasm_cc, compile_args, wasm):
    """Compiles and links a guest as the README says, in two steps so that it keeps its name
    section (else lunaticc warns): (exit status, stderr) of the first step that fails."""
    status, _, stderr = run([wasm_cc, "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-c"] + compile_args +
                            ["-o", wasm + ".o"])
    if status == 0:
        status, _, stderr = run([wasm_cc, "--target=wasm32-wasi", "--sysroot=/usr", wasm + ".o", "-o", wasm])
    return status, stderr


def check_prefix(checks, name, prefix, wasm_cc, hello_source, guest_source, work):
    """The installation at `prefix` holds its files, compiles and runs hello, and a guest
    built against its own SDK header."""
    missing = [path for path in INSTALLED if not os.path.isfile(os.path.join(prefix, path))]
    checks.expect(f"{name}: holds the compiler, runtime, headers and SDK", compare("missing", missing, []))
    lunaticc = os.path.join(prefix, "bin", "lunaticc")
    env = clean_environment(os.path.join(work, name + "-cache"))
    hello_wasm, hello = os.path.join(work, name + "-hello.wasm"), os.path.join(work, name + "-hello")
    status, stderr = build_wasm(wasm_cc, [hello_source], hello_wasm)
    if status == 0:
        status, _, stderr = run([lunaticc, hello_wasm, "-o", hello], env=env)
    problems = compare("building hello", (status, stderr), (0, ""))
    if status == 0:
        problems += compare("hello's run", run([hello, "one"], env=env),
                            (0, "Hello from WebAssembly, compiled ahead of time by lunaticc!\nargument 1: one\n", ""))
    checks.expect(f"{name}: compiles and runs hello", problems)
    wasm = os.path.join(work, name + "-guest.wasm")
    status, stderr = build_wasm(wasm_cc, ["-I" + os.path.join(prefix, "share", "lunaticc", "sdk", "c"), guest_source], wasm)
    checks.expect(f"{name}: a guest builds against the installed SDK header", compare("clang", (status, stderr), (0, "")))
    for variant, flags in (("program", []), ("server", ["--serve"])):
        executable = os.path.join(work, f"{name}-{variant}")
        status, _, stderr = run([lunaticc, wasm, "-o", executable] + flags, env=env)
        checks.expect(f"{name}: compiles the guest as a {variant}", compare("lunaticc", (status, stderr), (0, "")))
    status, stdout, stderr = run([os.path.join(work, f"{name}-program"), ROUND_TRIPS], env=env)
    checks.expect(f"{name}: the program runs",
                  compare("exit status and first line", (status, stdout.splitlines()[:1]), (0, [EXPECTED_OUTPUT])))
    status, stdout, stderr = run([lunaticc, "run", wasm, ROUND_TRIPS], env=env)
    checks.expect(f"{name}: `lunaticc run` compiles and runs it",
                  compare("exit status and first line", (status, stdout.splitlines()[:1]), (0, [EXPECTED_OUTPUT])))


def check_version_and_help(checks, lunaticc):
    status, stdout, stderr = run([lunaticc, "--version"])
    lines = stdout.splitlines()
    problems = compare("exit status and stderr", (status, stderr), (0, ""))
    patterns = [r"lunaticc \d+\.\d+\.\d+", r"LLVM 19\.\d+\.\d+, Binaryen \d+", r"targets: .*x86_64-linux-gnu.*"]
    problems += compare("lines", len(lines), len(patterns))
    problems += [f"line {line!r} is not {pattern}" for line, pattern in zip(lines, patterns)
                 if not re.fullmatch(pattern, line)]
    checks.expect("--version names lunaticc, LLVM, Binaryen and the targets", problems)
    status, stdout, _ = run([lunaticc, "--help"])
    listed = set(re.findall(r"(?<![\w-])(--?[A-Za-z][a-z-]*)", stdout))
    checks.expect("--help lists every flag",
                  compare("exit status", status, 0) + compare("flags not listed", [f for f in FLAGS if f not in listed], []))


def check_packages(checks, cpack, build_dir, wasm_cc, hello_source, guest_source, work):
    packages = os.path.join(work, "packages")
    status, _, stderr = run([cpack, "--config", os.path.join(build_dir, "CPackConfig.cmake"), "-B", packages])
    made = sorted(name for name in os.listdir(packages) if name.endswith((".deb", ".tar.gz"))) if status == 0 else []
    checks.expect("cpack makes a .deb and a .tar.gz",
                  compare("exit status", status, 0) + compare("packages' kinds", [os.path.splitext(m)[1] for m in made], [".deb", ".gz"]))
    if len(made) != 2:
        return
    deb, tarball = (os.path.join(packages, name) for name in made)
    status, contents, _ = run(["dpkg-deb", "--contents", deb])
    in_deb = set(re.findall(r"\./(usr/\S+)", contents))
    status_info, info, _ = run(["dpkg-deb", "--field", deb, "Depends"])
    problems = compare("missing under /usr", [p for p in INSTALLED if "usr/" + p not in in_deb], [])
    problems += compare("dpkg-deb", (status, status_info), (0, 0))
    problems += [] if "binaryen" in info and "libc6-dev" in info else [f"Depends is {info.strip()!r}"]
    checks.expect("the .deb installs the tree under /usr and declares its dependencies", problems)
    unpacked = os.path.join(work, "unpacked")
    with tarfile.open(tarball) as archive:
        archive.extractall(unpacked)
    roots = os.listdir(unpacked)
    checks.expect("the .tar.gz holds one directory", compare("entries", len(roots), 1))
    if len(roots) == 1:
        check_prefix(checks, "tarball", os.path.join(unpacked, roots[0]), wasm_cc, hello_source, guest_source, work)


def main():
    cmake, cpack, build_dir, wasm_cc, hello_source, guest_source, work = sys.argv[1:8]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    checks = Checks()
    installed, moved = os.path.join(work, "installed"), os.path.join(work, "moved")
    status, _, stderr = run([cmake, "--install", build_dir, "--prefix", installed, "--strip"])
    checks.expect("cmake --install succeeds", compare("exit status", (status, stderr), (0, "")))
    os.rename(installed, moved)
    check_prefix(checks, "moved installation", moved, wasm_cc, hello_source, guest_source, work)
    check_version_and_help(checks, os.path.join(moved, "bin", "lunaticc"))
    check_packages(checks, cpack, build_dir, wasm_cc, hello_source, guest_source, work)
    print(f"install: {checks.passed} passed, {checks.failed} failed")
    shutil.rmtree(work, ignore_errors=True)  # some 400 MB of copies
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
