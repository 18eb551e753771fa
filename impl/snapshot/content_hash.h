// The content identity of a page (K6): XXH3-128 of its uncompressed K||V bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "pager.h"

namespace pager {
namespace snapshot {

std::pair<uint64_t, uint64_t> ContentHashOf(const void* data, size_t len);
// The same hash of the concatenation of the segments' bytes (restore into engine memory).
std::pair<uint64_t, uint64_t> ContentHashOfSegments(const pager_page_segment* segments,
                                                    size_t count);

}  // namespace snapshot
}  // namespace pager
