#define XXH_INLINE_ALL
#include <xxhash.h>

#include "impl/snapshot/content_hash.h"

namespace pager {
namespace snapshot {

std::pair<uint64_t, uint64_t> ContentHashOf(const void* data, size_t len) {
  XXH128_hash_t h = XXH3_128bits(data, len);
  return {h.low64, h.high64};
}

}  // namespace snapshot
}  // namespace pager
