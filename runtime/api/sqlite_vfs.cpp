// sqlite_vfs.h: the sandboxed VFS. SQLite's unix VFS does the work (its locking coordinates
// connections of one program to one file, and it has WAL's shared memory); what it may
// reach is decided here, in the system calls it makes on names, which SQLite lets a program
// replace (xSetSystemCall). Each name is a guest path, resolved beneath a granted directory.
#include "runtime/api/sqlite_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "wasi/grants.h"
#include "wasi/sandbox.h"

namespace lunatic::rt::sqlite {
namespace {

constexpr const char* kVfsName = "lunatic-sandbox";
constexpr int kMaxPath = 1024;

thread_local const wasi::WasiConfig* t_view = nullptr;
thread_local std::string t_refusal;
// While the unix VFS makes a temporary file (it names one in /var/tmp or /tmp, opens it and
// unlinks it at once, so the guest can never name it), its calls go to the system as asked.
thread_local bool t_temporary = false;

sqlite3_vfs* unixVfs() {
  static sqlite3_vfs* const vfs = sqlite3_vfs_find("unix");
  return vfs;
}

// -1 with errno `error`, and why the sandbox refused, for open's error message.
int refuse(int error, std::string why) {
  t_refusal = std::move(why);
  errno = error;
  return -1;
}

// errno and the refusal for what the sandbox answered.
int refuse(wasi::Errno e, const wasi::PreopenDir& grant) {
  switch (e) {
    case wasi::Errno::NotCapable: return refuse(EACCES, "leads outside the granted directory " + grant.guest_path);
    case wasi::Errno::NoEnt: return refuse(ENOENT, std::strerror(ENOENT));
    case wasi::Errno::Acces: return refuse(EACCES, std::strerror(EACCES));
    case wasi::Errno::Loop: return refuse(ELOOP, std::strerror(ELOOP));
    case wasi::Errno::IsDir: return refuse(EISDIR, std::strerror(EISDIR));
    case wasi::Errno::NotDir: return refuse(ENOTDIR, std::strerror(ENOTDIR));
    case wasi::Errno::Exist: return refuse(EEXIST, std::strerror(EEXIST));
    default: return refuse(EIO, "cannot be opened");
  }
}

// The grant `path` lies in (`rest` beneath it, "." for the directory itself); null, errno and
// the refusal set, if none.
const wasi::PreopenDir* grantOf(const char* path, std::string* rest) {
  if (!t_view) {
    refuse(EACCES, "no directory is granted here");
    return nullptr;
  }
  const wasi::PreopenDir* grant = grantCovering(*t_view, path, rest);
  if (!grant) {
    refuse(EACCES, "not inside a directory this process was granted");
    return nullptr;
  }
  if (rest->empty()) *rest = ".";
  return grant;
}

// A descriptor of `path` (O_PATH, and O_NOFOLLOW if `follow` is false), or -1 and errno.
int openPath(const char* path, bool follow, wasi::HostFd* out, const wasi::PreopenDir** grant_out = nullptr) {
  std::string rest;
  const wasi::PreopenDir* grant = grantOf(path, &rest);
  if (!grant) return -1;
  if (grant_out) *grant_out = grant;
  wasi::Errno e = wasi::sandbox::openBeneath(grant->directory->get(), rest, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, out);
  return e == wasi::Errno::Success ? 0 : refuse(e, *grant);
}

// --- The unix VFS's system calls on names --------------------------------------------------

// Symlinks inside the grant are followed (beneath it: the unix VFS's O_NOFOLLOW is not what
// keeps a guest in); only regular files, and directories read for fsync, are opened.
int sandboxOpen(const char* path, int flags, int mode) {
  if (t_temporary) return ::open(path, flags, mode);
  std::string rest;
  const wasi::PreopenDir* grant = grantOf(path, &rest);
  if (!grant) return -1;
  const bool writing = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
  if (writing && grant->read_only) return refuse(EACCES, "the granted directory " + grant->guest_path + " is read-only");
  wasi::HostFd file;
  // O_NONBLOCK keeps a FIFO from holding the open; it is no database.
  uint64_t open_flags = uint64_t((flags & ~(O_NOFOLLOW | O_NONBLOCK)) | O_NONBLOCK | O_NOCTTY);
  if (wasi::Errno e = wasi::sandbox::openBeneath(grant->directory->get(), rest, open_flags, uint32_t(mode), &file);
      e != wasi::Errno::Success) {
    return refuse(e, *grant);
  }
  struct stat st;
  if (fstat(file.get(), &st) != 0) return -1;
  if (!S_ISREG(st.st_mode) && !(S_ISDIR(st.st_mode) && !writing)) return refuse(EACCES, "not a regular file");
  if (fcntl(file.get(), F_SETFL, fcntl(file.get(), F_GETFL) & ~O_NONBLOCK) != 0) return -1;
  return file.release();
}

int sandboxStat(const char* path, struct stat* out) {
  if (t_temporary) return ::stat(path, out);
  wasi::HostFd file;
  if (openPath(path, true, &file) != 0) return -1;
  return fstat(file.get(), out);
}

int sandboxLstat(const char* path, struct stat* out) {
  if (t_temporary) return ::lstat(path, out);
  wasi::HostFd file;
  if (openPath(path, false, &file) != 0) return -1;
  return fstat(file.get(), out);
}

int sandboxAccess(const char* path, int mode) {
  if (t_temporary) return ::access(path, mode);
  wasi::HostFd file;
  const wasi::PreopenDir* grant = nullptr;
  if (openPath(path, true, &file, &grant) != 0) return -1;
  if ((mode & W_OK) && grant->read_only) return refuse(EACCES, "read-only");
  return faccessat(file.get(), "", mode, AT_EMPTY_PATH);
}

int sandboxUnlink(const char* path) {
  if (t_temporary) return ::unlink(path);
  std::string rest;
  const wasi::PreopenDir* grant = grantOf(path, &rest);
  if (!grant) return -1;
  if (grant->read_only) return refuse(EACCES, "read-only");
  wasi::sandbox::Entry entry;
  if (wasi::Errno e = wasi::sandbox::openParent(grant->directory->get(), rest, wasi::Errno::IsDir, &entry);
      e != wasi::Errno::Success) {
    return refuse(e, *grant);
  }
  return unlinkat(entry.parent.get(), entry.name.c_str(), 0);
}

// Only the dot-file locking of VFSes this one is not uses these, and reading links only the
// unix VFS's xFullPathname, which this one replaces.
int sandboxMkdir(const char*, mode_t) { return refuse(EACCES, "not allowed"); }
int sandboxRmdir(const char*) { return refuse(EACCES, "not allowed"); }
ssize_t sandboxReadlink(const char*, char*, size_t) { return refuse(EINVAL, "not allowed"); }

template <typename Call>
void replaceSystemCall(const char* name, Call call) {
  unixVfs()->xSetSystemCall(unixVfs(), name, reinterpret_cast<sqlite3_syscall_ptr>(call));
}

// --- VFS methods: the unix VFS's, but for names, temporary files and extensions -------------

int vfsOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  t_temporary = name == nullptr;
  int rc = unixVfs()->xOpen(unixVfs(), name, file, flags, out_flags);
  t_temporary = false;
  return rc;
}
int vfsDelete(sqlite3_vfs*, const char* name, int sync_directory) {
  return unixVfs()->xDelete(unixVfs(), name, sync_directory);
}
int vfsAccess(sqlite3_vfs*, const char* name, int flags, int* result) {
  int rc = unixVfs()->xAccess(unixVfs(), name, flags, result);
  t_refusal.clear();  // asking is no refusal to open
  return rc;
}

// Names stay guest paths: each is resolved when a system call is made on it.
int vfsFullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  size_t length = std::strlen(name);
  if (length + 1 > size_t(size)) return SQLITE_CANTOPEN;
  std::memcpy(out, name, length + 1);
  return SQLITE_OK;
}

void* vfsDlOpen(sqlite3_vfs*, const char*) { return nullptr; }
void vfsDlError(sqlite3_vfs*, int size, char* out) { sqlite3_snprintf(size, out, "loading extensions is not allowed"); }
void (*vfsDlSym(sqlite3_vfs*, void*, const char*))(void) { return nullptr; }
void vfsDlClose(sqlite3_vfs*, void*) {}

// The unix VFS would read /dev/urandom, a name outside every grant.
int vfsRandomness(sqlite3_vfs*, int size, char* out) {
  int filled = 0;
  while (filled < size) {
    ssize_t n = getrandom(out + filled, size_t(size - filled), 0);
    if (n < 0 && errno != EINTR) break;
    if (n > 0) filled += int(n);
  }
  return filled;
}
int vfsSleep(sqlite3_vfs*, int microseconds) { return unixVfs()->xSleep(unixVfs(), microseconds); }
int vfsCurrentTime(sqlite3_vfs*, double* out) { return unixVfs()->xCurrentTime(unixVfs(), out); }
int vfsGetLastError(sqlite3_vfs*, int size, char* out) { return unixVfs()->xGetLastError(unixVfs(), size, out); }
int vfsCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) { return unixVfs()->xCurrentTimeInt64(unixVfs(), out); }

sqlite3_vfs* registerVfs() {
  // URI filenames off before SQLite starts: a name is a name, never "file:...?vfs=unix".
  sqlite3_config(SQLITE_CONFIG_URI, 0);
  sqlite3_initialize();
  replaceSystemCall("open", sandboxOpen);
  replaceSystemCall("stat", sandboxStat);
  replaceSystemCall("lstat", sandboxLstat);
  replaceSystemCall("access", sandboxAccess);
  replaceSystemCall("unlink", sandboxUnlink);
  replaceSystemCall("mkdir", sandboxMkdir);
  replaceSystemCall("rmdir", sandboxRmdir);
  replaceSystemCall("readlink", sandboxReadlink);
  static sqlite3_vfs vfs = {
      2, unixVfs()->szOsFile, kMaxPath, nullptr, kVfsName, nullptr,
      vfsOpen, vfsDelete, vfsAccess, vfsFullPathname, vfsDlOpen, vfsDlError, vfsDlSym, vfsDlClose,
      vfsRandomness, vfsSleep, vfsCurrentTime, vfsGetLastError, vfsCurrentTimeInt64, nullptr, nullptr, nullptr};
  sqlite3_vfs_register(&vfs, 0);
  return &vfs;
}

}  // namespace

const char* sandboxVfs() {
  static sqlite3_vfs* const vfs = registerVfs();
  return vfs->zName;
}

SandboxScope::SandboxScope(const wasi::WasiConfig* view) : previous_(t_view) {
  t_view = view;
  t_refusal.clear();
}

SandboxScope::~SandboxScope() { t_view = previous_; }

std::string takeRefusal() { return std::exchange(t_refusal, std::string()); }

}  // namespace lunatic::rt::sqlite
