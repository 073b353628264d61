#!/usr/bin/env python3
"""Process benchmarks: Erlang, Go, lunatic (C), lunatic-rs and AssemblyScript side by side.

Runs every benchmark (spawn, skynet, ring, pingpong, idle; see README.md) in every
available implementation, RUNS times, interleaved (the order of the implementations rotates
from one run to the next), and prints the median of each figure per benchmark and
implementation with ratios to Erlang and to Go, then the command line of every run.

Implementations:
  erlang   bench/processes/erlang/bench_<name>.erl, compiled with erlc into the build
           directory, run as `erl -noshell +S 2 +P 2000000 -run bench_<name> main ARGS`
  go       bench/processes/go/bench_<name>.go, `GO111MODULE=off go build` of the one file,
           run with GOMAXPROCS=2
  lunatic  executables DIR/bench-<name> given by --lunatic-bin DIR, run with the same ARGS
  baseline the same from another build, given by --baseline-bin DIR (a change is measured
           side by side with the code before it: the table adds lunatic/baseline)
  lunatic-metrics
           the --lunatic-bin executables with their metrics endpoint on and never scraped
           (LUNATIC_METRICS_LISTEN=127.0.0.1:0), with --with-metrics: the table adds
           lunatic-metrics/lunatic, what recording the runtime's figures costs
  lunatic-rs
           the benchmarks written with lunatic-rs (bench/processes/lunatic-rs: spawn and
           pingpong), built against the lunatic-rs 0.13 source given by --lunatic-rs DIR
           with Debian's cargo (`cargo build --release`, cargo's default linking), then
           compiled by --lunaticc (default build/bin/lunaticc) at its default -O2
  lunatic-rs-small
           the same linked as the C programs are (16 KiB stack, one 64 KiB page of
           initial memory), to tell the library's cost from that of a larger memory
  lunatic-as
           the benchmarks written in AssemblyScript with lunatic-as
           (bench/processes/assemblyscript), executables DIR/bench-as-<name> given by
           --lunatic-as-bin DIR (the build's bench/processes/assemblyscript): the table adds
           lunatic-as/lunatic
An implementation whose tool or executable is missing shows as "-". Every program prints
one line `RESULT <name> <seconds> <checksum> [key=value ...]`; a run that times out, exits
non-zero, prints no such line or a checksum other than the expected one is an error cell.

Usage: bench/processes/run.py RUNS [--only NAME,...] [--impls erlang,go,lunatic,...]
       [--lunatic-bin DIR] [--baseline-bin DIR] [--with-metrics] [--lunatic-rs DIR] [--lunaticc FILE]
       [--lunatic-as-bin DIR] [--markdown] [--timeout SECONDS] [--build-dir DIR]
       [--spawn-n N] [--skynet-leaves L] [--ring-procs P] [--ring-laps L]
       [--pingpong-n N] [--idle-n N]
"""
import argparse
import json
import os
import platform
import shlex
import signal
import shutil
import statistics
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BENCHMARKS = ["spawn", "skynet", "ring", "pingpong", "idle"]
IMPLS = ["erlang", "go", "lunatic", "baseline", "lunatic-metrics", "lunatic-rs", "lunatic-rs-small", "lunatic-as"]
METRICS_ENV = {"LUNATIC_METRICS_LISTEN": "127.0.0.1:0"}
ALWAYS_SHOWN = ["erlang", "go", "lunatic"]   # the others get a column only when they run
# lunatic-rs variant -> rustc flags. The small one is linked as bench/processes/lunatic's
# CMakeLists.txt links the C programs.
LUNATIC_RS_RUSTFLAGS = {
    "lunatic-rs": [],
    "lunatic-rs-small": ["-C", "link-arg=-zstack-size=16384", "-C", "link-arg=--initial-memory=65536"],
}
# Debian's, never a rustup one on PATH: bench/processes/lunatic-rs/.cargo/config.toml names
# Debian's rustc and its crates.
DEBIAN_CARGO = "/usr/bin/cargo"
ERL_FLAGS = ["-noshell", "+S", "2", "+P", "2000000"]
GOMAXPROCS = "2"


# --- what each benchmark takes, expects and reports ------------------------------------

def bench_args(name, o):
    return {
        "spawn": [o.spawn_n],
        "skynet": [o.skynet_leaves],
        "ring": [o.ring_procs, o.ring_laps],
        "pingpong": [o.pingpong_n],
        "idle": [o.idle_n],
    }[name]


def expected_checksum(name, o):
    if name == "skynet":
        return o.skynet_leaves * (o.skynet_leaves - 1) // 2
    if name == "ring":
        return o.ring_procs * o.ring_laps
    return bench_args(name, o)[0]


def figures(name, o):
    """Rows of the table: (label, function of a parsed result, lower is better)."""
    seconds = ("s", lambda r: r["seconds"], True)
    if name == "spawn":
        return [seconds, ("processes/s", lambda r: o.spawn_n / r["seconds"], False)]
    if name == "pingpong":
        return [seconds, ("us/round trip", lambda r: r["seconds"] * 1e6 / o.pingpong_n, True)]
    if name == "idle":
        return [("KiB/process", lambda r: float(r["extra"]["kib_per_process"]), True),
                ("s to spawn and block", lambda r: r["seconds"], True)]
    return [seconds]


# --- building and finding the implementations ------------------------------------------

class Impl:
    def __init__(self, name):
        self.name = name
        self.commands = {}   # benchmark -> (env dict, argv) without the size arguments
        self.problem = {}    # benchmark -> error text (a failed build)
        self.build_lines = []


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def build_erlang(build_dir, benches):
    impl = Impl("erlang")
    if not (shutil.which("erl") and shutil.which("erlc")):
        log("erlang: erl or erlc not found (tools/setup_bench.sh installs erlang-base); skipped")
        return None
    out = os.path.join(build_dir, "erlang")
    os.makedirs(out, exist_ok=True)
    for b in benches:
        src = os.path.join(HERE, "erlang", "bench_%s.erl" % b)
        cmd = ["erlc", "-o", out, src]
        impl.build_lines.append(shlex.join(cmd))
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            impl.problem[b] = "ERR: build"
            log("erlang %s: build failed:\n%s%s" % (b, p.stdout, p.stderr))
            continue
        impl.commands[b] = ({}, ["erl"] + ERL_FLAGS + ["-pa", out, "-run", "bench_" + b, "main"])
    return impl


def build_go(build_dir, benches):
    impl = Impl("go")
    if not shutil.which("go"):
        log("go: go not found (tools/setup_bench.sh installs golang-go); skipped")
        return None
    out = os.path.join(build_dir, "go")
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ, GO111MODULE="off")
    for b in benches:
        src = os.path.join(HERE, "go", "bench_%s.go" % b)
        exe = os.path.join(out, "bench-" + b)
        cmd = ["go", "build", "-o", exe, src]
        impl.build_lines.append("GO111MODULE=off " + shlex.join(cmd))
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=build_dir)
        if p.returncode != 0:
            impl.problem[b] = "ERR: build"
            log("go %s: build failed:\n%s%s" % (b, p.stdout, p.stderr))
            continue
        impl.commands[b] = ({"GOMAXPROCS": GOMAXPROCS}, [exe])
    return impl


def find_lunatic(bin_dir, benches, name="lunatic", env=None, prefix="bench-"):
    if not bin_dir:
        return None
    impl = Impl(name)
    for b in benches:
        exe = os.path.join(os.path.abspath(bin_dir), prefix + b)
        if os.path.isfile(exe) and os.access(exe, os.X_OK):
            impl.commands[b] = (dict(env or {}), [exe])
        else:
            log("%s: %s not found" % (name, exe))
    return impl


def build_lunatic_rs(name, build_dir, benches, source, lunaticc):
    if not source:
        return None
    project = os.path.join(HERE, "lunatic-rs")
    have = [b for b in benches if os.path.isfile(os.path.join(project, "src", b + ".rs"))]
    if not os.access(DEBIAN_CARGO, os.X_OK):
        log("%s: %s not found (tools/setup_bench.sh installs cargo); skipped" % (name, DEBIAN_CARGO))
        return None
    if not os.path.isfile(os.path.join(source, "lunatic-macros", "Cargo.toml")):
        log("%s: %s is not a lunatic-rs source tree; skipped" % (name, source))
        return None
    if not os.access(lunaticc, os.X_OK):
        log("%s: lunaticc %s not found (--lunaticc); skipped" % (name, lunaticc))
        return None
    impl = Impl(name)
    if not have:
        return impl
    out = os.path.join(build_dir, name)
    target_dir = os.path.join(out, "target")
    rustflags = " ".join(LUNATIC_RS_RUSTFLAGS[name])
    # The patch names the user's lunatic-rs; a TOML basic string is written as JSON writes one.
    patch = "patch.crates-io.lunatic.path=" + json.dumps(os.path.abspath(source))
    cmd = [DEBIAN_CARGO, "build", "--release", "--target-dir", target_dir, "--config", patch]
    for b in have:
        cmd += ["--bin", "bench-" + b]
    # Run in the project, where cargo finds its .cargo/config.toml.
    impl.build_lines.append("(cd %s && RUSTFLAGS=%s %s)"
                            % (shlex.quote(project), shlex.quote(rustflags), shlex.join(cmd)))
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=project,
                       env=dict(os.environ, RUSTFLAGS=rustflags))
    if p.returncode != 0:
        log("%s: cargo build failed:\n%s%s" % (name, p.stdout, p.stderr[-3000:]))
        for b in have:
            impl.problem[b] = "ERR: build"
        return impl
    for b in have:
        wasm = os.path.join(target_dir, "wasm32-wasi", "release", "bench-%s.wasm" % b)
        exe = os.path.join(out, "bench-" + b)
        compile_cmd = [lunaticc, wasm, "-o", exe]
        impl.build_lines.append(shlex.join(compile_cmd))
        p = subprocess.run(compile_cmd, capture_output=True, text=True)
        if p.returncode != 0:
            impl.problem[b] = "ERR: build"
            log("%s %s: lunaticc failed:\n%s%s" % (name, b, p.stdout, p.stderr))
            continue
        impl.commands[b] = ({}, [exe])
    return impl


# --- running ---------------------------------------------------------------------------

def command_line(env, argv):
    return " ".join(["%s=%s" % kv for kv in env.items()] + [shlex.quote(a) for a in argv])


def vm_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_once(name, env, argv, expected, timeout, cwd):
    """Returns a dict with seconds, checksum, extra, or one with 'error'."""
    full_env = dict(os.environ, **env)
    full_env.setdefault("ERL_CRASH_DUMP", os.path.join(cwd, "erl_crash.dump"))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=full_env, cwd=cwd, start_new_session=True)
    # A program that cannot read /proc itself (a WASI guest) prints "RSS-MARK baseline" and
    # "RSS-MARK ready" on stderr and pauses; the runner reads its VmRSS at each mark.
    marks, err_lines = {}, []

    def read_stderr():
        for line in proc.stderr:
            if line.startswith("RSS-MARK "):
                marks[line.split()[1]] = vm_rss_kib(proc.pid)
            else:
                err_lines.append(line)

    out_parts = []
    readers = [threading.Thread(target=read_stderr, daemon=True),
               threading.Thread(target=lambda: out_parts.append(proc.stdout.read()), daemon=True)]
    for r in readers:
        r.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)   # the group of the child started above
        proc.wait()
        return {"error": "timeout"}
    for r in readers:
        r.join(timeout=5)
    out, err = "".join(out_parts), "".join(err_lines)
    if proc.returncode != 0:
        log("  exit %d: %s" % (proc.returncode, (err or out).strip()[-500:]))
        return {"error": "exit %d" % proc.returncode}
    lines = [l.split() for l in out.splitlines() if l.startswith("RESULT ")]
    if len(lines) != 1 or len(lines[0]) < 4 or lines[0][1] != name:
        log("  no single 'RESULT %s' line in:\n%s" % (name, out))
        return {"error": "output"}
    fields = lines[0]
    try:
        result = {"seconds": float(fields[2]), "checksum": int(fields[3]),
                  "extra": dict(f.split("=", 1) for f in fields[4:] if "=" in f)}
    except ValueError:
        log("  unreadable RESULT line: %s" % " ".join(fields))
        return {"error": "output"}
    if result["checksum"] != expected:
        log("  checksum %d, expected %d" % (result["checksum"], expected))
        return {"error": "checksum"}
    if "baseline" in marks and "ready" in marks and "kib_per_process" not in result["extra"]:
        result["extra"]["kib_per_process"] = "%.2f" % ((marks["ready"] - marks["baseline"]) / expected)
    if name == "idle" and "kib_per_process" not in result["extra"]:
        log("  idle: no kib_per_process=")
        return {"error": "output"}
    return result


# --- the table -------------------------------------------------------------------------

def fmt_value(label, v):
    if label == "processes/s":
        return "%.3g M" % (v / 1e6)
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.3g" % v if abs(v) < 1 else "%.2f" % v


def cell(impls, results, bench, impl, fn):
    """(text, median or None) for one implementation's figure."""
    if impl not in impls:
        return "-", None
    if bench in impls[impl].problem:
        return impls[impl].problem[bench], None
    runs = results.get((bench, impl))
    if not runs:
        return "-", None
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        return "ERR: %s (%d/%d)" % (errors[0], len(errors), len(runs)), None
    try:
        return None, statistics.median(fn(r) for r in runs)
    except (KeyError, ValueError, ZeroDivisionError):
        return "ERR: output", None


def table_rows(benches, impls, results, o):
    pairs = [("go", "erlang"), ("lunatic", "erlang"), ("lunatic", "go")]
    shown = [i for i in IMPLS if i in ALWAYS_SHOWN or i in impls]
    if "baseline" in impls:
        pairs.append(("lunatic", "baseline"))
    if "lunatic-metrics" in impls:
        pairs.append(("lunatic-metrics", "lunatic"))
    pairs += [(i, "lunatic") for i in LUNATIC_RS_RUSTFLAGS if i in impls]
    if "lunatic-as" in impls:
        pairs.append(("lunatic-as", "lunatic"))
    header = ["benchmark", "figure"] + shown + ["%s/%s" % p for p in pairs]
    rows = []
    for b in benches:
        for label, fn, lower_better in figures(b, o):
            medians, texts = {}, []
            for impl in shown:
                text, m = cell(impls, results, b, impl, fn)
                medians[impl] = m
                texts.append(text if m is None else fmt_value(label, m))
            ratios = []
            for a, ref in pairs:
                if not lower_better:
                    ratios.append("")
                elif medians[a] is None or not medians[ref]:
                    ratios.append("-")
                else:
                    ratios.append("%.2f" % (medians[a] / medians[ref]))
            rows.append([b, label] + texts + ratios)
    return header, rows


def print_table(header, rows, markdown):
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for i, r in enumerate([header] + rows):
        print("  ".join(str(x).ljust(w) if j < 2 else str(x).rjust(w)
                        for j, (x, w) in enumerate(zip(r, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def tool_version(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None


def machine_lines(impls):
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = ["machine: %s, %d logical CPUs, %s" % (cpu, os.cpu_count() or 0, platform.platform())]
    if "erlang" in impls:
        v = tool_version(["erl", "-noshell", "-eval",
                          'io:format("~s ~s", [erlang:system_info(otp_release), '
                          'erlang:system_info(version)]), halt().'])
        if v:
            lines.append("erlang: OTP %s (erts %s)" % tuple(v.split()[:2]))
    if "go" in impls:
        v = tool_version(["go", "version"])
        if v:
            lines.append("go: " + v)
    return lines


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


# --- main ------------------------------------------------------------------------------

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("runs", type=int, metavar="RUNS")
    p.add_argument("--only", help="comma-separated benchmarks (%s)" % ",".join(BENCHMARKS))
    p.add_argument("--impls", default=",".join(i for i in IMPLS if i != "lunatic-metrics"),
                   help="comma-separated implementations")
    p.add_argument("--lunatic-bin", metavar="DIR", help="directory of bench-<name> executables")
    p.add_argument("--baseline-bin", metavar="DIR",
                   help="the same of another build, run side by side as 'baseline'")
    p.add_argument("--with-metrics", action="store_true",
                   help="also run the --lunatic-bin executables with metrics on, as 'lunatic-metrics'")
    p.add_argument("--lunatic-rs", metavar="DIR",
                   help="lunatic-rs 0.13 source to build the lunatic-rs implementations with")
    p.add_argument("--lunaticc", metavar="FILE", default=os.path.join(REPO, "build", "bin", "lunaticc"),
                   help="compiler of the lunatic-rs implementations (build/bin/lunaticc)")
    p.add_argument("--lunatic-as-bin", metavar="DIR",
                   help="directory of bench-as-<name> executables (AssemblyScript), run as 'lunatic-as'")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    p.add_argument("--timeout", type=float, default=120, help="seconds per run (120)")
    p.add_argument("--build-dir", default="/tmp/lunaticc-bench-processes",
                   help="where Erlang, Go and lunatic-rs builds go (/tmp/lunaticc-bench-processes)")
    p.add_argument("--spawn-n", type=int, default=1000000)
    p.add_argument("--skynet-leaves", type=int, default=1000000, help="a power of 10")
    p.add_argument("--ring-procs", type=int, default=1000)
    p.add_argument("--ring-laps", type=int, default=1000)
    p.add_argument("--pingpong-n", type=int, default=1000000)
    p.add_argument("--idle-n", type=int, default=100000)
    o = p.parse_args()
    o.benches = o.only.split(",") if o.only else list(BENCHMARKS)
    o.impl_names = o.impls.split(",")
    if o.baseline_bin and "baseline" not in o.impl_names:
        o.impl_names.append("baseline")
    if o.with_metrics and "lunatic-metrics" not in o.impl_names:
        o.impl_names.append("lunatic-metrics")
    for b in o.benches:
        if b not in BENCHMARKS:
            p.error("unknown benchmark %r (known: %s)" % (b, ", ".join(BENCHMARKS)))
    for i in o.impl_names:
        if i not in IMPLS:
            p.error("unknown implementation %r (known: %s)" % (i, ", ".join(IMPLS)))
    leaves = o.skynet_leaves
    while leaves > 1 and leaves % 10 == 0:
        leaves //= 10
    if o.runs < 1 or leaves != 1 or o.ring_procs < 2 or o.ring_laps < 1 or \
            min(o.spawn_n, o.pingpong_n, o.idle_n) < 1:
        p.error("RUNS and sizes must be positive, --skynet-leaves a power of 10, "
                "--ring-procs at least 2")
    return o


def main():
    o = parse_args()
    os.makedirs(o.build_dir, exist_ok=True)
    impls = {}
    makers = {"erlang": lambda: build_erlang(o.build_dir, o.benches),
              "go": lambda: build_go(o.build_dir, o.benches),
              "lunatic": lambda: find_lunatic(o.lunatic_bin, o.benches),
              "baseline": lambda: find_lunatic(o.baseline_bin, o.benches, "baseline"),
              "lunatic-metrics": lambda: find_lunatic(o.lunatic_bin, o.benches, "lunatic-metrics", METRICS_ENV),
              "lunatic-as": lambda: find_lunatic(o.lunatic_as_bin, o.benches, "lunatic-as", prefix="bench-as-")}
    for variant in LUNATIC_RS_RUSTFLAGS:
        makers[variant] = lambda v=variant: build_lunatic_rs(v, o.build_dir, o.benches,
                                                             o.lunatic_rs, o.lunaticc)
    for name in IMPLS:
        if name in o.impl_names:
            impl = makers[name]()
            if impl is not None:
                impls[name] = impl

    load_before = loadavg()
    results = {}
    for r in range(o.runs):
        for b in o.benches:
            available = [i for i in IMPLS if i in impls and b in impls[i].commands]
            k = r % len(available) if available else 0
            for impl in available[k:] + available[:k]:
                env, argv = impls[impl].commands[b]
                argv = argv + [str(a) for a in bench_args(b, o)]
                res = run_once(b, env, argv, expected_checksum(b, o), o.timeout, o.build_dir)
                results.setdefault((b, impl), []).append(res)
                shown = res.get("error") or "%.4f s" % res["seconds"]
                if "kib_per_process" in res.get("extra", {}):
                    shown += ", %s KiB/process" % res["extra"]["kib_per_process"]
                log("run %d/%d %-8s %-16s %s" % (r + 1, o.runs, b, impl, shown))

    header, rows = table_rows(o.benches, impls, results, o)
    notes = machine_lines(impls) + [
        "medians of %d runs, interleaved; ratios are of medians (time or memory, below 1 is "
        "less than the reference); load average %s before, %s after"
        % (o.runs, load_before, loadavg())]
    if o.markdown:
        for n in notes:
            print(n + "  ")
        print()
    else:
        for n in notes:
            print("# " + n)
    print_table(header, rows, o.markdown)

    print()
    print("Commands:" if not o.markdown else "Commands:\n\n```")
    for name in IMPLS:
        if name in impls:
            for line in impls[name].build_lines:
                print("build    %-16s %s" % (name, line))
    for b in o.benches:
        for name in IMPLS:
            if name in impls and b in impls[name].commands:
                env, argv = impls[name].commands[b]
                argv = argv + [str(a) for a in bench_args(b, o)]
                print("%-8s %-16s %s" % (b, name, command_line(env, argv)))
    if o.markdown:
        print("```")


if __name__ == "__main__":
    main()
