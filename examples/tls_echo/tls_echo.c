/* tls_echo: a TLS echo server, a process per connection (examples/tls_echo/README.md).
 *
 *   tls_echo CERT.pem KEY.pem PORT
 *
 * Reads the certificate (then its chain) and the private key from the files named (through
 * WASI: grant their directory), listens on 127.0.0.1:PORT, prints "READY", and for each
 * connection spawns a process that echoes every byte it reads until the client closes. The
 * TLS handshake runs in that process, on its first read: a slow or silent client holds up
 * only its own process, never the accepting one. bench/net/run.py --tls measures it against
 * Go's crypto/tls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lunatic.h"

/* The whole file as a NUL-terminated string (the caller frees it), or NULL. */
static char* read_file(const char* path) {
  FILE* file = fopen(path, "rb");
  if (!file) return NULL;
  char* text = NULL;
  long size = fseek(file, 0, SEEK_END) == 0 ? ftell(file) : -1;
  if (size >= 0 && fseek(file, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1)) != NULL) {
    size_t n = fread(text, 1, (size_t)size, file);
    text[n] = '\0';
  }
  fclose(file);
  return text;
}

LUNATIC_ENTRY(handler) {
  lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  lunatic_tls_stream stream = lunatic_message_take_tls_stream(0);
  /* 4 KiB, as the benchmark's other servers read. */
  char buf[4096];
  uint64_t got, sent;
  while (lunatic_tls_read(stream, buf, sizeof buf, &got) == LUNATIC_NET_OK && got > 0)
    if (lunatic_tls_write(stream, buf, (size_t)got, &sent) != LUNATIC_NET_OK) break;
  /* A failed handshake or read leaves an error id, which goes with the process. */
  lunatic_tls_close(stream);
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: tls_echo CERT.pem KEY.pem PORT\n");
    return 2;
  }
  char* cert = read_file(argv[1]);
  char* key = read_file(argv[2]);
  if (!cert || !key) {
    fprintf(stderr, "tls_echo: cannot read %s (grant its directory: LUNATIC_DIRS)\n", cert ? argv[2] : argv[1]);
    return 1;
  }
  lunatic_tls_listener listener;
  if (!lunatic_tls_bind("127.0.0.1", (uint16_t)atoi(argv[3]), cert, key, &listener)) {
    char why[300];
    lunatic_error_string(listener, why, sizeof why);
    fprintf(stderr, "tls_echo: %s\n", why);
    return 1;
  }
  free(cert);
  free(key);
  printf("READY\n");
  fflush(stdout);
  for (;;) {
    lunatic_tls_stream stream;
    if (!lunatic_tls_accept(listener, &stream, NULL)) {
      lunatic_error_drop(stream);
      continue;
    }
    lunatic_process_id pid;
    if (LUNATIC_SPAWN(handler, 0, &pid))
      lunatic_send_tls_stream(pid, 0, stream, NULL, 0);
    else
      lunatic_tls_close(stream);
  }
}
