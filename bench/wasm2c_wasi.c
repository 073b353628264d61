// The executable's main and a minimal WASI preview 1 for a module translated by wasm2c
// (wabt 1.0.32), used by bench/kernels.py to compare lunaticc with wasm2c + clang.
//
// Provides only what the benchmark programs import: args_get, args_sizes_get, fd_close,
// fd_fdstat_get, fd_seek, fd_write, proc_exit. Build (MODULE is wasm2c's -n name):
//
//   wasm2c K.wasm -n K -o K.c
//   clang-19 -O2 -I. -I/usr/src/wasm2c -DMODULE=K -DMODULE_HEADER='"K.h"' \
//       K.c bench/wasm2c_wasi.c /usr/src/wasm2c/wasm-rt-impl.c -lm -o K
//
// Traps print "trap: <reason>" and exit with 134, as lunaticc's executables do.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasm-rt-impl.h"
#include "wasm-rt.h"

#include MODULE_HEADER

#define PASTE3(a, b, c) a##b##c
#define NAME3(a, b, c) PASTE3(a, b, c)
#define INSTANCE NAME3(Z_, MODULE, _instance_t)
#define INIT_MODULE NAME3(Z_, MODULE, _init_module)
#define INSTANTIATE NAME3(Z_, MODULE, _instantiate)
#define FREE NAME3(Z_, MODULE, _free)
#define MEMORY NAME3(Z_, MODULE, Z_memory)
#define START NAME3(Z_, MODULE, Z__start)

struct Z_wasi_snapshot_preview1_instance_t {
  wasm_rt_memory_t* memory;
  int argc;
  char** argv;
};
typedef struct Z_wasi_snapshot_preview1_instance_t Wasi;

enum { ERRNO_SUCCESS = 0, ERRNO_BADF = 8, ERRNO_FAULT = 21, ERRNO_INVAL = 28, ERRNO_IO = 29,
       ERRNO_SPIPE = 70 };

// Guest addresses are checked against the memory's current size; out of range is EFAULT.
static u8* guest(Wasi* w, u32 address, u64 length) {
  if ((u64)address + length > w->memory->size) return NULL;
  return w->memory->data + address;
}

static int store32(Wasi* w, u32 address, u32 value) {
  u8* p = guest(w, address, 4);
  if (!p) return 0;
  memcpy(p, &value, 4);  // x86-64 and Wasm are both little-endian
  return 1;
}

static u32 errno_of(int e) {
  switch (e) {
    case EBADF: return ERRNO_BADF;
    case ESPIPE: return ERRNO_SPIPE;
    case EINVAL: return ERRNO_INVAL;
    default: return ERRNO_IO;
  }
}

u32 Z_wasi_snapshot_preview1Z_args_sizes_get(Wasi* w, u32 argc_out, u32 size_out) {
  u32 size = 0;
  for (int i = 0; i < w->argc; ++i) size += (u32)strlen(w->argv[i]) + 1;
  if (!store32(w, argc_out, (u32)w->argc) || !store32(w, size_out, size)) return ERRNO_FAULT;
  return ERRNO_SUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_args_get(Wasi* w, u32 argv_out, u32 buffer_out) {
  for (int i = 0; i < w->argc; ++i) {
    u32 length = (u32)strlen(w->argv[i]) + 1;
    u8* p = guest(w, buffer_out, length);
    if (!p || !store32(w, argv_out + 4 * (u32)i, buffer_out)) return ERRNO_FAULT;
    memcpy(p, w->argv[i], length);
    buffer_out += length;
  }
  return ERRNO_SUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_fd_close(Wasi* w, u32 fd) {
  (void)w;
  return fd <= 2 ? ERRNO_SUCCESS : ERRNO_BADF;  // only stdio exists; keep it open
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(Wasi* w, u32 fd, u32 out) {
  if (fd > 2) return ERRNO_BADF;
  struct stat st;
  if (fstat((int)fd, &st) != 0) return errno_of(errno);
  // filetype: 2 character device, 4 regular file, 6 stream socket (pipes), 0 unknown
  u8 filetype = S_ISCHR(st.st_mode) ? 2 : S_ISREG(st.st_mode) ? 4 : S_ISFIFO(st.st_mode) ? 6 : 0;
  u8* p = guest(w, out, 24);
  if (!p) return ERRNO_FAULT;
  memset(p, 0, 24);
  p[0] = filetype;
  u64 rights = ~(u64)0;
  if (filetype == 2 || filetype == 6) rights &= ~((u64)1 << 2 | (u64)1 << 5);  // no seek, tell
  memcpy(p + 8, &rights, 8);
  memcpy(p + 16, &rights, 8);
  return ERRNO_SUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(Wasi* w, u32 fd, u64 offset, u32 whence, u32 out) {
  if (fd > 2) return ERRNO_BADF;
  if (whence > 2) return ERRNO_INVAL;
  static const int whences[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  off_t position = lseek((int)fd, (off_t)offset, whences[whence]);
  if (position < 0) return errno_of(errno);
  u8* p = guest(w, out, 8);
  if (!p) return ERRNO_FAULT;
  u64 value = (u64)position;
  memcpy(p, &value, 8);
  return ERRNO_SUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_fd_write(Wasi* w, u32 fd, u32 iovs, u32 count, u32 written_out) {
  if (fd > 2) return ERRNO_BADF;
  struct iovec vec[64];
  if (count > 64) count = 64;  // a short write; the caller writes the rest
  for (u32 i = 0; i < count; ++i) {
    u8* entry = guest(w, iovs + 8 * i, 8);
    if (!entry) return ERRNO_FAULT;
    u32 base, length;
    memcpy(&base, entry, 4);
    memcpy(&length, entry + 4, 4);
    u8* data = guest(w, base, length);
    if (!data) return ERRNO_FAULT;
    vec[i].iov_base = data;
    vec[i].iov_len = length;
  }
  ssize_t n = writev((int)fd, vec, (int)count);
  if (n < 0) return errno_of(errno);
  if (!store32(w, written_out, (u32)n)) return ERRNO_FAULT;
  return ERRNO_SUCCESS;
}

void Z_wasi_snapshot_preview1Z_proc_exit(Wasi* w, u32 code) {
  (void)w;
  exit((int)code);
}

int main(int argc, char** argv) {
  wasm_rt_init();
  Wasi wasi = {NULL, argc, argv};
  static INSTANCE instance;
  INIT_MODULE();
  INSTANTIATE(&instance, &wasi);
  wasi.memory = MEMORY(&instance);
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) {
    fprintf(stderr, "trap: %s\n", wasm_rt_strerror(trap));
    return 134;
  }
  START(&instance);
  FREE(&instance);
  wasm_rt_free();
  return 0;
}
