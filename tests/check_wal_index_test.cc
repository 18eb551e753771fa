// The WAL pager's shared index "<main>-shm" in the check API: pager_format_detect names it
// (by its magic, or by its name next to a WAL main file when a crash left it empty or
// garbled), pager_wal_check accepts its path for its database, and the report says whether
// the index describes the WAL (index_state) and how many live handles hold read marks in it
// (index_readers). A stale or garbled index is never damage: every open rebuilds it.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "impl/wal/shm_index.h"
#include "pager.h"
#include "tests/check_test_files.h"

namespace {

using check_test::Files;

class CheckWalIndex : public ::testing::Test {
 protected:
  void Put(const std::string& path, const std::vector<uint8_t>& bytes) { files_.Put(path, bytes); }
  std::vector<uint8_t> Get(const std::string& path) { return files_.Get(path); }
  uint32_t Detect(const std::string& path) { return files_.Detect(path); }
  pager_check_report Check(const std::string& path) {
    pager_check_report r;
    pager_check_report_init(&r);
    EXPECT_EQ(pager_wal_check(path.c_str(), &r), PAGER_OK) << pager_last_error();
    return r;
  }
  pager_wal* OpenWal(bool read_only) {
    pager_wal_options o;
    pager_wal_options_init(&o);
    o.read_only = read_only ? 1 : 0;
    pager_wal* w = nullptr;
    EXPECT_EQ(pager_wal_open("/w", &o, &w), PAGER_OK) << pager_last_error();
    return w;
  }
  void TruncateAndClose(pager_wal* w) {
    pager_wal_checkpoint_options cp;
    pager_wal_checkpoint_options_init(&cp);
    cp.mode = PAGER_WAL_CHECKPOINT_TRUNCATE;
    uint32_t pages = 0;
    EXPECT_EQ(pager_wal_checkpoint(w, &cp, &pages), PAGER_OK) << pager_last_error();
    pager_wal_close(w);
  }
  void CommitOnePage(pager_wal* w, uint8_t fill) {
    std::vector<uint8_t> page(4096, fill);
    uint32_t frames = 0;
    ASSERT_EQ(pager_wal_stage_page(w, 1, page.data(), page.size()), PAGER_OK);
    ASSERT_EQ(pager_wal_commit(w, &frames), PAGER_OK) << pager_last_error();
  }

  Files files_;
};

TEST_F(CheckWalIndex, TheIndexIsDetectedByItsMagic) {
  ASSERT_FALSE(Get("/w-shm").empty()) << "the fixture's writer publishes an index";
  EXPECT_EQ(Detect("/w-shm"), static_cast<uint32_t>(PAGER_FORMAT_WAL_SHM));
}

TEST_F(CheckWalIndex, AnEmptyOrGarbledDashShmIsTheIndexOnlyNextToAWalMainFile) {
  Put("/w-shm", std::vector<uint8_t>(8192, 0x5a));  // garbled: what a crash can leave (X6)
  EXPECT_EQ(Detect("/w-shm"), static_cast<uint32_t>(PAGER_FORMAT_WAL_SHM));
  Put("/w-shm", {});
  EXPECT_EQ(Detect("/w-shm"), static_cast<uint32_t>(PAGER_FORMAT_WAL_SHM));
  Put("/f-shm", std::vector<uint8_t>(64, 1));  // next to a page file
  EXPECT_EQ(Detect("/f-shm"), static_cast<uint32_t>(PAGER_FORMAT_UNKNOWN));
  Put("/none-shm", {});  // next to nothing
  EXPECT_EQ(Detect("/none-shm"), static_cast<uint32_t>(PAGER_FORMAT_UNKNOWN));
}

TEST_F(CheckWalIndex, ACheckOfTheIndexPathChecksItsDatabaseAndFindsTheIndexCurrent) {
  pager_check_report by_main = Check("/w");
  pager_check_report by_index = Check("/w-shm");
  EXPECT_EQ(by_index.format, static_cast<uint32_t>(PAGER_FORMAT_WAL_MAIN));
  EXPECT_EQ(by_index.damage_code, PAGER_OK) << by_index.damage_detail;
  EXPECT_EQ(by_index.page_count, by_main.page_count);
  EXPECT_EQ(by_index.frame_count, by_main.frame_count);
  EXPECT_EQ(by_index.frame_count, 2u);
  EXPECT_EQ(by_index.index_state, static_cast<uint32_t>(PAGER_WAL_INDEX_CURRENT));
  EXPECT_EQ(by_index.index_readers, 0u);
  pager_check_report old_size;
  pager_check_report_init(&old_size);
  old_size.struct_size = offsetof(pager_check_report, index_state);  // a 0.2-era caller
  old_size.index_state = 77;
  ASSERT_EQ(pager_wal_check("/w", &old_size), PAGER_OK) << pager_last_error();
  EXPECT_EQ(old_size.index_state, 77u) << "fields past struct_size are never written";
}

TEST_F(CheckWalIndex, AGarbledIndexIsStaleNeverDamageAndTheCheckLeavesItAsItWas) {
  std::vector<uint8_t> shm = Get("/w-shm");
  ASSERT_GT(shm.size(), 200u);
  shm[40] ^= 0xff;  // copy A's max_frame: the copies differ and A's checksum fails
  Put("/w-shm", shm);
  pager_check_report r = Check("/w-shm");
  EXPECT_EQ(r.damage_code, PAGER_OK) << r.damage_detail;
  EXPECT_EQ(r.index_state, static_cast<uint32_t>(PAGER_WAL_INDEX_STALE));
  EXPECT_EQ(Get("/w-shm"), shm) << "a check never rewrites the index";
  EXPECT_EQ(Check("/w").index_state, static_cast<uint32_t>(PAGER_WAL_INDEX_STALE));
}

TEST_F(CheckWalIndex, AnIndexOfAnEarlierCommitIsStale) {
  std::vector<uint8_t> before = Get("/w-shm");
  pager_wal* w = OpenWal(false);
  CommitOnePage(w, 9);
  pager_wal_close(w);
  Put("/w-shm", before);  // intact and checksummed, but it counts fewer frames than the WAL
  pager_check_report r = Check("/w");
  EXPECT_EQ(r.damage_code, PAGER_OK) << r.damage_detail;
  EXPECT_EQ(r.index_state, static_cast<uint32_t>(PAGER_WAL_INDEX_STALE));
}

// A TRUNCATE checkpoint leaves no WAL header on disk, only the index that describes the empty
// generation: the index is current (it said "stale" after every such clean close).
TEST_F(CheckWalIndex, AfterATruncateCheckpointAndCloseTheIndexIsCurrent) {
  pager_wal* w = OpenWal(false);
  CommitOnePage(w, 9);
  TruncateAndClose(w);
  pager_check_report r = Check("/w");
  EXPECT_EQ(r.damage_code, PAGER_OK) << r.damage_detail;
  EXPECT_EQ(r.frame_count, 0u);
  EXPECT_EQ(r.index_state, static_cast<uint32_t>(PAGER_WAL_INDEX_CURRENT));
}

// An index of an empty WAL is current only for the main file it was published with: one left
// from an earlier checkpoint (the main header rewritten since) is stale.
TEST_F(CheckWalIndex, AnIndexOfAnEarlierEmptyWalIsStale) {
  TruncateAndClose(OpenWal(false));
  std::vector<uint8_t> empty_before = Get("/w-shm");
  pager_wal* w = OpenWal(false);
  CommitOnePage(w, 10);
  TruncateAndClose(w);
  Put("/w-shm", empty_before);
  EXPECT_EQ(Check("/w").index_state, static_cast<uint32_t>(PAGER_WAL_INDEX_STALE));
}

TEST_F(CheckWalIndex, NoIndexFileIsReportedAsNone) {
  ASSERT_TRUE(files_.env.Remove("/w-shm").ok());
  pager_check_report r = Check("/w");
  EXPECT_EQ(r.index_state, static_cast<uint32_t>(PAGER_WAL_INDEX_NONE));
  bool exists = true;
  ASSERT_TRUE(files_.env.Exists("/w-shm", &exists).ok());
  EXPECT_FALSE(exists) << "a check creates no index";
}

TEST_F(CheckWalIndex, ReadMarksAreCountedWhileTheirHandleLivesAndNeverWhenTheirOwnerIsGone) {
  pager_wal* writer = OpenWal(false);
  pager_wal* reader = OpenWal(true);
  pager_wal_read_txn* txn = nullptr;
  ASSERT_EQ(pager_wal_read_txn_begin(reader, &txn), PAGER_OK) << pager_last_error();
  CommitOnePage(writer, 3);
  pager_check_report r = Check("/w");
  EXPECT_EQ(r.index_state, static_cast<uint32_t>(PAGER_WAL_INDEX_CURRENT));
  EXPECT_EQ(r.index_readers, 1u) << "the reader handle's pinned snapshot";
  pager_wal_read_txn_free(txn);
  EXPECT_EQ(Check("/w").index_readers, 0u) << "an idle slot pins nothing";
  pager_wal_close(reader);
  pager_wal_close(writer);

  // A slot left active by a process that died: its lock byte is free, so it is nobody's (X4).
  std::vector<uint8_t> shm = Get("/w-shm");
  const uint64_t dead = pager::wal::MakeSlotValue(1, 2);
  std::memcpy(shm.data() + pager::wal::kShmSlotsOffset + 5 * 8, &dead, sizeof dead);
  Put("/w-shm", shm);
  EXPECT_EQ(Check("/w").index_readers, 0u);
}

}  // namespace
