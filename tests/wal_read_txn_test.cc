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

class WalReadTxn : public WalTempDb {
 protected:

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

// W29: commits only queue their frames; each BeginRead folds them into the history. A
// snapshot begun after another one must see the frames committed between the two begins
// (without the second fold it would read page 1 as of the first snapshot).
TEST_F(WalReadTxn, ASecondSnapshotSeesTheFramesCommittedSinceTheFirstBegan) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  ReadSnapshot first;
  ASSERT_TRUE(p->BeginRead(&first).ok());
  Stage(p.get(), 1, Page(2));
  Stage(p.get(), 2, Page(3));
  MustCommit(p.get());
  ReadSnapshot second;
  ASSERT_TRUE(p->BeginRead(&second).ok());
  Stage(p.get(), 1, Page(4));
  Stage(p.get(), 2, Page(5));
  MustCommit(p.get());
  ASSERT_TRUE(p->CheckInvariants().ok());
  EXPECT_EQ(SnapRead(p.get(), first, 1), Page(1));
  EXPECT_EQ(SnapRead(p.get(), second, 1), Page(2));
  EXPECT_EQ(SnapRead(p.get(), second, 2), Page(3));
  EXPECT_EQ(Read(p.get(), 1), Page(4));
  p->EndRead(&first);
  p->EndRead(&second);
  ReadSnapshot third;  // after a restart: nothing of the old generation is left to fold
  MustCheckpoint(p.get());
  ASSERT_TRUE(p->BeginRead(&third).ok());
  Stage(p.get(), 1, Page(6));
  MustCommit(p.get());
  EXPECT_EQ(SnapRead(p.get(), third, 1), Page(4));
  EXPECT_EQ(SnapRead(p.get(), third, 2), Page(5));
  ASSERT_TRUE(p->CheckInvariants().ok());
  p->EndRead(&third);
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

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

// ReadPageAt of a snapshot older than the latest commit, for every source LocatePage can
// pick (W15): the main file, a WAL frame below the mark (the latest of several), a page a
// shrink below the mark hid (main bytes and WAL frame both), and zeros past
// main_valid_count. Mapped (PosixEnv: one memcpy out of the mappings, W22) and unmapped
// (the pread fallback).
class WalOlderSnapshotRead : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      env_ = io::DefaultEnv();
      path_ = dir_.File("db");
    } else {
      env_ = &unmappable_;
      ASSERT_TRUE(unmappable_.CreateDir("/d", 0755).ok());
      path_ = "/d/db";
    }
  }
  // Pages 1..4 in the main file, 2 and 3 in the WAL (3 twice), 4 hidden by a shrink, 5..7
  // regrown past main_valid_count; *s pins that commit, then a later commit rewrites 1..7.
  std::unique_ptr<WalPager> Build(ReadSnapshot* s) {
    auto p = MustCreate(env_, path_);
    for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(10 + i));
    MustCommit(p.get());
    MustCheckpoint(p.get());
    Stage(p.get(), 2, Page(22));
    Stage(p.get(), 3, Page(23));
    MustCommit(p.get());
    Stage(p.get(), 3, Page(33));
    Stage(p.get(), 4, Page(34));
    MustCommit(p.get());
    EXPECT_TRUE(p->SetPageCount(4).ok());
    EXPECT_TRUE(p->SetPageCount(8).ok());
    MustCommit(p.get());
    EXPECT_TRUE(p->BeginRead(s).ok());
    for (uint32_t i = 1; i < 8; i++) Stage(p.get(), i, Page(50 + i));
    MustCommit(p.get());
    EXPECT_LT(s->mark, p->stats().wal_frames) << "the snapshot must be older than the latest";
    return p;
  }

  io::Env* env_ = nullptr;
  ::pager::testing::TempDir dir_;
  DataUnmappableEnv unmappable_;
  std::string path_;
};

TEST_P(WalOlderSnapshotRead, ReadsTheSnapshotBytesOfEverySource) {
  ReadSnapshot s;
  auto p = Build(&s);
  const std::vector<uint8_t> zeros(4096, 0);
  const std::vector<std::vector<uint8_t>> want = {{},    Page(11), Page(22), Page(33),
                                                  zeros, zeros,    zeros,    zeros};
  std::vector<uint8_t> buf(4096);
  for (int round = 0; round < 3; round++) {  // then after each of two PASSIVE checkpoints
    for (uint32_t i = 1; i < 8; i++) {
      std::memset(buf.data(), 0xEE, buf.size());
      ASSERT_TRUE(p->ReadPageAt(s, i, buf.data(), buf.size()).ok()) << "page " << i;
      EXPECT_EQ(buf, want[i]) << "page " << i << " round " << round;
      EXPECT_EQ(Read(p.get(), i), Page(50 + i)) << "outside: the latest commit";
    }
    // W25: the first PASSIVE copies pages 2 and 3 (their frames below the reader's mark)
    // and the reader, which reads them from the WAL, still sees its snapshot; the second
    // has nothing below the mark left to copy.
    EXPECT_EQ(MustCheckpoint(p.get()), round == 0 ? 2u : 0u) << "round " << round;
  }
  p->EndRead(&s);
  EXPECT_TRUE(p->CheckInvariants().ok());
}

INSTANTIATE_TEST_SUITE_P(MappedAndUnmapped, WalOlderSnapshotRead, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? std::string("PosixMapped")
                                          : std::string("MemUnmapped");
                         });

// C5 on the unmapped path: a read of an older snapshot that comes up short (the main file
// was cut from outside) fails with kCorrupt and leaves the caller's buffer as it was, so
// the pread fallback must not read into the caller's buffer directly.
TEST(WalOlderSnapshotReadUnmapped, AShortReadLeavesTheCallersBufferAsItWas) {
  DataUnmappableEnv env;
  ASSERT_TRUE(env.CreateDir("/d", 0755).ok());
  auto p = MustCreate(&env, "/d/db");
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(10 + i));
  MustCommit(p.get());
  MustCheckpoint(p.get());
  ReadSnapshot s;
  ASSERT_TRUE(p->BeginRead(&s).ok());
  Stage(p.get(), 4, Page(44));
  MustCommit(p.get());  // the snapshot is older now: page 4 comes from the main file
  std::vector<uint8_t> main;
  ASSERT_TRUE(env.GetFileBytes("/d/db", &main).ok());
  main.resize(4 * 4096 + 100);  // page 4 is cut short
  ASSERT_TRUE(env.SetFileBytes("/d/db", main).ok());
  std::vector<uint8_t> buf(4096, 0xEE);
  EXPECT_EQ(p->ReadPageAt(s, 4, buf.data(), buf.size()).code(), Code::kCorrupt);
  EXPECT_EQ(buf, std::vector<uint8_t>(4096, 0xEE));
  p->EndRead(&s);
}

}  // namespace
}  // namespace wal
}  // namespace pager
