// The program tests/serve/run_serve_test.py serves: what it does depends on the request's
// PATH_INFO, so that one server shows every behaviour of the server around it.
//   /echo          the body back
//   /env           its environment, a KEY=value line each
//   /status        a CGI header block: Status 404, Content-Type text/html, X-Custom
//   /redirect      a CGI header block with only Location
//   /stderr        two lines to stderr, "ok" to stdout
//   /trap          writes, then traps (unreachable)
//   /exit          writes a secret, then exits with status 3
//   /loop          never ends (until killed, or out of fuel)
//   /sleep?MS      sleeps MS milliseconds, then says "slept"
//   /alloc         allocates until memory runs out, then exits with status 1
//   /big?N         writes N bytes
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static const char* query(void) {
  const char* q = getenv("QUERY_STRING");
  return q ? q : "";
}

static int echo(void) {
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, stdin)) > 0) fwrite(buffer, 1, n, stdout);
  return 0;
}

static int loop_forever(void) {
  volatile unsigned long spins = 0;
  for (;;) ++spins;
}

static int sleep_then_answer(void) {
  long ms = atol(query());
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
  puts("slept");
  return 0;
}

// Where each block goes, so that the compiler cannot drop the allocations as unused.
static char* volatile last_block;

static int allocate_everything(void) {
  for (size_t total = 0;; total += 1 << 20) {
    char* block = malloc(1 << 20);
    if (!block) {
      fprintf(stderr, "out of memory after %zu MiB\n", total >> 20);
      return 1;
    }
    memset(block, 1, 1 << 20);
    last_block = block;
  }
}

static int write_bytes(void) {
  long n = atol(query());
  for (long i = 0; i < n; ++i) putchar('x');
  return 0;
}

int main(void) {
  const char* path = getenv("PATH_INFO");
  if (!path) path = "";
  if (strcmp(path, "/echo") == 0) return echo();
  if (strncmp(path, "/env", 4) == 0) {
    for (char** e = environ; *e; ++e) puts(*e);
    return 0;
  }
  if (strcmp(path, "/status") == 0) {
    printf("Status: 404 Not Found\r\nContent-Type: text/html\r\nX-Custom: yes\r\n\r\n<h1>nothing here</h1>\n");
    return 0;
  }
  if (strcmp(path, "/redirect") == 0) {
    printf("Location: /elsewhere\n\n");
    return 0;
  }
  if (strcmp(path, "/stderr") == 0) {
    fprintf(stderr, "line one\nline two\n");
    puts("ok");
    return 0;
  }
  if (strcmp(path, "/trap") == 0) {
    puts("partial output");
    fflush(stdout);
    __builtin_trap();
  }
  if (strcmp(path, "/exit") == 0) {
    puts("SECRET internal detail");
    return 3;
  }
  if (strcmp(path, "/loop") == 0) return loop_forever();
  if (strcmp(path, "/sleep") == 0) return sleep_then_answer();
  if (strcmp(path, "/alloc") == 0) return allocate_everything();
  if (strcmp(path, "/big") == 0) return write_bytes();
  printf("Status: 404\n\nno such path: %s\n", path);
  return 0;
}
