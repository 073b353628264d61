// WASI functions on what a descriptor is rather than its data: its fdstat (type, flags,
// rights), the file's filestat (size, times), preopened directories' names, and directory
// listings (fd_readdir).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "wasi/context.h"
#include "wasi/errno_table.h"
#include "wasi/marshal.h"

namespace lunatic::rt::wasi {
namespace {

Errno fd_fdstat_get(lunatic_instance* self, uint32_t fd, uint32_t stat_out) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, 0, &e);
  if (!d) return e;
  Record<kFdstatSize> r;
  r.put<uint8_t>(0, uint8_t(d->type));
  r.put<uint16_t>(2, uint16_t(d->flags));
  r.put<uint64_t>(8, d->base);
  r.put<uint64_t>(16, d->inheriting);
  return Guest(self).copyIn(stat_out, r.bytes, sizeof r.bytes) ? Errno::Success : Errno::Fault;
}

// Only Append and Nonblock can change after opening: Linux ignores the synchronous-I/O flags
// in F_SETFL. Append changes the host descriptor, so it cannot change on stdio, which every
// process shares; Nonblock is the guest's view alone (fd.cpp).
Errno fd_fdstat_set_flags(lunatic_instance* self, uint32_t fd, uint32_t flags) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, right::FdFdstatSetFlags, &e);
  if (!d) return e;
  if (flags & ~fdflag::All) return Errno::Inval;
  uint32_t changed = flags ^ d->flags;
  if (changed & (fdflag::Dsync | fdflag::Rsync | fdflag::Sync)) return Errno::NotSup;
  if (changed & fdflag::Append) {
    if (!d->host.isOwned()) return Errno::NotSup;
    int host_flags = fcntl(d->fd(), F_GETFL);
    if (host_flags < 0) return fromHostErrno(errno);
    host_flags = (flags & fdflag::Append) ? host_flags | O_APPEND : host_flags & ~O_APPEND;
    if (fcntl(d->fd(), F_SETFL, host_flags) < 0) return fromHostErrno(errno);
  }
  d->flags = flags;
  return Errno::Success;
}

Errno fd_fdstat_set_rights(lunatic_instance* self, uint32_t fd, uint64_t base, uint64_t inheriting) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, 0, &e);
  if (!d) return e;
  if ((base & ~d->base) || (inheriting & ~d->inheriting)) return Errno::NotCapable;  // rights only drop
  d->base = base;
  d->inheriting = inheriting;
  return Errno::Success;
}

Errno fd_filestat_get(lunatic_instance* self, uint32_t fd, uint32_t stat_out) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, right::FdFilestatGet, &e);
  if (!d) return e;
  struct stat st;
  if (fstat(d->fd(), &st) != 0) return fromHostErrno(errno);
  return storeFilestat(Guest(self), stat_out, st, d->fd());
}

Errno fd_filestat_set_size(lunatic_instance* self, uint32_t fd, uint64_t size) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, right::FdFilestatSetSize, &e);
  if (!d) return e;
  if (size > uint64_t(std::numeric_limits<off_t>::max())) return Errno::Inval;
  return fromHostResult(retryingSyscall([&] { return ftruncate(d->fd(), off_t(size)); }));
}

Errno fd_filestat_set_times(lunatic_instance* self, uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t fst_flags) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, right::FdFilestatSetTimes, &e);
  if (!d) return e;
  timespec times[2];
  if ((e = hostTimes(atim, mtim, fst_flags, times)) != Errno::Success) return e;
  return futimens(d->fd(), times) == 0 ? Errno::Success : fromHostErrno(errno);
}

// A preopened directory of fd, or null with *error Badf: the prestat functions know no other.
const Descriptor* preopened(lunatic_instance* self, uint32_t fd, Errno* error) {
  Descriptor* d = Context::of(self).get(fd, 0, error);
  if (d && !d->preopened) {
    *error = Errno::Badf;
    return nullptr;
  }
  return d;
}

Errno fd_prestat_get(lunatic_instance* self, uint32_t fd, uint32_t prestat_out) {
  Errno e;
  const Descriptor* d = preopened(self, fd, &e);
  if (!d) return e;
  Record<kPrestatSize> r;
  r.put<uint8_t>(0, kPreopenTypeDir);
  r.put<uint32_t>(4, uint32_t(d->preopen_name.size()));
  return Guest(self).copyIn(prestat_out, r.bytes, sizeof r.bytes) ? Errno::Success : Errno::Fault;
}

Errno fd_prestat_dir_name(lunatic_instance* self, uint32_t fd, uint32_t path, uint32_t path_len) {
  Errno e;
  const Descriptor* d = preopened(self, fd, &e);
  if (!d) return e;
  if (path_len < d->preopen_name.size()) return Errno::NameTooLong;
  // The name alone, without a NUL, as fd_prestat_get measured it.
  return Guest(self).copyIn(path, d->preopen_name.data(), d->preopen_name.size()) ? Errno::Success : Errno::Fault;
}

// --- fd_readdir ----------------------------------------------------------------------
//
// Entries come from getdents64; a cookie is the number of entries before the next one
// (context.h says why), so a listing can resume at any cookie a previous call handed out.

Filetype direntType(int dir, const dirent64& entry) {
  switch (entry.d_type) {
    case DT_REG: return Filetype::RegularFile;
    case DT_DIR: return Filetype::Directory;
    case DT_LNK: return Filetype::SymbolicLink;
    case DT_CHR: return Filetype::CharacterDevice;
    case DT_BLK: return Filetype::BlockDevice;
    case DT_SOCK: return Filetype::SocketStream;
    case DT_UNKNOWN: {  // some file systems do not say: ask (never following a symlink)
      struct stat st;
      if (fstatat(dir, entry.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return Filetype::Unknown;
      return filetypeOf(st.st_mode, -1);
    }
    default: return Filetype::Unknown;
  }
}

// A batch of entries from getdents64, walked in order.
class DirentBatch {
 public:
  explicit DirentBatch(size_t bytes) : buffer_(bytes) {}
  // Reads the next batch: false at the end of the directory, or with *error set.
  bool fill(int fd, Errno* error) {
    int64_t n = retryingSyscall([&] { return getdents64(fd, buffer_.data(), buffer_.size()); });
    *error = fromHostResult(n);
    length_ = n > 0 ? size_t(n) : 0;
    at_ = 0;
    return n > 0;
  }
  const dirent64* next() {
    if (at_ >= length_) return nullptr;
    const auto* entry = reinterpret_cast<const dirent64*>(buffer_.data() + at_);
    at_ += entry->d_reclen;
    return entry;
  }

 private:
  std::vector<char> buffer_;
  size_t length_ = 0, at_ = 0;
};

int64_t seekTo(int fd, int64_t position) {
  return retryingSyscall([&] { return lseek(fd, off_t(position), SEEK_SET); });
}

// Moves the host position to just after the first `cookie` entries (to the end if there are
// fewer): straight there if the last call handed out that cookie, else counting from the start.
Errno seekListing(Descriptor& d, uint64_t cookie, DirentBatch& batch) {
  for (auto [known, position] : d.listing_positions) {
    if (known == cookie) return fromHostResult(seekTo(d.fd(), position));
  }
  if (int64_t r = seekTo(d.fd(), 0); r < 0) return fromHostResult(r);
  Errno e = Errno::Success;
  for (uint64_t skipped = 0; skipped < cookie && batch.fill(d.fd(), &e);) {
    while (const dirent64* entry = batch.next()) {
      if (++skipped == cookie) return fromHostResult(seekTo(d.fd(), entry->d_off));
    }
  }
  return e;
}

// A listing moves its descriptor's position, which a borrowed descriptor (a grant's, shared
// by every process that holds it: runtime/process/wasi_config.h) shares with others: such a directory is listed
// through a descriptor of the process's own, opened through the borrowed one, never by name.
Errno listOnOwnDescriptor(Descriptor& d) {
  if (d.host.isOwned()) return Errno::Success;
  int own = retryingSyscall([&] { return openat(d.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (own < 0) return fromHostResult(own);
  d.host = HostFd::owned(own);
  return Errno::Success;
}

Errno fd_readdir(lunatic_instance* self, uint32_t fd, uint32_t buffer, uint32_t buffer_len, uint64_t cookie,
                 uint32_t used_out) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, right::FdReaddir, &e);
  if (!d) return e;
  Guest guest(self);
  uint8_t* out = guest.at(buffer, buffer_len);
  if (!out || !guest.at(used_out, 4)) return Errno::Fault;

  // Enough host buffer for about what fits in the guest's, at least one entry of the
  // longest name, and not so much that a huge guest buffer costs a huge host allocation.
  DirentBatch batch(std::clamp<size_t>(size_t(buffer_len) + 512, 1024, 32 * 1024));
  if ((e = listOnOwnDescriptor(*d)) != Errno::Success || (e = seekListing(*d, cookie, batch)) != Errno::Success)
    return e;
  d->listing_positions.clear();
  uint32_t used = 0;
  uint64_t index = cookie;
  while (used < buffer_len && batch.fill(d->fd(), &e)) {
    for (const dirent64* entry; used < buffer_len && (entry = batch.next());) {
      std::string_view name(entry->d_name);
      d->listing_positions.emplace_back(++index, entry->d_off);
      Record<kDirentSize> r;
      r.put<uint64_t>(0, index);
      r.put<uint64_t>(8, entry->d_ino);
      r.put<uint32_t>(16, uint32_t(name.size()));
      r.put<uint8_t>(20, uint8_t(direntType(d->fd(), *entry)));
      // As the specification asks, the last entry is cut short when the buffer ends, so the
      // guest can tell it needs a larger one.
      uint32_t header = std::min<uint32_t>(kDirentSize, buffer_len - used);
      std::memcpy(out + used, r.bytes, header);
      used += header;
      uint32_t name_part = std::min<uint32_t>(uint32_t(name.size()), buffer_len - used);
      std::memcpy(out + used, name.data(), name_part);
      used += name_part;
    }
  }
  if (e != Errno::Success) return e;
  guest.store32(used_out, used);
  return Errno::Success;
}

}  // namespace

}  // namespace lunatic::rt::wasi

LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_fdstat_get, wasi::fd_fdstat_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_fdstat_set_flags, wasi::fd_fdstat_set_flags);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_fdstat_set_rights, wasi::fd_fdstat_set_rights);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_filestat_get, wasi::fd_filestat_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_filestat_set_size, wasi::fd_filestat_set_size);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_filestat_set_times, wasi::fd_filestat_set_times);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_prestat_get, wasi::fd_prestat_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_prestat_dir_name, wasi::fd_prestat_dir_name);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_readdir, wasi::fd_readdir);
