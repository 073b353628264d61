// poll_oneoff: waits until one of the subscriptions fires (a descriptor ready to read or
// write, or a clock reaching its time) and reports every one that has.
//
// With descriptors, the wait is io::poll's, with the earliest clock as its deadline. With
// clocks alone, the process parks on its own timer (Process::parkUntil): a sleeping process
// holds no thread. Subscriptions that cannot be waited on (an unknown descriptor, missing
// rights, a CPU-time clock) are reported at once, as events with an error, without waiting.
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "wasi/context.h"
#include "wasi/errno_table.h"
#include "runtime/io/io.h"
#include "wasi/marshal.h"
#include "runtime/process/process.h"

namespace lunatic::rt::wasi {
namespace {

// More subscriptions than this in one call is refused (Inval), as poll(2) refuses more
// descriptors than a process may hold: the host's memory is not the guest's to exhaust.
constexpr uint32_t kMaxSubscriptions = 1u << 16;

struct Subscription {
  uint64_t userdata;
  EventType type;
  uint64_t deadline = 0;        // clock: steady-clock nanoseconds (nowNanoseconds)
  const Descriptor* descriptor = nullptr;  // fd_read, fd_write
  int interest = -1;            // its index in the io::poll list
  Errno error = Errno::Success; // reported at once if not Success
};

uint64_t clockNow(clockid_t clock) {
  timespec t;
  clock_gettime(clock, &t);
  return uint64_t(t.tv_sec) * 1'000'000'000u + uint64_t(t.tv_nsec);
}

// The steady-clock deadline of a clock subscription, or an error for a clock it cannot
// wait on.
Errno clockDeadline(uint32_t id, uint64_t timeout, uint16_t flags, uint64_t* deadline) {
  uint64_t now = nowNanoseconds();
  bool absolute = flags & kSubclockAbstime;
  auto after = [&](uint64_t delay) { return now + std::min<uint64_t>(delay, UINT64_MAX / 2); };
  switch (id) {
    case kClockMonotonic:  // the same clock as nowNanoseconds
      *deadline = absolute ? timeout : after(timeout);
      break;
    case kClockRealtime:
      if (absolute) {
        uint64_t real_now = clockNow(CLOCK_REALTIME);
        *deadline = timeout <= real_now ? now : after(timeout - real_now);
      } else {
        *deadline = after(timeout);
      }
      break;
    case kClockProcessCputime:
    case kClockThreadCputime: return Errno::NotSup;  // not a time anyone can sleep until
    default: return Errno::Inval;
  }
  *deadline = std::max<uint64_t>(*deadline, 1);  // 0 means "no deadline" to io.h
  return Errno::Success;
}

// The guest's subscription at `record`, or Inval for a kind that does not exist.
Errno readSubscription(Context& context, const uint8_t* record, Subscription* s) {
  s->userdata = fieldAt<uint64_t>(record, 0);
  uint8_t tag = fieldAt<uint8_t>(record, 8);
  if (tag > kEventFdWrite) return Errno::Inval;
  s->type = EventType(tag);
  if (s->type == kEventClock) {
    s->error = clockDeadline(fieldAt<uint32_t>(record, 16), fieldAt<uint64_t>(record, 24),
                             fieldAt<uint16_t>(record, 40), &s->deadline);
    return Errno::Success;
  }
  Rights needed = right::PollFdReadwrite | (s->type == kEventFdRead ? right::FdRead : right::FdWrite);
  s->descriptor = context.get(fieldAt<uint32_t>(record, 16), needed, &s->error);
  return Errno::Success;
}

// How many bytes can be read or written without waiting, as far as the host says.
uint64_t bytesAvailable(const Subscription& s) {
  int fd = s.descriptor->fd();
  if (s.type != kEventFdRead) return 0;  // Linux does not say how much a write would take
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t position = lseek(fd, 0, SEEK_CUR);
    return position >= 0 && st.st_size > position ? uint64_t(st.st_size - position) : 0;
  }
  int pending = 0;
  return ioctl(fd, FIONREAD, &pending) == 0 && pending > 0 ? uint64_t(pending) : 0;
}

Record<kEventSize> event(const Subscription& s, Errno error, uint64_t bytes, uint16_t flags) {
  Record<kEventSize> r;
  r.put<uint64_t>(0, s.userdata);
  r.put<uint16_t>(8, uint16_t(error));
  r.put<uint8_t>(10, uint8_t(s.type));
  r.put<uint64_t>(16, bytes);
  r.put<uint16_t>(24, flags);
  return r;
}

Errno poll_oneoff(lunatic_instance* self, uint32_t in, uint32_t out, uint32_t count, uint32_t nevents_out) {
  if (count == 0 || count > kMaxSubscriptions) return Errno::Inval;
  Guest guest(self);
  const uint8_t* records = guest.at(in, uint64_t(count) * kSubscriptionSize);
  uint8_t* events = guest.at(out, uint64_t(count) * kEventSize);
  if (!records || !events || !guest.at(nevents_out, 4)) return Errno::Fault;

  Context& context = Context::of(self);
  std::vector<Subscription> subscriptions(count);
  std::vector<io::Interest> interests;
  bool failed = false;
  uint64_t deadline = 0;  // the earliest clock's; 0: none
  for (uint32_t i = 0; i < count; ++i) {
    Subscription& s = subscriptions[i];
    if (Errno e = readSubscription(context, records + i * kSubscriptionSize, &s); e != Errno::Success) return e;
    if (s.error != Errno::Success) {
      failed = true;
    } else if (s.type == kEventClock) {
      deadline = deadline ? std::min(deadline, s.deadline) : s.deadline;
    } else {
      s.interest = int(interests.size());
      interests.push_back({s.descriptor->fd(), short(s.type == kEventFdRead ? POLLIN : POLLOUT), 0});
    }
  }

  // Wait, unless some subscription has already failed: then only look.
  if (failed) {
    if (!interests.empty()) io::poll(interests, 1);  // a deadline long past: no waiting
  } else if (!interests.empty()) {
    int n;
    do n = io::poll(interests, deadline);
    while (n == 0 && nowNanoseconds() < deadline);  // woken before the clock's time
    if (n < 0) return fromHostResult(n);
  } else {
    Process* process = Process::of(self);  // Context::of has made sure there is one
    while (nowNanoseconds() < deadline) {  // may end early, on a message
      process->wait_reason = WaitReason::Timer;
      process->parkUntil(deadline);
    }
  }

  uint64_t now = nowNanoseconds();
  uint32_t fired = 0;
  for (const Subscription& s : subscriptions) {
    Record<kEventSize> r;
    if (s.error != Errno::Success) {
      r = event(s, s.error, 0, 0);
    } else if (s.type == kEventClock) {
      if (failed || now < s.deadline) continue;
      r = event(s, Errno::Success, 0, 0);
    } else {
      short revents = interests[size_t(s.interest)].revents;
      if (!revents) continue;
      if (revents & POLLNVAL) r = event(s, Errno::Badf, 0, 0);
      else if ((revents & POLLERR) && !(revents & (POLLIN | POLLOUT))) r = event(s, Errno::Io, 0, 0);
      else r = event(s, Errno::Success, bytesAvailable(s), (revents & POLLHUP) ? kEventRwHangup : 0);
    }
    std::memcpy(events + fired * kEventSize, r.bytes, kEventSize);
    ++fired;
  }
  guest.store32(nevents_out, fired);
  return Errno::Success;
}

}  // namespace

}  // namespace lunatic::rt::wasi

LUNATIC_HOST_CODE(wasi_snapshot_preview1, poll_oneoff, wasi::poll_oneoff);
