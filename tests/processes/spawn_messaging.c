/* Spawning with arguments, and data messages: tags, replies, read_data / seek_data /
 * data_size / get_tag, a large message, send_receive_skip_search, several children.
 *
 * expect-stdout: version 0\.13\.\d+
 * expect-stdout: echo child started with arg 7
 * expect-stdout: reply: tag 101, 18 bytes, "7:hello, lunatic!"
 * expect-stdout: i64 parameter ok
 * expect-stdout: large message ok
 * expect-stdout: request/reply ok
 * expect-stdout: squares ok
 * expect-stdout: spawn and messaging: all ok
 */
#include "common.h"

enum {
  TAG_PARENT = 100, /* the root's id, to an echo child */
  TAG_HELLO = 101,  /* a text message, and the echo's reply */
  TAG_LARGE = 102,
  TAG_SUM = 103,
  TAG_REQUEST = 104,
  TAG_SQUARE = 105,
  TAG_STOP = 106,
  TAG_SELF = 107,
};

/* Spawned with the SDK's LUNATIC_SPAWN: learns its parent from a message, then answers. */
LUNATIC_ENTRY(echo) {
  say("echo child started with arg %d", (int)arg);
  uint64_t parent = expect_u64(TAG_PARENT);

  /* A text message: read it in pieces, check the position rules, send it back prefixed. */
  lunatic_tag tag = TAG_HELLO;
  CHECK_EQ(lunatic_raw_message_receive(&tag, 1, 5000), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(lunatic_raw_message_get_tag(), TAG_HELLO);
  CHECK_EQ(lunatic_raw_message_data_size(), 15);
  CHECK_EQ(lunatic_raw_message_get_process_id(), 0);
  char text[32] = {0};
  CHECK_EQ(lunatic_raw_message_read_data(text, 5), 5);
  CHECK(memcmp(text, "hello", 5) == 0);
  CHECK_EQ(lunatic_raw_message_read_data(text + 5, sizeof text - 5), 10);
  CHECK(strcmp(text, "hello, lunatic!") == 0);
  CHECK_EQ(lunatic_raw_message_read_data(text, sizeof text), 0); /* at the end */
  lunatic_raw_message_seek_data(7);
  char rest[16] = {0};
  CHECK_EQ(lunatic_raw_message_read_data(rest, sizeof rest), 8);
  CHECK(strcmp(rest, "lunatic!") == 0);
  lunatic_raw_message_seek_data(1000); /* past the end: reads nothing */
  CHECK_EQ(lunatic_raw_message_read_data(rest, sizeof rest), 0);
  lunatic_raw_message_seek_data(0);
  char again[16] = {0};
  CHECK_EQ(lunatic_raw_message_read_data(again, 15), 15);
  CHECK(strcmp(again, "hello, lunatic!") == 0);

  char reply[48];
  int n = snprintf(reply, sizeof reply, "%d:%s", (int)arg, text);
  lunatic_raw_message_create_data(TAG_HELLO, 0);
  CHECK_EQ(lunatic_raw_message_write_data(reply, 2), 2); /* in two writes */
  CHECK_EQ(lunatic_raw_message_write_data(reply + 2, (size_t)n - 2 + 1), (size_t)n - 1);
  CHECK_EQ(lunatic_raw_message_send(parent), 0);

  /* A large message: answer with its size and a checksum. */
  tag = TAG_LARGE;
  CHECK_EQ(lunatic_raw_message_receive(&tag, 1, 5000), LUNATIC_RECEIVE_DATA);
  uint64_t size = lunatic_raw_message_data_size();
  static uint8_t big[300000];
  CHECK(size <= sizeof big);
  CHECK_EQ(lunatic_raw_message_read_data(big, sizeof big), size);
  uint64_t sum = size;
  for (uint64_t i = 0; i < size; ++i) sum = sum * 31 + big[i];
  send_u64(parent, TAG_SUM, sum);

  /* Requests: answer each with its value times 3, on the request's tag, until a stop. */
  for (;;) {
    lunatic_tag tags[2] = {TAG_REQUEST, TAG_STOP};
    uint64_t value = 0;
    lunatic_message_info info;
    CHECK_EQ(lunatic_receive(tags, 2, 5000, &value, sizeof value, &info), LUNATIC_RECEIVE_DATA);
    if (info.tag == TAG_STOP) break;
    send_u64(parent, TAG_REQUEST, value * 3);
  }
}

/* Reports its own id as it sees it, and its i64 and i32 parameters. */
__attribute__((export_name("two_params"))) void two_params(int64_t big, int32_t small) {
  uint64_t parent = (uint64_t)big >> 40;
  uint64_t payload[3] = {lunatic_self(), (uint64_t)(big & 0xFFFFFFFFFFll), (uint64_t)(int64_t)small};
  lunatic_send(parent, TAG_SELF, payload, sizeof payload);
}

TEST_ENTRY(square) { send_u64(parent, TAG_SQUARE, (uint64_t)arg * (uint64_t)arg); }

int main(void) {
  uint32_t major, minor, patch;
  lunatic_version(&major, &minor, &patch);
  CHECK_EQ(major, 0);
  CHECK_EQ(minor, 13);
  say("version %u.%u.%u", major, minor, patch);

  uint64_t me = lunatic_self();
  CHECK(me != 0);
  lunatic_process_id child;
  CHECK(LUNATIC_SPAWN(echo, 7, &child));
  CHECK(child != me);
  CHECK(lunatic_exists(child));
  send_u64(child, TAG_PARENT, me);
  lunatic_send(child, TAG_HELLO, "hello, lunatic!", 15);

  char reply[64] = {0};
  lunatic_message_info info;
  lunatic_tag tag = TAG_HELLO;
  CHECK_EQ(lunatic_receive(&tag, 1, 5000, reply, sizeof reply, &info), LUNATIC_RECEIVE_DATA);
  CHECK_EQ(info.tag, TAG_HELLO);
  CHECK_EQ(info.size, 18);
  CHECK_EQ(info.copied, 18);
  CHECK_EQ(info.process, 0);
  CHECK(strcmp(reply, "7:hello, lunatic!") == 0);
  say("reply: tag %lld, %llu bytes, \"%s\"", (long long)info.tag, (unsigned long long)info.size, reply);

  /* An i64 and an i32 parameter, through hand-made records. */
  {
    uint8_t params[2 * LUNATIC_PARAM_SIZE];
    int64_t big = (int64_t)(me << 40) | 0x123456789Allu;
    param_i64(params, big);
    lunatic_param_i32(params + LUNATIC_PARAM_SIZE, -5);
    uint64_t id = 0;
    CHECK_EQ(lunatic_raw_process_spawn(0, -1, -1, "two_params", 10, params, sizeof params, &id), 0);
    uint64_t payload[3] = {0};
    tag = TAG_SELF;
    CHECK_EQ(lunatic_receive(&tag, 1, 5000, payload, sizeof payload, &info), LUNATIC_RECEIVE_DATA);
    CHECK_EQ(info.size, sizeof payload);
    CHECK_EQ(payload[0], id);
    CHECK_EQ(payload[1], 0x123456789Allu);
    CHECK_EQ((int64_t)payload[2], -5);
    say("i64 parameter ok");
  }

  /* 256 KiB of data, built with several writes; the child answers with a checksum. */
  {
    static uint8_t big[256 * 1024];
    uint64_t expected = sizeof big;
    for (size_t i = 0; i < sizeof big; ++i) {
      big[i] = (uint8_t)(i * 7 + (i >> 9));
      expected = expected * 31 + big[i];
    }
    lunatic_raw_message_create_data(TAG_LARGE, 16);
    for (size_t at = 0; at < sizeof big; at += 10000) {
      size_t n = sizeof big - at < 10000 ? sizeof big - at : 10000;
      CHECK_EQ(lunatic_raw_message_write_data(big + at, n), n);
    }
    lunatic_raw_message_send(child);
    CHECK_EQ(expect_u64(TAG_SUM), expected);
    say("large message ok");
  }

  /* send_receive_skip_search: each request's reply comes back on the request's tag. */
  {
    for (uint64_t i = 1; i <= 20; ++i) {
      uint64_t answer = 0;
      CHECK_EQ(lunatic_request(child, TAG_REQUEST, &i, sizeof i, 5000, &answer, sizeof answer, &info),
               LUNATIC_RECEIVE_DATA);
      CHECK_EQ(info.tag, TAG_REQUEST);
      CHECK_EQ(answer, i * 3);
    }
    send_u64(child, TAG_STOP, 0);
    say("request/reply ok");
  }

  /* Several children, each with its own argument. */
  {
    uint64_t total = 0;
    for (int i = 1; i <= 10; ++i) (void)spawn_ok("square", i);
    for (int i = 1; i <= 10; ++i) total += expect_u64(TAG_SQUARE);
    CHECK_EQ(total, 385);
    say("squares ok");
  }

  /* Nothing else is left in the mailbox. */
  CHECK_EQ(lunatic_receive(NULL, 0, 0, NULL, 0, NULL), LUNATIC_RECEIVE_TIMEOUT);
  say("spawn and messaging: all ok");
  return 0;
}
