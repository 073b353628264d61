// An HTTP/1.1 connection (connection.h).
#include "runtime/serve/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <string>

#include <http_parser.h>

#include "runtime/io/io.h"
#include "runtime/process/process.h"
#include "runtime/serve/cgi.h"
#include "runtime/serve/framing.h"
#include "runtime/serve/program.h"
#include "runtime/serve/server.h"
#include "runtime/stats.h"

namespace lunatic::rt::serve {
namespace {

constexpr size_t kReceiveSize = 16 * 1024;
constexpr int64_t kTimedOut = -ETIMEDOUT;

uint64_t after(uint64_t milliseconds) { return nowNanoseconds() + milliseconds * 1'000'000; }

// Address and port of a socket address, as text.
void describe(const sockaddr_storage& address, std::string* host, std::string* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    *port = std::to_string(ntohs(v4.sin_port));
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    *port = std::to_string(ntohs(v6.sin6_port));
  }
  *host = text;
}

// "Date: Wed, 25 Nov 2026 12:03:17 GMT\r\n", made again only when the second changes.
const std::string& dateHeader() {
  thread_local std::time_t made_at = 0;
  thread_local std::string header;
  std::time_t now = std::time(nullptr);
  if (now != made_at) {
    std::tm utc;
    gmtime_r(&now, &utc);
    char text[64];
    size_t n = std::strftime(text, sizeof text, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &utc);
    header.assign(text, n);
    made_at = now;
  }
  return header;
}

bool hasBody(int status, const std::string& method) {
  return status != 204 && status != 304 && method != "HEAD";
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Whether a request may be served as its head frames it (RFC 9112): 0 if so, else the
// status that refuses it. http_parser has refused Content-Length twice or with
// Transfer-Encoding, and a Transfer-Encoding whose last coding is not chunked.
int framingRefusal(const HttpRequest& request) {
  if (request.http_major != 1 || request.http_minor > 1) return 400;
  int hosts = 0;
  const std::string* transfer_encoding = nullptr;
  for (const auto& [name, value] : request.headers) {
    if (equalsIgnoringCase(name, "Host")) ++hosts;
    if (equalsIgnoringCase(name, "Transfer-Encoding")) {
      if (transfer_encoding) return 400;  // which of the two would a proxy have read?
      transfer_encoding = &value;
    }
  }
  // Exactly one Host in HTTP/1.1 (RFC 9112 3.2), at most one in HTTP/1.0.
  if (hosts > 1 || (hosts == 0 && request.http_minor == 1)) return 400;
  if (!transfer_encoding) return 0;
  // HTTP/1.0 has no Transfer-Encoding: its framing is faulty (RFC 9112 6.1).
  if (request.http_minor == 0) return 400;
  std::string_view codings = *transfer_encoding;
  int chunked = 0, others = 0;
  for (size_t start = 0; start <= codings.size();) {
    size_t comma = std::min(codings.find(',', start), codings.size());
    std::string_view coding = trimmed(codings.substr(start, comma - start));
    if (equalsIgnoringCase(coding, "chunked")) ++chunked;
    else if (!coding.empty()) ++others;
    start = comma + 1;
  }
  if (chunked != 1) return 400;   // chunked twice
  return others ? 501 : 0;       // gzip, chunked and the like: codings the server does not undo
}

class Connection {
 public:
  Connection(Server& server, int fd, const sockaddr_storage& peer);
  void serve();
  ConnectionSlot& slot() { return slot_; }

 private:
  static const http_parser_settings kSettings;
  // http_parser's callbacks: 0 goes on, anything else stops it with an error.
  static Connection& of(http_parser* parser) { return *static_cast<Connection*>(parser->data); }
  static int onMessageBegin(http_parser* parser);
  static int onUrl(http_parser* parser, const char* at, size_t length);
  static int onHeaderField(http_parser* parser, const char* at, size_t length);
  static int onHeaderValue(http_parser* parser, const char* at, size_t length);
  static int onHeadersComplete(http_parser* parser);
  static int onBody(http_parser* parser, const char* at, size_t length);
  static int onMessageComplete(http_parser* parser);

  // Receives more into input_: bytes received, 0 at the end, -ETIMEDOUT or another -errno.
  int64_t receive(uint64_t deadline_ns);
  // Sends every byte of `iov`; false if the connection failed or the client took too long.
  bool sendAll(iovec* iov, int count);
  // Runs the program for the complete request and answers it; false to close.
  bool answerRequest();
  bool sendAnswer(const Answer& answer, bool closing);
  void refuse(int status);  // answers a request that cannot be served, before closing
  void logAccess(int status, size_t body_bytes);
  void sendContinueIfAsked();
  // Around a wait for a request (idle) or for the rest of one, in which the server may close
  // the connection: false if it has (or should, as it is draining).
  bool startWaiting(bool idle);
  bool stopWaiting(bool idle);

  Server& server_;
  ConnectionSlot slot_;
  Endpoints endpoints_;
  http_parser parser_;
  std::string input_;
  RequestFraming framing_;
  size_t checked_ = 0;     // input_ before this is well framed (framing_)
  size_t parsed_ = 0;      // input_ before this has gone through the parser
  bool in_request_ = false;
  bool in_trailers_ = false;  // the head is read: fields now are a chunked body's trailers
  uint64_t request_started_ns_ = 0;
  uint64_t requests_ = 0;  // on this connection, for the log
  HttpRequest request_;
  bool last_was_value_ = false;  // which of a header's name and value the parser gave last
  int refusal_ = 0;              // the status a callback stopped the parser for
  bool expects_continue_ = false;
  bool continue_sent_ = false;
};

const http_parser_settings Connection::kSettings = [] {
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_message_begin = &Connection::onMessageBegin;
  settings.on_url = &Connection::onUrl;
  settings.on_header_field = &Connection::onHeaderField;
  settings.on_header_value = &Connection::onHeaderValue;
  settings.on_headers_complete = &Connection::onHeadersComplete;
  settings.on_body = &Connection::onBody;
  settings.on_message_complete = &Connection::onMessageComplete;
  return settings;
}();

Connection::Connection(Server& server, int fd, const sockaddr_storage& peer) : server_(server) {
  slot_.fd = fd;
  describe(peer, &endpoints_.remote_address, &endpoints_.remote_port);
  endpoints_.server_address = server.serverAddress();
  endpoints_.server_port = server.serverPort();
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

int Connection::onMessageBegin(http_parser* parser) {
  Connection& c = of(parser);
  c.in_request_ = true;
  c.request_started_ns_ = nowNanoseconds();
  c.request_ = HttpRequest();
  c.last_was_value_ = false;
  c.in_trailers_ = false;
  c.expects_continue_ = c.continue_sent_ = false;
  return 0;
}

int Connection::onUrl(http_parser* parser, const char* at, size_t length) {
  of(parser).request_.target.append(at, length);
  return 0;
}

// Trailer fields are dropped: merged into the head's, they could make a request's Host or
// Content-Type other than what was checked and framed (RFC 9110 6.5.1).
int Connection::onHeaderField(http_parser* parser, const char* at, size_t length) {
  Connection& c = of(parser);
  if (c.in_trailers_) return 0;
  if (c.last_was_value_ || c.request_.headers.empty()) c.request_.headers.emplace_back();
  c.request_.headers.back().first.append(at, length);
  c.last_was_value_ = false;
  return 0;
}

int Connection::onHeaderValue(http_parser* parser, const char* at, size_t length) {
  Connection& c = of(parser);
  if (c.in_trailers_) return 0;
  c.request_.headers.back().second.append(at, length);
  c.last_was_value_ = true;
  return 0;
}

int Connection::onHeadersComplete(http_parser* parser) {
  Connection& c = of(parser);
  HttpRequest& request = c.request_;
  request.method = http_method_str(http_method(parser->method));
  request.http_major = parser->http_major;
  request.http_minor = parser->http_minor;
  // An upgrade (CONNECT, Upgrade: websocket) is answered as a plain request, then closed.
  request.keep_alive = http_should_keep_alive(parser) && !parser->upgrade;
  c.in_trailers_ = true;
  if (int refusal = framingRefusal(request)) {
    c.refusal_ = refusal;
    return -1;
  }
  c.framing_.startBody(parser->flags & F_CHUNKED, parser->content_length);
  uint64_t max_body = c.server_.options().max_body;
  if (parser->content_length != ULLONG_MAX && parser->content_length > max_body) {
    c.refusal_ = 413;
    return -1;
  }
  for (const auto& [name, value] : request.headers) {
    if (equalsIgnoringCase(name, "Expect") && equalsIgnoringCase(value, "100-continue"))
      c.expects_continue_ = true;
  }
  return 0;
}

int Connection::onBody(http_parser* parser, const char* at, size_t length) {
  Connection& c = of(parser);
  if (c.request_.body.size() + length > c.server_.options().max_body) {  // a chunked body grows
    c.refusal_ = 413;
    return -1;
  }
  c.request_.body.append(at, length);
  return 0;
}

int Connection::onMessageComplete(http_parser* parser) {
  // One request at a time: the parser stops here, and the ones pipelined behind it wait.
  http_parser_pause(parser, 1);
  return 0;
}

int64_t Connection::receive(uint64_t deadline_ns) {
  size_t had = input_.size();
  input_.resize(had + kReceiveSize);
  iovec room{input_.data() + had, kReceiveSize};
  int64_t n = io::recv(slot_.fd, {&room, 1}, 0, nullptr, deadline_ns);
  input_.resize(had + size_t(std::max<int64_t>(n, 0)));
  return n;
}

bool Connection::sendAll(iovec* iov, int count) {
  uint64_t deadline = after(server_.options().read_timeout_ms);
  while (count > 0) {
    int64_t n = io::send(slot_.fd, {iov, size_t(count)}, 0, deadline);
    if (n < 0) return false;  // failed, or the client took too long
    size_t sent = size_t(n);
    while (count > 0 && sent >= iov->iov_len) {
      sent -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + sent;
      iov->iov_len -= sent;
    }
  }
  return true;
}

void Connection::sendContinueIfAsked() {
  if (!expects_continue_ || continue_sent_) return;
  continue_sent_ = true;
  static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
  iovec iov{const_cast<char*>(kContinue), sizeof kContinue - 1};
  sendAll(&iov, 1);
}

bool Connection::sendAnswer(const Answer& answer, bool closing) {
  const bool with_body = hasBody(answer.status, request_.method);
  const size_t body_length = answer.output.size() - answer.body_offset;
  std::string head;
  head.reserve(256);
  head.append("HTTP/1.1 ").append(std::to_string(answer.status)).push_back(' ');
  head.append(answer.reason.empty() ? reasonPhrase(answer.status) : answer.reason).append("\r\n");
  head.append(dateHeader());
  for (const auto& [name, value] : answer.headers) head.append(name).append(": ").append(value).append("\r\n");
  if (!answer.has_content_type && body_length > 0) {
    head.append("Content-Type: ").append(server_.options().content_type).append("\r\n");
  }
  if (answer.status != 204 && answer.status != 304) {
    head.append("Content-Length: ").append(std::to_string(body_length)).append("\r\n");
  }
  if (closing) {
    head.append("Connection: close\r\n");
  } else if (request_.http_minor == 0) {
    head.append("Connection: keep-alive\r\n");
  }
  head.append("\r\n");
  iovec iov[2] = {{head.data(), head.size()},
                  {const_cast<char*>(answer.output.data() + answer.body_offset), with_body ? body_length : 0}};
  bool sent = sendAll(iov, with_body && body_length ? 2 : 1);
  logAccess(answer.status, with_body ? body_length : 0);
  return sent;
}

void Connection::logAccess(int status, size_t body_bytes) {
  uint64_t latency_ns = nowNanoseconds() - request_started_ns_;
  stats::countServeRequest(status, latency_ns);
  LogWriter& log = server_.accessLog();
  if (!log.enabled()) return;
  double milliseconds = double(latency_ns) / 1e6;
  std::string line;
  line.reserve(160);
  line.append(endpoints_.remote_address).append(" - - ").append(logTimestamp()).append(" \"");
  line.append(request_.method.empty() ? "-" : request_.method).push_back(' ');
  line.append(request_.target.empty() ? "-" : request_.target);
  char tail[96];
  std::snprintf(tail, sizeof tail, " HTTP/%u.%u\" %d %zu %.3fms", request_.http_major, request_.http_minor, status,
                body_bytes, milliseconds);
  line.append(tail);
  log.write(line);
}

void Connection::refuse(int status) {
  sendAnswer(errorAnswer(status), true);
}

bool Connection::answerRequest() {
  ++requests_;
  bool keep_alive = request_.keep_alive;
  Answer answer = runProgram(server_, request_, endpoints_, {request_, endpoints_, requests_});
  bool closing = !keep_alive || server_.draining();
  in_request_ = false;
  return sendAnswer(answer, closing) && !closing;
}

bool Connection::startWaiting(bool idle) {
  slot_.waiting_since_ns.store(idle ? nowNanoseconds() : request_started_ns_);
  slot_.state.store(idle ? ConnectionSlot::Idle : ConnectionSlot::Reading);
  if (!idle || !server_.draining()) return true;
  // The server began draining before it could see this connection idle: close it here.
  int expected = ConnectionSlot::Idle;
  slot_.state.compare_exchange_strong(expected, ConnectionSlot::Closing);
  return false;
}

bool Connection::stopWaiting(bool idle) {
  int expected = idle ? ConnectionSlot::Idle : ConnectionSlot::Reading;
  return slot_.state.compare_exchange_strong(expected, ConnectionSlot::Busy);  // else the server closes it
}

void Connection::serve() {
  for (;;) {
    if (parsed_ == input_.size()) {
      input_.clear();
      parsed_ = checked_ = 0;
      const bool idle = !in_request_;
      if (!startWaiting(idle)) return;
      int64_t n = receive(idle ? after(server_.options().keepalive_timeout_ms)
                               : request_started_ns_ + server_.options().read_timeout_ms * 1'000'000);
      if (!stopWaiting(idle)) {  // closed to make room for another connection, or to stop
        if (!idle) refuse(503);
        return;
      }
      if (n == kTimedOut && !idle) {
        refuse(408);
        return;
      }
      if (n <= 0) return;  // closed, failed, or idle for too long
    }
    // The parser reads only what the framing check has vouched for.
    checked_ += framing_.accept(input_.data() + checked_, input_.size() - checked_);
    if (framing_.failed() || checked_ == parsed_) {  // the check and the parser disagree: refuse too
      refuse(400);
      return;
    }
    size_t n = http_parser_execute(&parser_, &kSettings, input_.data() + parsed_, checked_ - parsed_);
    parsed_ += n;
    http_errno error = HTTP_PARSER_ERRNO(&parser_);
    if (error == HPE_PAUSED) {
      http_parser_pause(&parser_, 0);
      if (!framing_.done()) {
        refuse(400);
        return;
      }
      framing_.nextMessage();
      if (!answerRequest()) return;
      // An upgrade request's bytes after it belong to another protocol: nothing to parse.
      if (parser_.upgrade) return;
      continue;
    }
    if (error != HPE_OK) {
      refuse(refusal_ ? refusal_ : error == HPE_HEADER_OVERFLOW ? 431 : 400);
      return;
    }
    sendContinueIfAsked();
  }
}

}  // namespace

void serveConnection(Server& server, int fd, const sockaddr_storage& peer) {
  Connection connection(server, fd, peer);
  server.enter(&connection.slot());
  connection.serve();
  server.leave(&connection.slot());
}

}  // namespace lunatic::rt::serve
