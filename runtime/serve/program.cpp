// A request's run of the program (program.h).
#include "runtime/serve/program.h"

#include <cstring>
#include <memory>

#include "lunatic/embed.h"
#include "runtime/io/memory_stdio.h"
#include "runtime/process/module_image.h"
#include "runtime/process/scheduler.h"
#include "runtime/process/host_task.h"
#include "runtime/serve/server.h"
#include "runtime/trap.h"

namespace lunatic::rt::serve {
namespace {

// The request's view: the server's arguments and directories (the grants opened at start-up,
// shared), its environment and the request's CGI variables, and stdio in memory.
wasi::WasiConfigPtr requestView(const wasi::WasiConfig& server_view, std::vector<std::string> environment,
                                std::shared_ptr<wasi::MemoryStdio> stdio) {
  auto view = std::make_shared<wasi::WasiConfig>();
  view->arguments = server_view.arguments;
  view->environment = std::move(environment);
  view->directories = server_view.directories;
  view->memory_stdio = std::move(stdio);
  return view;
}

// Each line of what the program wrote to stderr, into the server log after `prefix`.
void logErrors(Server& server, std::string_view prefix, std::string_view errors, bool truncated) {
  std::string line;
  while (!errors.empty()) {
    size_t end = errors.find('\n');
    std::string_view text = errors.substr(0, end);
    line.assign(prefix).append(" stderr: ").append(text);
    server.serverLog().write(line);
    errors.remove_prefix(end == std::string_view::npos ? errors.size() : end + 1);
  }
  if (truncated) server.serverLog().write(std::string(prefix) + " stderr: (more, past --max-stderr, left out)");
}

// Why a process failed, for the log.
std::string failureOf(const Death& death) {
  if (death.trap == 0) return "exited with status " + std::to_string(death.exit_code);
  std::string why = death.host_failure.empty() ? lunatic_trap_message(death.trap) : death.host_failure;
  if (!death.backtrace.empty()) {
    std::string frames = death.backtrace;
    for (char& c : frames) c = c == '\n' ? ' ' : c;
    why += ":" + frames;
  }
  return "failed: " + why;
}

// Holds one of the --max-concurrent places while a program runs.
class ProgramPlace {
 public:
  ProgramPlace(Server& server, const RequestLabel& label) : server_(server), taken_(server.startProgram(label)) {}
  ~ProgramPlace() {
    if (taken_) server_.programEnded();
  }
  ProgramPlace(const ProgramPlace&) = delete;
  ProgramPlace& operator=(const ProgramPlace&) = delete;
  bool taken() const { return taken_; }

 private:
  Server& server_;
  bool taken_;
};

}  // namespace

const char* reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

Answer errorAnswer(int status) {
  Answer answer;
  answer.status = status;
  answer.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  answer.has_content_type = true;
  answer.output = std::to_string(status) + " " + reasonPhrase(status) + "\n";
  return answer;
}

std::string RequestLabel::text() const {
  return "[" + endpoints.remote_address + ":" + endpoints.remote_port + " #" + std::to_string(number) + " " +
         request.method + " " + request.target + "]";
}

Answer runProgram(Server& server, HttpRequest& request, const Endpoints& endpoints, const RequestLabel& label) {
  const ServeOptions& options = server.options();
  auto log = [&](const std::string& what) { server.serverLog().write(label.text() + " " + what); };

  ProgramPlace place(server, label);
  if (!place.taken()) return errorAnswer(503);
  std::vector<std::string> environment = server.view().environment;
  if (!appendCgiEnvironment(request, endpoints, &environment)) return errorAnswer(400);
  auto stdio = std::make_shared<wasi::MemoryStdio>(std::move(request.body), options.max_output, options.max_stderr);

  SpawnRequest spawn;
  spawn.image = server.program();
  spawn.function = server.entry().c_str();
  spawn.function_length = server.entry().size();
  // A WASI command's _start takes nothing; an --entry export with parameters gets zeros.
  if (const char* signature = server.program()->exportSignature(server.entry())) {
    for (const char* c = signature; *c && *c != ':'; ++c) {
      spawn.params.emplace_back();
      spawn.param_types.push_back(*c);
    }
  }
  spawn.capabilities.max_memory = options.max_memory;
  spawn.capabilities.max_fuel = options.max_fuel;
  spawn.capabilities.wasi = requestView(server.view(), std::move(environment), stdio);
  spawn.report_traps = false;  // failures go to the server log, with the request
  std::string error;
  ProcessRef process = spawnProcess(std::move(spawn), &error);
  if (!process) {
    log("cannot start the program: " + error);
    return errorAnswer(500);
  }
  monitorProcess(*process.get());
  bool timed_out = !awaitProcessEnd(process->id, nowNanoseconds() + options.timeout_ms * 1'000'000);
  if (timed_out) {
    process->kill();
    awaitProcessEnd(process->id, 0);
  }
  Death death = process->death;  // written before its end was told
  process = {};

  std::string errors = stdio->errors.take();
  if (!errors.empty() || stdio->errors.overflowed()) logErrors(server, label.text(), errors, stdio->errors.overflowed());
  if (timed_out) {
    log("killed: still running after --timeout " + std::to_string(options.timeout_ms) + " ms");
    return errorAnswer(504);
  }
  if (death.failed) {
    log(failureOf(death));
    return errorAnswer(500);
  }
  if (stdio->output.overflowed()) {
    log("failed: wrote more than --max-output " + std::to_string(options.max_output) + " bytes");
    return errorAnswer(500);
  }

  Answer answer;
  answer.output = stdio->output.take();
  CgiResponse cgi = parseCgiHeaders(answer.output);
  answer.status = cgi.status;
  answer.reason = std::move(cgi.reason);
  answer.headers = std::move(cgi.headers);
  answer.has_content_type = cgi.has_content_type;
  answer.body_offset = cgi.body_offset;
  return answer;
}

}  // namespace lunatic::rt::serve
