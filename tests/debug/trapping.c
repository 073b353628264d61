// A C guest of tests/debug that traps: run_debug_test.py (trap_lines_c) compiles it with
// lunaticc -g and expects the trap backtrace to give each guest frame its source line: the
// division (TRAP) in divide, the call (CALL) in average.
#include <stdio.h>

__attribute__((noinline)) int divide(int a, int b) {
  return a / b;  // TRAP
}

__attribute__((noinline)) int average(int total, int count) {
  return divide(total, count);  // CALL
}

int main(int argc, char** argv) {
  (void)argv;
  // From the arguments, so that nothing is computed ahead of time: count 0 traps.
  printf("%d\n", average(10, argc - 1));
  return 0;
}
