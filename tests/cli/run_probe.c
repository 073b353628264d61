/* run_probe.c: what `lunaticc run` hands the program (tests/cli/run_mode_test.py): it prints
 * its arguments and the variable FOO, and for the arguments
 *   stdin    echoes a line of stdin
 *   sleep    says so and sleeps (to be sent a signal)
 *   exit=N   exits with status N
 */
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
    } else if (strncmp(argv[i], "exit=", 5) == 0) {
      fflush(stdout);
      exit(atoi(argv[i] + 5));
    }
  }
  return 0;
}
