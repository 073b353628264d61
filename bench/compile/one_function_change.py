#!/usr/bin/env python3
"""A module and a copy of it with one function changed: what incremental compilation
(compiler/backend/parts_cache.h) is measured and tested on.

Both copies go through the same round trip, wasm2wat then wat2wasm --debug-names (which keeps
the functions' names), so that they differ in one constant of one function's body and in
nothing else: the first `i32.const` of that function, its lowest bit flipped. The function is
the one named, or by default the middle one, in the module's order, of those of 100 to 1,000
lines of text (not so small that other parts get copies of it to inline).

Usage: one_function_change.py MODULE.wasm BASE.wasm CHANGED.wasm [FUNCTION]
Prints the name of the function changed (as in the text format, without the $).
"""
import re
import subprocess
import sys
import tempfile

FUNC = re.compile(r"^  \(func \$(\S+)", re.MULTILINE)
TOP_LEVEL = re.compile(r"^  \(", re.MULTILINE)
CONST = re.compile(r"i32\.const (-?\d+)")


def functions(text):
    """[(name, start, end)] of the functions of a module's text, in order."""
    found = []
    for match in FUNC.finditer(text):
        following = TOP_LEVEL.search(text, match.end())
        found.append((match.group(1), match.start(), following.start() if following else len(text)))
    return found


def choose(text, found):
    candidates = [(name, start, end) for name, start, end in found
                  if 100 <= text.count("\n", start, end) <= 1000 and CONST.search(text, start, end)]
    if not candidates:
        sys.exit("no function of 100 to 1,000 lines with an i32.const to change")
    return candidates[len(candidates) // 2]


def make(module, base, changed, function=None):
    """Writes BASE and CHANGED from MODULE; returns the name of the function changed."""
    with tempfile.TemporaryDirectory() as work:
        wat = f"{work}/module.wat"
        subprocess.run(["wasm2wat", module, "-o", wat], check=True)
        with open(wat) as f:
            text = f.read()
        found = functions(text)
        if function:
            chosen = next((entry for entry in found if entry[0] == function), None)
            if not chosen:
                sys.exit(f"no function ${function} in {module}")
        else:
            chosen = choose(text, found)
        name, start, end = chosen
        constant = CONST.search(text, start, end)
        if not constant:
            sys.exit(f"${name} has no i32.const to change")
        edited = text[:constant.start()] + f"i32.const {int(constant.group(1)) ^ 1}" + text[constant.end():]
        subprocess.run(["wat2wasm", "--debug-names", wat, "-o", base], check=True)
        with open(wat, "w") as f:
            f.write(edited)
        subprocess.run(["wat2wasm", "--debug-names", wat, "-o", changed], check=True)
    return name


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    print(make(*sys.argv[1:]))
