#!/usr/bin/env python3
"""Writes a WebAssembly program (text format) whose one large function is pathological for an
optimising compiler, and the line the program prints, for compile-time measurements and tests.

Kinds, each a function `$pathological` of size N:
  locals   N locals, half i64 and half i32, each the result of a call of a function too large
           to inline, all live until a fold at the end: N values live across N calls.
  indirect the same with call_indirect through a table slot read from memory (which the
           compiler cannot know): each call is a few checks, so N values live across 4N
           basic blocks.
  straight N statements of straight-line arithmetic on 8 locals, with loads and stores to a
           few memory cells.
  nesting  N nested blocks, each left by a conditional branch that may skip its neighbour.
  br_table a loop over a br_table of N cases, each with its own arithmetic.
  loops    N loops one after another, each a few iterations of its own arithmetic.

`_start` calls the function with a seed read from memory and prints the i64 it returns as 16
hexadecimal digits and a newline (WASI fd_write); the generator computes that line itself, so
a test can check a compiled program against it.

Usage: bench/compile/pathological.py KIND N OUT.wat [EXPECTED_OUTPUT_FILE]
"""
import sys

MASK64 = (1 << 64) - 1
MASK32 = (1 << 32) - 1
MULTIPLIER = 6364136223846793005  # Knuth's MMIX LCG multiplier
SEED = 0x2545F4914F6CDD1D
SEED_ADDRESS = 64
SLOT_ADDRESS = 16   # the table slot of $mix, zero: the compiler cannot know it
CELLS_ADDRESS = 128  # memory cells `straight` loads and stores (8 bytes each)
CELLS = 16
OUT_ADDRESS = 256   # the printed line
IOVEC_ADDRESS = 32


def signed64(value):
    value &= MASK64
    return value - (1 << 64) if value >> 63 else value


def rotl64(value, bits):
    return ((value << bits) | (value >> (64 - bits))) & MASK64


def constant(k):
    """A distinct, deterministic 64-bit constant for statement k."""
    return (k * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & MASK64


# $mix is this many rounds of arithmetic: too large for the inliner, so its calls stay calls.
MIX_ROUNDS = 24


def mix(x, i):
    for _ in range(MIX_ROUNDS):
        x = (x * MULTIPLIER + i) & MASK64
        x ^= x >> 29
    return x


def mix_body():
    round_ = ("    (local.set 0 (i64.add (i64.mul (local.get 0) (i64.const {multiplier})) (i64.extend_i32_u (local.get 1))))\n"
              "    (local.set 0 (i64.xor (local.get 0) (i64.shr_u (local.get 0) (i64.const 29))))\n")
    return round_.format(multiplier=signed64(MULTIPLIER)) * MIX_ROUNDS


PRELUDE = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (type $mix_type (func (param i64 i32) (result i64)))
  (memory (export "memory") 1)
  (data (i32.const {seed_address}) "{seed_bytes}")
  (table 1 funcref)
  (elem (i32.const 0) $mix)
  (func $mix (type $mix_type)
{mix_body}    (local.get 0))
"""

START = """  (func $_start (export "_start")
    (local $value i64) (local $digit i32)
    (local.set $value (call $pathological (i64.load (i32.const {seed_address}))))
    (loop $next
      (i32.store8 offset={out_address} (local.get $digit)
        (i32.load8_u offset={digits_address}
          (i32.wrap_i64 (i64.and (i64.shr_u (local.get $value)
                                            (i64.extend_i32_u (i32.sub (i32.const 60) (i32.shl (local.get $digit) (i32.const 2)))))
                                 (i64.const 15)))))
      (local.set $digit (i32.add (local.get $digit) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $digit) (i32.const 16))))
    (i32.store8 offset={out_address} (i32.const 16) (i32.const 10))
    (i32.store (i32.const {iovec_address}) (i32.const {out_address}))
    (i32.store (i32.const {iovec_address_4}) (i32.const 17))
    (drop (call $fd_write (i32.const 1) (i32.const {iovec_address}) (i32.const 1) (i32.const {iovec_address_8}))))
  (data (i32.const {digits_address}) "0123456789abcdef")
)
"""


def locals_kind(n, indirect=False):
    """N locals, alternately i64 and i32, each from a call; all folded at the end."""
    decl = []
    body = []
    values = []
    previous_wat, previous = "(local.get $seed)", SEED
    for i in range(n):
        if indirect:
            call = f"(call_indirect (type $mix_type) {previous_wat} (i32.const {i}) (i32.load (i32.const {SLOT_ADDRESS})))"
        else:
            call = f"(call $mix {previous_wat} (i32.const {i}))"
        result = mix(previous, i)
        if i % 2 == 0:
            decl.append(f"(local $l{i} i64)")
            body.append(f"    (local.set $l{i} {call})")
            values.append(result)
            previous_wat, previous = f"(local.get $l{i})", result
        else:
            decl.append(f"(local $l{i} i32)")
            c = constant(i) & MASK32
            body.append(f"    (local.set $l{i} (i32.xor (i32.wrap_i64 {call}) (i32.const {c})))")
            value = (result & MASK32) ^ c
            values.append(value)
            previous_wat, previous = f"(i64.extend_i32_u (local.get $l{i}))", value
    # The fold reads the locals in the opposite order, so each stays live to the end.
    accumulator = 0
    body.append("    (local.set $acc (i64.const 0))")
    for i in reversed(range(n)):
        get = f"(local.get $l{i})" if i % 2 == 0 else f"(i64.extend_i32_u (local.get $l{i}))"
        body.append(f"    (local.set $acc (i64.xor (i64.rotl (local.get $acc) (i64.const 5)) {get}))")
        accumulator = rotl64(accumulator, 5) ^ values[i]
    decl.append("(local $acc i64)")
    return decl, body, accumulator


def straight_kind(n):
    """N statements over 8 i64 locals and a few memory cells, no branches."""
    names = [f"$v{k}" for k in range(8)]
    decl = [f"(local {name} i64)" for name in names]
    vars_ = [SEED ^ constant(1000 + k) for k in range(8)]
    cells = [0] * CELLS
    body = [f"    (local.set {names[k]} (i64.xor (local.get $seed) (i64.const {signed64(constant(1000 + k))})))"
            for k in range(8)]
    for k in range(n):
        target, source = k % 8, (k * 5 + 3) % 8
        c = constant(k)
        shape = k % 4
        if shape == 0:
            body.append(f"    (local.set {names[target]} (i64.add (local.get {names[target]}) "
                        f"(i64.mul (local.get {names[source]}) (i64.const {signed64(c | 1)}))))")
            vars_[target] = (vars_[target] + vars_[source] * (c | 1)) & MASK64
        elif shape == 1:
            body.append(f"    (local.set {names[target]} (i64.xor (i64.rotl (local.get {names[target]}) "
                        f"(i64.const {k % 63 + 1})) (local.get {names[source]})))")
            vars_[target] = rotl64(vars_[target], k % 63 + 1) ^ vars_[source]
        elif shape == 2:
            cell = k % CELLS
            body.append(f"    (i64.store offset={CELLS_ADDRESS + 8 * cell} (i32.const 0) "
                        f"(i64.sub (local.get {names[source]}) (i64.const {signed64(c)})))")
            cells[cell] = (vars_[source] - c) & MASK64
        else:
            cell = (k * 7) % CELLS
            body.append(f"    (local.set {names[target]} (i64.add (local.get {names[target]}) "
                        f"(i64.load offset={CELLS_ADDRESS + 8 * cell} (i32.const 0))))")
            vars_[target] = (vars_[target] + cells[cell]) & MASK64
    fold = "(local.get $v0)"
    accumulator = vars_[0]
    for k in range(1, 8):
        fold = f"(i64.xor (i64.rotl {fold} (i64.const 7)) (local.get {names[k]}))"
        accumulator = rotl64(accumulator, 7) ^ vars_[k]
    body.append(f"    (local.set $acc {fold})")
    decl.append("(local $acc i64)")
    return decl, body, accumulator


def update(k):
    """Statement k of the branching kinds: acc = acc * M + c_k, as text and as a function."""
    c = constant(k)
    text = (f"(local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const {MULTIPLIER})) "
            f"(i64.const {signed64(c)})))")
    return text, lambda acc: (acc * MULTIPLIER + c) & MASK64


def nesting_kind(n):
    """N nested blocks; after block j ends, an update and a branch that may skip the next."""
    body = ["    (local.set $acc (local.get $seed))"]
    for j in range(n):
        body.append(f"    (block $b{j}")
    for j in reversed(range(1, n)):
        body.append("    )")  # ends block j; what follows is in block j - 1
        text, _ = update(j)
        body.append(f"    {text}")
        # To the end of block j - 2 (skipping update j - 1), or of block j - 1 for j = 1.
        target = f"$b{j - 2}" if j >= 2 else f"$b{j - 1}"
        body.append(f"    (br_if {target} (i64.eqz (i64.and (local.get $acc) (i64.const 3))))")
    body.append("    )")  # ends block 0
    acc = SEED
    j = n - 1
    while j >= 1:
        _, apply = update(j)
        acc = apply(acc)
        j -= 2 if acc & 3 == 0 else 1
    return ["(local $acc i64)"], body, acc


BR_TABLE_ROUNDS = 64


def br_table_kind(n):
    """A loop of BR_TABLE_ROUNDS turns over a br_table of N cases."""
    body = ["    (local.set $acc (local.get $seed))",
            "    (local.set $round (i32.const 0))",
            "    (loop $turn"]
    body.append("    (block $done")
    for j in reversed(range(n)):
        body.append(f"    (block $case{j}")
    targets = " ".join(f"$case{j}" for j in range(n))
    body.append(f"      (br_table {targets} $case0 (i32.wrap_i64 (i64.rem_u (i64.shr_u (local.get $acc) (i64.const 17)) (i64.const {n}))))")
    for j in range(n):
        body.append("    )")  # ends block $case{j}
        text, _ = update(j)
        body.append(f"    {text}")
        body.append("    (br $done)")
    body.append("    )")  # ends $done
    body.append("    (local.set $round (i32.add (local.get $round) (i32.const 1)))")
    body.append(f"    (br_if $turn (i32.lt_u (local.get $round) (i32.const {BR_TABLE_ROUNDS}))))")
    acc = SEED
    for _ in range(BR_TABLE_ROUNDS):
        _, apply = update((acc >> 17) % n)
        acc = apply(acc)
    return ["(local $acc i64)", "(local $round i32)"], body, acc


def loops_kind(n):
    """N loops in sequence, loop k turning k % 5 + 2 times."""
    body = ["    (local.set $acc (local.get $seed))"]
    acc = SEED
    for k in range(n):
        turns = k % 5 + 2
        c = constant(k)
        body.append("    (local.set $i (i32.const 0))")
        body.append(f"    (loop $loop{k}")
        body.append(f"      (local.set $acc (i64.xor (i64.mul (local.get $acc) (i64.const {MULTIPLIER})) "
                    f"(i64.add (i64.extend_i32_u (local.get $i)) (i64.const {signed64(c)}))))")
        body.append("      (local.set $i (i32.add (local.get $i) (i32.const 1)))")
        body.append(f"      (br_if $loop{k} (i32.lt_u (local.get $i) (i32.const {turns}))))")
        for i in range(turns):
            acc = ((acc * MULTIPLIER) ^ ((i + c) & MASK64)) & MASK64
    return ["(local $acc i64)", "(local $i i32)"], body, acc


KINDS = {"locals": locals_kind, "indirect": lambda n: locals_kind(n, indirect=True), "straight": straight_kind, "nesting": nesting_kind,
         "br_table": br_table_kind, "loops": loops_kind}


def program(kind, n):
    """The program's text and the line it prints."""
    decl, body, result = KINDS[kind](n)
    seed_bytes = "".join(f"\\{b:02x}" for b in SEED.to_bytes(8, "little"))
    parts = [PRELUDE.format(seed_address=SEED_ADDRESS, seed_bytes=seed_bytes, mix_body=mix_body())]
    parts.append("  (func $pathological (param $seed i64) (result i64)\n")
    for start in range(0, len(decl), 16):
        parts.append("    " + " ".join(decl[start:start + 16]) + "\n")
    parts.append("\n".join(body) + "\n")
    parts.append("    (local.get $acc))\n")
    parts.append(START.format(seed_address=SEED_ADDRESS, out_address=OUT_ADDRESS, digits_address=OUT_ADDRESS + 32,
                              iovec_address=IOVEC_ADDRESS, iovec_address_4=IOVEC_ADDRESS + 4,
                              iovec_address_8=IOVEC_ADDRESS + 8))
    return "".join(parts), f"{result:016x}\n"


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in KINDS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(KINDS)}}} N OUT.wat [EXPECTED_OUTPUT_FILE]")
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if n < 1:
        sys.exit("N must be at least 1")
    text, expected = program(kind, n)
    with open(out, "w") as f:
        f.write(text)
    if len(sys.argv) == 5:
        with open(sys.argv[4], "w") as f:
            f.write(expected)


if __name__ == "__main__":
    main()
