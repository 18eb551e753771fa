// I/O-error sweeps of the scratch store (scratch_store.h D1-D4): creating a store and
// removing stale directories fail at every operation in turn. A failed Create reports the
// error and leaves no lock file or directory of its own (under a persistent fault, where its
// cleanup fails too, only what the next stale scan removes); a failing stale scan is best effort
// -- it never removes a live owner's directory or an entry this library did not create, and a
// clean scan afterwards removes what is left. Also: names the scan must skip.
#include <gtest/gtest.h>

#include <algorithm>

#include "impl/cold/scratch_store.h"
#include "impl/io/mem_env.h"
#include "tests/cold_scratch_support.h"
#include "tests/support/test_util.h"

namespace pager {
namespace cold {
namespace {

using ::pager::testing::Touch;

const char* kRoot = "/tmp/root";

std::vector<std::string> Names(io::Env* env, const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_OK(env->ListDir(dir, &names));
  std::sort(names.begin(), names.end());
  return names;
}

bool Exists(io::Env* env, const std::string& path) {
  bool exists = false;
  EXPECT_OK(env->Exists(path, &exists));
  return exists;
}

// A dead owner's lock file and directory with two data files.
void PlantStale(io::Env* env, const std::string& name) {
  Touch(env, std::string(kRoot) + "/" + name);
  ASSERT_OK(env->CreateDir(std::string(kRoot) + "/" + name + ".d", 0700));
  Touch(env, std::string(kRoot) + "/" + name + ".d/data-0");
  Touch(env, std::string(kRoot) + "/" + name + ".d/data-1");
}

TEST(ColdScratchSweep, EveryFailingOperationOfCreateLeavesNothingOfItsOwn) {
  int failures = 0;
  for (uint64_t n = 1; n < 40; n++) {
    for (bool persistent : {false, true}) {
      SCOPED_TRACE("operation " + std::to_string(n) + (persistent ? " and later" : ""));
      io::FaultEnv env;
      env.FailNthAny(n, io::FaultKind::kEio, persistent);
      auto r = ScratchStore::Create(&env, kRoot, 2, 4096, 0);
      env.ClearFaults();
      if (r.ok()) {
        std::unique_ptr<ScratchStore> store = r.take();
        EXPECT_TRUE(Exists(&env, store->lock_path()));
        EXPECT_TRUE(Exists(&env, store->dir()));
        store.reset();
        EXPECT_TRUE(Names(&env, kRoot).empty()) << "the store did not clean up after itself";
        continue;
      }
      failures++;
      EXPECT_EQ(r.status().code(), Code::kIo) << r.status().ToString();
      if (Exists(&env, kRoot) && !persistent) {
        EXPECT_TRUE(Names(&env, kRoot).empty()) << "a failed Create left " << Names(&env, kRoot)[0];
      }
      if (Exists(&env, kRoot)) {
        // Under a persistent fault even the cleanup fails: what is left is an unlocked lock
        // file (and maybe its directory) that the next stale scan removes.
        StaleScan scan;
        ScratchStore::RemoveStale(&env, kRoot, "", &scan);
        EXPECT_EQ(scan.live, 0u);
        EXPECT_TRUE(Names(&env, kRoot).empty()) << "a stale scan left " << Names(&env, kRoot)[0];
      }
      // Retryable: the next Create succeeds.
      auto again = ScratchStore::Create(&env, kRoot, 2, 4096, 0);
      ASSERT_TRUE(again.ok()) << again.status().ToString();
    }
  }
  EXPECT_GE(failures, 4);
}

// A root with two dead owners' directories and a live store's.
std::unique_ptr<ScratchStore> StaleSetup(io::FaultEnv* env) {
  EXPECT_OK(env->CreateDir(kRoot, 0755));
  PlantStale(env, "libpager-cold-dead01");
  PlantStale(env, "libpager-cold-dead02");
  auto live = ScratchStore::Create(env, kRoot, 1, 4096, 0);
  EXPECT_TRUE(live.ok()) << live.status().ToString();
  return live.ok() ? live.take() : nullptr;
}

TEST(ColdScratchSweep, AStaleScanFailingAtEveryOperationRemovesOnlyWhatItMayAndIsRetried) {
  uint64_t total = 0;
  {
    io::FaultEnv probe;
    auto owner = StaleSetup(&probe);
    uint64_t before = probe.OpCount();
    StaleScan scan;
    ScratchStore::RemoveStale(&probe, kRoot, "", &scan);
    ASSERT_EQ(scan.removed, 2u);
    total = probe.OpCount() - before;
  }
  ASSERT_GT(total, 8u);
  for (uint64_t n = 1; n <= total; n++) {
    SCOPED_TRACE("operation " + std::to_string(n) + " of " + std::to_string(total));
    io::FaultEnv env;
    std::unique_ptr<ScratchStore> owner = StaleSetup(&env);
    ASSERT_NE(owner, nullptr);
    env.FailNthAny(n, io::FaultKind::kEio, false);
    StaleScan scan;
    ScratchStore::RemoveStale(&env, kRoot, "", &scan);
    env.ClearFaults();
    EXPECT_TRUE(Exists(&env, owner->dir())) << "a live owner's directory was removed";
    EXPECT_LE(scan.live, 1u);
    EXPECT_LE(scan.removed + scan.failed, 2u);
    // A failed removal (or a lock file that could not be opened or listed) leaves the lock
    // file (D2: it goes last), so the next scan finds and removes the rest.
    StaleScan again;
    ScratchStore::RemoveStale(&env, kRoot, "", &again);
    EXPECT_EQ(again.removed, 2u - scan.removed);
    EXPECT_EQ(again.failed, 0u);
    EXPECT_EQ(again.live, 1u);
    std::string own = owner->lock_path().substr(std::string(kRoot).size() + 1);
    EXPECT_EQ(Names(&env, kRoot), (std::vector<std::string>{own, own + ".d"}));
  }
}

TEST(ColdScratchSweep, AScanSkipsForeignNamesDirectoriesAndItsOwnLock) {
  io::MemEnv env;
  ASSERT_OK(env.CreateDir(kRoot, 0755));
  Touch(&env, std::string(kRoot) + "/unrelated");
  Touch(&env, std::string(kRoot) + "/libpager-cold-mine");  // our own lock: never scanned
  ASSERT_OK(env.CreateDir(std::string(kRoot) + "/libpager-cold-orphan.d", 0700));
  PlantStale(&env, "libpager-cold-dead03");
  std::vector<std::string> visited;
  StaleScan scan;
  ASSERT_OK(ScratchStore::Scan(
      &env, kRoot, "libpager-cold-mine", true,
      [&](const std::string& lock, ScratchState s) {
        visited.push_back(lock);
        EXPECT_EQ(s, ScratchState::kRemoved);
        return Status::Ok();
      },
      &scan));
  EXPECT_EQ(visited, std::vector<std::string>{std::string(kRoot) + "/libpager-cold-dead03"});
  EXPECT_EQ(scan.removed, 1u);
  // A directory without a lock file is no owner's: not ours to judge, left alone.
  EXPECT_EQ(Names(&env, kRoot), (std::vector<std::string>{"libpager-cold-mine",
                                                          "libpager-cold-orphan.d", "unrelated"}));
}

TEST(ColdScratchSweep, AVisitorErrorStopsTheScanAndIsReturned) {
  io::MemEnv env;
  ASSERT_OK(env.CreateDir(kRoot, 0755));
  PlantStale(&env, "libpager-cold-dead04");
  PlantStale(&env, "libpager-cold-dead05");
  int visits = 0;
  StaleScan scan;
  Status st = ScratchStore::Scan(
      &env, kRoot, "", false,
      [&](const std::string&, ScratchState) {
        visits++;
        return Status(Code::kCallback, "stop");
      },
      &scan);
  EXPECT_EQ(st.code(), Code::kCallback);
  EXPECT_EQ(visits, 1);
  EXPECT_EQ(scan.stale, 1u);
}

}  // namespace
}  // namespace cold
}  // namespace pager
