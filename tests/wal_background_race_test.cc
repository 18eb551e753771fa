// An explicit checkpoint beside the background checkpointer (W26 in impl/wal/wal_pager.h:
// "bg_copying_: no other checkpoint, WAL reset or main-file cut starts meanwhile"). A FULL
// or TRUNCATE checkpoint waits for readers releasing the handle's mutex; the thread may begin
// an unlocked copy meanwhile. If the checkpoint then copied, reset the WAL and returned while
// that copy was still writing, the copy's older page bytes would land in the main file over
// the checkpoint's newer ones, after the WAL that held the newer ones was reset: a lost
// commit. Found by the kill -9 torture's `walbg` component (a reopened file held a page's
// older bytes; reader threads saw torn snapshots).
//
// Deterministic: the thread's first write of the main file is held in the Env until the test
// releases it, and the checkpoint's wait for the reader is seen through the test seam (its
// slot scans, impl/wal/test_hooks.h).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "impl/io/mem_env.h"
#include "impl/wal/test_hooks.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using io::FaultEnv;

// Holds the first write of `main` after Hold() until Release(); counts the writes and
// truncates of `main` that other threads make while it is held.
class HoldMainWrite : public FaultEnv {
 public:
  explicit HoldMainWrite(std::string main) : main_(std::move(main)) {}
  void Hold() {
    std::lock_guard<std::mutex> l(m_);
    armed_ = true;
  }
  bool WaitHeld() {
    std::unique_lock<std::mutex> l(m_);
    return cv_.wait_for(l, std::chrono::seconds(20), [&] { return held_; });
  }
  void Release() {
    std::lock_guard<std::mutex> l(m_);
    released_ = true;
    cv_.notify_all();
  }
  int beside_held() {
    std::lock_guard<std::mutex> l(m_);
    return beside_held_;
  }
  Status BeforeOp(Op op, const std::string& path) override {
    if (path == main_ && (op == Op::kWrite || op == Op::kTruncate)) {
      std::unique_lock<std::mutex> l(m_);
      if (armed_ && op == Op::kWrite) {
        armed_ = false;
        held_ = true;
        cv_.notify_all();
        cv_.wait(l, [&] { return released_; });
        held_ = false;
      } else if (held_) {
        beside_held_++;
      }
    }
    return FaultEnv::BeforeOp(op, path);
  }

 private:
  const std::string main_;
  std::mutex m_;
  std::condition_variable cv_;
  bool armed_ = false;
  bool held_ = false;
  bool released_ = false;
  int beside_held_ = 0;
};

thread_local bool tl_checkpointing = false;  // set on the thread running the checkpoint

// Tells when the checkpointing thread scans the read-mark slots: it then waits for readers.
class SeeCheckpointWait : public TestHooks {
 public:
  void At(HookPoint p) override {
    if (p != HookPoint::kScanBeforeEpochBump || !tl_checkpointing) return;
    std::lock_guard<std::mutex> l(m_);
    seen_ = true;
    cv_.notify_all();
  }
  bool WaitSeen() {
    std::unique_lock<std::mutex> l(m_);
    return cv_.wait_for(l, std::chrono::seconds(20), [&] { return seen_; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool seen_ = false;
};

std::vector<uint8_t> TxnPage(uint32_t n, uint32_t p) { return Page(uint64_t{n} * 1000 + p); }

TEST(WalBackgroundRace, AnExplicitCheckpointThatWaitedForReadersNeverCopiesBesideTheThreadsCopy) {
  HoldMainWrite env("db");
  SeeCheckpointWait hooks;
  Options o = SmallOptions();
  o.auto_checkpoint_frames = 12;
  o.background_checkpoint = true;
  o.lock_timeout_ms = 20000;
  o.test_hooks = &hooks;
  auto w = MustCreate(&env, "db", o);
  ASSERT_NE(w, nullptr);
  auto commit = [&](uint32_t n) {
    for (uint32_t p = 1; p <= 4; p++) Stage(w.get(), p, TxnPage(n, p));
    MustCommit(w.get());
  };
  commit(1);
  MustCheckpoint(w.get());  // pages 1-4 in the main file (main_valid_count 5), WAL restarted
  commit(2);                // frames 0-3
  auto r = MustOpen(&env, "db", AccessMode::kReadOnly);
  ASSERT_NE(r, nullptr);
  ReadSnapshot s;
  ASSERT_OK(r->BeginRead(&s));  // another handle's reader at mark 4
  commit(3);                    // 8 frames, below the threshold

  Result<uint32_t> cp = Status::Ok();
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  std::thread a([&] {
    tl_checkpointing = true;
    cp = w->Checkpoint(CheckpointMode::kTruncate);  // waits for the reader, mutex released
    std::lock_guard<std::mutex> l(done_mu);
    done = true;
    done_cv.notify_all();
  });
  ASSERT_TRUE(hooks.WaitSeen()) << "the checkpoint never waited for the reader";
  env.Hold();
  commit(4);  // 12 frames: the thread copies pages 1-4 of transaction 2 (below mark 4)
  ASSERT_TRUE(env.WaitHeld()) << "the thread never wrote the main file";
  r->EndRead(&s);  // the checkpoint may go on now
  {
    std::unique_lock<std::mutex> l(done_mu);
    // Only a checkpoint that runs beside the held copy can finish before it is released.
    done_cv.wait_for(l, std::chrono::seconds(1), [&] { return done; });
  }
  EXPECT_EQ(env.beside_held(), 0)
      << "the checkpoint wrote or cut the main file while the thread's copy was writing it";
  env.Release();
  a.join();
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  w->WaitCheckpointerIdle();
  for (uint32_t p = 1; p <= 4; p++) {
    EXPECT_EQ(Read(w.get(), p), TxnPage(4, p)) << "page " << p << " of the last commit";
  }
  EXPECT_OK(w->CheckInvariants());
  r.reset();
  w.reset();
  auto again = MustOpen(&env, "db", AccessMode::kReadOnly);
  ASSERT_NE(again, nullptr);
  for (uint32_t p = 1; p <= 4; p++) {
    EXPECT_EQ(Read(again.get(), p), TxnPage(4, p)) << "page " << p << " after a reopen";
  }
}

}  // namespace
}  // namespace wal
}  // namespace pager
