#!/usr/bin/env python3
"""Runs the official WebAssembly core test suite against lunaticc.

For every .wast script, as wasm2c's spec runner does:
  1. wast2json --enable-all turns the script into a command list and one .wasm per module;
  2. lunaticc compiles every module into an object (`-c --module-symbol`); the modules of
     assert_invalid / assert_malformed (binary form) must instead be refused with status 1
     and a `lunaticc: error:` line;
  3. a C++ driver is generated for the script -- a straight list of calls on spec::Run
     (spec_support.h), one per command -- and linked with the module objects, the support
     object and the runtime archive;
  4. the driver runs with a timeout and reports each command as it goes; a crash or a
     timeout fails the command that was running and the driver is restarted after it.

Text-form modules (assert_malformed/assert_invalid on .wat) are skipped: they test a text
parser, and lunaticc reads binaries only.

Prints `<script>.wast: P passed, F failed, S skipped` per script, the unexpected failures
and the known failures that now pass (the known failures are the spec/ entries of
tests/expected_failures.txt), and last `spec: N passed, M failed, K skipped`. Exits non-zero
on either kind of surprise.

Everything expensive is cached in the build directory by content hash: wast2json output by
the script's bytes, compiled objects by the module's bytes + the lunaticc binary + flags,
linked drivers by everything they are linked from.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT_SOURCES = ("spec_support.cpp", "spec_support.h")

# Scripts the bounds-checked configuration runs: those about linear memory.
MEMORY_SCRIPTS = re.compile(
    r"^(address|align|memory.*|load|store|bulk|data|float_memory|endianness|"
    r"simd_load.*|simd_store.*|simd_address)$")

# Known-failure entries may be restricted to one memory mode with this suffix on the key.
MODE_SUFFIXES = ("@guard", "@bounds")

# The known failures are the entries of tests/expected_failures.txt, the project's one list,
# whose keys start with this; the other entries belong to the guest tests' runner.
KNOWN_PREFIX = "spec/"

MAX_RESTARTS = 25       # driver restarts per script after crashes, before giving up on the rest
MAX_SHOWN_FAILURES = 5  # failures printed under each script line unless --verbose


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_text(*parts):
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def private_tmp(path):
    """A temporary name beside `path` that no other thread or run uses: runs of several modes
    (spec, spec-bounds, ...) share the cache, and a thread id alone repeats across processes."""
    return f"{path}.tmp{os.getpid()}-{threading.get_ident()}"


def write_atomically(path, data):
    tmp = private_tmp(path)
    with open(tmp, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.replace(tmp, path)


def copy_atomically(source, path):
    tmp = private_tmp(path)
    shutil.copy2(source, tmp)
    os.replace(tmp, path)


def c_string(text):
    """A C++ string literal with the exact UTF-8 bytes of `text` (names.wast has every kind
    of character in export names). Octal escapes are always three digits long, so a digit
    after one cannot extend it."""
    out = []
    for byte in text.encode("utf-8", "surrogatepass"):
        ch = chr(byte)
        if 0x20 <= byte < 0x7f and ch not in '"\\?':
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def c_name(name):
    return c_string(name) if name is not None else "nullptr"


class Jobs:
    """Limits how many child processes run at once, across all scripts: the scripts and the
    module compilations of each script run in parallel, but the machine has -j cores."""

    def __init__(self, count):
        self.slots = threading.Semaphore(count)
        self.compile_pool = concurrent.futures.ThreadPoolExecutor(count)

    def run(self, argv, timeout=None, **kwargs):
        with self.slots:
            return subprocess.run(argv, capture_output=True, timeout=timeout, **kwargs)


class Config:
    def __init__(self, args):
        self.args = args
        self.flags = [f"-O{args.opt}"] + (["--bounds-checks"] if args.bounds_checks else []) + args.lunaticc_flag
        self.mode = "LUNATIC_MEMORY_BOUNDS_CHECKED" if args.bounds_checks else "LUNATIC_MEMORY_GUARD_PAGES"
        self.mode_name = "bounds" if args.bounds_checks else "guard"
        self.build = os.path.abspath(args.build)
        self.cache = os.path.join(self.build, "cache")
        # Drivers of different flag sets live apart, so that spec and spec-bounds can share
        # one build directory (and its caches).
        self.work = os.path.join(self.build, "O%s-%s" % (args.opt, self.mode_name))
        if args.lunaticc_flag:
            self.work += "-" + sha256_text(*args.lunaticc_flag)[:8]
        for d in (self.cache, self.work):
            os.makedirs(d, exist_ok=True)
        # A rebuilt lunaticc invalidates every compiled object; hashing the binary is cheap
        # next to a single compilation and, unlike its mtime, survives a no-op relink.
        compiler_hash = sha256_file(args.lunaticc)
        self.compiler_id = sha256_text(compiler_hash, *self.flags)
        # The run uses a private copy of lunaticc, so that a relink of the build's binary in
        # the middle of a run (ETXTBSY, a half-written file) cannot fail part of the suite.
        self.lunaticc = os.path.join(self.cache, "lunaticc-" + compiler_hash[:16])
        if not os.path.exists(self.lunaticc):
            copy_atomically(args.lunaticc, self.lunaticc)
        os.utime(self.lunaticc)
        # Objects live in a folder per lunaticc binary and flags, so that those of an old
        # lunaticc can be dropped whole (see prune_cache).
        self.objects = os.path.join(self.cache, "objects", self.compiler_id[:16])
        os.makedirs(self.objects, exist_ok=True)
        os.utime(self.objects)
        # The same for the runtime archive, which the drivers link.
        runtime_hash = sha256_file(args.runtime_lib)
        self.runtime_lib = os.path.join(self.cache, f"liblunatic_runtime-{runtime_hash[:16]}.a")
        if not os.path.exists(self.runtime_lib):
            copy_atomically(args.runtime_lib, self.runtime_lib)
        os.utime(self.runtime_lib)
        self.jobs = Jobs(args.jobs)
        self.support_object = None


CACHE_KEEP_SECONDS = 24 * 3600


def prune_cache(config):
    """Drops what no run has used for a day: object folders of older lunaticc binaries and
    their copies. Every rebuild of lunaticc would otherwise add some 50 MB to the cache."""
    now = time.time()
    objects = os.path.dirname(config.objects)
    stale = [os.path.join(objects, d) for d in os.listdir(objects)]
    stale += [os.path.join(config.cache, f) for f in os.listdir(config.cache)
              if f.startswith(("lunaticc-", "liblunatic_runtime-", "spec_support-"))]
    for path in stale:
        if path in (config.objects, config.lunaticc, config.runtime_lib, config.support_object):
            continue
        try:
            if now - os.path.getmtime(path) > CACHE_KEEP_SECONDS:
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        except OSError:
            pass  # another run may be pruning too


# --- Stage 1: wast2json -----------------------------------------------------------------

def convert(config, wast):
    """Returns (directory, commands) of the script's wast2json output, converting it once
    per content of the script."""
    name = os.path.basename(wast)[:-len(".wast")]
    with open(wast, "rb") as f:
        key = sha256_text(f.read(), "wast2json --enable-all")[:16]
    directory = os.path.join(config.cache, "wast2json", f"{name}-{key}")
    json_path = os.path.join(directory, name + ".json")
    if not os.path.exists(json_path):
        tmp = private_tmp(directory)
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        # wast2json prints type errors for some valid modules under --enable-all (function
        # references) yet writes correct output; only its exit status counts.
        run = config.jobs.run(["wast2json", "--enable-all", wast, "-o", os.path.join(tmp, name + ".json")])
        if run.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise RuntimeError("wast2json failed: " + run.stderr.decode(errors="replace")[-2000:])
        os.makedirs(os.path.dirname(directory), exist_ok=True)
        try:
            os.rename(tmp, directory)
        except OSError:
            # A run beside this one (another mode) converted it first, and may be reading
            # it: keep its copy, which is the same.
            shutil.rmtree(tmp, ignore_errors=True)
            if not os.path.exists(json_path):
                raise RuntimeError(f"{directory} holds no {name}.json: delete it")
    with open(json_path) as f:
        return directory, json.load(f)["commands"]


# --- Stage 2: lunaticc ------------------------------------------------------------------

class Compiled:
    """The outcome of compiling one module: an object and its descriptor symbol, or the
    exit status and error output of a refusal."""

    def __init__(self, key, status, error, obj=None):
        self.key, self.status, self.error, self.obj = key, status, error, obj

    @property
    def ok(self):
        return self.obj is not None

    @property
    def symbol(self):
        # Derived from the content key, so the same module appearing twice in a script
        # (common) is linked once and instantiated twice from one descriptor.
        return "spec_module_" + self.key[:24]

    def first_error_line(self):
        lines = self.error.strip().splitlines()
        errors = [l for l in lines if l.startswith("lunaticc: error:")]
        return (errors or lines or [f"exit status {self.status}, no output"])[0][:300]


def compile_module(config, wasm):
    """Compiles `wasm` with lunaticc, or finds the result of an earlier identical run.
    Refusals are cached too (as a .err file), keyed like objects."""
    with open(wasm, "rb") as f:
        key = sha256_text(f.read(), config.compiler_id)
    directory = os.path.join(config.objects, key[:2])
    os.makedirs(directory, exist_ok=True)
    obj, err = os.path.join(directory, key + ".o"), os.path.join(directory, key + ".err")
    if os.path.exists(obj):
        return Compiled(key, 0, "", obj)
    if os.path.exists(err):
        with open(err) as f:
            status, _, text = f.read().partition("\n")
        return Compiled(key, int(status), text)
    compiled = Compiled(key, 0, "")
    tmp = private_tmp(obj) + ".o"
    try:
        run = config.jobs.run([config.lunaticc, wasm, "-c", "-o", tmp, "--module-symbol", compiled.symbol,
                               *config.flags], timeout=config.args.compile_timeout)
        status, text = run.returncode, run.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        status, text = -1, f"lunaticc: timed out after {config.args.compile_timeout} s"
    except OSError as e:  # e.g. lunaticc being relinked under us (ETXTBSY, EACCES)
        status, text = -1, f"lunaticc could not be started: {e}"
    if status == 0 and os.path.exists(tmp):
        os.replace(tmp, obj)
        return Compiled(key, 0, "", obj)
    if os.path.exists(tmp):
        os.remove(tmp)
    if status < 0 and "lunaticc" not in text.split(":")[0]:
        text = f"lunaticc: killed by signal {-status}\n" + text
    # A crashed or timed-out compiler is not cached: it may be a flake of the machine.
    if status > 0:
        write_atomically(err, f"{status}\n{text}")
    return Compiled(key, status, text)


def build_support_object(config):
    """Compiles spec_support.cpp once per content of its sources and headers."""
    include = config.args.include
    parts = [sha256_file(os.path.join(HERE, s)) for s in SUPPORT_SOURCES]
    parts += [sha256_file(os.path.join(include, "lunatic", h)) for h in ("abi.h", "embed.h")]
    obj = os.path.join(config.cache, "spec_support-" + sha256_text(config.args.cxx, *parts)[:16] + ".o")
    if not os.path.exists(obj):
        tmp = private_tmp(obj) + ".o"
        run = config.jobs.run([config.args.cxx, "-std=c++20", "-O1", "-c", os.path.join(HERE, "spec_support.cpp"),
                               "-I" + include, "-o", tmp])
        if run.returncode != 0:
            raise RuntimeError("spec_support.cpp did not compile:\n" + run.stderr.decode(errors="replace"))
        os.replace(tmp, obj)
    os.utime(obj)
    config.support_object = obj


# --- Stage 3: the driver ----------------------------------------------------------------

def value_expr(value):
    """A C++ expression of type spec::Value for an argument or an expected result."""
    t, v = value["type"], value.get("value")
    if t in ("i32", "i64"):
        return f"spec::{t}({int(v)}{'ull' if t == 'i64' else 'u'})"
    if t in ("f32", "f64"):
        if isinstance(v, str) and v.startswith("nan:"):
            return f"spec::{t}_nan({nan_expr(v)})"
        return f"spec::{t}({int(v)}{'ull' if t == 'f64' else 'u'})"
    if t == "v128":
        lane_type = value["lane_type"]
        width = {"i8": 1, "i16": 2, "i32": 4, "i64": 8, "f32": 4, "f64": 8}[lane_type]
        mask = (1 << (8 * width)) - 1
        lanes = ", ".join("0" if x.startswith("nan:") else f"{int(x) & mask}ull" for x in v)
        if lane_type.startswith("f"):
            patterns = ", ".join(nan_expr(x) for x in v)
            return f"spec::v128_float({width}, {{{lanes}}}, {{{patterns}}})"
        return f"spec::v128_int({width}, {{{lanes}}})"
    if t in ("funcref", "externref"):
        code = "LUNATIC_TYPE_FUNCREF" if t == "funcref" else "LUNATIC_TYPE_EXTERNREF"
        if v == "null":
            return f"spec::ref_null({code})"
        if v is None:
            return f"spec::ref_any({code})"  # (ref.func) / (ref.extern): any non-null
        if t == "externref":
            return f"spec::externref({int(v)}u)"
    raise Unsupported(f"value {json.dumps(value)}")


def nan_expr(text):
    return {"nan:canonical": "spec::Nan::Canonical", "nan:arithmetic": "spec::Nan::Arithmetic"}.get(
        text, "spec::Nan::Exact")


class CannotExpress(Exception):
    """A command the embedding API cannot carry out; it is counted as failed, with why."""


class Unsupported(Exception):
    """A command this harness cannot express; it is counted as skipped."""


class Failure:
    def __init__(self, line, message):
        self.line, self.message = line, message


class Script:
    """One .wast script: converts, compiles, generates and runs it, and keeps its counts."""

    def __init__(self, config, wast):
        self.config = config
        self.wast = wast
        self.name = os.path.basename(wast)[:-len(".wast")]
        self.work = os.path.join(config.work, self.name)
        self.passed = self.skipped = 0
        self.failures = []       # Failure, in command order
        self.notes = []          # problems of the harness itself (driver did not build, ...)
        self.calls = []          # (index, C++ statement) for the driver, in command order
        self.lines = {}          # command index -> .wast line
        self.objects = {}        # symbol -> object path, unique
        self.compiled = {}       # filename -> Compiled

    @property
    def failed(self):
        return len(self.failures)

    def fail(self, line, message):
        self.failures.append(Failure(line, message))

    # -- the steps --

    def run(self):
        commands = []
        try:
            os.makedirs(self.work, exist_ok=True)
            directory, commands = convert(self.config, self.wast)
            self.compile_all(directory, commands)
            for index, command in enumerate(commands):
                self.lines[index] = command["line"]
                handler = getattr(self, "cmd_" + command["type"], None)
                try:
                    if handler is None:
                        raise Unsupported(f"command type {command['type']}")
                    handler(index, command)
                except CannotExpress as e:
                    self.fail(command["line"], str(e))
                except Unsupported as e:
                    self.skipped += 1
                    self.notes.append(f"line {command['line']}: skipped, unsupported {e}")
            if self.calls:
                self.run_driver()
        except Exception as e:  # a broken script must not take the whole run down
            self.notes.append(f"harness error: {type(e).__name__}: {e}")
            # Every command of the script then counts as failed, so the totals still add up
            # to the suite's size.
            why = "harness error: " + (str(e).strip().splitlines() or [type(e).__name__])[0]
            self.passed = self.skipped = 0
            self.failures = [Failure(c["line"], why) for c in commands] or [Failure(0, why)]
        return self

    def compile_all(self, directory, commands):
        """Compiles every binary module of the script in parallel before generating code."""
        files = sorted({c["filename"] for c in commands
                        if "filename" in c and c.get("module_type", "binary") == "binary"})
        futures = {f: self.config.jobs.compile_pool.submit(compile_module, self.config, os.path.join(directory, f))
                   for f in files}
        for f, future in futures.items():
            self.compiled[f] = future.result()

    def module_object(self, command):
        compiled = self.compiled[command["filename"]]
        if compiled.ok:
            self.objects[compiled.symbol] = compiled.obj
        return compiled

    def emit(self, index, statement):
        self.calls.append((index, statement))

    def action_expr(self, action):
        if "\0" in action["field"]:
            raise CannotExpress(f"export name {json.dumps(action['field'])} contains NUL, and embed.h takes "
                                "export names as C strings")
        module = c_name(action.get("module"))
        if action["type"] == "get":
            return f"spec::get({module}, {c_string(action['field'])})"
        if action["type"] != "invoke":
            raise Unsupported(f"action type {action['type']}")
        args = ", ".join(value_expr(a) for a in action.get("args", []))
        return f"spec::invoke({module}, {c_string(action['field'])}, {{{args}}})"

    # -- one method per command kind (wast2json's "type") --

    def cmd_module(self, index, c):
        compiled = self.module_object(c)
        name = c_name(c.get("name"))
        if compiled.ok:
            self.emit(index, f"r.module({index}, {c['line']}, &{compiled.symbol}, {name});")
        else:
            # The driver still learns of it: later commands on this module must fail, not
            # run against the module before it.
            self.emit(index, f"r.module_not_compiled({index}, {c['line']}, {name}, "
                             f"{c_string(compiled.first_error_line())});")

    def cmd_register(self, index, c):
        self.emit(index, f"r.register_instance({index}, {c['line']}, {c_string(c['as'])}, {c_name(c.get('name'))});")

    def cmd_action(self, index, c):
        self.emit(index, f"r.action({index}, {c['line']}, {self.action_expr(c['action'])});")

    def cmd_assert_return(self, index, c):
        expected = ", ".join(value_expr(v) for v in c.get("expected", []))
        self.emit(index, f"r.assert_return({index}, {c['line']}, {self.action_expr(c['action'])}, {{{expected}}});")

    def cmd_assert_trap(self, index, c):
        self.emit(index, f"r.assert_trap({index}, {c['line']}, {self.action_expr(c['action'])}, {c_string(c['text'])});")

    def cmd_assert_exhaustion(self, index, c):
        self.emit(index, f"r.assert_exhaustion({index}, {c['line']}, {self.action_expr(c['action'])}, "
                         f"{c_string(c['text'])});")

    def cmd_assert_unlinkable(self, index, c):
        self.instantiation_check(index, c, "assert_unlinkable")

    def cmd_assert_uninstantiable(self, index, c):
        self.instantiation_check(index, c, "assert_uninstantiable")

    def instantiation_check(self, index, c, kind):
        # These modules are valid: lunaticc must compile them, and the runtime must refuse
        # (link error) or trap while instantiating them.
        compiled = self.module_object(c)
        if not compiled.ok:
            self.fail(c["line"], f"{kind}: module did not compile: {compiled.first_error_line()}")
            return
        self.emit(index, f"r.{kind}({index}, {c['line']}, &{compiled.symbol}, {c_string(c['text'])});")

    def cmd_assert_invalid(self, index, c):
        self.refusal_check(c, "assert_invalid")

    def cmd_assert_malformed(self, index, c):
        self.refusal_check(c, "assert_malformed")

    def refusal_check(self, c, kind):
        """lunaticc must refuse the module: exit status 1 and a `lunaticc: error:` line.
        Decided here; the driver never sees these commands."""
        if c.get("module_type") != "binary":
            self.skipped += 1  # text form: tests the text parser, which lunaticc does not have
            return
        compiled = self.compiled[c["filename"]]
        refused = compiled.status == 1 and any(
            l.startswith("lunaticc: error:") for l in compiled.error.splitlines())
        if refused:
            self.passed += 1
        elif compiled.ok:
            self.fail(c["line"], f"{kind} ({c['text']}): lunaticc accepted the module")
        else:
            self.fail(c["line"], f"{kind} ({c['text']}): lunaticc exited with status {compiled.status}, "
                                 f"not 1 with 'lunaticc: error:': {compiled.first_error_line()}")

    # -- generating, building and running the driver --

    def driver_source(self):
        out = [f"// Generated by tests/spec/run_spec.py from {self.name}.wast "
               f"({' '.join(self.config.flags)}); do not edit.",
               '#include "spec_support.h"', ""]
        out += [f'extern "C" const lunatic_module {symbol};' for symbol in sorted(self.objects)]
        # Chunks of a few hundred commands keep each function quick to compile at -O0.
        chunk = 250
        parts = [self.calls[i:i + chunk] for i in range(0, len(self.calls), chunk)]
        for n, part in enumerate(parts):
            out += ["", f"static void part{n}(spec::Run& r) {{"]
            out += ["  " + statement for _, statement in part]
            out.append("}")
        out += ["", "int main(int argc, char** argv) {",
                f"  spec::Run r(argc, argv, {c_string(self.name + '.wast')}, {self.config.mode});"]
        out += [f"  part{n}(r);" for n in range(len(parts))]
        out += ["  return r.finish();", "}", ""]
        return "\n".join(out)

    def build_driver(self):
        """Writes and links the driver unless an identical one is already there."""
        source = self.driver_source()
        path = os.path.join(self.work, "driver.cpp")
        exe = os.path.join(self.work, "driver")
        args = self.config.args
        stamp_path = exe + ".key"
        inputs = [source, args.cxx, self.config.support_object, self.config.runtime_lib,
                  *sorted(self.objects.values()), *args.link_flags]
        stamp = sha256_text(*inputs)
        if os.path.exists(exe) and os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
            return exe
        write_atomically(path, source)
        if os.path.exists(stamp_path):
            os.remove(stamp_path)
        run = self.config.jobs.run([args.cxx, "-std=c++20", "-O0", "-w", path, "-I" + HERE, "-I" + args.include,
                                    self.config.support_object, *sorted(self.objects.values()),
                                    self.config.runtime_lib, *args.link_flags, "-o", exe])
        if run.returncode != 0:
            text = run.stderr.decode(errors="replace").strip()
            raise RuntimeError("the driver did not build:\n" + "\n".join(text.splitlines()[-15:]))
        write_atomically(stamp_path, stamp)
        return exe

    def run_driver(self):
        try:
            exe = self.build_driver()
        except RuntimeError as e:
            self.notes.append(str(e))
            for index, _ in self.calls:
                self.fail(self.lines[index], "not run: the driver did not build")
            return
        order = [index for index, _ in self.calls]
        # Commands from which a restarted driver can go on: modules reset what later commands
        # depend on.
        restart_points = [index for index, stmt in self.calls if stmt.startswith("r.module")]
        results = {}  # index -> None (passed) or message
        start, skip = order[0], []
        for _ in range(MAX_RESTARTS + 1):
            output, problem = self.execute(exe, start, skip)
            finished = self.parse(output, results)
            if finished:
                break
            pending = [i for i in order if i >= start and i not in results]
            if not pending:
                self.notes.append(f"driver {problem} after its last command")
                break
            crashed = pending[0]
            results[crashed] = f"driver {problem} during this command"
            skip.append(crashed)
            later = [i for i in restart_points if i > crashed]
            resume = later[0] if later else None
            for i in pending[1:]:
                if resume is not None and i >= resume:
                    break
                results[i] = f"not run: the driver {problem} at line {self.lines[crashed]}"
            if resume is None:
                break
            start = resume
        for i in order:
            if i not in results:
                results[i] = "not run: too many driver crashes"
        for i in order:
            if results[i] is None:
                self.passed += 1
            else:
                self.fail(self.lines[i], results[i])

    def execute(self, exe, start, skip):
        """Runs the driver from command `start`; returns its output and, if it did not end
        normally, how it ended."""
        argv = self.config.args.run_with + [exe, "--from", str(start)] + \
            (["--skip", ",".join(map(str, skip))] if skip else [])
        timeout = self.config.args.timeout
        with self.config.jobs.slots:
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=self.work)
            try:
                out, _ = proc.communicate(timeout=timeout)
                status = proc.returncode
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
                return out.decode(errors="replace"), f"timed out after {timeout} s"
        if status < 0:
            try:
                name = signal.Signals(-status).name
            except ValueError:
                name = f"signal {-status}"
            return out.decode(errors="replace"), f"crashed ({name})"
        return out.decode(errors="replace"), f"exited with status {status}"

    @staticmethod
    def parse(output, results):
        """Reads the driver's protocol lines into results; True if it reached the end."""
        finished = False
        for text in output.splitlines():
            if text == "D":
                finished = True
            elif text.startswith("P "):
                results[int(text[2:])] = None
            elif text.startswith("F "):
                index, _, message = text[2:].partition(" ")
                # The driver puts "<script>:<line>: " in front; the runner adds it itself.
                results[int(index)] = message.split(": ", 1)[1] if ": " in message else message
        return finished


# --- Known failures ---------------------------------------------------------------------

def spec_entry(text):
    """(key without the spec/ prefix, reason) if the list line `text` is one of ours, else None.
    A line is `KEY: REASON`, split at the first ": ", as our keys hold a colon themselves
    (names.wast:637)."""
    text = text.strip()
    if not text.startswith(KNOWN_PREFIX):
        return None
    key, sep, reason = text.partition(": ")
    if not sep or not reason.strip():
        # Silently skipping it would turn a listed failure into an unexpected one.
        raise SystemExit(f"known failures: no ': <reason>' after the key in {text!r}")
    return key[len(KNOWN_PREFIX):].strip(), reason.strip()


def read_known(path):
    """The spec/ entries of the known-failures list: `spec/<script>.wast:<line>: <reason>` or
    `spec/<script>.wast: <reason>`; a key may end in @guard or @bounds to apply to one memory
    mode only. Returns {key without spec/: reason}."""
    with open(path, encoding="utf-8") as f:
        return dict(e for e in map(spec_entry, f) if e)


def applies(key, config):
    for suffix in MODE_SUFFIXES:
        if key.endswith(suffix):
            return suffix[1:] == config.mode_name
    return True


def strip_mode(key):
    for suffix in MODE_SUFFIXES:
        if key.endswith(suffix):
            return key[:-len(suffix)]
    return key


def check_known(scripts, known, config):
    """Splits the failures into listed and unexpected ones, and finds listed entries (for
    the scripts that ran) that no longer fail."""
    active = {strip_mode(k): k for k in known if applies(k, config)}
    ran = {s.name + ".wast" for s in scripts}
    unexpected, used = [], set()
    for s in scripts:
        for f in s.failures:
            line_key, script_key = f"{s.name}.wast:{f.line}", f"{s.name}.wast"
            hit = active.get(line_key) or active.get(script_key)
            if hit:
                used.add(hit)
            else:
                unexpected.append(f"{line_key}: {f.message}")
    stale = sorted(k for k in active.values() if strip_mode(k).split(":")[0] in ran and k not in used)
    return unexpected, stale


def rewrite_known(path, scripts, known, config):
    """Rewrites the list's spec/ entries from this run: those of the scripts that ran are
    replaced by their current failures (keeping the reasons already written, a placeholder
    for new ones); entries of other scripts and of the other memory mode stay. The memory scripts
    run in both modes, so their new entries are tagged with this run's mode, and an untagged
    entry that no longer fails in this mode is kept for the other one."""
    ran = {s.name + ".wast" for s in scripts}
    other = "@bounds" if config.mode_name == "guard" else "@guard"
    kept = {}
    for key, reason in known.items():
        base = strip_mode(key)
        if base.split(":")[0] not in ran or not applies(key, config):
            kept[key] = reason
        elif key == base and MEMORY_SCRIPTS.match(base.split(".wast")[0]):
            kept[key + other] = reason  # re-joined below if it fails in this mode too
    for s in scripts:
        script_key = f"{s.name}.wast"
        both_modes = MEMORY_SCRIPTS.match(s.name)
        if script_key in known and s.failures:
            kept.pop(script_key + other, None)
            kept[script_key] = known[script_key]
            continue
        for f in s.failures:
            key = f"{s.name}.wast:{f.line}"
            if key + other in kept:  # fails in both modes: one untagged entry
                kept[key] = kept.pop(key + other)
                continue
            if key in known:
                kept[key] = known[key]
                continue
            tagged = key + "@" + config.mode_name if both_modes else key
            kept[tagged] = known.get(tagged) or f"TODO(lead): give the reason -- {f.message[:150]}"

    def order(key):
        base = strip_mode(key)
        script, _, line = base.partition(":")
        return (script, int(line) if line.isdigit() else 0, key)

    ours = [f"{KNOWN_PREFIX}{k}: {kept[k]}\n" for k in sorted(kept, key=order)]
    # The list is shared: every other line (comments, guest entries) stays as it was, and our
    # entries take the place of the first old one (or go at the end if there was none).
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    out, placed = [], False
    for line in lines:
        if spec_entry(line) is None:
            out.append(line)
        elif not placed:
            out += ours
            placed = True
    if not placed:
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out += ours
    write_atomically(path, "".join(out))


# --- Main -------------------------------------------------------------------------------

def select_scripts(args):
    names = sorted(f[:-len(".wast")] for f in os.listdir(args.suite) if f.endswith(".wast"))
    if args.memory_only:
        names = [n for n in names if MEMORY_SCRIPTS.match(n)]
    if args.only:
        wanted = [re.compile(p.strip().removesuffix(".wast").replace("*", ".*") + "$")
                  for p in args.only.split(",") if p.strip()]
        names = [n for n in names if any(w.match(n) for w in wanted)]
    # Largest first, so that a big script does not start last and leave a core idle.
    return sorted((os.path.join(args.suite, n + ".wast") for n in names), key=os.path.getsize, reverse=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--suite", required=True, help="folder of .wast scripts (spec-testsuite/core)")
    p.add_argument("--lunaticc", required=True, help="the lunaticc binary")
    p.add_argument("--runtime-lib", required=True, help="liblunatic_runtime.a")
    p.add_argument("--include", required=True, help="the runtime's include folder (with lunatic/embed.h)")
    p.add_argument("--build", required=True, help="work and cache folder")
    p.add_argument("--known", default=os.path.join(os.path.dirname(HERE), "expected_failures.txt"),
                   help="the known-failures list; only its spec/ entries are ours")
    p.add_argument("-O", dest="opt", default="2", choices=["0", "1", "2", "3"], help="lunaticc -O level")
    p.add_argument("--bounds-checks", action="store_true", help="compile with lunaticc --bounds-checks")
    p.add_argument("--lunaticc-flag", action="append", default=[], metavar="FLAG",
                   help="one more lunaticc flag, repeatable (e.g. --lunaticc-flag=--cpu=x86-64)")
    p.add_argument("--memory-only", action="store_true", help="only the scripts about linear memory")
    p.add_argument("--only", default="", help="comma-separated script names, * allowed (e.g. i32,simd_*)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="parallel processes (default 2)")
    p.add_argument("--timeout", type=int, default=60, help="seconds per driver run (default 60)")
    p.add_argument("--compile-timeout", type=int, default=120, help="seconds per lunaticc run")
    p.add_argument("--cxx", default=os.environ.get("CXX", "c++"), help="C++ compiler for the drivers")
    p.add_argument("--link-flags", default="-lpthread -ldl -lm", help="extra flags for linking a driver")
    p.add_argument("--run-with", default="",
                   help="a program that runs the drivers (as: RUN_WITH DRIVER ARGS...), e.g. qemu-aarch64-static "
                        "for a cross-compiled suite (with --lunaticc-flag=--target=... and --cxx, --runtime-lib "
                        "and --link-flags for that target)")
    p.add_argument("--update-known-failures", action="store_true",
                   help="rewrite the list's spec/ entries from this run's failures (reasons to fill in)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every failure and harness note")
    args = p.parse_args()
    args.link_flags = args.link_flags.split()
    args.run_with = args.run_with.split()
    args.suite = os.path.abspath(args.suite)
    if not os.path.isdir(args.suite):
        print(f"spec: no test suite at {args.suite} (a checkout of github.com/WebAssembly/testsuite; "
              "configure with -DLUNATIC_SPEC_TESTSUITE=...)", file=sys.stderr)
        return 2
    args.include = os.path.abspath(args.include)
    args.runtime_lib = os.path.abspath(args.runtime_lib)

    config = Config(args)
    build_support_object(config)
    prune_cache(config)
    wasts = select_scripts(args)
    if not wasts:
        print("spec: no scripts selected", file=sys.stderr)
        return 2
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        scripts = list(pool.map(lambda w: Script(config, w).run(), wasts))
    scripts.sort(key=lambda s: s.name)

    known = read_known(args.known)
    unexpected, stale = check_known(scripts, known, config)
    unexpected_keys = {u.split(": ", 1)[0] for u in unexpected}
    totals = [0, 0, 0]
    report = []
    for s in scripts:
        report.append(f"{s.name}.wast: {s.passed} passed, {s.failed} failed, {s.skipped} skipped")
        totals[0] += s.passed
        totals[1] += s.failed
        totals[2] += s.skipped
        shown = s.failures if args.verbose else s.failures[:MAX_SHOWN_FAILURES]
        for f in shown:
            key = f"{s.name}.wast:{f.line}"
            report.append(f"  {'FAIL' if key in unexpected_keys else 'known'} {key}: {f.message}")
        if len(shown) < len(s.failures):
            report.append(f"  ... {len(s.failures) - len(shown)} more (-v shows all)")
        for note in (s.notes if args.verbose else s.notes[:3]):
            report.append("  note: " + note.replace("\n", "\n        "))
    print("\n".join(report))

    # The complete results, for triage and for diffing two runs.
    with open(os.path.join(config.work, "results.txt"), "w") as f:
        for s in scripts:
            for fl in s.failures:
                f.write(f"{s.name}.wast:{fl.line}: {fl.message}\n")

    status = 0
    if args.update_known_failures:
        rewrite_known(args.known, scripts, known, config)
        print(f"rewrote {args.known}: fill in every TODO(lead) reason")
    else:
        if unexpected:
            status = 1
            print(f"\n{len(unexpected)} unexpected failures (not in {os.path.basename(args.known)}):")
            for u in unexpected[:200]:
                print("  " + u)
            if len(unexpected) > 200:
                print(f"  ... and {len(unexpected) - 200} more, all in {os.path.join(config.work, 'results.txt')}")
        if stale:
            status = 1
            print(f"\n{len(stale)} known failures now pass; remove them from {os.path.basename(args.known)}:")
            for k in stale:
                print("  " + KNOWN_PREFIX + k)
    print(f"spec: {totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return status


if __name__ == "__main__":
    sys.exit(main())
