/* A thousand processes blocked in tcp_read hold no worker thread.
 *
 * Each reader connects to the root's listener and reads; the root accepts all thousand
 * connections. While every reader is parked, the root exchanges 200 messages with an echo
 * process and sleeps, which could not happen if a blocked read held one of the (two)
 * workers. Then the root writes one byte to each connection, and every reader wakes with
 * its byte.
 *
 * expect-stdout: 1000 readers parked in tcp_read
 * expect-stdout: the root ran on: 200 messages exchanged, slept 50 ms
 * expect-stdout: 1000 readers woke with their byte
 * expect-stdout: many parked: all ok
 * expect-max-seconds: 30
 */
#include "net_test.h"

enum { kReaders = 1000, kTagConnected = 1, kTagRead = 2, kTagPing = 3, kTagPong = 4 };

TEST_ENTRY(reader) {
  lunatic_tcp_stream stream;
  CHECK_EQ(lunatic_tcp_connect("127.0.0.1", (uint16_t)arg, 10000, &stream), LUNATIC_NET_OK);
  send_u64(parent, kTagConnected, 0);
  char byte;
  CHECK(read_exactly(stream, &byte, 1));
  CHECK(byte == 'x');
  send_u64(parent, kTagRead, 0);
}

TEST_ENTRY(echo) {
  for (;;) {
    uint64_t value = expect_u64(kTagPing);
    send_u64(parent, kTagPong, value);
  }
}

int main(void) {
  uint16_t port;
  lunatic_tcp_listener listener = listen_loopback(&port);
  static lunatic_tcp_stream accepted[kReaders];
  for (int i = 0; i < kReaders; ++i) spawn_ok("reader", port);
  for (int i = 0; i < kReaders; ++i) CHECK(lunatic_tcp_accept(listener, &accepted[i], NULL));
  for (int i = 0; i < kReaders; ++i) CHECK_EQ(expect_u64(kTagConnected), 0);
  lunatic_sleep_ms(100); /* every reader is in tcp_read by now */
  say("%d readers parked in tcp_read", kReaders);

  uint64_t echo = spawn_ok("echo", 0);
  for (uint64_t i = 0; i < 100; ++i) {
    send_u64(echo, kTagPing, i);
    CHECK_EQ(expect_u64(kTagPong), i);
  }
  lunatic_sleep_ms(50);
  say("the root ran on: 200 messages exchanged, slept 50 ms");
  /* None of the readers has anything to read yet. */
  lunatic_tag read_tag = kTagRead;
  CHECK_EQ(lunatic_receive(&read_tag, 1, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);

  for (int i = 0; i < kReaders; ++i) {
    uint64_t written;
    CHECK_EQ(lunatic_tcp_write(accepted[i], "x", 1, &written), LUNATIC_NET_OK);
  }
  for (int i = 0; i < kReaders; ++i) CHECK_EQ(expect_u64(kTagRead), 0);
  say("%d readers woke with their byte", kReaders);
  lunatic_kill(echo);
  say("many parked: all ok");
  return 0;
}
