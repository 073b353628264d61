/* A config whose max_memory is below the module's initial memory (1 page here) cannot
 * create the process: docs/abi.md (spawn) says spawn then writes an error id and returns 1
 * ("it needs more memory than its configuration allows"), as upstream's instantiation
 * fails under its memory limit.
 *
 * expect-stdout: max_memory 32768 < 1 page: spawn returned 1: .+
 * expect-stdout: initial memory: all ok
 */
#include "common.h"

TEST_ENTRY(report_size) { send_u64(parent, 1, __builtin_wasm_memory_size(0)); }

int main(void) {
  CHECK_EQ(__builtin_wasm_memory_size(0), 1);
  lunatic_config_id config = lunatic_config_create();
  lunatic_config_set_max_memory(config, 32768);
  uint64_t out = 0;
  uint32_t status = spawn_child(config, 0, "report_size", 0, &out);
  if (status == 0) {
    uint64_t pages = 0;
    lunatic_receive_status got = receive_tag(1, 1000, &pages, NULL);
    say("FAIL spawn with max_memory 32768 returned 0; the child %s", got == LUNATIC_RECEIVE_DATA
        ? (pages == 1 ? "ran with a 1-page (65536-byte) memory" : "ran") : "did not report");
    return 1;
  }
  CHECK_EQ(status, 1);
  char text[200];
  say("max_memory 32768 < 1 page: spawn returned 1: %s", error_text(out, text, sizeof text));
  say("initial memory: all ok");
  return 0;
}
