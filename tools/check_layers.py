#!/usr/bin/env python3
"""Checks every #include "..." of the tree against its layers (tools/layers.txt).

Usage: check_layers.py [--root DIR] [--layers FILE]

Fails (exit 1, one line per problem) on an include of a higher or unrelated layer, an include
that resolves to no file, an include in a rooted folder written relative to its own folder,
and a C or C++ file that belongs to no layer. Angle-bracket includes are system headers and
are not checked. tests/layers/layers_test.py runs it on trees with planted violations.
"""
import argparse
import os
import re
import sys

SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".h", ".hpp", ".def", ".inc")
SKIPPED_DIRS = {".git", "build"}
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]+"([^"]+)"', re.MULTILINE)


class Layers:
    def __init__(self, text, origin):
        self.paths = []  # (path pattern, layer)
        self.below = {}  # layer -> layers it builds on
        self.roots = []
        self.rooted = []
        self.external = set()
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            keyword, _, rest = line.partition(" ")
            rest = rest.strip()
            if keyword == "layer":
                name, colon, spec = rest.partition(":")
                paths, _, lower = spec.partition("<")
                name = name.strip()
                if not colon or not name or name in self.below:
                    sys.exit(f"{origin}:{number}: bad or repeated layer: {raw}")
                self.below[name] = lower.split()
                self.paths += [(p, name) for p in paths.split()]
            elif keyword == "root":
                self.roots.append(rest)
            elif keyword == "rooted":
                self.rooted.append(rest.rstrip("/") + "/")
            elif keyword == "external":
                self.external.add(rest)
            else:
                sys.exit(f"{origin}:{number}: unknown line: {raw}")
        for name, lower in self.below.items():
            for other in lower:
                if other not in self.below:
                    sys.exit(f"{origin}: layer {name} builds on unknown layer {other}")
        self.allowed = {name: self._closure(name, []) for name in self.below}

    def _closure(self, name, seen):
        if name in seen:
            sys.exit(f"layers: a cycle through {' < '.join(seen + [name])}")
        reach = {name}
        for other in self.below[name]:
            reach |= self._closure(other, seen + [name])
        return reach

    def layer_of(self, path):
        best, best_length = None, -1
        for pattern, name in self.paths:
            if pattern.endswith("/*"):
                folder = pattern[:-1]
                hit = path.startswith(folder) and "/" not in path[len(folder):]
            else:
                folder = pattern.rstrip("/") + "/"
                hit = path.startswith(folder)
            if hit and len(folder) > best_length:
                best, best_length = name, len(folder)
        return best


def sources(root):
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS and not d.startswith("build"))
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                yield os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/")


def check(root, layers):
    problems = []
    for path in sources(root):
        layer = layers.layer_of(path)
        if layer is None:
            problems.append(f"{path}: in no layer of the layer table")
            continue
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        rooted = any(path.startswith(r) for r in layers.rooted)
        for match in INCLUDE.finditer(text):
            name = match.group(1)
            line = text.count("\n", 0, match.start()) + 1
            where = f"{path}:{line}: \"{name}\""
            beside = os.path.normpath(os.path.join(os.path.dirname(path), name))
            from_roots = [os.path.normpath(os.path.join(r, name)) for r in layers.roots]
            if rooted:
                candidates = from_roots
            else:
                candidates = [beside] + from_roots
            target = next((c for c in candidates if os.path.isfile(os.path.join(root, c))), None)
            if target is None:
                if name in layers.external:
                    continue
                if rooted and os.path.isfile(os.path.join(root, beside)):
                    problems.append(f"{where}: written from its own folder; write it from the "
                                    f"repository's root: \"{beside}\"")
                else:
                    problems.append(f"{where}: no such file")
                continue
            target = target.replace(os.sep, "/")
            target_layer = layers.layer_of(target)
            if target_layer is None:
                problems.append(f"{where}: {target} is in no layer")
            elif target_layer not in layers.allowed[layer]:
                problems.append(f"{where}: layer {layer} includes {target} of layer {target_layer}, "
                                f"which it does not build on")
    return problems


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.dirname(here))
    parser.add_argument("--layers", default=os.path.join(here, "layers.txt"))
    args = parser.parse_args()
    with open(args.layers, encoding="utf-8") as f:
        layers = Layers(f.read(), args.layers)
    problems = check(args.root, layers)
    for problem in problems:
        print(problem)
    count = sum(1 for _ in sources(args.root))
    print(f"check_layers: {count} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
