// x86-64's page scan (runtime/arch/page_scan.h): AVX-512, AVX2 or SSE2, whichever the CPU
// has, chosen once.
#include <immintrin.h>

#include "runtime/arch/page_scan.h"

namespace lunatic::rt::arch {
namespace {

__attribute__((target("avx2"))) bool holdsDataAvx2(const uint8_t* page) {
  __m256i any = _mm256_setzero_si256();
  for (size_t i = 0; i < kScannedPage; i += 128) {
    const auto* p = reinterpret_cast<const __m256i*>(page + i);
    any = _mm256_or_si256(any, _mm256_or_si256(_mm256_or_si256(_mm256_load_si256(p), _mm256_load_si256(p + 1)),
                                               _mm256_or_si256(_mm256_load_si256(p + 2), _mm256_load_si256(p + 3))));
  }
  return !_mm256_testz_si256(any, any);
}

__attribute__((target("avx512f"))) bool holdsDataAvx512(const uint8_t* page) {
  __m512i any = _mm512_setzero_si512();
  for (size_t i = 0; i < kScannedPage; i += 256) {
    const auto* p = reinterpret_cast<const __m512i*>(page + i);
    any = _mm512_or_si512(any, _mm512_or_si512(_mm512_or_si512(_mm512_load_si512(p), _mm512_load_si512(p + 1)),
                                               _mm512_or_si512(_mm512_load_si512(p + 2), _mm512_load_si512(p + 3))));
  }
  return _mm512_test_epi64_mask(any, any) != 0;
}

bool holdsDataSse2(const uint8_t* page) {
  __m128i any = _mm_setzero_si128();
  for (size_t i = 0; i < kScannedPage; i += 64) {
    const auto* p = reinterpret_cast<const __m128i*>(page + i);
    any = _mm_or_si128(any, _mm_or_si128(_mm_or_si128(_mm_load_si128(p), _mm_load_si128(p + 1)),
                                         _mm_or_si128(_mm_load_si128(p + 2), _mm_load_si128(p + 3))));
  }
  return _mm_movemask_epi8(_mm_cmpeq_epi8(any, _mm_setzero_si128())) != 0xffff;
}

}  // namespace

bool pageHoldsData(const uint8_t* page) {
  static const auto check = __builtin_cpu_supports("avx512f") ? holdsDataAvx512
                            : __builtin_cpu_supports("avx2")  ? holdsDataAvx2
                                                              : holdsDataSse2;
  return check(page);
}

}  // namespace lunatic::rt::arch
