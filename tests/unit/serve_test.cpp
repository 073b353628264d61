// lunaticc --serve's pure parts (runtime/serve/): the CGI environment a request's program
// sees, the CGI header block it may write, the strict request framing that keeps smuggled
// requests out, and the server's command line.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/serve/cgi.h"
#include "runtime/serve/framing.h"
#include "runtime/serve/options.h"

using namespace lunatic::rt::serve;
using namespace std::literals;

namespace {

std::vector<std::string> environmentOf(const HttpRequest& request, bool* ok = nullptr) {
  Endpoints endpoints{"10.0.0.2", "51000", "10.0.0.1", "8080"};
  std::vector<std::string> environment;
  bool decoded = appendCgiEnvironment(request, endpoints, &environment);
  if (ok) *ok = decoded;
  return environment;
}

// The value of `key` in `environment`, or "<unset>".
std::string valueOf(const std::vector<std::string>& environment, std::string_view key) {
  std::string prefix = std::string(key) + "=";
  auto it = std::find_if(environment.begin(), environment.end(),
                         [&](const std::string& e) { return e.starts_with(prefix); });
  return it == environment.end() ? "<unset>" : it->substr(prefix.size());
}

HttpRequest get(std::string target, HeaderList headers = {}) {
  HttpRequest request;
  request.method = "GET";
  request.target = std::move(target);
  request.headers = std::move(headers);
  return request;
}

}  // namespace

TEST_CASE("cgi: request line and endpoints become the standard variables") {
  HttpRequest request = get("/a%20b/c?x=1&y=%41", {{"Host", "example.org:8080"}});
  request.http_minor = 0;
  bool ok = false;
  auto env = environmentOf(request, &ok);
  REQUIRE(ok);
  CHECK(valueOf(env, "GATEWAY_INTERFACE") == "CGI/1.1");
  CHECK(valueOf(env, "SERVER_PROTOCOL") == "HTTP/1.0");
  CHECK(valueOf(env, "REQUEST_METHOD") == "GET");
  CHECK(valueOf(env, "REQUEST_URI") == "/a%20b/c?x=1&y=%41");
  CHECK(valueOf(env, "PATH_INFO") == "/a b/c");  // decoded
  CHECK(valueOf(env, "QUERY_STRING") == "x=1&y=%41");  // as sent
  CHECK(valueOf(env, "SCRIPT_NAME") == "");
  CHECK(valueOf(env, "SERVER_NAME") == "example.org");  // the Host header, without its port
  CHECK(valueOf(env, "SERVER_PORT") == "8080");
  CHECK(valueOf(env, "REMOTE_ADDR") == "10.0.0.2");
  CHECK(valueOf(env, "REMOTE_PORT") == "51000");
  CHECK(valueOf(env, "HTTP_HOST") == "example.org:8080");
  CHECK(valueOf(env, "CONTENT_LENGTH") == "<unset>");  // no body, no length
}

TEST_CASE("cgi: SERVER_NAME falls back to the address, and keeps an IPv6 host whole") {
  CHECK(valueOf(environmentOf(get("/")), "SERVER_NAME") == "10.0.0.1");
  CHECK(valueOf(environmentOf(get("/", {{"host", "[::1]:8080"}})), "SERVER_NAME") == "[::1]");
}

TEST_CASE("cgi: headers become HTTP_ variables, repeated ones joined") {
  auto env = environmentOf(get("/", {{"X-Trace-Id", "a"}, {"Accept", "text/html"}, {"x-trace-id", "b"}}));
  CHECK(valueOf(env, "HTTP_X_TRACE_ID") == "a, b");
  CHECK(valueOf(env, "HTTP_ACCEPT") == "text/html");
  CHECK(std::count_if(env.begin(), env.end(), [](const std::string& e) { return e.starts_with("HTTP_X_TRACE_ID="); }) == 1);
}

TEST_CASE("cgi: httpoxy: a Proxy header never becomes HTTP_PROXY") {
  auto env = environmentOf(get("/", {{"Proxy", "http://evil:3128"}, {"PROXY", "http://evil:3128"}}));
  CHECK(valueOf(env, "HTTP_PROXY") == "<unset>");
}

TEST_CASE("cgi: body headers: CONTENT_LENGTH is the body as received, de-chunked") {
  HttpRequest post = get("/upload", {{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"}});
  post.method = "POST";
  post.body = "{\"a\":1}";
  auto env = environmentOf(post);
  CHECK(valueOf(env, "CONTENT_TYPE") == "application/json");
  CHECK(valueOf(env, "CONTENT_LENGTH") == "7");
  CHECK(valueOf(env, "HTTP_TRANSFER_ENCODING") == "<unset>");
  CHECK(valueOf(env, "HTTP_CONTENT_TYPE") == "<unset>");

  // A Content-Length that lies is not passed on: the program gets the real length.
  HttpRequest lying = get("/", {{"Content-Length", "999"}});
  lying.body = "abc";
  CHECK(valueOf(environmentOf(lying), "CONTENT_LENGTH") == "3");
  // An empty body that was announced has length 0.
  CHECK(valueOf(environmentOf(get("/", {{"Content-Length", "0"}})), "CONTENT_LENGTH") == "0");
}

TEST_CASE("cgi: a path that does not decode is refused") {
  bool ok = true;
  environmentOf(get("/a%2"), &ok);
  CHECK_FALSE(ok);
  environmentOf(get("/a%zz"), &ok);
  CHECK_FALSE(ok);
  environmentOf(get("/a%00b"), &ok);  // a NUL cannot be in an environment
  CHECK_FALSE(ok);
  environmentOf(get("/%2e%2E/%2F"), &ok);
  CHECK(ok);  // decoding is not resolving: "../" reaches the program as it was meant
}

TEST_CASE("cgi headers: a header block with Status, Content-Type or Location") {
  std::string output = "Status: 404 Not Found\r\nContent-Type: text/html\r\nX-A:  b \r\n\r\n<p>gone</p>";
  CgiResponse r = parseCgiHeaders(output);
  CHECK(r.status == 404);
  CHECK(r.reason == "Not Found");
  CHECK(r.has_content_type);
  REQUIRE(r.headers.size() == 2);
  CHECK(r.headers[0] == std::pair<std::string, std::string>("Content-Type", "text/html"));
  CHECK(r.headers[1] == std::pair<std::string, std::string>("X-A", "b"));
  CHECK(output.substr(r.body_offset) == "<p>gone</p>");

  CgiResponse bare = parseCgiHeaders("Status: 201\n\n");
  CHECK(bare.status == 201);
  CHECK(bare.reason.empty());
  CHECK(bare.body_offset == 13);

  CgiResponse redirect = parseCgiHeaders("Location: /elsewhere\n\n");
  CHECK(redirect.status == 302);
  REQUIRE(redirect.headers.size() == 1);
  CHECK(redirect.headers[0].second == "/elsewhere");
}

TEST_CASE("cgi headers: plain output is all body") {
  for (std::string_view plain : {"hello world\n", "hello: world\n\nno Status or Content-Type",
                                 "Content-Type: text/plain\n(no empty line)", "", "\n\nbody"}) {
    CgiResponse r = parseCgiHeaders(plain);
    CHECK(r.status == 200);
    CHECK(r.body_offset == 0);
    CHECK(r.headers.empty());
  }
}

TEST_CASE("cgi headers: malformed or hostile header blocks are treated as body") {
  for (std::string_view bad : {
           "Status: 99 Too Low\n\n",                  // not a final status
           "Status: 600\n\n",                          // beyond 599
           "Status: 2000\n\n",                         // four digits
           "Status: abc\n\n",
           "Content Type: text/html\n\n",             // space in the name
           ": text/html\n\n",                          // no name
           "Content-Type: text/html\x01\n\n",          // a control character in the value
           "Content-Type: text/html\rSet-Cookie: x\n\n",  // a bare CR: header injection
       }) {
    CgiResponse r = parseCgiHeaders(bad);
    CHECK_MESSAGE(r.body_offset == 0, std::string(bad));
    CHECK(r.status == 200);
  }
  // No empty line within 16 KiB: the whole output is body, however it starts.
  std::string huge = "Content-Type: text/plain\n" + std::string(17 * 1024, 'x') + "\n\n";
  CHECK(parseCgiHeaders(huge).body_offset == 0);
}

TEST_CASE("cgi headers: the server's own headers are dropped") {
  CgiResponse r = parseCgiHeaders(
      "Content-Type: text/plain\nContent-Length: 1\ntransfer-encoding: chunked\nConnection: close\n"
      "Keep-Alive: 5\nDate: then\nX-Kept: yes\n\nbody");
  REQUIRE(r.headers.size() == 2);
  CHECK(r.headers[0].first == "Content-Type");
  CHECK(r.headers[1].first == "X-Kept");
}

// --- Request framing ---------------------------------------------------------------------

namespace {

// Feeds `bytes` to a fresh framing; a parser would say the head ended at the empty line, so
// startBody is called there with `chunked` / `content_length`. Returns the framing.
RequestFraming frame(std::string_view bytes, bool chunked = false, uint64_t content_length = UINT64_MAX) {
  RequestFraming framing;
  size_t taken = framing.accept(bytes.data(), bytes.size());
  if (!framing.failed() && taken < bytes.size()) {
    framing.startBody(chunked, content_length);
    framing.accept(bytes.data() + taken, bytes.size() - taken);
  } else if (!framing.failed() && !framing.done()) {
    framing.startBody(chunked, content_length);
  }
  return framing;
}

}  // namespace

TEST_CASE("framing: a well-formed head stops at its end until the parser has read it") {
  std::string_view request = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\n";
  RequestFraming framing;
  size_t taken = framing.accept(request.data(), request.size());
  CHECK(taken == 27);  // up to and including the empty line
  CHECK_FALSE(framing.failed());
  CHECK_FALSE(framing.done());
  framing.startBody(false, UINT64_MAX);
  CHECK(framing.done());
  CHECK(framing.accept(request.data() + taken, request.size() - taken) == 0);  // waits for nextMessage
  framing.nextMessage();
  CHECK(framing.accept(request.data() + taken, request.size() - taken) == request.size() - taken);
}

TEST_CASE("framing: smuggling shapes are refused") {
  CHECK(frame("GET / HTTP/1.1\nHost: a\r\n\r\n").failed());           // bare LF in the request line
  CHECK(frame("GET / HTTP/1.1\r\nHost: a\n\r\n").failed());           // bare LF after a field
  CHECK(frame("GET / HTTP/1.1\r\nHost : a\r\n\r\n").failed());        // space before the colon
  CHECK(frame("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n").failed());  // obs-fold
  CHECK(frame("GET / HTTP/1.1\r\n\tX: a\r\n\r\n").failed());
  CHECK(frame("GET / HTTP/1.1\r\nHost: a\rX\r\n\r\n").failed());       // CR not followed by LF
  CHECK(frame("GET / HTTP/1.1\r\nX-\x01: a\r\n\r\n").failed());       // control character in a name
  CHECK(frame("\nGET / HTTP/1.1\r\n\r\n").failed());
  // Empty lines before the request line are ignored (RFC 9112 2.2).
  CHECK_FALSE(frame("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").failed());
}

TEST_CASE("framing: Content-Length bodies are taken whole, whatever they hold") {
  RequestFraming f = frame("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\n\n\r\0x\ny"sv, false, 6);
  CHECK(f.done());
  CHECK_FALSE(f.failed());
  // Bytes beyond the length are the next message's: not taken.
  RequestFraming g;
  std::string_view head = "POST / HTTP/1.1\r\nHost: a\r\n\r\n";
  g.accept(head.data(), head.size());
  g.startBody(false, 2);
  CHECK(g.accept("abcd", 4) == 2);
  CHECK(g.done());
}

TEST_CASE("framing: chunked bodies") {
  std::string_view head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  auto chunked = [&](std::string_view body) { return frame(std::string(head) + std::string(body), true); };
  CHECK(chunked("5\r\nhello\r\n0\r\n\r\n").done());
  CHECK(chunked("A;name=value\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n").done());
  CHECK(chunked("5 ;ext\r\nhello\r\n0\r\n\r\n").done());  // BWS before an extension
  CHECK(chunked("5\nhello\r\n0\r\n\r\n").failed());        // bare LF after the size
  CHECK(chunked("5\r\nhelloXY0\r\n\r\n").failed());        // anything but CRLF after the data
  CHECK(chunked("\r\n").failed());                         // no digits
  CHECK(chunked("5 x\r\nhello\r\n0\r\n\r\n").failed());    // whitespace then not an extension
  CHECK(chunked("5;a\nb\r\nhello\r\n0\r\n\r\n").failed()); // LF inside an extension
  CHECK(chunked("-5\r\n").failed());
  // A size beyond 2^64 bytes
  CHECK(chunked("10000000000000000\r\n").failed());
  CHECK_FALSE(chunked("FFFFFFFFFFFFFFFF\r\n").failed());  // 2^64-1 fits, and waits for data
}

TEST_CASE("framing: a head that arrives in pieces is framed as it is whole") {
  // accept steps over runs of line and name bytes at once: a run that a piece cuts short
  // must go on in the next one, and a refused byte be refused wherever it falls.
  const std::string_view heads[] = {
      "GET /a?b=c HTTP/1.1\r\nHost: example.org\r\nContent-Type: text/plain\r\nX-Long-Name: v a l\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",    // bare LF after a value
      "GET / HTTP/1.1\r\nHost-Name : a\r\n\r\n",     // space before the colon
      "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",       // bare CR inside a value
      "GET / HTTP/1.1\nHost: a\r\n\r\n",              // bare LF in the request line
  };
  for (std::string_view head : heads) {
    CAPTURE(head);
    RequestFraming whole;
    size_t whole_taken = whole.accept(head.data(), head.size());
    for (size_t piece = 1; piece <= head.size(); ++piece) {
      CAPTURE(piece);
      RequestFraming pieces;
      size_t taken = 0;
      for (size_t at = 0; at < head.size() && !pieces.failed(); at += piece) {
        size_t n = std::min(piece, head.size() - at);
        size_t accepted = pieces.accept(head.data() + at, n);
        taken += accepted;
        if (accepted < n) break;  // the head's end, or a refusal
      }
      CHECK(pieces.failed() == whole.failed());
      if (!whole.failed()) CHECK(taken == whole_taken);
    }
  }
}

TEST_CASE("framing: startBody when the head has not ended fails") {
  RequestFraming f;
  std::string_view partial = "GET / HTTP/1.1\r\nHost: a\r\n";
  f.accept(partial.data(), partial.size());
  f.startBody(false, 0);
  CHECK(f.failed());
  CHECK(f.accept("x", 1) == 0);
}

// --- The server's command line -----------------------------------------------------------

namespace {

// Runs parseServeOptions on `args` (after a program name), stderr silenced.
int parse(std::vector<std::string> args, ServeOptions* options) {
  std::vector<std::string> storage = {"server"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  optind = 0;  // getopt_long's full reset, for each parse
  std::FILE* saved = stderr;
  stderr = std::fopen("/dev/null", "w");
  int status = parseServeOptions(int(storage.size()), argv.data(), options);
  std::fclose(stderr);
  stderr = saved;
  return status;
}

}  // namespace

TEST_CASE("serve options: defaults and every value") {
  ServeOptions options;
  CHECK(parse({}, &options) == -1);
  CHECK(options.listen_host == "127.0.0.1");
  CHECK(options.listen_port == "8080");
  CHECK(parse({"--listen", "0.0.0.0:9000", "--threads=4", "--timeout", "250", "--max-body", "0", "--max-output",
               "4096", "--max-stderr", "1", "--max-header-bytes", "256", "--max-concurrent", "7",
               "--max-connections", "9", "--max-memory", "65536", "--max-fuel", "3", "--read-timeout", "11",
               "--keepalive-timeout", "12", "--access-log", "off", "--content-type", "text/html"},
              &options) == -1);
  CHECK(options.listen_host == "0.0.0.0");
  CHECK(options.listen_port == "9000");
  CHECK(options.threads == 4);
  CHECK(options.timeout_ms == 250);
  CHECK(options.max_body == 0);
  CHECK(options.max_output == 4096);
  CHECK(options.max_stderr == 1);
  CHECK(options.max_header_bytes == 256);
  CHECK(options.max_concurrent == 7);
  CHECK(options.max_connections == 9);
  CHECK(options.max_memory == 65536);
  CHECK(options.max_fuel == 3);
  CHECK(options.read_timeout_ms == 11);
  CHECK(options.keepalive_timeout_ms == 12);
  CHECK(options.access_log == "off");
  CHECK(options.content_type == "text/html");
}

TEST_CASE("serve options: listen addresses") {
  ServeOptions options;
  CHECK(parse({"--listen", "[::1]:8081"}, &options) == -1);
  CHECK(options.listen_host == "::1");
  CHECK(options.listen_port == "8081");
  CHECK(parse({"--listen", ":80"}, &options) == -1);
  CHECK(options.listen_host == "");
  CHECK(options.listen_port == "80");
  CHECK(parse({"--listen", "localhost:007"}, &options) == -1);
  CHECK(options.listen_port == "7");  // normalised
  for (const char* bad : {"localhost", "localhost:", "host:65536", "host:-1", "host:80x", "host: 80"}) {
    ServeOptions untouched;
    CHECK_MESSAGE(parse({"--listen", bad}, &untouched) == 2, std::string(bad));
    CHECK(untouched.listen_host == "127.0.0.1");
  }
}

TEST_CASE("serve options: the metrics endpoint's address") {
  ServeOptions options;
  CHECK(options.metrics_listen.empty());
  CHECK(parse({"--metrics-listen", "127.0.0.1:9100"}, &options) == -1);
  CHECK(options.metrics_listen == "127.0.0.1:9100");
  for (const char* bad : {"9100", "host:", "host:99999"}) {
    ServeOptions untouched;
    CHECK_MESSAGE(parse({"--metrics-listen", bad}, &untouched) == 2, std::string(bad));
  }
}

TEST_CASE("serve options: out-of-range and malformed numbers are usage errors") {
  ServeOptions options;
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--threads", "0"},
           {"--threads", "1025"},
           {"--timeout", "0"},
           {"--timeout", "86400001"},
           {"--max-body", "4294967297"},
           {"--max-header-bytes", "255"},
           {"--max-memory", "65535"},
           {"--max-fuel", "1099511627777"},
           {"--max-concurrent", "-1"},
           {"--max-connections", ""},
           {"--read-timeout", "18446744073709551616"},  // overflows uint64
           {"--keepalive-timeout", "5s"},
           {"--max-output", " 5"},
           {"--max-stderr", "+5"},
       }) {
    CHECK_MESSAGE(parse(bad, &options) == 2, bad[0] << " " << bad[1]);
  }
  CHECK(parse({"--max-body", "4294967296"}, &options) == -1);  // the bound itself is allowed
}

TEST_CASE("serve options: unknown options, missing values and stray arguments") {
  ServeOptions options;
  CHECK(parse({"--no-such-option"}, &options) == 2);
  CHECK(parse({"--timeout"}, &options) == 2);
  CHECK(parse({"program.wasm"}, &options) == 2);
  CHECK(parse({"--max-body", "1", "extra"}, &options) == 2);
}
