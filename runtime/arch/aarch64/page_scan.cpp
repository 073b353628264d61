// AArch64's page scan (runtime/arch/page_scan.h): Advanced SIMD, which every AArch64 CPU
// has, four 16-byte registers a step.
#include <arm_neon.h>

#include "runtime/arch/page_scan.h"

namespace lunatic::rt::arch {

bool pageHoldsData(const uint8_t* page) {
  uint8x16_t any = vdupq_n_u8(0);
  for (size_t i = 0; i < kScannedPage; i += 64) {
    const uint8x16x4_t lines = vld1q_u8_x4(page + i);
    any = vorrq_u8(any, vorrq_u8(vorrq_u8(lines.val[0], lines.val[1]), vorrq_u8(lines.val[2], lines.val[3])));
  }
  return vmaxvq_u8(any) != 0;
}

}  // namespace lunatic::rt::arch
