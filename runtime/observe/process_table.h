// The process table: every live process in a line of text, as Erlang's i() lists them, for
// /processes and the SIGUSR1 dump (observer.h).
//
// No instant of the whole table is taken: stopping every worker while 100,000 rows are
// written would stall the program for as long. Instead the table takes a reference to every
// live process (process.h, liveProcesses: each shard of the process table locked only while
// its references are taken), then reads each process under its own lock, which senders and
// the scheduler hold for a few instructions at a time. So each row is one instant of its
// process (its state, mailbox, links and monitors agree with each other), and the table is
// every process that was alive throughout the listing, with those spawned or ended during
// it present or not. A process that ended meanwhile shows as `done`.
#pragma once

#include <cstdint>
#include <string>

namespace lunatic::rt::observe {

struct ProcessTableSummary {
  uint64_t processes = 0;
  uint64_t running = 0, runnable = 0, waiting = 0, done = 0;
  uint64_t elapsed_ns = 0;  // how long the listing took
};

// The table as text: a header line, a line per process, and a last line starting with "#"
// that sums it up (the counts by state, and the time the listing took).
std::string renderProcessTable(ProcessTableSummary* summary = nullptr);

}  // namespace lunatic::rt::observe
