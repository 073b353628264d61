// Whether a page of memory holds anything but zeros, as fast as the CPU reads: a pooled
// Wasm memory is reset by storing zeros only to the pages that need it (memory.cpp). Each
// architecture defines it in runtime/arch/<arch>/page_scan.cpp with its vector registers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lunatic::rt::arch {

// The bytes pageHoldsData reads: Linux's smallest page on every architecture.
inline constexpr size_t kScannedPage = 4096;

// `page` is kScannedPage bytes, aligned to 64.
bool pageHoldsData(const uint8_t* page);

}  // namespace lunatic::rt::arch
