// WASI functions on sockets: accept, recv, send, shutdown. Preview 1 cannot create or
// connect a socket: a process only has the ones its host grants it and those it accepts.
// Data moves through io.h, as for files (fd.cpp).
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <vector>

#include "wasi/context.h"
#include "wasi/errno_table.h"
#include "runtime/io/io.h"
#include "wasi/marshal.h"

namespace lunatic::rt::wasi {
namespace {

// The socket `fd`, if it is one (else NotSock) and holds `needed`.
Descriptor* socketOf(lunatic_instance* self, uint32_t fd, Rights needed, Errno* error) {
  Descriptor* d = Context::of(self).get(fd, 0, error);
  if (!d) return nullptr;
  if (d->type != Filetype::SocketStream && d->type != Filetype::SocketDgram) {
    *error = Errno::NotSock;
    return nullptr;
  }
  if ((d->base & needed) != needed) {
    *error = Errno::NotCapable;
    return nullptr;
  }
  return d;
}

Errno sock_accept(lunatic_instance* self, uint32_t fd, uint32_t flags, uint32_t fd_out) {
  Errno e;
  Descriptor* listener = socketOf(self, fd, right::SockAccept, &e);
  if (!listener) return e;
  if (flags & ~fdflag::Nonblock) return Errno::Inval;
  if (!Guest(self).at(fd_out, 4)) return Errno::Fault;
  if (wouldBlock(*listener, POLLIN)) return Errno::Again;
  int connection = io::accept(listener->fd(), nullptr, nullptr);
  if (connection < 0) return fromHostResult(connection);
  Descriptor d;
  d.host = HostFd::owned(connection);
  d.type = filetypeOf(S_IFSOCK, connection);
  d.base = applicableRights(d.type, connection);
  d.flags = flags;
  uint32_t new_fd;
  if ((e = Context::of(self).add(std::move(d), &new_fd)) != Errno::Success) return e;
  Guest(self).store32(fd_out, new_fd);
  return Errno::Success;
}

Errno sock_recv(lunatic_instance* self, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t ri_flags,
                uint32_t length_out, uint32_t flags_out) {
  Errno e;
  Descriptor* d = socketOf(self, fd, right::FdRead, &e);
  if (!d) return e;
  if (ri_flags & ~(riflag::RecvPeek | riflag::RecvWaitall)) return Errno::Inval;
  Guest guest(self);
  HostIovecs buffers;
  if ((e = hostIovecs(guest, iovs, count, &buffers)) != Errno::Success) return e;
  if (!guest.at(length_out, 4) || !guest.at(flags_out, 2)) return Errno::Fault;
  if (wouldBlock(*d, POLLIN)) return Errno::Again;
  int host_flags = ((ri_flags & riflag::RecvPeek) ? MSG_PEEK : 0) | ((ri_flags & riflag::RecvWaitall) ? MSG_WAITALL : 0);
  int message_flags = 0;
  int64_t n = io::recv(d->fd(), buffers, host_flags, &message_flags);
  if (n < 0) return fromHostResult(n);
  guest.store32(length_out, uint32_t(n));
  uint16_t ro_flags = (message_flags & MSG_TRUNC) ? kRoflagRecvDataTruncated : 0;
  guest.copyIn(flags_out, &ro_flags, 2);
  return Errno::Success;
}

Errno sock_send(lunatic_instance* self, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t si_flags,
                uint32_t length_out) {
  Errno e;
  Descriptor* d = socketOf(self, fd, right::FdWrite, &e);
  if (!d) return e;
  if (si_flags != 0) return Errno::Inval;  // no flags are defined
  Guest guest(self);
  HostIovecs buffers;
  if ((e = hostIovecs(guest, iovs, count, &buffers)) != Errno::Success) return e;
  if (!guest.at(length_out, 4)) return Errno::Fault;
  if (wouldBlock(*d, POLLOUT)) return Errno::Again;
  int64_t n = io::send(d->fd(), buffers, 0);
  if (n < 0) return fromHostResult(n);
  guest.store32(length_out, uint32_t(n));
  return Errno::Success;
}

Errno sock_shutdown(lunatic_instance* self, uint32_t fd, uint32_t how) {
  Errno e;
  Descriptor* d = socketOf(self, fd, right::SockShutdown, &e);
  if (!d) return e;
  static constexpr int host_how[] = {-1, SHUT_RD, SHUT_WR, SHUT_RDWR};
  if (how == 0 || how > (sdflag::Rd | sdflag::Wr)) return Errno::Inval;
  return shutdown(d->fd(), host_how[how]) == 0 ? Errno::Success : fromHostErrno(errno);
}

}  // namespace

}  // namespace lunatic::rt::wasi

LUNATIC_HOST_CODE(wasi_snapshot_preview1, sock_accept, wasi::sock_accept);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, sock_recv, wasi::sock_recv);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, sock_send, wasi::sock_send);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, sock_shutdown, wasi::sock_shutdown);
