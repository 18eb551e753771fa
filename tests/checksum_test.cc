// impl/io/checksum: the dispatched XXH3 (libxxhash.so's *_dispatch, AVX-512/AVX2/SSE2 chosen
// at run time) must give the values every format was written with: xxHash's portable
// XXH3_64bits_withSeed, compiled here header-only as the reference.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "impl/io/checksum.h"
#include "impl/io/xxh3_long.h"
#include "tests/support/test_util.h"

namespace pager {
namespace {

const uint64_t kSeeds[] = {0, 1, 0x57414c5345473031ull, 0x4c50462044415441ull, ~0ull};

// Lengths around every XXH3 path boundary (16, 128, 240, stripes of 64, blocks of 1024) and
// long inputs where the vector unit does the work.
std::vector<size_t> Lengths() {
  std::vector<size_t> n;
  for (size_t i = 0; i <= 1100; i++) n.push_back(i);
  for (size_t i : {4095, 4096, 4097, 4136, 65536, 1000003}) n.push_back(i);
  return n;
}

TEST(ChecksumDispatch, EveryLengthAndSeedHashesAsPortableXxh3) {
  std::vector<uint8_t> data = ::pager::testing::PatternBytes(2, 1000003 + 64);
  for (uint64_t seed : kSeeds) {
    for (size_t len : Lengths()) {
      for (size_t misalign : {size_t{0}, size_t{3}}) {
        const uint8_t* p = data.data() + misalign;
        ASSERT_EQ(Checksum64(p, len, seed), XXH3_64bits_withSeed(p, len, seed))
            << "len " << len << " seed " << seed << " misalign " << misalign;
      }
    }
  }
}

TEST(ChecksumDispatch, ASeededChecksumHashesAsPortableXxh3) {
  std::vector<uint8_t> data = ::pager::testing::PatternBytes(2, 1000003 + 64);
  for (uint64_t seed : kSeeds) {
    SeededChecksum sum(seed);
    for (size_t len : Lengths()) {
      for (size_t misalign : {size_t{0}, size_t{3}}) {
        const uint8_t* p = data.data() + misalign;
        ASSERT_EQ(sum(p, len), XXH3_64bits_withSeed(p, len, seed))
            << "len " << len << " seed " << seed << " misalign " << misalign;
      }
    }
  }
}

// Every vector unit this machine has, not only the one SeededChecksum picks.
TEST(ChecksumDispatch, TheLongHashOfEveryVectorUnitHashesAsPortableXxh3) {
  std::vector<uint8_t> data = ::pager::testing::PatternBytes(2, 1000003 + 64);
  int units = 0;
  for (VectorUnit unit : {VectorUnit::kAvx512, VectorUnit::kAvx2}) {
    Xxh3LongFn fn = Xxh3LongFor(unit);
    if (fn == nullptr) continue;
    units++;
    for (uint64_t seed : kSeeds) {
      alignas(64) unsigned char secret[XXH3_SECRET_DEFAULT_SIZE];
      XXH3_generateSecret_fromSeed(secret, seed);
      for (size_t len : Lengths()) {
        if (len <= 240) continue;  // the long path only
        const uint8_t* p = data.data() + 3;
        ASSERT_EQ(fn(p, len, secret), XXH3_64bits_withSeed(p, len, seed))
            << "unit " << static_cast<int>(unit) << " len " << len << " seed " << seed;
      }
    }
  }
  if (units == 0) GTEST_SKIP() << "neither AVX-512 nor AVX2 here: libxxhash's dispatcher hashes";
}

TEST(ChecksumDispatch, StreamedPiecesHashAsOneCall) {
  std::vector<uint8_t> data = ::pager::testing::PatternBytes(2, 70000);
  for (uint64_t seed : kSeeds) {
    for (size_t piece : {size_t{1}, size_t{7}, size_t{240}, size_t{256}, size_t{4096}}) {
      Hasher h(seed);
      for (size_t off = 0; off < data.size(); off += piece) {
        h.Update(data.data() + off, std::min(piece, data.size() - off));
      }
      ASSERT_EQ(h.Digest(), XXH3_64bits_withSeed(data.data(), data.size(), seed))
          << "piece " << piece << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace pager
