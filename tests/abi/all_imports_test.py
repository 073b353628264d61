#!/usr/bin/env python3
"""The whole host ABI, as a module sees it.

1. runtime/include/lunatic/lunatic_functions.def lists every function of upstream Lunatic
   0.13.2 (upstream_0.13.2.txt) with upstream's signature, and nothing else but this runtime's
   documented extensions.
2. A module that imports every function of the .def compiles, starts and runs: the runtime
   links each, including those it does not provide yet. Its _start calls a subset whose
   results are known without a network or a second process (version, distributed, metrics,
   catch, the registry, messages to itself, compile_module of bytes not compiled in, and
   functions that answer with an error id), checks each, and traps at the first wrong one.

Usage: all_imports_test.py LUNATICC DEF WORKDIR [LUNATICC FLAGS...]
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# This runtime's own functions (docs/abi.md, "Extensions").
EXTENSIONS = {("lunatic::process", name) for name in
              ("config_can_listen", "config_set_can_listen", "config_can_connect", "config_set_can_connect",
               "config_set_max_host_memory", "config_get_max_host_memory")}
EXTENSIONS.add(("lunatic::wasi", "config_preopen_dir_read_only"))
EXTENSIONS |= {("lunatic::process", "config_can_spawn_on_nodes"), ("lunatic::process", "config_set_can_spawn_on_nodes")}
EXTENSIONS |= {("lunatic::distributed", name) for name in
               ("link", "unlink", "monitor", "stop_monitoring", "exists", "send_to_name")}
WASM_TYPES = {"i": "i32", "I": "i64", "f": "f32", "F": "f64"}


def read_def(path):
    entry = re.compile(r'^LUNATIC_HOST_FUNCTION\((\w+), (\w+), "([iIfF]*:[iIfF]*)"\)')
    with open(path) as f:
        return [("lunatic::" + module, name, signature) for module, name, signature in
                (m.groups() for m in map(entry.match, f) if m)]


def read_upstream():
    with open(os.path.join(HERE, "upstream_0.13.2.txt")) as f:
        return [tuple(line.split()) for line in f if line.strip() and not line.startswith("#")]


def check_against_upstream(functions):
    problems = []
    ours = {(module, name): signature for module, name, signature in functions}
    if len(ours) != len(functions):
        problems.append("the .def names a function twice")
    upstream = read_upstream()
    for module, name, signature in upstream:
        if (module, name) not in ours:
            problems.append(f"missing: {module}.{name} ({signature})")
        elif ours[(module, name)] != signature:
            problems.append(f"{module}.{name}: signature {ours[(module, name)]}, upstream's {signature}")
    upstream_names = {(module, name) for module, name, _ in upstream}
    for key in ours:
        if key not in upstream_names and key not in EXTENSIONS:
            problems.append(f"not upstream's: {key[0]}.{key[1]}")
    print(f"abi: {len(upstream)} upstream functions, {len(ours)} in the .def")
    return problems


def wasm_type(signature):
    params, results = signature.split(":")
    text = "".join(f" (param {WASM_TYPES[c]})" for c in params)
    return text + "".join(f" (result {WASM_TYPES[c]})" for c in results)


def symbol(module, name):
    return "$" + module.replace("lunatic::", "") + "." + name


# The calls _start makes, in Wasm text; each leaves nothing on the stack and traps if a result
# is wrong. Memory: 16.. scratch u64s, 64.. names, 1024.. buffers.
START = """
    ;; version 0.13.2
    (call $check32 (call $version.major) (i32.const 0))
    (call $check32 (call $version.minor) (i32.const 13))
    (call $check32 (call $version.patch) (i32.const 2))
    ;; not in a cluster: node 0, no nodes, module 0
    (call $check64 (call $distributed.node_id) (i64.const 0))
    (call $check64 (call $distributed.module_id) (i64.const 0))
    (call $check32 (call $distributed.nodes_count) (i32.const 0))
    (call $check32 (call $distributed.get_nodes (i32.const 1024) (i32.const 4)) (i32.const 0))
    ;; metrics
    (call $metrics.counter (i32.const 64) (i32.const 5) (i64.const 3))
    (call $metrics.increment_counter (i32.const 64) (i32.const 5))
    (call $metrics.gauge (i32.const 64) (i32.const 5) (f64.const 1.5))
    (call $metrics.increment_gauge (i32.const 64) (i32.const 5) (f64.const 1))
    (call $metrics.decrement_gauge (i32.const 64) (i32.const 5) (f64.const 0.5))
    (call $metrics.histogram (i32.const 64) (i32.const 5) (f64.const 2))
    ;; catch: a call that returns, and one that traps
    (call $check32 (call $trap.catch (i32.const 0) (i32.const 41)) (i32.const 42))
    (call $check32 (call $trap.catch (i32.const 1) (i32.const 41)) (i32.const 0))
    ;; a message to itself
    (call $message.create_data (i64.const 9) (i64.const 0))
    (call $check32 (call $message.write_data (i32.const 64) (i32.const 5)) (i32.const 5))
    (call $check32 (call $message.send (call $process.process_id)) (i32.const 0))
    (call $check32 (call $message.receive (i32.const 0) (i32.const 0) (i64.const 5000)) (i32.const 0))
    (call $check64 (call $message.get_tag) (i64.const 9))
    (call $check64 (call $message.data_size) (i64.const 5))
    ;; the registry
    (call $registry.put (i32.const 64) (i32.const 5) (i64.const 0) (call $process.process_id))
    (call $check32 (call $registry.get (i32.const 64) (i32.const 5) (i32.const 16) (i32.const 24)) (i32.const 0))
    (call $check64 (i64.load (i32.const 24)) (call $process.process_id))
    (call $registry.remove (i32.const 64) (i32.const 5))
    (call $check32 (call $timer.cancel_timer (i64.const 123456)) (i32.const 0))
    ;; modules: bytes of no module compiled into the executable get an error id with a text
    (call $check32 (call $process.compile_module (i32.const 64) (i32.const 5) (i32.const 16)) (i32.const 1))
    (call $error_has_text (i64.load (i32.const 16)))
    ;; error results, each with an error id that has a text
    (call $check64 (call $sqlite.open (i32.const 64) (i32.const 5) (i32.const 16)) (i64.const 1))
    (call $error_has_text (i64.load (i32.const 16)))
    ;; (a CA certificate that is not PEM, or no permission to connect: refused before any lookup)
    (call $check32 (call $networking.tls_connect (i32.const 64) (i32.const 5) (i32.const 443) (i64.const 100)
                         (i32.const 16) (i32.const 48) (i32.const 1)) (i32.const 1))
    (call $error_has_text (i64.load (i32.const 16)))
"""


def module_text(functions):
    imports = "\n".join(f'  (import "{module}" "{name}" (func {symbol(module, name)}{wasm_type(signature)}))'
                        for module, name, signature in functions)
    return f"""(module
{imports}
  (memory (export "memory") 1)
  (data (i32.const 48) "\\40\\00\\00\\00\\05\\00\\00\\00")  ;; a ciovec of "hello"
  (data (i32.const 64) "hello")
  (table 2 funcref)
  (elem (i32.const 0) $plus_one $traps)
  (type $caught (func (param i32) (result i32)))
  (func $plus_one (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $traps (param i32) (result i32) unreachable)
  (func (export "_lunatic_catch_trap") (param $function i32) (param $pointer i32) (result i32)
    (call_indirect (type $caught) (local.get $pointer) (local.get $function)))
  (func $check32 (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func $check64 (param i64 i64) (if (i64.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func $error_has_text (param $error i64)
    (if (i32.eqz (call $error.string_size (local.get $error))) (then unreachable))
    (call $error.drop (local.get $error)))
  (func (export "_start")
{START}  )
)
"""


def main():
    lunaticc, def_path, workdir, *flags = sys.argv[1:]
    functions = read_def(def_path)
    problems = check_against_upstream(functions)
    os.makedirs(workdir, exist_ok=True)
    wat, wasm, exe = (os.path.join(workdir, "all_imports" + ext) for ext in (".wat", ".wasm", ""))
    with open(wat, "w") as f:
        f.write(module_text(functions))
    subprocess.run(["wat2wasm", "--debug-names", wat, "-o", wasm], check=True)
    compiled = subprocess.run([lunaticc, *flags, wasm, "-o", exe], capture_output=True, text=True)
    if compiled.returncode != 0:
        problems.append("lunaticc refused the module: " + compiled.stderr.strip())
    else:
        run = subprocess.run([exe], capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            problems.append(f"the module exited with {run.returncode}: {run.stderr.strip()}")
        else:
            print(f"abi: a module importing all {len(functions)} functions ran")
    for problem in problems:
        print("FAIL " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
