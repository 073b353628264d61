// WASI preview 1 host functions (module "wasi_snapshot_preview1"): every function listed in
// runtime/include/lunatic/wasi_functions.def, in the host function table (host.h) that
// processes resolve their imports from.
//
// Files by area: context.* (a process's descriptor table), sandbox.* (how guest paths reach
// host files), fd.cpp and fd_stat.cpp (descriptors), path.cpp, poll.cpp, sock.cpp, misc.cpp
// (arguments, environment, clocks, randomness, exit, signals, yielding); types.h and
// errno_table.* hold the specification's values, marshal.* the guest records.
#pragma once

#include "runtime/host.h"
