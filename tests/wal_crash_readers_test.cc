// Crash simulation with readers of OTHER handles active (issue 12 "Proof"; W16, W19-W21):
// tests/wal_crash_test.cc crashes at every sync point with read transactions of the writer's
// own handle; here two read-only handles (their own open file descriptions, slots of the
// shared index `-shm`) hold read transactions at different marks (mid-WAL, at its end, and
// "main file only") while the writer commits and checkpoints (PASSIVE, FULL, TRUNCATE).
//
//   * At every sync point the writer crashes (FaultEnv::CrashAtSync). The readers outlive it
//     (only the writer's files froze): every transaction still reads its commit, whole, and a
//     new one pins the last acknowledged commit. Each power-loss image (dropped and torn
//     unsynced writes; `-shm` is never synced, so it comes back missing, torn or stale) is
//     then opened with the index as the crash left it, garbled, replaced by a stale copy from
//     earlier in the run, and removed: the state is one committed prefix holding every
//     acknowledged commit, a recovering writer rebuilds the index, and readers beside it see
//     the same state and the writer's next commit.
//   * At every sync point the writer's sync fails instead (an EIO that loses the unsynced
//     data, as Linux's fsync does): the poisoned writer is abandoned in a live process, its
//     readers keep reading their snapshots, and a new writer recovers beside them (it must
//     continue the generation they read, W9/W21) and commits while they read.
#include <cstdio>
#include <functional>

#include "tests/wal_crash_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

// The committed state a snapshot of another handle sees.
Status CaptureSnapshot(WalPager* p, const ReadSnapshot& s, Snapshot* out) {
  Snapshot seen;
  seen.page_count = s.page_count;
  seen.app.assign(s.app_header, s.app_header + kAppHeaderSize);
  std::vector<uint8_t> buf(p->page_size()), zero(p->page_size(), 0);
  for (uint32_t i = 1; i < seen.page_count; i++) {
    PAGER_RETURN_IF_ERROR(p->ReadPageAt(s, i, buf.data(), buf.size()));
    if (buf != zero) seen.pages[i] = buf;
  }
  *out = std::move(seen);
  return Status::Ok();
}

// A read-only handle of its own (another "process") with at most one read transaction.
struct OtherReader {
  std::unique_ptr<WalPager> handle;
  ReadSnapshot snap;
  Snapshot expected;
  bool open = false;
  uint64_t verified = 0;  // snapshot checks that passed
};

// Drives the writer (through a Recorder, which keeps the history) and two other handles'
// readers. A checkpoint that readers keep from running returns BUSY (FULL/TRUNCATE) or copies
// nothing (PASSIVE); any other failure (the crash) ends the writer's part, while the readers'
// part goes on: they must keep reading their snapshots after the writer died.
class Script {
 public:
  Script(io::Env* env, WalPager* w, CheckpointMode mode)
      : env_(env), w_(w), rec_(w, kCrashPageSize), mode_(mode) {}

  Recorder& rec() { return rec_; }
  bool writer_alive() const { return rec_.ok() && !writer_failed_; }

  void Open(int i) {
    Options o = CrashOptions(Durability::kFull);
    o.page_size = 0;
    Status st = WalPager::Open(env_, kCrashPath, AccessMode::kReadOnly, o, &r_[i].handle);
    ASSERT_TRUE(st.ok()) << "reader " << i << " open: " << st.ToString();
  }
  // A begin may be BUSY only after the writer failed: if it failed inside a WAL restart, the
  // index may no longer describe the WAL until the next writer rebuilds it (W24).
  void Begin(int i) { BeginExpecting(i, rec_.history[rec_.acked]); }
  void BeginExpecting(int i, const Snapshot& expected) {
    OtherReader& r = r_[i];
    ASSERT_FALSE(r.open);
    Status st = r.handle->BeginRead(&r.snap);
    if (st.code() == Code::kBusy && !writer_alive() && !strict_) {
      busy_after_failure_++;
      return;
    }
    ASSERT_TRUE(st.ok()) << "reader " << i << " begin: " << st.ToString();
    r.expected = expected;
    r.open = true;
    Verify(i);
  }
  void Verify(int i) {
    OtherReader& r = r_[i];
    if (!r.open) return;
    Snapshot seen;
    Status st = CaptureSnapshot(r.handle.get(), r.snap, &seen);
    ASSERT_TRUE(st.ok()) << "reader " << i << ": " << st.ToString();
    EXPECT_TRUE(seen == r.expected) << "reader " << i << " sees " << seen.Describe()
                                    << ", pinned " << r.expected.Describe();
    r.verified++;
  }
  void End(int i) {
    if (r_[i].open) r_[i].handle->EndRead(&r_[i].snap);
    r_[i].open = false;
  }
  void VerifyAll() {
    for (int i = 0; i < 2; i++) Verify(i);
  }
  void Checkpoint(CheckpointMode mode) {
    if (!writer_alive()) return;
    Result<uint32_t> r = w_->Checkpoint(mode);
    if (r.ok()) {
      if (r.value() > 0) copies_++;
    } else if (r.status().code() != Code::kBusy) {
      writer_failed_ = true;
    }
    VerifyAll();
  }
  void Checkpoint() { Checkpoint(mode_); }
  void Commit() {
    rec_.Commit();
    VerifyAll();
  }
  OtherReader& reader(int i) { return r_[i]; }
  uint64_t copies() const { return copies_; }
  uint64_t busy_after_failure() const { return busy_after_failure_; }
  void RequireBegins() { strict_ = true; }  // a new writer rebuilt the index

 private:
  io::Env* env_;
  WalPager* w_;
  Recorder rec_;
  CheckpointMode mode_;
  OtherReader r_[2];
  bool writer_failed_ = false;
  uint64_t copies_ = 0;
  uint64_t busy_after_failure_ = 0;
  bool strict_ = false;
};

// Readers at different marks across commits and checkpoints of `mode`: a mark inside the WAL
// (checkpoints copy nothing), at its end (copied, but the WAL goes on: W21), "main file only"
// (mark 0 of a backfilled WAL), and none (the WAL restarts).
void Body(Script& s) {
  Recorder& r = s.rec();
  s.Open(0);
  s.Open(1);
  for (uint32_t i = 1; i <= 3; i++) r.Stage(i, 100 + i);
  s.Commit();
  s.Begin(0);  // at the end of the WAL
  r.Stage(2, 202);
  r.App(4);
  s.Commit();
  s.Begin(1);
  s.Checkpoint();  // reader 0 is inside the WAL: nothing copied
  r.Stage(4, 304);
  s.Commit();
  s.End(0);
  s.Checkpoint();  // reader 1 is inside the WAL
  s.End(1);
  s.Begin(1);      // at the end
  s.Checkpoint();  // copies; the WAL goes on (reader 1 reads frames of it)
  s.Begin(0);      // main file only when backfilled
  r.SetCount(3);
  s.Commit();
  r.Stage(5, 505);  // regrow: 3 and 4 read as zeros
  s.Commit();
  s.End(1);
  s.Checkpoint();  // reader 0 needs the main file as it is
  s.End(0);
  s.Checkpoint();  // nobody left: copy and restart (TRUNCATE: cut)
  s.Begin(0);
  r.Stage(1, 601);
  r.Stage(6, 606);
  s.Commit();
  s.Begin(1);
  r.Stage(2, 702);
  s.Commit();
  s.Checkpoint();
  s.End(0);
  s.Checkpoint(CheckpointMode::kFull);  // reader 1 inside the WAL: BUSY at once
  s.End(1);
  s.Checkpoint(CheckpointMode::kTruncate);
  s.Begin(1);
  r.Stage(3, 803);
  s.Commit();
  s.VerifyAll();
}

struct RunResult {
  bool created = false;
  std::vector<Snapshot> history{Snapshot{}};
  size_t acked = 0;
  uint64_t copies = 0;
  uint64_t reader_checks = 0;
  std::vector<uint8_t> stale_shm;  // the index as published after the first commit
};

// Runs the workload on env (which may crash at a sync point). The readers outlive the
// writer's crash: after it they still read their snapshots, and a new transaction pins the
// last acknowledged commit.
RunResult Run(io::FaultEnv* env, Durability d, CheckpointMode mode, uint64_t random_seed) {
  SetDeterministicRandomForTesting(random_seed);
  RunResult out;
  EXPECT_TRUE(env->CreateDir(kCrashDir, 0755).ok());
  std::unique_ptr<WalPager> w;
  if (!WalPager::Create(env, kCrashPath, CrashOptions(d), &w).ok()) return out;
  out.created = true;
  Script s(env, w.get(), mode);
  Body(s);
  if (::testing::Test::HasFatalFailure()) return out;
  // After the writer's crash (or at the end): the readers' snapshots, then a new one each.
  for (int i = 0; i < 2; i++) {
    s.Verify(i);
    s.End(i);
    s.Begin(i);
    s.End(i);
  }
  out.history = s.rec().history;
  out.acked = s.rec().acked;
  out.copies = s.copies();
  out.reader_checks = s.reader(0).verified + s.reader(1).verified;
  if (s.writer_alive()) {
    EXPECT_TRUE(w->CheckInvariants().ok());
  }
  return out;
}

void Garble(std::vector<uint8_t>* shm) {
  for (size_t i = 0; i < shm->size() && i < 2 * kShmHeaderCopySize; i++) (*shm)[i] ^= 0x5A;
}

// Opens one crash image and checks it: a read-only handle first (the index as found), then a
// recovering writer, then readers beside it.
int Verify(const std::map<std::string, std::vector<uint8_t>>& image, const RunResult& r,
           Durability d, const std::string& label) {
  SCOPED_TRACE(label);
  auto env = io::FaultEnv::FromImage(image);
  Options o = CrashOptions(d);
  o.page_size = 0;
  const size_t lo = (d == Durability::kFull) ? r.acked : 0;
  std::unique_ptr<WalPager> ro;
  Status st = WalPager::Open(env.get(), kCrashPath, AccessMode::kReadOnly, o, &ro);
  if (!st.ok()) {
    EXPECT_FALSE(r.created) << "acknowledged database does not open: " << st.ToString();
    return -1;
  }
  Snapshot seen;
  const int j = ExpectCommittedPrefix(ro.get(), r.history, lo, &seen);
  if (j < 0) return -2;
  ro.reset();
  std::unique_ptr<WalPager> rw;
  st = WalPager::Open(env.get(), kCrashPath, AccessMode::kReadWrite, o, &rw);
  EXPECT_TRUE(st.ok()) << "recovering writer: " << st.ToString();
  if (!st.ok()) return -2;
  Snapshot after;
  EXPECT_TRUE(Capture(rw.get(), &after).ok());
  EXPECT_TRUE(after == seen) << "recovery changed " << seen.Describe() << " to "
                             << after.Describe();
  // A reader beside the recovered writer uses the index it rebuilt.
  st = WalPager::Open(env.get(), kCrashPath, AccessMode::kReadOnly, o, &ro);
  EXPECT_TRUE(st.ok()) << "reader beside the recovered writer: " << st.ToString();
  if (!st.ok()) return -2;
  ReadSnapshot snap;
  EXPECT_TRUE(ro->BeginRead(&snap).ok());
  std::vector<uint8_t> b = PatternBytes(999, kCrashPageSize);
  EXPECT_TRUE(rw->StagePage(1, b.data(), b.size()).ok());
  EXPECT_TRUE(rw->Commit().ok());
  Snapshot pinned, latest;
  EXPECT_TRUE(CaptureSnapshot(ro.get(), snap, &pinned).ok());
  EXPECT_TRUE(pinned == seen) << "a snapshot beside the recovered writer sees "
                              << pinned.Describe() << ", pinned " << seen.Describe();
  EXPECT_TRUE(Capture(ro.get(), &latest).ok());
  Snapshot want = seen;
  want.pages[1] = b;
  if (want.page_count < 2) want.page_count = 2;
  EXPECT_TRUE(latest == want) << "reader sees " << latest.Describe() << " after the new commit";
  ro->EndRead(&snap);
  EXPECT_TRUE(rw->Checkpoint(CheckpointMode::kTruncate).ok());
  EXPECT_TRUE(Capture(ro.get(), &latest).ok());
  EXPECT_TRUE(latest == want);
  EXPECT_TRUE(rw->CheckInvariants().ok());
  EXPECT_TRUE(ro->CheckInvariants().ok());
  return j;
}

// Each image four ways: the index as the crash left it, garbled, stale, removed.
void VerifyImageVariants(const std::map<std::string, std::vector<uint8_t>>& image,
                         const RunResult& r, Durability d, const std::string& label,
                         SweepOutcomes* out) {
  const std::string shm = ShmPath(kCrashPath);
  const bool has_shm = image.count(shm) > 0;
  out->Add(Verify(image, r, d, label + " (-shm as left" + (has_shm ? ")" : ": none)")));
  if (has_shm) {
    auto garbled = image;
    Garble(&garbled[shm]);
    out->Add(Verify(garbled, r, d, label + " (-shm garbled)"));
  }
  if (!r.stale_shm.empty()) {
    auto stale = image;
    stale[shm] = r.stale_shm;
    out->Add(Verify(stale, r, d, label + " (-shm stale)"));
  }
  auto none = image;
  none.erase(shm);
  out->Add(Verify(none, r, d, label + " (-shm removed)"));
}

void Sweep(const char* name, Durability d, CheckpointMode mode) {
  uint64_t total = 0;
  SweepOutcomes out;
  std::vector<uint8_t> stale;
  {
    io::FaultEnv probe;
    RunResult r = Run(&probe, d, mode, 1);
    ASSERT_TRUE(r.created);
    ASSERT_EQ(r.acked, r.history.size() - 1) << name << ": fault-free run failed";
    EXPECT_GE(r.copies, 2u) << name << ": the checkpoints never copied";
    total = probe.SyncCount();
    ASSERT_TRUE(probe.GetFileBytes(ShmPath(kCrashPath), &stale).ok());
  }
  // A stale index: the fault-free run's final one is of another WAL generation and epoch than
  // most crash points, and of this database (same file id: the run is deterministic).
  ASSERT_GT(total, 8u);
  CrashAtEverySyncPoint(
      name, total,
      [&](io::FaultEnv* env, uint64_t) {
        RunResult r = Run(env, d, mode, 1);
        r.stale_shm = stale;
        return r;
      },
      [&](const std::map<std::string, std::vector<uint8_t>>& image, const RunResult& r,
          const std::string& label) { VerifyImageVariants(image, r, d, label, &out); });
  out.Expect(name, total);
}

// The writer's k-th sync fails and loses the unsynced data (M5); the process lives on. The
// poisoned writer is abandoned (destroyed) while the readers of other handles keep their
// read transactions open; a new writer recovers beside them and commits; the readers' snapshots
// never change, and once they end a TRUNCATE checkpoint restarts the WAL.
void AbandonedWriterSweep(const char* name, CheckpointMode mode) {
  uint64_t total = 0;
  {
    io::FaultEnv probe;
    RunResult r = Run(&probe, Durability::kFull, mode, 1);
    ASSERT_TRUE(r.created);
    total = probe.SyncCount();
  }
  uint64_t recovered_beside_open_txns = 0;
  for (uint64_t k = 1; k <= total; k++) {
    SCOPED_TRACE(std::string(name) + " sync " + std::to_string(k) + " fails");
    SetDeterministicRandomForTesting(1);
    io::FaultEnv env;
    ASSERT_TRUE(env.CreateDir(kCrashDir, 0755).ok());
    env.FailSyncLosingData(k);
    std::unique_ptr<WalPager> w;
    if (!WalPager::Create(&env, kCrashPath, CrashOptions(Durability::kFull), &w).ok()) continue;
    Script s(&env, w.get(), mode);
    Body(s);
    ASSERT_FALSE(::testing::Test::HasFailure());
    const std::vector<Snapshot> history = s.rec().history;
    const size_t acked = s.rec().acked;
    w.reset();  // abandoned: its locks and its slot go with its files
    env.ClearFaults();
    s.VerifyAll();
    Options o = CrashOptions(Durability::kFull);
    o.page_size = 0;
    Status st = WalPager::Open(&env, kCrashPath, AccessMode::kReadWrite, o, &w);
    ASSERT_TRUE(st.ok()) << "a new writer beside the readers: " << st.ToString();
    if (s.reader(0).open || s.reader(1).open) recovered_beside_open_txns++;
    Snapshot now;
    ASSERT_TRUE(Capture(w.get(), &now).ok());
    const int j = FindInHistory(history, now, acked, history.size() - 1);
    EXPECT_GE(j, 0) << "the new writer sees " << now.Describe() << ", not a commit at or after #"
                    << acked;
    s.VerifyAll();
    std::vector<uint8_t> b = PatternBytes(4242, kCrashPageSize);
    ASSERT_TRUE(w->StagePage(1, b.data(), b.size()).ok());
    ASSERT_TRUE(w->Commit().ok());
    s.VerifyAll();
    ASSERT_TRUE(w->Checkpoint(CheckpointMode::kPassive).ok());
    s.VerifyAll();
    Snapshot latest = now;
    latest.pages[1] = b;
    if (latest.page_count < 2) latest.page_count = 2;
    s.RequireBegins();  // the new writer republished the index: no BUSY any more
    for (int i = 0; i < 2; i++) {
      s.End(i);
      s.BeginExpecting(i, latest);
    }
    ASSERT_FALSE(::testing::Test::HasFailure());
    for (int i = 0; i < 2; i++) s.End(i);
    ASSERT_TRUE(w->Checkpoint(CheckpointMode::kTruncate).ok());
    EXPECT_EQ(w->stats().wal_frames, 0u);
    for (int i = 0; i < 2; i++) {
      Snapshot r;
      ASSERT_TRUE(Capture(s.reader(i).handle.get(), &r).ok());
      EXPECT_TRUE(r == latest) << "reader " << i << " sees " << r.Describe();
      EXPECT_TRUE(s.reader(i).handle->CheckInvariants().ok());
    }
    EXPECT_TRUE(w->CheckInvariants().ok());
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(recovered_beside_open_txns, 0u);
  std::printf("[%s] %llu failing sync points, %llu recoveries beside open read transactions\n",
              name, static_cast<unsigned long long>(total),
              static_cast<unsigned long long>(recovered_beside_open_txns));
}

TEST(WalCrashReaders, EverySyncPointOfPassiveCheckpointsWithOtherHandlesReadingLosesNoCommit) {
  Sweep("other-readers/passive/full", Durability::kFull, CheckpointMode::kPassive);
}

TEST(WalCrashReaders, EverySyncPointOfFullCheckpointsWithOtherHandlesReadingLosesNoCommit) {
  Sweep("other-readers/full/full", Durability::kFull, CheckpointMode::kFull);
}

TEST(WalCrashReaders, EverySyncPointOfTruncateCheckpointsWithOtherHandlesReadingLosesNoCommit) {
  Sweep("other-readers/truncate/full", Durability::kFull, CheckpointMode::kTruncate);
}

TEST(WalCrashReaders, EverySyncPointUnderNormalWithOtherHandlesReadingKeepsACommittedPrefix) {
  Sweep("other-readers/passive/normal", Durability::kNormal, CheckpointMode::kPassive);
}

TEST(WalCrashReaders, ReadersOfAnAbandonedWriterKeepTheirSnapshotsAndANewWriterRecoversBesideThem) {
  AbandonedWriterSweep("abandoned/passive", CheckpointMode::kPassive);
  AbandonedWriterSweep("abandoned/truncate", CheckpointMode::kTruncate);
}

}  // namespace
}  // namespace wal
}  // namespace pager
