// WASI preview 1, the part a command-line program needs to start, print and exit. Every
// pointer and length from the guest is checked against its memory before use: a bad one
// gets errno FAULT, never a host crash. Arguments and environment are the calling process's
// (Capabilities::wasi); no preopened directories yet.
#include "wasi.h"

#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "guest_memory.h"
#include "host.h"
#include "process/process.h"
#include "trap.h"

namespace {

// errno values of WASI preview 1.
constexpr int32_t kSuccess = 0, kBadf = 8, kFault = 21, kInval = 28, kIo = 29, kSpipe = 70;

using Guest = lunatic::rt::GuestMemory;
using lunatic::rt::wasi::WasiConfig;

WasiConfig embedding;  // what instances outside processes see: argv, set by lunatic_wasi_define

// A process sees its own arguments and environment (Capabilities::wasi).
const WasiConfig& viewOf(lunatic_instance* self) {
  const lunatic::rt::Process* p = lunatic::rt::Process::of(self);
  return p ? *p->capabilities.wasi : embedding;
}

// args_sizes_get and environ_sizes_get: how many strings, and their bytes with NULs.
int32_t stringSizes(lunatic_instance* self, const std::vector<std::string>& strings, uint32_t count_out,
                    uint32_t size_out) {
  uint32_t bytes = 0;
  for (const std::string& s : strings) bytes += uint32_t(s.size() + 1);
  Guest g(self);
  return g.store32(count_out, uint32_t(strings.size())) && g.store32(size_out, bytes) ? kSuccess : kFault;
}

// args_get and environ_get: the strings with NULs at `buffer`, pointers to them at `pointers`.
int32_t copyStrings(lunatic_instance* self, const std::vector<std::string>& strings, uint32_t pointers,
                    uint32_t buffer) {
  Guest g(self);
  for (size_t i = 0; i < strings.size(); ++i) {
    const std::string& s = strings[i];
    if (!g.store32(pointers + uint32_t(i * 4), buffer) || !g.copyIn(buffer, s.c_str(), s.size() + 1)) return kFault;
    buffer += uint32_t(s.size() + 1);
  }
  return kSuccess;
}

int32_t args_sizes_get(lunatic_instance* self, uint32_t count_out, uint32_t size_out) {
  return stringSizes(self, viewOf(self).arguments, count_out, size_out);
}
int32_t args_get(lunatic_instance* self, uint32_t pointers, uint32_t buffer) {
  return copyStrings(self, viewOf(self).arguments, pointers, buffer);
}
int32_t environ_sizes_get(lunatic_instance* self, uint32_t count_out, uint32_t size_out) {
  return stringSizes(self, viewOf(self).environment, count_out, size_out);
}
int32_t environ_get(lunatic_instance* self, uint32_t pointers, uint32_t buffer) {
  return copyStrings(self, viewOf(self).environment, pointers, buffer);
}

int32_t clock_time_get(lunatic_instance* self, uint32_t clock, uint64_t, uint32_t time_out) {
  static constexpr clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                         CLOCK_THREAD_CPUTIME_ID};
  if (clock >= 4) return kInval;
  timespec ts;
  clock_gettime(clocks[clock], &ts);
  return Guest(self).store64(time_out, uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec)) ? kSuccess : kFault;
}

bool isStdio(uint32_t fd) { return fd <= 2; }

int32_t fd_close(lunatic_instance*, uint32_t fd) { return isStdio(fd) ? kSuccess : kBadf; }

int32_t fd_fdstat_get(lunatic_instance* self, uint32_t fd, uint32_t stat_out) {
  if (!isStdio(fd)) return kBadf;
  // filetype character device, no flags, all rights on the file itself.
  uint8_t stat[24] = {};
  stat[0] = 2;
  std::memset(stat + 8, 0xff, 16);
  return Guest(self).copyIn(stat_out, stat, sizeof stat) ? kSuccess : kFault;
}

int32_t fd_prestat_get(lunatic_instance*, uint32_t, uint32_t) { return kBadf; }
int32_t fd_prestat_dir_name(lunatic_instance*, uint32_t, uint32_t, uint32_t) { return kBadf; }
int32_t fd_seek(lunatic_instance*, uint32_t fd, uint64_t, uint32_t, uint32_t) { return isStdio(fd) ? kSpipe : kBadf; }

int32_t fd_write(lunatic_instance* self, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t written_out) {
  if (fd != 1 && fd != 2) return kBadf;
  Guest g(self);
  const uint8_t* raw = g.at(iovs, uint64_t(iovs_len) * 8);
  if (!raw) return kFault;
  std::vector<iovec> host(iovs_len);
  for (uint32_t i = 0; i < iovs_len; ++i) {
    uint32_t buffer, length;
    std::memcpy(&buffer, raw + i * 8, 4);
    std::memcpy(&length, raw + i * 8 + 4, 4);
    uint8_t* p = g.at(buffer, length);
    if (!p) return kFault;
    host[i] = {p, length};
  }
  ssize_t n;
  do {
    n = writev(int(fd), host.data(), int(host.size()));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return kIo;
  return g.store32(written_out, uint32_t(n)) ? kSuccess : kFault;
}

void proc_exit(lunatic_instance*, uint32_t code) { lunatic::rt::unwindWithExit(int32_t(code)); }

int32_t random_get(lunatic_instance* self, uint32_t buffer, uint32_t length) {
  uint8_t* p = Guest(self).at(buffer, length);
  if (!p) return kFault;
  for (uint32_t done = 0; done < length;) {
    ssize_t n = getrandom(p + done, length - done, 0);
    if (n < 0 && errno != EINTR) return kIo;
    if (n > 0) done += uint32_t(n);
  }
  return kSuccess;
}

}  // namespace

namespace lunatic::rt {

std::span<const HostFunction> wasiHostFunctions() {
  auto f = [](const char* name, const char* signature, auto* code) {
    return HostFunction{"wasi_snapshot_preview1", name, signature, reinterpret_cast<const void*>(code)};
  };
  static const HostFunction functions[] = {
      f("args_get", "ii:i", args_get),
      f("args_sizes_get", "ii:i", args_sizes_get),
      f("environ_get", "ii:i", environ_get),
      f("environ_sizes_get", "ii:i", environ_sizes_get),
      f("clock_time_get", "iIi:i", clock_time_get),
      f("fd_close", "i:i", fd_close),
      f("fd_fdstat_get", "ii:i", fd_fdstat_get),
      f("fd_prestat_get", "ii:i", fd_prestat_get),
      f("fd_prestat_dir_name", "iii:i", fd_prestat_dir_name),
      f("fd_seek", "iIii:i", fd_seek),
      f("fd_write", "iiii:i", fd_write),
      f("proc_exit", "i:", proc_exit),
      f("random_get", "ii:i", random_get),
  };
  return functions;
}

}  // namespace lunatic::rt

void lunatic_wasi_set_arguments(int argc, char** argv) { embedding.arguments.assign(argv, argv + argc); }

void lunatic_wasi_define(lunatic_linker* linker, int argc, char** argv) {
  lunatic_wasi_set_arguments(argc, argv);
  for (const lunatic::rt::HostFunction& d : lunatic::rt::wasiHostFunctions()) {
    lunatic_linker_define_func(linker, d.module, d.name, d.signature, d.code, nullptr);
  }
}
