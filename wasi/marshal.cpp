// Guest records to host values and back (marshal.h).
#include "wasi/marshal.h"

#include <climits>

#include "wasi/context.h"

namespace lunatic::rt::wasi {

Errno hostIovecs(const Guest& guest, uint32_t iovs, uint32_t count, HostIovecs* out) {
  const uint8_t* records = guest.at(iovs, uint64_t(count) * kIovecSize);
  if (!records) return Errno::Fault;
  count = std::min<uint32_t>(count, IOV_MAX);
  out->clear();
  out->reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t buffer = fieldAt<uint32_t>(records, i * kIovecSize);
    uint32_t length = fieldAt<uint32_t>(records, i * kIovecSize + 4);
    uint8_t* host = guest.at(buffer, length);
    if (!host) return Errno::Fault;
    out->push_back({host, length});
  }
  return Errno::Success;
}

Errno guestString(const Guest& guest, uint32_t pointer, uint32_t length, std::string_view* out) {
  return guest.view(pointer, length, out) ? Errno::Success : Errno::Fault;
}

namespace {
uint64_t nanoseconds(const timespec& t) { return uint64_t(t.tv_sec) * 1'000'000'000u + uint64_t(t.tv_nsec); }
}  // namespace

Errno storeFilestat(const Guest& guest, uint32_t out, const struct stat& st, int fd) {
  Record<kFilestatSize> r;
  r.put<uint64_t>(0, st.st_dev);
  r.put<uint64_t>(8, st.st_ino);
  r.put<uint8_t>(16, uint8_t(filetypeOf(st.st_mode, fd)));
  r.put<uint64_t>(24, st.st_nlink);
  r.put<uint64_t>(32, uint64_t(st.st_size));
  r.put<uint64_t>(40, nanoseconds(st.st_atim));
  r.put<uint64_t>(48, nanoseconds(st.st_mtim));
  r.put<uint64_t>(56, nanoseconds(st.st_ctim));
  return guest.copyIn(out, r.bytes, sizeof r.bytes) ? Errno::Success : Errno::Fault;
}

Errno hostTimes(uint64_t atim, uint64_t mtim, uint32_t fst_flags, timespec times[2]) {
  if (fst_flags & ~fstflag::All) return Errno::Inval;
  auto one = [](uint64_t value, bool set, bool now, timespec* t) {
    if (set && now) return false;  // a time and "now" at once
    if (now) *t = {0, UTIME_NOW};
    else if (set) *t = {time_t(value / 1'000'000'000u), long(value % 1'000'000'000u)};
    else *t = {0, UTIME_OMIT};
    return true;
  };
  bool valid = one(atim, fst_flags & fstflag::Atim, fst_flags & fstflag::AtimNow, &times[0]) &&
               one(mtim, fst_flags & fstflag::Mtim, fst_flags & fstflag::MtimNow, &times[1]);
  return valid ? Errno::Success : Errno::Inval;
}

}  // namespace lunatic::rt::wasi
