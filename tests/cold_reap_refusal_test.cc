// pager_cold_reap's failure modes: a callback that stops the scan, a root that is not a
// directory, a stale directory whose removal fails half-way (FAILED, the lock file kept so a
// later reap finds it again: D2), and names that are not lock files (skipped, untouched).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"
#include "tests/support/test_util.h"

namespace {

using pager::io::FaultEnv;
using pager::io::FaultKind;
using pager::io::MemEnv;

struct Seen {
  std::vector<std::pair<std::string, uint32_t>> calls;
  size_t stop_at = 0;
  int stop_value = 0;
};

int Visit(void* ctx, const char* lock_path, uint32_t state) {
  auto* seen = static_cast<Seen*>(ctx);
  seen->calls.emplace_back(lock_path, state);
  return seen->calls.size() == seen->stop_at ? seen->stop_value : 0;
}

class ColdReapRefusal : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDir("/r", 0755).ok()); }
  void Touch(const std::string& path) {
    std::unique_ptr<pager::io::File> f;
    pager::io::OpenOptions o;
    o.write = o.create = true;
    ASSERT_TRUE(env_.Open(path, o, &f).ok()) << path;
  }
  // What a killed owner leaves: an unlocked lock file and its directory with a data file.
  void PlantStale(const std::string& name) {
    Touch("/r/" + name);
    ASSERT_TRUE(env_.CreateDir("/r/" + name + ".d", 0700).ok());
    Touch("/r/" + name + ".d/data-0");
  }
  bool Exists(const std::string& path) {
    bool exists = false;
    EXPECT_TRUE(env_.Exists(path, &exists).ok());
    return exists;
  }

  FaultEnv env_;
  outparam::ScopedEnv scoped_{&env_};
};

TEST_F(ColdReapRefusal, ACallbackThatStopsTheScanIsCallbackNamingItsValueAndThePath) {
  PlantStale("libpager-cold-a");
  PlantStale("libpager-cold-b");
  Seen seen;
  seen.stop_at = 1;
  seen.stop_value = 5;
  EXPECT_EQ(pager_cold_reap("/r", 1, Visit, &seen), PAGER_ERR_CALLBACK);
  EXPECT_STREQ(pager_last_error(),
               "pager_cold_reap: the callback returned 5 at /r/libpager-cold-a");
  ASSERT_EQ(seen.calls.size(), 1u);
  EXPECT_EQ(seen.calls[0].second, static_cast<uint32_t>(PAGER_COLD_SCRATCH_REMOVED));
  // The first was removed before its visit; the scan stopped before the second.
  EXPECT_FALSE(Exists("/r/libpager-cold-a"));
  EXPECT_TRUE(Exists("/r/libpager-cold-b"));
  EXPECT_TRUE(Exists("/r/libpager-cold-b.d/data-0"));
}

TEST_F(ColdReapRefusal, AStaleDirectoryWhoseRemovalFailsIsFailedAndKeepsItsLockFile) {
  PlantStale("libpager-cold-a");
  env_.FailNth(MemEnv::Op::kNamespace, 1, FaultKind::kEio, true);  // every remove fails
  Seen seen;
  EXPECT_EQ(pager_cold_reap("/r", 1, Visit, &seen), PAGER_OK) << pager_last_error();
  ASSERT_EQ(seen.calls.size(), 1u);
  EXPECT_EQ(seen.calls[0].second, static_cast<uint32_t>(PAGER_COLD_SCRATCH_FAILED));
  EXPECT_TRUE(Exists("/r/libpager-cold-a"));  // D2: found again by the next reap
  EXPECT_TRUE(Exists("/r/libpager-cold-a.d/data-0"));
  env_.ClearFaults();
  seen.calls.clear();
  EXPECT_EQ(pager_cold_reap("/r", 1, Visit, &seen), PAGER_OK) << pager_last_error();
  ASSERT_EQ(seen.calls.size(), 1u);
  EXPECT_EQ(seen.calls[0].second, static_cast<uint32_t>(PAGER_COLD_SCRATCH_REMOVED));
  EXPECT_FALSE(Exists("/r/libpager-cold-a.d"));
}

TEST_F(ColdReapRefusal, AStaleDirectoryThatCannotBeListedIsFailedAndUntouched) {
  PlantStale("libpager-cold-a");
  // Reads: listing the root, opening the lock file, then listing the stale directory.
  env_.FailNth(MemEnv::Op::kRead, 3, FaultKind::kEio, false);
  Seen seen;
  EXPECT_EQ(pager_cold_reap("/r", 1, Visit, &seen), PAGER_OK) << pager_last_error();
  ASSERT_EQ(seen.calls.size(), 1u);
  EXPECT_EQ(seen.calls[0].second, static_cast<uint32_t>(PAGER_COLD_SCRATCH_FAILED));
  EXPECT_TRUE(Exists("/r/libpager-cold-a"));
  EXPECT_TRUE(Exists("/r/libpager-cold-a.d/data-0"));
}

TEST_F(ColdReapRefusal, ARootThatCannotBeListedIsTheListingsError) {
  env_.FailNth(MemEnv::Op::kRead, 1, FaultKind::kEio, false);
  Seen seen;
  EXPECT_EQ(pager_cold_reap("/r", 0, Visit, &seen), PAGER_ERR_IO);
  // Operation 2 of the env: SetUp's mkdir was the first.
  EXPECT_STREQ(pager_last_error(),
               "list scratch root: injected EIO on read of /r (operation 2)");
  EXPECT_TRUE(seen.calls.empty());
}

TEST_F(ColdReapRefusal, NamesThatAreNotLockFilesAreSkippedAndALockFileWithoutItsDirectoryGoes) {
  Touch("/r/other");
  ASSERT_TRUE(env_.CreateDir("/r/libpager-cold-x.d", 0700).ok());  // a directory, no lock file
  Touch("/r/libpager-cold-y");                                      // a lock file, no directory
  Seen seen;
  EXPECT_EQ(pager_cold_reap("/r", 1, Visit, &seen), PAGER_OK) << pager_last_error();
  ASSERT_EQ(seen.calls.size(), 1u);
  EXPECT_EQ(seen.calls[0].first, "/r/libpager-cold-y");
  EXPECT_EQ(seen.calls[0].second, static_cast<uint32_t>(PAGER_COLD_SCRATCH_REMOVED));
  EXPECT_TRUE(Exists("/r/other"));
  EXPECT_TRUE(Exists("/r/libpager-cold-x.d"));
  EXPECT_FALSE(Exists("/r/libpager-cold-y"));
}

}  // namespace

// On POSIX a root that is a file opens nothing: the listing's ENOTDIR is the answer.
TEST(ColdReapPosix, ARootThatIsAFileIsIoNotADirectory) {
  pager::testing::TempDir tmp;
  std::string root = tmp.File("f");
  pager::testing::WriteWholeFile(root, {1, 2, 3});
  EXPECT_EQ(pager_cold_reap(root.c_str(), 0, nullptr, nullptr), PAGER_ERR_IO);
  EXPECT_EQ(std::string(pager_last_error()), "list scratch root: list " + root + ": Not a directory");
  EXPECT_EQ(pager::testing::ReadWholeFile(root), (std::vector<uint8_t>{1, 2, 3}));
}
