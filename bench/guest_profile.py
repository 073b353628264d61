#!/usr/bin/env python3
"""Where a lunaticc executable spends its instructions, per function, under valgrind's callgrind.

Callgrind follows calls by the stack it sees, and guest code runs on each process's own
stack (runtime/process/stack.cpp), so its report lumps all of it under "(below main)". This
script asks callgrind for per-instruction counts instead, maps each address to the symbol
that holds it (nm; guest functions are named function[N] or by their export), and prints
the heaviest functions and the heaviest 128-byte stretches of code, to read next to
`objdump -d`.

Usage: bench/guest_profile.py EXECUTABLE [ARGS...] [--top N]
Runs with LUNATIC_THREADS=1 (valgrind serialises threads anyway) and LUNATIC_IO=epoll.
"""
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile


def instruction_counts(path):
    """Per-address instruction counts from a callgrind file written with --dump-instr=yes
    (positions "instr line": address, then line, then the count), and per function the
    lowest address it ran, to find where the executable was loaded."""
    counts = collections.Counter()
    lowest = {}
    names = {}
    function = None
    address = 0
    after_calls = False
    for line in open(path):
        if line.startswith("fn="):
            m = re.match(r"fn=\((\d+)\)(?: (.*))?", line.strip())
            if m:
                if m.group(2):
                    names[m.group(1)] = m.group(2)
                function = names.get(m.group(1))
            continue
        if line.startswith("calls="):
            after_calls = True  # the next line is the cost of the call, not of an instruction
            continue
        fields = line.split()
        if len(fields) < 3 or not re.match(r"0x|[+\-*]", fields[0]):
            continue
        position = fields[0]
        if position.startswith("0x"):
            address = int(position, 16)
        elif position[0] == "+":
            address += int(position[1:])
        elif position[0] == "-":
            address -= int(position[1:])
        if after_calls:
            after_calls = False
            continue
        counts[address] += int(fields[2])
        if function:
            lowest[function] = min(lowest.get(function, address), address)
    return counts, lowest


def symbols(executable):
    """(start, size, name) of the executable's code symbols, sorted by start."""
    out = subprocess.run(["nm", "-S", "--defined-only", executable], capture_output=True, text=True,
                         check=True).stdout
    result = []
    for line in out.splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4 and parts[2] in "tTwW":
            result.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    return sorted(result)


def main():
    args = sys.argv[1:]
    top = 15
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    if not args:
        sys.exit(__doc__)
    executable = args[0]
    scratch = tempfile.TemporaryDirectory(prefix="guest-profile-")  # deleted on exit
    log = os.path.join(scratch.name, "callgrind.out")
    env = dict(os.environ, LUNATIC_THREADS="1", LUNATIC_IO="epoll")
    subprocess.run(["valgrind", "--tool=callgrind", "--dump-instr=yes", f"--callgrind-out-file={log}", *args],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    counts, lowest = instruction_counts(log)
    table = symbols(executable)
    starts = [s for s, _, _ in table]
    by_name = {name: start for start, _, name in table}
    # Callgrind records most addresses as they are in the file, but not all: guest code
    # shows up at valgrind's load offset of the executable. Every offset implied by a named
    # function's lowest address, and valgrind's usual load address, is a candidate; each
    # address takes the first that puts it inside a symbol, trying the file's own addresses
    # first, then the others, most instructions first.
    def find(at):
        i = bisect.bisect_right(starts, at) - 1
        return table[i][2] if i >= 0 and at < table[i][0] + max(table[i][1], 1) else None

    candidates = {low - by_name[name] for name, low in lowest.items() if name in by_name} | {0x108000}
    score = {c: sum(n for a, n in counts.items() if find(a - c)) for c in candidates}
    candidates = sorted((c for c in candidates if score[c]), key=lambda c: (c != 0, -score[c]))
    total = sum(counts.values())
    per_function = collections.Counter()
    stretches = collections.Counter()
    for address, n in counts.items():
        for offset in candidates:
            name = find(address - offset)
            if name:
                per_function[name] += n
                stretches[(address - offset) & ~127] += n
                break
        else:
            per_function["(outside the executable)"] += n
    print(f"{total:,} instructions")
    print("| function | instructions | share |\n|---|---:|---:|")
    for name, n in per_function.most_common(top):
        print(f"| {name} | {n:,} | {100 * n / total:.1f}% |")
    print("\n| code (file address, 128 bytes) | instructions | share |\n|---|---:|---:|")
    for start, n in stretches.most_common(top):
        print(f"| {start:#x} | {n:,} | {100 * n / total:.1f}% |")


if __name__ == "__main__":
    main()
