/* A well-behaved plugin: answers each request with its text in capitals. */
#include <ctype.h>

#include "plugin.h"

LUNATIC_ENTRY(plugin_main) {
  lunatic_process_id host;
  char text[PLUGIN_TEXT_MAX];
  plugin_request(&host, text);
  for (char* c = text; *c; ++c) *c = (char)toupper((unsigned char)*c);
  plugin_answer(host, text);
}

int main(void) { return 0; }
