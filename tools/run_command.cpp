// `lunaticc run` (run_command.h).
#include "tools/run_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "compiler/backend/targets.h"
#include "tools/compile_cache.h"
#include "tools/compiler_process.h"
#include "tools/flags.h"

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

// The bytes of each file of `paths` into `modules`: "" or the failure, with the file.
std::string readModules(const std::vector<std::string>& paths, std::vector<std::vector<char>>& modules,
                        std::string* failed_path) {
  modules.assign(paths.size(), {});
  for (size_t i = 0; i < paths.size(); ++i) {
    if (std::string error = readFile(paths[i], modules[i]); !error.empty()) {
      *failed_path = paths[i];
      return error;
    }
  }
  return {};
}

// Compiles `inputs[0]` (with the others as its --module files: they are among the flags as
// given) into the cache's `entry`, if the files still hold `modules`, the bytes the entry's
// key was made of, when the compilation is done; else (cargo rebuilt one meanwhile) throws
// the result away and sets `changed`. Returns the compiler's exit status (it has reported
// any failure).
int compileInto(const CompileCache& cache, const std::string& entry, const std::vector<std::string>& inputs,
                std::vector<std::string> flag_args, const std::vector<std::vector<char>>& modules, bool* changed) {
  // A temporary file, which trim() removes if the run dies.
  const std::string compiled = CacheStore::temporaryPathFor(entry);
  // -w: a compiler warning would land amid the program's own stderr.
  flag_args.insert(flag_args.end(), {"-w", "-o", compiled, inputs.front()});
  if (int status = runCompiler(flag_args); status != 0) return status;
  std::vector<std::vector<char>> now;
  std::string unused;
  *changed = !readModules(inputs, now, &unused).empty() || now != modules;
  if (*changed) {
    unlink(compiled.c_str());
    return 0;
  }
  if (rename(compiled.c_str(), entry.c_str()) != 0) {
    unlink(compiled.c_str());
    return fail("", "cannot write " + entry + ": " + std::strerror(errno));
  }
  cache.trim(entry);
  return 0;
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
  // The module, then each --module (the compiler reads those by the paths among the flags).
  std::vector<std::string> inputs{rest.front()};
  inputs.insert(inputs.end(), flags.options.modules.begin(), flags.options.modules.end());
  if (std::string error = applyExecutableFlags(flags); !error.empty()) return fail("", error);
  if (findTarget(flags.options.target) != &hostTarget()) {
    return fail("", "lunaticc run runs the program here: compile for " + flags.options.target +
                        " with lunaticc --target instead");
  }
  // The flags as given, for the compiler: what came before the module (and a "--").
  const std::vector<std::string> flag_args(argv + 1, argv + argc - app.remaining_size());

  std::string error;
  std::optional<CompileCache> cache = CompileCache::open(&error);
  if (!cache) return fail("", error);
  std::vector<char*> program_argv;
  for (std::string& arg : rest) program_argv.push_back(arg.data());
  program_argv.push_back(nullptr);
  // A few rounds at most: the module may change while it is compiled, and its entry may be
  // evicted by another run between our look and our execv.
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::vector<char>> modules;
    std::string failed_path;
    if (error = readModules(inputs, modules, &failed_path); !error.empty()) return fail(failed_path, error);
    const std::string entry = cache->entryFor(modules, flags.options, &error);
    if (entry.empty()) return fail("", error);
    if (access(entry.c_str(), F_OK) == 0) {
      CompileCache::markUsed(entry);
    } else {
      bool changed = false;
      if (int status = compileInto(*cache, entry, inputs, flag_args, modules, &changed); status != 0) return status;
      if (changed) continue;
    }
    execv(entry.c_str(), program_argv.data());
    if (errno != ENOENT) {
      return fail(inputs.front(), "cannot run its executable " + entry + ": " + std::strerror(errno) +
                             (errno == EACCES ? " (is the cache on a noexec file system? set LUNATICC_CACHE_DIR)" : ""));
    }
  }
  return fail(inputs.front(), "it changed, or its executable left the cache, " + std::to_string(kRounds) +
                         " times while it was compiled");
}

}  // namespace lunaticc
