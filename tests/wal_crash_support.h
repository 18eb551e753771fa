// Scaffolding shared by the WAL crash sweeps: tests/wal_crash_test.cc (read transactions of
// the writer's own handle) and tests/wal_crash_readers_test.cc (readers of other handles).
// A sweep runs its workload once fault-free, then once frozen at every sync point
// (FaultEnv::CrashAtSync), and checks several power-loss images of each point; every image
// must show one committed prefix of the history.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "tests/wal_model.h"

namespace pager {
namespace wal {
namespace testing {

constexpr const char* kCrashDir = "/db";
constexpr const char* kCrashPath = "/db/main";
constexpr uint32_t kCrashPageSize = 512;

// Power-loss images per sync point; PAGER_WAL_CRASH_SEEDS=N runs a longer sweep by hand.
inline int SeedsPerSyncPoint() {
  const char* s = std::getenv("PAGER_WAL_CRASH_SEEDS");
  int n = s ? std::atoi(s) : 0;
  return n > 0 ? n : 8;
}

// Small pages and a WAL that is pre-written and kept, so that few commits reach every step.
inline Options CrashOptions(Durability d) {
  Options o;
  o.page_size = kCrashPageSize;
  o.durability = d;
  o.auto_checkpoint_frames = 0;
  o.wal_prewrite_bytes = 8192;
  o.wal_keep_bytes = 16384;
  return o;
}

inline std::string CrashLabel(const char* name, uint64_t sync, uint64_t total, int seed) {
  return std::string(name) + " crash at sync " + std::to_string(sync) + "/" +
         std::to_string(total) + " seed " + std::to_string(seed);
}

// The committed prefix, at or after history[lo], that the handle shows (its state in *seen);
// -2, with a failure, where it shows none or cannot be read.
inline int ExpectCommittedPrefix(WalPager* p, const std::vector<Snapshot>& history, size_t lo,
                                 Snapshot* seen) {
  Status st = Capture(p, seen);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return -2;
  int j = FindInHistory(history, *seen, lo, history.size() - 1);
  EXPECT_GE(j, 0) << "visible state " << seen->Describe()
                  << " is not a committed prefix at or after #" << lo << " (history has "
                  << history.size() << " entries, newest " << history.back().Describe() << ")";
  return j < 0 ? -2 : j;
}

// What a sweep's images recovered to: a history index, -1 where the database did not open
// (allowed only before create returned), -2 where a check failed.
struct SweepOutcomes {
  std::set<int> seen;
  uint64_t images = 0;

  void Add(int history_index) {
    seen.insert(history_index);
    images++;
  }
  // The sweep reached many distinct committed prefixes (it is not vacuous) and no image failed.
  void Expect(const char* name, uint64_t sync_points) const {
    EXPECT_GE(seen.size(), 5u) << name;
    EXPECT_EQ(seen.count(-2), 0u) << name;
    std::printf("[%s] %llu sync points, %llu crash images, %zu distinct outcomes\n", name,
                static_cast<unsigned long long>(sync_points),
                static_cast<unsigned long long>(images), seen.size());
  }
};

// For every sync point k in 1..total: run(&env, k) runs the workload on a FaultEnv frozen at
// its k-th sync and returns the run's result r; verify(image, r, label) then checks
// SeedsPerSyncPoint() power-loss images of that point. Stops at the first failure.
template <typename RunAt, typename VerifyImage>
void CrashAtEverySyncPoint(const char* name, uint64_t total, RunAt run, VerifyImage verify) {
  for (uint64_t k = 1; k <= total; k++) {
    io::FaultEnv env;
    env.CrashAtSync(k);
    auto r = run(&env, k);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << name << ": the run failed around the crash at sync " << k;
      return;
    }
    EXPECT_TRUE(env.crashed()) << name << " sync " << k;
    for (int seed = 0; seed < SeedsPerSyncPoint(); seed++) {
      verify(env.CrashImage(k * 1000 + static_cast<uint64_t>(seed)), r,
             CrashLabel(name, k, total, seed));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

}  // namespace testing
}  // namespace wal
}  // namespace pager
