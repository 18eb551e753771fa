// The pager_cold_* C API on the process-wide instance: argument checks, codes, messages,
// ownership (take_buffer moves, free functions), options and stats struct growth.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "pager.h"
#include "tests/support/test_util.h"

namespace {

using pager::testing::PatternBytes;

// The process-wide scratch root for C API tests: fixed, so each run also removes the stale
// directories earlier runs' processes left behind (they never destroy the global instance).
const char* ScratchRoot() {
  static std::string root = [] {
    const char* base = getenv("TMPDIR");
    return std::string(base && *base ? base : "/tmp") + "/libpager-cold-tests";
  }();
  return root.c_str();
}

class ColdCapi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_PAGER_OK(pager_cold_set_scratch_dir(ScratchRoot()));
    saved_ = pager_cold_backend();
  }
  void TearDown() override { ASSERT_PAGER_OK(pager_cold_set_backend(saved_)); }
  uint32_t saved_ = PAGER_COLD_BACKEND_SWAP;
};

pager_cold_stats Stats() {
  pager_cold_stats s;
  std::memset(&s, 0, sizeof s);
  s.struct_size = sizeof s;
  EXPECT_EQ(pager_cold_stats_get(&s), PAGER_OK);
  return s;
}

TEST_F(ColdCapi, RoundTripOnEachBackend) {
  for (uint32_t backend : {PAGER_COLD_BACKEND_SWAP, PAGER_COLD_BACKEND_FILE}) {
    auto a = PatternBytes(1, 5000), b = PatternBytes(2, 3000);
    pager_cold_chunk chunks[2] = {{a.data(), a.size()}, {b.data(), b.size()}};
    pager_cold_handle* h = nullptr;
    ASSERT_PAGER_OK(pager_cold_pageout_with(backend, chunks, 2, nullptr, &h));
    EXPECT_EQ(pager_cold_len(h), 8000u);
    EXPECT_EQ(pager_cold_backend_of(h), backend);
    pager_cold_range ranges[2] = {{4990, 20}, {0, 10}};
    std::vector<uint8_t> out(30);
    ASSERT_PAGER_OK(pager_cold_read_at_many(h, ranges, 2, out.data(), out.size()));
    EXPECT_EQ(0, std::memcmp(out.data(), a.data() + 4990, 10));
    EXPECT_EQ(0, std::memcmp(out.data() + 10, b.data(), 10));
    EXPECT_EQ(0, std::memcmp(out.data() + 20, a.data(), 10));
    std::vector<uint8_t> all(8000);
    ASSERT_PAGER_OK(pager_cold_take(h, all.data(), all.size()));
    EXPECT_EQ(0, std::memcmp(all.data(), a.data(), 5000));
    EXPECT_EQ(0, std::memcmp(all.data() + 5000, b.data(), 3000));
  }
}

TEST_F(ColdCapi, DefaultBackendIsAtomicAndHandlesKeepTheirs) {
  ASSERT_PAGER_OK(pager_cold_set_backend(PAGER_COLD_BACKEND_FILE));
  EXPECT_EQ(pager_cold_backend(), static_cast<uint32_t>(PAGER_COLD_BACKEND_FILE));
  uint8_t byte = 42;
  pager_cold_chunk c = {&byte, 1};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout(&c, 1, &h));
  ASSERT_PAGER_OK(pager_cold_set_backend(PAGER_COLD_BACKEND_SWAP));
  EXPECT_EQ(pager_cold_backend_of(h), static_cast<uint32_t>(PAGER_COLD_BACKEND_FILE));
  pager_cold_free(h);
  EXPECT_EQ(pager_cold_set_backend(0), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_set_backend(7), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("unknown backend 7"), std::string::npos);
}

TEST_F(ColdCapi, OverlapMessageNamesBothRanges) {
  auto data = PatternBytes(3, 100);
  pager_cold_chunk c = {data.data(), data.size()};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout(&c, 1, &h));
  pager_cold_range ranges[2] = {{10, 20}, {25, 5}};
  uint8_t out[25];
  EXPECT_EQ(pager_cold_read_at_many(h, ranges, 2, out, sizeof out), PAGER_ERR_OVERLAP);
  EXPECT_STREQ(pager_last_error(),
               "range #0 [offset 10, length 20) overlaps range #1 [offset 25, length 5)");
  EXPECT_EQ(pager_cold_read_at(h, 95, 10, out), PAGER_ERR_RANGE);
  EXPECT_EQ(pager_cold_read_at(h, UINT64_MAX, 2, out), PAGER_ERR_RANGE);
  EXPECT_EQ(pager_cold_read_at(h, 1000, 0, nullptr), PAGER_OK);
  EXPECT_EQ(pager_cold_read_at(h, 0, 1, nullptr), PAGER_ERR_INVALID);
  pager_cold_range one = {0, 1};
  EXPECT_EQ(pager_cold_read_at_many(h, &one, 1, nullptr, 1), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_read_at_many(h, nullptr, 1, out, sizeof out), PAGER_ERR_INVALID);
  pager_cold_free(h);
}

TEST_F(ColdCapi, NullArgumentsAreInvalid) {
  pager_cold_handle* h = nullptr;
  uint8_t byte = 0;
  pager_cold_chunk c = {&byte, 1};
  EXPECT_EQ(pager_cold_pageout(&c, 1, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_pageout(nullptr, 1, &h), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_pageout_owned(PAGER_COLD_BACKEND_SWAP, nullptr, 1, nullptr, &h),
            PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_read_at(nullptr, 0, 0, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_read_at_many(nullptr, nullptr, 0, nullptr, 0), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_take(nullptr, nullptr, 0), PAGER_ERR_INVALID);
  pager_cold_buffer* b = nullptr;
  EXPECT_EQ(pager_cold_take_buffer(nullptr, &b), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_set_scratch_dir(nullptr), PAGER_ERR_INVALID);
  pager_cold_owned_chunk no_free = {&byte, 1, nullptr, nullptr};
  EXPECT_EQ(pager_cold_pageout_owned(PAGER_COLD_BACKEND_SWAP, &no_free, 1, nullptr, &h),
            PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("no free function"), std::string::npos);
  EXPECT_EQ(pager_cold_stats_get(nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(h, nullptr);
  pager_cold_free(nullptr);
  pager_cold_buffer_free(nullptr);
  EXPECT_EQ(pager_cold_len(nullptr), 0u);
  EXPECT_EQ(pager_cold_backend_of(nullptr), static_cast<uint32_t>(PAGER_COLD_BACKEND_DEFAULT));
  EXPECT_EQ(pager_cold_buffer_data(nullptr), nullptr);
  EXPECT_EQ(pager_cold_buffer_len(nullptr), 0u);
  pager_cold_pageout_options_init(nullptr);
}

TEST_F(ColdCapi, SecondScratchDirWithAnotherRootIsExists) {
  pager::testing::TempDir other;
  EXPECT_EQ(pager_cold_set_scratch_dir(other.path().c_str()), PAGER_ERR_EXISTS);
  EXPECT_NE(std::string(pager_last_error()).find("refusing"), std::string::npos);
  ASSERT_PAGER_OK(pager_cold_set_scratch_dir(ScratchRoot()));  // same root: fine
  size_t len = 0;
  EXPECT_EQ(pager_cold_scratch_dir(nullptr, 0, &len), PAGER_ERR_RANGE);
  ASSERT_GT(len, 0u);
  std::vector<char> path(len + 1);
  ASSERT_PAGER_OK(pager_cold_scratch_dir(path.data(), path.size(), &len));
  EXPECT_EQ(std::string(path.data()).rfind(ScratchRoot(), 0), 0u) << path.data();
  EXPECT_EQ(pager_cold_scratch_dir(nullptr, 5, &len), PAGER_ERR_INVALID);
}

struct Freed {
  int calls = 0;
  void* last = nullptr;
};
void FreeFn(void* ctx, void* data, uint64_t) {
  auto* f = static_cast<Freed*>(ctx);
  f->calls++;
  f->last = data;
  std::free(data);
}

TEST_F(ColdCapi, TakeBufferOfOneOwnedSwapChunkIsAMove) {
  Freed freed;
  void* p = std::malloc(10000);
  std::memset(p, 0x5A, 10000);
  pager_cold_owned_chunk c = {p, 10000, FreeFn, &freed};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout_owned(PAGER_COLD_BACKEND_SWAP, &c, 1, nullptr, &h));
  pager_cold_buffer* b = nullptr;
  ASSERT_PAGER_OK(pager_cold_take_buffer(h, &b));
  EXPECT_EQ(pager_cold_buffer_data(b), p);
  EXPECT_EQ(pager_cold_buffer_len(b), 10000u);
  EXPECT_EQ(freed.calls, 0);
  pager_cold_buffer_free(b);
  EXPECT_EQ(freed.calls, 1);
  EXPECT_EQ(freed.last, p);
}

TEST_F(ColdCapi, OwnedFileChunksAreFreedBeforeReturn) {
  Freed freed;
  void* p = std::malloc(5000);
  std::memset(p, 0x11, 5000);
  pager_cold_owned_chunk c = {p, 5000, FreeFn, &freed};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout_owned(PAGER_COLD_BACKEND_FILE, &c, 1, nullptr, &h));
  EXPECT_EQ(freed.calls, 1);
  pager_cold_buffer* b = nullptr;
  ASSERT_PAGER_OK(pager_cold_take_buffer(h, &b));
  ASSERT_EQ(pager_cold_buffer_len(b), 5000u);
  EXPECT_EQ(static_cast<uint8_t*>(pager_cold_buffer_data(b))[4999], 0x11);
  pager_cold_buffer_free(b);
}

TEST_F(ColdCapi, FailedTakeKeepsTheHandle) {
  auto data = PatternBytes(4, 64);
  pager_cold_chunk c = {data.data(), data.size()};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout_with(PAGER_COLD_BACKEND_FILE, &c, 1, nullptr, &h));
  uint8_t small[10];
  EXPECT_EQ(pager_cold_take(h, small, sizeof small), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_len(h), 64u);  // still valid
  pager_cold_free(h);
}

TEST_F(ColdCapi, OptionsStructGrowsSafely) {
  struct Bigger {
    pager_cold_pageout_options o;
    uint32_t future;
  } big;
  std::memset(&big, 0, sizeof big);
  pager_cold_pageout_options_init(&big.o);
  big.o.struct_size = sizeof big;
  big.o.checksums = 1;
  uint8_t byte = 1;
  pager_cold_chunk c = {&byte, 1};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout_with(PAGER_COLD_BACKEND_FILE, &c, 1, &big.o, &h));
  pager_cold_free(h);
  big.future = 1;  // a field this library does not know, set: refused
  EXPECT_EQ(pager_cold_pageout_with(PAGER_COLD_BACKEND_FILE, &c, 1, &big.o, &h),
            PAGER_ERR_INVALID);
  pager_cold_pageout_options zero;
  std::memset(&zero, 0, sizeof zero);
  EXPECT_EQ(pager_cold_pageout_with(PAGER_COLD_BACKEND_FILE, &c, 1, &zero, &h),
            PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_pageout_with(9, &c, 1, nullptr, &h), PAGER_ERR_INVALID);
}

TEST_F(ColdCapi, StatsAreCumulativeAndAnOlderStructGetsItsPrefix) {
  pager_cold_stats before = Stats();
  std::vector<uint8_t> data(20000, 3);
  pager_cold_chunk c = {data.data(), data.size()};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout_with(PAGER_COLD_BACKEND_FILE, &c, 1, nullptr, &h));
  pager_cold_stats during = Stats();
  EXPECT_EQ(during.file.pageout_count - before.file.pageout_count, 1u);
  EXPECT_EQ(during.file.live_handle_count - before.file.live_handle_count, 1u);
  EXPECT_GE(during.scratch_allocated_bytes, 20480u);
  pager_cold_free(h);
  EXPECT_EQ(Stats().file.live_handle_count, before.file.live_handle_count);
  // An older caller's struct: only the prefix is written.
  pager_cold_stats small;
  std::memset(&small, 0xEE, sizeof small);
  small.struct_size = 8 + sizeof(pager_cold_backend_stats);
  ASSERT_PAGER_OK(pager_cold_stats_get(&small));
  EXPECT_EQ(small.struct_size, 8 + sizeof(pager_cold_backend_stats));
  EXPECT_EQ(small.file.pageout_count, 0xEEEEEEEEEEEEEEEEull);  // untouched
  small.struct_size = 4;
  EXPECT_EQ(pager_cold_stats_get(&small), PAGER_ERR_INVALID);
}

}  // namespace
