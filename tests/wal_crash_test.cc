// Crash simulation on FaultEnv: every workload runs once per sync point, frozen at that sync
// (CrashAtSync), and several power-loss images of each point (writes applied, dropped or torn
// at 512-byte sectors) are reopened. The visible state must equal exactly one committed prefix
// of the history, and under FULL every commit that returned OK must be in it. Each image is
// then opened read-write (recovery checkpoint) and must show the same state and accept a new
// commit.
#include <functional>

#include "tests/wal_crash_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

struct Workload {
  const char* name;
  Options options;
  std::function<void(Recorder&)> body;
};

struct RunResult {
  bool created = false;
  std::vector<Snapshot> history{Snapshot{}};
  size_t acked = 0;
};

RunResult Run(io::FaultEnv* env, const Workload& w, uint64_t random_seed) {
  SetDeterministicRandomForTesting(random_seed);
  RunResult r;
  EXPECT_OK(env->CreateDir(kCrashDir, 0755));
  std::unique_ptr<WalPager> p;
  if (!WalPager::Create(env, kCrashPath, w.options, &p).ok()) return r;
  r.created = true;
  Recorder rec(p.get(), kCrashPageSize);
  w.body(rec);
  r.history = rec.history;
  r.acked = rec.acked;
  EXPECT_OK(p->CheckInvariants());
  return r;
}

// Opens one crash image and checks it against the history; returns the history index seen
// (-1 if the database did not open, which is allowed only before create returned).
int Verify(const std::map<std::string, std::vector<uint8_t>>& image, const RunResult& r,
            const Workload& w, const std::string& label) {
  SCOPED_TRACE(label);
  auto env = io::FaultEnv::FromImage(image);
  Options o = w.options;
  o.page_size = 0;
  std::unique_ptr<WalPager> p;
  Status st = WalPager::Open(env.get(), kCrashPath, AccessMode::kReadOnly, o, &p);
  if (!st.ok()) {
    EXPECT_FALSE(r.created) << label << ": acknowledged database does not open: "
                            << st.ToString();
    return -1;
  }
  Snapshot s;
  const bool full = w.options.durability == Durability::kFull;
  const int j = ExpectCommittedPrefix(p.get(), r.history, (full && r.created) ? r.acked : 0, &s);
  if (j < 0) return -2;
  p.reset();
  st = WalPager::Open(env.get(), kCrashPath, AccessMode::kReadWrite, o, &p);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return -2;
  Snapshot s2;
  EXPECT_OK(Capture(p.get(), &s2));
  EXPECT_TRUE(s2 == s) << label << ": recovery checkpoint changed the state from "
                       << s.Describe() << " to " << s2.Describe();
  std::vector<uint8_t> b = PatternBytes(999, kCrashPageSize);
  EXPECT_OK(p->StagePage(2, b.data(), b.size()));
  EXPECT_TRUE(p->Commit().ok()) << label;
  EXPECT_OK(p->CheckInvariants());
  return j;
}

void Sweep(const Workload& w) {
  uint64_t total = 0;
  SweepOutcomes out;
  {
    io::FaultEnv probe;
    RunResult r = Run(&probe, w, 1);
    ASSERT_TRUE(r.created);
    ASSERT_EQ(r.acked, r.history.size() - 1) << w.name << ": fault-free run failed";
    total = probe.SyncCount();
    // Power loss after the last call: under FULL the last commit is there; under NORMAL any
    // committed prefix.
    for (int seed = 0; seed < SeedsPerSyncPoint(); seed++) {
      out.Add(Verify(probe.CrashImage(static_cast<uint64_t>(seed)), r, w,
                     std::string(w.name) + " power loss at the end, seed " +
                         std::to_string(seed)));
    }
  }
  ASSERT_GT(total, 4u);
  CrashAtEverySyncPoint(
      w.name, total, [&](io::FaultEnv* env, uint64_t k) { return Run(env, w, k + 1); },
      [&](const std::map<std::string, std::vector<uint8_t>>& image, const RunResult& r,
          const std::string& label) { out.Add(Verify(image, r, w, label)); });
  out.Expect(w.name, total);
}

void CommitsBody(Recorder& r) {
  r.Stage(1, 11);
  r.Stage(2, 12);
  r.Stage(3, 13);
  r.Commit();
  r.Stage(2, 22);
  r.Stage(4, 24);
  r.App(5);
  r.Commit();
  r.SetCount(3);
  r.Commit();
  r.Stage(5, 35);  // regrow: 3 and 4 read as zeros
  r.Stage(1, 31);
  r.Commit();
  r.App(9);
  r.Commit();
  r.SetCount(2);  // shrink and regrow in one transaction: 2..4 read as zeros
  r.Stage(5, 77);
  r.Commit();
  for (uint32_t i = 0; i < 3; i++) {
    r.Stage(6 + i, 40 + i);
    r.Commit();
  }
  r.Checkpoint();
  r.Stage(3, 53);
  r.Commit();
}

void CheckpointBody(Recorder& r) {
  for (uint32_t i = 1; i <= 4; i++) r.Stage(i, 100 + i);
  r.Commit();
  r.Stage(2, 202);
  r.App(3);
  r.Commit();
  r.Checkpoint();
  r.SetCount(3);
  r.Commit();
  r.Stage(6, 306);
  r.Commit();
  r.Checkpoint();
  r.Stage(1, 401);
  r.SetCount(8);
  r.Commit();
  r.SetCount(2);
  r.SetCount(7);
  r.Stage(3, 403);
  r.Commit();
  r.Checkpoint();
  r.Checkpoint();
  r.Stage(7, 507);
  r.Commit();
}

// TRUNCATE checkpoints cut the WAL to zero bytes; the next commit writes the new header
// ahead of its frames (L5), and a second TRUNCATE with an empty WAL is a no-op.
void TruncateCheckpointBody(Recorder& r) {
  for (uint32_t i = 1; i <= 4; i++) r.Stage(i, 800 + i);
  r.Commit();
  r.Checkpoint(CheckpointMode::kTruncate);
  r.Checkpoint(CheckpointMode::kTruncate);
  r.Stage(2, 902);
  r.App(5);
  r.Commit();
  r.Stage(5, 905);
  r.Commit();
  r.Checkpoint(CheckpointMode::kFull);
  r.Stage(3, 1003);
  r.Commit();
  r.Checkpoint(CheckpointMode::kTruncate);
  r.SetCount(3);
  r.Commit();
}

void AutoCheckpointBody(Recorder& r) {
  for (uint32_t i = 1; i <= 10; i++) {
    r.Stage(i, 600 + i);
    if (i % 3 == 0) r.Stage(1, 700 + i);
    if (i == 6) r.SetCount(4);
    r.Commit();
  }
}

// W13: a checkpoint whose pages lie a few pages apart writes them in one span that rewrites
// the pages between them with the main file's own bytes. Those pages have no frame left in
// the WAL, so a torn or dropped write of them must leave them as they were.
void BridgedCheckpointBody(Recorder& r) {
  for (uint32_t i = 1; i <= 12; i++) r.Stage(i, 3000 + i);
  r.Commit();
  r.Checkpoint();  // pages 1..12 live only in the main file now
  r.Stage(1, 3101);
  r.Stage(6, 3106);
  r.Commit();
  r.Stage(12, 3112);
  r.Stage(15, 3115);  // 13 and 14 read as zeros, past the main file's end
  r.Commit();
  r.Checkpoint();  // one write of pages 1..15
  r.Stage(9, 3209);
  r.Commit();
}

// Read transactions stay open across commits and checkpoints of every mode (W15, W16); each
// still sees its commit at every step, and a crash at any sync loses no acknowledged commit.
void ReadersBody(Recorder& r) {
  for (uint32_t i = 1; i <= 3; i++) r.Stage(i, 1100 + i);
  r.Commit();
  size_t a = r.BeginRead();
  r.Stage(1, 1201);
  r.Stage(5, 1205);
  r.App(6);
  r.Commit();
  r.Checkpoint();  // a needs the main file as it is: nothing copied
  r.VerifyRead(a);
  size_t b = r.BeginRead();
  r.SetCount(2);
  r.Commit();
  r.Checkpoint();
  r.VerifyRead(a);
  r.VerifyRead(b);
  r.EndRead(a);
  r.Checkpoint();
  r.VerifyRead(b);
  r.EndRead(b);
  r.Stage(3, 1303);
  r.Commit();
  size_t c = r.BeginRead();
  r.Checkpoint(CheckpointMode::kFull);  // c reads the whole WAL: copied, restarted
  r.VerifyRead(c);
  r.Stage(4, 1404);
  r.Commit();
  r.VerifyRead(c);
  r.Checkpoint();
  r.VerifyRead(c);
  r.EndRead(c);
  r.Checkpoint(CheckpointMode::kTruncate);
  r.Stage(2, 1502);
  r.Commit();
}

// W25: PASSIVE checkpoints with readers at different marks copy up to the smallest mark and
// continue from there; pages past a shrink's floor are left to the final step (which cuts
// the main file there first); every reader keeps its snapshot throughout.
void PartialBackfillBody(Recorder& r) {
  for (uint32_t i = 1; i <= 4; i++) r.Stage(i, 1600 + i);
  r.Commit();
  r.Checkpoint();  // everything; the WAL restarts (main_valid_count 5)
  r.Stage(1, 1701);
  r.Stage(3, 1703);
  r.Commit();
  size_t a = r.BeginRead();
  r.Stage(1, 1801);
  r.Stage(2, 1802);
  r.App(7);
  r.Commit();
  size_t b = r.BeginRead();
  r.Stage(2, 1902);
  r.SetCount(4);  // drops page 4 (main_valid_count 4)
  r.Commit();
  r.Checkpoint();  // up to a's mark: pages 1 and 3
  r.VerifyRead(a);
  r.VerifyRead(b);
  r.EndRead(a);
  r.Checkpoint();  // from a's mark to b's: pages 1 and 2
  r.VerifyRead(b);
  r.Stage(4, 2004);  // regrow past the floor: left to the final step
  r.Stage(6, 2006);
  r.Commit();
  r.Checkpoint();  // nothing new below b's mark
  r.VerifyRead(b);
  r.EndRead(b);
  r.Checkpoint();  // page 2, the cut, pages 4 and 6, the header, the restart
  r.Stage(2, 2102);
  r.Commit();
}

// W26: the same commits with the background checkpointer; the test waits for it to go idle
// after each commit, so the thread's syncs come in one order and each is a crash point.
void BackgroundCheckpointBody(Recorder& r) {
  for (uint32_t i = 1; i <= 10; i++) {
    r.Stage(i, 2600 + i);
    if (i % 3 == 0) r.Stage(1, 2700 + i);
    if (i == 6) r.SetCount(4);
    r.Commit();
    r.Idle();
  }
  size_t a = r.BeginRead();
  for (uint32_t i = 1; i <= 4; i++) {
    r.Stage(i, 2800 + i);
    r.Commit();
    r.Idle();  // copies below a's mark only
    r.VerifyRead(a);
  }
  r.EndRead(a);
  r.Stage(2, 2902);
  r.Commit();
  r.Idle();
}

// W30: commits large enough that their frames are written back while the commit applies
// itself, one growing the file and changing the app header under an open read transaction.
void OverlappedCommitsBody(Recorder& r) {
  const uint32_t big = static_cast<uint32_t>(kOverlappedCommitMinBytes / kCrashPageSize);
  for (uint32_t i = 1; i <= big; i++) r.Stage(i, 100 + i);
  r.Commit();
  const size_t rd = r.BeginRead();
  for (uint32_t i = 1; i <= big + 8; i++) r.Stage(i, 2000 + i);
  r.App(4);
  r.Commit();
  r.VerifyRead(rd);
  r.EndRead(rd);
  r.Stage(3, 7);  // a small commit between two big ones
  r.Commit();
  r.Checkpoint();
  for (uint32_t i = 2; i <= big + 1; i++) r.Stage(i, 5000 + i);
  r.Commit();
  r.Stage(big + 20, 9);  // grows the file past a gap, small
  r.Commit();
  r.Checkpoint();
  for (uint32_t i = 1; i <= big; i++) r.Stage(i, 7000 + i);
  r.Commit();
}

Workload MakeWorkload(const char* name, Durability d, std::function<void(Recorder&)> body) {
  return Workload{name, CrashOptions(d), std::move(body)};
}

// The sweeps that run under both FULL (every acknowledged commit survives) and NORMAL (a
// committed prefix survives); the sweep's name is the workload's, then "/full" or "/normal".
class WalCrashSweep : public ::testing::TestWithParam<Durability> {
 protected:
  Workload Make(const char* workload, std::function<void(Recorder&)> body) {
    name_ = std::string(workload) + (GetParam() == Durability::kFull ? "/full" : "/normal");
    return MakeWorkload(name_.c_str(), GetParam(), std::move(body));
  }

 private:
  std::string name_;  // the Workload's name points here
};

TEST_P(WalCrashSweep, EverySyncPointWithReadTransactionsOpenLosesNoCommit) {
  Sweep(Make("readers", ReadersBody));
}

TEST_P(WalCrashSweep, EverySyncPointOfPartialBackfillsLosesNoCommit) {
  Sweep(Make("partial-backfill", PartialBackfillBody));
}

TEST_P(WalCrashSweep, EverySyncPointOfCommits) { Sweep(Make("commits", CommitsBody)); }

TEST_P(WalCrashSweep, EverySyncPointOfCommitsAppliedWhileTheirFramesAreWrittenLosesNoCommit) {
  Sweep(Make("overlapped-commits", OverlappedCommitsBody));
}

TEST_P(WalCrashSweep, EverySyncPointOfCheckpoints) { Sweep(Make("checkpoint", CheckpointBody)); }

TEST_P(WalCrashSweep, EverySyncPointOfACheckpointThatRewritesThePagesBetweenItsPagesLosesNoCommit) {
  Sweep(Make("bridged-checkpoint", BridgedCheckpointBody));
}

TEST_P(WalCrashSweep, EverySyncPointOfTruncateCheckpoints) {
  Sweep(Make("truncate-checkpoint", TruncateCheckpointBody));
}

TEST_P(WalCrashSweep, EverySyncPointOfBackgroundCheckpoints) {
  Workload w = Make("background-checkpoint", BackgroundCheckpointBody);
  w.options.auto_checkpoint_frames = 3;
  w.options.background_checkpoint = true;
  Sweep(w);
}

INSTANTIATE_TEST_SUITE_P(Durability, WalCrashSweep,
                         ::testing::Values(Durability::kFull, Durability::kNormal),
                         [](const ::testing::TestParamInfo<Durability>& i) {
                           return std::string(i.param == Durability::kFull ? "UnderFull"
                                                                           : "UnderNormal");
                         });

TEST(WalCrash, EverySyncPointOfAutoCheckpointsUnderFull) {
  Workload w = MakeWorkload("auto-checkpoint/full", Durability::kFull, AutoCheckpointBody);
  w.options.auto_checkpoint_frames = 3;
  Sweep(w);
}

TEST(WalCrash, EverySyncPointWithExactWalGrowth) {
  Workload w = MakeWorkload("commits/no-prewrite", Durability::kFull, CheckpointBody);
  w.options.wal_prewrite_bytes = 0;
  w.options.wal_keep_bytes = 0;
  Sweep(w);
}

// sqlrite: reopen_after_crash_between_data_write_and_header_write_recovers_via_wal.
TEST(WalCrash, ReopenAfterCrashBetweenDataWriteAndHeaderWriteRecoversViaWal) {
  for (int seed = 0; seed < 16; seed++) {
    io::FaultEnv env;
    ASSERT_OK(env.CreateDir(kCrashDir, 0755));
    std::unique_ptr<WalPager> p;
    ASSERT_OK(WalPager::Create(&env, kCrashPath, CrashOptions(Durability::kFull), &p));
    for (uint32_t i = 1; i <= 6; i++) Stage(p.get(), i, Page(i, kCrashPageSize));
    MustCommit(p.get());
    // Checkpoint under FULL: the first sync is the main file's, after the data pages.
    env.CrashAtSync(env.SyncCount() + 1);
    EXPECT_EQ(p->Checkpoint().status().code(), Code::kIo);
    EXPECT_EQ(p->state(), State::kPoisoned);
    EXPECT_EQ(p->Commit().status().code(), Code::kPoisoned);
    auto image = env.CrashImage(static_cast<uint64_t>(seed));
    auto env2 = io::FaultEnv::FromImage(image);
    auto ro = MustOpen(env2.get(), kCrashPath, AccessMode::kReadOnly);
    EXPECT_EQ(ro->stats().wal_frames, 6u);  // the WAL is intact and authoritative
    for (uint32_t i = 1; i <= 6; i++) EXPECT_EQ(Read(ro.get(), i), Page(i, kCrashPageSize));
  }
}

TEST(WalCrash, CrashAfterMainSyncBeforeWalResetKeepsTheState) {
  for (int seed = 0; seed < 16; seed++) {
    io::FaultEnv env;
    ASSERT_OK(env.CreateDir(kCrashDir, 0755));
    std::unique_ptr<WalPager> p;
    ASSERT_OK(WalPager::Create(&env, kCrashPath, CrashOptions(Durability::kFull), &p));
    for (uint32_t i = 1; i <= 6; i++) Stage(p.get(), i, Page(i, kCrashPageSize));
    ASSERT_OK(p->SetPageCount(9));
    MustCommit(p.get());
    env.CrashAtSync(env.SyncCount() + 3);  // main data sync, main header sync, WAL reset
    EXPECT_FALSE(p->Checkpoint().ok());
    auto env2 = io::FaultEnv::FromImage(env.CrashImage(static_cast<uint64_t>(seed)));
    auto ro = MustOpen(env2.get(), kCrashPath, AccessMode::kReadOnly);
    EXPECT_EQ(ro->page_count(), 9u);
    for (uint32_t i = 1; i <= 6; i++) EXPECT_EQ(Read(ro.get(), i), Page(i, kCrashPageSize));
  }
}

}  // namespace
}  // namespace wal
}  // namespace pager
