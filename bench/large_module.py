#!/usr/bin/env python3
"""Writes a large C program, deterministically, for compile-speed measurements.

Thousands of distinct functions of five shapes (integer loops over a global table, switches,
double-precision recurrences, byte-buffer mixing, and callers of earlier functions), each with
its own random expressions and constants, all reached from main through a function table so
none is dropped. Compiled with clang-19 -O2 to wasm32-wasi it is well over 1 MiB of Wasm.
The program prints a checksum, so engines can be compared on it too.

Usage: bench/large_module.py OUT.c [FUNCTIONS] [SEED]
"""
import random
import sys

DEFAULT_FUNCTIONS = 3000
DEFAULT_SEED = 20261125


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def const(self):
        return f"{self.rng.getrandbits(32):#010x}u"

    def expr(self, names, depth):
        """A random uint32_t expression over the given variable names."""
        r = self.rng
        if depth == 0 or r.random() < 0.25:
            choice = r.random()
            if choice < 0.6:
                return r.choice(names)
            if choice < 0.8:
                return self.const()
            return f"g[({r.choice(names)} >> {r.randint(0, 24)}) & 255]"
        a = self.expr(names, depth - 1)
        b = self.expr(names, depth - 1)
        op = r.choice(["+", "-", "*", "^", "&", "|", "<<", ">>", "rotl", "rem", "min"])
        if op in ("<<", ">>"):
            return f"({a} {op} {r.randint(1, 31)})"
        if op == "rotl":
            return f"rotl({a}, {r.randint(1, 31)})"
        if op == "rem":
            return f"({a} % (({b} & {r.randint(1, 0xfff)}u) | 1u))"
        if op == "min":
            return f"({a} < {b} ? {a} : {b})"
        return f"({a} {op} {b})"

    def loop_function(self, name):
        r = self.rng
        lines = [f"static uint32_t {name}(uint32_t a, uint32_t b) {{",
                 f"  uint32_t x = a ^ {self.const()}, y = b + {self.const()};",
                 f"  for (uint32_t i = 0; i < (b & {r.choice([3, 7, 15])}u) + {r.randint(2, 9)}u; ++i) {{"]
        names = ["x", "y", "i", "a"]
        lines.append(f"    x = {self.expr(names, 3)};")
        lines.append(f"    y = {self.expr(names, 3)};")
        lines.append(f"    if (x & {1 << r.randint(0, 31):#x}u) y ^= g[(x >> {r.randint(0, 24)}) & 255];")
        lines.append(f"    else g[(i + {r.randint(0, 255)}u) & 255] += {self.expr(names, 2)};")
        lines.append("  }")
        lines.append(f"  return {self.expr(['x', 'y', 'b'], 2)};")
        lines.append("}")
        return lines

    def switch_function(self, name):
        r = self.rng
        cases = r.randint(4, 12)
        lines = [f"static uint32_t {name}(uint32_t a, uint32_t b) {{",
                 f"  uint32_t x = {self.expr(['a', 'b'], 2)};",
                 f"  switch ((a ^ (b >> {r.randint(0, 8)})) % {cases}u) {{"]
        for case in range(cases):
            lines.append(f"    case {case}u:")
            lines.append(f"      x = {self.expr(['x', 'a', 'b'], 3)};")
            if r.random() < 0.5:
                lines.append(f"      g[x & 255] ^= {self.expr(['x', 'a'], 2)};")
            lines.append(f"      return {self.expr(['x', 'a', 'b'], 2)};")
        lines.append(f"    default: return {self.expr(['x', 'b'], 2)};")
        lines.append("  }")
        lines.append("}")
        return lines

    def float_function(self, name):
        # t and s stay in [0, 1), |acc| below 2 / (1 - 0.875) = 16: conversions are defined.
        r = self.rng
        steps = r.randint(3, 10)
        coefficients = ", ".join(f"{r.uniform(-2, 2):.6f}" for _ in range(steps))
        lines = [f"static uint32_t {name}(uint32_t a, uint32_t b) {{",
                 f"  static const double c[{steps}] = {{{coefficients}}};",
                 f"  double t = (double)(a & 0xffffu) / 65536.0, s = (double)(b & 0xffu) / 256.0;",
                 f"  double acc = {r.uniform(-1, 1):.6f};",
                 f"  for (int i = 0; i < {steps}; ++i) {{",
                 "    acc = acc * t + c[i];",
                 f"    t = t * s * 0.5 + {r.uniform(0.1, 0.375):.6f};",
                 "  }",
                 f"  gd[(a >> {r.randint(0, 20)}) & 63] += acc;",
                 f"  return (uint32_t)(int32_t)(acc * {r.choice([1000.0, 4096.0, 12345.0])}) ^ {self.expr(['a', 'b'], 1)};",
                 "}"]
        return lines

    def bytes_function(self, name):
        r = self.rng
        size = r.choice([16, 24, 32, 48])
        rounds = r.randint(1, 4)
        lines = [f"static uint32_t {name}(uint32_t a, uint32_t b) {{",
                 f"  uint8_t buf[{size}];",
                 f"  for (unsigned i = 0; i < {size}u; ++i) buf[i] = (uint8_t)((a >> ((i & 3u) * 8u)) + i * {r.randint(1, 255)}u + gb[(b + i) & 1023]);",
                 f"  for (unsigned k = 0; k < {rounds}u; ++k)",
                 f"    for (unsigned i = 0; i < {size}u; ++i) buf[i] ^= (uint8_t)(buf[(i * {r.choice([3, 5, 7, 11])}u + {r.randint(1, size - 1)}u) % {size}u] + {r.randint(1, 255)}u);",
                 f"  uint32_t h = {self.const()};",
                 f"  for (unsigned i = 0; i < {size}u; ++i) h = (h ^ buf[i]) * 16777619u;",
                 f"  gb[h & 1023] = buf[{r.randint(0, size - 1)}];",
                 "  return h;",
                 "}"]
        return lines

    def caller_function(self, name, leaves):
        r = self.rng
        callees = r.sample(leaves, min(len(leaves), r.randint(2, 4)))
        lines = [f"static uint32_t {name}(uint32_t a, uint32_t b) {{",
                 f"  uint32_t x = {self.expr(['a', 'b'], 1)};"]
        for callee in callees:
            lines.append(f"  x = {callee}({self.expr(['x', 'a', 'b'], 2)}, {self.expr(['x', 'b'], 1)}) ^ rotl(x, {r.randint(1, 31)});")
        lines.append(f"  return {self.expr(['x', 'a', 'b'], 2)};")
        lines.append("}")
        return lines


def generate(functions, seed):
    gen = Generator(seed)
    out = ["// Generated by bench/large_module.py: do not edit.",
           f"// {functions} functions, seed {seed}.",
           "#include <stdint.h>",
           "#include <stdio.h>",
           "",
           "static uint32_t g[256];",
           "static uint8_t gb[1024];",
           "static double gd[64];",
           "static inline uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }",
           ""]
    names = []
    leaves = []
    for index in range(functions):
        name = f"f{index}"
        kind = gen.rng.random()
        if kind < 0.15 and len(leaves) >= 4:
            body = gen.caller_function(name, leaves[-200:])
        else:
            shape = gen.rng.choice([gen.loop_function, gen.switch_function, gen.float_function,
                                    gen.bytes_function])
            body = shape(name)
            leaves.append(name)
        out.extend(body)
        out.append("")
        names.append(name)
    out.append("typedef uint32_t (*Function)(uint32_t, uint32_t);")
    out.append("static Function const table[] = {")
    for start in range(0, len(names), 12):
        out.append("    " + ", ".join(names[start:start + 12]) + ",")
    out.append("};")
    out.append("""
int main(void) {
  uint32_t seed = 1;
  for (int i = 0; i < 256; ++i) g[i] = seed = seed * 1103515245u + 12345u;
  for (int i = 0; i < 1024; ++i) gb[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 24);
  uint32_t acc = 1;
  unsigned count = sizeof table / sizeof table[0];
  for (unsigned r = 0; r < 4; ++r)
    for (unsigned i = 0; i < count; ++i) acc = acc * 31u + table[i](acc ^ i, r + i);
  double sum = 0;
  for (int i = 0; i < 64; ++i) sum += gd[i];
  uint32_t gsum = 0;
  for (int i = 0; i < 256; ++i) gsum = gsum * 33u + g[i];
  printf("%08x %08x %.6f\\n", (unsigned)acc, (unsigned)gsum, sum);
  return 0;
}""")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    functions = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_FUNCTIONS
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else DEFAULT_SEED
    with open(sys.argv[1], "w") as f:
        f.write(generate(functions, seed))


if __name__ == "__main__":
    main()
