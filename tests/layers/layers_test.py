#!/usr/bin/env python3
"""tools/check_layers.py against small trees: a clean one passes, and each planted violation
(an include of a higher layer, of an unrelated layer, a rooted folder's include written from
its own folder, an include of no file, a file in no layer) fails with a line naming it.

Usage: layers_test.py CHECK_LAYERS_PY
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import Checks  # noqa: E402

LAYERS = """
root .
root core/include
layer contract: core/include/
layer core: core/* < contract
layer io: core/io/ < core
layer upper: core/api/ plugin/ < io
layer tools: tools/ < contract
layer absent: not/there/ < contract
rooted core/
"""

CLEAN = {
    "core/include/abi.h": "",
    "core/memory.h": '#include "abi.h"\n',
    "core/memory.cpp": '#include "core/memory.h"\n#include <vector>\n',
    "core/io/io.cpp": '#include "core/memory.h"\n',
    "core/api/api.cpp": '#include "core/io/io.cpp"\n#include "abi.h"\n',
    "plugin/plugin.h": '#include "core/memory.h"\n',
    "plugin/plugin.cpp": '#include "plugin.h"\n',
    "tools/tool.cpp": '#include "abi.h"\n',
}


def run(check_layers, files):
    with tempfile.TemporaryDirectory() as root:
        for path, text in files.items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        layers = os.path.join(root, "layers.txt")
        with open(layers, "w") as f:
            f.write(LAYERS)
        result = subprocess.run([sys.executable, check_layers, "--root", root, "--layers", layers],
                                capture_output=True, text=True)
        return result.returncode, result.stdout


def main():
    check_layers = sys.argv[1]
    checks = Checks()
    code, out = run(check_layers, CLEAN)
    checks.expect("a clean tree passes", [] if code == 0 else [f"exit {code}: {out}"])

    planted = {
        "a lower layer includes a higher one": ("core/io/io.h", '#include "core/api/api.cpp"\n',
                                                 "core/io/io.h:1: \"core/api/api.cpp\": layer io includes"),
        "a layer includes one it does not build on": ("tools/t.cpp", '#include "core/memory.h"\n',
                                                       "tools/t.cpp:1: \"core/memory.h\": layer tools includes"),
        "a rooted folder's include written from its own folder": (
            "core/io/poll.cpp", '#include "io.cpp"\n', "core/io/poll.cpp:1: \"io.cpp\": written from its own folder"),
        "an include of no file": ("plugin/x.cpp", '\n#include "missing.h"\n', "plugin/x.cpp:2: \"missing.h\": no such file"),
        "a file in no layer": ("stray/s.c", "", "stray/s.c: in no layer"),
    }
    for name, (path, text, expected) in planted.items():
        code, out = run(check_layers, {**CLEAN, path: text})
        problems = []
        if code != 1:
            problems.append(f"exit {code}, expected 1")
        if expected not in out:
            problems.append(f"no line {expected!r} in {out!r}")
        if "1 problems" not in out:
            problems.append(f"not exactly one problem: {out!r}")
        checks.expect(name, problems)
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
