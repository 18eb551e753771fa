// The pager_cold_* C API: argument checks, codes, messages, ownership (take_buffer moves,
// free functions), options and stats struct growth, pagers independent of each other, and
// handles that outlive pager_cold_close.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "pager.h"
#include "tests/support/test_util.h"

namespace {

using pager::testing::PatternBytes;
using pager::testing::TempDir;

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

pager_cold* Open(const std::string& root, uint32_t backend = PAGER_COLD_BACKEND_SWAP) {
  pager_cold_options o;
  pager_cold_options_init(&o);
  o.backend = backend;
  o.scratch_root = root.empty() ? nullptr : root.c_str();
  pager_cold* c = nullptr;
  EXPECT_EQ(pager_cold_open(&o, &c), PAGER_OK) << pager_last_error();
  return c;
}

std::string ScratchDir(pager_cold* c) {
  uint64_t len = 0;
  EXPECT_EQ(pager_cold_scratch_dir(c, nullptr, 0, &len), PAGER_OK);
  std::vector<char> path(len + 1);
  EXPECT_EQ(pager_cold_scratch_dir(c, path.data(), path.size(), &len), PAGER_OK);
  return std::string(path.data());
}

pager_cold_stats Stats(pager_cold* c) {
  pager_cold_stats s;
  pager_cold_stats_init(&s);
  EXPECT_EQ(pager_cold_get_stats(c, &s), PAGER_OK) << pager_last_error();
  return s;
}

class ColdCapi : public ::testing::Test {
 protected:
  void SetUp() override { c_ = Open(root_.path()); }
  void TearDown() override { pager_cold_close(c_); }
  TempDir root_;
  pager_cold* c_ = nullptr;
};

TEST_F(ColdCapi, RoundTripOnEachBackend) {
  for (uint32_t backend : {PAGER_COLD_BACKEND_SWAP, PAGER_COLD_BACKEND_FILE}) {
    auto a = PatternBytes(1, 5000), b = PatternBytes(2, 3000);
    pager_cold_chunk chunks[2] = {{a.data(), a.size()}, {b.data(), b.size()}};
    pager_cold_handle* h = nullptr;
    ASSERT_PAGER_OK(pager_cold_pageout_with(c_, backend, chunks, 2, nullptr, &h));
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

TEST_F(ColdCapi, DefaultBackendIsPerPagerAndHandlesKeepTheirs) {
  uint32_t backend = 0;
  ASSERT_PAGER_OK(pager_cold_backend(c_, &backend));
  EXPECT_EQ(backend, static_cast<uint32_t>(PAGER_COLD_BACKEND_SWAP));
  ASSERT_PAGER_OK(pager_cold_set_backend(c_, PAGER_COLD_BACKEND_FILE));
  ASSERT_PAGER_OK(pager_cold_backend(c_, &backend));
  EXPECT_EQ(backend, static_cast<uint32_t>(PAGER_COLD_BACKEND_FILE));
  pager_cold* other = Open("");
  ASSERT_PAGER_OK(pager_cold_backend(other, &backend));
  EXPECT_EQ(backend, static_cast<uint32_t>(PAGER_COLD_BACKEND_SWAP)) << "no shared default";
  pager_cold_close(other);
  uint8_t byte = 42;
  pager_cold_chunk c = {&byte, 1};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout(c_, &c, 1, &h));
  ASSERT_PAGER_OK(pager_cold_set_backend(c_, PAGER_COLD_BACKEND_SWAP));
  EXPECT_EQ(pager_cold_backend_of(h), static_cast<uint32_t>(PAGER_COLD_BACKEND_FILE));
  pager_cold_free(h);
  EXPECT_EQ(pager_cold_set_backend(c_, 0), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_set_backend(c_, 7), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("unknown backend 7"), std::string::npos);
}

TEST_F(ColdCapi, OverlapMessageNamesBothRanges) {
  auto data = PatternBytes(3, 100);
  pager_cold_chunk c = {data.data(), data.size()};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout(c_, &c, 1, &h));
  pager_cold_range ranges[2] = {{10, 20}, {25, 5}};
  uint8_t out[25];
  EXPECT_EQ(pager_cold_read_at_many(h, ranges, 2, out, sizeof out), PAGER_ERR_OVERLAP);
  EXPECT_STREQ(pager_last_error(),
               "range #0 [offset 10, length 20) overlaps range #1 [offset 25, length 5)");
  EXPECT_EQ(pager_cold_read_at(h, 95, out, 10), PAGER_ERR_RANGE);
  EXPECT_EQ(pager_cold_read_at(h, UINT64_MAX, out, 2), PAGER_ERR_RANGE);
  EXPECT_EQ(pager_cold_read_at(h, 1000, nullptr, 0), PAGER_OK);
  EXPECT_EQ(pager_cold_read_at(h, 0, nullptr, 1), PAGER_ERR_INVALID);
  pager_cold_range one = {0, 1};
  EXPECT_EQ(pager_cold_read_at_many(h, &one, 1, nullptr, 1), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_read_at_many(h, nullptr, 1, out, sizeof out), PAGER_ERR_INVALID);
  ranges[1].offset = 30;
  EXPECT_EQ(pager_cold_read_at_many(h, ranges, 2, out, 4), PAGER_ERR_INVALID);
  EXPECT_STREQ(pager_last_error(), "dst_len is 4 bytes; it must hold at least 25");
  pager_cold_free(h);
}

TEST_F(ColdCapi, HugeListCountsAreInvalidBeforeAnyWork) {
  uint8_t byte = 0;
  pager_cold_chunk c = {&byte, 1};
  pager_cold_handle* h = nullptr;
  EXPECT_EQ(pager_cold_pageout(c_, &c, UINT64_MAX / 2, &h), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("chunks count"), std::string::npos);
  ASSERT_PAGER_OK(pager_cold_pageout(c_, &c, 1, &h));
  pager_cold_range r = {0, 1};
  EXPECT_EQ(pager_cold_read_at_many(h, &r, UINT64_MAX / 2, &byte, 1), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("ranges count"), std::string::npos);
  pager_cold_free(h);
}

TEST_F(ColdCapi, NullArgumentsAreInvalid) {
  pager_cold_handle* h = nullptr;
  uint8_t byte = 0;
  pager_cold_chunk c = {&byte, 1};
  EXPECT_EQ(pager_cold_open(nullptr, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_pageout(nullptr, &c, 1, &h), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_pageout(c_, &c, 1, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_pageout(c_, nullptr, 1, &h), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_pageout_owned(c_, PAGER_COLD_BACKEND_SWAP, nullptr, 1, nullptr, &h),
            PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_read_at(nullptr, 0, nullptr, 0), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_read_at_many(nullptr, nullptr, 0, nullptr, 0), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_take(nullptr, nullptr, 0), PAGER_ERR_INVALID);
  pager_cold_buffer* b = nullptr;
  EXPECT_EQ(pager_cold_take_buffer(nullptr, &b), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_set_scratch_dir(c_, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_set_scratch_dir(nullptr, "/tmp"), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_set_backend(nullptr, PAGER_COLD_BACKEND_SWAP), PAGER_ERR_INVALID);
  uint32_t backend = 0;
  EXPECT_EQ(pager_cold_backend(nullptr, &backend), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_backend(c_, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_scratch_dir(nullptr, nullptr, 0, nullptr), PAGER_ERR_INVALID);
  pager_cold_owned_chunk no_free = {&byte, 1, nullptr, nullptr};
  EXPECT_EQ(pager_cold_pageout_owned(c_, PAGER_COLD_BACKEND_SWAP, &no_free, 1, nullptr, &h),
            PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("no free function"), std::string::npos);
  EXPECT_EQ(pager_cold_get_stats(c_, nullptr), PAGER_ERR_INVALID);
  pager_cold_stats s;
  pager_cold_stats_init(&s);
  EXPECT_EQ(pager_cold_get_stats(nullptr, &s), PAGER_ERR_INVALID);
  EXPECT_EQ(h, nullptr);
  pager_cold_free(nullptr);
  pager_cold_buffer_free(nullptr);
  pager_cold_close(nullptr);
  EXPECT_EQ(pager_cold_len(nullptr), 0u);
  EXPECT_EQ(pager_cold_backend_of(nullptr), static_cast<uint32_t>(PAGER_COLD_BACKEND_DEFAULT));
  EXPECT_EQ(pager_cold_buffer_data(nullptr), nullptr);
  EXPECT_EQ(pager_cold_buffer_len(nullptr), 0u);
  pager_cold_pageout_options_init(nullptr);
  pager_cold_options_init(nullptr);
  pager_cold_stats_init(nullptr);
}

TEST_F(ColdCapi, SecondScratchDirWithAnotherRootIsExists) {
  TempDir other;
  EXPECT_EQ(pager_cold_set_scratch_dir(c_, other.path().c_str()), PAGER_ERR_EXISTS);
  EXPECT_NE(std::string(pager_last_error()).find("refusing"), std::string::npos);
  ASSERT_PAGER_OK(pager_cold_set_scratch_dir(c_, root_.path().c_str()));  // same root: fine
  EXPECT_EQ(ScratchDir(c_).rfind(root_.path() + "/", 0), 0u) << ScratchDir(c_);
  char buf[4];
  EXPECT_EQ(pager_cold_scratch_dir(c_, nullptr, 5, nullptr), PAGER_ERR_INVALID);
  ASSERT_PAGER_OK(pager_cold_scratch_dir(c_, buf, sizeof buf, nullptr));  // len_out optional
}

// Regression: pager_cold_scratch_dir returned PAGER_ERR_RANGE and copied nothing when the
// buffer was too small (and wrote *len_out on that failure); C7 says truncate, report the
// full length, PAGER_OK.
TEST_F(ColdCapi, ScratchDirIsTruncatedToTheBufferWithItsFullLength) {
  std::string full = ScratchDir(c_);
  ASSERT_GT(full.size(), 8u);
  char buf[8];
  std::memset(buf, 'x', sizeof buf);
  uint64_t len = 0;
  ASSERT_PAGER_OK(pager_cold_scratch_dir(c_, buf, sizeof buf, &len));
  EXPECT_EQ(len, full.size());
  EXPECT_EQ(std::string(buf), full.substr(0, 7));
  pager_cold* none = Open("");
  len = 99;
  buf[0] = 'x';
  ASSERT_PAGER_OK(pager_cold_scratch_dir(none, buf, sizeof buf, &len));
  EXPECT_EQ(len, 0u);
  EXPECT_EQ(buf[0], '\0');
  pager_cold_close(none);
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
  ASSERT_PAGER_OK(pager_cold_pageout_owned(c_, PAGER_COLD_BACKEND_SWAP, &c, 1, nullptr, &h));
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
  ASSERT_PAGER_OK(pager_cold_pageout_owned(c_, PAGER_COLD_BACKEND_FILE, &c, 1, nullptr, &h));
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
  ASSERT_PAGER_OK(pager_cold_pageout_with(c_, PAGER_COLD_BACKEND_FILE, &c, 1, nullptr, &h));
  uint8_t small[10];
  EXPECT_EQ(pager_cold_take(h, small, sizeof small), PAGER_ERR_INVALID);
  EXPECT_STREQ(pager_last_error(), "dst_len is 10 bytes; it must hold at least 64");
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
  ASSERT_PAGER_OK(pager_cold_pageout_with(c_, PAGER_COLD_BACKEND_FILE, &c, 1, &big.o, &h));
  pager_cold_free(h);
  big.future = 1;  // a field this library does not know, set: refused
  EXPECT_EQ(pager_cold_pageout_with(c_, PAGER_COLD_BACKEND_FILE, &c, 1, &big.o, &h),
            PAGER_ERR_INVALID);
  pager_cold_pageout_options small;
  pager_cold_pageout_options_init(&small);
  small.struct_size = sizeof small - 4;  // below the 0.2 size
  EXPECT_EQ(pager_cold_pageout_with(c_, PAGER_COLD_BACKEND_FILE, &c, 1, &small, &h),
            PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("below its first version"), std::string::npos);
  EXPECT_EQ(pager_cold_pageout_with(c_, 9, &c, 1, nullptr, &h), PAGER_ERR_INVALID);
}

TEST(ColdCapiOpen, BadOptionsAreInvalid) {
  pager_cold_options o;
  pager_cold_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.backend, static_cast<uint32_t>(PAGER_COLD_BACKEND_SWAP));
  EXPECT_EQ(o.scratch_root, nullptr);
  pager_cold* c = nullptr;
  o.backend = 3;
  EXPECT_EQ(pager_cold_open(&o, &c), PAGER_ERR_INVALID);
  o.backend = PAGER_COLD_BACKEND_DEFAULT;  // 0 means SWAP
  ASSERT_PAGER_OK(pager_cold_open(&o, &c));
  uint32_t backend = 0;
  ASSERT_PAGER_OK(pager_cold_backend(c, &backend));
  EXPECT_EQ(backend, static_cast<uint32_t>(PAGER_COLD_BACKEND_SWAP));
  pager_cold_close(c);
  o.scratch_root = "";
  EXPECT_EQ(pager_cold_open(&o, &c), PAGER_ERR_INVALID);
  o.scratch_root = "/nonexistent-parent/libpager-cold";
  EXPECT_EQ(pager_cold_open(&o, &c), PAGER_ERR_NOT_FOUND);
  pager_cold_options_init(&o);
  o.struct_size = 8;
  EXPECT_EQ(pager_cold_open(&o, &c), PAGER_ERR_INVALID);
  ASSERT_PAGER_OK(pager_cold_open(nullptr, &c));  // NULL: all defaults
  pager_cold_close(c);
}

TEST(ColdCapiOpen, FileBackendWithoutScratchDirIsInvalidUntilOneIsSet) {
  pager_cold* c = Open("", PAGER_COLD_BACKEND_FILE);
  uint8_t byte = 7;
  pager_cold_chunk chunk = {&byte, 1};
  pager_cold_handle* h = nullptr;
  EXPECT_EQ(pager_cold_pageout(c, &chunk, 1, &h), PAGER_ERR_INVALID);
  TempDir root;
  ASSERT_PAGER_OK(pager_cold_set_scratch_dir(c, root.path().c_str()));
  ASSERT_PAGER_OK(pager_cold_pageout(c, &chunk, 1, &h));
  EXPECT_EQ(pager_cold_backend_of(h), static_cast<uint32_t>(PAGER_COLD_BACKEND_FILE));
  pager_cold_free(h);
  pager_cold_close(c);
}

TEST_F(ColdCapi, StatsAreCumulativeAndEachStructSizeIsChecked) {
  pager_cold_stats before = Stats(c_);
  EXPECT_EQ(before.struct_size, sizeof before);
  EXPECT_EQ(before.swap.struct_size, sizeof before.swap);
  EXPECT_EQ(before.file.struct_size, sizeof before.file);
  std::vector<uint8_t> data(20000, 3);
  pager_cold_chunk c = {data.data(), data.size()};
  pager_cold_handle* h = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout_with(c_, PAGER_COLD_BACKEND_FILE, &c, 1, nullptr, &h));
  pager_cold_stats during = Stats(c_);
  EXPECT_EQ(during.file.pageout_count - before.file.pageout_count, 1u);
  EXPECT_EQ(during.file.live_handle_count - before.file.live_handle_count, 1u);
  EXPECT_GE(during.scratch_allocated_bytes, 20480u);
  pager_cold_free(h);
  EXPECT_EQ(Stats(c_).file.live_handle_count, before.file.live_handle_count);
  pager_cold_stats small;
  pager_cold_stats_init(&small);
  small.struct_size = sizeof small - 8;  // below the 0.2 size
  EXPECT_EQ(pager_cold_get_stats(c_, &small), PAGER_ERR_INVALID);
  pager_cold_stats_init(&small);
  small.file.struct_size = 8;  // a nested struct below its 0.2 size
  EXPECT_EQ(pager_cold_get_stats(c_, &small), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("pager_cold_stats.file.struct_size"),
            std::string::npos);
}

TEST_F(ColdCapi, ALargerStatsStructIsWrittenUpToWhatTheLibraryKnows) {
  struct Bigger {
    pager_cold_stats s;
    uint64_t future;
  } big;
  std::memset(&big, 0xEE, sizeof big);
  pager_cold_stats_init(&big.s);
  big.s.struct_size = sizeof big;
  ASSERT_PAGER_OK(pager_cold_get_stats(c_, &big.s));
  EXPECT_EQ(big.s.struct_size, sizeof(pager_cold_stats));
  EXPECT_EQ(big.future, 0xEEEEEEEEEEEEEEEEull);  // past what the library knows: untouched
}

// C10: two pagers in one process, two scratch roots, used at the same time from two threads:
// neither sees the other's directory, default or counters. (Before 0.2 the second root was
// PAGER_ERR_EXISTS: the scratch directory was process-wide.)
TEST(ColdCapiPagers, TwoPagersUseTwoScratchRootsConcurrentlyWithSeparateStats) {
  TempDir root_a, root_b;
  pager_cold* a = Open(root_a.path(), PAGER_COLD_BACKEND_FILE);
  pager_cold* b = Open(root_b.path(), PAGER_COLD_BACKEND_FILE);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(ScratchDir(a).rfind(root_a.path() + "/", 0), 0u);
  EXPECT_EQ(ScratchDir(b).rfind(root_b.path() + "/", 0), 0u);
  auto work = [](pager_cold* c, uint64_t seed, int rounds, int* failures) {
    for (int i = 0; i < rounds; i++) {
      auto data = PatternBytes(seed + i, 3000 + 17 * i);
      pager_cold_chunk chunk = {data.data(), data.size()};
      pager_cold_handle* h = nullptr;
      if (pager_cold_pageout(c, &chunk, 1, &h) != PAGER_OK) {
        (*failures)++;
        continue;
      }
      std::vector<uint8_t> back(data.size());
      if (pager_cold_read_at(h, 0, back.data(), back.size()) != PAGER_OK || back != data) {
        (*failures)++;
      }
      pager_cold_free(h);
    }
  };
  int failures_a = 0, failures_b = 0;
  std::thread ta(work, a, 100, 40, &failures_a);
  std::thread tb(work, b, 200, 25, &failures_b);
  ta.join();
  tb.join();
  EXPECT_EQ(failures_a, 0);
  EXPECT_EQ(failures_b, 0);
  pager_cold_stats sa = Stats(a), sb = Stats(b);
  EXPECT_EQ(sa.file.pageout_count, 40u);
  EXPECT_EQ(sb.file.pageout_count, 25u);
  EXPECT_EQ(sa.swap.pageout_count + sb.swap.pageout_count, 0u);
  EXPECT_EQ(sa.file.live_handle_count + sb.file.live_handle_count, 0u);
  pager_cold_close(a);
  pager_cold_close(b);
}

TEST(ColdCapiPagers, TwoPagersOnOneRootGetTwoPrivateDirectories) {
  TempDir root;
  pager_cold* a = Open(root.path());
  pager_cold* b = Open(root.path());
  std::string dir_a = ScratchDir(a), dir_b = ScratchDir(b);
  EXPECT_NE(dir_a, dir_b);
  EXPECT_TRUE(PathExists(dir_a));
  EXPECT_TRUE(PathExists(dir_b));
  EXPECT_EQ(Stats(b).stale_dir_removed_count, 0u) << "a live pager's directory is not stale";
  pager_cold_close(a);
  EXPECT_FALSE(PathExists(dir_a));
  EXPECT_TRUE(PathExists(dir_b));
  pager_cold_close(b);
  EXPECT_FALSE(PathExists(dir_b));
}

// The lifetime rule: a handle keeps its pager's state alive after pager_cold_close; it stays
// readable and takeable, and the scratch directory goes with the last handle.
TEST(ColdCapiPagers, HandlesStayReadableAfterCloseAndTheLastOneRemovesTheScratchDir) {
  TempDir root;
  pager_cold* c = Open(root.path(), PAGER_COLD_BACKEND_FILE);
  std::string dir = ScratchDir(c);
  auto data = PatternBytes(9, 10000);
  pager_cold_chunk chunk = {data.data(), data.size()};
  pager_cold_handle *file1 = nullptr, *file2 = nullptr, *swap = nullptr;
  ASSERT_PAGER_OK(pager_cold_pageout(c, &chunk, 1, &file1));
  ASSERT_PAGER_OK(pager_cold_pageout(c, &chunk, 1, &file2));
  ASSERT_PAGER_OK(pager_cold_pageout_with(c, PAGER_COLD_BACKEND_SWAP, &chunk, 1, nullptr, &swap));
  pager_cold_close(c);
  EXPECT_TRUE(PathExists(dir)) << "live file handles keep the scratch directory";
  std::vector<uint8_t> back(data.size());
  pager_cold_range r = {100, 200};
  ASSERT_PAGER_OK(pager_cold_read_at_many(file1, &r, 1, back.data(), back.size()));
  EXPECT_EQ(0, std::memcmp(back.data(), data.data() + 100, 200));
  ASSERT_PAGER_OK(pager_cold_take(file1, back.data(), back.size()));
  EXPECT_EQ(back, data);
  pager_cold_buffer* buf = nullptr;
  ASSERT_PAGER_OK(pager_cold_take_buffer(swap, &buf));
  EXPECT_TRUE(PathExists(dir));
  pager_cold_free(file2);  // the last handle
  EXPECT_FALSE(PathExists(dir));
  ASSERT_EQ(pager_cold_buffer_len(buf), data.size());  // a taken buffer depends on nothing
  EXPECT_EQ(0, std::memcmp(pager_cold_buffer_data(buf), data.data(), data.size()));
  pager_cold_buffer_free(buf);
}

}  // namespace
