// A process's WASI state: its table of file descriptors. Descriptors 0-2 are the host's
// stdio (shared by every process, never closed by one) or, if its config says so, streams in
// memory (memory_stdio.h), 3, 4, ... the directories its config
// grants, in the config's order, and then what it opens itself, each at the lowest free
// number.
//
// The context is made by the first WASI call that needs a descriptor, so spawning stays
// free of system calls for the many processes that never use WASI, and destroyed, closing
// every descriptor the process still holds, when the process ends (ProcessResources in
// process/process.h; ModuleImage::dismantle).
//
// A process holds at most kMaxDescriptors at once (Mfile beyond), as a native program's
// default limit: the host's descriptors are shared by every process of the executable, and
// one process must not be able to take them all.
//
// A process only ever runs on one thread at a time and only it touches its context: no lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "io/io.h"
#include "lunatic/abi.h"
#include "memory_stdio.h"
#include "process/process.h"
#include "types.h"

namespace lunatic::rt::wasi {

// A host file descriptor, closed when it goes unless borrowed (stdio).
class HostFd {
 public:
  HostFd() = default;
  static HostFd owned(int fd) { return HostFd(fd, true); }
  static HostFd borrowed(int fd) { return HostFd(fd, false); }
  HostFd(HostFd&& other) noexcept : fd_(other.fd_), owned_(other.owned_) { other.fd_ = -1; }
  HostFd& operator=(HostFd&& other) noexcept;
  HostFd(const HostFd&) = delete;
  HostFd& operator=(const HostFd&) = delete;
  ~HostFd();
  int get() const { return fd_; }
  bool isOwned() const { return owned_; }

 private:
  HostFd(int fd, bool owned) : fd_(fd), owned_(owned) {}
  int fd_ = -1;
  bool owned_ = false;
};

struct Descriptor {
  HostFd host;
  Filetype type = Filetype::Unknown;
  Rights base = 0;        // what may be done with this descriptor
  Rights inheriting = 0;  // what descriptors opened through it may be given
  // fdflags as the guest last set them. Nonblock lives only here, never on the host
  // descriptor (stdio is shared with every process): reads and writes honour it (fd.cpp).
  uint32_t flags = 0;
  io::Target target = io::Target::Unknown;  // how io.h may read and write it (io::targetOf)
  bool preopened = false;
  std::string preopen_name;  // what fd_prestat_dir_name tells the guest
  // fd_readdir's cookies count entries from the start of the directory (wasi-libc keeps
  // them in a 32-bit long: Linux's own positions do not fit). The host positions behind the
  // cookies the last call handed out let the next one resume without reading from the start.
  std::vector<std::pair<uint64_t, int64_t>> listing_positions;
  // Set for stdio held in memory (memory_stdio.h), which has no host descriptor: reads and
  // writes go to the stream instead, and never wait.
  std::shared_ptr<MemoryStream> memory;
  int fd() const { return host.get(); }
};

// Whether an operation that waits for `events` (POLLIN, POLLOUT) on `d` must answer Again
// instead: the guest made `d` non-blocking and the host descriptor is not ready.
bool wouldBlock(const Descriptor& d, short events);

// The rights that mean something for host descriptor `fd` of this type. A descriptor never
// holds more: path_open drops the others, as the specification allows.
Rights applicableRights(Filetype type, int fd);

// The WASI file type of a host file (st_mode of stat), or of socket `fd` if it is one.
Filetype filetypeOf(uint32_t st_mode, int fd);

inline constexpr size_t kMaxDescriptors = 1024;

class Context {
 public:
  // The calling process's context, made on first use. WASI is for processes: called from an
  // instance outside any (an embedding), this traps.
  static Context& of(lunatic_instance* instance);
  explicit Context(const WasiConfig& config);

  // The descriptor `fd` if it holds every right in `needed`: else Badf (no such
  // descriptor) or NotCapable, and null.
  Descriptor* get(uint32_t fd, Rights needed, Errno* error);
  // Puts `d` at the lowest free number, stored in *fd.
  Errno add(Descriptor d, uint32_t* fd);
  Errno close(uint32_t fd);
  // Moves `from` onto `to`, closing what `to` held; both must be open.
  Errno renumber(uint32_t from, uint32_t to);

 private:
  void dropFreeTail();  // keeps the table no longer than its highest open number
  std::vector<std::unique_ptr<Descriptor>> table_;  // by number; null: free
  size_t open_ = 0;  // how many of table_ are not null
};

// The WASI view of the calling process: its config's arguments, environment and
// directories. Traps outside a process, as Context::of.
const WasiConfig& configOf(lunatic_instance* instance);

}  // namespace lunatic::rt::wasi
