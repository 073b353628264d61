// Child-process isolation for the compiler (see isolate.h).
#include "compiler/backend/isolate.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace lunaticc {
namespace {

// Binaryen reports problems as free text on stderr; these are the lines worth quoting.
std::string mostTellingDiagnostic(std::string_view output) {
  static constexpr std::string_view markers[] = {"[parse exception: ", "[wasm-validator error",
                                                  "Fatal: "};
  for (std::string_view marker : markers) {
    size_t at = output.find(marker);
    if (at == std::string_view::npos) continue;
    std::string_view line = output.substr(at);
    line = line.substr(0, line.find('\n'));
    if (marker.front() == '[' && marker.back() == ' ') {
      // "[parse exception: TEXT (at 0:12)]Fatal: ..." -> "TEXT (at 0:12)"
      line.remove_prefix(marker.size());
      line = line.substr(0, line.rfind(']'));
    }
    if (line.size() > 300) line = line.substr(0, 300);
    return std::string(line);
  }
  return {};
}

void writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n <= 0) return;
    data.remove_prefix(size_t(n));
  }
}

// Reads both pipes until both close, so a chatty child never blocks on a full pipe.
void drain(int result_fd, int output_fd, std::string& result, std::string& output) {
  std::array<pollfd, 2> fds = {pollfd{result_fd, POLLIN, 0}, pollfd{output_fd, POLLIN, 0}};
  std::array<std::string*, 2> sinks = {&result, &output};
  int open_count = 2;
  char buffer[4096];
  while (open_count > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        // Keep the start of the output, where the first diagnostic is; drop floods.
        if (sinks[i]->size() < (1u << 20)) sinks[i]->append(buffer, size_t(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
}

}  // namespace

std::string runIsolated(const std::function<std::string(std::string* report)>& job, std::string* report) {
  int result_pipe[2], output_pipe[2];
  if (pipe(result_pipe) != 0) return std::string("cannot create a pipe: ") + std::strerror(errno);
  if (pipe(output_pipe) != 0) {
    close(result_pipe[0]);
    close(result_pipe[1]);
    return std::string("cannot create a pipe: ") + std::strerror(errno);
  }
  pid_t child = fork();
  if (child < 0) return std::string("cannot fork: ") + std::strerror(errno);
  if (child == 0) {
    close(result_pipe[0]);
    close(output_pipe[0]);
    dup2(output_pipe[1], STDOUT_FILENO);
    dup2(output_pipe[1], STDERR_FILENO);
    std::string job_report;
    std::string error = job(&job_report);
    // A one-byte status first, so an empty error still means "finished, and failed"; then
    // the error (one line, so no NUL in it), a NUL and the report.
    writeAll(result_pipe[1], (error.empty() ? "0" : "1" + error) + '\0' + job_report);
    _exit(0);
  }
  close(result_pipe[1]);
  close(output_pipe[1]);
  std::string result, output;
  drain(result_pipe[0], output_pipe[0], result, output);
  close(result_pipe[0]);
  close(output_pipe[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }

  std::string detail = mostTellingDiagnostic(output);
  auto withDetail = [&](std::string message) {
    return detail.empty() ? message : message + ": " + detail;
  };
  if (!result.empty()) {
    const size_t end = std::min(result.find('\0'), result.size());
    if (report && end < result.size()) *report = result.substr(end + 1);
    if (result[0] == '0') return {};
    return withDetail(result.substr(1, end - 1));
  }
  if (WIFSIGNALED(status)) {
    return withDetail("internal compiler error (signal " + std::to_string(WTERMSIG(status)) + ")");
  }
  // Binaryen's reader ends the process this way on a binary it cannot parse.
  return withDetail("malformed module");
}

}  // namespace lunaticc
