#!/usr/bin/env python3
"""Test mode (runtime/test_mode/): an executable built from a module with tests runs them as
upstream Lunatic's test mode does and answers as Rust's libtest.

guest_tests.c holds tests of every kind (passing, failing by trap, exit or panic, should-panic
with and without a message, escaped '#', Rust's newer panic format, ignored, two that only
pass when they run at once with registries of their own, children writing into the capture,
a flood of output). This script runs its executable with libtest's arguments and checks the
verdicts, the output format, the exit statuses, filters, --list and the refusals; then, when
the lunatic-rs corpus is there, the udp tests of lunatic-rs itself.

Usage: test_mode_test.py LUNATICC GUEST_WASM WORKDIR [LUNATIC_RS_DIR]
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, compare  # noqa: E402  (tests/checks.py)

ALL_TESTS = {  # path: how it ends when run with the default options
    "basic::exits_zero": "ok",
    "basic::fails_with_exit": "FAILED",
    "basic::fails_with_trap": "FAILED",
    "basic::ignored": "ignored",
    "basic::panics": "FAILED",
    "basic::passes": "ok",
    "capture::children": "FAILED",
    "capture::floods": "ok",
    "capture::leaves_child_running": "ok",
    "isolation::first": "ok",
    "isolation::second": "ok",
    "should_panic::any_exit": "ok",
    "should_panic::any_trap": "ok",
    "should_panic::does_not_panic": "FAILED",
    "should_panic::escaped_hash": "ok",
    "should_panic::ignored_too": "ignored",
    "should_panic::new_format": "ok",
    "should_panic::trap_without_message": "FAILED",
    "should_panic::with_message": "ok",
    "should_panic::wrong_message": "FAILED",
    "view::upstream_view": "ok",
}
RESULT_LINE = re.compile(r"^test result: (ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored; 0 measured; "
                         r"(\d+) filtered out; finished in \d+\.\d\ds$")


def run(argv, cwd, env=None, timeout=120):
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, cwd=cwd, env=env, timeout=timeout)
    return (done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"),
            time.monotonic() - started)


def contains(what, text, part):
    return [] if part in text else [f"{what} lacks {part!r}:\n{text}"]


def result_line(path, outcome):
    should_panic = path.startswith("should_panic::") and outcome != "ignored"
    return f"test {path}{' - should panic' if should_panic else ''} ... {outcome}"


def summary(stdout, outcome, passed, failed, ignored, filtered):
    """Problems with libtest's last lines: the result line, then an empty line."""
    lines = stdout.split("\n")
    if len(lines) < 3 or lines[-1] != "" or lines[-2] != "":
        return [f"stdout does not end with the result line and an empty line:\n{stdout}"]
    match = RESULT_LINE.match(lines[-3])
    if not match:
        return [f"the result line is {lines[-3]!r}"]
    return compare("the result", match.groups(), (outcome, str(passed), str(failed), str(ignored), str(filtered)))


def section(stdout, path):
    """What the failures (or successes) part shows of a test's output."""
    start = stdout.find(f"---- {path} stdout ----\n")
    if start < 0:
        return None
    start = stdout.index("\n", start) + 1
    end = min(i for i in (stdout.find("\n---- ", start), stdout.find("\nfailures:\n", start),
                          stdout.find("\nsuccesses:\n", start), len(stdout)) if i >= 0)
    return stdout[start:end]


class Runner:
    def __init__(self, exe, work):
        self.exe, self.work = exe, work
        self.env = dict(os.environ, TEST_MODE_MARKER="from the host")
        self.env.pop("RUST_TEST_THREADS", None)
        self.env.pop("RUST_TEST_NOCAPTURE", None)

    def __call__(self, *args, env=None):
        """Runs the executable in a fresh working directory, with a probe file in it."""
        cwd = os.path.join(self.work, "cwd")
        shutil.rmtree(cwd, ignore_errors=True)
        os.makedirs(cwd)
        with open(os.path.join(cwd, "probe.txt"), "w", encoding="utf-8") as f:
            f.write("probe\n")
        return run([self.exe] + list(args), cwd, dict(self.env, **(env or {})))


def check_everything(checks, tests):
    status, stdout, stderr, seconds = tests()
    problems = compare("exit status", status, 101) + compare("stderr", stderr, "")
    problems += compare("the first lines", stdout.split("\n")[:2], ["", f"running {len(ALL_TESTS)} tests"])
    lines = [line for line in stdout.split("\n") if line.startswith("test ") and " ... " in line]
    problems += compare("the results", sorted(lines), sorted(result_line(p, o) for p, o in ALL_TESTS.items()))
    problems += summary(stdout, "FAILED", 12, 7, 2, 0)
    failed = sorted(p for p, o in ALL_TESTS.items() if o == "FAILED")
    problems += contains("stdout", stdout, "\nfailures:\n" + "".join(f"    {p}\n" for p in failed) + "\ntest result:")
    if "hello from passes" in stdout:
        problems.append("a passing test's output is shown")
    if seconds > 40:
        problems.append(f"the run took {seconds:.0f} s: a child left running held its test up")
    checks.expect("all tests: verdicts, format, exit status 101", problems)

    notes = {
        "basic::fails_with_trap": ["about to trap\n", "note: the test failed with trap: unreachable\n  at "],
        "basic::fails_with_exit": ["note: the test exited with status 3"],
        "basic::panics": ["thread 'main' panicked at 'assertion failed: left == right', tests/basic.rs:9:5\n"],
        "should_panic::does_not_panic": ["returning normally\nnote: test did not panic as expected"],
        "should_panic::trap_without_message": [
            "note: a panic with a message containing \"needs text\" was expected, but there was no panic "
            "message: the test failed with trap: unreachable\n  at "],
        "should_panic::wrong_message": [
            "note: panic did not contain expected string\n      panic message: `\"a fizzle\"`,\n"
            " expected substring: `\"boom\"`"],
        # Children write into the test's capture: inheriting its view, with a new config, and
        # the runtime's line about one that failed.
        "capture::children": ["written by the child\n" * 2, "lunatic: process ", " failed: unreachable",
                              "the root is done\n"],
    }
    for path, parts in notes.items():
        output = section(stdout, path)
        if output is None:
            checks.expect(f"output of {path}", [f"no section for it:\n{stdout}"])
            continue
        problems = []
        for part in parts:
            problems += contains("its section", output, part)
        if path == "basic::panics" and "note:" in output:
            problems.append("a note is added to a test whose panic says why it failed")
        checks.expect(f"output of {path}", problems)


def check_selection(checks, tests):
    total = len(ALL_TESTS)
    cases = [  # (name, args, results, passed, ignored)
        ("filters: substrings, any of several", ["basic::passes", "should_panic::any"],
         ["basic::passes", "should_panic::any_exit", "should_panic::any_trap"], 3, 0),
        ("--exact: a whole path", ["--exact", "basic::passes"], ["basic::passes"], 1, 0),
        ("--exact: no substring", ["--exact", "basic::pass"], [], 0, 0),
        ("--skip", ["basic::", "--skip", "fails", "--skip=panics"],
         ["basic::exits_zero", "basic::ignored", "basic::passes"], 2, 1),
        ("--ignored: only ignored tests, run", ["--ignored"], ["basic::ignored", "should_panic::ignored_too"], 2, 0),
        ("--include-ignored", ["--include-ignored", "basic::ignored", "basic::passes"],
         ["basic::ignored", "basic::passes"], 2, 0),
        ("--exclude-should-panic", ["--exclude-should-panic", "should_panic"], [], 0, 0),
        ("registries of their own, tests at once", ["isolation::"], ["isolation::first", "isolation::second"], 2, 0),
        ("--test-threads=1", ["--test-threads=1", "basic::passes", "basic::exits_zero", "basic::ignored"],
         ["basic::exits_zero", "basic::ignored", "basic::passes"], 2, 1),
        ("--bench: tests are not run", ["--bench", "basic::passes"], ["basic::passes"], 0, 1),
        ("what a test sees", ["view::"], ["view::upstream_view"], 1, 0),
    ]
    for name, args, paths, passed, ignored in cases:
        status, stdout, stderr, _ = tests(*args)
        expected = []
        for path in paths:
            outcome = "ignored" if ("--bench" in args or (ALL_TESTS[path] == "ignored" and "--ignored" not in args
                                                           and "--include-ignored" not in args)) else "ok"
            expected.append(f"test {path}{' - should panic' if path.startswith('should_panic') and outcome != 'ignored' else ''} ... {outcome}")
        lines = [line for line in stdout.split("\n") if line.startswith("test ") and " ... " in line]
        problems = compare("exit status", status, 0) + compare("stderr", stderr, "")
        problems += compare("the results", sorted(lines), sorted(expected))
        problems += contains("stdout", stdout, f"\nrunning {len(paths)} test{'' if len(paths) == 1 else 's'}\n")
        problems += summary(stdout, "ok", passed, 0, ignored, total - len(paths))
        checks.expect(name, problems)


def check_output_options(checks, tests):
    status, stdout, stderr, _ = tests("--nocapture", "basic::passes")
    problems = compare("exit status", status, 0) + contains("stdout", stdout, "hello from passes\n")
    checks.expect("--nocapture: output goes straight through", problems)

    status, stdout, _, _ = tests("basic::passes", env={"RUST_TEST_NOCAPTURE": "1"})
    checks.expect("RUST_TEST_NOCAPTURE=1", compare("exit status", status, 0) + contains("stdout", stdout, "hello from passes\n"))

    status, stdout, _, _ = tests("--ignored", "--show-output", "basic::")
    problems = compare("exit status", status, 0)
    problems += contains("stdout", stdout, "\nsuccesses:\n\n---- basic::ignored stdout ----\nthe ignored test ran\n\n"
                         "\nsuccesses:\n    basic::ignored\n")
    checks.expect("--show-output: the output of successes", problems)

    status, stdout, _, _ = tests("--show-output", "capture::floods")
    problems = compare("exit status", status, 0)
    problems += contains("stdout", stdout, "note: the test wrote more than 64 MiB of output: what it wrote past that failed")
    if len(stdout) > (65 << 20):
        problems.append(f"{len(stdout)} bytes of output were kept")
    checks.expect("a flood of output is cut at the capture's limit", problems)

    status, stdout, _, _ = tests("-q", "basic::")
    dots = [line for line in stdout.split("\n") if line and set(line) <= set(".Fi")]
    problems = compare("exit status", status, 101)
    problems += compare("the result characters", sorted("".join(dots)), sorted("..FFFi"))
    problems += summary(stdout, "FAILED", 2, 3, 1, len(ALL_TESTS) - 6)
    checks.expect("-q: terse output", problems)

    status, stdout, _, _ = tests("--color", "always", "basic::passes")
    problems = contains("stdout", stdout, "test basic::passes ... \x1b[32mok\x1b[0m\n")
    problems += contains("stdout", stdout, "test result: \x1b[32mok\x1b[0m. 1 passed")
    checks.expect("--color always", problems)

    log = os.path.join(tests.work, "results.log")
    status, stdout, _, _ = tests("--logfile", log, "basic::passes", "basic::fails_with_exit", "basic::ignored")
    with open(log, encoding="utf-8") as f:
        logged = sorted(f.read().splitlines())
    problems = compare("exit status", status, 101)
    problems += compare("the log", logged, ["failed basic::fails_with_exit", "ignored basic::ignored", "ok basic::passes"])
    checks.expect("--logfile", problems)


def check_list(checks, tests):
    status, stdout, stderr, _ = tests("--list")
    expected = "".join(f"{p}: test\n" for p in sorted(ALL_TESTS)) + f"\n{len(ALL_TESTS)} tests, 0 benchmarks\n"
    checks.expect("--list", compare("exit status", status, 0) + compare("stdout", stdout, expected)
                  + compare("stderr", stderr, ""))
    status, stdout, _, _ = tests("--list", "--ignored")
    expected = "basic::ignored: test\nshould_panic::ignored_too: test\n\n2 tests, 0 benchmarks\n"
    checks.expect("--list --ignored", compare("exit status", status, 0) + compare("stdout", stdout, expected))
    status, stdout, _, _ = tests("--list", "--format=terse", "--exact", "basic::passes")
    checks.expect("--list --format=terse", compare("stdout", stdout, "basic::passes: test\n"))
    status, stdout, _, _ = tests("--list", "nothing matches this")
    checks.expect("--list of nothing", compare("stdout", stdout, "0 tests, 0 benchmarks\n"))


def check_refusals(checks, tests):
    cases = [
        (["--frobnicate"], {}, "Unrecognized option: 'frobnicate'"),
        (["-x"], {}, "Unrecognized option: 'x'"),
        (["--ignored", "--include-ignored"], {}, "the options --include-ignored and --ignored are mutually exclusive"),
        (["--test-threads", "0"], {}, "argument for --test-threads must be a number > 0 (was 0)"),
        (["--test-threads"], {}, "Argument to option 'test-threads' missing"),
        (["--format", "json"], {}, "the \"json\" format is not supported by lunaticc's test mode"),
        (["--color", "sometimes"], {}, "argument for --color must be auto, always, or never (was sometimes)"),
        ([], {"RUST_TEST_THREADS": "many"}, "RUST_TEST_THREADS is `many`, should be a positive integer."),
    ]
    for args, env, message in cases:
        status, stdout, stderr, _ = tests(*args, env=env)
        problems = compare("exit status", status, 101) + compare("stdout", stdout, "")
        problems += compare("stderr", stderr, f"error: {message}\n")
        checks.expect(f"refused: {' '.join(args) or env}", problems)
    status, stdout, _, _ = tests("--help")
    checks.expect("--help", compare("exit status", status, 0) + contains("stdout", stdout, "[OPTIONS] [FILTERS...]"))
    # Flags libtest accepts that change nothing here.
    status, stdout, _, _ = tests("-Z", "unstable-options", "--report-time", "--shuffle", "--test", "basic::passes")
    checks.expect("accepted without effect: -Z, --report-time, --shuffle, --test",
                  compare("exit status", status, 0) + summary(stdout, "ok", 1, 0, 0, len(ALL_TESTS) - 1))


def check_entry(checks, lunaticc, guest, work):
    """--entry _start runs the module as a program, not its tests."""
    exe = os.path.join(work, "guest_start")
    status, _, stderr, _ = run([lunaticc, guest, "--entry", "_start", "-o", exe], work)
    if status != 0:
        checks.expect("--entry _start", [f"lunaticc failed: {stderr}"])
        return
    status, stdout, stderr, _ = run([exe, "--list"], work)
    checks.expect("--entry _start runs main, not the tests",
                  compare("exit status", status, 0) + compare("stdout", stdout, "main ran\n"))


def check_cargo_runner(checks, lunaticc, guest, work):
    """As cargo test runs a test binary with lunaticc run as its runner: libtest's arguments
    after the module, test mode chosen by the module's exports."""
    env = dict(os.environ, LUNATICC_CACHE_DIR=os.path.join(work, "cache"), TEST_MODE_MARKER="from the host")
    cwd = os.path.join(work, "cargo-cwd")
    os.makedirs(cwd, exist_ok=True)
    for args, status_wanted, result in ((["--exact", "basic::passes"], 0, ("ok", 1, 0, 0, len(ALL_TESTS) - 1)),
                                        (["basic::fails"], 101, ("FAILED", 0, 2, 0, len(ALL_TESTS) - 2))):
        status, stdout, stderr, _ = run([lunaticc, "run", guest] + args, cwd, env)
        problems = compare("exit status", status, status_wanted) + compare("stderr", stderr, "")
        problems += summary(stdout, *result)
        checks.expect(f"lunaticc run {os.path.basename(guest)} {' '.join(args)}", problems)


def check_lunatic_rs(checks, lunaticc, corpus, work):
    """lunatic-rs's own udp tests, compiled without --entry, run in test mode."""
    wasm = os.path.join(corpus, "tests", "udp.wasm")
    exe = os.path.join(work, "udp")
    status, _, stderr, _ = run([lunaticc, wasm, "-O1", "-o", exe], work, timeout=300)
    if status != 0:
        checks.expect("lunatic-rs udp tests", [f"lunaticc failed: {stderr}"])
        return
    cwd = os.path.join(work, "udp-cwd")
    os.makedirs(cwd, exist_ok=True)
    status, stdout, stderr, _ = run([exe], cwd)
    lines = [line for line in stdout.split("\n") if line.startswith("test ") and " ... " in line]
    problems = compare("exit status", status, 0) + compare("the number of results", len(lines), 8)
    problems += [f"not ok: {line}" for line in lines if not line.endswith(" ... ok")]
    problems += summary(stdout, "ok", 8, 0, 0, 0)
    checks.expect("lunatic-rs udp tests, all at once", problems)
    status, stdout, _, _ = run([exe, "--list", "udp_ttl"], cwd)
    checks.expect("lunatic-rs udp tests: --list with a filter",
                  compare("stdout", stdout, "udp::udp_ttl_setter_getter: test\n\n1 test, 0 benchmarks\n"))


def main():
    lunaticc, guest, work = sys.argv[1:4]
    corpus = sys.argv[4] if len(sys.argv) > 4 else ""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    exe = os.path.join(work, "guest_tests")
    status, _, stderr, _ = run([lunaticc, guest, "-o", exe], work)
    if status != 0:
        sys.exit(f"cannot compile {guest}: {stderr}")
    tests = Runner(exe, work)
    checks = Checks()
    check_everything(checks, tests)
    check_selection(checks, tests)
    check_output_options(checks, tests)
    check_list(checks, tests)
    check_refusals(checks, tests)
    check_entry(checks, lunaticc, guest, work)
    check_cargo_runner(checks, lunaticc, guest, work)
    if corpus and os.path.isdir(corpus):
        check_lunatic_rs(checks, lunaticc, corpus, work)
    else:
        print("note: no lunatic-rs corpus: its udp tests were not run")
    print(f"test mode: {checks.passed} passed, {checks.failed} failed")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
