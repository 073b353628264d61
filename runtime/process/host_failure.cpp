// A host function's failure of its caller (host_failure.h).
#include "runtime/process/host_failure.h"

#include "runtime/log.h"

#include "runtime/process/process.h"
#include "runtime/trap.h"

namespace lunatic::rt {

void fail(lunatic_instance* instance, const char* function, const char* why) {
  Process* p = Process::of(instance);
  if (p) {
    p->host_failure = std::string(function) + ": " + why;  // logged with the backtrace as the process ends
  } else {
    log::error(std::string(function) + ": " + why);
  }
  lunatic_trap(LUNATIC_TRAP_HOST);
}

void fail(lunatic_instance* instance, const char* function, std::string why) {
  Process* p = Process::of(instance);
  if (!p) fail(instance, function, why.c_str());  // the embedding's failure ends it: nothing to keep
  p->host_failure = std::string(function) + ": " + why;
  std::string().swap(why);  // frees it: the trap skips this frame's destructors
  lunatic_trap(LUNATIC_TRAP_HOST);
}

}  // namespace lunatic::rt
