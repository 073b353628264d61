// /metrics in the Prometheus text format (prometheus.h).
//
// Every family is written once, with its HELP and TYPE lines, and no two families share a
// sample name: a guest series whose name (once made acceptable) is taken by the runtime's
// own or by a guest family of another kind is left out, with a comment saying so, rather
// than making the whole scrape invalid.
#include "runtime/observe/prometheus.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_set>
#include <vector>

#include "runtime/api/metrics.h"
#include "runtime/process/process.h"
#include "runtime/process/scheduler.h"
#include "runtime/stats.h"

namespace lunatic::rt::observe {
namespace {

// The runtime's counters, summed over threads.
struct Totals {
  uint64_t spawned = 0;
  uint64_t ended[size_t(stats::EndCause::Count)] = {};
  uint64_t reductions = 0, messages_sent = 0, message_bytes_sent = 0;  // of the ended processes
  uint64_t io[size_t(stats::IoPath::Count)][size_t(stats::IoKind::Count)] = {};
  uint64_t serve_requests[stats::kStatusCount + 1] = {};
  uint64_t serve_latency[stats::kLatencyBuckets + 1] = {}, serve_latency_sum_us = 0;
};

template <size_t N>
void addAll(uint64_t (&into)[N], const stats::Counter (&from)[N]) {
  for (size_t i = 0; i < N; ++i) into[i] += from[i].read();
}

Totals sumThreads() {
  Totals t;
  stats::forEachThread([&](const stats::ThreadCounters& c) {
    t.spawned += c.spawned.read();
    addAll(t.ended, c.ended);
    t.reductions += c.ended_reductions.read();
    t.messages_sent += c.ended_messages_sent.read();
    t.message_bytes_sent += c.ended_message_bytes_sent.read();
    for (size_t path = 0; path < size_t(stats::IoPath::Count); ++path) addAll(t.io[path], c.io[path]);
    addAll(t.serve_requests, c.serve_requests);
    addAll(t.serve_latency, c.serve_latency);
    t.serve_latency_sum_us += c.serve_latency_sum_us.read();
  });
  return t;
}

// What the live processes count themselves, and their mailboxes' depths now: read from each
// process without its lock (each figure is a relaxed load of what its owner writes).
struct LiveProcesses {
  static constexpr size_t kDepthBuckets = 21;  // depth 0, up to 1, 2, 4 ... 2^19, then above
  uint64_t alive = 0, pool_slots = 0;
  uint64_t reductions = 0, messages_sent = 0, message_bytes_sent = 0;
  uint64_t depths[kDepthBuckets + 1] = {};
};

LiveProcesses liveFigures() {
  LiveProcesses live;
  for (const ProcessRef& ref : liveProcesses()) {
    const Process& p = *ref.get();
    ++live.alive;
    live.pool_slots += p.holdsPoolSlot();
    live.reductions += p.reductions.load(std::memory_order_relaxed);
    live.messages_sent += p.messages_sent.load(std::memory_order_relaxed);
    live.message_bytes_sent += p.message_bytes_sent.load(std::memory_order_relaxed);
    uint64_t depth = p.mailbox.size();
    size_t bucket = depth == 0 ? 0 : depth == 1 ? 1 : size_t(65 - __builtin_clzll(depth - 1));
    ++live.depths[std::min(bucket, LiveProcesses::kDepthBuckets)];
  }
  return live;
}

// The program's TCP sockets now: connections, and listeners. Read from its descriptors
// (every descriptor that is a TCP socket), so nothing is counted as sockets open and close.
struct TcpSockets {
  uint64_t connections = 0, listeners = 0;
};

TcpSockets tcpSockets() {
  TcpSockets sockets;
  DIR* fds = opendir("/proc/self/fd");
  if (!fds) return sockets;
  int own = dirfd(fds);
  while (dirent* entry = readdir(fds)) {
    if (entry->d_name[0] == '.') continue;
    int fd = std::atoi(entry->d_name);
    struct stat st;
    if (fd == own || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    int protocol = 0, listening = 0;
    socklen_t size = sizeof protocol;
    if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &size) != 0 || protocol != IPPROTO_TCP) continue;
    size = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0) continue;
    ++(listening ? sockets.listeners : sockets.connections);
  }
  closedir(fds);
  return sockets;
}

class Writer {
 public:
  // Starts a family; false (and a comment) if one of its sample names is taken.
  bool family(const std::string& name, const char* type, std::string_view help) {
    std::vector<std::string> samples = {name};
    if (std::string_view(type) == "histogram") samples = {name + "_bucket", name + "_sum", name + "_count", name};
    for (const std::string& sample : samples) {
      if (taken_.count(sample)) {
        out_ += "# left out: " + name + " (" + type + "): the name " + sample + " is taken\n";
        return false;
      }
    }
    taken_.insert(samples.begin(), samples.end());
    out_ += "# HELP " + name + ' ';
    for (char c : help) {
      if (c == '\\') out_ += "\\\\";
      else if (c == '\n') out_ += "\\n";
      else out_ += c;
    }
    out_ += "\n# TYPE " + name + ' ' + type + '\n';
    return true;
  }

  // A family of one sample without labels (a gauge or counter of the runtime's).
  void single(const std::string& name, const char* type, std::string_view help, uint64_t value) {
    if (family(name, type, help)) sample(name, "", value);
  }

  // One sample; `labels` is already written ("" or {a="b",...}).
  void sample(std::string_view name, std::string_view labels, double value) {
    out_ += name;
    out_ += labels;
    out_ += ' ';
    appendValue(value);
    out_ += '\n';
  }
  void sample(std::string_view name, std::string_view labels, uint64_t value) {
    out_ += name;
    out_ += labels;
    out_ += ' ';
    out_ += std::to_string(value);
    out_ += '\n';
  }

  // A histogram's samples from cumulative bucket counts; `bounds` as Prometheus writes le.
  void histogram(const std::string& name, const std::string& labels, const std::vector<std::string>& bounds,
                 const std::vector<uint64_t>& cumulative, uint64_t count, double sum) {
    for (size_t i = 0; i < bounds.size(); ++i) {
      sample(name + "_bucket", withLabel(labels, "le", bounds[i]), cumulative[i]);
    }
    sample(name + "_bucket", withLabel(labels, "le", "+Inf"), count);
    sample(name + "_sum", labels, sum);
    sample(name + "_count", labels, count);
  }

  void comment(std::string_view text) {
    out_ += "# ";
    out_ += text;
    out_ += '\n';
  }

  std::string take() { return std::move(out_); }

  static std::string withLabel(const std::string& labels, std::string_view name, std::string_view value) {
    std::string label(name);
    label += "=\"";
    for (char c : value) {
      if (c == '\\') label += "\\\\";
      else if (c == '"') label += "\\\"";
      else if (c == '\n') label += "\\n";
      else label += c;
    }
    label += '"';
    if (labels.empty()) return '{' + label + '}';
    return labels.substr(0, labels.size() - 1) + ',' + label + '}';
  }

 private:
  void appendValue(double value) {
    if (std::isnan(value)) {
      out_ += "NaN";
    } else if (std::isinf(value)) {
      out_ += value > 0 ? "+Inf" : "-Inf";
    } else {
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", value);
      out_ += text;
    }
  }
  std::string out_;
  std::unordered_set<std::string> taken_;
};

std::string labelsOf(const std::vector<metrics::Label>& labels) {
  std::string text;
  for (const metrics::Label& label : labels) text = Writer::withLabel(text, metricName(label.name, true), label.value);
  return text;
}

std::string powerOfTwo(int exponent) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", std::ldexp(1.0, exponent));
  return text;
}

void writeRuntime(Writer& w) {
  Totals t = sumThreads();
  LiveProcesses live = liveFigures();

  w.single("lunatic_processes_alive", "gauge", "Processes alive now.", live.alive);
  w.single("lunatic_processes_spawned_total", "counter", "Processes spawned.", t.spawned);
  if (w.family("lunatic_processes_ended_total", "counter", "Processes ended, by cause.")) {
    for (size_t c = 0; c < size_t(stats::EndCause::Count); ++c) {
      w.sample("lunatic_processes_ended_total", Writer::withLabel("", "cause", stats::endCauseName(stats::EndCause(c))),
               t.ended[c]);
    }
  }
  w.single("lunatic_messages_sent_total", "counter", "Data messages processes sent (send, send_after, distributed).", t.messages_sent + live.messages_sent);
  w.single("lunatic_message_bytes_sent_total", "counter", "Bytes of data in the messages sent.", t.message_bytes_sent + live.message_bytes_sent);
  w.single("lunatic_reductions_total", "counter", "Reductions (about Wasm instructions) processes used, counted as their time slices end.", t.reductions + live.reductions);
  if (w.family("lunatic_mailbox_depth_processes", "gauge",
               "Live processes whose mailbox holds at most at_most messages now (cumulative, as a histogram's buckets).")) {
    uint64_t cumulative = 0;
    for (size_t k = 0; k <= LiveProcesses::kDepthBuckets; ++k) {
      cumulative += live.depths[k];
      std::string bound = k == LiveProcesses::kDepthBuckets ? "+Inf" : k == 0 ? "0" : std::to_string(uint64_t(1) << (k - 1));
      w.sample("lunatic_mailbox_depth_processes", Writer::withLabel("", "at_most", bound), cumulative);
    }
  }

  std::vector<scheduler::WorkerFigures> workers = scheduler::workerFigures();
  auto perWorker = [&](const char* name, const char* type, const char* help, auto value) {
    if (!w.family(name, type, help)) return;
    for (const scheduler::WorkerFigures& f : workers) {
      w.sample(name, Writer::withLabel("", "worker", std::to_string(f.index)), value(f));
    }
  };
  perWorker("lunatic_worker_run_queue_length", "gauge", "Processes waiting in each worker's run queue.",
            [](const scheduler::WorkerFigures& f) { return f.queue_length; });
  perWorker("lunatic_worker_busy_seconds_total", "counter", "Time each worker has spent not asleep waiting for work.",
            [](const scheduler::WorkerFigures& f) { return double(f.busy_ns) / 1e9; });
  perWorker("lunatic_worker_yields_total", "counter", "Time slices that processes gave up on each worker.",
            [](const scheduler::WorkerFigures& f) { return f.yields; });

  if (w.family("lunatic_io_operations_total", "counter",
               "I/O operations: path=direct counts each call tried without waiting; uring, epoll, pool and thread "
               "count those that waited there.")) {
    for (size_t path = 0; path < size_t(stats::IoPath::Count); ++path) {
      for (size_t kind = 0; kind < size_t(stats::IoKind::Count); ++kind) {
        if (!t.io[path][kind]) continue;
        std::string labels = Writer::withLabel("", "path", stats::ioPathName(stats::IoPath(path)));
        w.sample("lunatic_io_operations_total", Writer::withLabel(labels, "kind", stats::ioKindName(stats::IoKind(kind))),
                 t.io[path][kind]);
      }
    }
  }
  w.single("lunatic_memory_pool_slots_in_use", "gauge", "Linear memories of live processes taken from the memory pools.", live.pool_slots);
  TcpSockets tcp = tcpSockets();
  w.single("lunatic_tcp_connections", "gauge", "TCP connections open in the program (the scrape's own included).", tcp.connections);
  w.single("lunatic_tcp_listeners", "gauge", "TCP sockets listening in the program.", tcp.listeners);
  if (w.family("lunatic_serve_requests_total", "counter", "Requests answered by --serve, by status.")) {
    for (size_t s = 0; s <= stats::kStatusCount; ++s) {
      if (!t.serve_requests[s]) continue;
      std::string status = s < stats::kStatusCount ? std::to_string(stats::kStatuses[s]) : "other";
      w.sample("lunatic_serve_requests_total", Writer::withLabel("", "status", status), t.serve_requests[s]);
    }
  }
  if (w.family("lunatic_serve_request_duration_seconds", "histogram",
               "Time from a request's first byte to its answer, in --serve.")) {
    std::vector<std::string> bounds;
    std::vector<uint64_t> cumulative;
    uint64_t sum = 0;
    for (size_t b = 0; b < stats::kLatencyBuckets; ++b) {
      sum += t.serve_latency[b];
      char bound[32];
      std::snprintf(bound, sizeof bound, "%g", stats::kLatencyBounds[b]);
      bounds.push_back(bound);
      cumulative.push_back(sum);
    }
    w.histogram("lunatic_serve_request_duration_seconds", "", bounds, cumulative,
                sum + t.serve_latency[stats::kLatencyBuckets], double(t.serve_latency_sum_us) / 1e6);
  }
}

// The guest's series, family by family (the snapshot is sorted by name, then labels). A
// counter's name ends in "_total", as Prometheus's conventions (and promtool) want: added
// where the guest's name lacks it.
std::string familyName(std::string_view guest_name, std::string_view type) {
  std::string name = metricName(guest_name);
  if (type == "counter" && !name.ends_with("_total")) name += "_total";
  return name;
}

template <typename Value, typename Write>
void writeGuestFamilies(Writer& w, const std::vector<std::pair<metrics::Series, Value>>& series, const char* type,
                        Write write) {
  for (size_t i = 0; i < series.size();) {
    std::string name = familyName(series[i].first.name, type);
    size_t end = i;
    while (end < series.size() && familyName(series[end].first.name, type) == name) ++end;
    if (w.family(name, type, "lunatic::metrics " + std::string(type) + " " + series[i].first.name)) {
      for (size_t k = i; k < end; ++k) write(name, labelsOf(series[k].first.labels), series[k].second);
    }
    i = end;
  }
}

void writeGuest(Writer& w) {
  metrics::Snapshot snapshot = metrics::snapshot();
  writeGuestFamilies(w, snapshot.counters, "counter", [&](const std::string& name, const std::string& labels, uint64_t v) {
    w.sample(name, labels, v);
  });
  writeGuestFamilies(w, snapshot.gauges, "gauge", [&](const std::string& name, const std::string& labels, double v) {
    w.sample(name, labels, v);
  });
  writeGuestFamilies(w, snapshot.histograms, "histogram",
                     [&](const std::string& name, const std::string& labels, const metrics::Histogram& h) {
                       std::vector<std::string> bounds;
                       std::vector<uint64_t> cumulative;
                       uint64_t sum = 0;
                       for (const auto& [bucket, n] : h.buckets) {
                         if (bucket == metrics::Histogram::kInfinite) continue;
                         sum += n;
                         bounds.push_back(bucket == metrics::Histogram::kAtMostZero ? "0" : powerOfTwo(bucket));
                         cumulative.push_back(sum);
                       }
                       w.histogram(name, labels, bounds, cumulative, h.count, h.sum);
                     });
}

}  // namespace

std::string metricName(std::string_view name, bool label) {
  std::string out;
  out.reserve(name.size() + 1);
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9') || (!label && c == ':');
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  // Names beginning "__" are Prometheus's own, for labels.
  if (label && out.size() >= 2 && out[0] == '_' && out[1] == '_') out[0] = 'x';
  return out;
}

std::string renderMetrics() {
  Writer w;
  writeRuntime(w);
  writeGuest(w);
  return w.take();
}

}  // namespace lunatic::rt::observe
