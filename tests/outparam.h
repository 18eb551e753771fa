// The out-parameter promise of pager.h (convention C5): on failure, every out-parameter is
// left untouched. Each exported function gets a test TEST(OutParam, <function name>) in
// tests/<component>_outparam_test.cc that
//   - pre-fills every out-parameter with a sentinel,
//   - makes the call fail after argument validation where the function can (an I/O error or
//     ENOSPC through the fault seam -- pager::io::SetDefaultEnvForTesting with a FaultEnv --,
//     a full directory, a missing page), not only with NULL arguments,
//   - checks the code and that every sentinel is intact, and that pager_last_error() is ""
//     after the next successful call (C2).
// tests/outparam_coverage_test.cc reads abi/pager.symbols and fails for every exported
// function without such a test.
#pragma once

#include <cstdint>
#include <cstring>

#include "impl/io/env.h"

namespace outparam {

constexpr uint64_t kSentinel64 = 0xA5A5A5A5A5A5A5A5ull;
constexpr uint32_t kSentinel32 = 0xA5A5A5A5u;
constexpr uint8_t kSentinelByte = 0xA5;

inline void Fill(void* p, size_t n) { std::memset(p, kSentinelByte, n); }
inline bool Untouched(const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; i++) {
    if (b[i] != kSentinelByte) return false;
  }
  return true;
}
// A pointer-sized sentinel for handle out-parameters (T **out).
template <typename T>
T* SentinelPtr() {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(kSentinel64));
}

// Routes every pager_* call of the scope through `env` (a MemEnv or FaultEnv).
class ScopedEnv {
 public:
  explicit ScopedEnv(pager::io::Env* env) { pager::io::SetDefaultEnvForTesting(env); }
  ~ScopedEnv() { pager::io::SetDefaultEnvForTesting(nullptr); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
};

}  // namespace outparam
