/* write1: makes argv[1] (default 1,000,000) one-byte write(2) calls on stdout, for the cost
 * of a small fd_write against the native system call. Built as wasm32-wasi and natively. */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long count = argc > 1 ? atol(argv[1]) : 1000000;
  for (long i = 0; i < count; ++i) {
    if (write(1, "x", 1) != 1) return 1;
  }
  return 0;
}
