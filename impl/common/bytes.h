// AllZero: whether n bytes are all zero -- the one test behind every "reserved bytes must be
// zero", "empty slot" and "zero tail" check of the formats, and the commit's test of a page
// that was never written. A word at a time: a long pre-written tail or a whole page is
// scanned at memory speed.
#pragma once

#include <cstdint>
#include <cstring>

namespace pager {

inline bool AllZero(const void* p, uint64_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, b + i, 8);
    if (w != 0) return false;
  }
  for (; i < n; i++) {
    if (b[i] != 0) return false;
  }
  return true;
}

}  // namespace pager
