// The page journal of a format-2 page file under injected faults (FaultEnv M5): EIO on the
// batch's write, ENOSPC reserving its blocks, an fdatasync of the journal that loses its data,
// EIO or a lossy fdatasync at the checkpoint, and every operation of an open's replay failing.
// Each test names the failure mode it proves; P6 (poisoning) and P14-P16 are the rules.
#include <cstring>

#include "impl/io/checksum.h"
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::ProtectedIds;
using testing::ReadProtected;
using testing::RegularPages;
using testing::SmallOptions;

using Bytes = std::vector<uint8_t>;
using testing::PageBytes;
using testing::WritePage;
using testing::ForOpen;
using testing::JournaledOptions;

Bytes Pattern(uint64_t seed, uint32_t page_size) {
  return pager::testing::PatternBytes(seed, page_size);
}

// The whole observable state: the allocator, every protected page, every regular page's bytes.
struct State {
  std::set<uint64_t> pages;
  std::map<uint64_t, Bytes> page_bytes;
  std::map<uint64_t, Bytes> protected_bytes;
  uint64_t free_pages = 0;
  bool operator==(const State& o) const {
    return pages == o.pages && page_bytes == o.page_bytes &&
           protected_bytes == o.protected_bytes && free_pages == o.free_pages;
  }
};

State Take(PageFile* pf) {
  State s;
  s.pages = RegularPages(pf);
  for (uint64_t p : s.pages) s.page_bytes[p] = PageBytes(pf, p);
  for (uint64_t id : ProtectedIds(pf)) s.protected_bytes[id] = ReadProtected(pf, id);
  EXPECT_OK(pf->FreePageCount(&s.free_pages));
  return s;
}

// Opens path of env read-write and takes its state (ASSERTs inside: check HasFatalFailure).
void OpenAndTake(io::Env* env, const FileOptions& o, State* out) {
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Open(env, "/f", ForOpen(o), &pf));
  ASSERT_OK(pf->CheckInvariants());
  *out = Take(pf.get());
}

// A format-2 file with one protected page holding A and scattered regular pages synced.
struct Fixture {
  std::unique_ptr<io::FaultEnv> env = std::make_unique<io::FaultEnv>();
  FileOptions options;
  std::unique_ptr<PageFile> pf;
  uint64_t id = 0;
  std::vector<uint64_t> pages;
  explicit Fixture(FileOptions o = JournaledOptions()) : options(o) {
    EXPECT_OK(PageFile::Create(env.get(), "/f", options, &pf));
    EXPECT_OK(pf->ProtectedAlloc(&id));
    Bytes a = Pattern(1, pf->page_size());
    EXPECT_OK(pf->ProtectedWrite(id, a.data()));
    pages.resize(40);
    EXPECT_OK(pf->AllocBulk(pages.size(), pages.data()));
    std::vector<uint64_t> listed;
    for (size_t i = 0; i < pages.size(); i += 3) {
      EXPECT_OK(WritePage(pf.get(), pages[i], Pattern(100 + pages[i], pf->page_size())));
      listed.push_back(pages[i]);
    }
    EXPECT_OK(pf->SyncPages(listed.data(), listed.size()));
  }
  Bytes File(const std::string& path) {
    Bytes b;
    EXPECT_OK(env->GetFileBytes(path, &b));
    return b;
  }
};

// Every crash image of env (seeds) recovers exactly `want`.
void ExpectEveryCrashImageRecovers(io::FaultEnv* env, const FileOptions& o, const State& want) {
  for (uint64_t seed = 0; seed < 8; seed++) {
    SCOPED_TRACE("crash image seed " + std::to_string(seed));
    auto crashed = io::FaultEnv::FromImage(env->CrashImage(seed));
    State got;
    ASSERT_NO_FATAL_FAILURE(OpenAndTake(crashed.get(), o, &got));
    ASSERT_TRUE(got == want);
  }
}

TEST(FileJournalFault, EioOnTheBatchWritePoisonsAndReopenRecoversTheLastCommit) {
  Fixture f;
  State acked = Take(f.pf.get());
  f.env->FailNth(io::FaultEnv::Op::kWrite, 1, io::FaultKind::kEio, false);
  Bytes b = Pattern(2, f.pf->page_size());
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, b.data()).code(), Code::kIo);
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, b.data()).code(), Code::kPoisoned);
  EXPECT_EQ(f.pf->SyncPages(f.pages.data(), 1).code(), Code::kPoisoned);
  EXPECT_TRUE(ReadProtected(f.pf.get(), f.id) == Pattern(1, f.pf->page_size()));
  f.pf.reset();
  ASSERT_NO_FATAL_FAILURE(ExpectEveryCrashImageRecovers(f.env.get(), f.options, acked));
  State live;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(f.env.get(), f.options, &live));
  EXPECT_TRUE(live == acked);
}

// The hint that starts the batch's writeback (io E7) fails after the batch was written: the
// commit fails and poisons, and since the batch was never synced a reopen shows the last
// acknowledged state or the failed commit whole (a crash may keep the unsynced batch), never
// a mix; the live files reopen to one of the two as well.
TEST(FileJournalFault, EioStartingTheBatchsWritebackPoisonsAndReopenShowsOldOrNewWhole) {
  Fixture f;
  State acked = Take(f.pf.get());
  f.env->FailNth(io::FaultEnv::Op::kWriteback, 1, io::FaultKind::kEio, false);
  Bytes b = Pattern(2, f.pf->page_size());
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, b.data()).code(), Code::kIo);
  EXPECT_EQ(f.pf->SyncPages(f.pages.data(), 1).code(), Code::kPoisoned);
  f.pf.reset();
  for (uint64_t seed = 0; seed < 8; seed++) {
    SCOPED_TRACE("crash image seed " + std::to_string(seed));
    auto crashed = io::FaultEnv::FromImage(f.env->CrashImage(seed));
    State got;
    ASSERT_NO_FATAL_FAILURE(OpenAndTake(crashed.get(), f.options, &got));
    State fresh = acked;
    fresh.protected_bytes[f.id] = b;
    ASSERT_TRUE(got == acked || got == fresh);
  }
  State live;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(f.env.get(), f.options, &live));
  State fresh = acked;
  fresh.protected_bytes[f.id] = b;
  EXPECT_TRUE(live == acked || live == fresh);
}

TEST(FileJournalFault, EioOnTheBatchWriteOfSyncPagesPoisonsAndKeepsTheEarlierSyncedBytes) {
  Fixture f;
  State acked = Take(f.pf.get());
  Bytes newer = Pattern(7, f.pf->page_size());
  ASSERT_OK(WritePage(f.pf.get(), f.pages[0], newer));
  f.env->FailNth(io::FaultEnv::Op::kWrite, 1, io::FaultKind::kEio, false);
  EXPECT_EQ(f.pf->SyncPages(f.pages.data(), 1).code(), Code::kIo);
  Bytes b = Pattern(2, f.pf->page_size());
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, b.data()).code(), Code::kPoisoned);
  f.pf.reset();
  // The page whose sync failed reads its earlier synced bytes or the unsynced newer ones in
  // each sector; everything else is exactly the acknowledged state.
  for (uint64_t seed = 0; seed < 8; seed++) {
    auto crashed = io::FaultEnv::FromImage(f.env->CrashImage(seed));
    State got;
    ASSERT_NO_FATAL_FAILURE(OpenAndTake(crashed.get(), f.options, &got));
    const Bytes& old_bytes = acked.page_bytes.at(f.pages[0]);
    const Bytes& page = got.page_bytes.at(f.pages[0]);
    for (size_t s = 0; s < page.size(); s += 512) {
      ASSERT_TRUE(std::memcmp(page.data() + s, old_bytes.data() + s, 512) == 0 ||
                  std::memcmp(page.data() + s, newer.data() + s, 512) == 0);
    }
    got.page_bytes[f.pages[0]] = old_bytes;
    ASSERT_TRUE(got == acked) << "seed " << seed;
  }
}

// Reserve (fallocate of the batch's blocks) comes before any write: ENOSPC there is kNoSpace,
// not poisoned, with neither file changed, and the next commit (the disk has room again)
// works and survives a crash.
TEST(FileJournalFault, EnospcReservingTheJournalIsNoSpaceNotPoisonedAndWritesNothing) {
  Fixture f;
  State acked = Take(f.pf.get());
  Bytes main_before = f.File("/f"), journal_before = f.File("/f-journal");
  f.env->FailNth(io::FaultEnv::Op::kAllocate, 1, io::FaultKind::kEnospc, false);
  // The commit takes no new page, so the only fallocate is the journal's (its next batch
  // ends past every block it reserved so far).
  Bytes refused = Pattern(4, f.pf->page_size());
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, refused.data()).code(), Code::kNoSpace);
  EXPECT_TRUE(f.File("/f") == main_before) << "the main file changed";
  EXPECT_TRUE(f.File("/f-journal") == journal_before) << "the journal changed";
  EXPECT_TRUE(Take(f.pf.get()) == acked);
  ASSERT_OK(f.pf->CheckInvariants());
  Bytes b = Pattern(3, f.pf->page_size());
  ASSERT_OK(f.pf->ProtectedWrite(f.id, b.data()));
  std::vector<uint64_t> ids(8);
  ASSERT_OK(f.pf->ProtectedAllocBulk(ids.size(), ids.data()));
  State now = Take(f.pf.get());
  ASSERT_NO_FATAL_FAILURE(ExpectEveryCrashImageRecovers(f.env.get(), f.options, now));
}

TEST(FileJournalFault, EnospcReservingTheJournalForSyncPagesIsNoSpaceAndTheRetryWorks) {
  Fixture f;
  std::vector<uint64_t> all(f.pages);
  for (uint64_t p : all) ASSERT_OK(WritePage(f.pf.get(), p, Pattern(500 + p, f.pf->page_size())));
  f.env->FailNth(io::FaultEnv::Op::kAllocate, 1, io::FaultKind::kEnospc, false);
  EXPECT_EQ(f.pf->SyncPages(all.data(), all.size()).code(), Code::kNoSpace);
  ASSERT_OK(f.pf->SyncPages(all.data(), all.size()));  // not poisoned: the retry is allowed
  State now = Take(f.pf.get());
  ASSERT_NO_FATAL_FAILURE(ExpectEveryCrashImageRecovers(f.env.get(), f.options, now));
}

// ENOSPC reserving the first batch of a new lap, after the checkpoint already restarted the
// journal: kNoSpace, not poisoned -- and the old lap's chain is still at the journal's head.
// A clean close must still invalidate it (P16), or the next open replays the old images over
// pages written since: page p was synced with A, then written B through the mapping before the
// clean close, and read A again after the reopen (the close skipped the checkpoint because no
// batch had been written in the new lap).
TEST(FileJournalFault, EnospcOnTheFirstBatchOfALapThenACleanCloseRollsNoPageBack) {
  auto env = std::make_unique<io::FaultEnv>();
  FileOptions o = JournaledOptions(uint64_t{16} << 10);
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Create(env.get(), "/f", o, &pf));
  std::vector<uint64_t> pages(30);
  ASSERT_OK(pf->AllocBulk(pages.size(), pages.data()));  // an 8 KiB batch
  uint64_t p = pages[0];
  ASSERT_OK(WritePage(pf.get(), p, Pattern(1, pf->page_size())));
  ASSERT_OK(pf->SyncPages(&p, 1));  // 8 KiB more: the 16 KiB lap is full
  Bytes b = Pattern(2, pf->page_size());
  ASSERT_OK(WritePage(pf.get(), p, b));
  std::vector<uint64_t> q(pages.begin() + 2, pages.begin() + 22);
  for (uint64_t x : q) ASSERT_OK(WritePage(pf.get(), x, Pattern(100 + x, pf->page_size())));
  uint64_t checkpoints = pf->checkpoint_count();
  env->FailNth(io::FaultEnv::Op::kAllocate, 1, io::FaultKind::kEnospc, false);
  EXPECT_EQ(pf->SyncPages(q.data(), q.size()).code(), Code::kNoSpace);  // a 24 KiB batch
  env->ClearFaults();
  ASSERT_EQ(pf->checkpoint_count(), checkpoints + 1) << "the refused batch began a new lap";
  ASSERT_OK(pf->CheckWritable());  // not poisoned
  pf.reset();  // clean close
  ASSERT_OK(PageFile::Open(env.get(), "/f", ForOpen(o), &pf));
  EXPECT_EQ(pf->recovery_report().journal_batches, 0u) << "the clean close left a chain";
  EXPECT_TRUE(PageBytes(pf.get(), p) == b) << "page " << p << " rolled back to its synced bytes";
  for (uint64_t x : q) {
    ASSERT_TRUE(PageBytes(pf.get(), x) == Pattern(100 + x, pf->page_size())) << "page " << x;
  }
}

// A journal fdatasync that fails AND forgets the batch (Linux after a failed fsync): the
// handle is poisoned; whatever state the next open shows, a later power loss never takes it
// back (the open's replay made it durable in the main file), and a power loss before that
// open recovers the previous state or the failed commit whole.
TEST(FileJournalFault, LossyJournalSyncPoisonsAndTheStateAReopenShowsIsNeverLostLater) {
  Fixture f;
  State acked = Take(f.pf.get());
  f.env->FailSyncLosingData(1);
  Bytes b = Pattern(2, f.pf->page_size());
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, b.data()).code(), Code::kIo);
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, b.data()).code(), Code::kPoisoned);
  f.pf.reset();
  uint64_t old_images = 0;
  for (uint64_t seed = 0; seed < 16; seed++) {
    auto crashed = io::FaultEnv::FromImage(f.env->CrashImage(seed));
    State got;
    ASSERT_NO_FATAL_FAILURE(OpenAndTake(crashed.get(), f.options, &got));
    bool is_new = got.protected_bytes.at(f.id) == b;
    if (!is_new) old_images++;
    got.protected_bytes[f.id] = acked.protected_bytes.at(f.id);
    ASSERT_TRUE(got == acked) << "seed " << seed << ": neither the previous nor the failed state";
  }
  EXPECT_GT(old_images, 0u) << "the lost batch was never lost";
  State live;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(f.env.get(), f.options, &live));
  ASSERT_NO_FATAL_FAILURE(ExpectEveryCrashImageRecovers(f.env.get(), f.options, live));
}

// A clean close checkpoints and then invalidates the journal (zeroes its head, then its
// DataSync, P16). That DataSync failing is ignored by the close, so the zeroed head is in the
// page cache only and the checkpointed chain still on disk. The next read-write open reads no
// chain; it must make that durable before it writes in place, or a crash later replays the
// old chain over what the open and its session made durable. Found by fuzz/fileops_fuzz.cc:
// a commit failed after that open (EIO on its batch; its pages already in the mapping), the
// reopen showed and synced its result, and a crash rolled it back to the old chain's.
TEST(FileJournalFault, FailedInvalidationAtACloseNeverLetsTheOldChainReplayOverALaterState) {
  Fixture f;
  Bytes b = Pattern(2, f.pf->page_size());
  ASSERT_OK(f.pf->ProtectedWrite(f.id, b.data()));
  // The close's syncs: the main file's (the checkpoint), then the journal's (the invalidation).
  f.env->FailNth(io::FaultEnv::Op::kSync, 2, io::FaultKind::kEio, false);
  f.pf.reset();
  f.env->ClearFaults();
  ASSERT_OK(PageFile::Open(f.env.get(), "/f", ForOpen(f.options), &f.pf));
  f.env->FailNth(io::FaultEnv::Op::kWrite, 1, io::FaultKind::kEio, false);
  Bytes c = Pattern(3, f.pf->page_size());
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, c.data()).code(), Code::kIo);
  f.pf.reset();
  f.env->ClearFaults();
  State live;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(f.env.get(), f.options, &live));
  ASSERT_NO_FATAL_FAILURE(ExpectEveryCrashImageRecovers(f.env.get(), f.options, live));
}

// The commit whose batch would pass journal_lap_bytes first makes the main file durable (the
// checkpoint, P16). Lap 16 KiB: commits of one 1 KiB page are 8 KiB batches, so every second
// commit checkpoints. The checkpoint's fdatasync failing -- with EIO, or losing the main
// file's unsynced pages -- poisons, and the journal still holds every commit since the last
// checkpoint, so nothing acknowledged is lost, live or after a crash.
// The number of one-page commits after the fixture whose last one checkpoints.
uint64_t CommitsToTheNextCheckpoint(const FileOptions& o) {
  Fixture probe(o);
  uint64_t before = probe.pf->checkpoint_count();
  for (uint64_t i = 1; i <= 16; i++) {
    Bytes b = Pattern(10 + i, probe.pf->page_size());
    EXPECT_OK(probe.pf->ProtectedWrite(probe.id, b.data()));
    if (probe.pf->checkpoint_count() > before) return i;
  }
  ADD_FAILURE() << "16 commits never reached the checkpoint";
  return 1;
}

void CheckpointSyncFails(bool lossy) {
  FileOptions o = JournaledOptions(uint64_t{16} << 10);
  uint64_t n = CommitsToTheNextCheckpoint(o);
  Fixture f(o);
  for (uint64_t i = 1; i < n; i++) {
    Bytes b = Pattern(10 + i, f.pf->page_size());
    ASSERT_OK(f.pf->ProtectedWrite(f.id, b.data()));
  }
  State acked = Take(f.pf.get());
  uint64_t checkpoints = f.pf->checkpoint_count();
  if (lossy) {
    f.env->FailSyncLosingData(1);
  } else {
    f.env->FailNth(io::FaultEnv::Op::kSync, 1, io::FaultKind::kEio, false);
  }
  Bytes b = Pattern(10 + n, f.pf->page_size());
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, b.data()).code(), Code::kIo);
  f.env->ClearFaults();
  ASSERT_EQ(f.pf->checkpoint_count(), checkpoints + 1) << "the failed sync was the checkpoint's";
  EXPECT_EQ(f.pf->ProtectedWrite(f.id, b.data()).code(), Code::kPoisoned);
  EXPECT_TRUE(Take(f.pf.get()) == acked);
  f.pf.reset();
  ASSERT_NO_FATAL_FAILURE(ExpectEveryCrashImageRecovers(f.env.get(), f.options, acked));
  State live;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(f.env.get(), f.options, &live));
  EXPECT_TRUE(live == acked);
}

TEST(FileJournalFault, EioOnTheCheckpointsMainSyncPoisonsAndLosesNothing) {
  ASSERT_NO_FATAL_FAILURE(CheckpointSyncFails(false));
}

TEST(FileJournalFault, LossyCheckpointSyncPoisonsAndTheJournalStillRestoresEveryCommit) {
  ASSERT_NO_FATAL_FAILURE(CheckpointSyncFails(true));
}

// A crash image whose journal holds a chain, and the state an uninterrupted open recovers.
struct ChainImage {
  std::map<std::string, Bytes> image;
  State want;
  FileOptions options = JournaledOptions();
};

ChainImage MakeChainImage() {
  ChainImage c;
  Fixture f(c.options);
  Bytes b = Pattern(2, f.pf->page_size());
  EXPECT_OK(f.pf->ProtectedWrite(f.id, b.data()));
  EXPECT_OK(f.pf->Grow(400));  // the replay extends the main file (its growth was not synced)
  std::vector<uint64_t> more(100);
  EXPECT_OK(f.pf->AllocBulk(more.size(), more.data()));
  for (uint64_t p : more) EXPECT_OK(WritePage(f.pf.get(), p, Pattern(900 + p, f.pf->page_size())));
  EXPECT_OK(f.pf->SyncPages(more.data(), more.size()));
  c.image = f.env->CrashImage(3);  // every batch was synced: the chain is whole
  auto env = io::FaultEnv::FromImage(c.image);
  std::unique_ptr<PageFile> pf;
  EXPECT_OK(PageFile::Open(env.get(), "/f", ForOpen(c.options), &pf));
  if (pf != nullptr) {
    EXPECT_GT(pf->recovery_report().journal_batches, 0u);
    c.want = Take(pf.get());
  }
  return c;
}

// Every operation of the replaying open failing in turn (EIO, then ENOSPC): the open fails
// with that error, and the next open of the same files (the fault gone) recovers exactly the
// state an uninterrupted open does -- live, and after a power loss right after it.
void FailEveryOpenOperation(io::FaultKind kind) {
  ChainImage c = MakeChainImage();
  ASSERT_FALSE(::testing::Test::HasFailure());
  uint64_t failed_opens = 0;
  for (uint64_t n = 1;; n++) {
    SCOPED_TRACE("operation " + std::to_string(n) + " of the open fails");
    auto env = io::FaultEnv::FromImage(c.image);
    env->FailNthAny(n, kind, false);
    std::unique_ptr<PageFile> pf;
    Status st = PageFile::Open(env.get(), "/f", ForOpen(c.options), &pf);
    env->ClearFaults();
    if (st.ok()) {
      ASSERT_TRUE(Take(pf.get()) == c.want);
      break;
    }
    ASSERT_TRUE(st.code() == Code::kIo || st.code() == Code::kNoSpace) << st.ToString();
    failed_opens++;
    State live;
    ASSERT_NO_FATAL_FAILURE(OpenAndTake(env.get(), c.options, &live));
    ASSERT_TRUE(live == c.want);
    ASSERT_NO_FATAL_FAILURE(ExpectEveryCrashImageRecovers(env.get(), c.options, c.want));
  }
  EXPECT_GT(failed_opens, 20u);
}

TEST(FileJournalFault, EioAtAnyOperationOfTheReplayFailsTheOpenAndALaterOpenRecovers) {
  ASSERT_NO_FATAL_FAILURE(FailEveryOpenOperation(io::FaultKind::kEio));
}

TEST(FileJournalFault, EnospcAtAnyOperationOfTheReplayFailsTheOpenAndALaterOpenRecovers) {
  ASSERT_NO_FATAL_FAILURE(FailEveryOpenOperation(io::FaultKind::kEnospc));
}

// The replay's main-file fdatasync losing the replayed pages: the open fails, the journal is
// not invalidated, and the next open replays again -- live and after a power loss.
TEST(FileJournalFault, LossySyncOfTheReplayedMainFileFailsTheOpenAndTheJournalReplaysAgain) {
  ChainImage c = MakeChainImage();
  ASSERT_FALSE(::testing::Test::HasFailure());
  auto env = io::FaultEnv::FromImage(c.image);
  env->FailSyncLosingData(1);
  std::unique_ptr<PageFile> pf;
  EXPECT_EQ(PageFile::Open(env.get(), "/f", ForOpen(c.options), &pf).code(), Code::kIo);
  ASSERT_NO_FATAL_FAILURE(ExpectEveryCrashImageRecovers(env.get(), c.options, c.want));
  State live;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(env.get(), c.options, &live));
  EXPECT_TRUE(live == c.want);
}

}  // namespace
}  // namespace file
}  // namespace pager
