// Running the compiler proper from the driver (compiler_process.h).
#include "tools/compiler_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>

#include "tools/flags.h"

namespace lunaticc {

std::string compilerPath() {
  char self[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string path(self, length > 0 ? size_t(length) : 0);
  return path.substr(0, path.rfind('/') + 1) + "lunaticc-compile";
}

int execCompiler(char** argv) {
  const std::string compiler = compilerPath();
  execv(compiler.c_str(), argv);
  return fail("", "cannot run the compiler " + compiler + ": " + std::strerror(errno));
}

int runCompiler(const std::vector<std::string>& args) {
  const std::string compiler = compilerPath();
  std::vector<char*> argv = {const_cast<char*>(compiler.c_str())};
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t child = fork();
  if (child < 0) return fail("", std::string("cannot fork: ") + std::strerror(errno));
  if (child == 0) {
    execv(compiler.c_str(), argv.data());
    std::fprintf(stderr, "lunaticc: error: cannot run the compiler %s: %s\n", compiler.c_str(), std::strerror(errno));
    _exit(1);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return fail("", std::string("cannot wait for the compiler: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return fail("", std::string("the compiler died of signal ") + strsignal(WTERMSIG(status)));
}

}  // namespace lunaticc
