// Fault injection on FaultEnv: an fsync that fails after dropping the data (Linux after a
// writeback error), and EIO / ENOSPC at every Nth operation of a workload, once or for good.
// After any failure: the handle is poisoned (durability failures) or unchanged (failures
// before anything was written); a failed sync is never retried; reopening shows a committed
// prefix that holds every commit that returned OK.
#include "impl/io/mem_env.h"
#include "tests/wal_model.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

const char* kDir = "/f";
const char* kPath = "/f/db";
const char* kWal = "/f/db-wal";

Options FaultOptions() {
  Options o = SmallOptions();
  o.page_size = 512;
  o.wal_prewrite_bytes = 4096;
  o.wal_keep_bytes = 8192;
  return o;
}

void Workload(Recorder& r) {
  for (uint32_t i = 1; i <= 4; i++) r.Stage(i, 10 + i);
  r.Commit();
  r.Stage(2, 22);
  r.App(7);
  r.Commit();
  r.Checkpoint();
  r.SetCount(3);
  r.Commit();
  r.Stage(5, 35);
  r.Commit();
  r.Checkpoint();
  r.Stage(1, 41);
  r.Commit();
}

Snapshot MustCapture(io::Env* env) {
  Snapshot s;
  auto p = MustOpen(env, kPath, AccessMode::kReadOnly);
  if (p) EXPECT_OK(Capture(p.get(), &s));
  return s;
}

class WalFault : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(env.CreateDir(kDir, 0755)); }
  WalHeader WalHeaderNow() {
    std::vector<uint8_t> b;
    EXPECT_OK(env.GetFileBytes(kWal, &b));
    WalHeader h;
    std::memcpy(&h, b.data(), sizeof h);
    return h;
  }
  io::FaultEnv env;
};

TEST_F(WalFault, LossyFsyncFailsTheCommitPoisonsAndReopenIsConsistent) {
  auto p = MustCreate(&env, kPath, FaultOptions());
  Recorder r(p.get(), 512);
  r.Stage(1, 1);
  r.Commit();
  ASSERT_TRUE(r.ok());
  env.FailSyncLosingData(1);
  r.Stage(1, 2);
  r.Stage(2, 3);
  r.Commit();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure.code(), Code::kIo);
  EXPECT_EQ(p->state(), State::kPoisoned);
  uint64_t syncs = env.SyncCount();
  std::vector<uint8_t> b = Page(9, 512);
  EXPECT_EQ(p->StagePage(1, b.data(), b.size()).code(), Code::kPoisoned);
  EXPECT_EQ(p->SetPageCount(2).code(), Code::kPoisoned);
  EXPECT_EQ(p->StageAppHeader(b.data(), kAppHeaderSize).code(), Code::kPoisoned);
  EXPECT_EQ(p->Commit().status().code(), Code::kPoisoned);
  EXPECT_EQ(p->Checkpoint().status().code(), Code::kPoisoned);
  EXPECT_EQ(env.SyncCount(), syncs) << "a failed sync is never retried";
  // Reads still show the last committed state.
  EXPECT_EQ(Read(p.get(), 1), PatternBytes(1, 512));
  p.reset();
  // Power loss now: the failed commit's frames were dropped from the durable image.
  for (uint64_t seed = 0; seed < 8; seed++) {
    auto img = io::FaultEnv::FromImage(env.CrashImage(seed));
    Snapshot s = MustCapture(img.get());
    EXPECT_TRUE(s == r.history[1]) << s.Describe();
  }
  // Reopen on the live machine: either the old state or the failed commit (its bytes are
  // still in the page cache), never anything else.
  Snapshot s = MustCapture(&env);
  EXPECT_GE(FindInHistory(r.history, s, 1, 2), 1) << s.Describe();
  auto again = MustOpen(&env, kPath);
  ASSERT_NE(again, nullptr);
  Stage(again.get(), 3, Page(3, 512));
  EXPECT_NE(MustCommit(again.get()), 0xFFFFFFFFu);
}

TEST_F(WalFault, LossyFsyncOfTheMainFileNeverResetsTheWal) {
  auto p = MustCreate(&env, kPath, FaultOptions());
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i, 512));
  MustCommit(p.get());
  WalHeader before = WalHeaderNow();
  env.FailSyncLosingData(1);  // the checkpoint's first sync: the main file after the pages
  EXPECT_EQ(p->Checkpoint().status().code(), Code::kIo);
  EXPECT_EQ(p->state(), State::kPoisoned);
  WalHeader after = WalHeaderNow();
  EXPECT_EQ(std::memcmp(&before, &after, sizeof before), 0) << "the WAL was reset";
  p.reset();
  for (uint64_t seed = 0; seed < 8; seed++) {
    auto img = io::FaultEnv::FromImage(env.CrashImage(seed));
    auto ro = MustOpen(img.get(), kPath, AccessMode::kReadOnly);
    EXPECT_EQ(ro->stats().wal_frames, 4u);
    for (uint32_t i = 1; i <= 4; i++) EXPECT_EQ(Read(ro.get(), i), Page(i, 512));
  }
  auto rw = MustOpen(&env, kPath);  // recovery checkpoint on the live machine
  for (uint32_t i = 1; i <= 4; i++) EXPECT_EQ(Read(rw.get(), i), Page(i, 512));
}

TEST_F(WalFault, FailedWalResetPoisonsButLosesNothing) {
  auto p = MustCreate(&env, kPath, FaultOptions());
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i, 512));
  MustCommit(p.get());
  env.FailSyncLosingData(3);  // main data sync, main header sync, then the WAL reset
  EXPECT_EQ(p->Checkpoint().status().code(), Code::kIo);
  EXPECT_EQ(p->state(), State::kPoisoned);
  EXPECT_EQ(Read(p.get(), 2), Page(2, 512));
  p.reset();
  for (uint64_t seed = 0; seed < 8; seed++) {
    auto img = io::FaultEnv::FromImage(env.CrashImage(seed));
    auto ro = MustOpen(img.get(), kPath, AccessMode::kReadOnly);
    for (uint32_t i = 1; i <= 4; i++) EXPECT_EQ(Read(ro.get(), i), Page(i, 512));
  }
}

// The page file's failed journal invalidation (a FileJournalFault test) asked the same of the
// WAL: a reset whose sync fails leaves the new WAL header in the page cache only and the old
// frames on disk. The next session's commit and checkpoint sync the WAL before the main file
// changes, so no crash image brings the old frames back over what that session committed.
TEST_F(WalFault, FailedWalResetThenANewSessionsCommitsSurviveEveryCrash) {
  auto p = MustCreate(&env, kPath, FaultOptions());
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i, 512));
  MustCommit(p.get());
  env.FailNth(io::FaultEnv::Op::kSync, 3, io::FaultKind::kEio, false);  // the reset's sync
  EXPECT_EQ(p->Checkpoint().status().code(), Code::kIo);
  EXPECT_EQ(p->state(), State::kPoisoned);
  p.reset();
  env.ClearFaults();
  int old_frames_on_disk = 0;  // the premise: the reset is not durable
  for (uint64_t seed = 0; seed < 8; seed++) {
    auto img = io::FaultEnv::FromImage(env.CrashImage(seed));
    auto ro = MustOpen(img.get(), kPath, AccessMode::kReadOnly);
    ASSERT_NE(ro, nullptr);
    if (ro->stats().wal_frames > 0) old_frames_on_disk++;
  }
  ASSERT_GT(old_frames_on_disk, 0);
  auto q = MustOpen(&env, kPath);
  ASSERT_NE(q, nullptr);
  Stage(q.get(), 1, Page(11, 512));
  MustCommit(q.get());
  ASSERT_TRUE(q->Checkpoint().ok());
  Stage(q.get(), 2, Page(12, 512));
  MustCommit(q.get());
  q.reset();
  for (uint64_t seed = 0; seed < 8; seed++) {
    auto img = io::FaultEnv::FromImage(env.CrashImage(seed));
    auto ro = MustOpen(img.get(), kPath, AccessMode::kReadOnly);
    ASSERT_NE(ro, nullptr);
    EXPECT_EQ(Read(ro.get(), 1), Page(11, 512)) << "seed " << seed;
    EXPECT_EQ(Read(ro.get(), 2), Page(12, 512)) << "seed " << seed;
    for (uint32_t i = 3; i <= 4; i++) EXPECT_EQ(Read(ro.get(), i), Page(i, 512));
  }
}

TEST_F(WalFault, ReadErrorWhileCommittingLeavesTheTransactionStaged) {
  Options o = FaultOptions();
  o.cache_pages = 0;  // the dirty check must read the committed page
  auto p = MustCreate(&env, kPath, o);
  Stage(p.get(), 1, Page(1, 512));
  MustCommit(p.get());
  Stage(p.get(), 1, Page(2, 512));
  env.FailNth(io::MemEnv::Op::kMap, 1, io::FaultKind::kEio, false);  // pread, not mapped (W22)
  env.FailNth(io::MemEnv::Op::kRead, 1, io::FaultKind::kEio, false);
  EXPECT_EQ(p->Commit().status().code(), Code::kIo);
  EXPECT_EQ(p->state(), State::kWriting) << "nothing was written: not poisoned";
  EXPECT_EQ(Read(p.get(), 1), Page(2, 512));
  EXPECT_EQ(MustCommit(p.get()), 1u);
  p.reset();
  p = MustOpen(&env, kPath, AccessMode::kReadOnly, o);
  EXPECT_EQ(Read(p.get(), 1), Page(2, 512));
}

// W5: a staged page that is neither cached nor hashed and whose committed bytes live in the
// main file only is written without reading them back -- with a working set larger than the
// page cache each such read is a random disk read (256 per 1 MiB commit). Every read and map
// fails during the commit here, so a single read back would fail it.
TEST_F(WalFault, RewritingPagesThatLiveOnlyInTheMainFileReadsNoneOfThemBack) {
  Options o = FaultOptions();
  auto p = MustCreate(&env, kPath, o);
  for (uint32_t i = 1; i <= 20; i++) Stage(p.get(), i, Page(i, 512));
  MustCommit(p.get());
  MustCheckpoint(p.get());
  p.reset();
  p = MustOpen(&env, kPath, AccessMode::kReadWrite, o);  // nothing cached, no hash known
  for (uint32_t i = 1; i <= 20; i++) Stage(p.get(), i, Page(100 + i, 512));
  env.FailNth(io::MemEnv::Op::kMap, 1, io::FaultKind::kEio, true);
  env.FailNth(io::MemEnv::Op::kRead, 1, io::FaultKind::kEio, true);
  Result<uint32_t> frames = p->Commit();
  env.ClearFaults();
  ASSERT_OK(frames.status());
  EXPECT_EQ(frames.value(), 20u);
  p.reset();
  p = MustOpen(&env, kPath, AccessMode::kReadOnly, o);
  for (uint32_t i = 1; i <= 20; i++) EXPECT_EQ(Read(p.get(), i), Page(100 + i, 512));
}

// W13: a checkpoint span reads the pages between its copied pages from the main file. When
// that read fails, nothing of the span has been written yet: the checkpoint fails (an I/O
// error poisons, W12), the WAL keeps every frame, and reopening recovers every commit.
TEST(WalFaultBridge, AReadErrorOnThePagesBetweenTwoCopiedPagesFailsTheCheckpointAndLosesNothing) {
  class MainReadsFail : public io::FaultEnv {
   public:
    bool armed = false;
    uint64_t failed = 0;
    Status BeforeOp(Op op, const std::string& path) override {
      if (armed && op == Op::kRead && path == kPath) {
        failed++;
        return Status(Code::kIo, "injected: read of " + path);
      }
      return FaultEnv::BeforeOp(op, path);
    }
  } env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  auto p = MustCreate(&env, kPath, FaultOptions());
  for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(i, 512));
  MustCommit(p.get());
  MustCheckpoint(p.get());  // pages 2..7 live only in the main file from now on
  Stage(p.get(), 1, Page(101, 512));
  Stage(p.get(), 8, Page(108, 512));
  MustCommit(p.get());
  env.armed = true;
  EXPECT_EQ(p->Checkpoint().status().code(), Code::kIo);
  env.armed = false;
  EXPECT_EQ(env.failed, 1u) << "the span did not read the pages between";
  EXPECT_EQ(p->state(), State::kPoisoned);
  EXPECT_EQ(p->stats().wal_frames, 2u) << "the WAL was reset";
  p.reset();
  std::vector<std::pair<uint32_t, uint64_t>> want = {{1, 101}, {8, 108}};
  for (uint32_t i = 2; i <= 7; i++) want.emplace_back(i, i);
  for (uint64_t seed = 0; seed < 8; seed++) {
    auto img = io::FaultEnv::FromImage(env.CrashImage(seed));
    auto ro = MustOpen(img.get(), kPath, AccessMode::kReadOnly);
    for (const auto& [page, seed_of_page] : want) {
      EXPECT_EQ(Read(ro.get(), page), Page(seed_of_page, 512)) << "page " << page;
    }
  }
  auto rw = MustOpen(&env, kPath);  // recovery checkpoint on the live machine
  for (const auto& [page, seed_of_page] : want) {
    EXPECT_EQ(Read(rw.get(), page), Page(seed_of_page, 512)) << "page " << page;
  }
}

TEST_F(WalFault, FullDiskWhileAppendingFramesFailsTheCommitWithoutPoisonAndKeepsThePrefix) {
  auto p = MustCreate(&env, kPath, FaultOptions());
  Recorder r(p.get(), 512);
  r.Stage(1, 1);
  r.Commit();
  env.FailNth(io::MemEnv::Op::kWrite, 1, io::FaultKind::kEnospc, true);
  for (uint32_t i = 2; i <= 20; i++) r.Stage(i, i);
  r.Commit();
  EXPECT_EQ(r.failure.code(), Code::kNoSpace);
  EXPECT_NE(p->state(), State::kPoisoned) << "a write that ran out of space poisoned (W12)";
  p.reset();
  env.ClearFaults();
  EXPECT_TRUE(MustCapture(&env) == r.history[1]);
}

// Commits large enough for W30 (frames written back while the commit applies itself), one
// of them growing the file and changing the app header, around a checkpoint. 4 KiB pages
// (kBigCommitPageSize): a 512-byte page would make each commit 512 frames and the sweep
// ten times longer.
constexpr uint32_t kBigCommitPageSize = 4096;

void BigCommitsWorkload(Recorder& r) {
  const uint32_t big = static_cast<uint32_t>(kOverlappedCommitMinBytes / kBigCommitPageSize);
  for (uint32_t i = 1; i <= big; i++) r.Stage(i, 100 + i);
  r.Commit();
  for (uint32_t i = 1; i <= big + 4; i++) r.Stage(i, 2000 + i);
  r.App(3);
  r.Commit();
  r.Checkpoint();
  for (uint32_t i = 1; i <= big; i++) r.Stage(i, 4000 + i);
  r.Commit();
}

// EIO / ENOSPC at every Nth operation of the workload, once or from then on. A handle the
// failure poisoned still reads the last commit that returned OK (W7).
void EveryNth(io::FaultKind kind, bool persistent, void (*workload)(Recorder&) = Workload,
              uint32_t page_size = 512) {
  Options options = FaultOptions();
  options.page_size = page_size;
  uint64_t total_ops = 0;
  {
    io::FaultEnv probe;
    ASSERT_OK(probe.CreateDir(kDir, 0755));
    uint64_t start = probe.OpCount();
    auto p = MustCreate(&probe, kPath, options);
    Recorder r(p.get(), page_size);
    workload(r);
    ASSERT_TRUE(r.ok());
    total_ops = probe.OpCount() - start;
  }
  ASSERT_GT(total_ops, 20u);
  uint64_t failures_seen = 0, poisoned_seen = 0;
  for (uint64_t n = 1; n <= total_ops + 1; n++) {
    SCOPED_TRACE("operation " + std::to_string(n) + " of " + std::to_string(total_ops));
    io::FaultEnv env;
    ASSERT_OK(env.CreateDir(kDir, 0755));
    env.FailNthAny(n, kind, persistent);
    std::unique_ptr<WalPager> p;
    Status created = WalPager::Create(&env, kPath, options, &p);
    std::vector<Snapshot> history{Snapshot{}};
    size_t acked = 0;
    if (created.ok()) {
      Recorder r(p.get(), page_size);
      workload(r);
      history = r.history;
      acked = r.acked;
      if (!r.ok()) {
        failures_seen++;
        Code c = r.failure.code();
        EXPECT_TRUE(c == Code::kIo || c == Code::kNoSpace) << r.failure.ToString();
        if (p->state() == State::kPoisoned) {
          poisoned_seen++;
          EXPECT_EQ(p->Commit().status().code(), Code::kPoisoned);
          env.ClearFaults();  // a persistent fault fails the reads too
          Snapshot seen;
          EXPECT_OK(Capture(p.get(), &seen));
          EXPECT_TRUE(seen == history[acked])
              << "poisoned handle reads " << seen.Describe() << ", last OK commit "
              << history[acked].Describe();
        }
      }
      EXPECT_OK(p->CheckInvariants());
      p.reset();
    }
    env.ClearFaults();
    // The live machine, then a power loss: a committed prefix holding every acked commit.
    std::unique_ptr<WalPager> ro;
    Options o = FaultOptions();
    o.page_size = 0;
    Status st = WalPager::Open(&env, kPath, AccessMode::kReadOnly, o, &ro);
    if (!st.ok()) {
      EXPECT_FALSE(created.ok()) << st.ToString();
      continue;
    }
    Snapshot s;
    ASSERT_OK(Capture(ro.get(), &s));
    EXPECT_GE(FindInHistory(history, s, acked, history.size() - 1), 0) << s.Describe();
    ro.reset();
    auto img = io::FaultEnv::FromImage(env.CrashImage(n));
    st = WalPager::Open(img.get(), kPath, AccessMode::kReadOnly, o, &ro);
    if (!st.ok()) {
      EXPECT_FALSE(created.ok()) << st.ToString();
      continue;
    }
    ASSERT_OK(Capture(ro.get(), &s));
    EXPECT_GE(FindInHistory(history, s, created.ok() ? acked : 0, history.size() - 1), 0)
        << "after power loss: " << s.Describe();
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(failures_seen, total_ops / 2);
  EXPECT_GT(poisoned_seen, 0u);
}

TEST(WalFaultEveryNth, EioOnce) { EveryNth(io::FaultKind::kEio, false); }
TEST(WalFaultEveryNth, EioPersistent) { EveryNth(io::FaultKind::kEio, true); }
TEST(WalFaultEveryNth, EnospcOnce) { EveryNth(io::FaultKind::kEnospc, false); }
TEST(WalFaultEveryNth, EnospcPersistent) { EveryNth(io::FaultKind::kEnospc, true); }
TEST(WalFaultEveryNth, EioOnceWithBigCommits) {
  EveryNth(io::FaultKind::kEio, false, BigCommitsWorkload, kBigCommitPageSize);
}
TEST(WalFaultEveryNth, EioPersistentWithBigCommits) {
  EveryNth(io::FaultKind::kEio, true, BigCommitsWorkload, kBigCommitPageSize);
}
TEST(WalFaultEveryNth, EnospcOnceWithBigCommits) {
  EveryNth(io::FaultKind::kEnospc, false, BigCommitsWorkload, kBigCommitPageSize);
}
TEST(WalFaultEveryNth, EnospcPersistentWithBigCommits) {
  EveryNth(io::FaultKind::kEnospc, true, BigCommitsWorkload, kBigCommitPageSize);
}

}  // namespace
}  // namespace wal
}  // namespace pager
