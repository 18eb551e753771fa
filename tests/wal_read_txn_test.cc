// Read transactions of the WAL pager (W15-W17): a snapshot sees the last commit as of its
// begin whatever the writer commits or checkpoints meanwhile; checkpoints never overwrite
// bytes a reader still needs; readers and the writer in threads of one handle.
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::TempDir;

class WalReadTxn : public ::testing::Test {
 protected:
  io::Env* env = io::DefaultEnv();
  TempDir dir;
  std::string path = dir.File("db");

  std::vector<uint8_t> SnapRead(WalPager* p, const ReadSnapshot& s, uint32_t page) {
    std::vector<uint8_t> buf(p->page_size());
    Status st = p->ReadPageAt(s, page, buf.data(), buf.size());
    EXPECT_TRUE(st.ok()) << "page " << page << ": " << st.ToString();
    return buf;
  }
  static std::vector<uint8_t> Zeros() { return std::vector<uint8_t>(4096, 0); }
};

TEST_F(WalReadTxn, SnapshotDoesNotSeeLaterCommits) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  Stage(p.get(), 1, Page(2));
  Stage(p.get(), 2, Page(3));
  uint8_t app[kAppHeaderSize];
  std::memset(app, 7, sizeof app);
  ASSERT_TRUE(p->StageAppHeader(app, sizeof app).ok());
  MustCommit(p.get());
  EXPECT_EQ(SnapRead(p.get(), s, 1), Page(1));
  EXPECT_EQ(s.page_count, 2u);
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(p->ReadPageAt(s, 2, buf.data(), buf.size()).code(), Code::kNotFound);
  EXPECT_EQ(s.app_header[0], 0);
  EXPECT_EQ(Read(p.get(), 1), Page(2)) << "outside the transaction: the latest commit";
  p->EndRead(&s);
}

TEST_F(WalReadTxn, StagedChangesAreNotInTheSnapshot) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  Stage(p.get(), 1, Page(9));
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  EXPECT_EQ(SnapRead(p.get(), s, 1), Page(1));
  p->EndRead(&s);
}

TEST_F(WalReadTxn, PassiveCheckpointNeverOverwritesPagesAnOlderReaderNeeds) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  MustCheckpoint(p.get());  // page 1 = Page(1) now lives in the main file only
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  Stage(p.get(), 1, Page(2));
  MustCommit(p.get());
  EXPECT_EQ(MustCheckpoint(p.get()), 0u) << "a reader still needs the main file's page 1";
  EXPECT_GT(p->stats().frames_left, 0u);
  EXPECT_EQ(SnapRead(p.get(), s, 1), Page(1));
  p->EndRead(&s);
  EXPECT_EQ(MustCheckpoint(p.get()), 1u) << "once the reader left, everything is copied";
  EXPECT_EQ(p->stats().frames_left, 0u);
  EXPECT_EQ(Read(p.get(), 1), Page(2));
}

TEST_F(WalReadTxn, FullCheckpointGivesBusyWhileAReaderNeedsOldBytes) {
  Options o = SmallOptions();
  o.lock_timeout_ms = 50;
  auto p = MustCreate(env, path, o);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  Stage(p.get(), 1, Page(2));
  MustCommit(p.get());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(p->Checkpoint(CheckpointMode::kFull).status().code(), Code::kBusy);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(50));
  EXPECT_EQ(SnapRead(p.get(), s, 1), Page(1));
  p->EndRead(&s);
}

TEST_F(WalReadTxn, FullCheckpointWaitsForTheReaderToEnd) {
  Options o = SmallOptions();
  o.lock_timeout_ms = 10000;
  auto p = MustCreate(env, path, o);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  Stage(p.get(), 1, Page(2));
  MustCommit(p.get());
  std::thread reader([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(SnapRead(p.get(), s, 1), Page(1)) << "reads go on while the checkpoint waits";
    p->EndRead(&s);
  });
  Result<uint32_t> r = p->Checkpoint(CheckpointMode::kTruncate);
  reader.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value(), 1u);
  EXPECT_EQ(p->stats().wal_frames, 0u);
}

TEST_F(WalReadTxn, ReaderOfTheWholeWalSurvivesCheckpointAndRestart) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  ASSERT_TRUE(p->Checkpoint(CheckpointMode::kFull).ok()) << "it needs nothing the copy changes";
  Stage(p.get(), 1, Page(2));
  MustCommit(p.get());
  EXPECT_EQ(SnapRead(p.get(), s, 1), Page(1));
  EXPECT_EQ(MustCheckpoint(p.get()), 0u) << "now it does: mark 0 of the new generation";
  ASSERT_TRUE(p->CheckInvariants().ok());
  p->EndRead(&s);
}

TEST_F(WalReadTxn, ShrinkAfterTheSnapshotDoesNotHideItsPages) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 5, Page(5));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  ASSERT_TRUE(p->SetPageCount(2).ok());
  MustCommit(p.get());
  ASSERT_TRUE(p->SetPageCount(10).ok());
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  EXPECT_EQ(SnapRead(p.get(), s, 5), Page(5));
  EXPECT_EQ(Read(p.get(), 5), Zeros());
  p->EndRead(&s);
}

TEST_F(WalReadTxn, FrameHiddenByAnEarlierShrinkStaysHiddenInAnOlderSnapshot) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 5, Page(5));
  MustCommit(p.get());
  ASSERT_TRUE(p->SetPageCount(3).ok());
  MustCommit(p.get());
  ASSERT_TRUE(p->SetPageCount(10).ok());
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());  // the snapshot is no longer the latest commit
  EXPECT_EQ(SnapRead(p.get(), s, 5), Zeros()) << "page 5's frame predates the shrink";
  p->EndRead(&s);
}

TEST_F(WalReadTxn, ReadAfterTheHandleClosedIsInvalid) {
  auto p = MustCreate(env, path);
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  p->Close();
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(p->ReadPageAt(s, 1, buf.data(), buf.size()).code(), Code::kInvalid);
  p->EndRead(&s);
  EXPECT_TRUE(MustOpen(env, path) != nullptr) << "close released the lock";
}

// Readers in threads see whole transactions, never torn and never going back, while the
// writer commits (each transaction writes pages 1..4 with its number) and checkpoints.
TEST_F(WalReadTxn, ThreadsSeeWholeTransactionsWhileTheWriterCommitsAndCheckpoints) {
  Options o = SmallOptions();
  o.auto_checkpoint_frames = 24;
  o.lock_timeout_ms = 5;
  o.cache_pages = 2;
  o.durability = Durability::kNormal;  // commits do not sync: more interleavings per second
  auto p = MustCreate(env, path, o);
  constexpr uint32_t kPages = 4;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> snapshots{0};
  auto reader = [&] {
    uint64_t last = 0;
    std::vector<uint8_t> buf(4096);
    while (!stop.load()) {
      ReadSnapshot s;
      ASSERT_TRUE(p->BeginRead(&s).ok());
      uint64_t txn = 0;
      for (uint32_t page = 1; page < s.page_count; page++) {
        ASSERT_TRUE(p->ReadPageAt(s, page, buf.data(), buf.size()).ok());
        uint64_t v;
        std::memcpy(&v, buf.data(), sizeof v);
        if (page == 1) txn = v;
        ASSERT_EQ(v, txn) << "torn snapshot at page " << page;
      }
      ASSERT_GE(txn, last) << "snapshot went back in time";
      last = txn;
      p->EndRead(&s);
      snapshots++;
    }
  };
  std::thread r1(reader), r2(reader);
  std::vector<uint8_t> page(4096, 0);
  for (uint64_t txn = 1; txn <= 300; txn++) {
    std::memcpy(page.data(), &txn, sizeof txn);
    for (uint32_t i = 1; i <= kPages; i++) Stage(p.get(), i, page);
    MustCommit(p.get());
    if (txn % 37 == 0) {
      Result<uint32_t> r = p->Checkpoint(CheckpointMode::kFull);
      EXPECT_TRUE(r.ok() || r.status().code() == Code::kBusy) << r.status().ToString();
    }
  }
  stop = true;
  r1.join();
  r2.join();
  EXPECT_GT(snapshots.load(), 0u);
  EXPECT_TRUE(p->CheckInvariants().ok());
  EXPECT_EQ(p->stats().readers_active, 0u);
}

}  // namespace
}  // namespace wal
}  // namespace pager
