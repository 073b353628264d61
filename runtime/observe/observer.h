// What an executable shows of itself while it runs (docs/architecture.md, "Observability"):
//   - SIGUSR1 writes the process table (process_table.h) to stderr;
//   - with a metrics address (`--serve`'s --metrics-listen, or LUNATIC_METRICS_LISTEN for
//     any executable, whose arguments are the guest's), an HTTP listener there serves
//     GET /metrics (prometheus.h) and GET /processes (the process table), and the runtime
//     records its figures (stats.h) from the start.
//
// Both are served by one thread of the observer's own, asleep in poll(2) until a signal or a
// scrape comes: a scrape of 100,000 processes takes milliseconds of work that a worker would
// take from its processes (a host task cannot be preempted), and the signal is taken through
// a signalfd, so no handler runs in a signal context at all. Up to 16 clients are served at
// once without blocking, each within a deadline, the connection closed after the answer.
#pragma once

#include <string>

namespace lunatic::rt::observe {

// Call once, before scheduler::start: it blocks SIGUSR1 in the calling thread, whose mask
// the workers inherit, so that the signal reaches only the signalfd. `metrics_listen` is the
// endpoint's address ("HOST:PORT", main/listener.h); empty: LUNATIC_METRICS_LISTEN, if set.
// Returns "" or why the endpoint cannot be served (a bad address, a port in use).
std::string startObserver(std::string metrics_listen);

}  // namespace lunatic::rt::observe
