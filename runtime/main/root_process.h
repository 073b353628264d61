// Root processes: processes the host starts on an export of the module (the executable's
// entry, each test of test mode), not a guest's children. The host waits for their end and
// reports how they failed itself.
#pragma once

#include <string>
#include <string_view>

#include "runtime/process/wasi_config.h"
#include "runtime/process/process.h"

namespace lunatic::rt {

// A request to spawn the export `entry` of `image` with the WASI view `view`: watched (the
// host waits for it with scheduler::waitFor), its trap kept in its Death instead of logged,
// and a zero for each parameter the export takes (a WASI command's _start takes none).
// `entry` must outlive the spawn.
SpawnRequest rootProcessRequest(ModuleImage* image, std::string_view entry, wasi::WasiConfigPtr view);

// How a root process that trapped is reported: "trap: <kind>" (or "trap: <function>: <why>"
// if a host function refused its input), then its backtrace, a line "  at f" per frame.
std::string trapReport(const Death& death);

}  // namespace lunatic::rt
