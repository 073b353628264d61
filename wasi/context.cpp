// A process's WASI descriptor table (context.h).
#include "wasi/context.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "wasi/errno_table.h"
#include "runtime/process/host_failure.h"
#include "runtime/process/process.h"

namespace lunatic::rt::wasi {

namespace {

constexpr Rights kPathRights =
    right::PathCreateDirectory | right::PathCreateFile | right::PathLinkSource | right::PathLinkTarget |
    right::PathOpen | right::PathReadlink | right::PathRenameSource | right::PathRenameTarget |
    right::PathFilestatGet | right::PathFilestatSetSize | right::PathFilestatSetTimes | right::PathSymlink |
    right::PathRemoveDirectory | right::PathUnlinkFile;
constexpr Rights kStreamRights =
    right::FdRead | right::FdWrite | right::FdFdstatSetFlags | right::FdFilestatGet | right::PollFdReadwrite;
constexpr Rights kFileRights = right::All & ~kPathRights & ~right::FdReaddir & ~right::SockShutdown & ~right::SockAccept;

// Host stdio descriptor `fd` as the guest's descriptor of the same number, or null if the
// executable was started with it closed. Stdin may only be read, stdout and stderr only
// written, and none changes the file behind it (size, times, allocation): that belongs to
// whoever started the executable.
std::unique_ptr<Descriptor> stdioDescriptor(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return nullptr;
  auto d = std::make_unique<Descriptor>();
  d->host = HostFd::borrowed(fd);
  d->type = filetypeOf(st.st_mode, fd);
  d->target = io::targetOf(st.st_mode, st.st_rdev);
  constexpr Rights kChangesTheFile = right::FdFilestatSetSize | right::FdFilestatSetTimes | right::FdAllocate;
  d->base = applicableRights(d->type, fd) & ~kChangesTheFile & ~(fd == 0 ? right::FdWrite : right::FdRead);
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0 && (flags & O_APPEND)) d->flags |= fdflag::Append;
  return d;
}

// Descriptor `fd` (0-2) of a process whose stdio is in memory: like a pipe to the guest, one
// that only reads (stdin) or only writes, and sharing ownership of the streams.
std::unique_ptr<Descriptor> memoryStdioDescriptor(const std::shared_ptr<MemoryStdio>& stdio, int fd) {
  auto d = std::make_unique<Descriptor>();
  MemoryStream* stream = &stdio->stream(fd);
  d->memory = std::shared_ptr<MemoryStream>(stdio, stream);
  d->host = HostFd::borrowed(-1);
  d->type = Filetype::Unknown;
  d->base = (fd == 0 ? right::FdRead : right::FdWrite) | right::FdFdstatSetFlags;
  return d;
}

// A granted directory: the grant's own descriptor, borrowed (runtime/process/wasi_config.h), so making a
// process's table opens nothing. A read-only grant gives no write rights, neither to the
// directory nor to what is opened through it.
std::unique_ptr<Descriptor> preopenDescriptor(const PreopenDir& dir) {
  auto d = std::make_unique<Descriptor>();
  d->grant = dir.directory;
  d->host = HostFd::borrowed(dir.directory->get());
  d->type = Filetype::Directory;
  Rights allowed = dir.read_only ? right::All & ~right::Writing : right::All;
  d->base = applicableRights(Filetype::Directory, d->fd()) & allowed;
  d->inheriting = allowed;
  d->preopened = true;
  d->preopen_name = dir.guest_path;
  return d;
}

}  // namespace

Rights applicableRights(Filetype type, int fd) {
  switch (type) {
    case Filetype::Directory:
      return kPathRights | right::FdReaddir | right::FdFdstatSetFlags | right::FdSync | right::FdDatasync |
             right::FdFilestatGet | right::FdFilestatSetTimes;
    case Filetype::RegularFile:
    case Filetype::BlockDevice:
      return kFileRights;
    case Filetype::SocketStream:
    case Filetype::SocketDgram:
      return kStreamRights | right::SockShutdown | right::SockAccept;
    case Filetype::CharacterDevice:
      // wasi-libc's isatty() is "a character device that cannot seek": only a terminal may
      // lack the seek rights, or /dev/null would pass for one.
      if (!isatty(fd)) return kFileRights;
      [[fallthrough]];
    default:  // terminals, pipes and whatever else cannot seek
      return kStreamRights | right::FdFilestatSetTimes;
  }
}

Filetype filetypeOf(uint32_t st_mode, int fd) {
  switch (st_mode & S_IFMT) {
    case S_IFREG: return Filetype::RegularFile;
    case S_IFDIR: return Filetype::Directory;
    case S_IFCHR: return Filetype::CharacterDevice;
    case S_IFBLK: return Filetype::BlockDevice;
    case S_IFLNK: return Filetype::SymbolicLink;
    case S_IFSOCK: {
      int type = 0;
      socklen_t length = sizeof type;
      if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_DGRAM)
        return Filetype::SocketDgram;
      return Filetype::SocketStream;
    }
    default: return Filetype::Unknown;  // FIFOs: WASI has no type for them
  }
}

Context::Context(const WasiConfig& config) {
  for (int fd = 0; fd <= 2; ++fd) {
    table_.push_back(config.memory_stdio ? memoryStdioDescriptor(config.memory_stdio, fd) : stdioDescriptor(fd));
  }
  for (const PreopenDir& dir : config.directories) table_.push_back(preopenDescriptor(dir));
  open_ = size_t(std::count_if(table_.begin(), table_.end(), [](const auto& d) { return d != nullptr; }));
}

namespace {
// WASI is for processes: an instance outside one (an embedding's) has no view to use.
Process& callerOf(lunatic_instance* instance) {
  Process* p = Process::of(instance);
  if (!p) fail(instance, "wasi_snapshot_preview1", "called outside a process");
  return *p;
}
}  // namespace

Context& Context::of(lunatic_instance* instance) {
  auto& context = callerOf(instance).ownResources().wasi_context;
  if (!context) context.reset(std::make_unique<Context>(configOf(instance)).release());
  return *context;
}

const WasiConfig& configOf(lunatic_instance* instance) { return *callerOf(instance).capabilities.wasi; }

bool wouldBlock(const Descriptor& d, short events) {
  if (!(d.flags & fdflag::Nonblock)) return false;
  pollfd p{d.fd(), events, 0};
  return retryingSyscall([&] { return ::poll(&p, 1, 0); }) == 0;  // a zero timeout never waits
}

Descriptor* Context::get(uint32_t fd, Rights needed, Errno* error) {
  Descriptor* d = fd < table_.size() ? table_[fd].get() : nullptr;
  if (!d) {
    *error = Errno::Badf;
    return nullptr;
  }
  if ((d->base & needed) != needed) {
    *error = Errno::NotCapable;
    return nullptr;
  }
  *error = Errno::Success;
  return d;
}

Errno Context::add(Descriptor d, uint32_t* fd) {
  if (open_ >= kMaxDescriptors) return Errno::Mfile;
  size_t free = 0;
  while (free < table_.size() && table_[free]) ++free;
  if (free == table_.size()) table_.emplace_back();
  table_[free] = std::make_unique<Descriptor>(std::move(d));
  ++open_;
  *fd = uint32_t(free);
  return Errno::Success;
}

Errno Context::close(uint32_t fd) {
  if (fd >= table_.size() || !table_[fd]) return Errno::Badf;
  table_[fd].reset();
  --open_;
  dropFreeTail();
  return Errno::Success;
}

Errno Context::renumber(uint32_t from, uint32_t to) {
  if (from >= table_.size() || !table_[from] || to >= table_.size() || !table_[to]) return Errno::Badf;
  if (from == to) return Errno::Success;
  table_[to] = std::move(table_[from]);  // closes what `to` held
  --open_;
  dropFreeTail();
  return Errno::Success;
}

void Context::dropFreeTail() {
  while (!table_.empty() && !table_.back()) table_.pop_back();
}

void ContextDeleter::operator()(Context* context) const { std::unique_ptr<Context> owned(context); }

}  // namespace lunatic::rt::wasi
