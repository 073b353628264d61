/* echo: the TCP echo server of the echo benchmark (bench/net/README.md) as a lunatic guest, a
 * process per connection. Listens on 127.0.0.1:PORT, prints "READY" once it does, and
 * echoes every byte it reads until the client closes. The acceptor spawns a handler for each
 * connection and moves the stream to it in a message (a stream id means nothing in another
 * process).
 * Run: LUNATIC_THREADS=2 ./echo-lunatic PORT */
#include <stdio.h>
#include <stdlib.h>

#include "lunatic.h"

LUNATIC_ENTRY(handler) {
  lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, NULL, 0, NULL);
  lunatic_tcp_stream stream = lunatic_message_take_tcp_stream(0);
  /* 4 KiB, as the other servers read: a message is 64 bytes. */
  char buf[4096];
  uint64_t got, sent;
  while (lunatic_tcp_read(stream, buf, sizeof buf, &got) == LUNATIC_NET_OK && got > 0)
    if (lunatic_tcp_write(stream, buf, (size_t)got, &sent) != LUNATIC_NET_OK) break;
  /* An error id, if any, goes with the process. */
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: echo-lunatic PORT\n");
    return 2;
  }
  lunatic_tcp_listener listener;
  if (!lunatic_tcp_bind("127.0.0.1", (uint16_t)atoi(argv[1]), &listener)) {
    char why[200];
    lunatic_error_string(listener, why, sizeof why);
    fprintf(stderr, "echo-lunatic: %s\n", why);
    return 1;
  }
  printf("READY\n");
  fflush(stdout);
  for (;;) {
    lunatic_tcp_stream stream;
    if (!lunatic_tcp_accept(listener, &stream, NULL)) {
      lunatic_error_drop(stream);
      continue;
    }
    lunatic_process_id pid;
    if (LUNATIC_SPAWN(handler, 0, &pid))
      lunatic_send_tcp_stream(pid, 0, stream, NULL, 0);
    else
      lunatic_tcp_close(stream);
  }
}
