// The server's command line (options.h), read with getopt_long.
#include "runtime/serve/options.h"

#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/main/listener.h"

namespace lunatic::rt::serve {
namespace {

constexpr const char* kUsage = R"(usage: %s [options]

Serves the program this executable was built from (lunaticc --serve) over HTTP/1.1: every
request runs it as a fresh, isolated process, with the request body on stdin, the CGI
variables (REQUEST_METHOD, PATH_INFO, QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH, HTTP_*, ...)
as its environment and its stdout as the response. A block of CGI headers at the top of
stdout (Status:, Content-Type:, Location:, others, then an empty line) is honoured. What it
writes to stderr goes to the server's stderr, each line prefixed with the request.

  --listen HOST:PORT       address to listen on (default 127.0.0.1:8080; [::1]:8080 for IPv6)
  --threads N              worker threads (default: one per core)
  --timeout MS             wall-clock time a request's program may run; then it is killed
                           and the answer is 504 (default 10000)
  --max-body BYTES         largest request body; larger gets 413 (default 1048576)
  --max-output BYTES       most a program may write to stdout; more gets 500 (default 16777216)
  --max-stderr BYTES       most of a program's stderr that reaches the log (default 65536)
  --max-header-bytes BYTES longest request line and headers; longer gets 431 (default 16384)
  --max-concurrent N       programs running at once; a request beyond gets 503 (default 1024)
  --max-connections N      connections open at once (default 4096, or half the descriptor
                           limit if that is lower). At the cap, the connections that have
                           waited longest for a request, or for the rest of one, are closed to
                           make room (the latter answered 503); if every connection is busy
                           with a request, new ones wait in the listen backlog
  --max-memory BYTES       each program's linear memory; a program that needs more fails: 500
                           (default 268435456)
  --max-fuel N             each program's fuel, in units of 100,000 Wasm instructions; a
                           program that spends it is stopped: 500 (default 0: no limit)
  --read-timeout MS        a request must arrive whole within this; else 408 (default 10000)
  --keepalive-timeout MS   an idle keep-alive connection is closed after this (default 5000)
  --access-log FILE        one line per request; '-' is stdout, 'off' none (default -)
  --content-type TYPE      for output without a Content-Type header
                           (default 'text/plain; charset=utf-8')
  --metrics-listen HOST:PORT  serve /metrics (Prometheus) and /processes (the process
                           table) there; also LUNATIC_METRICS_LISTEN (default: off)
  --help                   this text

A program that traps, exits with a non-zero status or runs out of memory or fuel gets 500,
with nothing of its failure in the response (the log has it). Malformed or ambiguous
requests get 400 (bare LF line ends, obs-fold, whitespace in or after a header name,
Transfer-Encoding twice or with Content-Length, HTTP versions other than 1.0 and 1.1, an
HTTP/1.1 request without exactly one Host), slow ones 408.

At most, with the defaults, a request costs: its head (16 KiB) and body (1 MiB) in memory,
then its program's memory (256 MiB), its output (16 MiB) and stderr (64 KiB); and time:
10 s to arrive, 10 s to run, 10 s to be taken by the client. SIGTERM or SIGINT stops taking connections, lets the requests in flight
finish, then exits.
)";

// Reads a whole decimal number within [minimum, maximum]; false if it is not one.
bool readNumber(const char* text, uint64_t minimum, uint64_t maximum, uint64_t* out) {
  // Digits only: strtoull alone would take leading whitespace and a sign.
  if (!text || !*text || std::strspn(text, "0123456789") != std::strlen(text)) return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (errno || *end || value < minimum || value > maximum) return false;
  *out = value;
  return true;
}

// --listen's address (main/listener.h).
bool readListen(const char* text, ServeOptions* options) {
  ListenAddress address;
  if (!parseListenAddress(text, &address)) return false;
  options->listen_host = address.host;
  options->listen_port = address.port;
  return true;
}

enum Option : int {
  kListen = 256, kThreads, kTimeout, kMaxBody, kMaxOutput, kMaxStderr, kMaxHeaderBytes, kMaxConcurrent,
  kMaxConnections, kMaxMemory, kMaxFuel, kReadTimeout, kKeepaliveTimeout, kAccessLog, kContentType, kMetricsListen,
  kHelp,
};

constexpr option kOptions[] = {
    {"listen", required_argument, nullptr, kListen},
    {"threads", required_argument, nullptr, kThreads},
    {"timeout", required_argument, nullptr, kTimeout},
    {"max-body", required_argument, nullptr, kMaxBody},
    {"max-output", required_argument, nullptr, kMaxOutput},
    {"max-stderr", required_argument, nullptr, kMaxStderr},
    {"max-header-bytes", required_argument, nullptr, kMaxHeaderBytes},
    {"max-concurrent", required_argument, nullptr, kMaxConcurrent},
    {"max-connections", required_argument, nullptr, kMaxConnections},
    {"max-memory", required_argument, nullptr, kMaxMemory},
    {"max-fuel", required_argument, nullptr, kMaxFuel},
    {"read-timeout", required_argument, nullptr, kReadTimeout},
    {"keepalive-timeout", required_argument, nullptr, kKeepaliveTimeout},
    {"access-log", required_argument, nullptr, kAccessLog},
    {"content-type", required_argument, nullptr, kContentType},
    {"metrics-listen", required_argument, nullptr, kMetricsListen},
    {"help", no_argument, nullptr, kHelp},
    {nullptr, 0, nullptr, 0},
};

constexpr uint64_t kDay = 86'400'000;

const char* nameOf(int value) {
  for (const option& o : kOptions) {
    if (o.val == value) return o.name;
  }
  return "?";
}

}  // namespace

int parseServeOptions(int argc, char** argv, ServeOptions* options) {
  opterr = 0;
  for (int c; (c = getopt_long(argc, argv, "", kOptions, nullptr)) != -1;) {
    uint64_t n = 0;
    ListenAddress address;
    bool ok = true;
    switch (c) {
      case kListen: ok = readListen(optarg, options); break;
      case kThreads: ok = readNumber(optarg, 1, 1024, &n), options->threads = unsigned(n); break;
      case kTimeout: ok = readNumber(optarg, 1, kDay, &options->timeout_ms); break;
      case kMaxBody: ok = readNumber(optarg, 0, uint64_t(1) << 32, &options->max_body); break;
      case kMaxOutput: ok = readNumber(optarg, 0, uint64_t(1) << 32, &options->max_output); break;
      case kMaxStderr: ok = readNumber(optarg, 0, uint64_t(1) << 32, &options->max_stderr); break;
      case kMaxHeaderBytes: ok = readNumber(optarg, 256, 1 << 24, &n), options->max_header_bytes = uint32_t(n); break;
      case kMaxConcurrent: ok = readNumber(optarg, 1, 1'000'000, &options->max_concurrent); break;
      case kMaxConnections: ok = readNumber(optarg, 1, 1'000'000, &options->max_connections); break;
      case kMaxMemory: ok = readNumber(optarg, 65536, uint64_t(1) << 32, &options->max_memory); break;
      case kMaxFuel: ok = readNumber(optarg, 0, uint64_t(1) << 40, &options->max_fuel); break;
      case kReadTimeout: ok = readNumber(optarg, 1, kDay, &options->read_timeout_ms); break;
      case kKeepaliveTimeout: ok = readNumber(optarg, 1, kDay, &options->keepalive_timeout_ms); break;
      case kAccessLog: options->access_log = optarg; break;
      case kContentType: options->content_type = optarg; break;
      case kMetricsListen: ok = parseListenAddress(optarg, &address), options->metrics_listen = optarg; break;
      case kHelp: std::printf(kUsage, argv[0]); return 0;
      default:
        std::fprintf(stderr, "%s: error: unknown option or missing value: %s (see --help)\n", argv[0],
                     argv[optind - 1]);
        return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "%s: error: bad value for --%s: '%s' (see --help)\n", argv[0], nameOf(c), optarg);
      return 2;
    }
  }
  if (optind < argc) {
    std::fprintf(stderr, "%s: error: unexpected argument '%s' (see --help)\n", argv[0], argv[optind]);
    return 2;
  }
  return -1;
}

}  // namespace lunatic::rt::serve
