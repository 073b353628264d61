/* A host program that loads plugin modules and runs each request in a process of its own,
 * with only the capabilities the host chooses to give: no network, no spawning, no
 * compiling, a memory limit and a fuel limit. A plugin that misbehaves ends alone, and the
 * host goes on. See README.md.
 *
 *   plugins_host DIR    the plugins are DIR/greeter.wasm and DIR/rogue.wasm
 */
#include <stdio.h>
#include <stdlib.h>

#include "plugin.h"

#define MEMORY_LIMIT (4u << 20) /* bytes */
#define FUEL_LIMIT 100          /* units of about 100,000 instructions */

static uint8_t wasm[4 << 20];

/* The module of the plugin file `path`: its bytes must be those of a module compiled into
 * this executable (lunaticc --module). Exits with a message otherwise. */
static lunatic_module_id load_plugin(const char* path) {
  FILE* file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "host: cannot read %s\n", path);
    exit(1);
  }
  size_t size = fread(wasm, 1, sizeof wasm, file);
  fclose(file);
  uint64_t id;
  lunatic_compile_status status = lunatic_module_compile(wasm, size, &id);
  if (status != LUNATIC_COMPILE_OK) {
    char why[512] = "the host may not compile modules";
    if (status == LUNATIC_COMPILE_ERROR) lunatic_error_string(id, why, sizeof why);
    fprintf(stderr, "host: %s: %s\n", path, why);
    exit(1);
  }
  return (lunatic_module_id)id;
}

/* What a plugin process may do: nothing but compute, in MEMORY_LIMIT bytes and FUEL_LIMIT. */
static lunatic_config_id restricted_config(void) {
  lunatic_config_id config = lunatic_config_create();
  lunatic_config_set_max_memory(config, MEMORY_LIMIT);
  lunatic_config_set_max_fuel(config, FUEL_LIMIT);
  lunatic_config_set_can_connect(config, false);
  lunatic_config_set_can_listen(config, false);
  /* New configs deny spawning, compiling and making configs already; said here for the reader. */
  lunatic_config_set_can_spawn_processes(config, false);
  lunatic_config_set_can_compile_modules(config, false);
  return config;
}

/* Runs `request` in a new process of `plugin` and prints its answer, or how it ended. */
static void run(const char* name, lunatic_module_id plugin, lunatic_config_id config, const char* request) {
  uint64_t process;
  if (!lunatic_spawn_module(plugin, config, LUNATIC_NO_TAG, "plugin_main", 0, &process)) {
    char why[256];
    lunatic_error_string(process, why, sizeof why);
    printf("%s(%s): not started: %s\n", name, request, why);
    return;
  }
  lunatic_monitor(process);
  char message[8 + PLUGIN_TEXT_MAX];
  lunatic_process_id self = lunatic_self();
  memcpy(message, &self, 8);
  size_t length = strlen(request);
  memcpy(message + 8, request, length);
  lunatic_send(process, PLUGIN_REQUEST, message, 8 + length);

  char answer[PLUGIN_TEXT_MAX + 1] = {0};
  lunatic_message_info info;
  lunatic_receive_status status = lunatic_receive(NULL, 0, 10000, answer, PLUGIN_TEXT_MAX, &info);
  if (status == LUNATIC_RECEIVE_DATA && info.tag == PLUGIN_ANSWER) {
    printf("%s(%s): \"%s\"\n", name, request, answer);
    status = lunatic_receive(NULL, 0, 10000, NULL, 0, &info);  /* its end */
    if (status == LUNATIC_RECEIVE_PROCESS_DIED) return;
  } else if (status == LUNATIC_RECEIVE_PROCESS_DIED) {
    printf("%s(%s): ended without answering (see the runtime's line above)\n", name, request);
    return;
  }
  printf("%s(%s): no answer in time\n", name, request);
  lunatic_kill(process);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR (holding greeter.wasm and rogue.wasm)\n", argv[0]);
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);  /* lines in order with the runtime's, on stderr */
  char path[1024];
  snprintf(path, sizeof path, "%s/greeter.wasm", argv[1]);
  lunatic_module_id greeter = load_plugin(path);
  snprintf(path, sizeof path, "%s/rogue.wasm", argv[1]);
  lunatic_module_id rogue = load_plugin(path);
  lunatic_config_id config = restricted_config();

  run("greeter", greeter, config, "hello, plugins");
  run("rogue", rogue, config, "connect");
  run("rogue", rogue, config, "allocate");
  run("rogue", rogue, config, "spawn");
  run("rogue", rogue, config, "spin");
  run("greeter", greeter, config, "still here");

  lunatic_config_drop(config);
  lunatic_module_drop(greeter);
  lunatic_module_drop(rogue);
  return 0;
}
