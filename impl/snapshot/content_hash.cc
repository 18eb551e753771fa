// XXH3-128 through the project's one hash module (impl/io/checksum: libxxhash.so's runtime
// dispatcher, the widest vector unit the CPU has). The inlined portable build this file used
// before (XXH_INLINE_ALL) compiles to SSE2 at the project's flags and measured 51 ms/GiB for
// 4 KiB inputs and 221 ms/GiB for 64 KiB-1 MiB inputs against 18 and 12 ms/GiB through the
// dispatcher (doc/snapshot.md). Same values.
#include "impl/snapshot/content_hash.h"

#include "impl/io/checksum.h"

namespace pager {
namespace snapshot {

std::pair<uint64_t, uint64_t> ContentHashOf(const void* data, size_t len) {
  return Hash128(data, len);
}

std::pair<uint64_t, uint64_t> ContentHashOfSegments(const pager_page_segment* segments,
                                                    size_t count) {
  Hasher128 h;
  for (size_t i = 0; i < count; i++) h.Update(segments[i].data, segments[i].bytes);
  return h.Digest();
}

}  // namespace snapshot
}  // namespace pager
