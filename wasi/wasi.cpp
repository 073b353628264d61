// The table of WASI preview 1 host functions (module wasi_snapshot_preview1), gathered from
// the file of each area, and checked against runtime/include/lunatic/wasi_functions.def: the
// compiler accepts exactly the imports listed there, so the two must agree.
#include "wasi/wasi.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "runtime/host.h"
#include "wasi/marshal.h"

namespace lunatic::rt {
namespace {

// A mismatch is a bug in the runtime, caught the first time the table is used.
void checkAgainstList(const std::vector<HostFunction>& provided) {
  static constexpr std::string_view listed[] = {
#define LUNATIC_WASI_FUNCTION(name) #name,
#include "lunatic/wasi_functions.def"
#undef LUNATIC_WASI_FUNCTION
  };
  bool agree = provided.size() == std::size(listed);
  for (const HostFunction& f : provided) {
    agree = agree && std::find(std::begin(listed), std::end(listed), f.name) != std::end(listed);
  }
  if (!agree) {
    std::fprintf(stderr, "lunatic: internal error: the WASI functions disagree with wasi_functions.def\n");
    std::abort();
  }
}

}  // namespace

std::span<const HostFunction> wasiHostFunctions() {
  static const std::vector<HostFunction> all = [] {
    std::vector<HostFunction> list;
    for (auto part : {wasi::miscFunctions(), wasi::fdFunctions(), wasi::fdStatFunctions(), wasi::pathFunctions(),
                      wasi::pollFunctions(), wasi::sockFunctions()}) {
      list.insert(list.end(), part.begin(), part.end());
    }
    checkAgainstList(list);
    return list;
  }();
  return all;
}

}  // namespace lunatic::rt
