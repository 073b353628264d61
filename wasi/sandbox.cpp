// The filesystem sandbox (sandbox.h). Keep it small: this is what stands between a guest
// and every file of the host.
#include "wasi/sandbox.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "wasi/errno_table.h"

namespace lunatic::rt::wasi::sandbox {
namespace {

// Refuses what must never reach a system call: a NUL byte would cut the path short behind
// our back, and an absolute path names something outside every directory.
Errno checkGuestPath(std::string_view path) {
  if (path.empty()) return Errno::NoEnt;
  if (path.find('\0') != std::string_view::npos) return Errno::Inval;
  if (path.front() == '/') return Errno::NotCapable;
  if (path.size() >= PATH_MAX) return Errno::NameTooLong;
  return Errno::Success;
}

// RESOLVE_BENEATH gives up with EAGAIN when a concurrent rename elsewhere keeps it from
// being sure a ".." stayed inside; it is safe to ask again.
constexpr int kResolveAttempts = 16;

}  // namespace

Errno openBeneath(int dir, std::string_view path, uint64_t flags, uint32_t mode, HostFd* out, bool cached_only) {
  if (Errno e = checkGuestPath(path); e != Errno::Success) return e;
  std::string terminated(path);
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.mode = (flags & O_CREAT) ? mode : 0;  // openat2 refuses a mode without O_CREAT
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (cached_only ? RESOLVE_CACHED : 0);
  for (int attempt = 1;; ++attempt) {
    long fd = syscall(SYS_openat2, dir, terminated.c_str(), &how, sizeof how);
    if (fd >= 0) {
      *out = HostFd::owned(int(fd));
      return Errno::Success;
    }
    bool again = errno == EAGAIN && !cached_only;  // with RESOLVE_CACHED, EAGAIN is its answer
    if (errno == EINTR || (again && attempt < kResolveAttempts)) continue;
    // EXDEV is openat2's answer to every way out of the directory.
    return errno == EXDEV ? Errno::NotCapable : fromHostErrno(errno);
  }
}

Errno statBeneath(int dir, std::string_view path, bool follow, struct stat* out) {
  if (Errno e = checkGuestPath(path); e != Errno::Success) return e;
  if (path.size() <= NAME_MAX && path.find('/') == std::string_view::npos && path != "." && path != "..") {
    char name[NAME_MAX + 1];
    path.copy(name, path.size());
    name[path.size()] = '\0';
    if (fstatat(dir, name, out, AT_SYMLINK_NOFOLLOW) == 0) {
      if (!follow || !S_ISLNK(out->st_mode)) return Errno::Success;
    } else if (errno == ENOENT) {
      return Errno::NoEnt;
    }
    // A symlink to follow, or an error openat2 may answer otherwise: the whole way.
  }
  HostFd file;
  if (Errno e = openBeneath(dir, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, &file); e != Errno::Success) return e;
  return fstat(file.get(), out) == 0 ? Errno::Success : fromHostErrno(errno);
}

Errno openParent(int dir, std::string_view path, Errno dot_error, Entry* out) {
  if (Errno e = checkGuestPath(path); e != Errno::Success) return e;
  size_t end = path.size();
  while (path[end - 1] == '/') --end;  // stops at the first character, which is not '/'
  size_t slash = path.rfind('/', end - 1);
  size_t start = slash == std::string_view::npos ? 0 : slash + 1;
  std::string_view name = path.substr(start, end - start);
  std::string_view parent = slash == std::string_view::npos ? std::string_view(".") : path.substr(0, slash);
  if (name == "." || name == "..") {
    HostFd whole;
    Errno e = openBeneath(dir, path, O_PATH, 0, &whole);
    return e != Errno::Success ? e : dot_error;
  }
  out->name = name;
  out->trailing_slash = end != path.size();
  return openBeneath(dir, parent, O_PATH | O_DIRECTORY, 0, &out->parent);
}

}  // namespace lunatic::rt::wasi::sandbox
