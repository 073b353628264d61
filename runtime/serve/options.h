// The settings of a server that lunaticc --serve built, from its command line (--help lists
// them). Sizes are bytes, times milliseconds.
#pragma once

#include <cstdint>
#include <string>

namespace lunatic::rt::serve {

inline constexpr uint64_t kDefaultMaxConnections = 4096;

struct ServeOptions {
  std::string listen_host = "127.0.0.1";
  std::string listen_port = "8080";
  unsigned threads = 0;                   // worker threads; 0: one per core
  uint64_t timeout_ms = 10'000;           // a request's program may run this long (then 504)
  uint64_t max_body = 1 << 20;            // a larger request body gets 413
  uint64_t max_output = 16 << 20;         // a program writing more to stdout gets 500
  uint64_t max_stderr = 64 << 10;         // of a program's stderr, this much reaches the log
  uint32_t max_header_bytes = 16 << 10;   // a longer request line and headers get 431
  uint64_t max_concurrent = 1024;         // programs running at once; beyond, 503
  uint64_t max_connections = 0;           // connections open at once; 0: kDefaultMaxConnections or
                                          // half the descriptor limit, whichever is lower
  uint64_t max_memory = 256 << 20;        // each program's linear memory (beyond: it fails, 500)
  uint64_t max_fuel = 0;                  // each program's fuel, in units of 100,000 reductions; 0: none
  uint64_t read_timeout_ms = 10'000;      // a request must arrive whole within this (then 408)
  uint64_t keepalive_timeout_ms = 5'000;  // an idle connection is closed after this
  std::string access_log = "-";           // a file, "-" for stdout, or "off"
  std::string content_type = "text/plain; charset=utf-8";  // when the program names none
  std::string metrics_listen;             // HOST:PORT of the metrics endpoint; "": LUNATIC_METRICS_LISTEN
};

// Reads the command line into `options`. Returns -1 to go on, or else the status to exit
// with at once: 0 after --help, 2 after a usage error (printed to stderr).
int parseServeOptions(int argc, char** argv, ServeOptions* options);

}  // namespace lunatic::rt::serve
