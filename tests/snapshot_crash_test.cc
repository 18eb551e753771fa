// Crash simulation and I/O faults during capture (FaultEnv, mem_env.h M1-M6): whatever
// happens, the path holds either the earlier complete snapshot or the new complete one.
#include "impl/io/mem_env.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

const char* kPath = "/tmp/cache.kvs";

class SnapshotCrash : public ::testing::Test {
 protected:
  SnapshotCrash() {
    std::mt19937_64 rng(1);
    engine_ = NewEngine(SmallMeta(8, 2, 2, 32), 64);  // 4 KiB K+V pages
    Populate(engine_.get(), rng, 40, 3, "old");
    old_fingerprint_ = engine_->Fingerprint();
    EXPECT_OK(Capture(&base_, engine_->Ops(), kPath, Options()));
  }
  // A FaultEnv holding a durable earlier snapshot of the engine at kPath.
  std::unique_ptr<io::FaultEnv> EnvWithOldSnapshot() {
    return io::FaultEnv::FromImage(base_.CrashImage(0));  // base_ is fully synced
  }
  void ChangeEngine() {
    std::mt19937_64 rng(2);
    Populate(engine_.get(), rng, 10, 2, "new");
    new_fingerprint_ = engine_->Fingerprint();
  }
  // Restores kPath from a crash image; returns the fingerprint it restored to.
  uint64_t RestoreFrom(const std::map<std::string, std::vector<uint8_t>>& image) {
    auto env = io::FaultEnv::FromImage(image);
    auto dst = NewEngine(SmallMeta(8, 2, 2, 32), 64);
    Status st = Restore(env.get(), dst->Ops(), kPath, Options());
    EXPECT_TRUE(st.ok()) << st.ToString();
    return dst->Fingerprint();
  }
  io::FaultEnv base_;
  std::unique_ptr<RefEngine> engine_;
  uint64_t old_fingerprint_ = 0, new_fingerprint_ = 0;
};

TEST_F(SnapshotCrash, CrashAtEverySyncLeavesTheOldOrTheNewSnapshot) {
  ChangeEngine();
  // First learn how many syncs a capture makes.
  auto probe = EnvWithOldSnapshot();
  uint64_t before = probe->SyncCount();
  ASSERT_OK(Capture(probe.get(), engine_->Ops(), kPath, Options()));
  uint64_t syncs = probe->SyncCount() - before;
  ASSERT_EQ(syncs, 2u);  // the temporary file, then its directory after the rename
  int saw_old = 0, saw_new = 0;
  for (uint64_t k = 1; k <= syncs + 1; k++) {
    auto env = EnvWithOldSnapshot();
    env->CrashAtSync(env->SyncCount() + k);
    Status st = Capture(env.get(), engine_->Ops(), kPath, Options());
    if (k <= syncs) {
      EXPECT_FALSE(st.ok()) << "crash at sync " << k;
    }
    EXPECT_FALSE(engine_->GetStats().paused);
    for (uint64_t seed = 0; seed < 24; seed++) {
      SCOPED_TRACE("sync " + std::to_string(k) + " seed " + std::to_string(seed));
      uint64_t got = RestoreFrom(env->CrashImage(seed));
      EXPECT_TRUE(got == old_fingerprint_ || got == new_fingerprint_);
      saw_old += got == old_fingerprint_;
      saw_new += got == new_fingerprint_;
    }
  }
  EXPECT_GT(saw_old, 0);
  EXPECT_GT(saw_new, 0);
}

TEST_F(SnapshotCrash, AFailedWriteOrSyncKeepsTheOldSnapshotAndRemovesTheTemporary) {
  ChangeEngine();
  struct Fault {
    const char* what;
    std::function<void(io::FaultEnv*)> arm;
    Code expect;
  } faults[] = {
      {"EIO on the first write",
       [](io::FaultEnv* e) { e->FailNth(io::MemEnv::Op::kWrite, 1, io::FaultKind::kEio, false); },
       Code::kIo},
      {"ENOSPC on every write",
       [](io::FaultEnv* e) {
         e->FailNth(io::MemEnv::Op::kWrite, 1, io::FaultKind::kEnospc, true);
       },
       Code::kNoSpace},
      {"fsync fails losing data", [](io::FaultEnv* e) { e->FailSyncLosingData(1); }, Code::kIo},
      {"rename fails",
       [](io::FaultEnv* e) {
         e->FailNth(io::MemEnv::Op::kNamespace, 1, io::FaultKind::kEio, false);
       },
       Code::kIo},
  };
  for (const Fault& f : faults) {
    SCOPED_TRACE(f.what);
    auto env = EnvWithOldSnapshot();
    std::vector<uint8_t> old;
    ASSERT_OK(env->GetFileBytes(kPath, &old));
    f.arm(env.get());
    Status st = Capture(env.get(), engine_->Ops(), kPath, Options());
    EXPECT_EQ(st.code(), f.expect) << st.ToString();
    env->ClearFaults();
    EXPECT_EQ(env->FilePaths(), std::vector<std::string>{kPath});
    std::vector<uint8_t> now;
    ASSERT_OK(env->GetFileBytes(kPath, &now));
    EXPECT_EQ(now, old);
    EXPECT_FALSE(engine_->GetStats().paused);
    for (uint64_t seed = 0; seed < 8; seed++) {
      EXPECT_EQ(RestoreFrom(env->CrashImage(seed)), old_fingerprint_);
    }
  }
}

TEST_F(SnapshotCrash, RestoreReadErrorsFailBeforeTheEngineIsTouched) {
  auto env = EnvWithOldSnapshot();
  for (uint64_t nth = 1; nth <= 6; nth++) {
    env->FailNth(io::MemEnv::Op::kRead, nth, io::FaultKind::kEio, false);
    auto dst = NewEngine(SmallMeta(8, 2, 2, 32), 64);
    Tracer t(dst->Ops());
    Status st = Restore(env.get(), t.Ops(), kPath, Options());
    env->ClearFaults();
    if (st.ok()) {
      EXPECT_EQ(dst->Fingerprint(), old_fingerprint_);  // past the last read
      continue;
    }
    EXPECT_EQ(st.code(), Code::kIo) << st.ToString();
    EXPECT_FALSE(dst->GetStats().paused);
    EXPECT_EQ(dst->GetStats().seq_count, 0u);
  }
}

TEST_F(SnapshotCrash, EveryFailingOperationOfACaptureLeavesTheOldOrTheNewSnapshot) {
  // I/O-error sweep: the Nth operation of a capture over an earlier snapshot fails (EIO or
  // ENOSPC, once or from then on) for every N until the capture runs clean. The capture
  // reports IO or NOSPC, the engine is resumed, and the path restores the old or the new
  // state, live and after a power loss -- never a damaged or missing file.
  ChangeEngine();
  uint64_t total_ops = 0;
  {
    auto env = EnvWithOldSnapshot();
    uint64_t start = env->OpCount();
    ASSERT_OK(Capture(env.get(), engine_->Ops(), kPath, Options()));
    total_ops = env->OpCount() - start;
  }
  ASSERT_GT(total_ops, 3u);
  for (io::FaultKind kind : {io::FaultKind::kEio, io::FaultKind::kEnospc}) {
    for (bool persistent : {false, true}) {
      uint64_t failures = 0;
      for (uint64_t n = 1; n <= total_ops + 1; n++) {
        SCOPED_TRACE("operation " + std::to_string(n) + " of " + std::to_string(total_ops) +
                     (persistent ? " (persistent)" : "") +
                     (kind == io::FaultKind::kEio ? " EIO" : " ENOSPC"));
        auto env = EnvWithOldSnapshot();
        env->FailNthAny(n, kind, persistent);
        Status st = Capture(env.get(), engine_->Ops(), kPath, Options());
        env->ClearFaults();
        if (!st.ok()) {
          failures++;
          ASSERT_TRUE(st.code() == Code::kIo || st.code() == Code::kNoSpace) << st.ToString();
        }
        uint64_t live = RestoreFrom(env->CrashImage(0));
        if (st.ok()) {
          EXPECT_EQ(live, new_fingerprint_);
        } else {
          EXPECT_TRUE(live == old_fingerprint_ || live == new_fingerprint_);
        }
        for (uint64_t seed = 1; seed < 4; seed++) {
          uint64_t after = RestoreFrom(env->CrashImage(seed));
          EXPECT_TRUE(after == old_fingerprint_ || after == new_fingerprint_) << "seed " << seed;
          if (st.ok()) {
            EXPECT_EQ(after, new_fingerprint_) << "an acknowledged capture was lost";
          }
        }
        if (::testing::Test::HasFailure()) return;
      }
      EXPECT_GT(failures, 0u);
    }
  }
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
