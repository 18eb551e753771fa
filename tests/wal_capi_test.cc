// The C API of the WAL pager: every error code each function documents, reached through the
// C boundary, with a detail message; options-struct growth; NULL safety; statistics.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "pager.h"
#include "tests/support/test_util.h"

namespace {

using ::pager::testing::PatternBytes;
using ::pager::testing::TempDir;

class WalCapi : public ::testing::Test {
 protected:
  TempDir dir;
  std::string path = dir.File("db");

  pager_wal* Create(uint32_t page_size = 4096) {
    pager_wal_options o;
    pager_wal_options_init(&o);
    o.page_size = page_size;
    pager_wal* h = nullptr;
    EXPECT_PAGER_OK(pager_wal_create(path.c_str(), &o, &h));
    return h;
  }
  pager_wal* OpenReadOnly() {
    pager_wal_options o;
    pager_wal_options_init(&o);
    o.read_only = 1;
    pager_wal* h = nullptr;
    EXPECT_PAGER_OK(pager_wal_open(path.c_str(), &o, &h));
    return h;
  }
  // The code, and a check that a failing call left a detail message.
  static int Expect(int rc, int want) {
    EXPECT_EQ(rc, want) << pager_errstr(rc) << ": " << pager_last_error();
    if (rc != PAGER_OK) {
      EXPECT_STRNE(pager_last_error(), "");
    }
    return rc;
  }
};

// After a crash (the index left as an earlier commit published it: it is never synced), with
// no writer open: PAGER_WAL_READ_ONLY_KEEP_FILES reads around the stale index and writes no
// file (so it keeps writers out until it closes); PAGER_WAL_READ_ONLY rebuilds the index and
// lets a writer in beside it.
TEST_F(WalCapi, ReadOnlyKeepFilesLeavesAStaleIndexAsFoundWhereReadOnlyRebuildsIt) {
  pager_wal* h = Create();
  std::vector<uint8_t> page = PatternBytes(1, 4096);
  ASSERT_PAGER_OK(pager_wal_stage_page(h, 1, page.data(), page.size()));
  ASSERT_PAGER_OK(pager_wal_commit(h, nullptr));
  const std::string shm = path + "-shm";
  const std::vector<uint8_t> earlier = ::pager::testing::ReadWholeFile(shm);
  std::vector<uint8_t> newer = PatternBytes(2, 4096);
  ASSERT_PAGER_OK(pager_wal_stage_page(h, 1, newer.data(), newer.size()));
  ASSERT_PAGER_OK(pager_wal_commit(h, nullptr));
  pager_wal_close(h);
  ::pager::testing::WriteWholeFile(shm, earlier);

  pager_wal_options o;
  pager_wal_options_init(&o);
  o.read_only = PAGER_WAL_READ_ONLY_KEEP_FILES;
  pager_wal* keep = nullptr;
  ASSERT_PAGER_OK(pager_wal_open(path.c_str(), &o, &keep));
  uint32_t mode = 99;
  ASSERT_PAGER_OK(pager_wal_access_mode(keep, &mode));
  EXPECT_EQ(mode, uint32_t{PAGER_WAL_READ_ONLY});
  std::vector<uint8_t> got(4096);
  ASSERT_PAGER_OK(pager_wal_read_page(keep, 1, got.data(), got.size()));
  EXPECT_EQ(got, newer);
  pager_wal* w = nullptr;
  Expect(pager_wal_open(path.c_str(), nullptr, &w), PAGER_ERR_BUSY);
  EXPECT_NE(std::string(pager_last_error()).find("read-only handles"), std::string::npos)
      << pager_last_error();
  pager_wal_close(keep);
  EXPECT_EQ(::pager::testing::ReadWholeFile(shm), earlier) << "a KEEP_FILES reader wrote -shm";

  pager_wal* r = OpenReadOnly();
  ASSERT_PAGER_OK(pager_wal_read_page(r, 1, got.data(), got.size()));
  EXPECT_EQ(got, newer);
  EXPECT_NE(::pager::testing::ReadWholeFile(shm), earlier) << "the reader did not rebuild -shm";
  ASSERT_PAGER_OK(pager_wal_open(path.c_str(), nullptr, &w));
  pager_wal_close(w);
  pager_wal_close(r);
}

TEST_F(WalCapi, RoundTripThroughTheCApi) {
  pager_wal* h = Create();
  std::vector<uint8_t> page = PatternBytes(1, 4096);
  ASSERT_PAGER_OK(pager_wal_stage_page(h, 1, page.data(), page.size()));
  uint8_t app[PAGER_WAL_APP_HEADER_SIZE] = {1, 2, 3};
  ASSERT_PAGER_OK(pager_wal_stage_app_header(h, app, sizeof app));
  uint32_t frames = 99;
  ASSERT_PAGER_OK(pager_wal_commit(h, &frames));
  EXPECT_EQ(frames, 1u);
  ASSERT_PAGER_OK(pager_wal_commit(h, nullptr));
  uint32_t pages = 99;
  ASSERT_PAGER_OK(pager_wal_checkpoint(h, nullptr, &pages));
  EXPECT_EQ(pages, 1u);
  pager_wal_close(h);
  h = OpenReadOnly();
  ASSERT_NE(h, nullptr);
  uint32_t v = 0;
  ASSERT_PAGER_OK(pager_wal_access_mode(h, &v));
  EXPECT_EQ(v, uint32_t{PAGER_WAL_READ_ONLY});
  ASSERT_PAGER_OK(pager_wal_page_size(h, &v));
  EXPECT_EQ(v, 4096u);
  ASSERT_PAGER_OK(pager_wal_page_count(h, &v));
  EXPECT_EQ(v, 2u);
  std::vector<uint8_t> got(4096);
  ASSERT_PAGER_OK(pager_wal_read_page(h, 1, got.data(), got.size()));
  EXPECT_EQ(got, page);
  uint8_t app_got[PAGER_WAL_APP_HEADER_SIZE];
  ASSERT_PAGER_OK(pager_wal_read_app_header(h, app_got, sizeof app_got));
  EXPECT_EQ(std::memcmp(app, app_got, sizeof app), 0);
  pager_wal_close(h);
  ASSERT_PAGER_OK(pager_wal_open(path.c_str(), nullptr, &h));
  ASSERT_PAGER_OK(pager_wal_access_mode(h, &v));
  EXPECT_EQ(v, uint32_t{PAGER_WAL_READ_WRITE});
  pager_wal_close(h);
}

TEST_F(WalCapi, CloseOfNullIsANoOp) { pager_wal_close(nullptr); }

TEST_F(WalCapi, InvalidArguments) {
  pager_wal* h = nullptr;
  pager_wal_options_init(nullptr);  // NULL-safe
  Expect(pager_wal_create(nullptr, nullptr, &h), PAGER_ERR_INVALID);
  Expect(pager_wal_create(path.c_str(), nullptr, nullptr), PAGER_ERR_INVALID);
  Expect(pager_wal_open(nullptr, nullptr, &h), PAGER_ERR_INVALID);
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.read_only = 3;
  Expect(pager_wal_open(path.c_str(), &o, &h), PAGER_ERR_INVALID);
  pager_wal_options_init(&o);
  o.read_only = 1;
  Expect(pager_wal_create(path.c_str(), &o, &h), PAGER_ERR_INVALID);
  o.read_only = PAGER_WAL_READ_ONLY_KEEP_FILES;
  Expect(pager_wal_create(path.c_str(), &o, &h), PAGER_ERR_INVALID);
  pager_wal_options_init(&o);
  o.durability = 5;
  Expect(pager_wal_create(path.c_str(), &o, &h), PAGER_ERR_INVALID);
  pager_wal_options_init(&o);
  o.page_size = 3000;
  Expect(pager_wal_create(path.c_str(), &o, &h), PAGER_ERR_INVALID);
  pager_wal_options_init(&o);
  o.struct_size = 0;
  Expect(pager_wal_create(path.c_str(), &o, &h), PAGER_ERR_INVALID);
  EXPECT_EQ(h, nullptr) << "out-parameter untouched on failure";

  h = Create();
  uint32_t v;
  std::vector<uint8_t> buf(4096);
  Expect(pager_wal_access_mode(nullptr, &v), PAGER_ERR_INVALID);
  Expect(pager_wal_access_mode(h, nullptr), PAGER_ERR_INVALID);
  Expect(pager_wal_page_size(h, nullptr), PAGER_ERR_INVALID);
  Expect(pager_wal_page_count(nullptr, &v), PAGER_ERR_INVALID);
  Expect(pager_wal_read_page(h, 1, nullptr, 4096), PAGER_ERR_INVALID);
  Expect(pager_wal_stage_page(h, 1, nullptr, 4096), PAGER_ERR_INVALID);
  Expect(pager_wal_stage_page(nullptr, 1, buf.data(), 4096), PAGER_ERR_INVALID);
  Expect(pager_wal_clear_staged(nullptr), PAGER_ERR_INVALID);
  Expect(pager_wal_set_page_count(h, 0), PAGER_ERR_INVALID);
  Expect(pager_wal_read_app_header(h, buf.data(), 10), PAGER_ERR_INVALID);
  Expect(pager_wal_stage_app_header(h, buf.data(), 1000), PAGER_ERR_INVALID);
  Expect(pager_wal_commit(nullptr, nullptr), PAGER_ERR_INVALID);
  Expect(pager_wal_checkpoint(nullptr, nullptr, nullptr), PAGER_ERR_INVALID);
  pager_wal_checkpoint_options co;
  pager_wal_checkpoint_options_init(&co);
  co.mode = 3;
  Expect(pager_wal_checkpoint(h, &co, nullptr), PAGER_ERR_INVALID);
  pager_wal_checkpoint_options_init(&co);
  co.struct_size = 4;
  Expect(pager_wal_checkpoint(h, &co, nullptr), PAGER_ERR_INVALID);
  pager_wal_stats s;
  pager_wal_stats_init(&s);
  s.struct_size = 8;
  Expect(pager_wal_get_stats(h, &s), PAGER_ERR_INVALID);
  Expect(pager_wal_get_stats(h, nullptr), PAGER_ERR_INVALID);
  pager_wal_close(h);
}

TEST_F(WalCapi, PageErrors) {
  pager_wal* h = Create();
  std::vector<uint8_t> buf(4096);
  Expect(pager_wal_read_page(h, 0, buf.data(), buf.size()), PAGER_ERR_RESERVED);
  Expect(pager_wal_stage_page(h, 0, buf.data(), buf.size()), PAGER_ERR_RESERVED);
  Expect(pager_wal_read_page(h, 1, buf.data(), buf.size()), PAGER_ERR_NOT_FOUND);
  Expect(pager_wal_read_page(h, 1, buf.data(), 512), PAGER_ERR_INVALID);
  Expect(pager_wal_stage_page(h, 1, buf.data(), 512), PAGER_ERR_INVALID);
  Expect(pager_wal_stage_page(h, 0xFFFFFFFFu, buf.data(), buf.size()), PAGER_ERR_RANGE);
  EXPECT_NE(std::string(pager_last_error()).find("4294967295"), std::string::npos)
      << "the message names the page: " << pager_last_error();
  pager_wal_close(h);
}

TEST_F(WalCapi, OpenErrors) {
  pager_wal* h = nullptr;
  Expect(pager_wal_open(path.c_str(), nullptr, &h), PAGER_ERR_NOT_FOUND);
  Expect(pager_wal_create(dir.File("no/such/dir").c_str(), nullptr, &h), PAGER_ERR_NOT_FOUND);
  pager_wal* w = Create();
  Expect(pager_wal_create(path.c_str(), nullptr, &h), PAGER_ERR_EXISTS);
  Expect(pager_wal_open(path.c_str(), nullptr, &h), PAGER_ERR_BUSY);
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.read_only = 1;
  Expect(pager_wal_open(path.c_str(), &o, &h), PAGER_OK);  // readers beside the writer (W19)
  pager_wal_close(h);
  h = nullptr;
  pager_wal_close(w);
  pager_wal_options_init(&o);
  o.page_size = 8192;
  Expect(pager_wal_open(path.c_str(), &o, &h), PAGER_ERR_PAGE_SIZE);
  // Damage: CORRUPT and VERSION.
  std::vector<uint8_t> good = pager::testing::ReadWholeFile(path);
  std::vector<uint8_t> bad = good;
  bad[20] ^= 1;
  pager::testing::WriteWholeFile(path, bad);
  Expect(pager_wal_open(path.c_str(), nullptr, &h), PAGER_ERR_CORRUPT);
  bad = good;
  bad[8] = 2;  // format version 2
  pager::testing::WriteWholeFile(path, bad);
  pager_wal_options_init(&o);
  o.read_only = 1;
  Expect(pager_wal_open(path.c_str(), &o, &h), PAGER_ERR_VERSION);
  pager::testing::WriteWholeFile(path, good);
  ASSERT_PAGER_OK(pager_wal_open(path.c_str(), nullptr, &h));
  pager_wal_close(h);
}

TEST_F(WalCapi, ReadOnlyErrors) {
  pager_wal_close(Create());
  pager_wal* h = OpenReadOnly();
  ASSERT_NE(h, nullptr);
  std::vector<uint8_t> page(4096, 1);
  ASSERT_PAGER_OK(pager_wal_stage_page(h, 1, page.data(), page.size()));
  Expect(pager_wal_commit(h, nullptr), PAGER_ERR_READONLY);
  Expect(pager_wal_checkpoint(h, nullptr, nullptr), PAGER_ERR_READONLY);
  pager_wal_close(h);
  // No permission to write the file: a read-write open reports READONLY (unless root).
  if (geteuid() != 0) {
    ASSERT_EQ(chmod(path.c_str(), 0444), 0);
    Expect(pager_wal_open(path.c_str(), nullptr, &h), PAGER_ERR_READONLY);
    ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  }
}

TEST_F(WalCapi, OptionsStructGrowsSafely) {
  // An older caller's shorter struct: fields it lacks take their defaults.
  pager_wal_options o;
  pager_wal_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.page_size, 0u) << "0: 4096 on create, the file's on open";
  EXPECT_EQ(o.durability, uint32_t{PAGER_WAL_FULL});
  EXPECT_EQ(o.read_only, 0u);
  o.page_size = 1024;
  pager_wal* h = nullptr;
  ASSERT_PAGER_OK(pager_wal_create(path.c_str(), &o, &h));
  uint32_t ps = 0;
  pager_wal_page_size(h, &ps);
  EXPECT_EQ(ps, 1024u);
  pager_wal_close(h);
  // A newer caller's longer struct: zero tail accepted, non-zero tail refused.
  struct Bigger {
    pager_wal_options base;
    uint64_t future;
  } big;
  std::memset(&big, 0, sizeof big);
  pager_wal_options_init(&big.base);
  big.base.struct_size = sizeof big;
  big.base.page_size = 0;
  ASSERT_PAGER_OK(pager_wal_open(path.c_str(), &big.base, &h));
  pager_wal_close(h);
  big.future = 1;
  Expect(pager_wal_open(path.c_str(), &big.base, &h), PAGER_ERR_INVALID);
}

TEST_F(WalCapi, StatsHonourTheCallersStructSize) {
  pager_wal* h = Create();
  std::vector<uint8_t> page(4096, 3);
  pager_wal_stage_page(h, 1, page.data(), page.size());
  pager_wal_commit(h, nullptr);
  pager_wal_stats s;
  std::memset(&s, 0xEE, sizeof s);
  pager_wal_stats_init(&s);
  ASSERT_PAGER_OK(pager_wal_get_stats(h, &s));
  EXPECT_EQ(s.struct_size, sizeof s);
  EXPECT_EQ(s.last_checkpoint_error, 0);
  EXPECT_EQ(s.checkpoint_failures, 0u);
  EXPECT_EQ(s.commits, 1u);
  EXPECT_EQ(s.frames_written, 1u);
  EXPECT_EQ(s.wal_frames, 1u);
  EXPECT_GT(s.syncs, 0u);
  EXPECT_GT(s.bytes_synced, 4096u);
  // A newer caller's longer struct: only the bytes this library knows are written, and
  // struct_size says how many.
  struct Bigger {
    pager_wal_stats base;
    uint64_t future;
  } big;
  std::memset(&big, 0xEE, sizeof big);
  big.base.struct_size = sizeof big;
  ASSERT_PAGER_OK(pager_wal_get_stats(h, &big.base));
  EXPECT_EQ(big.base.struct_size, sizeof(pager_wal_stats));
  EXPECT_EQ(big.future, 0xEEEEEEEEEEEEEEEEull);
  pager_wal_close(h);
}

TEST_F(WalCapi, NormalDurabilityAndAutoCheckpointOptions) {
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.durability = PAGER_WAL_NORMAL;
  o.auto_checkpoint_frames = 2;
  pager_wal* h = nullptr;
  ASSERT_PAGER_OK(pager_wal_create(path.c_str(), &o, &h));
  pager_wal_stats s0;
  pager_wal_stats_init(&s0);
  pager_wal_get_stats(h, &s0);
  std::vector<uint8_t> page(4096, 5);
  pager_wal_stage_page(h, 1, page.data(), page.size());
  ASSERT_PAGER_OK(pager_wal_commit(h, nullptr));
  pager_wal_stats s1;
  pager_wal_stats_init(&s1);
  pager_wal_get_stats(h, &s1);
  EXPECT_EQ(s1.syncs, s0.syncs) << "NORMAL: no sync at commit";
  pager_wal_stage_page(h, 2, page.data(), page.size());
  ASSERT_PAGER_OK(pager_wal_commit(h, nullptr));
  pager_wal_get_stats(h, &s1);
  EXPECT_EQ(s1.checkpoints, 1u);
  pager_wal_close(h);
}

}  // namespace
