// The C guest of tests/debug: compiled with clang -g -O1, then lunaticc -g. run_debug_test.py
// breaks on the line marked BREAK and expects the backtrace report <- sum_squares <- main.
#include <stdio.h>

__attribute__((noinline)) int square(int x) { return x * x; }

// A call stays where the source puts it, whatever LLVM does to the loop around it (Wasm
// has no volatile to pin a store to its line).
__attribute__((noinline)) void report(int value) {
  printf("sum of squares: %d\n", value);  // BREAK
}

__attribute__((noinline)) int sum_squares(int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += square(i);
  report(sum);
  return sum;
}

int main(int argc, char** argv) {
  (void)argv;
  // From the arguments, so that nothing is computed ahead of time.
  return sum_squares(argc + 9) == 285 ? 0 : 1;
}
