#!/usr/bin/env python3
"""Runs the official WebAssembly test suite against lunaticc.

For each .wast script: wast2json converts it; every binary module is compiled by lunaticc
into an object; invalid and malformed binary modules must be refused by lunaticc; the
other commands go into a command file that tests/spec/spec_driver.cpp runs against the
compiled modules, linked into one driver per script. Text-format modules (they test a text
parser) are skipped.

Prints a line per script and `spec: N passed, M failed, K skipped`. Failures are matched
against the known-failures list: the run fails on a failure not listed, and on a listed
one that passes, so the list can only shrink.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def hexed(text):
    return text.encode("utf-8", "surrogatepass").hex() or "00"[:0] or "-"


def value_spec(v):
    t = v["type"]
    if t == "v128":
        return f"v128:{v['lane_type']}:" + ",".join(v["value"])
    value = v.get("value")
    if t in ("funcref", "externref"):
        if value == "null":
            return f"{t}:null"
        return f"{t}:any" if t == "funcref" else f"{t}:{value}"
    if isinstance(value, str) and value.startswith("nan:"):
        return f"{t}:{value}"
    return f"{t}:{value}"


class Script:
    def __init__(self, args, wast):
        self.args = args
        self.name = os.path.basename(wast)[:-5]
        self.wast = wast
        self.dir = os.path.join(args.build, self.name)
        self.passed = self.failed = self.skipped = 0
        self.failures = []  # (line, message)

    def fail(self, line, message):
        self.failed += 1
        self.failures.append((line, message))

    def run(self):
        os.makedirs(self.dir, exist_ok=True)
        json_path = os.path.join(self.dir, self.name + ".json")
        if not os.path.exists(json_path) or os.path.getmtime(json_path) < os.path.getmtime(self.wast):
            subprocess.run(["wast2json", "--enable-all", self.wast, "-o", json_path],
                           check=True, capture_output=True)
        with open(json_path) as f:
            commands = json.load(f)["commands"]
        objects, lines = [], []
        last_module = -1

        def compile_module(filename):
            source = os.path.join(self.dir, filename)
            obj = source + (".bounds.o" if self.args.bounds else ".o")
            symbol = "spec_" + re.sub(r"\W", "_", self.name) + "_" + str(len(objects))
            stamp_ok = (os.path.exists(obj) and os.path.getmtime(obj) >= os.path.getmtime(source)
                        and os.path.getmtime(obj) >= os.path.getmtime(self.args.lunaticc))
            if not stamp_ok:
                flags = ["--bounds-checks"] if self.args.bounds else []
                run = subprocess.run([self.args.lunaticc, *flags, "-c", source, "-o", obj,
                                      "--module-symbol", symbol], capture_output=True, text=True)
                if run.returncode != 0:
                    return -1, run.stderr.strip()
            objects.append((obj, symbol))
            return len(objects) - 1, ""

        for c in commands:
            kind, line = c["type"], c["line"]
            if kind == "module":
                index, error = compile_module(c["filename"])
                if index < 0:
                    self.failures.append((line, "compile: " + error))
                last_module = index
                lines.append(f"module {line} {index} {c.get('name', '.')}")
            elif kind == "register":
                lines.append(f"register {line} {hexed(c['as'])} {c.get('name', '.')}")
            elif kind in ("assert_invalid", "assert_malformed"):
                if c.get("module_type") != "binary":
                    self.skipped += 1
                    continue
                source = os.path.join(self.dir, c["filename"])
                run = subprocess.run([self.args.lunaticc, source, "-c", "-o", os.devnull + ".o" if False else
                                      os.path.join(self.dir, "rejected.o")], capture_output=True, text=True)
                if run.returncode == 1 and run.stderr.startswith("lunaticc: error:"):
                    self.passed += 1
                else:
                    self.fail(line, f"{kind} ({c['text']}) was not refused: status {run.returncode}")
            elif kind in ("assert_unlinkable", "assert_uninstantiable"):
                index, error = compile_module(c["filename"])
                if index < 0:
                    self.fail(line, f"{kind}: module did not compile: {error}")
                    continue
                lines.append(f"{kind[7:]} {line} {index}")
            elif kind in ("assert_return", "action", "assert_trap", "assert_exhaustion"):
                action = c["action"]
                if kind == "assert_return":
                    expect = "get" if action["type"] == "get" else "return"
                elif kind == "action":
                    expect = "get" if action["type"] == "get" else "action"
                elif kind == "assert_trap":
                    expect = "trap:" + hexed(c["text"])
                else:
                    expect = "exhaustion"
                args = [value_spec(a) for a in action.get("args", [])]
                results = [value_spec(r) for r in c.get("expected", [])]
                lines.append(" ".join([expect, str(line), action.get("module", "."), hexed(action["field"]),
                                       *args, ";", *results]))
            else:
                self.skipped += 1
        # Commands on modules that did not compile fail inside the driver ("module did not compile").
        self.failures = [f for f in self.failures if not f[1].startswith("compile:")] + \
            [f for f in self.failures if f[1].startswith("compile:")]
        compile_failures = [f for f in self.failures if f[1].startswith("compile:")]
        self.failures = [f for f in self.failures if not f[1].startswith("compile:")]
        self.run_driver(objects, lines, compile_failures)
        return self

    def run_driver(self, objects, lines, compile_failures):
        commands = os.path.join(self.dir, "commands.txt")
        with open(commands, "w") as f:
            f.write("\n".join(lines) + "\n")
        table = os.path.join(self.dir, "modules.cpp")
        with open(table, "w") as f:
            f.write('#include "lunatic/abi.h"\n')
            for _, symbol in objects:
                f.write(f'extern "C" const lunatic_module {symbol};\n')
            entries = ", ".join(f"&{symbol}" for _, symbol in objects) or "nullptr"
            f.write(f'extern "C" const lunatic_module* const spec_modules[] = {{{entries}}};\n')
            f.write(f'extern "C" const int spec_module_count = {len(objects)};\n')
        driver = os.path.join(self.dir, "driver" + (".bounds" if self.args.bounds else ""))
        build = subprocess.run(["c++", "-std=c++20", "-O0", "-w", table, self.args.driver_object,
                                *[o for o, _ in objects], "-I" + self.args.include, self.args.runtime_lib,
                                "-lpthread", "-lm", "-o", driver], capture_output=True, text=True)
        if build.returncode != 0:
            self.fail(0, "driver did not link: " + build.stderr.strip().splitlines()[-1])
            return
        try:
            run = subprocess.run([driver, commands, self.name + ".wast"] + (["bounds"] if self.args.bounds else []),
                                 capture_output=True, text=True, timeout=120)
            output, crashed = run.stdout, run.returncode != 0
        except subprocess.TimeoutExpired as e:
            output, crashed = (e.stdout or b"").decode(errors="replace"), True
        done = False
        for text in output.splitlines():
            m = re.match(r"FAIL [^:]+:(\d+): (.*)", text)
            if m:
                self.fail(int(m.group(1)), m.group(2))
            m = re.match(r"RESULT (\d+) (\d+)", text)
            if m:
                self.passed += int(m.group(1))
                done = True
        if not done:
            # The driver died: everything it did not report on fails.
            reported = {f[0] for f in self.failures}
            for text in lines:
                line = int(text.split()[1])
                if line not in reported:
                    self.fail(line, "driver crashed or timed out before this command")
        del crashed


def load_known(path):
    known = {}
    if os.path.exists(path):
        with open(path) as f:
            for text in f:
                text = text.strip()
                if text and not text.startswith("#"):
                    key, _, reason = text.partition(" ")
                    known[key] = reason.strip()
    return known


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lunaticc", required=True)
    p.add_argument("--runtime-lib", required=True)
    p.add_argument("--include", required=True)
    p.add_argument("--suite", required=True)
    p.add_argument("--build", required=True)
    p.add_argument("--known", default=os.path.join(HERE, "known_failures.txt"))
    p.add_argument("--bounds", action="store_true", help="compile with --bounds-checks")
    p.add_argument("--only", default="", help="comma-separated script names")
    p.add_argument("-j", type=int, default=2)
    p.add_argument("--write-known-failures", action="store_true")
    args = p.parse_args()
    os.makedirs(args.build, exist_ok=True)
    args.driver_object = os.path.join(args.build, "spec_driver.o")
    subprocess.run(["c++", "-std=c++20", "-O1", "-c", os.path.join(HERE, "spec_driver.cpp"), "-I" + args.include,
                    "-o", args.driver_object], check=True)
    only = set(filter(None, args.only.split(",")))
    wasts = sorted(os.path.join(args.suite, f) for f in os.listdir(args.suite)
                   if f.endswith(".wast") and (not only or f[:-5] in only))
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        scripts = list(pool.map(lambda w: Script(args, w).run(), wasts))

    known = load_known(args.known)
    unexpected, seen = [], set()
    total = [0, 0, 0]
    for s in scripts:
        print(f"{s.name}.wast: {s.passed} passed, {s.failed} failed, {s.skipped} skipped", flush=True)
        total[0] += s.passed
        total[1] += s.failed
        total[2] += s.skipped
        for line, message in sorted(s.failures):
            key = f"{s.name}.wast:{line}"
            if key in known or f"{s.name}.wast" in known:
                seen.add(key if key in known else f"{s.name}.wast")
            else:
                unexpected.append(f"{key}: {message}")
    ran = {f"{s.name}.wast" for s in scripts}
    now_passing = [k for k in known if k.split(":")[0] in ran and k not in seen]
    if args.write_known_failures:
        with open(args.known, "w") as f:
            f.write("# Known failures of the spec suite: `<script>.wast:<line>  <reason>`, or a whole\n"
                    "# script. The run fails on a failure not listed and on a listed one that passes.\n")
            for s in scripts:
                for line, message in sorted(set(s.failures)):
                    reason = known.get(f"{s.name}.wast:{line}", "TODO: diagnose: " + message[:120])
                    f.write(f"{s.name}.wast:{line}  {reason}\n")
    for u in unexpected:
        print("unexpected failure: " + u)
    for k in now_passing:
        print(f"now passes, remove from the known failures: {k}")
    print(f"spec: {total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if (unexpected or now_passing) and not args.write_known_failures else 0


if __name__ == "__main__":
    sys.exit(main())
