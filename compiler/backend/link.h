// Linking an executable in-process with lld: the modules' objects, the runtime archives
// that sit next to lunaticc (../lib), libstdc++ and libgcc statically, glibc dynamically,
// or (--static) glibc statically too, as a static-pie that needs no file of the host.
#pragma once

#include <string>
#include <vector>

namespace lunaticc {

struct Target;

// What of the compile options (compile.h) shapes the link.
struct LinkOptions {
  bool strip = false;        // leave the symbol table out
  bool serve = false;        // the HTTP server's entry (runtime/serve/, with libhttp_parser), not the run-once one
  bool static_link = false;  // a static-pie with glibc inside, needing no file of the host
  const Target* target = nullptr;  // what the objects were compiled for (targets.h)
  // Keep the objects' DWARF (lunaticc -g). Without it the linker leaves it out: the
  // compiler has read what it needs of it (the inline table, compiler/debuginfo/).
  bool debug = false;
};

// Links `objects` (one per module: lunaticc --module) into the executable `output`. Returns
// an empty string on success, else lld's first error line.
std::string linkExecutable(const std::vector<std::string>& objects, const std::string& output,
                           const LinkOptions& options);

// Runs lld (ELF) in-process with `args`: an empty string on success, else "`what` failed"
// with lld's first error line.
std::string runLld(const std::vector<const char*>& args, const std::string& what);

// The runtime archives an executable for `target` is linked against, in link order (they
// sit in ../lib/lunaticc, next to the lunaticc binary's directory, a cross target's in a
// folder of its own): what, beside the compiler itself, makes an executable what it is.
std::vector<std::string> runtimeArchives(const Target& target, bool serve);

}  // namespace lunaticc
