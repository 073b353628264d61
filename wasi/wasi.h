// WASI preview 1 host functions (module "wasi_snapshot_preview1"): the functions listed in
// runtime/include/lunatic/wasi_functions.def, defined on a linker for guests to import.
#pragma once

#include "lunatic/embed.h"

// Sets the guest's arguments (argc entries of argv) for instances outside processes (an
// embedding's); a process has its own (Capabilities::wasi).
void lunatic_wasi_set_arguments(int argc, char** argv);
// Defines the WASI functions; argv (argc entries) becomes the guest's arguments.
void lunatic_wasi_define(lunatic_linker* linker, int argc, char** argv);
