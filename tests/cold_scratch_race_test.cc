// ScratchStore::Create against a concurrent stale-directory scan (scratch_store.h D1, D2): a
// fresh lock file looks unowned until its creator locks it, so a scanner in another process
// may lock it first (the creator must give it up and take another name) or remove it (the
// creator must not keep a lock on a file that is gone), and a root another process creates at
// the same moment is fine. The races are forced with an Env that plays the scanner.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "impl/cold/scratch_store.h"
#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace cold {
namespace {

// A MemEnv in which a "scanner" acts right after each unique lock file is created.
class RacingScanEnv : public io::MemEnv {
 public:
  enum class Race { kNone, kLockIt, kRemoveIt };
  Race race = Race::kNone;
  int races_left = 0;
  bool root_appears_concurrently = false;
  std::vector<std::unique_ptr<io::File>> scanner_locks;
  std::vector<std::string> created;

  Status CreateUniqueFile(const std::string& dir, const std::string& prefix, std::string* path,
                          std::unique_ptr<io::File>* out) override {
    PAGER_RETURN_IF_ERROR(MemEnv::CreateUniqueFile(dir, prefix, path, out));
    created.push_back(*path);
    if (races_left == 0) return Status::Ok();
    races_left--;
    if (race == Race::kLockIt) {
      std::unique_ptr<io::File> f;
      PAGER_RETURN_IF_ERROR(MemEnv::Open(*path, io::OpenOptions{}, &f));
      PAGER_RETURN_IF_ERROR(f->Lock(io::LockMode::kExclusive, 0));
      scanner_locks.push_back(std::move(f));
    } else if (race == Race::kRemoveIt) {
      PAGER_RETURN_IF_ERROR(MemEnv::Remove(*path));
    }
    return Status::Ok();
  }

  // The root does not exist when asked, and exists when created (another process won).
  Status Exists(const std::string& path, bool* exists) override {
    if (root_appears_concurrently && path == "/r") {
      root_appears_concurrently = false;
      PAGER_RETURN_IF_ERROR(MemEnv::CreateDir(path, 0755));
      *exists = false;
      return Status::Ok();
    }
    return MemEnv::Exists(path, exists);
  }
};

TEST(ColdScratchRace, ALockFileAScannerLockedFirstIsGivenUpForAnotherName) {
  RacingScanEnv env;
  ASSERT_OK(env.CreateDir("/r", 0755));
  env.race = RacingScanEnv::Race::kLockIt;
  env.races_left = 2;
  auto s = ScratchStore::Create(&env, "/r", 1, 4096, 0);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(env.created.size(), 3u);
  EXPECT_EQ(s.value()->lock_path(), env.created[2]);  // the third name, locked by us
}

TEST(ColdScratchRace, ALockFileAScannerRemovedFirstIsGivenUpForAnotherName) {
  RacingScanEnv env;
  ASSERT_OK(env.CreateDir("/r", 0755));
  env.race = RacingScanEnv::Race::kRemoveIt;
  env.races_left = 1;
  auto s = ScratchStore::Create(&env, "/r", 1, 4096, 0);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(env.created.size(), 2u);
  EXPECT_EQ(s.value()->lock_path(), env.created[1]);
  bool exists = false;
  ASSERT_OK(env.Exists(s.value()->dir(), &exists));
  EXPECT_TRUE(exists);
}

TEST(ColdScratchRace, SixteenLostRacesInARowAreBusyAndLeaveNoDirectory) {
  RacingScanEnv env;
  ASSERT_OK(env.CreateDir("/r", 0755));
  env.race = RacingScanEnv::Race::kLockIt;
  env.races_left = 16;
  auto s = ScratchStore::Create(&env, "/r", 1, 4096, 0);
  EXPECT_EQ(s.status().code(), Code::kBusy);
  EXPECT_EQ(s.status().message(),
            "could not create a scratch lock file in /r that no stale-directory scan took first "
            "(16 attempts)");
  EXPECT_EQ(env.created.size(), 16u);
  std::vector<std::string> names;
  ASSERT_OK(env.ListDir("/r", &names));
  for (const std::string& n : names) EXPECT_EQ(n.find(".d"), std::string::npos) << n;
}

TEST(ColdScratchRace, ARootCreatedConcurrentlyByAnotherProcessIsUsed) {
  RacingScanEnv env;
  env.root_appears_concurrently = true;
  auto s = ScratchStore::Create(&env, "/r", 1, 4096, 0);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s.value()->root(), "/r");
}

}  // namespace
}  // namespace cold
}  // namespace pager
