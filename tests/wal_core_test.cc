// WAL pager behaviour on the real file system: sqlrite's pager test list (names kept, in our
// style), page layering, shrink/grow, the application header, caching, locking in-process.
#include <sys/stat.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "impl/io/mem_env.h"
#include "impl/wal/wal_format.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::ReadWholeFile;
using ::pager::testing::TempDir;

class WalCore : public ::testing::Test {
 protected:
  io::Env* env = io::DefaultEnv();
  TempDir dir;
  std::string path = dir.File("db");
  std::string wal_path = path + "-wal";

  uint64_t FileSize(const std::string& p) {
    struct stat st;
    EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
    return static_cast<uint64_t>(st.st_size);
  }
  bool Exists(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0;
  }
};

TEST_F(WalCore, CreateThenOpenRoundTrips) {
  {
    auto p = MustCreate(env, path);
    EXPECT_EQ(p->page_count(), 1u);
    Stage(p.get(), 1, Page(1));
    Stage(p.get(), 2, Page(2));
    EXPECT_EQ(MustCommit(p.get()), 2u);
    EXPECT_OK(p->CheckInvariants());
  }
  auto p = MustOpen(env, path);
  EXPECT_EQ(p->page_count(), 3u);
  EXPECT_EQ(p->page_size(), 4096u);
  EXPECT_EQ(Read(p.get(), 1), Page(1));
  EXPECT_EQ(Read(p.get(), 2), Page(2));
  EXPECT_EQ(p->access_mode(), AccessMode::kReadWrite);
  EXPECT_OK(p->CheckInvariants());
}

TEST_F(WalCore, CreateMakesBothFilesAndRefusesAnExistingPath) {
  { auto p = MustCreate(env, path); }
  EXPECT_EQ(FileSize(path), 4096u);
  EXPECT_EQ(FileSize(wal_path), kWalHeaderSize);
  std::unique_ptr<WalPager> p;
  EXPECT_EQ(WalPager::Create(env, path, SmallOptions(), &p).code(), Code::kExists);
}

TEST_F(WalCore, CreateReplacesAStaleSidecar) {
  ::pager::testing::WriteWholeFile(wal_path, std::vector<uint8_t>(10000, 0xAB));
  auto p = MustCreate(env, path);
  EXPECT_EQ(FileSize(wal_path), kWalHeaderSize);
}

TEST_F(WalCore, OpenOfAMissingFileIsNotFound) {
  EXPECT_EQ(OpenStatus(env, path).code(), Code::kNotFound);
  EXPECT_EQ(OpenStatus(env, path, AccessMode::kReadOnly).code(), Code::kNotFound);
}

TEST_F(WalCore, PageSizeIsChosenAtCreateAndCheckedAtOpen) {
  {
    Options o = SmallOptions();
    o.page_size = 0;  // the default page size on create
    auto p = MustCreate(env, dir.File("default"), o);
    EXPECT_EQ(p->page_size(), kDefaultPageSize);
  }
  for (uint32_t bad : {256u, 1000u, 4097u, 131072u}) {
    Options o = SmallOptions();
    o.page_size = bad;
    std::unique_ptr<WalPager> p;
    EXPECT_EQ(WalPager::Create(env, dir.File("bad" + std::to_string(bad)), o, &p).code(),
              Code::kInvalid)
        << bad;
  }
  for (uint32_t ps : {512u, 8192u, 65536u}) {
    Options o = SmallOptions();
    o.page_size = ps;
    std::string f = dir.File("ps" + std::to_string(ps));
    {
      auto p = MustCreate(env, f, o);
      Stage(p.get(), 3, Page(ps, ps));
      MustCommit(p.get());
    }
    auto p = MustOpen(env, f);
    EXPECT_EQ(p->page_size(), ps);
    EXPECT_EQ(Read(p.get(), 3), Page(ps, ps));
    p.reset();
    Options want = SmallOptions();
    want.page_size = (ps == 512u) ? 1024u : 512u;
    std::unique_ptr<WalPager> q;
    EXPECT_EQ(WalPager::Open(env, f, AccessMode::kReadWrite, want, &q).code(), Code::kPageSize);
  }
}

TEST_F(WalCore, CommitWritesOnlyDirtyPages) {
  auto p = MustCreate(env, path);
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i));
  EXPECT_EQ(MustCommit(p.get()), 4u);
  // Re-stage all four; only page 3 changes.
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, i == 3 ? Page(33) : Page(i));
  uint64_t before = p->stats().frames_written;
  EXPECT_EQ(MustCommit(p.get()), 1u);
  EXPECT_EQ(p->stats().frames_written - before, 1u);
  EXPECT_EQ(Read(p.get(), 3), Page(33));
}

TEST_F(WalCore, TwoCommitsOnlyStageTheDelta) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  Stage(p.get(), 2, Page(2));
  EXPECT_EQ(MustCommit(p.get()), 2u);
  Stage(p.get(), 2, Page(22));
  EXPECT_EQ(MustCommit(p.get()), 1u);
  EXPECT_EQ(p->stats().wal_frames, 3u);
  EXPECT_EQ(Read(p.get(), 1), Page(1));
  EXPECT_EQ(Read(p.get(), 2), Page(22));
}

TEST_F(WalCore, EmptyCommitWritesNothingAndDoesNotSync) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  Stage(p.get(), 2, std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(MustCommit(p.get()), 1u);  // page 2 is zeros, as committed pages read: no frame
  Stats before = p->stats();
  EXPECT_EQ(MustCommit(p.get()), 0u);
  Stage(p.get(), 1, Page(1));                        // equal to the committed bytes
  Stage(p.get(), 2, std::vector<uint8_t>(4096, 0));  // equal to the committed zeros
  EXPECT_EQ(MustCommit(p.get()), 0u);
  Stats after = p->stats();
  EXPECT_EQ(after.frames_written, before.frames_written);
  EXPECT_EQ(after.syncs, before.syncs);
  EXPECT_EQ(p->page_count(), 3u);
}

TEST_F(WalCore, CommitMakesOneSyncUnderFullAndNoneUnderNormal) {
  auto p = MustCreate(env, path);
  uint64_t s0 = p->stats().syncs;
  for (uint32_t i = 1; i <= 50; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  EXPECT_EQ(p->stats().syncs - s0, 1u);
  p.reset();
  Options o = SmallOptions();
  o.durability = Durability::kNormal;
  p = MustOpen(env, path, AccessMode::kReadWrite, o);
  uint64_t s1 = p->stats().syncs;
  Stage(p.get(), 1, Page(100));
  MustCommit(p.get());
  EXPECT_EQ(p->stats().syncs, s1);
  // Syncs the WAL, then main once (page 1 is within the file, so it is made durable with the
  // header: W6), then the reset.
  MustCheckpoint(p.get());
  EXPECT_EQ(p->stats().syncs - s1, 3u);
}

TEST_F(WalCore, PageCountOnlyCommitWritesAHeaderFrame) {
  auto p = MustCreate(env, path);
  ASSERT_OK(p->SetPageCount(10));
  EXPECT_EQ(MustCommit(p.get()), 0u);
  EXPECT_EQ(p->stats().frames_written, 1u);
  p.reset();
  p = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(p->page_count(), 10u);
  EXPECT_EQ(Read(p.get(), 9), std::vector<uint8_t>(4096, 0));
}

TEST_F(WalCore, CommitLeavesMainFileUntouchedAndShrinkHidesDroppedPages) {
  auto p = MustCreate(env, path);
  std::vector<uint8_t> main_before = ReadWholeFile(path);
  for (uint32_t i = 1; i <= 5; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  EXPECT_EQ(ReadWholeFile(path), main_before);
  ASSERT_OK(p->SetPageCount(3));
  EXPECT_EQ(p->page_count(), 3u);
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(p->ReadPage(3, buf.data(), buf.size()).code(), Code::kNotFound);  // hidden at once
  MustCommit(p.get());
  EXPECT_EQ(ReadWholeFile(path), main_before);
  EXPECT_EQ(p->ReadPage(4, buf.data(), buf.size()).code(), Code::kNotFound);
  EXPECT_EQ(Read(p.get(), 2), Page(2));
}

TEST_F(WalCore, ShrinkThenGrowExposesZerosNeverTheOldBytes) {
  auto p = MustCreate(env, path);
  for (uint32_t i = 1; i <= 6; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  MustCheckpoint(p.get());  // pages 1..6 now in the main file
  // In one transaction.
  ASSERT_OK(p->SetPageCount(2));
  ASSERT_OK(p->SetPageCount(7));
  EXPECT_EQ(Read(p.get(), 4), std::vector<uint8_t>(4096, 0));
  MustCommit(p.get());
  EXPECT_EQ(Read(p.get(), 4), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(Read(p.get(), 1), Page(1));
  // Across commits, then through a checkpoint and a reopen.
  Stage(p.get(), 5, Page(55));
  MustCommit(p.get());
  ASSERT_OK(p->SetPageCount(3));
  MustCommit(p.get());
  Stage(p.get(), 6, Page(66));  // grows to 7 again: 3..5 read as zeros
  MustCommit(p.get());
  EXPECT_EQ(Read(p.get(), 5), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(Read(p.get(), 6), Page(66));
  p.reset();
  p = MustOpen(env, path, AccessMode::kReadOnly);  // through the WAL
  EXPECT_EQ(Read(p.get(), 5), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(Read(p.get(), 1), Page(1));
  p.reset();
  p = MustOpen(env, path);  // checkpointed at open
  EXPECT_EQ(Read(p.get(), 4), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(Read(p.get(), 5), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(Read(p.get(), 6), Page(66));
  EXPECT_OK(p->CheckInvariants());
}

// Regression: regrowing over pages a shrink hid used to stage one zero page per hidden page
// (10 GiB of memory here). The commit frame's floor now says it in O(1).
TEST_F(WalCore, ShrinkAndRegrowOfAHugeDatabaseInOneTransactionCostsOneFrame) {
  const uint32_t pages = static_cast<uint32_t>((10ull << 30) / 4096);
  auto p = MustCreate(env, path);
  ASSERT_OK(p->SetPageCount(pages));
  Stage(p.get(), pages - 1, Page(1));
  Stage(p.get(), 7, Page(7));
  MustCommit(p.get());
  ASSERT_OK(p->SetPageCount(5));
  ASSERT_OK(p->SetPageCount(pages));
  uint64_t frames = p->stats().frames_written;
  EXPECT_EQ(MustCommit(p.get()), 0u);
  EXPECT_EQ(p->stats().frames_written - frames, 1u);  // the page-0 commit frame only
  EXPECT_EQ(Read(p.get(), 7), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(Read(p.get(), pages - 1), std::vector<uint8_t>(4096, 0));
  p.reset();
  p = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(p->page_count(), pages);
  EXPECT_EQ(Read(p.get(), 7), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(Read(p.get(), pages - 1), std::vector<uint8_t>(4096, 0));
  EXPECT_OK(p->CheckInvariants());
}

TEST_F(WalCore, WalReplayOnReopenRestoresCommittedState) {
  {
    auto p = MustCreate(env, path);
    Stage(p.get(), 1, Page(1));
    MustCommit(p.get());
    Stage(p.get(), 1, Page(11));
    Stage(p.get(), 2, Page(2));
    MustCommit(p.get());
  }
  EXPECT_EQ(FileSize(path), 4096u);  // nothing checkpointed
  auto ro = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(ro->page_count(), 3u);
  EXPECT_EQ(Read(ro.get(), 1), Page(11));
  EXPECT_EQ(Read(ro.get(), 2), Page(2));
  EXPECT_EQ(ro->stats().wal_frames, 3u);
}

TEST_F(WalCore, ReadWriteOpenCheckpointsRecoveredFramesAndStartsANewGeneration) {
  {
    auto p = MustCreate(env, path);
    Stage(p.get(), 1, Page(1));
    MustCommit(p.get());
  }
  WalHeader before;
  std::memcpy(&before, ReadWholeFile(wal_path).data(), sizeof before);
  auto p = MustOpen(env, path);
  EXPECT_EQ(p->stats().pages_checkpointed, 1u);
  EXPECT_EQ(p->stats().wal_frames, 0u);
  EXPECT_EQ(FileSize(path), 2u * 4096);
  WalHeader after;
  std::memcpy(&after, ReadWholeFile(wal_path).data(), sizeof after);
  EXPECT_EQ(after.salt1, before.salt1 + 1);
  EXPECT_EQ(after.base_checkpoint_seq, before.base_checkpoint_seq + 1);
  EXPECT_EQ(Read(p.get(), 1), Page(1));
}

TEST_F(WalCore, CheckpointIsIdempotent) {
  auto p = MustCreate(env, path);
  for (uint32_t i = 1; i <= 3; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  EXPECT_EQ(MustCheckpoint(p.get()), 3u);
  std::vector<uint8_t> main1 = ReadWholeFile(path);
  uint64_t syncs = p->stats().syncs;
  EXPECT_EQ(MustCheckpoint(p.get()), 0u);
  EXPECT_EQ(MustCheckpoint(p.get()), 0u);
  EXPECT_EQ(ReadWholeFile(path), main1);
  EXPECT_EQ(p->stats().syncs, syncs);
  for (uint32_t i = 1; i <= 3; i++) EXPECT_EQ(Read(p.get(), i), Page(i));
  p.reset();
  p = MustOpen(env, path);
  for (uint32_t i = 1; i <= 3; i++) EXPECT_EQ(Read(p.get(), i), Page(i));
}

TEST_F(WalCore, CheckpointWithShrinkTruncatesMainFile) {
  auto p = MustCreate(env, path);
  for (uint32_t i = 1; i <= 9; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  MustCheckpoint(p.get());
  EXPECT_EQ(FileSize(path), 10u * 4096);
  ASSERT_OK(p->SetPageCount(4));
  MustCommit(p.get());
  EXPECT_EQ(FileSize(path), 10u * 4096);  // only at checkpoint
  MustCheckpoint(p.get());
  EXPECT_EQ(FileSize(path), 4u * 4096);
  p.reset();
  p = MustOpen(env, path);
  EXPECT_EQ(p->page_count(), 4u);
  EXPECT_EQ(Read(p.get(), 3), Page(3));
}

TEST_F(WalCore, AutoCheckpointFiresPastFrameThreshold) {
  Options o = SmallOptions();
  o.auto_checkpoint_frames = 10;
  auto p = MustCreate(env, path, o);
  for (uint32_t i = 1; i <= 9; i++) {
    Stage(p.get(), i, Page(i));
    MustCommit(p.get());
  }
  EXPECT_EQ(p->stats().checkpoints, 0u);
  EXPECT_EQ(p->stats().wal_frames, 9u);
  Stage(p.get(), 10, Page(10));
  MustCommit(p.get());
  EXPECT_EQ(p->stats().checkpoints, 1u);
  EXPECT_EQ(p->stats().wal_frames, 0u);
  EXPECT_EQ(FileSize(path), 11u * 4096);
  for (uint32_t i = 1; i <= 10; i++) EXPECT_EQ(Read(p.get(), i), Page(i));
}

TEST_F(WalCore, AutoCheckpointFiresPastByteThreshold) {
  Options o = SmallOptions();
  o.auto_checkpoint_bytes = 5 * FrameSize(4096);
  auto p = MustCreate(env, path, o);
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  EXPECT_EQ(p->stats().checkpoints, 0u);
  Stage(p.get(), 5, Page(5));
  MustCommit(p.get());
  EXPECT_EQ(p->stats().checkpoints, 1u);
}

TEST_F(WalCore, CheckpointReusesTheWalFromItsStart) {
  Options o = SmallOptions();
  o.wal_prewrite_bytes = 0;
  auto p = MustCreate(env, path, o);
  for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  uint64_t size = FileSize(wal_path);
  EXPECT_EQ(size, FrameOffset(8, 4096));
  MustCheckpoint(p.get());
  EXPECT_EQ(FileSize(wal_path), size);  // not truncated: later commits overwrite
  Stage(p.get(), 1, Page(101));
  MustCommit(p.get());
  EXPECT_EQ(FileSize(wal_path), size);
  p.reset();
  auto ro = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(ro->stats().wal_frames, 1u);  // stale frames of the old generation are not read
  EXPECT_EQ(Read(ro.get(), 1), Page(101));
  EXPECT_EQ(Read(ro.get(), 8), Page(8));
}

TEST_F(WalCore, WalIsPrewrittenInStepsAndTruncatedToKeepBytesAtCheckpoint) {
  Options o = SmallOptions();
  o.wal_prewrite_bytes = 64 * 1024;
  o.wal_keep_bytes = 100 * 1024;
  auto p = MustCreate(env, path, o);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  EXPECT_EQ(FileSize(wal_path), 64u * 1024);
  for (uint32_t i = 1; i <= 40; i++) Stage(p.get(), i, Page(i + 1000));
  MustCommit(p.get());
  EXPECT_EQ(FileSize(wal_path) % (64 * 1024), 0u);
  EXPECT_GT(FileSize(wal_path), 100u * 1024);
  MustCheckpoint(p.get());
  EXPECT_EQ(FileSize(wal_path), 100u * 1024);
}

TEST_F(WalCore, ClearStagedRollsBackPagesCountAndAppHeader) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  EXPECT_EQ(p->state(), State::kOpen);
  Stage(p.get(), 1, Page(2));
  Stage(p.get(), 5, Page(5));
  std::vector<uint8_t> app(kAppHeaderSize, 7);
  ASSERT_OK(p->StageAppHeader(app.data(), app.size()));
  EXPECT_EQ(p->state(), State::kWriting);
  ASSERT_OK(p->ClearStaged());
  EXPECT_EQ(p->state(), State::kOpen);
  EXPECT_EQ(p->page_count(), 2u);
  EXPECT_EQ(Read(p.get(), 1), Page(1));
  std::vector<uint8_t> got(kAppHeaderSize);
  ASSERT_OK(p->ReadAppHeader(got.data(), got.size()));
  EXPECT_EQ(got, std::vector<uint8_t>(kAppHeaderSize, 0));
  EXPECT_EQ(MustCommit(p.get()), 0u);
}

TEST_F(WalCore, AppHeaderIsCommittedAtomicallyWithTheTransaction) {
  auto p = MustCreate(env, path);
  std::vector<uint8_t> app = PatternBytes(9, kAppHeaderSize);
  ASSERT_OK(p->StageAppHeader(app.data(), app.size()));
  Stage(p.get(), 1, Page(1));
  EXPECT_EQ(MustCommit(p.get()), 1u);  // the page-0 frame is not counted
  EXPECT_EQ(p->stats().frames_written, 2u);
  p.reset();
  for (AccessMode mode : {AccessMode::kReadOnly, AccessMode::kReadWrite, AccessMode::kReadOnly}) {
    p = MustOpen(env, path, mode);  // WAL, then checkpointed, then main only
    std::vector<uint8_t> got(kAppHeaderSize);
    ASSERT_OK(p->ReadAppHeader(got.data(), got.size()));
    EXPECT_EQ(got, app);
    EXPECT_EQ(Read(p.get(), 1), Page(1));
    p.reset();
  }
}

TEST_F(WalCore, AppHeaderArgumentsAreChecked) {
  auto p = MustCreate(env, path);
  std::vector<uint8_t> b(kAppHeaderSize + 1);
  EXPECT_EQ(p->StageAppHeader(b.data(), b.size()).code(), Code::kInvalid);
  EXPECT_EQ(p->ReadAppHeader(b.data(), kAppHeaderSize - 1).code(), Code::kInvalid);
}

TEST_F(WalCore, PageArgumentsAreChecked) {
  auto p = MustCreate(env, path);
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(p->ReadPage(0, buf.data(), buf.size()).code(), Code::kReserved);
  EXPECT_EQ(p->StagePage(0, buf.data(), buf.size()).code(), Code::kReserved);
  EXPECT_EQ(p->ReadPage(1, buf.data(), buf.size()).code(), Code::kNotFound);
  EXPECT_EQ(p->ReadPage(1, buf.data(), 4095).code(), Code::kInvalid);
  EXPECT_EQ(p->StagePage(1, buf.data(), 8192).code(), Code::kInvalid);
  EXPECT_EQ(p->StagePage(UINT32_MAX, buf.data(), buf.size()).code(), Code::kRange);
  EXPECT_EQ(p->SetPageCount(0).code(), Code::kInvalid);
  Stage(p.get(), 7, Page(7));  // grows the count; 1..6 read as zeros
  EXPECT_EQ(p->page_count(), 8u);
  EXPECT_EQ(Read(p.get(), 3), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(p->ReadPage(8, buf.data(), buf.size()).code(), Code::kNotFound);
}

TEST_F(WalCore, StagedContentIsReadFirst) {
  auto p = MustCreate(env, path);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  Stage(p.get(), 1, Page(2));
  EXPECT_EQ(Read(p.get(), 1), Page(2));
  ASSERT_OK(p->ClearStaged());
  EXPECT_EQ(Read(p.get(), 1), Page(1));
}

TEST_F(WalCore, CacheCountsHitsAndMissesAndStaysBounded) {
  Options o = SmallOptions();
  o.cache_pages = 4;
  // W22: the cache serves only bytes the Env cannot map; this Env maps only the shared index.
  DataUnmappableEnv nomap;
  env = &nomap;
  ASSERT_OK(nomap.CreateDir(dir.path(), 0755));
  {
    auto p = MustCreate(env, path, o);
    for (uint32_t i = 1; i <= 10; i++) Stage(p.get(), i, Page(i));
    MustCommit(p.get());
  }
  auto p = MustOpen(env, path, AccessMode::kReadWrite, o);
  Stats s0 = p->stats();
  Read(p.get(), 1);
  Read(p.get(), 1);
  Stats s1 = p->stats();
  EXPECT_EQ(s1.cache_misses - s0.cache_misses, 1u);
  EXPECT_EQ(s1.cache_hits - s0.cache_hits, 1u);
  for (uint32_t i = 1; i <= 10; i++) EXPECT_EQ(Read(p.get(), i), Page(i));
  EXPECT_OK(p->CheckInvariants());
  Options none = o;
  none.cache_pages = 0;
  p.reset();
  p = MustOpen(env, path, AccessMode::kReadOnly, none);
  Read(p.get(), 2);
  Read(p.get(), 2);
  EXPECT_EQ(p->stats().cache_hits, 0u);
  EXPECT_EQ(p->stats().cache_misses, 2u);
}

TEST_F(WalCore, StatsCountFramesCheckpointsAndSyncedBytes) {
  auto p = MustCreate(env, path);
  Stats s0 = p->stats();
  for (uint32_t i = 1; i <= 3; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  Stats s1 = p->stats();
  EXPECT_EQ(s1.commits, 1u);
  EXPECT_EQ(s1.frames_written, 3u);
  EXPECT_GE(s1.bytes_synced - s0.bytes_synced, 3u * FrameSize(4096));
  MustCheckpoint(p.get());
  Stats s2 = p->stats();
  EXPECT_EQ(s2.checkpoints, 1u);
  EXPECT_EQ(s2.pages_checkpointed, 3u);
  EXPECT_GE(s2.bytes_synced - s1.bytes_synced, 3u * 4096);
}

TEST_F(WalCore, ReadOnlyPagerRejectsMutationsButStagesInMemory) {
  { auto p = MustCreate(env, path); }
  auto p = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(p->access_mode(), AccessMode::kReadOnly);
  Stage(p.get(), 1, Page(1));
  EXPECT_EQ(Read(p.get(), 1), Page(1));
  EXPECT_EQ(p->Commit().status().code(), Code::kReadOnly);
  EXPECT_EQ(p->Checkpoint().status().code(), Code::kReadOnly);
  p.reset();
  p = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(p->page_count(), 1u);
}

TEST_F(WalCore, ReadOnlyOpenWithoutWalSidecarSucceedsAndNeverCreatesIt) {
  {
    auto p = MustCreate(env, path);
    Stage(p.get(), 1, Page(1));
    MustCommit(p.get());
    MustCheckpoint(p.get());
  }
  ASSERT_EQ(::remove(wal_path.c_str()), 0);
  auto p = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(Read(p.get(), 1), Page(1));
  EXPECT_FALSE(Exists(wal_path));
  p.reset();
  p = MustOpen(env, path);  // read-write recreates it
  EXPECT_TRUE(Exists(wal_path));
  EXPECT_EQ(Read(p.get(), 1), Page(1));
}

TEST_F(WalCore, SecondPagerOnSameFileIsRejected) {
  auto p = MustCreate(env, path);
  EXPECT_EQ(OpenStatus(env, path).code(), Code::kBusy);
  p.reset();
  EXPECT_EQ(OpenStatus(env, path).code(), Code::kOk);
}

TEST_F(WalCore, TwoReadOnlyOpenersCoexist) {
  {
    auto p = MustCreate(env, path);
    Stage(p.get(), 1, Page(1));
    MustCommit(p.get());
  }
  auto a = MustOpen(env, path, AccessMode::kReadOnly);
  auto b = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(Read(a.get(), 1), Page(1));
  EXPECT_EQ(Read(b.get(), 1), Page(1));
}

TEST_F(WalCore, ReadersOpenBesideTheWriterButNotASecondWriter) {
  { auto p = MustCreate(env, path); }
  {
    auto w = MustOpen(env, path);
    EXPECT_TRUE(OpenStatus(env, path, AccessMode::kReadOnly).ok());
    Status second = OpenStatus(env, path, AccessMode::kReadWrite);
    EXPECT_EQ(second.code(), Code::kBusy);
    EXPECT_NE(second.message().find("another read-write handle"), std::string::npos)
        << second.ToString();
  }
  auto r = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_TRUE(OpenStatus(env, path, AccessMode::kReadWrite).ok());
}

TEST_F(WalCore, LockTimeoutWaitsThenReportsBusy) {
  auto p = MustCreate(env, path);
  Options o = SmallOptions();
  o.lock_timeout_ms = 150;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(OpenStatus(env, path, AccessMode::kReadWrite, o).code(), Code::kBusy);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0)
                .count();
  EXPECT_GE(ms, 150);
}

TEST_F(WalCore, LockTimeoutSucceedsOnceTheHolderCloses) {
  auto p = MustCreate(env, path);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    p.reset();
  });
  Options o = SmallOptions();
  o.lock_timeout_ms = 5000;
  EXPECT_EQ(OpenStatus(env, path, AccessMode::kReadWrite, o).code(), Code::kOk);
  closer.join();
}

TEST_F(WalCore, BadOptionsAreInvalid) {
  Options o = SmallOptions();
  o.durability = static_cast<Durability>(7);
  std::unique_ptr<WalPager> p;
  EXPECT_EQ(WalPager::Create(env, path, o, &p).code(), Code::kInvalid);
  o = SmallOptions();
  o.lock_timeout_ms = -2;
  EXPECT_EQ(WalPager::Create(env, path, o, &p).code(), Code::kInvalid);
  { auto q = MustCreate(env, path); }
  EXPECT_EQ(WalPager::Open(env, path, static_cast<AccessMode>(3), SmallOptions(), &p).code(),
            Code::kInvalid);
}

TEST_F(WalCore, OpeningAHugeSparseFileReadsNeitherItNorAllOfIt) {
  // 10 GiB of pages, mostly a hole: open must not read or cache them.
  const uint32_t pages = static_cast<uint32_t>((10ull << 30) / 4096);
  {
    auto p = MustCreate(env, path);
    ASSERT_OK(p->SetPageCount(pages));
    Stage(p.get(), pages - 1, Page(5));
    Stage(p.get(), 1, Page(1));
    MustCommit(p.get());
    MustCheckpoint(p.get());
  }
  EXPECT_EQ(FileSize(path), uint64_t{pages} * 4096);
  auto t0 = std::chrono::steady_clock::now();
  auto p = MustOpen(env, path, AccessMode::kReadOnly);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0)
                .count();
  EXPECT_LT(ms, 2000);
  EXPECT_EQ(p->stats().cache_misses, 0u);
  EXPECT_EQ(Read(p.get(), pages - 1), Page(5));
  EXPECT_EQ(Read(p.get(), pages / 2), std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(p->stats().cache_misses, 0u) << "W22: main pages are read through the mapping";
}

TEST_F(WalCore, ThreadsSharingOneHandleAreSerialized) {
  auto p = MustCreate(env, path);
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (uint32_t i = 0; i < 20; i++) {
        uint32_t page = 1 + t * 20 + i;
        std::vector<uint8_t> b = Page(page);
        EXPECT_OK(p->StagePage(page, b.data(), b.size()));
        std::vector<uint8_t> got(4096);
        EXPECT_OK(p->ReadPage(page, got.data(), got.size()));
        if (i % 5 == 4) {
          EXPECT_TRUE(p->Commit().ok());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  MustCommit(p.get());
  for (uint32_t page = 1; page <= 80; page++) EXPECT_EQ(Read(p.get(), page), Page(page));
  EXPECT_OK(p->CheckInvariants());
}

}  // namespace
}  // namespace wal
}  // namespace pager
