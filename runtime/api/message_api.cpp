// lunatic::message: a process builds one outgoing message at a time (create_data,
// write_data), sends it, and reads the message it last received (read_data, seek_data,
// get_tag, data_size). receive waits, parking only the process, for the oldest message
// whose tag is in a filter, or for a timeout. A message sent counts against the receiver's
// host memory budget while queued (Process::deliver); one being built is checked against
// the builder's as it grows.
#include <algorithm>
#include <cstring>

#include "runtime/api/api.h"
#include "runtime/process/scheduler.h"

namespace lunatic::rt::api {
namespace {

// receive's results, as upstream.
constexpr uint32_t kReceivedData = 0, kReceivedLinkDied = 1, kReceivedProcessDied = 2, kReceiveTimeout = 9027;
// A timeout of this many milliseconds means "wait for ever".
constexpr uint64_t kNoTimeout = UINT64_MAX;
// create_data's capacity is a hint; a hostile one must not reserve gigabytes up front.
constexpr uint64_t kMaxReserve = 1 << 20;

void create_data(lunatic_instance* self, int64_t tag, uint64_t capacity) {
  MessageSlots& r = callerOf(self).messages;
  r.current = std::make_unique<Message>();
  r.current->tag = tag;
  r.current->data.reserve(std::min(capacity, kMaxReserve));
  r.read_cursor = 0;
}

// The message in the slot, or the process fails (as upstream traps).
Message& slotMessage(lunatic_instance* self, const char* function) {
  MessageSlots& r = callerOf(self).messages;
  if (!r.current) fail(self, function, "no message in the slot (create_data or receive first)");
  return *r.current;
}

uint32_t write_data(lunatic_instance* self, uint32_t data_ptr, uint32_t data_len) {
  Message& m = slotMessage(self, "write_data");
  const uint8_t* data = GuestMemory(self).at(data_ptr, data_len);
  if (!data) fail(self, "write_data", "the buffer is outside the process's memory");
  size_t size = m.data.size(), capacity = m.data.capacity();
  if (data_len > capacity - size) {
    // Grows as the vector would (doubling), or only as far as needed near the budget, which
    // the whole message must fit with all else the process holds.
    Process& p = callerOf(self);
    uint64_t needed = uint64_t(size) + data_len;
    uint64_t grown = std::max<uint64_t>(needed, 2 * uint64_t(capacity));
    if (!p.mayHold(grown)) grown = needed;
    if (!p.mayHold(grown)) failOverBudget(self, p, grown, "write_data");
    m.data.reserve(grown);
  }
  m.data.insert(m.data.end(), data, data + data_len);
  return data_len;
}

uint32_t read_data(lunatic_instance* self, uint32_t data_ptr, uint32_t data_len) {
  Message& m = slotMessage(self, "read_data");
  MessageSlots& r = callerOf(self).messages;
  uint8_t* out = GuestMemory(self).at(data_ptr, data_len);
  if (!out) fail(self, "read_data", "the buffer is outside the process's memory");
  size_t size = m.data.size();
  size_t n = std::min<size_t>(data_len, size - std::min(r.read_cursor, size));
  if (n) std::memcpy(out, m.data.data() + r.read_cursor, n);
  r.read_cursor += n;
  return uint32_t(n);
}

void seek_data(lunatic_instance* self, uint64_t position) {
  Message& m = slotMessage(self, "seek_data");
  callerOf(self).messages.read_cursor = size_t(std::min<uint64_t>(position, m.data.size()));
}

int64_t get_tag(lunatic_instance* self) { return slotMessage(self, "get_tag").tag; }

// The process a LinkDied or ProcessDied signal is about.
uint64_t get_process_id(lunatic_instance* self) { return slotMessage(self, "get_process_id").process; }

uint64_t data_size(lunatic_instance* self) { return slotMessage(self, "data_size").data.size(); }

// Every data message a process sends leaves through here (send, send_after, lunatic::distributed).
MessagePtr takeOutgoing(lunatic_instance* self, const char* function) {
  slotMessage(self, function);
  Process& p = callerOf(self);
  p.countSent(p.messages.current->data.size());
  return std::move(p.messages.current);
}

uint32_t send(lunatic_instance* self, uint64_t process_id) {
  MessagePtr message = takeOutgoing(self, "send");
  // As in Erlang, a message to a process that is gone is dropped without an error.
  if (ProcessRef target = findProcess(process_id)) target->deliver(std::move(message));
  return 0;
}

uint64_t deadlineAfter(uint64_t milliseconds) {
  if (milliseconds == kNoTimeout) return 0;
  uint64_t now = nowNanoseconds();
  if (milliseconds > (UINT64_MAX - now) / 1'000'000) return 0;
  return now + milliseconds * 1'000'000;
}

// Waits for the oldest message with a tag in `tags` (any, if none are given). Signals are
// filtered by their tag like data (a link's tag; 0 for a monitor's), as upstream.
// Only messages after `after` are looked at (send_receive_skip_search), if it is given.
uint32_t receiveMatching(lunatic_instance* self, const int64_t* tags, size_t count, uint64_t timeout_ms,
                         const Message* after = nullptr) {
  Process& p = callerOf(self);
  uint64_t deadline = deadlineAfter(timeout_ms);
  for (bool timed_out = false;;) {
    if (MessagePtr m = p.takeMessage(tags, count, after)) {
      MessageSlots& r = p.messages;
      r.read_cursor = 0;
      uint32_t result = kReceivedData;
      if (m->kind == Message::Kind::LinkDied) result = kReceivedLinkDied;
      if (m->kind == Message::Kind::ProcessDied) result = kReceivedProcessDied;
      r.current = std::move(m);
      return result;
    }
    if (timed_out || (deadline && nowNanoseconds() >= deadline)) return kReceiveTimeout;
    p.wait_reason = WaitReason::Message;
    timed_out = !p.parkAfterLook(deadline);
  }
}

uint32_t receive(lunatic_instance* self, uint32_t tags_ptr, uint32_t tags_len, uint64_t timeout_ms) {
  const uint8_t* raw = GuestMemory(self).at(tags_ptr, uint64_t(tags_len) * 8);
  if (!raw) fail(self, "receive", "the tag list is outside the process's memory");
  // Copied out (guest memory need not be aligned) into a buffer the process owns, so a
  // kill while it waits leaks nothing.
  Process& p = callerOf(self);
  std::vector<int64_t>& tags = p.messages.receive_tags;
  if (tags_len > tags.capacity()) {
    uint64_t more = (uint64_t(tags_len) - tags.capacity()) * sizeof(int64_t);
    holdHostMemory(self, p, more, "receive");
    tags.reserve(tags_len);
  }
  tags.resize(tags_len);
  if (tags_len) std::memcpy(tags.data(), raw, size_t(tags_len) * 8);
  return receiveMatching(self, tags.data(), tags.size(), timeout_ms);
}

uint32_t send_receive_skip_search(lunatic_instance* self, uint64_t process_id, int64_t wait_on_tag,
                                  uint64_t timeout_ms) {
  Process& p = callerOf(self);
  const Message* queued_before;
  {
    std::lock_guard lock(p.lock);
    queued_before = p.mailbox.newest();
  }
  send(self, process_id);
  return receiveMatching(self, &wait_on_tag, 1, timeout_ms, queued_before);
}

}  // namespace

// Used by lunatic::timer.
MessagePtr takeOutgoingMessage(lunatic_instance* self, const char* function) { return takeOutgoing(self, function); }

// Used by lunatic::distributed.
uint32_t receiveAfter(lunatic_instance* self, const int64_t* tags, size_t count, uint64_t timeout_ms,
                      const Message* after) {
  return receiveMatching(self, tags, count, timeout_ms, after);
}

}  // namespace lunatic::rt::api

LUNATIC_HOST_CODE(message, create_data, api::create_data);
LUNATIC_HOST_CODE(message, write_data, api::write_data);
LUNATIC_HOST_CODE(message, read_data, api::read_data);
LUNATIC_HOST_CODE(message, seek_data, api::seek_data);
LUNATIC_HOST_CODE(message, get_tag, api::get_tag);
LUNATIC_HOST_CODE(message, get_process_id, api::get_process_id);
LUNATIC_HOST_CODE(message, data_size, api::data_size);
LUNATIC_HOST_CODE(message, send, api::send);
LUNATIC_HOST_CODE(message, send_receive_skip_search, api::send_receive_skip_search);
LUNATIC_HOST_CODE(message, receive, api::receive);
