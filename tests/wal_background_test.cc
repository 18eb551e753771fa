// The background checkpointer (W26 in impl/wal/wal_pager.h): a thread of the read-write
// handle runs the automatic checkpoints, commits only append frames, the WAL stays bounded
// (backpressure), failures surface as for automatic checkpoints (lack of space counted and
// retried, a failed sync poisons), and close joins it. Deterministic: tests wait for the
// thread to go idle (WaitCheckpointerIdle), never sleep.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using io::FaultEnv;
using io::FaultKind;
using io::MemEnv;

Options BackgroundOptions(uint32_t frames) {
  Options o = SmallOptions();
  o.auto_checkpoint_frames = frames;
  o.background_checkpoint = true;
  return o;
}

// Page p of transaction n: its first 4 bytes are n, its last byte n's low byte.
std::vector<uint8_t> TxnPage(uint32_t n, uint32_t p) {
  std::vector<uint8_t> b = Page(uint64_t{n} * 1000 + p);
  std::memcpy(b.data(), &n, sizeof n);
  b[4095] = static_cast<uint8_t>(n);
  return b;
}

void CommitTxn(WalPager* w, uint32_t n, uint32_t pages) {
  for (uint32_t p = 1; p <= pages; p++) Stage(w, p, TxnPage(n, p));
  MustCommit(w);
}

class WalBackground : public ::testing::Test {
 protected:
  FaultEnv env;
  const std::string path = "db";

  // W12 in the thread: a checkpoint whose writes fail with a shortage (`kind`) is counted
  // with `code`, leaves the handle usable and the WAL whole, and runs again after the next
  // commit.
  void ShortageInTheThreadIsCountedAndRetried(FaultKind kind, Code code) {
    auto w = MustCreate(&env, path, BackgroundOptions(8));
    CommitTxn(w.get(), 1, 4);
    w->WaitCheckpointerIdle();
    env.FailNth(MemEnv::Op::kWrite, 2, kind, true);  // the commit's frames pass
    CommitTxn(w.get(), 2, 4);
    w->WaitCheckpointerIdle();
    EXPECT_GE(w->stats().checkpoint_failures, 1u);
    EXPECT_EQ(w->stats().last_checkpoint_code, static_cast<int32_t>(code));
    EXPECT_NE(w->state(), State::kPoisoned);
    EXPECT_GE(w->stats().wal_frames, 8u) << "the WAL kept every frame";
    env.ClearFaults();
    CommitTxn(w.get(), 3, 4);
    w->WaitCheckpointerIdle();
    EXPECT_LT(w->stats().wal_frames, 8u) << "retried after the commit";
    w.reset();
    auto r = MustOpen(&env, path);
    for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(r.get(), p), TxnPage(3, p));
  }
};

TEST_F(WalBackground, CommitsOnlyAppendAndTheThreadCheckpointsAndRestartsTheWal) {
  auto w = MustCreate(&env, path, BackgroundOptions(8));
  for (uint32_t n = 1; n <= 40; n++) {
    CommitTxn(w.get(), n, 4);
    w->WaitCheckpointerIdle();
    EXPECT_LT(w->stats().wal_frames, 8u) << "idle below the threshold after commit " << n;
  }
  Stats s = w->stats();
  EXPECT_GE(s.wal_restarts, 15u);
  EXPECT_GE(s.checkpoints, 15u);
  EXPECT_EQ(s.checkpoint_waits, 0u) << "a waiting test never lets the WAL reach its limit";
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(w.get(), p), TxnPage(40, p));
  EXPECT_OK(w->CheckInvariants());
  w.reset();
  auto r = MustOpen(&env, path, AccessMode::kReadOnly);
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(r.get(), p), TxnPage(40, p));
}

TEST_F(WalBackground, WithoutTheOptionTheCommitRunsTheCheckpointAsBefore) {
  Options o = BackgroundOptions(8);
  o.background_checkpoint = false;
  auto w = MustCreate(&env, path, o);
  CommitTxn(w.get(), 1, 4);
  CommitTxn(w.get(), 2, 4);
  EXPECT_EQ(w->stats().wal_frames, 0u) << "the commit that crossed the threshold checkpointed";
  EXPECT_EQ(w->stats().wal_restarts, 1u);
  w->WaitCheckpointerIdle();  // no thread: returns at once
}

// Commits outpacing the thread: the WAL never holds more than the limit plus one transaction.
TEST_F(WalBackground, WalStaysBoundedWhileCommitsOutpaceTheThread) {
  auto w = MustCreate(&env, path, BackgroundOptions(8));
  const uint64_t limit = uint64_t{kWalLimitFactor} * 8;
  for (uint32_t n = 1; n <= 300; n++) {
    CommitTxn(w.get(), n, 3);
    EXPECT_LT(w->stats().wal_frames, limit + 3) << "commit " << n;
  }
  w->WaitCheckpointerIdle();
  EXPECT_LT(w->stats().wal_frames, 8u);
  for (uint32_t p = 1; p <= 3; p++) EXPECT_EQ(Read(w.get(), p), TxnPage(300, p));
}

// W16 with the thread: it copies below the reader's mark, then parks; commits go on past the
// limit (they never wait for readers), and once the reader ends the next commit wakes it.
TEST_F(WalBackground, CommitsNeverWaitForReadersPastTheLimit) {
  auto w = MustCreate(&env, path, BackgroundOptions(8));
  CommitTxn(w.get(), 1, 4);
  w->WaitCheckpointerIdle();
  ReadSnapshot s;
  ASSERT_OK(w->BeginRead(&s));
  for (uint32_t n = 2; n <= 12; n++) CommitTxn(w.get(), n, 4);
  w->WaitCheckpointerIdle();
  EXPECT_GE(w->stats().wal_frames, uint64_t{kWalLimitFactor} * 8) << "past the limit";
  for (uint32_t p = 1; p <= 4; p++) {
    std::vector<uint8_t> b(4096);
    ASSERT_OK(w->ReadPageAt(s, p, b.data(), b.size()));
    EXPECT_EQ(b, TxnPage(1, p)) << "the reader keeps its snapshot";
  }
  w->EndRead(&s);
  CommitTxn(w.get(), 13, 4);
  w->WaitCheckpointerIdle();
  EXPECT_LT(w->stats().wal_frames, 8u);
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(w.get(), p), TxnPage(13, p));
}

TEST_F(WalBackground, NoMemoryInTheThreadIsCountedAndRetriedNotPoisoned) {
  ShortageInTheThreadIsCountedAndRetried(FaultKind::kEnomem, Code::kNoMem);
}

TEST_F(WalBackground, NoSpaceInTheThreadIsCountedAndRetriedAfterTheNextCommit) {
  ShortageInTheThreadIsCountedAndRetried(FaultKind::kEnospc, Code::kNoSpace);
}

TEST_F(WalBackground, FailedSyncInTheThreadPoisonsTheHandle) {
  auto w = MustCreate(&env, path, BackgroundOptions(8));
  CommitTxn(w.get(), 1, 4);
  w->WaitCheckpointerIdle();
  // The commit's own WAL sync passes; the thread's main-file sync fails.
  env.FailNth(MemEnv::Op::kSync, 2, FaultKind::kEio, true);
  CommitTxn(w.get(), 2, 4);
  w->WaitCheckpointerIdle();
  EXPECT_EQ(w->state(), State::kPoisoned);
  std::vector<uint8_t> b = TxnPage(3, 1);
  EXPECT_EQ(w->StagePage(1, b.data(), b.size()).code(), Code::kPoisoned);
  EXPECT_EQ(w->Commit().status().code(), Code::kPoisoned);
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(w.get(), p), TxnPage(2, p));
}

TEST_F(WalBackground, CloseJoinsTheThreadWithWorkPending) {
  for (int round = 0; round < 20; round++) {
    auto w = round == 0 ? MustCreate(&env, path, BackgroundOptions(4))
                        : MustOpen(&env, path, AccessMode::kReadWrite, BackgroundOptions(4));
    for (uint32_t n = 1; n <= 3; n++) CommitTxn(w.get(), round * 10 + n, 4);
    w->Close();
    w.reset();
  }
  auto r = MustOpen(&env, path, AccessMode::kReadOnly);
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(r.get(), p), TxnPage(193, p));
}

// Readers in threads of the writer's handle while commits and the thread's checkpoints run
// (TSan target): every snapshot is one whole transaction, never going back.
TEST_F(WalBackground, ReaderThreadsSeeWholeTransactionsWhileTheThreadCheckpoints) {
  auto w = MustCreate(&env, path, BackgroundOptions(16));
  CommitTxn(w.get(), 1, 4);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; i++) {
    readers.emplace_back([&] {
      uint32_t last = 0;
      while (!stop.load()) {
        ReadSnapshot s;
        if (!w->BeginRead(&s).ok()) {
          bad++;
          continue;
        }
        uint32_t first = 0;
        for (uint32_t p = 1; p <= 4; p++) {
          std::vector<uint8_t> b(4096);
          uint32_t n = 0;
          if (!w->ReadPageAt(s, p, b.data(), b.size()).ok()) bad++;
          std::memcpy(&n, b.data(), sizeof n);
          if (p == 1) first = n;
          if (n != first || b != TxnPage(n, p)) bad++;
        }
        w->EndRead(&s);
        if (first < last) bad++;
        last = first;
      }
    });
  }
  for (uint32_t n = 2; n <= 150; n++) CommitTxn(w.get(), n, 4);
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  // The readers may have held the frames back to the end (the thread then parked): one more
  // commit with no reader left wakes it, and it copies everything and restarts the WAL.
  CommitTxn(w.get(), 151, 4);
  w->WaitCheckpointerIdle();
  EXPECT_GE(w->stats().wal_restarts, 1u);
  EXPECT_OK(w->CheckInvariants());
}

// kCheckpointerCopying runs on the thread with mu_ released (T2's exception): the first
// `commits` copies each commit one transaction of `pages` pages from a helper thread, as a
// steady stream of commits does while the thread copies.
class CommitDuringCopy : public TestHooks {
 public:
  CommitDuringCopy(int commits, uint32_t pages) : commits_(commits), pages_(pages) {}
  void At(HookPoint point) override {
    if (point != HookPoint::kCheckpointerCopying) return;
    copies++;
    if (copies > commits_ || w == nullptr) return;
    const uint32_t n = 100 + static_cast<uint32_t>(copies);
    std::thread([&] { CommitTxn(w, n, pages_); }).join();
    last_txn = n;
  }
  WalPager* w = nullptr;
  int copies = 0;  // copies the thread began without mu_
  uint32_t last_txn = 0;

 private:
  const int commits_;
  const uint32_t pages_;
};

struct CycleCost {
  uint64_t restarts, steps, syncs_besides_commits;
};

CycleCost Cost(const Stats& before, const Stats& after) {
  return CycleCost{after.wal_restarts - before.wal_restarts,
                   after.checkpoints - before.checkpoints,
                   (after.syncs - before.syncs) - (after.commits - before.commits)};
}

// The threshold is 16 frames; four 4-page commits cross it. Pages 1..4 are in the main file
// first, so the thread's copy without mu_ covers them (W25).
std::unique_ptr<WalPager> CrossedWithHook(FaultEnv* env, const std::string& path,
                                          CommitDuringCopy* hook, Stats* before) {
  Options o = BackgroundOptions(16);
  o.test_hooks = hook;
  auto w = MustCreate(env, path, o);
  CommitTxn(w.get(), 1, 4);
  EXPECT_OK(w->Checkpoint().status());
  *before = w->stats();
  hook->w = w.get();
  for (uint32_t n = 2; n <= 5; n++) CommitTxn(w.get(), n, 4);
  w->WaitCheckpointerIdle();
  hook->w = nullptr;
  return w;
}

// Before: the thread was due again as soon as its copy ended (the WAL still held >= the
// threshold), so each commit that came during a copy cost another copy step with its own
// main-file sync (4 steps and 7 syncs for this cycle) until the stream paused.
TEST_F(WalBackground, CommitsDuringTheCopyCostOneCycleNotOneSyncedStepPerCommit) {
  CommitDuringCopy hook(3, 1);  // 1-frame commits: a small remainder, no catch-up
  Stats before;
  auto w = CrossedWithHook(&env, path, &hook, &before);
  CycleCost c = Cost(before, w->stats());
  EXPECT_EQ(hook.copies, 1) << "one copy without mu_, then the final step";
  EXPECT_EQ(c.restarts, 1u);
  EXPECT_EQ(c.steps, 2u) << "the copy and the final step";
  // W6: the final step's copy stays within the main file, so its pages are synced with the
  // header (one main sync, not two), then the WAL reset's.
  EXPECT_EQ(c.syncs_besides_commits, 3u) << "the copy's main sync, the header's, the reset's";
  EXPECT_EQ(w->stats().wal_frames, 0u) << "the remainder was copied by the final step";
  EXPECT_EQ(Read(w.get(), 1), TxnPage(hook.last_txn, 1));
  for (uint32_t p = 2; p <= 4; p++) EXPECT_EQ(Read(w.get(), p), TxnPage(5, p));
  EXPECT_OK(w->CheckInvariants());
}

// A remainder of >= 1/kCatchUpDivisor of the threshold is copied once more without mu_, and
// the commits during that second copy go to the final step: never a third copy.
TEST_F(WalBackground, ALargeRemainderGetsOneCatchUpCopyThenTheFinalStep) {
  CommitDuringCopy hook(3, 4);  // 4-frame commits: 16 / 4 = the catch-up's threshold
  Stats before;
  auto w = CrossedWithHook(&env, path, &hook, &before);
  CycleCost c = Cost(before, w->stats());
  EXPECT_EQ(hook.copies, 2) << "the copy and one catch-up";
  EXPECT_EQ(c.restarts, 1u);
  EXPECT_EQ(c.steps, 3u);
  EXPECT_EQ(c.syncs_besides_commits, 4u) << "two copies' main syncs, the header's, the reset's";
  EXPECT_EQ(w->stats().wal_frames, 0u);
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(w.get(), p), TxnPage(hook.last_txn, p));
  const uint32_t last = hook.last_txn;
  w.reset();
  auto r = MustOpen(&env, path, AccessMode::kReadOnly);
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(r.get(), p), TxnPage(last, p));
}

// Before: the final step synced the main file for its data even when the thread's copy had
// synced every page already and nothing came since (W6's data sync with nothing to flush).
TEST_F(WalBackground, AFinalStepWithNothingLeftToCopySkipsTheDataSync) {
  CommitDuringCopy hook(0, 0);
  Stats before;
  auto w = CrossedWithHook(&env, path, &hook, &before);
  CycleCost c = Cost(before, w->stats());
  EXPECT_EQ(hook.copies, 1);
  EXPECT_EQ(c.restarts, 1u);
  EXPECT_EQ(c.syncs_besides_commits, 3u) << "the copy's sync, the header's, the WAL reset's";
  w.reset();
  auto r = MustOpen(&env, path, AccessMode::kReadOnly);
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(r.get(), p), TxnPage(5, p));
}

// Runs `at_final_step` once when the thread's final step holds mu_, and records when a call
// of another thread is about to wait for that step (kWaitingForCheckpointer, without mu_).
class FinalStepMeeting : public TestHooks {
 public:
  std::function<void()> at_final_step;
  std::mutex m;
  std::condition_variable cv;
  bool waiting = false;
  void At(HookPoint point) override {
    if (point == HookPoint::kWaitingForCheckpointer) {
      std::lock_guard<std::mutex> g(m);
      waiting = true;
      cv.notify_all();
      return;
    }
    if (point != HookPoint::kCheckpointerFinalStep || !at_final_step) return;
    std::function<void()> f = std::move(at_final_step);
    at_final_step = nullptr;
    f();
  }
};

// Before: only a commit call that met the final step was counted, so a transaction whose
// staging sat behind the final step's copy, syncs and WAL restart (the writer's stall of the
// cycle) left checkpoint_waits at 0. The final step here holds mu_ until another thread's
// first stage call is about to wait for it; that transaction's commit counts the wait, once.
TEST_F(WalBackground, ATransactionWhoseStagingMetTheFinalStepIsCountedOnceAsAWait) {
  FinalStepMeeting hooks;
  Options o = BackgroundOptions(8);
  o.test_hooks = &hooks;
  auto w = MustCreate(&env, path, o);
  std::thread stager;
  bool stager_waited = false;
  hooks.at_final_step = [&] {
    stager = std::thread([&] { CommitTxn(w.get(), 2, 3); });
    std::unique_lock<std::mutex> g(hooks.m);  // bounded: a broken seam fails, never hangs
    stager_waited = hooks.cv.wait_for(g, std::chrono::seconds(30), [&] { return hooks.waiting; });
  };
  CommitTxn(w.get(), 1, 8);  // reaches the threshold: the thread's cycle ends in its final step
  w->WaitCheckpointerIdle();
  ASSERT_TRUE(hooks.at_final_step == nullptr) << "the cycle never reached its final step";
  stager.join();
  EXPECT_TRUE(stager_waited) << "the stage call never reported waiting for the final step";
  EXPECT_EQ(w->stats().checkpoint_waits, 1u);
  CommitTxn(w.get(), 3, 3);  // meets nothing
  EXPECT_EQ(w->stats().checkpoint_waits, 1u) << "counted once, by its own commit only";
  for (uint32_t p = 1; p <= 3; p++) EXPECT_EQ(Read(w.get(), p), TxnPage(3, p));
  EXPECT_EQ(Read(w.get(), 8), TxnPage(1, 8));
}

// Before: the restart cut the WAL to wal_keep_bytes although the thread lets it run up to the
// backpressure limit, so every cycle's commits regrew it with appends (each fdatasync then
// also journals the new size); the default 32 MiB is below the default limit (34.9 MB).
TEST_F(WalBackground, TheRestartKeepsTheWalTheThreadLetGrowUpToItsLimit) {
  CommitDuringCopy hook(1, 4);
  Options o = BackgroundOptions(16);
  o.wal_keep_bytes = FrameOffset(8, 4096);  // half the threshold
  o.test_hooks = &hook;
  auto w = MustCreate(&env, path, o);
  CommitTxn(w.get(), 1, 4);
  ASSERT_OK(w->Checkpoint().status());
  hook.w = w.get();
  for (uint32_t n = 2; n <= 5; n++) CommitTxn(w.get(), n, 4);  // 16 frames, + 4 in the copy
  w->WaitCheckpointerIdle();
  hook.w = nullptr;
  EXPECT_EQ(w->stats().wal_frames, 0u);
  EXPECT_GE(w->stats().wal_restarts, 2u);
  std::unique_ptr<io::File> f;
  ASSERT_OK(env.Open(WalPath(path), io::OpenOptions(), &f));
  uint64_t size = 0;
  ASSERT_OK(f->Size(&size));
  EXPECT_GE(size, FrameOffset(20, 4096)) << "the 20 frames' blocks are kept for the next cycle";
  CommitTxn(w.get(), 6, 4);
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(w.get(), p), TxnPage(6, p));
}

}  // namespace
}  // namespace wal
}  // namespace pager
