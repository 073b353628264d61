// The registries of process names (lunatic::registry), one per environment (Capabilities::
// environment: the whole program, or one test of test mode). A name belongs to the
// process it names: it counts against that process's host memory budget, and it goes when
// that process ends (so a name never outlives its process: a lookup of it would read as
// absent anyway, docs/abi.md "Deviations"). The names other processes give a process may
// hold at most a quarter of its budget, so that they cannot make it fail, nor keep it from
// naming itself, by naming it: a put past that, or past the budget, is refused, and the
// caller fails instead.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/process/process.h"

namespace lunatic::rt::registry {

// The live process `name` names, or 0.
ProcessId lookup(uint64_t environment, std::string_view name);

// Names `process` `name`, in place of what the name named, for process `caller`. A process
// that is gone gets no name (and the name's old entry goes). False, with `refusal` set and
// nothing changed, if the name would take the process past its budget or, given by
// another, past the quarter of it that names from others may hold.
bool put(uint64_t environment, std::string_view name, ProcessId process, ProcessId caller, std::string* refusal);

void remove(uint64_t environment, std::string_view name);

// get_or_spawn for process `caller`: the live process `name` names, with *found true; else,
// under the registry's lock (so that two callers get one process), what spawn(context)
// returns, with *found false: a new process, then registered as `name` (a name from
// another), or 0 if it could not be made.
ProcessId getOrSpawn(uint64_t environment, std::string_view name, ProcessId caller, bool* found, void* context,
                     ProcessId (*spawn)(void*));
template <typename Spawn>
ProcessId getOrSpawn(uint64_t environment, std::string_view name, ProcessId caller, bool* found, Spawn& spawn) {
  return getOrSpawn(environment, name, caller, found, &spawn,
                    [](void* f) { return (*static_cast<Spawn*>(f))(); });
}

// What a name costs the process it names: the name and its entries in the registry.
uint64_t nameBytes(std::string_view name);

// The names `process` holds (in any environment), for the process table.
std::vector<std::string> namesOf(ProcessId process);

// Removes the names of a process that ended (Process::named). Called by processEnded.
void forget(ProcessId process);

// Removes every name of `environment`, whose processes the host no longer needs: test mode,
// when a test has ended (the processes it left running lose their names).
void forgetEnvironment(uint64_t environment);

}  // namespace lunatic::rt::registry
