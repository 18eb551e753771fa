// The content identity of a page (K6): XXH3-128 of its uncompressed K||V bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace pager {
namespace snapshot {

std::pair<uint64_t, uint64_t> ContentHashOf(const void* data, size_t len);

}  // namespace snapshot
}  // namespace pager
