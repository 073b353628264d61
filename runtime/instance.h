// Shared by the embedding linker (instance.cpp) and process images.
#pragma once

#include <cstdint>

namespace lunatic::rt {

// Equal signature strings get equal ids, process-wide, so call_indirect can compare
// signatures across modules with one integer comparison.
uint32_t canonicalTypeId(const char* signature);

// The reduction budget of an instance outside the scheduler: large enough that it almost
// never reaches lunatic_yield, which then just refills it.
inline constexpr int64_t kUnpreemptedBudget = int64_t(1) << 62;

}  // namespace lunatic::rt
