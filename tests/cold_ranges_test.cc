// Cold pager building blocks without I/O: range validation/planning (ranges.h R1-R6) and the
// scratch extent allocator (extent_allocator.h X1-X4).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "impl/cold/extent_allocator.h"
#include "impl/cold/ranges.h"
#include "tests/support/test_util.h"

namespace pager {
namespace cold {
namespace {

Status Plan(std::vector<Range> ranges, uint64_t handle_len, std::vector<PlannedRange>* planned,
            uint64_t* total) {
  return PlanRanges(ranges.data(), ranges.size(), handle_len, planned, total);
}

TEST(ColdRanges, ZeroLengthRangesAreIgnoredWhereverTheyPoint) {
  std::vector<PlannedRange> p;
  uint64_t total = 1;
  ASSERT_OK(Plan({{5, 0}, {UINT64_MAX, 0}, {2, 3}, {2, 0}}, 10, &p, &total));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].index, 2u);
  EXPECT_EQ(total, 3u);
}

TEST(ColdRanges, RangePastTheEndIsRangeErrorNamingIt) {
  std::vector<PlannedRange> p;
  uint64_t total = 0;
  Status st = Plan({{0, 4}, {8, 3}}, 10, &p, &total);
  EXPECT_EQ(st.code(), Code::kRange);
  EXPECT_NE(st.message().find("range #1 [offset 8, length 3)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("length 10"), std::string::npos) << st.message();
}

TEST(ColdRanges, OverflowingRangeIsRangeErrorNotAWrap) {
  std::vector<PlannedRange> p;
  uint64_t total = 0;
  EXPECT_EQ(Plan({{UINT64_MAX - 1, 4}}, 10, &p, &total).code(), Code::kRange);
  EXPECT_EQ(Plan({{4, UINT64_MAX}}, 10, &p, &total).code(), Code::kRange);
  EXPECT_EQ(Plan({{11, 1}}, 10, &p, &total).code(), Code::kRange);
  EXPECT_OK(Plan({{10, 0}, {0, 10}}, 10, &p, &total));
}

TEST(ColdRanges, OverlapNamesBothRangesInRequestOrder) {
  std::vector<PlannedRange> p;
  uint64_t total = 0;
  Status st = Plan({{0, 2}, {6, 4}, {4, 3}}, 10, &p, &total);
  EXPECT_EQ(st.code(), Code::kOverlap);
  EXPECT_NE(st.message().find("range #1 [offset 6, length 4) overlaps range #2 [offset 4, length 3)"),
            std::string::npos)
      << st.message();
  EXPECT_TRUE(p.empty());
}

TEST(ColdRanges, DuplicateIsAnOverlap) {
  std::vector<PlannedRange> p;
  uint64_t total = 0;
  Status st = Plan({{3, 2}, {0, 1}, {3, 2}}, 10, &p, &total);
  EXPECT_EQ(st.code(), Code::kOverlap);
  EXPECT_NE(st.message().find("range #0 [offset 3, length 2) duplicates range #2"),
            std::string::npos)
      << st.message();
}

TEST(ColdRanges, AdjacentRangesAreNotAnOverlap) {
  std::vector<PlannedRange> p;
  uint64_t total = 0;
  ASSERT_OK(Plan({{4, 2}, {0, 4}, {6, 4}}, 10, &p, &total));
  EXPECT_EQ(total, 10u);
}

TEST(ColdRanges, DestinationOffsetsFollowRequestOrder) {
  std::vector<PlannedRange> p;
  uint64_t total = 0;
  ASSERT_OK(Plan({{8, 2}, {0, 3}, {4, 1}}, 10, &p, &total));
  ASSERT_EQ(p.size(), 3u);
  // sorted by offset: (0,3) idx1, (4,1) idx2, (8,2) idx0
  EXPECT_EQ(p[0].index, 1u);
  EXPECT_EQ(p[0].dst_offset, 2u);
  EXPECT_EQ(p[1].dst_offset, 5u);
  EXPECT_EQ(p[2].dst_offset, 0u);
}

TEST(ColdRanges, AdjacentRangesInAnyOrderFormOneRun) {
  std::vector<PlannedRange> p;
  uint64_t total = 0;
  ASSERT_OK(Plan({{6, 4}, {0, 3}, {3, 3}, {12, 1}}, 20, &p, &total));
  std::vector<cold::Run> runs = CoalesceRuns(p, 1024);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].offset, 0u);
  EXPECT_EQ(runs[0].len, 10u);
  EXPECT_EQ(runs[0].count, 3u);
  EXPECT_EQ(runs[1].offset, 12u);
  // A run holds at most max_ranges ranges.
  EXPECT_EQ(CoalesceRuns(p, 2).size(), 3u);
}

TEST(ColdRanges, NullRangesWithCountIsInvalid) {
  std::vector<PlannedRange> p;
  uint64_t total = 0;
  EXPECT_EQ(PlanRanges(nullptr, 1, 10, &p, &total).code(), Code::kInvalid);
  EXPECT_OK(PlanRanges(nullptr, 0, 10, &p, &total));
}

TEST(ColdRanges, RandomRequestsAgreeWithABruteForceModel) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 2000; iter++) {
    uint64_t handle_len = rng() % 64;
    size_t n = rng() % 6;
    std::vector<Range> rs;
    for (size_t i = 0; i < n; i++) rs.push_back(Range{rng() % 70, rng() % 20});
    bool oob = false;
    std::vector<int> owner(64, -1);
    bool overlap = false;
    for (size_t i = 0; i < n; i++) {
      if (rs[i].len == 0) continue;
      if (rs[i].offset + rs[i].len > handle_len) oob = true;
    }
    for (size_t i = 0; i < n && !oob; i++) {
      for (uint64_t b = rs[i].offset; b < rs[i].offset + rs[i].len; b++) {
        if (owner[b] >= 0) overlap = true;
        owner[b] = static_cast<int>(i);
      }
    }
    std::vector<PlannedRange> p;
    uint64_t total = 0;
    Status st = PlanRanges(rs.data(), rs.size(), handle_len, &p, &total);
    Code want = oob ? Code::kRange : overlap ? Code::kOverlap : Code::kOk;
    ASSERT_EQ(st.code(), want) << iter << ": " << st.message();
  }
}

// ---- extent allocator ---------------------------------------------------------------------

TEST(ColdExtents, LengthsAreRoundedToTheAlignment) {
  ExtentAllocator a(4096);
  auto x = a.Allocate(1);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x.value(), 0u);
  auto y = a.Allocate(4097);
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y.value(), 4096u);
  EXPECT_EQ(a.end(), 3 * 4096u);
  EXPECT_EQ(a.allocated_bytes(), 3 * 4096u);
  ASSERT_OK(a.CheckInvariants());
}

TEST(ColdExtents, FreedInteriorExtentIsPunchedAndReused) {
  ExtentAllocator a(4096);
  uint64_t x = a.Allocate(8192).take();
  uint64_t y = a.Allocate(4096).take();
  auto r = a.Free(x, 8192);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value().truncate);
  EXPECT_EQ(r.value().punch_offset, x);
  EXPECT_EQ(r.value().punch_len, 8192u);
  EXPECT_EQ(a.Allocate(4000).take(), x);  // best fit reuses the hole
  ASSERT_OK(a.CheckInvariants());
  (void)y;
}

TEST(ColdExtents, FreeingTheTailTruncatesAndMergesFreeSpaceBeforeIt) {
  ExtentAllocator a(4096);
  uint64_t x = a.Allocate(4096).take();
  uint64_t y = a.Allocate(4096).take();
  uint64_t z = a.Allocate(4096).take();
  ASSERT_TRUE(a.Free(y, 4096).ok());
  auto r = a.Free(z, 4096);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().truncate);
  EXPECT_EQ(r.value().new_end, y);  // y's free space merged into the cut tail
  EXPECT_EQ(a.end(), 4096u);
  EXPECT_EQ(a.free_extent_count(), 0u);
  auto last = a.Free(x, 4096);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last.value().new_end, 0u);
  ASSERT_OK(a.CheckInvariants());
}

TEST(ColdExtents, DoubleFreeIsAnError) {
  ExtentAllocator a(4096);
  uint64_t x = a.Allocate(100).take();
  (void)a.Allocate(100).take();
  ASSERT_TRUE(a.Free(x, 100).ok());
  EXPECT_EQ(a.Free(x, 100).status().code(), Code::kDoubleFree);
  EXPECT_EQ(a.Free(12345, 100).status().code(), Code::kDoubleFree);
}

TEST(ColdExtents, HugeAllocationIsTooLargeNotAWrap) {
  ExtentAllocator a(4096);
  EXPECT_EQ(a.Allocate(UINT64_MAX).status().code(), Code::kTooLarge);
  EXPECT_EQ(a.Allocate(0).status().code(), Code::kTooLarge);
  ASSERT_TRUE(a.Allocate(uint64_t{1} << 62).ok());
  EXPECT_EQ(a.Allocate(uint64_t{1} << 62).status().code(), Code::kTooLarge);
}

TEST(ColdExtents, RandomAllocFreeKeepsTheInvariants) {
  std::mt19937_64 rng(11);
  ExtentAllocator a(4096);
  std::vector<std::pair<uint64_t, uint64_t>> live;
  for (int i = 0; i < 3000; i++) {
    if (live.empty() || rng() % 3 != 0) {
      uint64_t len = 1 + rng() % 20000;
      auto r = a.Allocate(len);
      ASSERT_TRUE(r.ok());
      live.push_back({r.value(), len});
    } else {
      size_t k = rng() % live.size();
      ASSERT_TRUE(a.Free(live[k].first, live[k].second).ok());
      live.erase(live.begin() + static_cast<long>(k));
    }
    ASSERT_OK(a.CheckInvariants());
  }
  for (auto& e : live) ASSERT_TRUE(a.Free(e.first, e.second).ok());
  EXPECT_EQ(a.end(), 0u);
  EXPECT_EQ(a.allocated_bytes(), 0u);
}

}  // namespace
}  // namespace cold
}  // namespace pager
