// A process's WASI state: its table of file descriptors. Descriptors 0-2 are the host's
// stdio (shared by every process, never closed by one) or, if its config says so, streams in
// memory (memory_stdio.h), 3, 4, ... the directories its config grants, in the config's
// order (the grants' own descriptors, shared with every process that holds them: runtime/process/wasi_config.h),
// and then what it opens itself, each at the lowest free number.
//
// The context is made by the first WASI call that needs a descriptor, so spawning stays
// free of system calls (and making the context opens nothing: the grants are open already),
// and destroyed, closing every descriptor the process still holds, when the process ends
// (ProcessResources in process/process.h; ModuleImage::dismantle).
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

#include "runtime/process/wasi_config.h"
#include "runtime/io/host_fd.h"
#include "runtime/io/io.h"
#include "lunatic/abi.h"
#include "runtime/io/memory_stdio.h"
#include "runtime/process/process.h"
#include "wasi/types.h"

namespace lunatic::rt::wasi {

struct Descriptor {
  HostFd host;
  // For a granted directory: the grant, shared with every process that holds it (runtime/process/wasi_config.h),
  // which owns `host` as long as `host` borrows it (fd_readdir gives the descriptor one of
  // the process's own).
  GrantedDirectory grant;
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
