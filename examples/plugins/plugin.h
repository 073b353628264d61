/* What the host (host.c) and its plugins share: a request is a message tagged
 * PLUGIN_REQUEST holding the host's process id, then the request's text; the plugin answers
 * with a message tagged PLUGIN_ANSWER holding the answer's text. */
#ifndef PLUGINS_PLUGIN_H
#define PLUGINS_PLUGIN_H

#include <lunatic.h>
#include <stdint.h>
#include <string.h>

#define PLUGIN_REQUEST 1
#define PLUGIN_ANSWER 2
#define PLUGIN_TEXT_MAX 512

/* Waits for a request: the host's id in *host, its text (NUL-terminated) in text. */
static inline void plugin_request(lunatic_process_id* host, char text[PLUGIN_TEXT_MAX]) {
  char buffer[8 + PLUGIN_TEXT_MAX] = {0};
  lunatic_tag tag = PLUGIN_REQUEST;
  lunatic_message_info info;
  if (lunatic_receive(&tag, 1, LUNATIC_WAIT_FOREVER, buffer, sizeof buffer - 1, &info) != LUNATIC_RECEIVE_DATA ||
      info.copied < 8) {
    __builtin_trap();
  }
  memcpy(host, buffer, 8);
  memcpy(text, buffer + 8, info.copied - 8);
  text[info.copied - 8] = 0;
}

static inline void plugin_answer(lunatic_process_id host, const char* text) {
  lunatic_send(host, PLUGIN_ANSWER, text, strlen(text));
}

#endif /* PLUGINS_PLUGIN_H */
