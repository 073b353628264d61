// Moving WASI values between guest memory and the host: the pieces several WASI functions
// share. Every guest pointer goes through GuestMemory (guest_memory.h); one that does not lie
// wholly inside the guest's memory is Fault.
#pragma once

#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "runtime/guest_memory.h"
#include "runtime/host.h"
#include "wasi/types.h"

namespace lunatic::rt::wasi {

using Guest = GuestMemory;

// Host iovecs for one call: most calls pass one or two, which then need no heap block.
struct HostIovecs : boost::container::small_vector<iovec, 4> {
  operator std::span<const iovec>() const { return {data(), size()}; }
};

// The guest's iovec (or ciovec) array `iovs` of `count` entries as host iovecs into its
// memory. Only the first IOV_MAX entries are used (the rest would make readv fail): a read
// or write may do less than asked, and WASI callers handle that.
Errno hostIovecs(const Guest& guest, uint32_t iovs, uint32_t count, HostIovecs* out);

// The guest string [pointer, pointer + length) (not NUL-terminated).
Errno guestString(const Guest& guest, uint32_t pointer, uint32_t length, std::string_view* out);

// Stores a filestat record describing `st` at `out`.
Errno storeFilestat(const Guest& guest, uint32_t out, const struct stat& st, int fd);

// The times for utimensat/futimens from a WASI timestamp pair and fstflags.
Errno hostTimes(uint64_t atim, uint64_t mtim, uint32_t fst_flags, timespec times[2]);

}  // namespace lunatic::rt::wasi
