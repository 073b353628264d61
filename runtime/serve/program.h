// One request's run of the program: a fresh process of the served module, with the request's
// CGI environment, its body as stdin and its stdout and stderr in memory (runtime/io/memory_stdio.h),
// within the server's limits; and what the answer to the request is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/serve/cgi.h"

namespace lunatic::rt::serve {

class Server;

struct Answer {
  int status = 200;
  std::string reason;       // "" for the usual phrase of the status
  HeaderList headers;
  bool has_content_type = false;
  std::string output;       // the body is output from body_offset on
  size_t body_offset = 0;
};

// What the server log says a line is about: "[address:port #n METHOD target]". Made only
// when a line is written, which most requests never do.
struct RequestLabel {
  const HttpRequest& request;
  const Endpoints& endpoints;
  uint64_t number;  // of the request on its connection, from 1
  std::string text() const;
};

// Runs the program for `request` (whose body it takes) and waits, parked, for its end; on a
// host task. Failures are answered without anything of their cause (the server log has it,
// after `label`): 500 for a trap, a non-zero exit, spent fuel or memory, or
// output past --max-output; 504 when --timeout passed (the process is killed first); 503
// when --max-concurrent programs already run; 400 for a path that cannot be a PATH_INFO.
Answer runProgram(Server& server, HttpRequest& request, const Endpoints& endpoints, const RequestLabel& label);

// An answer with no program behind it: the status, its phrase as a text/plain body.
Answer errorAnswer(int status);

// The usual phrase of an HTTP status ("Not Found"), or "Unknown".
const char* reasonPhrase(int status);

}  // namespace lunatic::rt::serve
