/* What the root process is granted (runtime/wasi_grants.h), for wasi_grants_test.py: prints
 * one line per argument ("arg: ..."), then one per environment variable ("env: ..."), then
 * preopens for a new config every argument that starts with "dir=" and says so
 * ("preopened ..."); a refused one ends the process with the runtime's line. */
#include <lunatic.h>
#include <stdio.h>
#include <string.h>

extern char** environ;

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) printf("arg: %s\n", argv[i]);
  for (char** variable = environ; *variable; ++variable) printf("env: %s\n", *variable);
  fflush(stdout);
  lunatic_config_id config = lunatic_config_create();
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], "dir=", 4) != 0) continue;
    lunatic_config_preopen_dir(config, argv[i] + 4);
    printf("preopened %s\n", argv[i] + 4);
    fflush(stdout);
  }
  return 0;
}
