// FrameIndex (impl/wal/frame_index.h, I1-I4): the page -> latest frame table of every read of
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
    uint64_t looked = UINT64_MAX;
    const bool found = x.Lookup(p, &looked);  // I4: the dense array when kept
    if (it == model.end()) {
      EXPECT_EQ(f, nullptr) << "page " << p << " was never indexed or was shrunk away";
      EXPECT_FALSE(found) << "page " << p << ": a stale dense word (I4)";
    } else {
      ASSERT_NE(f, nullptr) << "page " << p;
      EXPECT_EQ(*f, it->second) << "page " << p;
      ASSERT_TRUE(found) << "page " << p << ": missing from the dense array (I4)";
      EXPECT_EQ(looked, it->second) << "page " << p;
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
      x.Set(page, frame);
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
  x.Set(5, 9);
  model[5] = 9;
  ExpectSame(x, model, 4096);
}

TEST(FrameIndex, ADenseArrayDroppedForAFarPageOrAHugeFrameNeverAnswersStale) {
  FrameIndex x;
  std::map<uint32_t, uint64_t> model;
  uint64_t frame = 0;
  auto set = [&](uint32_t page, uint64_t f) {
    x.Set(page, f);
    model[page] = f;
  };
  for (uint32_t p = 1; p <= 300; p++) set(p, frame++);  // dense: every key fits (I4)
  ExpectSame(x, model, 1200);
  set(1u << 30, frame++);  // far past 4 x capacity: the dense array goes
  ExpectSame(x, model, 1200);
  for (uint32_t p = 1; p <= 3000; p++) set(p, frame++);  // rehashes: built again only if all fit
  ExpectSame(x, model, 4000);
  x.EraseFrom(1u << 29);  // the far page leaves: dense again
  model.erase(model.lower_bound(1u << 29), model.end());
  ExpectSame(x, model, 4000);
  set(17, uint64_t{UINT32_MAX} + 5);  // a frame past 32 bits
  ExpectSame(x, model, 4000);
  x.EraseFrom(100);
  model.erase(model.lower_bound(100), model.end());
  ExpectSame(x, model, 4000);
  x.clear();  // a WAL restart: no word of the old generation answers
  model.clear();
  ExpectSame(x, model, 4000);
  set(3, 1);
  ExpectSame(x, model, 4000);
}

TEST(FrameIndex, PagesThatShareAHomeSlotAreAllFound) {
  // The largest page numbers and runs of adjacent ones: probe sequences that wrap around the
  // end of the table still end at an empty slot (I2).
  FrameIndex x;
  std::map<uint32_t, uint64_t> model;
  for (uint32_t i = 0; i < 40; i++) {
    x.Set(UINT32_MAX - i, i);
    model[UINT32_MAX - i] = i;
    x.Set(1 + i, 100 + i);
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
