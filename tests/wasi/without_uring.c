/* without_uring PROGRAM [ARGS...]: runs PROGRAM with io_uring refused (EPERM), as the default
 * seccomp profile of container engines refuses it, so that the runtime's choice of the epoll
 * backend can be tested where io_uring works. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: without_uring PROGRAM [ARGS...]\n");
    return 2;
  }
  scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
  int refused[] = {SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register)};
  int ok = filter != NULL;
  for (size_t i = 0; ok && i < sizeof refused / sizeof refused[0]; ++i) {
    ok = seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), refused[i], 0) == 0;
  }
  if (!ok || seccomp_load(filter) != 0) {
    fprintf(stderr, "without_uring: cannot install the seccomp filter\n");
    return 2;
  }
  execvp(argv[1], argv + 1);
  perror("without_uring: exec");
  return 2;
}
