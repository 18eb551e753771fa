// The background checkpointer (W26 in impl/wal/wal_pager.h): a thread of the read-write
// handle runs the automatic checkpoints, commits only append frames, the WAL stays bounded
// (backpressure), failures surface as for automatic checkpoints (lack of space counted and
// retried, a failed sync poisons), and close joins it. Deterministic: tests wait for the
// thread to go idle (WaitCheckpointerIdle), never sleep.
#include <atomic>
#include <cstring>
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

TEST_F(WalBackground, NoSpaceInTheThreadIsCountedAndRetriedAfterTheNextCommit) {
  auto w = MustCreate(&env, path, BackgroundOptions(8));
  CommitTxn(w.get(), 1, 4);
  w->WaitCheckpointerIdle();
  env.FailNth(MemEnv::Op::kWrite, 2, FaultKind::kEnospc, true);  // the commit's frames pass
  CommitTxn(w.get(), 2, 4);
  w->WaitCheckpointerIdle();
  EXPECT_GE(w->stats().checkpoint_failures, 1u);
  EXPECT_EQ(w->stats().last_checkpoint_code, static_cast<int32_t>(Code::kNoSpace));
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

}  // namespace
}  // namespace wal
}  // namespace pager
