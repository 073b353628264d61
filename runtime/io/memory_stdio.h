// Standard streams held in memory instead of the host's descriptors 0-2: what an embedder
// (runtime/serve/, which runs a program per HTTP request) hands a process as its stdin and
// collects from its stdout and stderr, with no pipe, file or system call in between.
//
// A WasiConfig whose `memory_stdio` is set (runtime/process/wasi_config.h) gives every process with that view
// descriptors 0-2 backed by these streams: 0 reads `input` from its start to its end (then
// end of file, never a wait), 1 and 2 append to `output` and `errors`. To the guest they are
// pipes (filetype unknown, no seek, no filestat, no poll_oneoff): wasi-libc then buffers
// stdout fully, as it does for a pipe. A write that would take a stream past its limit
// writes nothing, fails with EFBIG and marks the stream `overflowed`, so the embedder knows
// the output it got is not all the program meant to write.
//
// Children that inherit the view share the streams, possibly from other worker threads at
// once: each stream has a lock.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>

namespace lunatic::rt::wasi {

class MemoryStream {
 public:
  MemoryStream(std::string contents, size_t limit) : contents_(std::move(contents)), limit_(limit) {}
  // Copies what is left of the stream into `iov` and moves past it: bytes read, 0 at the end.
  int64_t read(std::span<const iovec> iov);
  // Appends every buffer of `iov`: bytes written, or -EFBIG (nothing written) past the limit.
  int64_t write(std::span<const iovec> iov);

  // For the embedder: what was written, moved out (a child process that lives on may still
  // write, to an empty stream), and whether a write was refused for the limit.
  std::string take();
  bool overflowed();

 private:
  std::mutex lock_;
  std::string contents_;
  size_t read_position_ = 0;
  size_t limit_;
  bool overflowed_ = false;
};

struct MemoryStdio {
  MemoryStdio(std::string input_contents, size_t output_limit, size_t errors_limit)
      : input(std::move(input_contents), 0), output({}, output_limit), errors({}, errors_limit) {}
  // No input, and descriptors 1 and 2 both writing to `output`, in the order written: a
  // test's captured output (runtime/test_mode/).
  explicit MemoryStdio(size_t output_limit) : input({}, 0), output({}, output_limit), errors({}, 0), combined(true) {}
  MemoryStream input;   // descriptor 0, read-only
  MemoryStream output;  // descriptor 1, write-only
  MemoryStream errors;  // descriptor 2, write-only, unless `combined`
  const bool combined = false;

  // The stream of descriptor `fd`, 0 to 2.
  MemoryStream& stream(int fd) { return fd == 0 ? input : fd == 1 || combined ? output : errors; }
};

}  // namespace lunatic::rt::wasi
