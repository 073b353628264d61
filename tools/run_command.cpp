// `lunaticc run` (run_command.h).
#include "run_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "compile_cache.h"
#include "flags.h"
#include "isolate.h"

namespace lunaticc {
namespace {

// The whole file at `path`. "" or why not.
std::string readFile(const std::string& path, std::vector<char>& bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::string("cannot read the file: ") + std::strerror(errno);
  struct stat info;
  std::string error;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    error = "not a file";
  } else {
    bytes.resize(size_t(info.st_size));
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = read(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = n == 0 ? "the file shrank while it was read" : std::string("cannot read the file: ") + std::strerror(errno);
        break;
      }
      done += size_t(n);
    }
  }
  close(fd);
  return error;
}

// Writes `bytes` to a new file at `path`. "" or why not.
std::string writeNewFile(const std::string& path, const std::vector<char>& bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write " + path + ": " + std::strerror(errno);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += size_t(n);
  }
  bool written = done == bytes.size();
  if (close(fd) != 0) written = false;
  return written ? std::string() : "cannot write " + path + ": " + std::strerror(errno);
}

// Compiles `module` into the cache's `entry`. It compiles a copy of the bytes the entry's
// key was made of, not the file, which may change meanwhile (cargo rebuilding it).
std::string compileInto(const CompileCache& cache, const std::string& entry, const std::vector<char>& module,
                        CompileOptions options) {
  // compile.cpp's temporary files are named so too: trim() removes what a killed run leaves.
  const std::string copy = entry + ".lunaticc-tmp." + std::to_string(getpid()) + ".wasm";
  if (std::string error = writeNewFile(copy, module); !error.empty()) return error;
  options.input = copy;
  options.output = entry;
  std::string error = runIsolated([&] { return compile(options); });
  unlink(copy.c_str());
  if (error.empty()) cache.trim(entry);
  return error;
}

}  // namespace

int runCommand(int argc, char** argv) {
  ExecutableFlags flags;
  CLI::App app{"lunaticc run [OPTIONS] app.wasm [ARGS...]\n\n"
               "Runs a WebAssembly module, compiling it into lunaticc's cache the first\n"
               "time (and whenever it, the flags or lunaticc change). As cargo's runner for\n"
               "wasm32-wasi (runner = \"lunaticc run\"), it makes `cargo run` and `cargo test` work.\n"
               "The cache is $LUNATICC_CACHE_DIR, else $XDG_CACHE_HOME/lunaticc, else\n"
               "~/.cache/lunaticc, kept to $LUNATICC_CACHE_SIZE (default 1G).",
               "lunaticc run"};
  addExecutableFlags(app, flags);
  // The module and everything after it are not lunaticc's: they go to the program.
  app.prefix_command();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail("", e.what());
  }
  std::vector<std::string> rest = app.remaining();
  if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
  if (rest.empty()) return fail("", "run wants a module: lunaticc run [OPTIONS] app.wasm [ARGS...]");
  if (rest.front().starts_with('-')) {
    return fail("", "lunaticc run has no option " + rest.front() + " (lunaticc run --help lists them)");
  }
  const std::string input = rest.front();
  if (std::string error = applyExecutableFlags(flags); !error.empty()) return fail("", error);

  std::vector<char> module;
  if (std::string error = readFile(input, module); !error.empty()) return fail(input, error);
  std::string error;
  std::optional<CompileCache> cache = CompileCache::open(&error);
  if (!cache) return fail("", error);
  const std::string entry = cache->entryFor(module, flags.options, &error);
  if (entry.empty()) return fail("", error);

  std::vector<char*> program_argv;
  for (std::string& arg : rest) program_argv.push_back(arg.data());
  program_argv.push_back(nullptr);
  // Twice at most: the entry may be evicted by another run between our look and our execv.
  for (int attempt = 0;; ++attempt) {
    if (access(entry.c_str(), F_OK) == 0) {
      CompileCache::markUsed(entry);
    } else if (error = compileInto(*cache, entry, module, flags.options); !error.empty()) {
      return fail(input, error);
    }
    execv(entry.c_str(), program_argv.data());
    if (errno != ENOENT || attempt == 1) {
      return fail(input, "cannot run its executable " + entry + ": " + std::strerror(errno) +
                             (errno == EACCES ? " (is the cache on a noexec file system? set LUNATICC_CACHE_DIR)" : ""));
    }
  }
}

}  // namespace lunaticc
