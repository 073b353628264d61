// WASI functions on paths: open, stat, set times, mkdir, rmdir, unlink, rename, link,
// symlink and readlink. Every path is resolved by sandbox.h, beneath the directory
// descriptor it is relative to; see there for what is refused and with which errno.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "wasi/context.h"
#include "wasi/errno_table.h"
#include "runtime/io/io.h"
#include "wasi/marshal.h"
#include "wasi/sandbox.h"

namespace lunatic::rt::wasi {
namespace {

using sandbox::Entry;

// The directory descriptor `fd` (with `needed` rights) and the guest path [path, +length).
struct PathArgument {
  Descriptor* dir = nullptr;
  std::string_view path;
};

Errno pathArgument(lunatic_instance* self, uint32_t fd, Rights needed, uint32_t path, uint32_t length,
                   PathArgument* out) {
  Errno e;
  out->dir = Context::of(self).get(fd, needed, &e);
  if (!out->dir) return e;
  return guestString(Guest(self), path, length, &out->path);
}

// Resolves `path` beneath `fd` to an O_PATH descriptor of the file itself (or of the
// symlink, unless `lookup_flags` asks to follow it).
Errno openFile(lunatic_instance* self, uint32_t fd, Rights needed, uint32_t lookup_flags, uint32_t path,
               uint32_t length, HostFd* out) {
  if (lookup_flags & ~lookupflag::SymlinkFollow) return Errno::Inval;
  PathArgument a;
  if (Errno e = pathArgument(self, fd, needed, path, length, &a); e != Errno::Success) return e;
  uint64_t flags = O_PATH | ((lookup_flags & lookupflag::SymlinkFollow) ? 0 : O_NOFOLLOW);
  return sandbox::openBeneath(a.dir->fd(), a.path, flags, 0, out);
}

// As openFile, for the name in a directory that mkdir, unlink, rename and friends act on.
Errno openEntry(lunatic_instance* self, uint32_t fd, Rights needed, uint32_t path, uint32_t length, Errno dot_error,
                Entry* out) {
  PathArgument a;
  if (Errno e = pathArgument(self, fd, needed, path, length, &a); e != Errno::Success) return e;
  return sandbox::openParent(a.dir->fd(), a.path, dot_error, out);
}

// A path that ends in "/" names a directory. The entry's name has lost the slash, so the
// calls that would have checked it need this: Success if it is a directory (never following
// a symlink), else NotDir or why it cannot be looked at.
Errno requireDirectory(const Entry& entry) {
  struct stat st;
  if (fstatat(entry.parent.get(), entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return fromHostErrno(errno);
  return S_ISDIR(st.st_mode) ? Errno::Success : Errno::NotDir;
}

// What Linux answers when a new name (of a link or symlink) ends in "/".
Errno newNameWithSlash(const Entry& entry) {
  return requireDirectory(entry) == Errno::NoEnt ? Errno::NoEnt : Errno::Exist;
}

Errno fromSyscall(int result) { return result == 0 ? Errno::Success : fromHostErrno(errno); }

// path_open's first try, for the many opens the kernel can do at once: the path is in its
// caches (RESOLVE_CACHED) and names a regular file or a directory, whose open does not wait.
// Anything else (a FIFO waits for its other end, a device may wait, and opening either is
// seen by others, so not even a trial open is allowed) is looked at through an O_PATH
// descriptor only, and Again sends the open the slow way, as it does when the lookup needs
// the disk or the open creates or truncates (RESOLVE_CACHED never does).
Errno openWithoutWaiting(int dir, std::string_view path, uint64_t flags, HostFd* file, struct stat* st) {
  if (flags & (O_CREAT | O_TRUNC)) return Errno::Again;
  HostFd probe;
  Errno e = sandbox::openBeneath(dir, path, O_PATH | (flags & (O_NOFOLLOW | O_DIRECTORY)), 0, &probe, true);
  if (e != Errno::Success) return e;
  if (fstat(probe.get(), st) != 0) return fromHostErrno(errno);
  if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) return Errno::Again;
  // O_NONBLOCK: should a FIFO take the file's place meanwhile, its open still cannot wait.
  e = sandbox::openBeneath(dir, path, flags | O_NONBLOCK, 0, file, true);
  if (e == Errno::Success && fstat(file->get(), st) != 0) return fromHostErrno(errno);
  return e;
}

Errno path_open(lunatic_instance* self, uint32_t fd, uint32_t lookup_flags, uint32_t path, uint32_t path_len,
                uint32_t oflags, uint64_t base, uint64_t inheriting, uint32_t fdflags, uint32_t fd_out) {
  if ((lookup_flags & ~lookupflag::SymlinkFollow) || (oflags & ~oflag::All) || (fdflags & ~fdflag::All))
    return Errno::Inval;
  Rights needed = right::PathOpen | ((oflags & oflag::Creat) ? right::PathCreateFile : 0) |
                  ((oflags & oflag::Trunc) ? right::PathFilestatSetSize : 0);
  PathArgument a;
  if (Errno e = pathArgument(self, fd, needed, path, path_len, &a); e != Errno::Success) return e;
  // A descriptor hands on at most what it may hand on: the rights asked for are narrowed to
  // those (the specification lets a runtime give fewer than asked), but not silently the
  // right to write, which the caller would only miss later, at its first write.
  if (base & right::OpenForWriting & ~a.dir->inheriting) return Errno::NotCapable;
  base &= a.dir->inheriting;
  inheriting &= a.dir->inheriting;
  if (!Guest(self).at(fd_out, 4)) return Errno::Fault;

  // Only the rights that need it open the host file for writing: a directory's own rights
  // (fd_datasync, fd_sync among them), asked for again to open one, open it for reading, as
  // wasmtime does (asking to write a directory is IsDir, as on Linux).
  bool read = base & (right::FdRead | right::FdReaddir);
  bool write = base & right::OpenForWriting;
  uint64_t flags = (read && write) ? O_RDWR : write ? O_WRONLY : O_RDONLY;
  flags |= O_NOCTTY;
  if (!(lookup_flags & lookupflag::SymlinkFollow)) flags |= O_NOFOLLOW;
  if (oflags & oflag::Creat) flags |= O_CREAT;
  if (oflags & oflag::Directory) flags |= O_DIRECTORY;
  if (oflags & oflag::Excl) flags |= O_EXCL;
  if (oflags & oflag::Trunc) flags |= O_TRUNC;
  if (fdflags & fdflag::Append) flags |= O_APPEND;
  if (fdflags & fdflag::Dsync) flags |= O_DSYNC;
  if (fdflags & fdflag::Rsync) flags |= O_RSYNC;
  if (fdflags & fdflag::Sync) flags |= O_SYNC;
  // Only the open itself honours Nonblock on the host (a FIFO's other end need not be
  // there); afterwards the flag lives in the descriptor alone (fd.cpp).
  if (fdflags & fdflag::Nonblock) flags |= O_NONBLOCK;

  HostFd file;
  struct stat st;
  Errno opened = openWithoutWaiting(a.dir->fd(), a.path, flags, &file, &st);
  if (opened == Errno::Again) {
    // Opening can wait (a FIFO's other end, a disk, a network file system): on a helper thread.
    int dir = a.dir->fd();
    io::offload([&] {
      opened = sandbox::openBeneath(dir, a.path, flags, 0666, &file);
      return int64_t(0);
    });
    if (opened == Errno::Success && fstat(file.get(), &st) != 0) opened = fromHostErrno(errno);
  }
  if (opened != Errno::Success) return opened;
  int host_flags = fcntl(file.get(), F_GETFL);
  if ((host_flags & O_NONBLOCK) && fcntl(file.get(), F_SETFL, host_flags & ~O_NONBLOCK) < 0) return fromHostErrno(errno);

  Descriptor d;
  d.type = filetypeOf(st.st_mode, file.get());
  d.target = io::targetOf(st.st_mode, st.st_rdev);
  d.base = base & applicableRights(d.type, file.get());
  d.inheriting = inheriting;
  d.flags = fdflags;
  d.host = std::move(file);
  uint32_t new_fd;
  if (Errno e = Context::of(self).add(std::move(d), &new_fd); e != Errno::Success) return e;
  Guest(self).store32(fd_out, new_fd);
  return Errno::Success;
}

Errno path_filestat_get(lunatic_instance* self, uint32_t fd, uint32_t lookup_flags, uint32_t path, uint32_t path_len,
                        uint32_t stat_out) {
  HostFd file;
  Errno e = openFile(self, fd, right::PathFilestatGet, lookup_flags, path, path_len, &file);
  if (e != Errno::Success) return e;
  struct stat st;
  if (fstat(file.get(), &st) != 0) return fromHostErrno(errno);
  return storeFilestat(Guest(self), stat_out, st, file.get());
}

Errno path_filestat_set_times(lunatic_instance* self, uint32_t fd, uint32_t lookup_flags, uint32_t path,
                              uint32_t path_len, uint64_t atim, uint64_t mtim, uint32_t fst_flags) {
  timespec times[2];
  if (Errno e = hostTimes(atim, mtim, fst_flags, times); e != Errno::Success) return e;
  HostFd file;
  Errno e = openFile(self, fd, right::PathFilestatSetTimes, lookup_flags, path, path_len, &file);
  if (e != Errno::Success) return e;
  // The empty path with AT_EMPTY_PATH acts on the O_PATH descriptor's own file (or link).
  return fromSyscall(utimensat(file.get(), "", times, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
}

Errno path_readlink(lunatic_instance* self, uint32_t fd, uint32_t path, uint32_t path_len, uint32_t buffer,
                    uint32_t buffer_len, uint32_t used_out) {
  Guest guest(self);
  char* out = reinterpret_cast<char*>(guest.at(buffer, buffer_len));
  if (!out || !guest.at(used_out, 4)) return Errno::Fault;
  HostFd link;
  Errno e = openFile(self, fd, right::PathReadlink, 0, path, path_len, &link);
  if (e != Errno::Success) return e;
  // The link's contents, cut short if the buffer is (as readlink does).
  ssize_t n = readlinkat(link.get(), "", out, buffer_len);
  if (n < 0) {
    // Linux says ENOENT when the descriptor is not a symlink; POSIX readlink says EINVAL.
    struct stat st;
    if (errno == ENOENT && fstat(link.get(), &st) == 0 && !S_ISLNK(st.st_mode)) return Errno::Inval;
    return fromHostErrno(errno);
  }
  guest.store32(used_out, uint32_t(n));
  return Errno::Success;
}

Errno path_create_directory(lunatic_instance* self, uint32_t fd, uint32_t path, uint32_t path_len) {
  Entry entry;
  Errno e = openEntry(self, fd, right::PathCreateDirectory, path, path_len, Errno::Exist, &entry);
  if (e != Errno::Success) return e;
  return fromSyscall(mkdirat(entry.parent.get(), entry.name.c_str(), 0777));
}

Errno path_remove_directory(lunatic_instance* self, uint32_t fd, uint32_t path, uint32_t path_len) {
  Entry entry;
  Errno e = openEntry(self, fd, right::PathRemoveDirectory, path, path_len, Errno::Inval, &entry);
  if (e != Errno::Success) return e;
  return fromSyscall(unlinkat(entry.parent.get(), entry.name.c_str(), AT_REMOVEDIR));
}

Errno path_unlink_file(lunatic_instance* self, uint32_t fd, uint32_t path, uint32_t path_len) {
  Entry entry;
  Errno e = openEntry(self, fd, right::PathUnlinkFile, path, path_len, Errno::IsDir, &entry);
  if (e != Errno::Success) return e;
  if (entry.trailing_slash) {  // "name/" is a directory, which unlink does not remove
    e = requireDirectory(entry);
    return e == Errno::Success ? Errno::IsDir : e;
  }
  return fromSyscall(unlinkat(entry.parent.get(), entry.name.c_str(), 0));
}

// Each side is resolved beneath its own directory descriptor, so a file can move between
// two granted directories but never to or from anywhere else.
Errno path_rename(lunatic_instance* self, uint32_t fd, uint32_t old_path, uint32_t old_len, uint32_t new_fd,
                  uint32_t new_path, uint32_t new_len) {
  Entry from, to;
  Errno e = openEntry(self, fd, right::PathRenameSource, old_path, old_len, Errno::Busy, &from);
  if (e == Errno::Success) e = openEntry(self, new_fd, right::PathRenameTarget, new_path, new_len, Errno::Busy, &to);
  if (e != Errno::Success) return e;
  if ((from.trailing_slash || to.trailing_slash) && (e = requireDirectory(from)) != Errno::Success) return e;
  return fromSyscall(renameat(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str()));
}

// Both ends are resolved beneath their directories, so a hard link can only ever be made to
// a file the process could already reach.
Errno path_link(lunatic_instance* self, uint32_t old_fd, uint32_t old_flags, uint32_t old_path, uint32_t old_len,
                uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  if (old_flags & ~lookupflag::SymlinkFollow) return Errno::Inval;
  Entry to;
  Errno e = openEntry(self, new_fd, right::PathLinkTarget, new_path, new_len, Errno::Exist, &to);
  if (e != Errno::Success) return e;
  if (to.trailing_slash) return newNameWithSlash(to);
  if (old_flags & lookupflag::SymlinkFollow) {
    // The file a symlink leads to, found beneath the directory, then linked by descriptor:
    // linkat(AT_EMPTY_PATH) where the kernel allows it, else through its /proc link, which
    // names exactly the file the descriptor holds.
    HostFd file;
    if ((e = openFile(self, old_fd, right::PathLinkSource, lookupflag::SymlinkFollow, old_path, old_len, &file)) !=
        Errno::Success)
      return e;
    if (linkat(file.get(), "", to.parent.get(), to.name.c_str(), AT_EMPTY_PATH) == 0) return Errno::Success;
    const int refused = errno;
    if (refused != ENOENT && refused != EPERM) return fromHostErrno(refused);
    std::string proc_link = "/proc/self/fd/" + std::to_string(file.get());
    if (linkat(AT_FDCWD, proc_link.c_str(), to.parent.get(), to.name.c_str(), AT_SYMLINK_FOLLOW) == 0)
      return Errno::Success;
    // No /proc (an empty root): the first refusal is the answer, not the missing link's ENOENT.
    if (errno == ENOENT && access("/proc/self/fd", F_OK) != 0) return fromHostErrno(refused);
    return fromHostErrno(errno);
  }
  Entry from;
  if ((e = openEntry(self, old_fd, right::PathLinkSource, old_path, old_len, Errno::Perm, &from)) != Errno::Success)
    return e;
  if (from.trailing_slash) {  // a directory, which cannot be hard-linked
    e = requireDirectory(from);
    return e == Errno::Success ? Errno::Perm : e;
  }
  return fromSyscall(linkat(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str(), 0));
}

// The link's contents are the guest's to choose, but not an absolute path: the sandbox
// never follows one, and host programs that later do would be led to the host's files.
Errno path_symlink(lunatic_instance* self, uint32_t target, uint32_t target_len, uint32_t fd, uint32_t new_path,
                   uint32_t new_len) {
  std::string_view contents;
  if (Errno e = guestString(Guest(self), target, target_len, &contents); e != Errno::Success) return e;
  if (contents.empty()) return Errno::NoEnt;
  if (contents.find('\0') != std::string_view::npos) return Errno::Inval;
  if (contents.front() == '/') return Errno::NotCapable;
  std::string terminated(contents);
  Entry entry;
  Errno e = openEntry(self, fd, right::PathSymlink, new_path, new_len, Errno::Exist, &entry);
  if (e != Errno::Success) return e;
  if (entry.trailing_slash) return newNameWithSlash(entry);
  return fromSyscall(symlinkat(terminated.c_str(), entry.parent.get(), entry.name.c_str()));
}

}  // namespace

}  // namespace lunatic::rt::wasi

LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_open, wasi::path_open);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_filestat_get, wasi::path_filestat_get);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_filestat_set_times, wasi::path_filestat_set_times);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_readlink, wasi::path_readlink);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_create_directory, wasi::path_create_directory);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_remove_directory, wasi::path_remove_directory);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_unlink_file, wasi::path_unlink_file);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_rename, wasi::path_rename);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_link, wasi::path_link);
LUNATIC_HOST_CODE(wasi_snapshot_preview1, path_symlink, wasi::path_symlink);
