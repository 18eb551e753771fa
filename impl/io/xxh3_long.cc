// Why this exists: libxxhash's XXH3_64bits_withSecret_dispatch takes the secret's size at run
// time, so for a medium input (a 288-byte record) its compiled code divides by a
// runtime block length and calls the accumulator merge out of line -- xxhash.h says the size
// should be a compile-time constant for "medium" keys (< 1 KB) with AVX. Here the same
// xxHash code (XXH3_hashLong_64b_internal and its AVX-512/AVX2 kernels, exactly as
// xxh_x86dispatch.c builds them) is compiled with the size fixed at 192, one function per
// vector unit; the values are XXH3's (tests/checksum_test.cc compares every length with
// portable XXH3). Measured in doc/performance.md (WAL-segment scan).
#include "impl/io/xxh3_long.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// GCC 12's avx512fintrin.h builds "undefined" vectors from uninitialized locals, which
// -Wuninitialized reports where its intrinsics are inlined (a known false positive of the
// system header, not of this code).
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#define XXH_INLINE_ALL
#define XXH_X86DISPATCH  // 64-byte aligned accumulators, as libxxhash's dispatcher builds
#define XXH_DISPATCH_AVX512 1
#define XXH_DISPATCH_AVX2 1
#define XXH_TARGET_AVX512 __attribute__((__target__("avx512f")))
#define XXH_TARGET_AVX2 __attribute__((__target__("avx2")))
#include <xxhash.h>

namespace pager {

namespace {

constexpr size_t kSecretBytes = 192;  // XXH3_SECRET_DEFAULT_SIZE, what seeds derive
static_assert(kSecretBytes == XXH3_SECRET_DEFAULT_SIZE, "XXH3 secret size");

// flatten: XXH3_mergeAccs is a plain static function in xxhash.h; inline it too.
__attribute__((__target__("avx512f"), __flatten__))
uint64_t LongAvx512(const void* data, size_t len, const void* secret) {
  return XXH3_hashLong_64b_internal(data, len, secret, kSecretBytes, XXH3_accumulate_512_avx512,
                                    XXH3_scrambleAcc_avx512);
}

__attribute__((__target__("avx2"), __flatten__))
uint64_t LongAvx2(const void* data, size_t len, const void* secret) {
  return XXH3_hashLong_64b_internal(data, len, secret, kSecretBytes, XXH3_accumulate_512_avx2,
                                    XXH3_scrambleAcc_avx2);
}

}  // namespace

Xxh3LongFn Xxh3LongFor(VectorUnit unit) {
  __builtin_cpu_init();
  // __builtin_cpu_supports also requires the OS to save the registers (XCR0).
  switch (unit) {
    case VectorUnit::kAvx512:
      return __builtin_cpu_supports("avx512f") ? LongAvx512 : nullptr;
    case VectorUnit::kAvx2:
      return __builtin_cpu_supports("avx2") ? LongAvx2 : nullptr;
  }
  return nullptr;
}

Xxh3LongFn Xxh3LongForThisCpu() {
  static const Xxh3LongFn fn = Xxh3LongFor(VectorUnit::kAvx512) != nullptr
                                   ? Xxh3LongFor(VectorUnit::kAvx512)
                                   : Xxh3LongFor(VectorUnit::kAvx2);
  return fn;
}

}  // namespace pager

#pragma GCC diagnostic pop

#else

namespace pager {
Xxh3LongFn Xxh3LongFor(VectorUnit) { return nullptr; }
Xxh3LongFn Xxh3LongForThisCpu() { return nullptr; }
}  // namespace pager

#endif
