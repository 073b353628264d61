// The runtime archives an executable is linked against (link.h: runtimeArchives). Apart
// from the linker, which needs LLVM: lunaticc's driver uses it without loading LLVM.
#include <unistd.h>

#include <climits>
#include <string>

#include "compiler/backend/link.h"

namespace lunaticc {
namespace {

// The runtime archives are in ../lib/lunaticc relative to the running binary's directory
// (lunaticc's, or the compiler's beside it: compiler_process.h), in the build tree and
// wherever lunaticc is installed (runtime/CMakeLists.txt), so a moved installation works.
std::string runtimeLibraryDir() {
  char self[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string path(self, length > 0 ? size_t(length) : 0);
  for (int up = 0; up < 2; ++up) path = path.substr(0, path.rfind('/'));
  return path + "/lib/lunaticc";
}

}  // namespace

std::vector<std::string> runtimeArchives(bool serve) {
  const std::string lib_dir = runtimeLibraryDir();
  std::vector<std::string> archives = {lib_dir + (serve ? "/liblunatic_serve.a" : "/liblunatic_main.a"),
                                       lib_dir + "/liblunatic_runtime.a", lib_dir + "/libboost_context.a",
                                       lib_dir + "/liburing.a", lib_dir + "/libsqlite3.a", lib_dir + "/libcares.a",
                                       lib_dir + "/libssl.a", lib_dir + "/libcrypto.a",
                                       // erl_interface: lunatic::distributed's nodes
                                       lib_dir + "/libei.a",
                                       // the metrics endpoint's and --serve's HTTP parser
                                       lib_dir + "/libhttp_parser.a"};
  return archives;
}

}  // namespace lunaticc
