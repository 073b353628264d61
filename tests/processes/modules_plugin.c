/* A plugin module for modules.c, compiled into the same executable with lunaticc --module.
 * Its imports differ from the main module's (it connects over TCP, and never compiles
 * modules); its exports are what the main module spawns from its handle. */
#include "common.h"

/* Doubles the one u64 it is sent (tag 1), answering its parent (tag 2). */
TEST_ENTRY(plugin_double) { send_u64(parent, 2, 2 * expect_u64(1)); }

/* Spawns plugin_double of its own module (module id -1: the caller's, so the plugin's, which
 * the main module has no export of that name in) and passes on the result (tag 10). */
TEST_ENTRY(plugin_spawns_itself) {
  uint64_t child = spawn_ok("plugin_double", 0);
  send_u64(child, 1, (uint64_t)arg);
  send_u64(parent, 10, expect_u64(2));
}

/* Tries to connect (to the discard port: refused by the config first, if at all), and
 * answers whether the process was refused by its capabilities (tag 3). */
TEST_ENTRY(plugin_connect) {
  lunatic_tcp_stream stream;
  char text[256];
  uint64_t refused = 0;
  if (lunatic_tcp_connect("127.0.0.1", 9, 1000, &stream) == LUNATIC_NET_ERROR) {
    refused = strstr(error_text(stream, text, sizeof text), "may not connect") != NULL;
  }
  send_u64(parent, 3, refused);
}

/* Reads 16 bytes past the end of its own memory: must trap in this process alone. */
TEST_ENTRY(plugin_out_of_bounds) {
  uintptr_t end = __builtin_wasm_memory_size(0) * 65536;
  volatile uint8_t* past = (volatile uint8_t*)(end + 16);
  send_u64(parent, 4, *past);
}

/* Grows its memory by `arg` pages and answers memory.grow's result (tag 5). */
TEST_ENTRY(plugin_grow) { send_u64(parent, 5, (uint64_t)(int64_t)(int32_t)__builtin_wasm_memory_grow(0, (size_t)arg)); }

int main(void) { return 0; }
