// Several handles of one database (W18-W21): read-only handles read beside the writer
// through the shared index, each with its own open file description and read-mark slot, so
// they behave like other processes. Run on PosixEnv and on MemEnv (whose mappings of one
// file are shared between handles, like MAP_SHARED).
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "impl/io/mem_env.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::TempDir;

class WalHandles : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      mem_ = std::make_unique<io::MemEnv>();
      ASSERT_TRUE(mem_->CreateDir("/d", 0755).ok());
      env = mem_.get();
      path = "/d/db";
    } else {
      env = io::DefaultEnv();
      path = dir.File("db");
    }
  }
  std::unique_ptr<WalPager> Reader() { return MustOpen(env, path, AccessMode::kReadOnly); }
  std::vector<uint8_t> IndexBytes() { return ReadIndexFile(env, path); }
  void PutIndex(const std::vector<uint8_t>& bytes) { WriteIndexFile(env, path, bytes); }

  TempDir dir;
  std::unique_ptr<io::MemEnv> mem_;
  io::Env* env = nullptr;
  std::string path;
};

TEST_P(WalHandles, ReaderHandleSeesEachCommitOfTheWriterHandle) {
  auto w = MustCreate(env, path);
  auto r = Reader();
  for (uint64_t i = 1; i <= 5; i++) {
    Stage(w.get(), 1, Page(i));
    Stage(w.get(), static_cast<uint32_t>(i + 1), Page(100 + i));
    MustCommit(w.get());
    EXPECT_EQ(r->page_count(), i + 2);
    EXPECT_EQ(Read(r.get(), 1), Page(i));
    EXPECT_EQ(Read(r.get(), static_cast<uint32_t>(i + 1)), Page(100 + i));
  }
  MustCheckpoint(w.get());  // copies everything and restarts the WAL: a new generation
  Stage(w.get(), 1, Page(77));
  MustCommit(w.get());
  EXPECT_EQ(Read(r.get(), 1), Page(77));
  EXPECT_EQ(Read(r.get(), 6), Page(105));
  EXPECT_TRUE(r->CheckInvariants().ok());
}

TEST_P(WalHandles, PlainReadsLeaveTheSlotIdleAndSeeEveryPublishAfterRepeatsOfTheSame) {
  // A plain read pins through the header fast path (ShmIndex X1) while nothing is published
  // and unpins with a release store (X5): repeated reads of one header must still see the
  // next commit (same generation) and the next restart (new generation), and must leave
  // nothing pinned -- a TRUNCATE checkpoint, which waits for every reader of another
  // handle, goes through at once after each.
  Options o = SmallOptions();
  o.lock_timeout_ms = 0;
  auto w = MustCreate(env, path, o);
  auto r = Reader();
  for (uint64_t i = 1; i <= 4; i++) {
    Stage(w.get(), 1, Page(i));
    MustCommit(w.get());
    for (int k = 0; k < 3; k++) EXPECT_EQ(Read(r.get(), 1), Page(i)) << "commit " << i;
    Stage(w.get(), 2, Page(50 + i));
    MustCommit(w.get());  // the same generation: new frames only
    for (int k = 0; k < 3; k++) EXPECT_EQ(Read(r.get(), 2), Page(50 + i)) << "commit " << i;
    EXPECT_TRUE(w->Checkpoint(CheckpointMode::kTruncate).ok()) << "round " << i;
    EXPECT_EQ(w->stats().readers_active, 0u);
    EXPECT_EQ(Read(r.get(), 1), Page(i));
  }
  EXPECT_TRUE(r->CheckInvariants().ok());
}

TEST_P(WalHandles, SnapshotInAnotherHandleIgnoresLaterCommitsAndCheckpoints) {
  auto w = MustCreate(env, path);
  Stage(w.get(), 1, Page(1));
  Stage(w.get(), 2, Page(2));
  MustCommit(w.get());
  auto r = Reader();
  ReadSnapshot s;
  ASSERT_TRUE(r->BeginRead(&s).ok());
  Stage(w.get(), 1, Page(11));
  ASSERT_TRUE(w->SetPageCount(2).ok());  // drops page 2
  MustCommit(w.get());
  // PASSIVE copies nothing: the reader's frames (W25: below its mark) are pages past the
  // main file's page count, which only the final step copies.
  Result<uint32_t> cp = w->Checkpoint(CheckpointMode::kPassive);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp.value(), 0u);
  EXPECT_GT(w->stats().frames_left, 0u);
  EXPECT_EQ(w->stats().readers_active, 1u) << "the other handle's reader is counted";
  EXPECT_EQ(SnapRead(r.get(), s, 1), Page(1));
  EXPECT_EQ(SnapRead(r.get(), s, 2), Page(2));
  EXPECT_EQ(s.page_count, 3u);
  EXPECT_EQ(Read(r.get(), 1), Page(11)) << "outside the transaction: the latest commit";
  r->EndRead(&s);
  cp = w->Checkpoint(CheckpointMode::kPassive);
  ASSERT_TRUE(cp.ok());
  EXPECT_GT(cp.value(), 0u);
  EXPECT_EQ(Read(r.get(), 1), Page(11));
  EXPECT_EQ(r->page_count(), 2u);
}

TEST_P(WalHandles, FullCheckpointWaitsForAnotherHandlesReaderThenBusy) {
  auto w = MustCreate(env, path);
  Stage(w.get(), 1, Page(1));
  MustCommit(w.get());
  auto r = Reader();
  ReadSnapshot s;
  ASSERT_TRUE(r->BeginRead(&s).ok());
  Stage(w.get(), 1, Page(2));
  MustCommit(w.get());
  Options o = SmallOptions();
  o.lock_timeout_ms = 30;
  w.reset();
  w = MustOpen(env, path, AccessMode::kReadWrite, o);  // continues the generation (W9)
  EXPECT_EQ(SnapRead(r.get(), s, 1), Page(1));
  EXPECT_EQ(w->Checkpoint(CheckpointMode::kFull).status().code(), Code::kBusy);
  EXPECT_EQ(SnapRead(r.get(), s, 1), Page(1));
  r->EndRead(&s);
  EXPECT_TRUE(w->Checkpoint(CheckpointMode::kTruncate).ok());
  EXPECT_EQ(Read(r.get(), 1), Page(2));
}

TEST_P(WalHandles, ReaderOfAClosedHandleHoldsNothingBack) {
  auto w = MustCreate(env, path);
  Stage(w.get(), 1, Page(1));
  MustCommit(w.get());
  auto r = Reader();
  ReadSnapshot s;
  ASSERT_TRUE(r->BeginRead(&s).ok());
  Stage(w.get(), 1, Page(2));
  MustCommit(w.get());
  EXPECT_EQ(w->Checkpoint(CheckpointMode::kPassive).value(), 0u);
  EXPECT_GT(w->stats().frames_left, 0u);
  r->Close();  // its slot's lock byte goes with its file (X4)
  EXPECT_GT(w->Checkpoint(CheckpointMode::kPassive).value(), 0u);
  EXPECT_EQ(w->stats().frames_left, 0u);
  EXPECT_EQ(w->stats().readers_active, 0u);
  r->EndRead(&s);
}

TEST_P(WalHandles, ReaderPinnedToTheMainFileSurvivesAWalRestart) {
  auto w = MustCreate(env, path);
  Stage(w.get(), 1, Page(1));
  MustCommit(w.get());
  MustCheckpoint(w.get());
  Stage(w.get(), 1, Page(2));
  MustCommit(w.get());
  MustCheckpoint(w.get());  // every frame backfilled: a reader now pins "main file only"
  auto r = Reader();
  ReadSnapshot s;
  ASSERT_TRUE(r->BeginRead(&s).ok());
  EXPECT_EQ(s.mark, 0u);
  Stage(w.get(), 1, Page(3));
  MustCommit(w.get());
  EXPECT_EQ(w->Checkpoint(CheckpointMode::kPassive).value(), 0u) << "main must not change";
  EXPECT_EQ(SnapRead(r.get(), s, 1), Page(2));
  EXPECT_EQ(Read(r.get(), 1), Page(3));
  EXPECT_EQ(SnapRead(r.get(), s, 1), Page(2));
  r->EndRead(&s);
}

TEST_P(WalHandles, GarbledIndexIsRebuiltNotBelieved) {
  {
    auto w = MustCreate(env, path);
    Stage(w.get(), 1, Page(1));
    MustCommit(w.get());
    Stage(w.get(), 1, Page(2));
    MustCommit(w.get());
  }
  // Garble the header copies as an outside party (or a crash mid-publish) would.
  PutIndex(std::vector<uint8_t>(2 * kShmHeaderCopySize, 0x5A));
  {
    auto r = Reader();  // not believed: reads its own WAL scan, leaves the index alone
    EXPECT_EQ(Read(r.get(), 1), Page(2));
  }
  auto w = MustOpen(env, path);  // the writer rebuilds it
  auto r = Reader();
  Stage(w.get(), 1, Page(3));
  MustCommit(w.get());
  EXPECT_EQ(Read(r.get(), 1), Page(3));
}

TEST_P(WalHandles, StaleIndexOfAnEarlierGenerationIsRebuilt) {
  std::vector<uint8_t> old_index;
  {
    auto w = MustCreate(env, path);
    Stage(w.get(), 1, Page(1));
    MustCommit(w.get());
    old_index = IndexBytes();
    MustCheckpoint(w.get());
    Stage(w.get(), 1, Page(2));
    MustCommit(w.get());
  }
  PutIndex(old_index);
  auto r = Reader();
  EXPECT_EQ(Read(r.get(), 1), Page(2));
}

// Regression (found by the torture's reader processes): a reader whose own WAL scan at
// open is ahead of the last publish (a commit written, its publish not yet made) pinned the
// published mark with its newer page count: a torn snapshot.
TEST_P(WalHandles, ReaderAheadOfThePublishedIndexPinsWhatItRead) {
  auto w = MustCreate(env, path);
  Stage(w.get(), 1, Page(1));
  MustCommit(w.get());
  std::vector<uint8_t> published = IndexBytes();
  published.resize(kShmFramesOffset);  // the header copies and slots, not the frame entries
  Stage(w.get(), 1, Page(2));
  Stage(w.get(), 2, Page(3));
  MustCommit(w.get());
  PutIndex(published);  // the older publish
  auto r = Reader();
  ReadSnapshot s;
  ASSERT_TRUE(r->BeginRead(&s).ok());
  EXPECT_EQ(s.page_count, 3u);
  EXPECT_EQ(SnapRead(r.get(), s, 1), Page(2));
  EXPECT_EQ(SnapRead(r.get(), s, 2), Page(3));
  r->EndRead(&s);
}

// Regression (found by tests/wal_restart_race_test.cc): a checkpoint that copies every frame
// but lets the generation go on (another handle reads its frames, W21) rewrites the main
// header; a reader handle that then followed new frames of that generation took the new
// main_valid_count but kept the old header's page count and checkpoint sequence (W3 broken:
// main_valid_count above the main page count; CheckAtRest reported a stale sequence).
TEST_P(WalHandles, ReaderFollowingAGenerationThatWentOnTracksTheRewrittenMainHeader) {
  auto w = MustCreate(env, path);
  Stage(w.get(), 1, Page(1));
  Stage(w.get(), 2, Page(2));
  MustCommit(w.get());
  auto r = Reader();
  ReadSnapshot s;
  ASSERT_TRUE(r->BeginRead(&s).ok());  // at the WAL's end: copying is allowed, a restart not
  EXPECT_GT(MustCheckpoint(w.get()), 0u);
  EXPECT_GT(w->stats().wal_frames, 0u) << "the generation went on";
  Stage(w.get(), 3, Page(3));
  MustCommit(w.get());
  r->EndRead(&s);
  EXPECT_EQ(Read(r.get(), 3), Page(3));  // follows the new frame (same generation)
  Status inv = r->CheckInvariants();
  EXPECT_TRUE(inv.ok()) << inv.ToString();
  uint64_t reader_seq = 0, writer_seq = 0;
  ASSERT_TRUE(r->CheckAtRest(&reader_seq).ok());
  ASSERT_TRUE(w->CheckAtRest(&writer_seq).ok());
  EXPECT_EQ(reader_seq, writer_seq);
}

// After a crash (here: the index as an earlier commit left it, which is what a crash can leave:
// it is never synced) the first handle to open may be a reader. With no writer active it
// rebuilds the index from its scan as a writer's open would, instead of reading privately
// and keeping every writer out until it closes.
TEST_P(WalHandles, AReaderFirstOnAStaleIndexRebuildsItAndKeepsNoWriterOut) {
  std::vector<uint8_t> earlier;
  {
    auto w = MustCreate(env, path);
    Stage(w.get(), 1, Page(1));
    MustCommit(w.get());
    earlier = IndexBytes();
    Stage(w.get(), 1, Page(2));
    Stage(w.get(), 2, Page(3));
    MustCommit(w.get());
  }
  PutIndex(earlier);
  auto r = Reader();
  EXPECT_EQ(Read(r.get(), 1), Page(2));
  auto w = MustOpen(env, path);  // BUSY while a reader read privately
  ASSERT_NE(w, nullptr);
  Stage(w.get(), 2, Page(4));
  MustCommit(w.get());
  EXPECT_EQ(Read(r.get(), 1), Page(2));
  EXPECT_EQ(Read(r.get(), 2), Page(4));
  Status inv = r->CheckInvariants();
  EXPECT_TRUE(inv.ok()) << inv.ToString();
}

// Regression (pagerctl info in `make demo` said "-shm stale" after a clean close): a TRUNCATE
// checkpoint cuts the WAL to zero bytes and publishes the new generation's salts, which a
// later opener cannot read from a WAL without a header. Such an opener took the index for a
// stale one, read privately and kept writers out while it was open.
TEST_P(WalHandles, AReaderAfterATruncateCheckpointSharesTheIndexAndKeepsNoWriterOut) {
  {
    auto w = MustCreate(env, path);
    Stage(w.get(), 1, Page(1));
    Stage(w.get(), 2, Page(2));
    MustCommit(w.get());
    Result<uint32_t> cut = w->Checkpoint(CheckpointMode::kTruncate);
    ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  }
  auto r = Reader();
  EXPECT_EQ(Read(r.get(), 1), Page(1));
  auto w = MustOpen(env, path);  // BUSY while the reader held the writer byte
  ASSERT_NE(w, nullptr);
  Stage(w.get(), 1, Page(3));
  MustCommit(w.get());
  EXPECT_EQ(Read(r.get(), 1), Page(3));
  EXPECT_EQ(Read(r.get(), 2), Page(2));
  Status inv = r->CheckInvariants();
  EXPECT_TRUE(inv.ok()) << inv.ToString();
}

INSTANTIATE_TEST_SUITE_P(Env, WalHandles, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? std::string("Mem") : std::string("Posix");
                         });

// W21: a read-only open where the index cannot be opened read-write (an unwritable
// directory; here a directory standing at the index's path, which fails the same way and
// works for root too).
// A read-only tool (pagerctl info/verify/dump) on a database whose `-shm` is gone (copied
// without it, or removed after the last writer closed) must leave the directory as it was.
TEST_P(WalHandles, AReadOnlyOpenWithoutAnIndexCreatesNoFileAndKeepsWritersOut) {
  {
    auto w = MustCreate(env, path);
    Stage(w.get(), 1, Page(1));
    MustCommit(w.get());
  }
  ASSERT_TRUE(env->Remove(ShmPath(path)).ok());
  {
    auto r = Reader();
    EXPECT_EQ(Read(r.get(), 1), Page(1));
    ReadSnapshot s;
    ASSERT_TRUE(r->BeginRead(&s).ok());
    EXPECT_EQ(SnapRead(r.get(), s, 1), Page(1));
    r->EndRead(&s);
    bool exists = true;
    ASSERT_TRUE(env->Exists(ShmPath(path), &exists).ok());
    EXPECT_FALSE(exists) << "a reader created " << ShmPath(path);
    // Its index is private, so it keeps writers out until it closes, and the writer is told
    // so (not that another writer has the database open).
    Status kept_out = OpenStatus(env, path);
    EXPECT_EQ(kept_out.code(), Code::kBusy);
    EXPECT_NE(kept_out.message().find("read-only handles that read without the shared index"),
              std::string::npos)
        << kept_out.ToString();
  }
  auto w = MustOpen(env, path);  // the writer creates the index again
  Stage(w.get(), 1, Page(2));
  MustCommit(w.get());
  EXPECT_EQ(Read(Reader().get(), 1), Page(2));
}

TEST(WalHandlesPosix, ReadOnlyOpenWithoutAWritableIndexIsPrivateUnlessAWriterIsActive) {
  TempDir dir;
  const std::string path = dir.File("db");
  io::Env* env = io::DefaultEnv();
  {
    auto w = MustCreate(env, path);
    Stage(w.get(), 1, Page(1));
    MustCommit(w.get());
  }
  ASSERT_EQ(unlink(ShmPath(path).c_str()), 0);
  ASSERT_EQ(mkdir(ShmPath(path).c_str(), 0755), 0);
  {
    auto r = MustOpen(env, path, AccessMode::kReadOnly);  // no writer: a private index
    EXPECT_EQ(Read(r.get(), 1), Page(1));
    // It holds the writer byte shared, so no writer starts under its private index.
    EXPECT_EQ(OpenStatus(env, path).code(), Code::kBusy);
  }
  ASSERT_EQ(rmdir(ShmPath(path).c_str()), 0);
  auto w = MustOpen(env, path);  // creates the index again
  ASSERT_EQ(unlink(ShmPath(path).c_str()), 0);  // the writer keeps its mapping
  ASSERT_EQ(mkdir(ShmPath(path).c_str(), 0755), 0);
  Status st = OpenStatus(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(st.code(), Code::kBusy);
  EXPECT_NE(st.message().find("-shm"), std::string::npos) << st.ToString();
  ASSERT_EQ(rmdir(ShmPath(path).c_str()), 0);
}

// W21, X3: a reader that rebuilds a stale index (RebuildIndexAsReader) may need to grow it,
// and the disk may be full. The index is only ever a shared copy of what the WAL scan finds,
// so the reader opens anyway and reads privately, keeping writers out (told why) until it
// closes, as a reader that cannot write the index at all does. The index stays as stale as
// the crash left it, and the next reader, with room again, rebuilds it and keeps no writer out.
TEST(WalHandlesFault, AReaderThatCannotGrowAStaleIndexReadsPrivatelyUntilItCloses) {
  io::FaultEnv env;
  ASSERT_TRUE(env.CreateDir("/d", 0755).ok());
  const std::string path = "/d/db";
  const std::string shm = ShmPath(path);
  std::vector<uint8_t> earlier;
  const uint32_t pages = 4000;  // more frame entries than the index's first 64 KiB hold (X3)
  {
    auto w = MustCreate(&env, path);
    Stage(w.get(), 1, Page(1));
    MustCommit(w.get());
    ASSERT_TRUE(env.GetFileBytes(shm, &earlier).ok());
    for (uint32_t i = 1; i <= pages; i++) Stage(w.get(), i, Page(i + 10));
    MustCommit(w.get());
  }
  std::vector<uint8_t> grown;
  ASSERT_TRUE(env.GetFileBytes(shm, &grown).ok());
  ASSERT_GT(grown.size(), earlier.size()) << "the commit did not grow the index";
  ASSERT_TRUE(env.SetFileBytes(shm, earlier).ok());  // a crash left the first commit's index
  env.FailNth(io::MemEnv::Op::kWrite, 1, io::FaultKind::kEnospc, true);
  {
    auto r = MustOpen(&env, path, AccessMode::kReadOnly);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(Read(r.get(), 1), Page(11));
    EXPECT_EQ(Read(r.get(), pages), Page(pages + 10));
    EXPECT_TRUE(r->CheckInvariants().ok());
    std::vector<uint8_t> after;
    ASSERT_TRUE(env.GetFileBytes(shm, &after).ok());
    EXPECT_EQ(after.size(), earlier.size());
    env.ClearFaults();
    Status kept_out = OpenStatus(&env, path);
    EXPECT_EQ(kept_out.code(), Code::kBusy);
    EXPECT_NE(kept_out.message().find("read-only handles that read without the shared index"),
              std::string::npos)
        << kept_out.ToString();
  }
  auto r = MustOpen(&env, path, AccessMode::kReadOnly);  // room again: it rebuilds the index
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Read(r.get(), pages), Page(pages + 10));
  auto w = MustOpen(&env, path);
  ASSERT_NE(w, nullptr) << "a rebuilt index keeps no writer out";
  Stage(w.get(), 2, Page(5));
  MustCommit(w.get());
  EXPECT_EQ(Read(r.get(), 2), Page(5));
}

}  // namespace
}  // namespace wal
}  // namespace pager
