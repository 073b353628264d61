// Blocking-style I/O for host functions: each call parks the calling process (never its
// worker thread) until the operation completes, while the worker runs other processes.
//
// Call these only on a process's own stack (from a host function a guest called). Each
// first tries the operation without blocking, which costs one system call when data or
// buffer space is there; only if it would block does the process park on its worker's I/O
// engine (io_uring, or epoll with a thread pool for regular files: engine.h).
//
// Results follow the kernel's convention: >= 0 on success, -errno on failure. A process
// killed while it waits is woken only once the kernel no longer uses its buffers (the
// operation is cancelled first), so a dying process never lets the kernel write into a
// memory that has gone back to the pool.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <functional>
#include <span>

namespace lunatic::rt::io {

// What a caller knows of a descriptor. Writes to a regular file only fill the page cache,
// so they are made directly, as every native program makes them (most file systems cannot
// say in advance whether a buffered write would wait); reads still park if the data is not
// cached. A device that never waits (/dev/null, /dev/zero, /dev/urandom) is read and
// written directly. Without a hint, a descriptor is tried without blocking and waited for.
enum class Target : uint8_t { Unknown, RegularFile, NeverWaits };

// The hint for a descriptor of this st_mode and st_rdev (from fstat).
Target targetOf(unsigned st_mode, unsigned long st_rdev);

// Reads into / writes from `iov`. `offset` < 0 uses and moves the descriptor's position
// (read/write/readv/writev); otherwise it is pread/pwrite at `offset`.
int64_t read(int fd, std::span<const iovec> iov, int64_t offset = -1, Target target = Target::Unknown);
int64_t write(int fd, std::span<const iovec> iov, int64_t offset = -1, Target target = Target::Unknown);

// The socket calls below take an optional deadline (steady-clock nanoseconds as
// nowNanoseconds(); 0: none): a wait still going on when it passes ends with -ETIMEDOUT
// (a socket's read, write and connect timeouts).

// sendmsg/recvmsg on a socket; `flags` are MSG_* flags (MSG_PEEK, MSG_WAITALL, ...).
// recv stores the message's flags (MSG_TRUNC, ...) in *out_flags if given. send_to, if
// given, addresses the datagram (sendto); recv_from, if given, receives the sender's
// address (recvfrom: *from_length is its size on entry, the address's length on return).
int64_t recv(int fd, std::span<const iovec> iov, int flags, int* out_flags = nullptr, uint64_t deadline_ns = 0,
             sockaddr* recv_from = nullptr, socklen_t* from_length = nullptr);
int64_t send(int fd, std::span<const iovec> iov, int flags, uint64_t deadline_ns = 0,
             const sockaddr* send_to = nullptr, socklen_t to_length = 0);

// A receive into `into` made by the engine at once, without the try that recv makes first:
// for a caller that has just run out of bytes it had received (a TLS stream's input), to whom
// that try would mostly cost a system call that says EAGAIN. On io_uring the data comes with
// the wake-up. Bytes, 0 when the peer closed, -errno, or -ETIMEDOUT once the deadline (0:
// none) passed. Unlike every other call here, it returns to a process killed while it waited
// (then with what landed, or -ETIMEDOUT): the caller accounts for bytes that landed in memory
// others share, then calls endIfKilled (waiter.h).
int64_t receiveOnEngine(int fd, iovec into, uint64_t deadline_ns);

// accept4 and connect on a socket: park until a connection arrives or the connection is
// made (or fails). accept returns the new descriptor (made O_NONBLOCK and O_CLOEXEC).
int accept(int fd, sockaddr* address, socklen_t* length, uint64_t deadline_ns = 0);
int connect(int fd, const sockaddr* address, socklen_t length, uint64_t deadline_ns = 0);

// Waits until at least one descriptor is ready for its `events` (POLLIN, POLLOUT) or the
// deadline passes (steady-clock nanoseconds as nowNanoseconds(); 0: no deadline). Fills in
// each `revents` and returns how many are ready: 0 on timeout.
struct Interest {
  int fd;
  short events;
  short revents;
};
int poll(std::span<Interest> interests, uint64_t deadline_ns);

// Waits until `fd` is ready for `events` (or in error, or hung up); false if the deadline
// (0: none) passed first. For a caller whose non-blocking attempt just said EAGAIN (a TLS
// library's read or write): it goes straight to the engine, since asking poll(2) first
// would cost a system call to learn the same.
bool waitReady(int fd, short events, uint64_t deadline_ns = 0);

// Runs a system call that may block for long (fsync, fallocate, a slow open on a network
// file system) on a helper thread while the process is parked; returns its result.
int64_t offload(const std::function<int64_t()>& call);

}  // namespace lunatic::rt::io
