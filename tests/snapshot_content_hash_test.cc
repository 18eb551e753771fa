// impl/snapshot/content_hash, through impl/io/checksum's Hash128/Hasher128: the dispatched
// XXH3-128 (libxxhash.so's *_dispatch, AVX-512/AVX2/SSE2 chosen at run time) must give the
// content hashes (K6) every snapshot was written with:
// xxHash's portable XXH3_128bits, compiled here header-only as the reference, whole and in
// segments.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "impl/snapshot/content_hash.h"
#include "tests/support/test_util.h"

namespace pager {
namespace snapshot {
namespace {

// Around every XXH3 path boundary (16, 128, 240, stripes of 64, blocks of 1024) and page-sized
// inputs where the vector unit does the work.
std::vector<size_t> Lengths() {
  std::vector<size_t> n;
  for (size_t i = 0; i <= 1100; i++) n.push_back(i);
  for (size_t i : {4095, 4096, 4097, 65536, 1000003, 2097152}) n.push_back(i);
  return n;
}

std::pair<uint64_t, uint64_t> Portable(const void* p, size_t len) {
  XXH128_hash_t h = XXH3_128bits(p, len);
  return {h.low64, h.high64};
}

TEST(SnapshotContentHash, EveryLengthHashesAsPortableXxh3_128) {
  std::vector<uint8_t> data = ::pager::testing::PatternBytes(1, 2097152 + 64);
  for (size_t len : Lengths()) {
    for (size_t misalign : {size_t{0}, size_t{3}}) {
      const uint8_t* p = data.data() + misalign;
      ASSERT_EQ(ContentHashOf(p, len), Portable(p, len)) << "len " << len << " misalign " << misalign;
    }
  }
}

TEST(SnapshotContentHash, SegmentsHashAsTheirConcatenationUnderPortableXxh3_128) {
  std::vector<uint8_t> data = ::pager::testing::PatternBytes(1, 2097152 + 64);
  for (size_t len : Lengths()) {
    // Three segments with uneven cuts (K and V of a page, then a tail), including empty ones.
    size_t a = len / 3, b = len / 2;
    pager_page_segment seg[3] = {{data.data(), a}, {data.data() + a, b - a}, {data.data() + b, len - b}};
    ASSERT_EQ(ContentHashOfSegments(seg, 3), Portable(data.data(), len)) << "len " << len;
  }
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
