// Echoes its standard input to its standard output: served with `lunaticc --serve`, the
// answer to each request is its body (bench/serve measures this against lighttpd's CGI).
#include <stdio.h>
#include <unistd.h>

int main(void) {
  char buffer[16384];
  ssize_t n;
  while ((n = read(0, buffer, sizeof buffer)) > 0) {
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(1, buffer + done, (size_t)(n - done));
      if (w < 0) return 1;
      done += w;
    }
  }
  return n < 0 ? 1 : 0;
}
