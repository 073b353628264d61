// Echoes its standard input to its standard output: served with `lunaticc --serve`, the
// answer to each request is its body (bench/serve measures this against lighttpd's CGI).
// Run as a CGI program (GATEWAY_INTERFACE set, by either server), it first says its
// Content-Type in a CGI header block, which lighttpd requires and lunaticc --serve honours.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
  static const char kHeaders[] = "Content-Type: text/plain\r\n\r\n";
  if (getenv("GATEWAY_INTERFACE") && write(1, kHeaders, sizeof kHeaders - 1) != sizeof kHeaders - 1) return 1;
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
