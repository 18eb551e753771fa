// FrameIndex (impl/wal/frame_index.h, I1-I3): the page -> latest frame table of every read of
// the latest commit, checked against std::map under random inserts, overwrites and shrinks.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "impl/wal/frame_index.h"

namespace pager {
namespace wal {
namespace {

void ExpectSame(const FrameIndex& x, const std::map<uint32_t, uint64_t>& model,
                uint32_t probe_limit) {
  ASSERT_EQ(x.size(), model.size());
  std::map<uint32_t, uint64_t> seen;
  for (const auto& kv : x) EXPECT_TRUE(seen.emplace(kv.first, kv.second).second) << kv.first;
  EXPECT_EQ(seen, model);
  for (uint32_t p = 1; p < probe_limit; p++) {
    const uint64_t* f = x.Find(p);
    auto it = model.find(p);
    if (it == model.end()) {
      EXPECT_EQ(f, nullptr) << "page " << p << " was never indexed or was shrunk away";
    } else {
      ASSERT_NE(f, nullptr) << "page " << p;
      EXPECT_EQ(*f, it->second) << "page " << p;
    }
  }
}

TEST(FrameIndex, AnEmptyIndexFindsNothing) {
  FrameIndex x;
  EXPECT_EQ(x.Find(1), nullptr);
  EXPECT_TRUE(x.empty());
  EXPECT_TRUE(x.begin() == x.end());
  x.EraseFrom(1);
  x.clear();
  EXPECT_EQ(x.Find(7), nullptr);
}

TEST(FrameIndex, LookupsAgreeWithAMapAcrossGrowthOverwritesAndShrinks) {
  std::mt19937 rng(13);
  FrameIndex x;
  std::map<uint32_t, uint64_t> model;
  uint64_t frame = 0;
  for (int round = 0; round < 6; round++) {
    const uint32_t range = 64u << round;
    for (int i = 0; i < 3000; i++) {
      const uint32_t page = 1 + rng() % range;
      x[page] = frame;
      model[page] = frame++;
    }
    ExpectSame(x, model, range + 2);
    const uint32_t floor = 1 + rng() % range;  // a shrink to `floor` pages
    x.EraseFrom(floor);
    model.erase(model.lower_bound(floor), model.end());
    ExpectSame(x, model, range + 2);
  }
  x.clear();  // a WAL restart
  model.clear();
  ExpectSame(x, model, 4096);
  x[5] = 9;
  model[5] = 9;
  ExpectSame(x, model, 4096);
}

TEST(FrameIndex, PagesThatShareAHomeSlotAreAllFound) {
  // The largest page numbers and runs of adjacent ones: probe sequences that wrap around the
  // end of the table still end at an empty slot (I2).
  FrameIndex x;
  std::map<uint32_t, uint64_t> model;
  for (uint32_t i = 0; i < 40; i++) {
    x[UINT32_MAX - i] = i;
    model[UINT32_MAX - i] = i;
    x[1 + i] = 100 + i;
    model[1 + i] = 100 + i;
  }
  ExpectSame(x, model, 64);
  for (uint32_t i = 0; i < 40; i++) {
    ASSERT_NE(x.Find(UINT32_MAX - i), nullptr);
    EXPECT_EQ(*x.Find(UINT32_MAX - i), i);
  }
}

}  // namespace
}  // namespace wal
}  // namespace pager
