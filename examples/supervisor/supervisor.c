/* Supervisor: a worker that crashes now and then is restarted, and no job is lost.
 *
 * The supervisor hands out jobs (numbers to square) one at a time to a worker it spawned
 * linked to itself. It catches link failures (die_when_link_dies(false)), so when the
 * worker traps, the supervisor gets a LINK_DIED message instead of dying too; it then
 * spawns a new worker and hands it the job that was lost. The runtime logs one line per
 * crash on stderr.
 *
 *     ./supervisor [jobs]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lunatic.h"

enum { TAG_JOB = 1, TAG_RESULT = 2, TAG_WORKER_LINK = 7 };

/* Squares numbers sent to it, but traps on every multiple of 7: a stand-in for a bug. */
LUNATIC_ENTRY(worker) {
  lunatic_process_id supervisor = 0;
  lunatic_receive(NULL, 0, LUNATIC_WAIT_FOREVER, &supervisor, sizeof supervisor, NULL);
  for (;;) {
    int64_t job = 0;
    lunatic_tag tag = TAG_JOB;
    lunatic_receive(&tag, 1, LUNATIC_WAIT_FOREVER, &job, sizeof job, NULL);
    if (job % 7 == 0) __builtin_trap();
    int64_t result = job * job;
    lunatic_send(supervisor, TAG_RESULT, &result, sizeof result);
  }
}

static lunatic_process_id start_worker(int* restarts) {
  lunatic_process_id worker;
  if (!LUNATIC_SPAWN_LINK(worker, 0, TAG_WORKER_LINK, &worker)) {
    fprintf(stderr, "cannot spawn a worker\n");
    exit(1);
  }
  lunatic_process_id self = lunatic_self();
  lunatic_send(worker, 0, &self, sizeof self);
  if (*restarts >= 0) printf("restarted the worker (restart %d)\n", ++*restarts);
  return worker;
}

int main(int argc, char** argv) {
  int64_t jobs = argc > 1 ? atoll(argv[1]) : 30;
  setvbuf(stdout, NULL, _IONBF, 0);  /* interleave with the runtime's crash lines in order */
  lunatic_die_when_link_dies(false);
  int restarts = -1;
  lunatic_process_id worker = start_worker(&restarts);
  restarts = 0;

  int64_t sum = 0, expected = 0, done = 0;
  for (int64_t job = 1; job <= jobs; ++job) {
    /* A job that crashes its worker is done by the supervisor itself after the restart. */
    lunatic_send(worker, TAG_JOB, &job, sizeof job);
    const lunatic_tag wanted[] = {TAG_RESULT, TAG_WORKER_LINK};
    int64_t result = 0;
    lunatic_message_info info;
    lunatic_receive_status status = lunatic_receive(wanted, 2, 5000, &result, sizeof result, &info);
    if (status == LUNATIC_RECEIVE_LINK_DIED) {
      printf("job %lld crashed its worker\n", (long long)job);
      worker = start_worker(&restarts);
      result = job * job;
    } else if (status != LUNATIC_RECEIVE_DATA) {
      fprintf(stderr, "no answer for job %lld\n", (long long)job);
      return 1;
    }
    sum += result;
    expected += job * job;
    ++done;
  }
  printf("%lld jobs done, %d restarts, sum of squares %lld\n", (long long)done, restarts, (long long)sum);
  return sum == expected ? 0 : 1;
}
