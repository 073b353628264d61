/* run_probe.c: what `lunaticc run` hands the program (tests/cli/run_mode_test.py): it prints
 * its arguments and the variable FOO, and for the arguments
 *   stdin    echoes a line of stdin
 *   sleep    says so and sleeps (to be sent a signal)
 *   exit=N   exits with status N
 *   module=PATH  reads the file at PATH and asks for the module of its bytes
 *            (lunatic::process::compile_module): `module: compiled in` or the error's text
 */
#include <lunatic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) printf("arg: %s\n", argv[i]);
  if (getenv("FOO")) printf("env: FOO=%s\n", getenv("FOO"));
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "stdin") == 0) {
      char line[256];
      if (fgets(line, sizeof line, stdin)) printf("stdin: %s", line);
    } else if (strcmp(argv[i], "sleep") == 0) {
      printf("sleeping\n");
      fflush(stdout);
      sleep(60);
    } else if (strncmp(argv[i], "module=", 7) == 0) {
      static char bytes[1 << 20];
      FILE* file = fopen(argv[i] + 7, "rb");
      size_t size = file ? fread(bytes, 1, sizeof bytes, file) : 0;
      if (!file) {
        printf("module: cannot open %s\n", argv[i] + 7);
        continue;
      }
      fclose(file);
      uint64_t id;
      lunatic_compile_status status = lunatic_module_compile(bytes, size, &id);
      if (status == LUNATIC_COMPILE_OK) {
        printf("module: compiled in\n");
        lunatic_module_drop(id);
      } else if (status == LUNATIC_COMPILE_ERROR) {
        char why[256];
        lunatic_error_string(id, why, sizeof why);
        printf("module: %s\n", why);
      } else {
        printf("module: denied\n");
      }
    } else if (strncmp(argv[i], "exit=", 5) == 0) {
      fflush(stdout);
      exit(atoi(argv[i] + 5));
    }
  }
  return 0;
}
