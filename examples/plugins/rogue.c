/* A plugin that tries what its host did not grant it: the request names the attempt. */
#include <stdio.h>
#include <stdlib.h>

#include "plugin.h"

LUNATIC_ENTRY(plugin_main) {
  lunatic_process_id host;
  char text[PLUGIN_TEXT_MAX], answer[PLUGIN_TEXT_MAX];
  plugin_request(&host, text);
  if (strcmp(text, "connect") == 0) {
    lunatic_tcp_stream stream;
    if (lunatic_tcp_connect("127.0.0.1", 80, 1000, &stream) == LUNATIC_NET_OK) {
      plugin_answer(host, "connected");
      return;
    }
    lunatic_error_string(stream, answer, sizeof answer);
    plugin_answer(host, answer);
  } else if (strcmp(text, "allocate") == 0) {
    void* volatile block = malloc(64u << 20);  /* volatile: kept, though never used */
    plugin_answer(host, block ? "allocated 64 MiB" : "malloc of 64 MiB returned NULL");
  } else if (strcmp(text, "spin") == 0) {
    for (volatile uint64_t i = 0;; ++i) {
    }
  } else if (strcmp(text, "spawn") == 0) {
    uint64_t child;
    plugin_answer(host, lunatic_spawn("plugin_main", 0, &child) ? "spawned" : "spawn refused");
  } else {
    snprintf(answer, sizeof answer, "unknown request %s", text);
    plugin_answer(host, answer);
  }
}

int main(void) { return 0; }
