// In-process linking with lld (see link.h).
#include "link.h"

#include <lld/Common/Driver.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>
#include <llvm/Support/raw_ostream.h>

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "link_config.h"

LLD_HAS_DRIVER(elf)

namespace lunaticc {
namespace {

// The runtime archives are installed in ../lib relative to the lunaticc binary.
std::string runtimeLibraryDir() {
  std::string self = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(llvm::sys::path::parent_path(self)));
  llvm::sys::path::append(dir, "lib");
  return std::string(dir);
}

}  // namespace

std::string linkExecutable(const std::string& object, const std::string& output, bool strip, bool serve) {
  namespace cfg = link_config;
  const std::string lib_dir = runtimeLibraryDir();
  const std::string runtime_main = lib_dir + (serve ? "/liblunatic_serve.a" : "/liblunatic_main.a");
  const std::string runtime = lib_dir + "/liblunatic_runtime.a";
  const std::string context_switch = lib_dir + "/libboost_context.a";
  const std::string uring = lib_dir + "/liburing.a";
  const std::string http_parser = lib_dir + "/libhttp_parser.a";
  std::vector<std::string> archives = {runtime_main, runtime, context_switch, uring};
  if (serve) archives.push_back(http_parser);
  for (const std::string& archive : archives) {
    if (!llvm::sys::fs::exists(archive)) return "runtime library not found: " + archive;
  }
  const std::string search_dir = std::string("-L") + cfg::libdir;
  std::vector<const char*> args = {
      "ld.lld", "-pie", "-z", "relro", "-z", "now", "--hash-style=gnu", "--build-id",
      "--eh-frame-hdr", "-m", "elf_x86_64", "--gc-sections", "-dynamic-linker", cfg::dynamic_linker,
      "-o", output.c_str(), cfg::crt1, cfg::crti, cfg::crtbegin, object.c_str(),
      runtime_main.c_str(), runtime.c_str(), context_switch.c_str(), uring.c_str(), search_dir.c_str(), cfg::libstdcxx, "-lm",
      cfg::libgcc, cfg::libgcc_eh, "-lc", cfg::libgcc, cfg::libgcc_eh, cfg::crtend, cfg::crtn};
  // The server's archive needs libhttp_parser: it goes after the runtime's archives.
  if (serve) args.insert(std::find(args.begin(), args.end(), uring.c_str()) + 1, http_parser.c_str());
  if (strip) args.push_back("--strip-all");

  std::string messages;
  llvm::raw_string_ostream out(messages), err(messages);
  lld::Result result = lld::lldMain(args, out, err, {{lld::Gnu, &lld::elf::link}});
  if (result.retCode == 0) return {};
  std::string first = messages.substr(0, messages.find('\n'));
  return first.empty() ? "link failed" : "link failed: " + first;
}

}  // namespace lunaticc
