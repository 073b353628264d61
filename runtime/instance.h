// Shared by the embedding linker (instance.cpp) and process images.
#pragma once

#include <cstdint>

#include "lunatic/abi.h"

namespace lunatic::rt {

// Equal signature strings get equal ids, process-wide, so call_indirect can compare
// signatures across modules with one integer comparison.
uint32_t canonicalTypeId(const char* signature);

// The cell of global `index` of `m` in `instance`: for the module's first own (not
// imported) globals their inline cell (abi.h), where generated code expects them, else
// `others[index]`.
inline lunatic_value* ownGlobalCell(lunatic_instance& instance, const lunatic_module* m, uint32_t index,
                                    lunatic_value* others) {
  uint32_t own = index - m->num_imported_globals;
  return index >= m->num_imported_globals && own < LUNATIC_INLINE_GLOBALS ? &instance.inline_globals[own]
                                                                           : &others[index];
}

// The reduction budget of an instance outside the scheduler: large enough that it almost
// never reaches lunatic_yield, which then just refills it.
inline constexpr int64_t kUnpreemptedBudget = int64_t(1) << 62;

}  // namespace lunatic::rt
