// lunatic::timer: deliver the message being built to a process after a delay, or cancel
// that before it happens.
#include "runtime/api/api.h"
#include "runtime/process/scheduler.h"

namespace lunatic::rt::api {
namespace {

uint64_t send_after(lunatic_instance* self, uint64_t process_id, uint64_t delay_ms) {
  MessagePtr message = takeOutgoingMessage(self, "send_after");
  uint64_t now = nowNanoseconds();
  uint64_t deadline = delay_ms > (UINT64_MAX - now) / 1'000'000 ? UINT64_MAX - 1 : now + delay_ms * 1'000'000;
  return scheduler::addMessageTimer(deadline, process_id, std::move(message));
}

uint32_t cancel_timer(lunatic_instance* self, uint64_t timer_id) {
  callerOf(self);
  return scheduler::cancelTimer(timer_id) ? 1 : 0;
}

}  // namespace

}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(timer, send_after, api::send_after);
LUNATIC_HOST_CODE(timer, cancel_timer, api::cancel_timer);
