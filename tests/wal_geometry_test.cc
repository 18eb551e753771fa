// WalGeometry (impl/wal/wal_geometry.h): the frame offsets of WAL format versions 1 and 2,
// checked against a brute-force walk of each layout (G1, G2, G4) and the per-frame average
// that keeps byte thresholds meaning the same frame count (G3).
#include "impl/wal/wal_geometry.h"

#include <gtest/gtest.h>

#include <vector>

namespace pager {
namespace wal {
namespace {

// Every frame's header and body positions, laid out one by one as the format doc describes.
struct Walked {
  std::vector<uint64_t> header, body;
};
Walked Walk(uint32_t version, uint32_t page, uint64_t frames) {
  Walked w;
  uint64_t at = version == 1 ? kWalHeaderSize : page;
  const uint64_t g = page / kFrameHeaderSize;
  for (uint64_t i = 0; i < frames; i++) {
    if (version == 1) {
      w.header.push_back(at);
      w.body.push_back(at + kFrameHeaderSize);
      at += kFrameHeaderSize + page;
      continue;
    }
    if (i % g == 0 && i > 0) at += (1 + g) * page;  // past the previous group
    w.header.push_back(at + (i % g) * kFrameHeaderSize);
    w.body.push_back(at + page + (i % g) * page);
  }
  return w;
}

TEST(WalGeometry, OffsetsMatchTheLayoutWalkedFrameByFrame) {
  for (uint32_t version : {1u, 2u}) {
    for (uint32_t page : {512u, 1024u, 4096u, 65536u}) {
      const WalGeometry geo(version, page);
      const uint64_t frames = 3 * (page / kFrameHeaderSize) + 5;
      Walked w = Walk(version, page, frames);
      for (uint64_t i = 0; i < frames; i++) {
        ASSERT_EQ(geo.HeaderOffset(i), w.header[i]) << version << "/" << page << " frame " << i;
        ASSERT_EQ(geo.BodyOffset(i), w.body[i]) << version << "/" << page << " frame " << i;
        ASSERT_EQ(geo.EndOffset(i + 1), w.body[i] + page);
        if (version == 2) {
          ASSERT_EQ(geo.BodyOffset(i) % page, 0u) << "v2 body not page-aligned";
        }
      }
    }
  }
}

TEST(WalGeometry, FramesInCountsAFrameWhoseBodyIsCut) {
  for (uint32_t version : {1u, 2u}) {
    for (uint32_t page : {512u, 4096u}) {
      const WalGeometry geo(version, page);
      EXPECT_EQ(geo.FramesIn(0), 0u);
      EXPECT_EQ(geo.FramesIn(geo.HeaderRegionBytes()), 0u);
      const uint64_t frames = 2 * geo.FramesPerGroup() + 3;
      for (uint64_t n = 1; n <= frames; n++) {
        ASSERT_EQ(geo.FramesIn(geo.EndOffset(n)), n) << version << "/" << page;
        ASSERT_EQ(geo.FramesIn(geo.EndOffset(n) - 1), n - 1) << version << "/" << page;
      }
    }
  }
}

TEST(WalGeometry, HeaderBlockWithoutBodiesHoldsNoWholeFrame) {
  const WalGeometry geo(2, 4096);
  const uint64_t group_start = geo.EndOffset(128);  // group 1's header block
  EXPECT_EQ(geo.HeaderOffset(128), group_start);
  EXPECT_EQ(geo.FramesIn(group_start + 4096), 128u);  // its header block alone
  EXPECT_EQ(geo.FramesIn(group_start + 2 * 4096), 129u);
}

TEST(WalGeometry, ContiguousBodyRunCrossesAGroupBoundary) {
  const WalGeometry v2(2, 512);
  EXPECT_EQ(v2.ContiguousBodies(0, 100), 16u);
  EXPECT_EQ(v2.ContiguousBodies(15, 100), 1u);
  EXPECT_EQ(v2.ContiguousBodies(16, 3), 3u);
  EXPECT_EQ(v2.BodyOffset(15) + 512, v2.HeaderOffset(16)) << "a header block splits the run";
  const WalGeometry v1(1, 512);
  EXPECT_EQ(v1.ContiguousBodies(0, 100), 1u);
  EXPECT_EQ(v1.ContiguousBodies(7, 0), 0u);
}

TEST(WalGeometry, ByteThresholdsMeanTheSameFrameCountInBothVersions) {
  for (uint32_t page : {512u, 4096u, 65536u}) {
    const WalGeometry v1(1, page), v2(2, page);
    const uint64_t g = v2.FramesPerGroup();
    // G3: over whole groups, both layouts spend page + 32 bytes per frame.
    EXPECT_EQ(v1.EndOffset(4 * g) - v1.EndOffset(0), v2.EndOffset(4 * g) - v2.EndOffset(0));
  }
}

}  // namespace
}  // namespace wal
}  // namespace pager
