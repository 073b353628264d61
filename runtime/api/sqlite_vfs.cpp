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
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "runtime/io/io.h"
#include "wasi/grants.h"
#include "wasi/sandbox.h"

namespace lunatic::rt::sqlite {
namespace {

constexpr const char* kVfsName = "lunatic-sandbox";
constexpr int kMaxPath = 1024;

// The scope of the SQLite call running on this thread. Reached only through this function,
// never cached by a caller across a park, after which the call may go on on another thread.
__attribute__((noinline)) SandboxCall*& currentCall() {
  static thread_local SandboxCall* call = nullptr;
  asm volatile("");
  return call;
}

// How many of SQLite's mutexes this thread holds. A call must not park while it holds one:
// it could resume on another thread, and every thread that wants the mutex meanwhile would
// block its worker, perhaps the one the call needs to resume on. What would park (a read the
// page cache cannot answer, an fsync) waits on the thread instead, as rarely as SQLite does
// I/O under a mutex (its randomness, WAL's shared memory).
__attribute__((noinline)) int& mutexesHeld() {
  static thread_local int held = 0;
  asm volatile("");
  return held;
}

sqlite3_mutex_methods system_mutexes;  // SQLite's own, which these count around

void countedEnter(sqlite3_mutex* mutex) {
  system_mutexes.xMutexEnter(mutex);
  ++mutexesHeld();
}
int countedTry(sqlite3_mutex* mutex) {
  int rc = system_mutexes.xMutexTry(mutex);
  if (rc == SQLITE_OK) ++mutexesHeld();
  return rc;
}
void countedLeave(sqlite3_mutex* mutex) {
  --mutexesHeld();
  system_mutexes.xMutexLeave(mutex);
}

bool makingTemporary() {
  SandboxCall* call = currentCall();
  return call && call->temporary;
}

// errno is the calling thread's: set only through this, after a park, where a caller's
// earlier look at errno's address would name another thread's.
__attribute__((noinline)) void setErrno(int error) { errno = error; }

// Runs `work`, which may park the calling process: this thread lets go of the call's scope
// while the process is away, and whichever thread it resumes on takes it up.
template <typename Work>
auto parkable(Work work) {
  SandboxCall* call = std::exchange(currentCall(), nullptr);
  auto result = work(call);
  currentCall() = call;
  return result;
}

// Runs the system call `work` (-1 and errno on failure) on the blocking pool, in the scope
// of the calling SQLite call, the process parked: its result, errno set as it left it.
template <typename Work>
auto offloaded(Work work) -> decltype(work()) {
  if (!mayPark()) return work();
  int64_t result = parkable([&](SandboxCall* call) {
    return io::offload([&]() -> int64_t {
      currentCall() = call;
      int64_t r = int64_t(work());
      if (r < 0) r = -int64_t(errno);
      currentCall() = nullptr;
      return r;
    });
  });
  if (result >= 0) return decltype(work())(result);
  setErrno(int(-result));
  return -1;
}

sqlite3_vfs* unixVfs() {
  static sqlite3_vfs* const vfs = sqlite3_vfs_find("unix");
  return vfs;
}

// Whether a refusal is kept for open's error message: not while SQLite asks whether a file
// exists (vfsAccess), where a refusal is the answer, and the question comes with every query
// on a file (is there a hot journal?).
bool keepsRefusal() {
  SandboxCall* call = currentCall();
  return call && !call->asking;
}

// -1 with errno `error`, and why the sandbox refused, for open's error message.
int refuse(int error, std::string_view why) {
  if (keepsRefusal()) currentCall()->refusal.assign(why);
  errno = error;
  return -1;
}

// errno and the refusal for what the sandbox answered; the message is made only if kept.
int refuse(wasi::Errno e, const wasi::PreopenDir& grant) {
  int error;
  switch (e) {
    case wasi::Errno::NotCapable: error = EACCES; break;
    case wasi::Errno::NoEnt: error = ENOENT; break;
    case wasi::Errno::Acces: error = EACCES; break;
    case wasi::Errno::Loop: error = ELOOP; break;
    case wasi::Errno::IsDir: error = EISDIR; break;
    case wasi::Errno::NotDir: error = ENOTDIR; break;
    case wasi::Errno::Exist: error = EEXIST; break;
    default: return refuse(EIO, "cannot be opened");
  }
  if (!keepsRefusal()) {
    errno = error;
    return -1;
  }
  if (e == wasi::Errno::NotCapable) return refuse(error, "leads outside the granted directory " + grant.guest_path);
  return refuse(error, std::strerror(error));
}

// The grant `path` lies in (`rest` beneath it, "." for the directory itself); null, errno and
// the refusal set, if none.
const wasi::PreopenDir* grantOf(const char* path, std::string_view* rest) {
  SandboxCall* call = currentCall();
  if (!call || !call->view) {
    refuse(EACCES, "no directory is granted here");
    return nullptr;
  }
  const wasi::PreopenDir* grant = grantCovering(*call->view, path, rest);
  if (!grant) {
    refuse(EACCES, "not inside a directory this process was granted");
    return nullptr;
  }
  if (rest->empty()) *rest = ".";
  return grant;
}

// What stat (lstat if `follow` is false) says of `path`, or -1 and errno.
int statInGrant(const char* path, bool follow, struct stat* out) {
  std::string_view rest;
  const wasi::PreopenDir* grant = grantOf(path, &rest);
  if (!grant) return -1;
  wasi::Errno e = wasi::sandbox::statBeneath(grant->directory->get(), rest, follow, out);
  return e == wasi::Errno::Success ? 0 : refuse(e, *grant);
}

// --- The unix VFS's system calls on names --------------------------------------------------

// Symlinks inside the grant are followed (beneath it: the unix VFS's O_NOFOLLOW is not what
// keeps a guest in); only regular files, and directories read for fsync, are opened.
int openInGrant(const char* path, int flags, int mode) {
  std::string_view rest;
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

int sandboxOpen(const char* path, int flags, int mode) {
  if (makingTemporary()) return ::open(path, flags, mode);
  return offloaded([&] { return openInGrant(path, flags, mode); });
}

int sandboxStat(const char* path, struct stat* out) {
  if (makingTemporary()) return ::stat(path, out);
  return statInGrant(path, true, out);
}

int sandboxLstat(const char* path, struct stat* out) {
  if (makingTemporary()) return ::lstat(path, out);
  return statInGrant(path, false, out);
}

int sandboxAccess(const char* path, int mode) {
  if (makingTemporary()) return ::access(path, mode);
  std::string_view rest;
  const wasi::PreopenDir* grant = grantOf(path, &rest);
  if (!grant) return -1;
  wasi::HostFd file;
  if (wasi::Errno e = wasi::sandbox::openBeneath(grant->directory->get(), rest, O_PATH, 0, &file);
      e != wasi::Errno::Success) {
    return refuse(e, *grant);
  }
  if ((mode & W_OK) && grant->read_only) return refuse(EACCES, "read-only");
  return faccessat(file.get(), "", mode, AT_EMPTY_PATH);
}

int unlinkInGrant(const char* path) {
  std::string_view rest;
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

int sandboxUnlink(const char* path) {
  if (makingTemporary()) return ::unlink(path);
  return offloaded([&] { return unlinkInGrant(path); });
}

// --- The unix VFS's system calls on descriptors that may wait for the disk -----------------

ssize_t sandboxPread(int fd, void* buffer, size_t count, off_t offset) {
  if (!mayPark()) return ::pread(fd, buffer, count, offset);
  return parkable([&](SandboxCall*) -> ssize_t {
    iovec into{buffer, count};
    int64_t n = io::read(fd, {&into, 1}, offset, io::Target::RegularFile);
    if (n >= 0) return ssize_t(n);
    setErrno(int(-n));
    return -1;
  });
}

int sandboxFtruncate(int fd, off_t size) {
  return offloaded([&] { return ::ftruncate(fd, size); });
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

// fsync is no system call the unix VFS lets be replaced: its files' methods are the unix
// VFS's but for xSync, which runs on the blocking pool.
struct SyncOffDisk {
  sqlite3_io_methods methods;  // first: a file's pMethods points here
  const sqlite3_io_methods* unix_methods;
};

int syncOffDisk(sqlite3_file* file, int flags) {
  const auto* unix_methods = reinterpret_cast<const SyncOffDisk*>(file->pMethods)->unix_methods;
  // SQLite's result codes are not negative: offloaded hands them back as they are.
  return offloaded([&] { return unix_methods->xSync(file, flags); });
}

const sqlite3_io_methods* methodsFor(const sqlite3_io_methods* unix_methods) {
  static std::mutex mutex;
  static std::deque<SyncOffDisk> made;  // never moved, never freed: files point into it
  std::lock_guard lock(mutex);
  for (const SyncOffDisk& m : made) {
    if (m.unix_methods == unix_methods) return &m.methods;
  }
  SyncOffDisk& m = made.emplace_back(SyncOffDisk{*unix_methods, unix_methods});
  m.methods.xSync = syncOffDisk;
  return &m.methods;
}

int vfsOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  SandboxCall* call = currentCall();
  if (call) call->temporary = name == nullptr;
  int rc = unixVfs()->xOpen(unixVfs(), name, file, flags, out_flags);
  if (call) call->temporary = false;
  if (rc == SQLITE_OK && file->pMethods) file->pMethods = methodsFor(file->pMethods);
  return rc;
}
int vfsDelete(sqlite3_vfs*, const char* name, int sync_directory) {
  return unixVfs()->xDelete(unixVfs(), name, sync_directory);
}
int vfsAccess(sqlite3_vfs*, const char* name, int flags, int* result) {
  SandboxCall* call = currentCall();
  if (call) call->asking = true;
  int rc = unixVfs()->xAccess(unixVfs(), name, flags, result);
  if (call) {
    call->asking = false;
    call->refusal.clear();  // asking is no refusal to open
  }
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
  sqlite3_config(SQLITE_CONFIG_GETMUTEX, &system_mutexes);
  sqlite3_mutex_methods counted = system_mutexes;
  counted.xMutexEnter = countedEnter;
  counted.xMutexTry = countedTry;
  counted.xMutexLeave = countedLeave;
  sqlite3_config(SQLITE_CONFIG_MUTEX, &counted);
  sqlite3_initialize();
  replaceSystemCall("open", sandboxOpen);
  replaceSystemCall("stat", sandboxStat);
  replaceSystemCall("lstat", sandboxLstat);
  replaceSystemCall("access", sandboxAccess);
  replaceSystemCall("unlink", sandboxUnlink);
  replaceSystemCall("mkdir", sandboxMkdir);
  replaceSystemCall("rmdir", sandboxRmdir);
  replaceSystemCall("readlink", sandboxReadlink);
  replaceSystemCall("pread64", sandboxPread);
  replaceSystemCall("ftruncate", sandboxFtruncate);
  static sqlite3_vfs vfs = {
      2, unixVfs()->szOsFile, kMaxPath, nullptr, kVfsName, nullptr,
      vfsOpen, vfsDelete, vfsAccess, vfsFullPathname, vfsDlOpen, vfsDlError, vfsDlSym, vfsDlClose,
      vfsRandomness, vfsSleep, vfsCurrentTime, vfsGetLastError, vfsCurrentTimeInt64, nullptr, nullptr, nullptr};
  // The default: SQLite's randomness asks the default VFS, whose unix xRandomness would open
  // /dev/urandom, a name outside every grant.
  sqlite3_vfs_register(&vfs, 1);
  return &vfs;
}

}  // namespace

const char* sandboxVfs() {
  static sqlite3_vfs* const vfs = registerVfs();
  return vfs->zName;
}

SandboxScope::SandboxScope(const wasi::WasiConfig* view) {
  call_.view = view;
  SandboxCall*& current = currentCall();  // nothing parks before it is set
  previous_ = std::exchange(current, &call_);
}

SandboxScope::~SandboxScope() { currentCall() = previous_; }

bool mayPark() { return mutexesHeld() == 0; }

std::string takeRefusal() {
  SandboxCall* call = currentCall();
  return call ? std::exchange(call->refusal, std::string()) : std::string();
}

}  // namespace lunatic::rt::sqlite
