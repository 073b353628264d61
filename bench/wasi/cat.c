/* cat: copies stdin to stdout in 64 KiB chunks with read(2) and write(2), the way the WASI
 * throughput benchmark reads a large file. Built both as wasm32-wasi (fd_read, fd_write) and
 * natively, from this one source. */
#include <unistd.h>

static char buffer[64 * 1024];

int main(void) {
  for (;;) {
    ssize_t n = read(0, buffer, sizeof buffer);
    if (n == 0) return 0;
    if (n < 0) return 1;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(1, buffer + done, (size_t)(n - done));
      if (w <= 0) return 2;
      done += w;
    }
  }
}
