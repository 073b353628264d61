#!/usr/bin/env python3
"""Guest source lines in native tools (lunaticc -g), one behaviour per case.

    run_debug_test.py CASE --lunaticc LUNATICC --work DIR
    run_debug_test.py --list

Each case builds its guests itself (debuggee.c with clang-19 -g, debuggee.rs with Debian's
rustc -g), so what reaches lunaticc is exactly a debug build as a user makes one:
  same_code_c, same_code_rust  lunaticc -O2 with and without -g: the disassembly of every
                               section of code is identical but for addresses (see
                               disassembly()), and only the -g executable has a line table;
  gdb_c_reused_local           a guest whose DWARF keeps variables in locals given to others
                               (reused_local.c): gdb shows no wrong value;
  trap_lines_c                 a trap's backtrace names the guest's file:line per frame with
                               -g (trapping.c), and no lines without;
  no_dwarf_warning             -g on a module without DWARF: one warning, a working program;
  gdb_c, gdb_rust              gdb -batch breaks on the guest's `debuggee.*:LINE` (the line
                               marked BREAK), and the stop and the backtrace show the guest's
                               file, line and functions (report <- sum_squares <- main);
                               there report's parameter `value` (a Wasm local in the guest)
                               prints 285, by `print`, `info args` and in the backtrace.
Exit status 0 if every check held; else each failed check is printed.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from checks import Failure, case_table, check, run_named_case  # noqa: E402  (tests/checks.py)

CASES, case = case_table()


def run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise Failure(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def compile_c(source, wasm):
    # In two steps: clang links with wasm-opt when given -O, which drops DWARF.
    obj = wasm + ".o"
    run(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", "-g", "-O1", "-c", source, "-o", obj])
    run(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", obj, "-o", wasm])


def guest(language, work):
    """The guest compiled with debug info, and the line marked BREAK."""
    source = os.path.join(HERE, "debuggee." + language)
    wasm = os.path.join(work, f"debuggee_{language}.wasm")
    if language == "c":
        compile_c(source, wasm)
    else:
        run(["/usr/bin/rustc", "--target", "wasm32-wasi", "--edition", "2021", "-g", "-C", "opt-level=1",
             "-C", "linker=/usr/bin/rust-lld", source, "-o", wasm])
    with open(source) as f:
        line = next(n for n, text in enumerate(f, 1) if "BREAK" in text and "marked" not in text)
    return wasm, os.path.basename(source), line


def compile_native(lunaticc, wasm, output, *flags):
    # --no-cache: each executable from its own compilation, not from the other's parts.
    out = run([lunaticc, "-O2", "--no-cache", *flags, wasm, "-o", output])
    return out


def disassembly(program):
    """objdump -d of every section of code, with addresses left out.

    The executables' code is laid out alike, but not their read-only data: with -g, the
    inline table (abi.h) also names the guest's own inlined functions, so what follows it
    moves. So addresses give way to the symbols objdump names them by ("<square+0x1c>"),
    and displacements from rip to the symbol they reach; every instruction and operand
    else is compared as it is."""
    text = run(["objdump", "-d", "--no-show-raw-insn", program])
    lines = []
    for line in text.splitlines():
        if line.startswith(program):
            continue
        line = re.sub(r"^\s*[0-9a-f]+:\t", "", line)      # the instruction's address
        line = re.sub(r"^[0-9a-f]{16} <", "<", line)        # a symbol's
        line = re.sub(r"\b[0-9a-f]+ <", "<", line)           # a branch target's, or what rip reaches
        line = re.sub(r"-?0x[0-9a-f]+\(%rip\)", "(%rip)", line)
        lines.append(line)
    return "\n".join(lines)


def section_names(program):
    text = run(["objdump", "-h", program])
    return set(re.findall(r"^\s*\d+\s+(\S+)", text, re.M))


def same_code(language, o):
    wasm, _, _ = guest(language, o.work)
    plain = os.path.join(o.work, f"plain_{language}")
    debug = os.path.join(o.work, f"debug_{language}")
    compile_native(o.lunaticc, wasm, plain)
    compile_native(o.lunaticc, wasm, debug, "-g")
    check(".debug_line" in section_names(debug), "the -g executable has no .debug_line")
    check(".debug_info" in section_names(debug), "the -g executable has no .debug_info")
    check(".debug_line" not in section_names(plain), "the executable without -g has a .debug_line")
    a, b = disassembly(plain), disassembly(debug)
    check(len(a.splitlines()) > 1000, "the disassembly is suspiciously short")
    if a != b:
        first = next(i for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines())) if x != y)
        raise Failure("the code differs with -g, from line %d:\n  without: %s\n  with -g: %s"
                      % (first, a.splitlines()[first], b.splitlines()[first]))
    print(f"{language}: {len(a.splitlines())} lines of disassembly, identical with and without -g")


@case
def same_code_c(o):
    same_code("c", o)


@case
def same_code_rust(o):
    same_code("rs", o)


def gdb_session(language, o):
    wasm, source, line = guest(language, o.work)
    program = os.path.join(o.work, f"gdb_{language}")
    compile_native(o.lunaticc, wasm, program, "-g")
    out = subprocess.run(
        ["gdb", "-batch", "-nx", "-ex", "set pagination off", "-ex", "set width 0", "-ex", "set confirm off",
         "-ex", f"break {source}:{line}", "-ex", "run", "-ex", "bt", "-ex", "print value", "-ex", "info args",
         "-ex", "bt full", "-ex", "info source", program],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    text = out.stdout + out.stderr
    print(text)
    check(re.search(rf"Breakpoint 1 at 0x[0-9a-f]+: (file .*{re.escape(source)}, line {line}|{re.escape(source)}:{line})", text),
          f"gdb set no breakpoint at {source}:{line}")
    check(re.search(rf"Breakpoint 1(?:\.\d+)?, .*report.* at .*{re.escape(source)}:{line}", text, re.S),
          f"the program did not stop in report at {source}:{line}")
    frames = re.findall(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+) .*?(?: at (\S+):(\d+))?$", text, re.M)
    names = [name for _, name, _, _ in frames]
    check(names[:1] and "report" in names[0], f"the backtrace does not start in report: {names}")
    order = [next((i for i, n in enumerate(names) if want in n), None) for want in ("sum_squares", "main")]
    check(None not in order and order[0] < order[1], f"the backtrace lacks sum_squares then main: {names}")
    located = [f for f in frames if f[2].endswith(source)]
    check(len(located) >= 3, f"fewer than 3 frames with a line in {source}: {frames}")
    # sum_squares(10) = 0 + 1 + 4 + ... + 81, computed by the guest; a wrong location
    # would show another number, a missing one "<optimized out>".
    check(re.search(r"^\$1 = 285$", text, re.M), "`print value` did not print 285")
    check(re.search(r"^value = 285$", text, re.M), "`info args` did not show value = 285")
    check(re.search(r"^#0 +report ?\(value=285\)", text, re.M), "the backtrace does not show report(value=285)")


@case
def gdb_c_reused_local(o):
    """Where the guest's DWARF keeps a variable in a local given to another (reused_local.c),
    gdb shows the variable's value or <optimized out>, and the values that are right."""
    wasm, program = os.path.join(o.work, "reused_local.wasm"), os.path.join(o.work, "reused_local")
    compile_c(os.path.join(HERE, "reused_local.c"), wasm)
    compile_native(o.lunaticc, wasm, program, "-g")
    out = subprocess.run(
        ["gdb", "-batch", "-nx", "-ex", "set pagination off", "-ex", "set width 0", "-ex", "break observe",
         "-ex", "run", *[arg for _ in range(4) for arg in ("-ex", "up", "-ex", "info locals", "-ex", "continue")],
         program], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    text = out.stdout + out.stderr
    print(text)
    stops = re.split(r"^#1 +", text, flags=re.M)[1:]
    check(len(stops) == 4, f"gdb did not stop at the 4 calls of observe: {len(stops)} stops")
    # argc is 1, so a = 7, r = observe(7) & 1 + observe(8) & 1 = 1, b = 11 + r = 12.
    truth = {"argc": "1", "a": "7", "b": "12", "r": "1"}
    shown = []
    for number, stop in enumerate(stops, 1):
        values = dict(re.findall(r"^(\w+) = (.*)$", stop, re.M))
        values.update(re.findall(r"\b(argc)=([^,)]+)", stop.splitlines()[0]))
        for name, value in values.items():
            if name in truth and value != "<optimized out>":
                check(value == truth[name], f"at stop {number}, {name} = {value}, which is {truth[name]}")
                shown.append((number, name))
    # What the guest's DWARF gets right: a before its local is reused, b after it is set.
    check((1, "a") in shown and (4, "b") in shown, f"a at the first stop or b at the last not shown: {shown}")


@case
def trap_lines_c(o):
    """A trap's backtrace in a -g executable gives the guest's file and line of each frame
    (trapping.c), and none without -g."""
    source = os.path.join(HERE, "trapping.c")
    wasm = os.path.join(o.work, "trapping.wasm")
    compile_c(source, wasm)
    with open(source) as f:
        lines = {mark: n for n, text in enumerate(f, 1) for mark in ("TRAP", "CALL") if f"// {mark}" in text}
    for flags in (["-g"], []):
        program = os.path.join(o.work, "trapping" + "".join(flags))
        compile_native(o.lunaticc, wasm, program, *flags)
        result = subprocess.run([program], capture_output=True, text=True, timeout=60)
        print(result.stderr)
        check(result.returncode != 0 and "divide by zero" in result.stderr,
              f"the program did not trap: {result.returncode} {result.stderr!r}")
        frames = re.findall(r"^\s+at (\S+)(?: \((\S+):(\d+)\))?", result.stderr, re.M)
        names = [name for name, _, _ in frames]
        check(names[:2] == ["divide", "average"], f"the backtrace does not start divide <- average: {names}")
        if flags:
            for (name, file, line), mark in zip(frames, ("TRAP", "CALL")):
                check(file.endswith("trapping.c") and int(line) == lines[mark],
                      f"{name} is at {file}:{line}, not trapping.c:{lines[mark]}")
        else:
            check(not any(file for _, file, _ in frames), f"lines without -g: {frames}")


@case
def no_dwarf_warning(o):
    """-g on a module built without debug info: compiled all the same, with one warning."""
    obj, wasm = os.path.join(o.work, "plain.o"), os.path.join(o.work, "plain.wasm")
    run(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", "-O1", "-c", os.path.join(HERE, "debuggee.c"),
         "-o", obj])
    run(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", "-Wl,--strip-debug", obj, "-o", wasm])
    out = compile_native(o.lunaticc, wasm, os.path.join(o.work, "plain"), "-g")
    warnings = [line for line in out.splitlines() if line.startswith("lunaticc: warning:")]
    check(len(warnings) == 1 and "no DWARF line table" in warnings[0], f"expected one warning, got: {out!r}")
    check(subprocess.run([os.path.join(o.work, "plain")], capture_output=True).returncode == 0,
          "the program compiled from it does not run")


@case
def gdb_c(o):
    gdb_session("c", o)


@case
def gdb_rust(o):
    gdb_session("rs", o)


def make_work_dir(o):
    o.work = os.path.join(o.work, o.case)
    os.makedirs(o.work, exist_ok=True)


if __name__ == "__main__":
    sys.exit(run_named_case(CASES, ("--lunaticc", "--work"), make_work_dir))
