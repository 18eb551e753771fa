// pager_file_get_stats on the real file system: what each operation costs in flushes (one per
// commit and per sync_pages, P2 and P11), when the journal checkpoints (P16), and the C8 rules
// of the result struct.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "pager.h"
#include "tests/support/test_util.h"

namespace {

using pager::testing::TempDir;

constexpr uint64_t kMiB = uint64_t{1} << 20;

pager_file_options Opts(uint32_t format_version = 0, uint64_t journal_lap_bytes = 0,
                        uint32_t read_only = 0) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.max_size_bytes = uint64_t{1} << 32;  // ThreadSanitizer cannot reserve the default 1 TiB
  o.format_version = format_version;
  o.journal_lap_bytes = journal_lap_bytes;
  o.read_only = read_only;
  return o;
}

// A new page file "pages" in dir created with o (null, and a failed expectation, on error).
pager_file* Create(const TempDir& dir, const pager_file_options& o) {
  pager_file* f = nullptr;
  EXPECT_EQ(pager_file_create(dir.File("pages").c_str(), &o, &f), PAGER_OK) << pager_last_error();
  return f;
}

pager_file_stats Stats(pager_file* f) {
  pager_file_stats s;
  pager_file_stats_init(&s);
  EXPECT_EQ(pager_file_get_stats(f, &s), PAGER_OK) << pager_last_error();
  return s;
}

// Writes every listed page through the mapping and makes them durable with one sync_pages.
void WriteAndSync(pager_file* f, const std::vector<uint64_t>& ids, int round) {
  for (uint64_t id : ids) {
    void* p = nullptr;
    ASSERT_PAGER_OK(pager_file_page(f, id, &p));
    std::memset(p, round, 4096);
  }
  ASSERT_PAGER_OK(pager_file_sync_pages(f, ids.data(), ids.size()));
}

TEST(FileStats, EachCommitAndEachSyncPagesIsOneFlush) {
  TempDir dir;
  pager_file* f = Create(dir, Opts());
  ASSERT_NE(f, nullptr);
  pager_file_stats before = Stats(f);
  EXPECT_EQ(before.format_version, 2u);
  EXPECT_EQ(before.journal_lap_bytes, 64 * kMiB);
  std::vector<uint64_t> ids(64);
  ASSERT_PAGER_OK(pager_file_alloc_bulk(f, ids.data(), ids.size()));
  EXPECT_EQ(Stats(f).syncs, before.syncs + 1) << "a bulk allocation is one commit";
  WriteAndSync(f, ids, 1);
  pager_file_stats after_sync = Stats(f);
  EXPECT_EQ(after_sync.syncs, before.syncs + 2) << "64 scattered pages, one flush";
  EXPECT_GE(after_sync.journal_bytes, 64 * 4096u) << "the pages went through the journal";
  uint64_t pids[3];
  ASSERT_PAGER_OK(pager_file_protected_alloc_bulk(f, pids, 3));
  pager_file_txn* t = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_begin(f, &t));
  std::vector<uint8_t> page(4096, 7);
  for (uint64_t id : pids) ASSERT_PAGER_OK(pager_file_txn_write(t, id, page.data(), page.size()));
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  pager_file_txn_free(t);
  pager_file_stats end = Stats(f);
  EXPECT_EQ(end.syncs, before.syncs + 4) << "the protected allocation and the transaction";
  EXPECT_GT(end.journal_bytes, after_sync.journal_bytes);
  EXPECT_EQ(end.checkpoints, 0u) << "far from the 64 MiB lap";
  pager_file_close(f);
}

TEST(FileStats, ASmallLapCheckpointsAndStartsTheJournalOver) {
  TempDir dir;
  pager_file* f = Create(dir, Opts(2, kMiB));
  ASSERT_NE(f, nullptr);
  std::vector<uint64_t> ids(64);
  ASSERT_PAGER_OK(pager_file_alloc_bulk(f, ids.data(), ids.size()));
  uint64_t largest = 0;
  for (int round = 0; round < 24; round++) {
    WriteAndSync(f, ids, round);
    largest = std::max(largest, Stats(f).journal_bytes);
  }
  pager_file_stats s = Stats(f);
  EXPECT_EQ(s.journal_lap_bytes, kMiB);
  // 24 batches of ~264 KiB: a checkpoint before every fourth or so.
  EXPECT_GE(s.checkpoints, 5u);
  EXPECT_LE(s.checkpoints, 8u);
  EXPECT_LE(largest, kMiB) << "a batch that would pass the lap starts the journal over";
  pager_file_close(f);
}

TEST(FileStats, AFormatOneFileHasNoJournalCounters) {
  TempDir dir;
  pager_file* f = Create(dir, Opts(1));
  ASSERT_NE(f, nullptr);
  uint64_t syncs = Stats(f).syncs;
  std::vector<uint64_t> ids(8);
  ASSERT_PAGER_OK(pager_file_alloc_bulk(f, ids.data(), ids.size()));
  WriteAndSync(f, ids, 3);
  pager_file_stats s = Stats(f);
  EXPECT_EQ(s.format_version, 1u);
  EXPECT_EQ(s.syncs, syncs + 2);
  EXPECT_EQ(s.checkpoints, 0u);
  EXPECT_EQ(s.journal_bytes, 0u);
  EXPECT_EQ(s.journal_lap_bytes, 0u);
  pager_file_close(f);
}

TEST(FileStats, AReadOnlyHandleFlushesNothing) {
  TempDir dir;
  pager_file* f = Create(dir, Opts());
  ASSERT_NE(f, nullptr);
  pager_file_close(f);
  pager_file_options o = Opts(0, 0, 1);
  ASSERT_PAGER_OK(pager_file_open(dir.File("pages").c_str(), &o, &f));
  pager_file_stats s = Stats(f);
  EXPECT_EQ(s.format_version, 2u);
  EXPECT_EQ(s.syncs, 0u);
  EXPECT_EQ(s.checkpoints, 0u);
  pager_file_close(f);
}

// C8: a caller compiled against a shorter struct gets exactly its bytes; a longer one (a
// later header) gets this version's bytes and struct_size says how many.
TEST(FileStats, TheResultStructIsWrittenUpToTheCallersSizeAndNoFurther) {
  TempDir dir;
  pager_file* f = Create(dir, Opts());
  ASSERT_NE(f, nullptr);
  struct Longer {
    pager_file_stats s;
    uint64_t later_field;
  } longer;
  std::memset(&longer, 0xAB, sizeof longer);
  longer.s.struct_size = sizeof longer;
  ASSERT_PAGER_OK(pager_file_get_stats(f, &longer.s));
  EXPECT_EQ(longer.s.struct_size, sizeof(pager_file_stats));
  EXPECT_EQ(longer.later_field, 0xABABABABABABABABull) << "written past this version's fields";
  EXPECT_EQ(longer.s.format_version, 2u);
  pager_file_close(f);
}

}  // namespace
