// A C guest of tests/debug whose DWARF (clang -g -O1) is wrong: clang's Wasm backend gives
// the local of `argc` to `b`, and that of `a` to `r`, but leaves `argc` in its local for
// the whole function and `a` in its local to the end. run_debug_test.py (gdb_c_reused_local)
// stops at each call of observe and checks that gdb shows each variable with its value or
// as optimized out, never the value of the variable that took its local.
#include <stdio.h>

__attribute__((noinline)) int observe(int x) {
  printf("%d\n", x);
  return x & 1;
}

int main(int argc, char** argv) {
  (void)argv;
  int a = argc * 7;
  int r = observe(a);
  r += observe(a + 1);
  int b = argc * 11 + r;
  r += observe(b);
  r += observe(b + 2);
  return r == 1 ? 0 : 1;
}
