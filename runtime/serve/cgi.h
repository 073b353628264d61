// The CGI side of serving a program (RFC 3875, as far as a program that reads stdin and
// writes stdout needs it): the environment a request's process sees, and the optional block
// of CGI headers at the top of what it writes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lunatic::rt::serve {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One parsed HTTP request, as http_parser gave it.
struct HttpRequest {
  std::string method;
  std::string target;  // the request-target as sent: path and query, still %-encoded
  HeaderList headers;  // as received, names as sent; repeated names repeated
  std::string body;    // de-chunked
  unsigned http_major = 1, http_minor = 1;
  bool keep_alive = true;
};

// Where a request came from and arrived: for REMOTE_* and SERVER_*.
struct Endpoints {
  std::string remote_address, remote_port;
  std::string server_address, server_port;
};

// Header names (and tokens such as a transfer coding) compare without regard to case.
bool equalsIgnoringCase(std::string_view a, std::string_view b);

// Appends the CGI variables of `request` to `environment` ("KEY=value" strings):
// GATEWAY_INTERFACE, SERVER_PROTOCOL, SERVER_SOFTWARE, SERVER_NAME, SERVER_PORT,
// REMOTE_ADDR, REMOTE_PORT, REQUEST_METHOD, REQUEST_URI, SCRIPT_NAME (empty: the program is
// the whole site), PATH_INFO (the path, %-decoded), QUERY_STRING (as sent), CONTENT_TYPE and
// CONTENT_LENGTH (if the request has them or a body), and HTTP_<NAME> for every other header
// (upper case, '-' as '_', repeated headers joined by ", "). The Proxy header is left out
// (a program would take HTTP_PROXY for its proxy: "httpoxy"). False if the path does not
// decode (a bad %-escape, or a NUL, which no environment can hold).
bool appendCgiEnvironment(const HttpRequest& request, const Endpoints& endpoints,
                          std::vector<std::string>* environment);

// What a program's output asks of the response.
struct CgiResponse {
  int status = 200;
  std::string reason;   // the Status header's phrase, if it gave one
  HeaderList headers;   // to send as they are
  size_t body_offset = 0;  // where the body starts in the output
  bool has_content_type = false;
};

// Reads the CGI header block at the top of `output`, if there is one: lines "Name: value"
// ending with an empty line ("\n" or "\r\n"), at least one of them Status, Content-Type or
// Location. Anything else (a first line that is not a header, a value with a control
// character, no empty line within 16 KiB) means the output has no header block and is all
// body, so a program that prints plain text needs no headers. Status sets the status
// ("404 Not Found" or "404", 200 to 599); Location without Status means 302. Content-Length,
// Transfer-Encoding, Connection, Keep-Alive and Date belong to the server and are dropped.
CgiResponse parseCgiHeaders(std::string_view output);

}  // namespace lunatic::rt::serve
