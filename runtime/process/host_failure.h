// How a host function ends the process that called it, when that process passed something
// no call can accept (a pointer outside its memory, an unknown resource id): shared by every
// host API, lunatic::* (runtime/api/) and WASI (wasi/) alike.
#pragma once

#include <string>

#include "lunatic/abi.h"

namespace lunatic::rt {

// Ends the calling process with a trap; its one log line names the function and why. An
// instance outside the scheduler (an embedding) has no process: the line goes to stderr.
[[noreturn]] void fail(lunatic_instance* instance, const char* function, const char* why);
// The same with a message made at run time. The trap unwinds without running destructors:
// the message is moved in, and the caller should hold no other string on its frame.
[[noreturn]] void fail(lunatic_instance* instance, const char* function, std::string why);

}  // namespace lunatic::rt
