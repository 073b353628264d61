// WASI functions on a descriptor's data and position: read, write, pread, pwrite, seek,
// tell, advise, allocate, sync, datasync, close and renumber.
//
// Reads and writes go through io.h, which parks the process (never its worker thread) while
// the host descriptor is not ready; system calls that may take long on their own (fsync,
// fallocate) run on io.h's helper threads. A descriptor the guest made non-blocking
// (fdflags Nonblock) answers Again instead of waiting: the flag is never set on the host
// descriptor, which stdio shares with every process.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <limits>
#include <vector>

#include "wasi/context.h"
#include "wasi/errno_table.h"
#include "runtime/io/io.h"
#include "wasi/marshal.h"

namespace lunatic::rt::wasi {
namespace {

constexpr uint64_t kMaxOffset = uint64_t(std::numeric_limits<int64_t>::max());

// fd_read, fd_write, fd_pread and fd_pwrite: `offset` < 0 uses the descriptor's position.
Errno transfer(lunatic_instance* self, uint32_t fd, uint32_t iovs, uint32_t count, int64_t offset, bool write,
               uint32_t done_out) {
  Rights needed = (write ? right::FdWrite : right::FdRead) | (offset >= 0 ? right::FdSeek : 0);
  Errno e;
  Descriptor* d = Context::of(self).get(fd, needed, &e);
  if (!d) return e;
  Guest guest(self);
  HostIovecs buffers;
  if ((e = hostIovecs(guest, iovs, count, &buffers)) != Errno::Success) return e;
  if (!guest.at(done_out, 4)) return Errno::Fault;
  int64_t n;
  if (d->memory) {  // stdio in memory: never waits (and never seeks: no FdSeek right)
    n = write ? d->memory->write(buffers) : d->memory->read(buffers);
  } else {
    if (wouldBlock(*d, write ? POLLOUT : POLLIN)) return Errno::Again;
    n = write ? io::write(d->fd(), buffers, offset, d->target) : io::read(d->fd(), buffers, offset, d->target);
  }
  if (n < 0) return fromHostResult(n);
  guest.store32(done_out, uint32_t(n));  // Linux moves at most 2 GiB per call
  return Errno::Success;
}

Errno fd_read(lunatic_instance* self, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t nread_out) {
  return transfer(self, fd, iovs, count, -1, false, nread_out);
}

Errno fd_write(lunatic_instance* self, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t nwritten_out) {
  return transfer(self, fd, iovs, count, -1, true, nwritten_out);
}

Errno fd_pread(lunatic_instance* self, uint32_t fd, uint32_t iovs, uint32_t count, uint64_t offset,
               uint32_t nread_out) {
  if (offset > kMaxOffset) return Errno::Inval;
  return transfer(self, fd, iovs, count, int64_t(offset), false, nread_out);
}

Errno fd_pwrite(lunatic_instance* self, uint32_t fd, uint32_t iovs, uint32_t count, uint64_t offset,
                uint32_t nwritten_out) {
  if (offset > kMaxOffset) return Errno::Inval;
  return transfer(self, fd, iovs, count, int64_t(offset), true, nwritten_out);
}

Errno seek(lunatic_instance* self, uint32_t fd, int64_t offset, int whence, Rights needed, uint32_t out) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, needed, &e);
  if (!d) return e;
  Guest guest(self);
  if (!guest.at(out, 8)) return Errno::Fault;
  int64_t position = retryingSyscall([&] { return lseek(d->fd(), offset, whence); });
  if (position < 0) return fromHostResult(position);
  guest.store64(out, uint64_t(position));
  return Errno::Success;
}

Errno fd_seek(lunatic_instance* self, uint32_t fd, uint64_t offset, uint32_t whence, uint32_t newoffset_out) {
  static constexpr int host_whence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  if (whence > kWhenceEnd) return Errno::Inval;
  // Asking where one is (lseek(fd, 0, SEEK_CUR), as ftell does) needs only the right to tell.
  Rights needed = offset == 0 && whence == kWhenceCur ? right::FdTell : right::FdSeek;
  return seek(self, fd, int64_t(offset), host_whence[whence], needed, newoffset_out);
}

Errno fd_tell(lunatic_instance* self, uint32_t fd, uint32_t offset_out) {
  return seek(self, fd, 0, SEEK_CUR, right::FdTell, offset_out);
}

Errno fd_advise(lunatic_instance* self, uint32_t fd, uint64_t offset, uint64_t length, uint32_t advice) {
  static constexpr int host_advice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                        POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  Errno e;
  Descriptor* d = Context::of(self).get(fd, right::FdAdvise, &e);
  if (!d) return e;
  if (advice > kAdviceNoreuse || offset > kMaxOffset || length > kMaxOffset) return Errno::Inval;
  return fromHostErrno(posix_fadvise(d->fd(), off_t(offset), off_t(length), host_advice[advice]));
}

Errno fd_allocate(lunatic_instance* self, uint32_t fd, uint64_t offset, uint64_t length) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, right::FdAllocate, &e);
  if (!d) return e;
  if (offset > kMaxOffset || length > kMaxOffset) return Errno::Inval;
  if (offset + length > kMaxOffset) return Errno::Fbig;
  int host = d->fd();
  return fromHostResult(io::offload([=] {
    int error;
    do error = posix_fallocate(host, off_t(offset), off_t(length));  // returns the error itself
    while (error == EINTR);
    return -int64_t(error);
  }));
}

Errno sync(lunatic_instance* self, uint32_t fd, Rights needed, int (*call)(int)) {
  Errno e;
  Descriptor* d = Context::of(self).get(fd, needed, &e);
  if (!d) return e;
  int host = d->fd();
  return fromHostResult(io::offload([=] { return retryingSyscall([&] { return call(host); }); }));
}

Errno fd_datasync(lunatic_instance* self, uint32_t fd) { return sync(self, fd, right::FdDatasync, fdatasync); }
Errno fd_sync(lunatic_instance* self, uint32_t fd) { return sync(self, fd, right::FdSync, fsync); }

Errno fd_close(lunatic_instance* self, uint32_t fd) { return Context::of(self).close(fd); }

Errno fd_renumber(lunatic_instance* self, uint32_t from, uint32_t to) { return Context::of(self).renumber(from, to); }

}  // namespace

}  // namespace lunatic::rt::wasi

LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_read, wasi::fd_read);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_write, wasi::fd_write);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_pread, wasi::fd_pread);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_pwrite, wasi::fd_pwrite);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_seek, wasi::fd_seek);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_tell, wasi::fd_tell);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_advise, wasi::fd_advise);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_allocate, wasi::fd_allocate);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_datasync, wasi::fd_datasync);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_sync, wasi::fd_sync);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_close, wasi::fd_close);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, fd_renumber, wasi::fd_renumber);
