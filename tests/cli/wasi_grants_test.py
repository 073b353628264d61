#!/usr/bin/env python3
"""What an executable's root process is granted (runtime/wasi_grants.h).

- lunaticc refuses malformed --env and --dir flags with one error line and no output;
- the root process sees its arguments untouched, exactly the variables granted by --env and
  LUNATIC_ENV_<KEY> (a later grant of a key replaces an earlier one; nothing else of the
  host's environment), and the directories of --dir and LUNATIC_DIRS under their guest
  names; it can hand a child only directories inside those;
- a grant the executable cannot honour stops it before it starts: exit status 1 and one line
  `lunatic: error: ...`.

Usage: wasi_grants_test.py LUNATICC PROBE_WASM WORKDIR
"""
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, compare  # noqa: E402  (tests/checks.py)

FLAG_ERRORS = {
    "env-without-equals": (["--env", "NOEQUALS"], "--env wants KEY=VALUE, not 'NOEQUALS'"),
    "env-without-key": (["--env", "=value"], "--env wants KEY=VALUE, not '=value'"),
    "dir-without-host": (["--dir", "::/guest"], "--dir wants HOST or HOST::GUEST, not '::/guest'"),
    "dir-without-guest": (["--dir", "/tmp::"], "--dir wants HOST or HOST::GUEST, not '/tmp::'"),
    "grants-with-c": (["-c", "--env", "A=1"], "--env and --dir grant an executable's root process: "
                      "they do not go with -c"),
}


def run(argv, env=None, cwd=None):
    done = subprocess.run(argv, capture_output=True, env=env, cwd=cwd, timeout=120)
    return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")


def check_flag_errors(checks, lunaticc, probe, work):
    for name, (flags, reason) in FLAG_ERRORS.items():
        output = os.path.join(work, name + ".out")
        status, _, stderr = run([lunaticc] + flags + [probe, "-o", output])
        problems = compare("exit status", status, 1)
        problems += compare("stderr", stderr, f"lunaticc: error: {reason}\n")
        if os.path.exists(output):
            problems.append("an output file was written")
        checks.expect(name, problems)


def compile_probe(lunaticc, probe, output, flags):
    status, _, stderr = run([lunaticc] + flags + [probe, "-o", output])
    if status != 0:
        sys.exit(f"cannot compile the probe with {flags}: {stderr}")


def host_environment(grants):
    """A host environment with variables that must not reach the guest, and `grants`."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nowhere", "SECRET": "hidden", **grants}


def check_granted(checks, exe, work):
    """Flags and variables add up; the guest sees exactly what they grant."""
    d = {name: os.path.join(work, name) for name in ("d1", "d2", "d3", "d4")}
    args = ["x", "y z", "dir=" + d["d1"] + "/sub", "dir=/data", "dir=rel", "dir=/three", "dir=" + d["d4"]]
    grants = {"LUNATIC_ENV_C": "3", "LUNATIC_ENV_A": "run",
              # empty entries, as PATH may have, are skipped
              "LUNATIC_DIRS": f":{d['d3']}::/three:{d['d4']}:"}
    status, stdout, stderr = run([exe] + args, env=host_environment(grants), cwd=work)
    expected = [f"arg: {a}" for a in [exe] + args]
    expected += ["env: A=run", "env: B=two words", "env: C=3"]
    expected += [f"preopened {a[4:]}" for a in args if a.startswith("dir=")]
    problems = compare("exit status", status, 0) + compare("stderr", stderr, "")
    problems += compare("stdout", stdout.splitlines(), expected)
    checks.expect("granted: arguments, --env + LUNATIC_ENV_*, --dir + LUNATIC_DIRS", problems)

    # The root process fails as on a trap, with the host function's reason for its kind.
    status, stdout, stderr = run([exe, "dir=/etc"], env=host_environment({}), cwd=work)
    problems = compare("exit status", status, 134)
    problems += compare("stderr's first line", stderr.splitlines()[:1],
                        ["trap: config_preopen_dir: /etc: not inside a directory this process was granted"])
    checks.expect("refused: a directory outside the root's", problems)


def check_startup_errors(checks, exe, unbuilt_dir_exe, work):
    """Grants that cannot be honoured stop the executable before the guest runs."""
    missing, file = os.path.join(work, "missing"), os.path.join(work, "file")
    d1 = os.path.join(work, "d1")
    cases = {
        "LUNATIC_DIRS of a missing directory": (
            exe, {"LUNATIC_DIRS": missing},
            f"directory '{missing}' (granted by LUNATIC_DIRS): No such file or directory"),
        "LUNATIC_DIRS of a file": (
            exe, {"LUNATIC_DIRS": file}, f"directory '{file}' (granted by LUNATIC_DIRS): not a directory"),
        "LUNATIC_DIRS with an empty guest name": (
            exe, {"LUNATIC_DIRS": d1 + ":::/x"},
            f"directory '{d1}' (granted by LUNATIC_DIRS): a directory grant needs a host directory "
            "and a guest name"),
        "LUNATIC_ENV_ without a key": (
            exe, {"LUNATIC_ENV_": "x"},
            "LUNATIC_ENV_ names no variable (LUNATIC_ENV_<KEY>=<value> grants KEY=value)"),
        "--dir of a directory missing at run time": (
            unbuilt_dir_exe, {}, f"directory '{missing}' (granted by --dir): No such file or directory"),
    }
    for name, (program, grants, reason) in cases.items():
        status, stdout, stderr = run([program], env=host_environment(grants), cwd=work)
        problems = compare("exit status", status, 1) + compare("stdout", stdout, "")
        problems += compare("stderr", stderr, f"lunatic: error: {reason}\n")
        checks.expect(name, problems)


def main():
    lunaticc, probe, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    for name in ("d1/sub", "d2", "d3", "d4", "rel"):
        os.makedirs(os.path.join(work, name))
    with open(os.path.join(work, "file"), "w", encoding="utf-8") as f:
        f.write("not a directory\n")

    checks = Checks()
    check_flag_errors(checks, lunaticc, probe, work)
    exe = os.path.join(work, "probe")
    # --env first: the flags must not take the input file for one of their values.
    compile_probe(lunaticc, probe, exe, ["--env", "A=1", "--env", "B=two words", "--env", "A=again",
                                         "--dir", os.path.join(work, "d1"),
                                         "--dir", os.path.join(work, "d2") + "::/data", "--dir", "rel"])
    check_granted(checks, exe, work)
    unbuilt_dir_exe = os.path.join(work, "probe-missing-dir")
    compile_probe(lunaticc, probe, unbuilt_dir_exe, ["--dir", os.path.join(work, "missing")])
    check_startup_errors(checks, exe, unbuilt_dir_exe, work)
    print(f"wasi-grants: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
