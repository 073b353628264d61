/* proc_exit: exit(n) ends the program with status n, after stdio is flushed, and files
 * written before are complete.
 *
 * expect-exit: 7
 * expect-stdout: buffered line
 * expect-stderr: to stderr before exit
 * expect-file: /sandbox/written.txt: complete\n
 */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("buffered line\n");  /* still in stdio's buffer when exit() is called */
  fprintf(stderr, "to stderr before exit\n");
  FILE* f = fopen("/sandbox/written.txt", "w");
  if (!f) return 1;
  fputs("complete\n", f);  /* flushed and closed by exit() */
  exit(7);
}
