#define XXH_INLINE_ALL
#include <xxhash.h>

#include "impl/snapshot/content_hash.h"

namespace pager {
namespace snapshot {

std::pair<uint64_t, uint64_t> ContentHashOf(const void* data, size_t len) {
  XXH128_hash_t h = XXH3_128bits(data, len);
  return {h.low64, h.high64};
}

std::pair<uint64_t, uint64_t> ContentHashOfSegments(const pager_page_segment* segments,
                                                    size_t count) {
  XXH3_state_t state;
  XXH3_INITSTATE(&state);
  XXH3_128bits_reset(&state);
  for (size_t i = 0; i < count; i++) XXH3_128bits_update(&state, segments[i].data, segments[i].bytes);
  XXH128_hash_t h = XXH3_128bits_digest(&state);
  return {h.low64, h.high64};
}

}  // namespace snapshot
}  // namespace pager
