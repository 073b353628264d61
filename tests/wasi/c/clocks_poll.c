/* Clocks, sleeping, poll and randomness: clock_gettime and clock_getres on every clock,
 * nanosleep and poll timeouts that take as long as asked (the process parks: the thread is
 * free meanwhile), poll on descriptors, poll_oneoff's own rules, getentropy and sched_yield.
 *
 * stdin: ready
 * expect-stdout: clocks_poll: all checks passed
 * expect-max-seconds: 5
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <wasi/api.h>

#include "check.h"

static int64_t now_ns(clockid_t clock) {
  struct timespec t;
  CHECK(clock_gettime(clock, &t) == 0);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void clocks(void) {
  clockid_t all[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
  for (int i = 0; i < 4; ++i) {
    struct timespec resolution;
    CHECK(clock_getres(all[i], &resolution) == 0);
    CHECK(resolution.tv_sec == 0 && resolution.tv_nsec > 0);
    int64_t a = now_ns(all[i]), b = now_ns(all[i]);
    CHECK(a > 0 && b >= a);
  }
  CHECK(now_ns(CLOCK_REALTIME) > (int64_t)1600000000 * 1000000000);
  CHECK(time(NULL) > 1600000000);
  __wasi_timestamp_t t;
  CHECK_WASI(__wasi_clock_time_get(4, 1, &t), __WASI_ERRNO_INVAL);
  CHECK_WASI(__wasi_clock_res_get(99, &t), __WASI_ERRNO_INVAL);
  /* The CPU clocks advance with work. */
  int64_t cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
  volatile uint64_t x = 1;
  for (int i = 0; i < 20000000; ++i) x = x * 6364136223846793005u + 1;
  CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) > cpu);
}

static void sleeping(void) {
  int64_t start = now_ns(CLOCK_MONOTONIC);
  struct timespec ms50 = {0, 50000000};
  CHECK(nanosleep(&ms50, NULL) == 0);
  int64_t slept = now_ns(CLOCK_MONOTONIC) - start;
  CHECK(slept >= 50000000 && slept < 1000000000);
  /* An absolute deadline on the monotonic clock, and one on the real-time clock. */
  struct timespec until;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &until) == 0);
  until.tv_nsec += 30000000;
  if (until.tv_nsec >= 1000000000) until.tv_sec += 1, until.tv_nsec -= 1000000000;
  start = now_ns(CLOCK_MONOTONIC);
  CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0);
  CHECK(now_ns(CLOCK_MONOTONIC) - start >= 20000000);
  CHECK(clock_gettime(CLOCK_REALTIME, &until) == 0);
  until.tv_nsec += 30000000;
  if (until.tv_nsec >= 1000000000) until.tv_sec += 1, until.tv_nsec -= 1000000000;
  CHECK(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL) == 0);
  CHECK(now_ns(CLOCK_REALTIME) >= (int64_t)until.tv_sec * 1000000000 + until.tv_nsec);
  /* A deadline in the past returns at once. */
  struct timespec past = {1, 0};
  CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL) == 0);
  /* poll with nothing to watch is a sleep. */
  start = now_ns(CLOCK_MONOTONIC);
  CHECK(poll(NULL, 0, 40) == 0);
  CHECK(now_ns(CLOCK_MONOTONIC) - start >= 40000000);
}

static void polling(void) {
  /* stdin has a line waiting; a regular file is always ready. */
  int file = open("/sandbox/f", O_RDWR | O_CREAT, 0644);
  CHECK(write(file, "12345", 5) == 5 && lseek(file, 1, SEEK_SET) == 1);
  struct pollfd fds[3] = {{0, POLLIN, 0}, {file, POLLIN | POLLOUT, 0}, {1, POLLOUT, 0}};
  int64_t start = now_ns(CLOCK_MONOTONIC);
  CHECK(poll(fds, 3, 2000) == 3);
  CHECK(now_ns(CLOCK_MONOTONIC) - start < 1000000000);
  CHECK(fds[0].revents & POLLIN);
  CHECK((fds[1].revents & (POLLIN | POLLOUT)) == (POLLIN | POLLOUT));
  CHECK(fds[2].revents & POLLOUT);

  /* Raw: a read subscription says how much is there to read. */
  __wasi_subscription_t subs[4];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 11;
  subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[0].u.u.fd_read.file_descriptor = file;
  subs[1].userdata = 22;
  subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 5000000000u;
  __wasi_event_t events[4];
  __wasi_size_t n = 0;
  CHECK_WASI(__wasi_poll_oneoff(subs, events, 2, &n), 0);
  CHECK(n == 1 && events[0].userdata == 11 && events[0].error == 0 && events[0].type == __WASI_EVENTTYPE_FD_READ);
  CHECK(n == 1 && events[0].fd_readwrite.nbytes == 4);

  /* Two clocks: only the one that is due fires. */
  subs[0] = subs[1];
  subs[0].userdata = 33;
  subs[0].u.u.clock.timeout = 10000000;
  CHECK_WASI(__wasi_poll_oneoff(subs, events, 2, &n), 0);
  CHECK(n == 1 && events[0].userdata == 33 && events[0].type == __WASI_EVENTTYPE_CLOCK && events[0].error == 0);
  /* An absolute monotonic time already past fires at once. */
  subs[0].u.u.clock.timeout = 1;
  subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  CHECK_WASI(__wasi_poll_oneoff(subs, events, 1, &n), 0);
  CHECK(n == 1 && events[0].userdata == 33);

  /* What cannot be waited on is reported at once, as an event with an error. */
  subs[2] = subs[1];
  subs[2].userdata = 44;
  subs[2].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  subs[2].u.u.fd_write.file_descriptor = 1234;
  CHECK_WASI(__wasi_poll_oneoff(&subs[1], events, 2, &n), 0);
  CHECK(n == 1 && events[0].userdata == 44 && events[0].error == __WASI_ERRNO_BADF);
  subs[3] = subs[1];
  subs[3].userdata = 55;
  subs[3].u.u.clock.id = __WASI_CLOCKID_PROCESS_CPUTIME_ID;
  CHECK_WASI(__wasi_poll_oneoff(&subs[3], events, 1, &n), 0);
  CHECK(n == 1 && events[0].userdata == 55 && events[0].error == __WASI_ERRNO_NOTSUP);
  /* Writing to stdin is not a right this process has. */
  subs[3].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  subs[3].u.u.fd_write.file_descriptor = 0;
  CHECK_WASI(__wasi_poll_oneoff(&subs[3], events, 1, &n), 0);
  CHECK(n == 1 && events[0].error == __WASI_ERRNO_NOTCAPABLE);
  /* No subscriptions, or one of no known kind, is invalid. */
  CHECK_WASI(__wasi_poll_oneoff(subs, events, 0, &n), __WASI_ERRNO_INVAL);
  subs[3].u.tag = 7;
  CHECK_WASI(__wasi_poll_oneoff(&subs[3], events, 1, &n), __WASI_ERRNO_INVAL);
  CHECK(close(file) == 0);
}

static void randomness(void) {
  unsigned char a[64] = {0}, b[64] = {0}, zero[64] = {0};
  CHECK(getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0);
  CHECK(memcmp(a, b, sizeof a) != 0 && memcmp(a, zero, sizeof a) != 0);
  /* More than getentropy allows in one call, raw. */
  static unsigned char big[100000];
  CHECK_WASI(__wasi_random_get(big, sizeof big), 0);
  int zeros = 0;
  for (size_t i = 0; i < sizeof big; ++i) zeros += big[i] == 0;
  CHECK(zeros < 1000);
  CHECK(sched_yield() == 0);
}

int main(void) {
  clocks();
  sleeping();
  polling();
  randomness();
  return checks_done("clocks_poll");
}
