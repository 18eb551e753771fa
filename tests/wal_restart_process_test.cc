// Deaths at chosen steps of the cross-handle protocols (W19, W24; X4), made deterministic by
// the test seam (impl/wal/test_hooks.h): a child process runs a reader's pin or the writer's
// checkpoint, parks at the chosen step, tells the parent through a pipe, and is killed there
// with SIGKILL -- its OFD locks (slot byte, restart byte) go with it, whatever it left in the
// shared index.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "impl/wal/test_hooks.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::TempDir;

constexpr uint32_t kPages = 4;

std::vector<uint8_t> TxnPage(uint64_t txn, uint32_t page) { return Page(txn * 16 + page); }

// In the child: at `point`, tell the parent and wait to be killed.
class ParkForever : public TestHooks {
 public:
  ParkForever(HookPoint point, int fd) : point_(point), fd_(fd) {}
  void At(HookPoint p) override {
    if (p != point_) return;
    if (write(fd_, "x", 1) != 1) _exit(3);
    for (;;) pause();
  }

 private:
  HookPoint point_;
  int fd_;
};

class WalDeathAtStep : public ::testing::Test {
 protected:
  void CommitTxn(WalPager* w, uint64_t txn) {
    for (uint32_t p = 1; p <= kPages; p++) Stage(w, p, TxnPage(txn, p));
    MustCommit(w);
  }
  // Runs fn in a child whose handle parks at `point`; returns once it is parked there.
  template <typename Fn>
  pid_t SpawnParked(HookPoint point, Fn fn) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      ParkForever hooks(point, fds[1]);
      fn(&hooks);
      _exit(2);  // never parked: the step was not reached
    }
    close(fds[1]);
    char c = 0;
    EXPECT_EQ(read(fds[0], &c, 1), 1) << "the child did not reach its step";
    close(fds[0]);
    return pid;
  }
  static void Kill(pid_t pid) {
    kill(pid, SIGKILL);
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status));
  }
  Options WithHooks(TestHooks* h) {
    Options o = SmallOptions();
    o.page_size = 0;
    o.test_hooks = h;
    return o;
  }
  void ExpectSnapshotOf(WalPager* r, uint64_t txn) {
    ReadSnapshot s;
    Status st = r->BeginRead(&s);
    ASSERT_TRUE(st.ok()) << st.ToString();
    std::vector<uint8_t> buf(4096);
    for (uint32_t p = 1; p <= kPages; p++) {
      ASSERT_TRUE(r->ReadPageAt(s, p, buf.data(), buf.size()).ok());
      EXPECT_EQ(buf, TxnPage(txn, p)) << "page " << p;
    }
    r->EndRead(&s);
  }

  io::Env* env = io::DefaultEnv();
  TempDir dir;
  std::string path = dir.File("db");
};

// X4 at the worst moment: a reader process killed after it stored its mark and before its
// re-check. While it lives, its mark holds the WAL restart back; once it is dead its slot's
// lock byte is free and the writer's next scan ignores the mark: the WAL restarts.
TEST_F(WalDeathAtStep, ReaderKilledWithItsMarkStoredMidPinIsReclaimed) {
  auto w = MustCreate(env, path);
  CommitTxn(w.get(), 1);
  pid_t reader = SpawnParked(HookPoint::kPinAfterMark, [&](TestHooks* h) {
    std::unique_ptr<WalPager> r;
    if (!WalPager::Open(env, path, AccessMode::kReadOnly, WithHooks(h), &r).ok()) _exit(4);
    ReadSnapshot s;
    (void)r->BeginRead(&s);
  });
  Result<uint32_t> cp = w->Checkpoint(CheckpointMode::kPassive);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_GT(w->stats().wal_frames, 0u) << "a live mark (mid-pin) must hold the restart back";
  EXPECT_EQ(w->stats().readers_active, 1u);
  Kill(reader);
  CommitTxn(w.get(), 2);
  cp = w->Checkpoint(CheckpointMode::kPassive);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(w->stats().wal_frames, 0u) << "the dead reader's mark was not reclaimed";
  EXPECT_EQ(w->stats().readers_active, 0u);
  auto r = MustOpen(env, path, AccessMode::kReadOnly);
  ExpectSnapshotOf(r.get(), 2);
}

// W24 with a dead writer: killed after its restart scan (the epoch is odd, the window open,
// the WAL not reset yet), and after it published the restarted generation (epoch still odd).
// Its restart byte went with it; readers of other handles take it, check the WAL against the
// index, read the last commit, and a new writer recovers beside them.
TEST_F(WalDeathAtStep, WriterKilledInsideItsRestartWindowLeavesReadersReading) {
  for (HookPoint step : {HookPoint::kRestartScanDone, HookPoint::kRestartPublished}) {
    SCOPED_TRACE(step == HookPoint::kRestartScanDone ? "killed after the restart scan"
                                                     : "killed after publishing the restart");
    TempDir d;
    const std::string p = d.File("db");
    {
      auto w = MustCreate(env, p);
      CommitTxn(w.get(), 1);
      CommitTxn(w.get(), 2);
    }
    auto r = MustOpen(env, p, AccessMode::kReadOnly);
    ExpectSnapshotOf(r.get(), 2);
    pid_t writer = SpawnParked(step, [&](TestHooks* h) {
      // Its open's recovery checkpoint copies every frame and restarts the WAL (the reader
      // is idle): it parks inside that restart.
      std::unique_ptr<WalPager> w;
      (void)WalPager::Open(env, p, AccessMode::kReadWrite, WithHooks(h), &w);
    });
    Kill(writer);
    ExpectSnapshotOf(r.get(), 2);
    std::vector<uint8_t> buf(4096);
    ASSERT_TRUE(r->ReadPage(3, buf.data(), buf.size()).ok());
    EXPECT_EQ(buf, TxnPage(2, 3));
    auto w = MustOpen(env, p);
    ExpectSnapshotOf(r.get(), 2);
    CommitTxn(w.get(), 3);
    ExpectSnapshotOf(r.get(), 3);
    EXPECT_TRUE(w->Checkpoint(CheckpointMode::kTruncate).ok());
    ExpectSnapshotOf(r.get(), 3);
    EXPECT_TRUE(r->CheckInvariants().ok());
  }
}

}  // namespace
}  // namespace wal
}  // namespace pager
