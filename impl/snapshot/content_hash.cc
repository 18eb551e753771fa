// XXH3-128 through libxxhash.so's runtime dispatcher (xxh_x86dispatch.h), like Checksum64
// (impl/io/checksum.cc): the widest vector unit the CPU has (AVX-512, AVX2 or SSE2). The
// inlined portable build (XXH_INLINE_ALL, what this file used before) compiles to SSE2 at the
// project's flags and measured 51 ms/GiB for 4 KiB inputs and 221 ms/GiB for 64 KiB-1 MiB
// inputs against 18 and 12 ms/GiB through the dispatcher (doc/snapshot.md). Same values.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#if defined(__x86_64__) || defined(__i386__)
#define XXH_DISPATCH_DISABLE_REPLACE  // name the *_dispatch functions explicitly below
#include <xxh_x86dispatch.h>
#define PAGER_XXH3_128 XXH3_128bits_dispatch
#define PAGER_XXH3_128_UPDATE XXH3_128bits_update_dispatch
#else
#define PAGER_XXH3_128 XXH3_128bits
#define PAGER_XXH3_128_UPDATE XXH3_128bits_update
#endif

#include "impl/snapshot/content_hash.h"

namespace pager {
namespace snapshot {

std::pair<uint64_t, uint64_t> ContentHashOf(const void* data, size_t len) {
  XXH128_hash_t h = PAGER_XXH3_128(data, len);
  return {h.low64, h.high64};
}

std::pair<uint64_t, uint64_t> ContentHashOfSegments(const pager_page_segment* segments,
                                                    size_t count) {
  XXH3_state_t state;
  XXH3_INITSTATE(&state);
  XXH3_128bits_reset(&state);
  for (size_t i = 0; i < count; i++) PAGER_XXH3_128_UPDATE(&state, segments[i].data, segments[i].bytes);
  XXH128_hash_t h = XXH3_128bits_digest(&state);
  return {h.low64, h.high64};
}

}  // namespace snapshot
}  // namespace pager
