/* The registry: put, get, overwrite, remove; a name whose process has ended reads as
 * absent (docs/abi.md, Deviations); get_or_spawn spawns once and then finds.
 *
 * expect-stdout: put/get: "alpha" is (?P<a>\d+) on node 0
 * expect-stdout: put again: "alpha" is now \d+
 * expect-stdout: remove: "alpha" not found
 * expect-stdout: never registered: not found
 * expect-stdout: name of an ended process: not found
 * expect-stdout: get_or_spawn: spawned \d+, then found it
 * expect-stdout: another process sees the same registry
 * expect-stdout: registry: all ok
 */
#include "common.h"

enum { TAG_GO = 1, TAG_LOOKUP = 2 };

TEST_ENTRY(wait_for_go) { (void)expect_u64(TAG_GO); }

/* Looks up "beta" and reports the id (0: not found). */
TEST_ENTRY(looker) {
  uint64_t id = 0;
  send_u64(parent, TAG_LOOKUP, lunatic_registry_get("beta", &id, NULL) ? id : 0);
}

static bool get(const char* name, uint64_t* id, uint64_t* node) {
  *id = *node = 0xDEAD;
  uint32_t status = lunatic_raw_registry_get(name, strlen(name), node, id);
  CHECK(status == 0 || status == 1);
  if (status == 1) {
    CHECK_EQ(*id, 0xDEAD); /* nothing written when not found */
    CHECK_EQ(*node, 0xDEAD);
  }
  return status == 0;
}

int main(void) {
  uint64_t a = spawn_ok("wait_for_go", 0), b = spawn_ok("wait_for_go", 0);
  uint64_t id, node;

  lunatic_registry_put("alpha", a);
  CHECK(get("alpha", &id, &node));
  CHECK_EQ(id, a);
  CHECK_EQ(node, 0);
  say("put/get: \"alpha\" is %llu on node %llu", (unsigned long long)id, (unsigned long long)node);
  CHECK(!get("alph", &id, &node)); /* names are whole strings */
  CHECK(!get("alpha2", &id, &node));

  lunatic_registry_put("alpha", b);
  CHECK(get("alpha", &id, &node));
  CHECK_EQ(id, b);
  say("put again: \"alpha\" is now %llu", (unsigned long long)id);

  lunatic_registry_remove("alpha");
  CHECK(!get("alpha", &id, &node));
  lunatic_registry_remove("alpha"); /* removing again is harmless */
  say("remove: \"alpha\" not found");

  CHECK(!get("never", &id, &node));
  lunatic_registry_remove("never");
  say("never registered: not found");

  lunatic_registry_put("beta", a);
  CHECK(get("beta", &id, &node));
  lunatic_monitor(a);
  send_u64(a, TAG_GO, 0);
  expect_died(a);
  CHECK(!get("beta", &id, &node));
  say("name of an ended process: not found");

  const char* name = "gamma";
  uint8_t params[2 * LUNATIC_PARAM_SIZE];
  param_i64(params, (int64_t)lunatic_self());
  lunatic_param_i32(params + LUNATIC_PARAM_SIZE, 0);
  uint64_t first = 0, second = 0;
  node = 0xDEAD;
  CHECK_EQ(lunatic_raw_process_get_or_spawn(name, 5, 0, -1, -1, "wait_for_go", 11, params,
                                            sizeof params, &node, &first),
           0);
  CHECK_EQ(node, 0);
  CHECK(lunatic_exists(first));
  CHECK(get(name, &id, &node));
  CHECK_EQ(id, first);
  CHECK_EQ(lunatic_raw_process_get_or_spawn(name, 5, 0, -1, -1, "wait_for_go", 11, params,
                                            sizeof params, &node, &second),
           2);
  CHECK_EQ(second, first);
  say("get_or_spawn: spawned %llu, then found it", (unsigned long long)first);

  lunatic_registry_put("beta", b);
  (void)spawn_ok("looker", 0);
  CHECK_EQ(expect_u64(TAG_LOOKUP), b);
  say("another process sees the same registry");

  say("registry: all ok");
  return 0;
}
