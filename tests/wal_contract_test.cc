// The C API 0.2 contract of the WAL pager: checkpoint modes, access mode through the options,
// options_init defaults that are right for open and create, struct sizes below the 0.2 size,
// buffer lengths (C6), and the regressions found by the reliability review.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "pager.h"
#include "tests/support/test_util.h"

namespace {

using ::pager::testing::PatternBytes;
using ::pager::testing::TempDir;

uint64_t SizeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return static_cast<uint64_t>(st.st_size);
}

class WalContract : public ::testing::Test {
 protected:
  TempDir dir;
  std::string path = dir.File("db");
  std::string wal_path = path + "-wal";

  pager_wal* Create(uint32_t page_size, uint64_t keep_bytes = 16u << 20) {
    pager_wal_options o;
    pager_wal_options_init(&o);
    o.page_size = page_size;
    o.auto_checkpoint_frames = 0;
    o.wal_keep_bytes = keep_bytes;
    pager_wal* h = nullptr;
    EXPECT_PAGER_OK(pager_wal_create(path.c_str(), &o, &h));
    return h;
  }
  pager_wal* Open(bool read_only) {
    pager_wal_options o;
    pager_wal_options_init(&o);
    o.read_only = read_only ? 1 : 0;
    pager_wal* h = nullptr;
    EXPECT_PAGER_OK(pager_wal_open(path.c_str(), &o, &h));
    return h;
  }
  // Commits pages 1..n with pattern seed + page.
  static void CommitPages(pager_wal* h, uint32_t n, uint32_t seed) {
    uint32_t ps = 0;
    ASSERT_PAGER_OK(pager_wal_page_size(h, &ps));
    for (uint32_t p = 1; p <= n; p++) {
      std::vector<uint8_t> b = PatternBytes(seed + p, ps);
      ASSERT_PAGER_OK(pager_wal_stage_page(h, p, b.data(), b.size()));
    }
    ASSERT_PAGER_OK(pager_wal_commit(h, nullptr));
  }
  static void ExpectPages(pager_wal* h, uint32_t n, uint32_t seed) {
    uint32_t ps = 0;
    ASSERT_PAGER_OK(pager_wal_page_size(h, &ps));
    std::vector<uint8_t> got(ps);
    for (uint32_t p = 1; p <= n; p++) {
      ASSERT_PAGER_OK(pager_wal_read_page(h, p, got.data(), got.size()));
      EXPECT_EQ(got, PatternBytes(seed + p, ps)) << "page " << p;
    }
  }
  static uint32_t Checkpoint(pager_wal* h, uint32_t mode) {
    pager_wal_checkpoint_options co;
    pager_wal_checkpoint_options_init(&co);
    co.mode = mode;
    uint32_t pages = 0xFFFFFFFFu;
    EXPECT_PAGER_OK(pager_wal_checkpoint(h, &co, &pages));
    return pages;
  }
  static uint64_t WalFrames(pager_wal* h) {
    pager_wal_stats s;
    pager_wal_stats_init(&s);
    EXPECT_PAGER_OK(pager_wal_get_stats(h, &s));
    return s.wal_frames;
  }
};

// ---- regressions ---------------------------------------------------------------------------

// options_init used to write page_size = 4096, so options_init + open of a file with another
// page size failed with PAGER_ERR_PAGE_SIZE unless the caller zeroed the field.
TEST_F(WalContract, OptionsInitThenOpenAcceptsAOneKibPageFile) {
  pager_wal* h = Create(1024);
  CommitPages(h, 2, 10);
  pager_wal_close(h);
  pager_wal_options o;
  pager_wal_options_init(&o);
  ASSERT_PAGER_OK(pager_wal_open(path.c_str(), &o, &h));
  uint32_t ps = 0;
  ASSERT_PAGER_OK(pager_wal_page_size(h, &ps));
  EXPECT_EQ(ps, 1024u);
  ExpectPages(h, 2, 10);
  pager_wal_close(h);
}

TEST_F(WalContract, OptionsInitThenCreateUsesTheDefaultPageSize) {
  pager_wal_options o;
  pager_wal_options_init(&o);
  pager_wal* h = nullptr;
  ASSERT_PAGER_OK(pager_wal_create(path.c_str(), &o, &h));
  uint32_t ps = 0;
  ASSERT_PAGER_OK(pager_wal_page_size(h, &ps));
  EXPECT_EQ(ps, 4096u);
  pager_wal_close(h);
}

TEST_F(WalContract, CreateRejectsAnOptionsStructSizeOfFive) {
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.struct_size = 5;
  pager_wal* h = nullptr;
  EXPECT_EQ(pager_wal_create(path.c_str(), &o, &h), PAGER_ERR_INVALID);
  EXPECT_EQ(h, nullptr);
  EXPECT_NE(std::string(pager_last_error()).find("struct_size"), std::string::npos)
      << pager_last_error();
  o.struct_size = offsetof(pager_wal_options, wal_prewrite_bytes) + sizeof(uint64_t) - 1;
  EXPECT_EQ(pager_wal_create(path.c_str(), &o, &h), PAGER_ERR_INVALID) << "below the 0.2 size";
}

TEST_F(WalContract, CreateRejectsABackgroundCheckpointFlagOtherThanZeroOrOne) {
  pager_wal_options o;
  pager_wal_options_init(&o);
  EXPECT_EQ(o.background_checkpoint, 0u) << "off by default in 0.3";
  o.background_checkpoint = 2;
  pager_wal* h = nullptr;
  EXPECT_EQ(pager_wal_create(path.c_str(), &o, &h), PAGER_ERR_INVALID);
  EXPECT_EQ(h, nullptr);
  o.background_checkpoint = 0;
  o.reserved = 1;
  EXPECT_EQ(pager_wal_create(path.c_str(), &o, &h), PAGER_ERR_INVALID);
  o.reserved = 0;
  o.background_checkpoint = 1;
  ASSERT_EQ(pager_wal_create(path.c_str(), &o, &h), PAGER_OK) << pager_last_error();
  pager_wal_close(h);
}

TEST_F(WalContract, WrongBufferLengthIsInvalidForEveryBufferFunction) {
  pager_wal* h = Create(4096);
  CommitPages(h, 1, 0);
  std::vector<uint8_t> buf(8192);
  for (uint64_t len : {uint64_t{0}, uint64_t{4095}, uint64_t{4097}, uint64_t{1} << 33}) {
    EXPECT_EQ(pager_wal_read_page(h, 1, buf.data(), len), PAGER_ERR_INVALID) << len;
    EXPECT_EQ(pager_wal_stage_page(h, 1, buf.data(), len), PAGER_ERR_INVALID) << len;
    EXPECT_NE(std::string(pager_last_error()).find("4096"), std::string::npos)
        << "names the expected length: " << pager_last_error();
  }
  for (uint64_t len : {uint64_t{0}, uint64_t{PAGER_WAL_APP_HEADER_SIZE - 1},
                       uint64_t{PAGER_WAL_APP_HEADER_SIZE + 1}}) {
    EXPECT_EQ(pager_wal_read_app_header(h, buf.data(), len), PAGER_ERR_INVALID) << len;
    EXPECT_EQ(pager_wal_stage_app_header(h, buf.data(), len), PAGER_ERR_INVALID) << len;
  }
  pager_wal_close(h);
}

TEST_F(WalContract, StatsStructSizeBelowTheFirstVersionIsInvalid) {
  pager_wal* h = Create(4096);
  pager_wal_stats s;
  pager_wal_stats_init(&s);
  s.struct_size = 8;  // accepted before 0.2
  EXPECT_EQ(pager_wal_get_stats(h, &s), PAGER_ERR_INVALID);
  const uint32_t first_size = offsetof(pager_wal_stats, checkpoint_failures) + 8;  // 0.2
  s.struct_size = first_size - 8;
  EXPECT_EQ(pager_wal_get_stats(h, &s), PAGER_ERR_INVALID);
  // A 0.2 caller's struct ends before the 0.3 fields: they are not written.
  pager_wal_stats_init(&s);
  s.struct_size = first_size;
  s.readers_active = 77;
  EXPECT_PAGER_OK(pager_wal_get_stats(h, &s));
  EXPECT_EQ(s.struct_size, first_size);
  EXPECT_EQ(s.readers_active, 77u);
  pager_wal_stats_init(&s);
  EXPECT_PAGER_OK(pager_wal_get_stats(h, &s));
  EXPECT_EQ(s.struct_size, sizeof s);
  pager_wal_close(h);
}

TEST_F(WalContract, CloseClearsTheLastError) {
  pager_wal* h = Create(4096);
  ASSERT_EQ(pager_wal_clear_staged(nullptr), PAGER_ERR_INVALID);
  pager_wal_close(h);
  EXPECT_STREQ(pager_last_error(), "");
}

// ---- access mode through the options -------------------------------------------------------

TEST_F(WalContract, ReadOnlyOpenGoesThroughTheOptions) {
  pager_wal* w = Create(4096);
  CommitPages(w, 2, 3);
  pager_wal_close(w);
  pager_wal* a = Open(true);
  pager_wal* b = Open(true);  // readers share the lock
  uint32_t mode = 9;
  ASSERT_PAGER_OK(pager_wal_access_mode(a, &mode));
  EXPECT_EQ(mode, uint32_t{PAGER_WAL_READ_ONLY});
  ExpectPages(b, 2, 3);
  EXPECT_EQ(pager_wal_commit(a, nullptr), PAGER_ERR_READONLY);
  EXPECT_EQ(pager_wal_checkpoint(a, nullptr, nullptr), PAGER_ERR_READONLY);
  pager_wal* rw = Open(false);  // a writer opens beside readers (W18)
  ASSERT_PAGER_OK(pager_wal_access_mode(rw, &mode));
  EXPECT_EQ(mode, uint32_t{PAGER_WAL_READ_WRITE});
  pager_wal* c = nullptr;
  EXPECT_EQ(pager_wal_open(path.c_str(), nullptr, &c), PAGER_ERR_BUSY);  // not two writers
  pager_wal_close(rw);
  pager_wal_close(a);
  pager_wal_close(b);
}

// ---- checkpoint modes ----------------------------------------------------------------------

TEST_F(WalContract, NullCheckpointOptionsArePassive) {
  pager_wal* h = Create(4096);
  CommitPages(h, 3, 1);
  uint32_t pages = 0;
  ASSERT_PAGER_OK(pager_wal_checkpoint(h, nullptr, &pages));
  EXPECT_EQ(pages, 3u);
  EXPECT_EQ(WalFrames(h), 0u);
  EXPECT_GT(SizeOf(wal_path), 0u) << "passive keeps the WAL file for reuse";
  pager_wal_close(h);
}

TEST_F(WalContract, PassiveCheckpointCopiesEveryFrameAndKeepsTheWalFile) {
  pager_wal* h = Create(4096, 1u << 20);
  CommitPages(h, 4, 1);
  CommitPages(h, 2, 20);
  EXPECT_EQ(Checkpoint(h, PAGER_WAL_CHECKPOINT_PASSIVE), 4u);
  EXPECT_EQ(WalFrames(h), 0u);
  EXPECT_GT(SizeOf(wal_path), 0u);
  pager_wal_close(h);
  h = Open(true);
  ExpectPages(h, 2, 20);
  pager_wal_close(h);
}

TEST_F(WalContract, FullCheckpointCopiesEveryFrame) {
  pager_wal* h = Create(4096);
  CommitPages(h, 5, 2);
  EXPECT_EQ(Checkpoint(h, PAGER_WAL_CHECKPOINT_FULL), 5u);
  EXPECT_EQ(WalFrames(h), 0u);
  EXPECT_EQ(Checkpoint(h, PAGER_WAL_CHECKPOINT_FULL), 0u) << "idempotent";
  pager_wal_close(h);
  h = Open(true);
  ExpectPages(h, 5, 2);
  pager_wal_close(h);
}

TEST_F(WalContract, TruncateCheckpointLeavesAZeroByteWalAndReopensWithAllData) {
  pager_wal* h = Create(4096);
  CommitPages(h, 6, 4);
  uint8_t app[PAGER_WAL_APP_HEADER_SIZE] = {'t', 'r'};
  ASSERT_PAGER_OK(pager_wal_stage_app_header(h, app, sizeof app));
  ASSERT_PAGER_OK(pager_wal_commit(h, nullptr));
  ASSERT_GT(SizeOf(wal_path), 0u);
  EXPECT_EQ(Checkpoint(h, PAGER_WAL_CHECKPOINT_TRUNCATE), 6u);
  EXPECT_EQ(SizeOf(wal_path), 0u);
  ExpectPages(h, 6, 4);  // the handle keeps reading, now from the main file
  pager_wal_close(h);
  EXPECT_EQ(SizeOf(wal_path), 0u);
  for (bool read_only : {true, false}) {
    h = Open(read_only);
    ExpectPages(h, 6, 4);
    uint8_t got[PAGER_WAL_APP_HEADER_SIZE];
    ASSERT_PAGER_OK(pager_wal_read_app_header(h, got, sizeof got));
    EXPECT_EQ(std::memcmp(got, app, sizeof app), 0);
    pager_wal_close(h);
  }
}

TEST_F(WalContract, CommitAfterATruncateCheckpointWritesANewWalGeneration) {
  pager_wal* h = Create(4096);
  CommitPages(h, 3, 5);
  EXPECT_EQ(Checkpoint(h, PAGER_WAL_CHECKPOINT_TRUNCATE), 3u);
  ASSERT_EQ(SizeOf(wal_path), 0u);
  CommitPages(h, 2, 50);
  EXPECT_EQ(WalFrames(h), 2u);
  EXPECT_GT(SizeOf(wal_path), 0u);
  pager_wal_close(h);
  // Read-only: the frames are read from the WAL (not checkpointed by the open).
  h = Open(true);
  EXPECT_EQ(WalFrames(h), 2u);
  ExpectPages(h, 2, 50);
  std::vector<uint8_t> got(4096);
  ASSERT_PAGER_OK(pager_wal_read_page(h, 3, got.data(), got.size()));
  EXPECT_EQ(got, PatternBytes(5 + 3, 4096));
  pager_wal_close(h);
}

TEST_F(WalContract, TruncateCheckpointWithAnEmptyWalStillCutsTheFile) {
  pager_wal* h = Create(4096, 1u << 20);
  CommitPages(h, 2, 6);
  EXPECT_EQ(Checkpoint(h, PAGER_WAL_CHECKPOINT_PASSIVE), 2u);
  ASSERT_GT(SizeOf(wal_path), 0u);
  EXPECT_EQ(Checkpoint(h, PAGER_WAL_CHECKPOINT_TRUNCATE), 0u);
  EXPECT_EQ(SizeOf(wal_path), 0u);
  EXPECT_EQ(Checkpoint(h, PAGER_WAL_CHECKPOINT_TRUNCATE), 0u) << "idempotent";
  pager_wal_close(h);
  h = Open(false);
  ExpectPages(h, 2, 6);
  pager_wal_close(h);
}

TEST_F(WalContract, CheckpointOptionsAreCheckedLikeEveryOptionsStruct) {
  pager_wal* h = Create(4096);
  CommitPages(h, 1, 0);
  pager_wal_checkpoint_options co;
  pager_wal_checkpoint_options_init(&co);
  EXPECT_EQ(co.struct_size, sizeof co);
  EXPECT_EQ(co.mode, uint32_t{PAGER_WAL_CHECKPOINT_PASSIVE});
  co.mode = 3;
  uint32_t pages = 77;
  EXPECT_EQ(pager_wal_checkpoint(h, &co, &pages), PAGER_ERR_INVALID);
  co.mode = PAGER_WAL_CHECKPOINT_FULL;
  co.struct_size = 4;
  EXPECT_EQ(pager_wal_checkpoint(h, &co, &pages), PAGER_ERR_INVALID);
  struct Bigger {
    pager_wal_checkpoint_options base;
    uint32_t future;
  } big;
  std::memset(&big, 0, sizeof big);
  pager_wal_checkpoint_options_init(&big.base);
  big.base.struct_size = sizeof big;
  big.future = 1;
  EXPECT_EQ(pager_wal_checkpoint(h, &big.base, &pages), PAGER_ERR_INVALID);
  EXPECT_EQ(pages, 77u) << "untouched on failure";
  big.future = 0;
  ASSERT_PAGER_OK(pager_wal_checkpoint(h, &big.base, &pages));
  EXPECT_EQ(pages, 1u);
  pager_wal_close(h);
}

}  // namespace
