/* DNS: resolve, resolve_next, drop_dns_iterator, and lookups that take long.
 *
 * Numeric names and localhost (and names under it, RFC 6761) resolve at once, without any
 * file; a name in the hosts file (host_peer.py's, through CARES_HOSTS) from it; a name that
 * does not exist and a name without a port give an error id whose text lunatic::error
 * reads, as upstream's. Names under "slow.test" take the milliseconds they name
 * (tests/net/test_dns.py, the name server): a lookup with a shorter timeout returns 9027. Six lookups of 1 s at once hold no worker
 * thread: while they run, the root exchanges messages with another process (which could
 * not run if the lookups held both workers), and they finish together in about 1 s (not
 * the 3 s they would take two at a time).
 *
 * expect-stdout: 127\.0\.0\.1:80 -> 127\.0\.0\.1:80
 * expect-stdout: \[::1\]:443 -> \[::1\]:443
 * expect-stdout: localhost:8080 -> 127\.0\.0\.1:8080 \[::1\]:8080
 * expect-stdout: App.LocalHost.:1 -> 127\.0\.0\.1:1 \[::1\]:1
 * expect-stdout: hosts-file.test:5 -> (10\.20\.30\.40:5 \[fd00::1\]:5|\[fd00::1\]:5 10\.20\.30\.40:5)
 * expect-stdout: bad name: error "failed to lookup address information: Name or service not known"
 * expect-stdout: no port: error "invalid socket address .+"
 * expect-stdout: 3000\.slow\.test with a 100 ms timeout: 9027 after \d+ ms
 * expect-stdout: during 6 lookups of 1 s: 100 messages exchanged
 * expect-stdout: 6 lookups of 1 s at once: \d+ ms
 * expect-stdout: resolve: all ok
 */
#include "net_test.h"

/* The addresses of `name` ("host:port"), formatted and joined by spaces. */
static const char* addresses(const char* name, char* text, size_t cap) {
  uint64_t iterator;
  CHECK_EQ(lunatic_raw_networking_resolve(name, strlen(name), 5000, &iterator), 0);
  size_t used = 0;
  text[0] = '\0';
  lunatic_socket_address address;
  int count = 0;
  while (lunatic_resolve_next(iterator, &address)) {
    if (used && used + 1 < cap) text[used++] = ' ';
    used += lunatic_socket_address_format(&address, text + used, cap - used);
    ++count;
  }
  CHECK(count > 0);
  /* Exhausted for good. */
  CHECK(!lunatic_resolve_next(iterator, &address));
  lunatic_dns_iterator_drop(iterator);
  return text;
}

/* resolve's error text for `name`; the call must fail with 1. */
static const char* resolve_error(const char* name, char* text, size_t cap) {
  uint64_t error;
  CHECK_EQ(lunatic_raw_networking_resolve(name, strlen(name), 5000, &error), 1);
  return error_text(error, text, cap);
}

TEST_ENTRY(slow_lookup) {
  uint64_t iterator;
  CHECK_EQ(lunatic_raw_networking_resolve("1000.slow.test:7", 16, LUNATIC_WAIT_FOREVER, &iterator), 0);
  lunatic_socket_address address;
  CHECK(lunatic_resolve_next(iterator, &address));
  CHECK(address.type == 4 && address.ip[0] == 127 && address.port == 7);
  lunatic_dns_iterator_drop(iterator);
  send_u64(parent, 1, 0);
}

TEST_ENTRY(echo) {
  for (;;) send_u64(parent, 3, expect_u64(2));
}

int main(void) {
  char text[256];
  say("127.0.0.1:80 -> %s", addresses("127.0.0.1:80", text, sizeof text));
  say("[::1]:443 -> %s", addresses("[::1]:443", text, sizeof text));
  say("localhost:8080 -> %s", addresses("localhost:8080", text, sizeof text));
  say("App.LocalHost.:1 -> %s", addresses("App.LocalHost.:1", text, sizeof text));
  say("hosts-file.test:5 -> %s", addresses("hosts-file.test:5", text, sizeof text));
  say("bad name: error \"%s\"", resolve_error("no-such-host.invalid:80", text, sizeof text));
  say("no port: error \"%s\"", resolve_error("localhost", text, sizeof text));
  CHECK_EQ(lunatic_raw_networking_resolve("localhost:99999", 15, 5000, (uint64_t[]){0}), 1);
  CHECK_EQ(lunatic_raw_networking_resolve("localhost:", 10, 5000, (uint64_t[]){0}), 1);
  CHECK_EQ(lunatic_raw_networking_resolve("[::1:80", 7, 5000, (uint64_t[]){0}), 1);

  uint64_t id = 77;
  int64_t start = now_ms();
  CHECK_EQ(lunatic_raw_networking_resolve("3000.slow.test:80", 17, 100, &id), LUNATIC_TIMEOUT);
  int64_t waited = now_ms() - start;
  CHECK(waited >= 90 && waited < 2000);
  CHECK_EQ(id, 0); /* resolve writes 0 on a timeout */
  say("3000.slow.test with a 100 ms timeout: 9027 after %d ms", (int)waited);

  uint64_t echo = spawn_ok("echo", 0);
  start = now_ms();
  for (int i = 0; i < 6; ++i) spawn_ok("slow_lookup", i);
  for (uint64_t i = 0; i < 50; ++i) {
    send_u64(echo, 2, i);
    CHECK_EQ(expect_u64(3), i);
  }
  lunatic_tag done = 1;
  CHECK_EQ(lunatic_receive(&done, 1, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("during 6 lookups of 1 s: 100 messages exchanged");
  for (int i = 0; i < 6; ++i) CHECK_EQ(expect_u64(1), 0);
  waited = now_ms() - start;
  say("6 lookups of 1 s at once: %d ms", (int)waited);
  CHECK(waited >= 990 && waited < 2900);
  lunatic_kill(echo);
  say("resolve: all ok");
  return 0;
}
