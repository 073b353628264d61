/* What the root process is granted (wasi/grants.h), for wasi_grants_test.py: prints
 * one line per argument ("arg: ..."), then one per environment variable ("env: ..."), then
 * acts on its arguments in order:
 *   dir=PATH     preopens PATH for a new config and says so ("preopened PATH"); a refused
 *                one ends the process with the runtime's line
 *   wait         prints "waiting" and reads a line from stdin (the test changes the host's
 *                directories meanwhile)
 *   read=PATH    a child that inherits the root's view reads PATH: "read PATH: <first line>"
 *                or "read PATH: <error>"
 *   write=PATH   creates PATH: "write PATH: ok" or "write PATH: <error>"
 * and, served (lunaticc --serve), reads the path its request's query names: "read PATH: ...". */
#include <errno.h>
#include <fcntl.h>
#include <lunatic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

extern char** environ;

/* Argument `index` of the process's view, which an inheriting child shares: the child's
 * entry is not main, so it asks WASI itself. */
static char* argument(int32_t index) {
  size_t count, size;
  if (__wasi_args_sizes_get(&count, &size) != 0 || (size_t)index >= count) return NULL;
  char** argv = malloc(count * sizeof *argv);
  char* text = malloc(size);
  if (!argv || !text || __wasi_args_get((uint8_t**)argv, (uint8_t*)text) != 0) return NULL;
  return argv[index];
}

static void read_and_say(const char* path) {
  char line[128] = "";
  FILE* f = fopen(path, "r");
  if (!f) {
    printf("read %s: %s\n", path, strerror(errno));
  } else {
    if (!fgets(line, sizeof line, f)) line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    printf("read %s: %s\n", path, line);
  }
  fflush(stdout);
}

__attribute__((export_name("read_child"))) void read_child(int32_t index) {
  read_and_say(argument(index) + strlen("read="));
}

static void read_in_child(int index) {
  uint64_t pid;
  if (!lunatic_spawn("read_child", index, &pid)) {
    printf("FAIL: cannot spawn\n");
    return;
  }
  lunatic_monitor(pid);
  lunatic_message_info info;
  lunatic_receive(NULL, 0, 10000, NULL, 0, &info);
}

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) printf("arg: %s\n", argv[i]);
  for (char** variable = environ; *variable; ++variable) printf("env: %s\n", *variable);
  fflush(stdout);
  lunatic_config_id config = lunatic_config_create();
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], "dir=", 4) == 0) {
      lunatic_config_preopen_dir(config, argv[i] + 4);
      printf("preopened %s\n", argv[i] + 4);
    } else if (strcmp(argv[i], "wait") == 0) {
      printf("waiting\n");
      fflush(stdout);
      char line[16];
      if (!fgets(line, sizeof line, stdin)) printf("FAIL: nothing on stdin\n");
    } else if (strncmp(argv[i], "read=", 5) == 0) {
      read_in_child(i);
    } else if (strncmp(argv[i], "write=", 6) == 0) {
      int fd = open(argv[i] + 6, O_WRONLY | O_CREAT, 0644);
      printf("write %s: %s\n", argv[i] + 6, fd >= 0 ? "ok" : strerror(errno));
      if (fd >= 0) close(fd);
    }
    fflush(stdout);
  }
  /* Served (lunaticc --serve), each request is a new process: QUERY_STRING=PATH has it read
   * PATH itself. */
  const char* query = getenv("QUERY_STRING");
  if (query && *query) read_and_say(query);
  return 0;
}
