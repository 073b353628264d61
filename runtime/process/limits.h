// Limits on what the processes of one program may hold together, taken from the memory the
// program may use (docs/architecture.md, "Isolation", "Host memory and the number of
// processes"): how many processes may be alive at once, the host memory budget of a process
// whose config sets none lower, and the emergency reserve that lets a host function which
// hits the system's limit finish before its process fails.
#pragma once

#include <cstdint>

namespace lunatic::rt::limits {

// Bytes of memory this program may use: the least of the machine's physical memory, the
// cgroup v2 `memory.max` of the program's cgroup and its ancestors, RLIMIT_AS and RLIMIT_DATA.
uint64_t availableMemory();

// The least a process occupies, idle (docs/benchmarks.md: 13 KiB): a page of native stack,
// the pages of linear memory it touched and the runtime's objects.
inline constexpr uint64_t kLeastProcessBytes = 16 * 1024;

// How many processes may be alive at once: LUNATIC_MAX_PROCESSES, or else as many of the
// least a process occupies as availableMemory() holds (1.5 million on 24 GiB).
uint64_t maxProcesses();

// The host memory budget of the root process, which configs inherit (max_host_memory):
// LUNATIC_MAX_HOST_MEMORY, or else an eighth of availableMemory(), at most 1 GiB.
uint64_t defaultMaxHostMemory();

// Bytes kept mapped (not touched) from the start, given back when an allocation fails so
// that the host function that asked can finish: a 32nd of availableMemory(), between 4 and
// 64 MiB.
uint64_t emergencyReserveBytes();

}  // namespace lunatic::rt::limits
