// Pinned views of the WAL pager (W22, W23): pointers into read-only mappings of the main file
// and the WAL that stay valid until the read transaction ends, across commits, checkpoints
// and attempted WAL restarts.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "tests/support/mapping_probe.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::DropFromPageCache;
using ::pager::testing::ResidentPages;
using ::pager::testing::VmFlagsOf;

class WalView : public WalTempDb {
 protected:

  const uint8_t* View(WalPager* p, ReadSnapshot* s, uint32_t page) {
    const uint8_t* data = nullptr;
    Status st = p->ViewPageAt(s, page, &data);
    EXPECT_TRUE(st.ok()) << "page " << page << ": " << st.ToString();
    return data;
  }
  static std::vector<uint8_t> Bytes(const uint8_t* data) {
    return data ? std::vector<uint8_t>(data, data + 4096) : std::vector<uint8_t>();
  }
};

TEST_F(WalView, AViewOfAWalFrameSurvivesACheckpointAndARestartAttempt) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  const uint8_t* v = View(p.get(), &s, 1);  // page 1 lives in the WAL
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(s.wal_views) << "the WAL file could not be mapped: the test proves nothing";
  // PASSIVE copies the frame into the main file but must not restart the WAL under the view.
  MustCheckpoint(p.get());
  EXPECT_EQ(Bytes(v), Page(1));
  EXPECT_GT(p->stats().wal_frames + 0, 0u) << "the WAL kept its frames";
  // The next commits append after the viewed frame rather than overwriting it.
  for (uint64_t i = 2; i < 6; i++) {
    Stage(p.get(), 1, Page(i));
    MustCommit(p.get());
  }
  EXPECT_EQ(Bytes(v), Page(1));
  // FULL waits for the transaction (lock_timeout_ms 0: at once), then BUSY.
  EXPECT_EQ(p->Checkpoint(CheckpointMode::kFull).status().code(), Code::kBusy);
  EXPECT_EQ(p->Checkpoint(CheckpointMode::kTruncate).status().code(), Code::kBusy);
  EXPECT_EQ(Bytes(v), Page(1));
  EXPECT_EQ(Read(p.get(), 1), Page(5));
  p->EndRead(&s);
  ASSERT_TRUE(p->Checkpoint(CheckpointMode::kTruncate).ok());
  EXPECT_EQ(Read(p.get(), 1), Page(5));
  EXPECT_TRUE(p->CheckInvariants().ok());
  p.reset();
  p = MustOpen(env, path);
  EXPECT_EQ(Read(p.get(), 1), Page(5));
}

TEST_F(WalView, APassiveCheckpointThatKeptTheWalForAViewLosesNoCommitOnReopen) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  Stage(p.get(), 2, Page(2));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  const uint8_t* v = View(p.get(), &s, 2);
  MustCheckpoint(p.get());  // copies, keeps the WAL (W23)
  ASSERT_TRUE(p->SetPageCount(2).ok());  // shrink away page 2, then write page 1
  Stage(p.get(), 1, Page(3));
  MustCommit(p.get());
  EXPECT_EQ(Bytes(v), Page(2));
  p->EndRead(&s);
  p.reset();  // no reset ran: recovery replays the whole WAL over the checkpointed main file
  p = MustOpen(env, path);
  EXPECT_EQ(p->page_count(), 2u);
  EXPECT_EQ(Read(p.get(), 1), Page(3));
  EXPECT_TRUE(p->CheckInvariants().ok());
}

TEST_F(WalView, AViewOfAMainPageKeepsTheSnapshotBytesAcrossLaterCommitsAndCheckpoints) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  MustCheckpoint(p.get());  // page 1 now lives in the main file
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  const uint8_t* v = View(p.get(), &s, 1);
  EXPECT_FALSE(s.wal_views);
  Stage(p.get(), 1, Page(2));
  MustCommit(p.get());
  MustCheckpoint(p.get());  // W16: the reader's mark is behind, nothing is copied
  EXPECT_EQ(p->Checkpoint(CheckpointMode::kFull).status().code(), Code::kBusy);
  EXPECT_EQ(Bytes(v), Page(1));
  EXPECT_EQ(Read(p.get(), 1), Page(2));
  p->EndRead(&s);
  MustCheckpoint(p.get());
  EXPECT_EQ(Read(p.get(), 1), Page(2));
}

TEST_F(WalView, AViewOfAPageAShrinkHidFromTheSnapshotIsZerosNotTheOldBytes) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  Stage(p.get(), 2, Page(2));
  MustCommit(p.get());
  ASSERT_TRUE(p->SetPageCount(2).ok());
  ASSERT_TRUE(p->SetPageCount(3).ok());
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  EXPECT_EQ(Bytes(View(p.get(), &s, 2)), std::vector<uint8_t>(4096, 0));
  Stage(p.get(), 1, Page(9));
  MustCommit(p.get());  // the snapshot is older now: history_ decides
  EXPECT_EQ(Bytes(View(p.get(), &s, 2)), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(Bytes(View(p.get(), &s, 1)), Page(1));
  p->EndRead(&s);
}

TEST_F(WalView, AViewMatchesTheCopyingReadForEveryPageOfAnOlderSnapshot) {
  auto p = MustCreate(env, path);
  for (uint32_t i = 1; i < 40; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  MustCheckpoint(p.get());
  for (uint32_t i = 1; i < 40; i += 3) Stage(p.get(), i, Page(100 + i));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  for (uint32_t i = 1; i < 40; i += 2) Stage(p.get(), i, Page(200 + i));
  MustCommit(p.get());
  std::vector<uint8_t> buf(4096);
  for (uint32_t i = 1; i < 40; i++) {
    ASSERT_TRUE(p->ReadPageAt(s, i, buf.data(), buf.size()).ok());
    EXPECT_EQ(Bytes(View(p.get(), &s, i)), buf) << "page " << i;
  }
  const uint8_t* data = nullptr;
  EXPECT_EQ(p->ViewPageAt(&s, 0, &data).code(), Code::kReserved);
  EXPECT_EQ(p->ViewPageAt(&s, 40, &data).code(), Code::kNotFound);
  EXPECT_EQ(data, nullptr);
  p->EndRead(&s);
}

TEST_F(WalView, AViewAfterCloseFailsInvalidInsteadOfPointingAtAnUnmappedFile) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  p->Close();
  const uint8_t* data = nullptr;
  EXPECT_EQ(p->ViewPageAt(&s, 1, &data).code(), Code::kInvalid);
  EXPECT_EQ(data, nullptr);
  p->EndRead(&s);
}

TEST_F(WalView, ReadsOfMainPagesGoThroughTheMappingNotTheCache) {
  Options o = SmallOptions();
  o.cache_pages = 4;
  auto p = MustCreate(env, path, o);
  for (uint32_t i = 1; i < 20; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  MustCheckpoint(p.get());
  const Stats before = p->stats();
  for (int round = 0; round < 3; round++) {
    for (uint32_t i = 1; i < 20; i++) EXPECT_EQ(Read(p.get(), i), Page(i));
  }
  const Stats after = p->stats();
  EXPECT_EQ(after.cache_misses, before.cache_misses) << "main pages were pread, not mapped";
  EXPECT_TRUE(p->CheckInvariants().ok());
}

// M4: a fault on a read mapping must read only its page. Without MADV_RANDOM the kernel reads
// the device's whole read-ahead window around each fault (8 MiB on the benchmark VM): with a
// working set larger than the page cache a random 4 KiB read cost ~4.5 ms.
TEST_F(WalView, TheMainFileAndWalMappingsAreAdvisedRandomSoAFaultReadsOnlyItsPage) {
  auto p = MustCreate(env, path);
  for (uint32_t i = 1; i < 20; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  MustCheckpoint(p.get());
  Stage(p.get(), 3, Page(33));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  const uint8_t* main_page = View(p.get(), &s, 2);  // main file
  const uint8_t* wal_page = View(p.get(), &s, 3);   // WAL frame
  ASSERT_NE(main_page, nullptr);
  ASSERT_NE(wal_page, nullptr);
  ASSERT_TRUE(s.wal_views) << "the WAL file could not be mapped: the test proves nothing";
  EXPECT_NE(VmFlagsOf(main_page).find(" rr"), std::string::npos) << VmFlagsOf(main_page);
  EXPECT_NE(VmFlagsOf(wal_page).find(" rr"), std::string::npos) << VmFlagsOf(wal_page);
  // A mapping grown in place (the file grew inside the reservation) keeps the advice.
  for (uint32_t i = 20; i < 300; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  MustCheckpoint(p.get());
  p->EndRead(&s);
  ASSERT_TRUE(p->BeginRead(&s).ok());
  const uint8_t* grown = View(p.get(), &s, 299);
  ASSERT_NE(grown, nullptr);
  EXPECT_NE(VmFlagsOf(grown).find(" rr"), std::string::npos) << VmFlagsOf(grown);
  p->EndRead(&s);
}

// M5: with the kernel's read-ahead off (M4), a sequential run of reads makes the pages ahead
// of it resident (the mapping asks for them), while a random read brings in its page only.
TEST_F(WalView, SequentialReadsReadAheadWhileARandomReadFaultsInOnlyItsPage) {
  constexpr uint32_t kPages = 2048;  // 8 MiB
  auto p = MustCreate(env, path);
  for (uint32_t i = 1; i < kPages; i++) {
    Stage(p.get(), i, Page(i));
    if (i % 256 == 0) MustCommit(p.get());
  }
  MustCommit(p.get());
  ASSERT_TRUE(p->Checkpoint(CheckpointMode::kTruncate).ok());  // every page in the main file
  p.reset();
  if (!DropFromPageCache(path, kPages)) GTEST_SKIP() << "this file system keeps files resident";
  p = MustOpen(env, path);
  EXPECT_EQ(Read(p.get(), 1500), Page(1500));  // random: its page only
  for (uint32_t i = 1; i <= 16; i++) EXPECT_EQ(Read(p.get(), i), Page(i));  // a sequential run
  int ahead = 0;
  for (int wait_ms = 0; wait_ms < 3000 && ahead < 16; wait_ms += 10) {
    ahead = ResidentPages(path, 24, 16);  // pages 24..39, none of them read
    if (ahead < 16) ::usleep(10000);
  }
  EXPECT_EQ(ahead, 16) << "the sequential run read nothing ahead";
  EXPECT_EQ(ResidentPages(path, 1501, 32), 0) << "a random read brought in its neighbours";
  EXPECT_EQ(ResidentPages(path, 1000, 400), 0) << "a random read brought in pages before it";
}

}  // namespace
}  // namespace wal
}  // namespace pager

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

// Regression (walops fuzz): MemEnv refused to truncate a file with any live mapping, so a
// checkpoint that shrank the main file (or cut the WAL to wal_keep_bytes) after a mapped
// read failed with INVALID. Read-only mappings (W22) never touch bytes past the end.
TEST(WalViewMemEnv, ACheckpointShrinksTheMappedMainFileAndWal) {
  io::FaultEnv env;
  ASSERT_TRUE(env.CreateDir("/d", 0755).ok());
  Options o = SmallOptions();
  o.wal_keep_bytes = 0;
  auto p = MustCreate(&env, "/d/db", o);
  for (uint32_t i = 1; i < 10; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  EXPECT_EQ(Read(p.get(), 5), Page(5));  // maps the WAL
  MustCheckpoint(p.get());               // cuts the WAL to wal_keep_bytes
  EXPECT_EQ(Read(p.get(), 5), Page(5));  // maps the main file
  ASSERT_TRUE(p->SetPageCount(3).ok());
  MustCommit(p.get());
  ASSERT_TRUE(p->Checkpoint(CheckpointMode::kFull).ok());  // shrinks the main file
  EXPECT_EQ(p->page_count(), 3u);
  EXPECT_EQ(Read(p.get(), 2), Page(2));
  EXPECT_TRUE(p->CheckInvariants().ok());
}

}  // namespace
}  // namespace wal
}  // namespace pager
