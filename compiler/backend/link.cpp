// In-process linking with lld (see link.h).
#include "compiler/backend/link.h"

#include <lld/Common/Driver.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Program.h>
#include <llvm/Support/raw_ostream.h>

#include <unistd.h>

#include <vector>

#include "compiler/backend/link_config.h"
#include "compiler/backend/targets.h"

LLD_HAS_DRIVER(elf)

namespace lunaticc {

namespace {

const link_config::LinkFiles* linkFilesFor(const Target& target) {
  for (const link_config::LinkFiles& files : link_config::kLinkFiles) {
    if (target.name == files.target) return &files;
  }
  return nullptr;
}

}  // namespace

std::string linkExecutable(const std::vector<std::string>& objects, const std::string& output,
                           const LinkOptions& options) {
  const Target& target = options.target ? *options.target : hostTarget();
  const link_config::LinkFiles* files = linkFilesFor(target);
  if (!files) {
    return "lunaticc was built without the " + std::string(target.name) +
           " toolchain (LUNATICC_CROSS_TARGETS; tools/setup.sh --cross installs it)";
  }
  const std::vector<std::string> archives = runtimeArchives(target, options.serve);
  for (const std::string& archive : archives) {
    if (!llvm::sys::fs::exists(archive)) return "runtime library not found: " + archive;
  }
  const std::string search_dir = std::string("-L") + files->libdir;
  std::vector<const char*> args = {"ld.lld", "-pie", "-z", "relro", "-z", "now", "--hash-style=gnu", "--build-id",
                                   "--eh-frame-hdr", "-m", target.linker_emulation, "--gc-sections",
                                   // keeps every object's entry of lunatic_frame_sizes, which
                                   // only the runtime's __start_/__stop_ bounds reach (abi.h)
                                   "-z", "nostart-stop-gc"};
  // A static-pie keeps the address-space randomisation of the dynamic executable: rcrt1.o
  // relocates it itself, with no loader, from glibc's libc.a.
  if (options.static_link) {
    args.insert(args.end(), {"-static", "--no-dynamic-linker", files->static_crt1});
  } else {
    args.insert(args.end(), {"-dynamic-linker", target.dynamic_linker, files->crt1});
  }
  args.insert(args.end(), {"-o", output.c_str(), files->crti, files->crtbegin});
  for (const std::string& object : objects) args.push_back(object.c_str());
  // libstdc++ before the runtime's archives: lld takes a symbol from the first archive that
  // defines it, whatever their order, and libstdc++'s own members refer to std::string code
  // that the runtime's objects define too (weak, inline). Listed later, the reference would
  // pull in whichever runtime object came first, and with it what that object needs: the
  // distribution node and erl_interface, 190 KB, into every executable.
  args.insert(args.end(), {search_dir.c_str(), files->libstdcxx});
  for (const std::string& archive : archives) args.push_back(archive.c_str());
  // After libstdc++, whose operator new (with its new-handler loop: process/allocation.h)
  // stays the one used and calls this allocator's malloc; before the C library's. A shared
  // library: a static executable keeps glibc's allocator.
  if (*files->host_allocator_library && !options.static_link) args.push_back(files->host_allocator_library);
  if (options.static_link) {
    // libc.a's members and libgcc's refer to each other (unwinding, pthread_cancel).
    args.insert(args.end(), {"--start-group", files->libgcc, files->libgcc_eh, "-lc", "-lm", "--end-group"});
  } else {
    // libm after the C library and only if needed: glibc's libc has what the runtime uses
    // (frexp), and loading a library it does not use costs every start about 3% (hello).
    args.insert(args.end(), {files->libgcc, files->libgcc_eh, "-lc", "--as-needed", "-lm", "--no-as-needed",
                             files->libgcc, files->libgcc_eh});
  }
  args.insert(args.end(), {files->crtend, files->crtn});
  if (options.strip) {
    args.push_back("--strip-all");
  } else if (!options.debug) {
    args.push_back("--strip-debug");
  }
  return runLld(args, "link");
}

std::string runLld(const std::vector<const char*>& args, const std::string& what) {
  std::string messages;
  llvm::raw_string_ostream out(messages), err(messages);
  lld::Result result = lld::lldMain(args, out, err, {{lld::Gnu, &lld::elf::link}});
  if (result.retCode == 0) return {};
  std::string first = messages.substr(0, messages.find('\n'));
  return first.empty() ? what + " failed" : what + " failed: " + first;
}

}  // namespace lunaticc
