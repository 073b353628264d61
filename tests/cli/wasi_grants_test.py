#!/usr/bin/env python3
"""What an executable's root process is granted (wasi/grants.h).

- lunaticc refuses malformed --env and --dir flags with one error line and no output;
- the root process sees its arguments untouched, exactly the variables granted by --env and
  LUNATIC_ENV_<KEY> (a later grant of a key replaces an earlier one; nothing else of the
  host's environment), and the directories of --dir and LUNATIC_DIRS under their guest
  names; it can hand a child only directories inside those;
- a grant the executable cannot honour stops it before it starts: exit status 1 and one line
  `lunatic: error: ...`;
- `:ro` grants a directory read-only, alike in --dir and LUNATIC_DIRS (`HOST::ro` names a
  guest directory "ro");
- a granted directory is opened once, at start-up: replaced by a symlink to the host's /etc
  afterwards, it still leads a child spawned later to the directory granted (issue 22), and
  requests to a --serve executable too.

Usage: wasi_grants_test.py LUNATICC PROBE_WASM WORKDIR
"""
import http.client
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks, compare  # noqa: E402  (tests/checks.py)

FLAG_ERRORS = {
    "env-without-equals": (["--env", "NOEQUALS"], "--env wants KEY=VALUE, not 'NOEQUALS'"),
    "env-without-key": (["--env", "=value"], "--env wants KEY=VALUE, not '=value'"),
    "dir-without-host": (["--dir", "::/guest"], "--dir wants HOST, HOST::GUEST or either with :ro, not '::/guest'"),
    "dir-without-guest": (["--dir", "/tmp::"], "--dir wants HOST, HOST::GUEST or either with :ro, not '/tmp::'"),
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


def check_read_only(checks, lunaticc, probe, work):
    """`:ro` in --dir and in LUNATIC_DIRS grants no right to write; `HOST::ro` is a name."""
    d = {name: os.path.join(work, name) for name in ("ro1", "named-ro", "ro2", "rw2")}
    exe = os.path.join(work, "probe-read-only")
    compile_probe(lunaticc, probe, exe, ["--dir", d["ro1"] + "::/ro1:ro", "--dir", d["named-ro"] + "::/ro"])
    grants = {"LUNATIC_DIRS": f"{d['ro2']}::/ro2:ro:{d['rw2']}::/rw2"}
    args = ["write=/ro1/x", "write=/ro/x", "write=/ro2/x", "write=/rw2/x"]
    status, stdout, stderr = run([exe] + args, env=host_environment(grants), cwd=work)
    writes = [line for line in stdout.splitlines() if line.startswith("write")]
    problems = compare("exit status", status, 0) + compare("stderr", stderr, "")
    problems += compare("writes", writes, ["write /ro1/x: Capabilities insufficient", "write /ro/x: ok",
                                           "write /ro2/x: Capabilities insufficient", "write /rw2/x: ok"])
    checks.expect("read-only: --dir HOST::GUEST:ro and LUNATIC_DIRS HOST::GUEST:ro", problems)


def check_swapped_after_start(checks, exe, work):
    """The host directory of a grant, replaced by a symlink to /etc after start-up, while the
    guest waits: a child spawned afterwards, inheriting the view, still sees the directory
    granted (now box.old), not /etc."""
    box = os.path.join(work, "box")
    with open(os.path.join(box, "marker"), "w", encoding="utf-8") as f:
        f.write("granted\n")
    grants = {"LUNATIC_DIRS": f"{box}::/data"}
    program = subprocess.Popen([exe, "wait", "read=/data/marker", "read=/data/passwd"], cwd=work,
                               env=host_environment(grants), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    problems = []
    try:
        deadline = time.monotonic() + 60
        while program.stdout.readline() != b"waiting\n":
            if time.monotonic() > deadline or program.poll() is not None:
                problems.append("the probe never said it was waiting")
                break
        os.rename(box, box + ".old")
        os.symlink("/etc", box)
        stdout, stderr = program.communicate(b"go\n", timeout=60)
    finally:
        program.kill()
    reads = [line for line in stdout.decode(errors="replace").splitlines() if line.startswith("read")]
    problems += compare("exit status", program.returncode, 0) + compare("stderr", stderr.decode(errors="replace"), "")
    problems += compare("reads", reads, ["read /data/marker: granted",
                                         "read /data/passwd: No such file or directory"])
    checks.expect("a granted directory replaced by a symlink after start-up", problems)


def check_served_swapped(checks, lunaticc, probe, work):
    """--serve opens its directories once, at start-up: requests after the host replaced one
    with a symlink to /etc still see the directory granted."""
    box = os.path.join(work, "served-box")
    with open(os.path.join(box, "marker"), "w", encoding="utf-8") as f:
        f.write("served\n")
    exe = os.path.join(work, "probe-served")
    compile_probe(lunaticc, probe, exe, ["--serve", "--dir", box + "::/data"])
    server = subprocess.Popen([exe, "--listen", "127.0.0.1:0"], cwd=work, env=host_environment({}),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    problems, bodies = [], []
    try:
        banner = server.stderr.readline().decode(errors="replace")
        port = banner.split("http://127.0.0.1:")[1].split("/")[0] if "http://127.0.0.1:" in banner else None
        if port is None:
            problems.append(f"the server did not say where it listens: {banner!r}")
        else:
            def get(path):
                connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
                connection.request("GET", "/?" + path)
                body = connection.getresponse().read().decode(errors="replace")
                connection.close()
                return [line for line in body.splitlines() if line.startswith("read")]
            bodies += get("/data/marker")
            os.rename(box, box + ".old")
            os.symlink("/etc", box)
            bodies += get("/data/marker") + get("/data/passwd")
    finally:
        server.kill()
        server.wait()
    problems += compare("reads", bodies, ["read /data/marker: served", "read /data/marker: served",
                                          "read /data/passwd: No such file or directory"])
    checks.expect("--serve: a granted directory replaced by a symlink between requests", problems)


def main():
    lunaticc, probe, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    for name in ("d1/sub", "d2", "d3", "d4", "rel", "ro1", "named-ro", "ro2", "rw2", "box", "served-box"):
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
    check_read_only(checks, lunaticc, probe, work)
    check_swapped_after_start(checks, exe, work)
    check_served_swapped(checks, lunaticc, probe, work)
    print(f"wasi-grants: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
