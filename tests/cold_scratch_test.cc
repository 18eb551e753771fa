// The scratch directory (scratch_store.h D1-D4): private 0700 directory, set once, retryable,
// stale directories of dead processes removed through their free flock, live ones kept.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "impl/cold/cold_pager.h"
#include "impl/io/mem_env.h"
#include "tests/cold_scratch_support.h"
#include "tests/support/test_util.h"

namespace pager {
namespace cold {
namespace {

using testing::PatternBytes;
using testing::Touch;

bool PathExists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

// What a dead owner `name` leaves under /tmp/root: its lock file (no lock held) and its
// directory.
void LeaveDeadOwner(io::MemEnv* env, const std::string& name) {
  ASSERT_NO_FATAL_FAILURE(Touch(env, "/tmp/root/" + name));
  ASSERT_OK(env->CreateDir("/tmp/root/" + name + ".d", 0700));
}

TEST(ColdScratch, PrivateDirectoryIsCreatedWithMode0700) {
  testing::TempDir root;
  ColdPager pager(io::DefaultEnv());
  ASSERT_OK(pager.SetScratchDir(root.path()));
  std::string dir = pager.scratch_dir();
  ASSERT_EQ(dir.compare(0, root.path().size(), root.path()), 0) << dir;
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(ColdScratch, MissingRootIsCreatedButNotItsParent) {
  testing::TempDir base;
  ColdPager pager(io::DefaultEnv());
  Status st = pager.SetScratchDir(base.File("no/such"));
  EXPECT_EQ(st.code(), Code::kNotFound) << st.ToString();
  EXPECT_EQ(pager.scratch_dir(), "");
  ASSERT_OK(pager.SetScratchDir(base.File("fresh")));  // retryable, with another path
  EXPECT_TRUE(PathExists(pager.scratch_dir()));
}

TEST(ColdScratch, SecondCallWithAnotherPathIsRefused) {
  testing::TempDir a, b;
  ColdPager pager(io::DefaultEnv());
  ASSERT_OK(pager.SetScratchDir(a.path()));
  std::string dir = pager.scratch_dir();
  ASSERT_OK(pager.SetScratchDir(a.path() + "/"));  // the same root: ok, nothing changes
  Status st = pager.SetScratchDir(b.path());
  EXPECT_EQ(st.code(), Code::kExists);
  EXPECT_NE(st.message().find(a.path()), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(b.path()), std::string::npos) << st.message();
  EXPECT_EQ(pager.scratch_dir(), dir);
}

TEST(ColdScratch, EmptyRootIsInvalid) {
  io::MemEnv env;
  ColdPager pager(&env);
  EXPECT_EQ(pager.SetScratchDir("").code(), Code::kInvalid);
}

TEST(ColdScratch, DestroyingThePagerRemovesItsDirectory) {
  testing::TempDir root;
  std::string dir;
  {
    ColdPager pager(io::DefaultEnv());
    ASSERT_OK(pager.SetScratchDir(root.path()));
    dir = pager.scratch_dir();
    auto data = PatternBytes(1, 5000);
    Chunk c{data.data(), data.size()};
    auto h = pager.Pageout(Backend::kFile, &c, 1, PageoutOptions()).take();
    EXPECT_TRUE(PathExists(dir + "/data-0"));
  }
  EXPECT_FALSE(PathExists(dir));
  EXPECT_FALSE(PathExists(dir.substr(0, dir.size() - 2)));  // the lock file
}

TEST(ColdScratch, StaleDirectoryOfADeadProcessIsRemoved) {
  testing::TempDir root;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child pages out to the file backend and dies without cleaning up.
    close(fds[0]);
    auto* pager = new ColdPager(io::DefaultEnv());  // never destroyed: a crash leaves it all
    if (!pager->SetScratchDir(root.path()).ok()) _exit(1);
    std::vector<uint8_t> data(10000, 7);
    Chunk c{data.data(), data.size()};
    auto r = pager->Pageout(Backend::kFile, &c, 1, PageoutOptions());
    if (!r.ok()) _exit(2);
    r.take().release();
    std::string dir = pager->scratch_dir();
    if (write(fds[1], dir.c_str(), dir.size()) != static_cast<ssize_t>(dir.size())) _exit(3);
    _exit(0);
  }
  close(fds[1]);
  char buf[4096] = {0};
  ssize_t n = read(fds[0], buf, sizeof buf - 1);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_GT(n, 0);
  std::string child_dir(buf, static_cast<size_t>(n));
  ASSERT_TRUE(PathExists(child_dir + "/data-0"));  // the dead process left its data behind

  ColdPager pager(io::DefaultEnv());
  ASSERT_OK(pager.SetScratchDir(root.path()));
  EXPECT_FALSE(PathExists(child_dir));
  EXPECT_FALSE(PathExists(child_dir.substr(0, child_dir.size() - 2)));
  EXPECT_EQ(pager.GetStats().stale_dir_removed_count, 1u);
}

TEST(ColdScratch, DirectoryOfALiveOwnerIsKept) {
  testing::TempDir root;
  ColdPager first(io::DefaultEnv());
  ASSERT_OK(first.SetScratchDir(root.path()));
  auto data = PatternBytes(2, 3000);
  Chunk c{data.data(), data.size()};
  auto h = first.Pageout(Backend::kFile, &c, 1, PageoutOptions()).take();
  // A second owner (its own open file description, so flock conflicts like another process).
  ColdPager second(io::DefaultEnv());
  ASSERT_OK(second.SetScratchDir(root.path()));
  EXPECT_EQ(second.GetStats().stale_dir_removed_count, 0u);
  EXPECT_NE(first.scratch_dir(), second.scratch_dir());
  std::vector<uint8_t> out(3000);
  ASSERT_OK(first.ReadAt(*h, 0, 3000, out.data()));
  EXPECT_EQ(out, data);
}

TEST(ColdScratch, UnlockedLockFileMarksAStaleDirectory) {
  io::MemEnv env;
  ASSERT_OK(env.CreateDir("/tmp/root", 0755));
  // What a dead owner leaves: lock file (no lock held) + directory with data files.
  ASSERT_NO_FATAL_FAILURE(LeaveDeadOwner(&env, "libpager-cold-dead01"));
  ASSERT_NO_FATAL_FAILURE(Touch(&env, "/tmp/root/libpager-cold-dead01.d/data-0"));
  // Unrelated entries under the root are never touched.
  ASSERT_NO_FATAL_FAILURE(Touch(&env, "/tmp/root/unrelated"));
  ColdPager pager(&env);
  ASSERT_OK(pager.SetScratchDir("/tmp/root"));
  bool exists = true;
  ASSERT_OK(env.Exists("/tmp/root/libpager-cold-dead01.d", &exists));
  EXPECT_FALSE(exists);
  ASSERT_OK(env.Exists("/tmp/root/libpager-cold-dead01", &exists));
  EXPECT_FALSE(exists);
  ASSERT_OK(env.Exists("/tmp/root/unrelated", &exists));
  EXPECT_TRUE(exists);
  EXPECT_EQ(pager.GetStats().stale_dir_removed_count, 1u);
}

TEST(ColdScratch, StaleDirectoryWithForeignEntriesIsLeftAlone) {
  io::MemEnv env;
  ASSERT_OK(env.CreateDir("/tmp/root", 0755));
  ASSERT_NO_FATAL_FAILURE(LeaveDeadOwner(&env, "libpager-cold-dead02"));
  ASSERT_NO_FATAL_FAILURE(Touch(&env, "/tmp/root/libpager-cold-dead02.d/precious"));
  ColdPager pager(&env);
  ASSERT_OK(pager.SetScratchDir("/tmp/root"));  // cleanup is best effort, never an error
  bool exists = false;
  ASSERT_OK(env.Exists("/tmp/root/libpager-cold-dead02.d/precious", &exists));
  EXPECT_TRUE(exists);
  EXPECT_EQ(pager.GetStats().stale_dir_removed_count, 0u);
}

TEST(ColdScratch, FailedSetupLeavesNothingAndCanBeRetried) {
  io::FaultEnv env;
  ASSERT_OK(env.CreateDir("/tmp/root", 0755));
  env.FailNth(io::MemEnv::Op::kOpen, 1, io::FaultKind::kEio, false);  // the lock file
  ColdPager pager(&env);
  Status st = pager.SetScratchDir("/tmp/root");
  EXPECT_EQ(st.code(), Code::kIo) << st.ToString();
  EXPECT_EQ(pager.scratch_dir(), "");
  env.FailNth(io::MemEnv::Op::kNamespace, 1, io::FaultKind::kEnospc, false);  // the mkdir
  st = pager.SetScratchDir("/tmp/root");
  EXPECT_EQ(st.code(), Code::kNoSpace) << st.ToString();
  std::vector<std::string> names;
  ASSERT_OK(env.ListDir("/tmp/root", &names));
  EXPECT_TRUE(names.empty()) << names.size();  // the half-made lock file was removed
  env.ClearFaults();
  ASSERT_OK(pager.SetScratchDir("/tmp/root"));
  EXPECT_NE(pager.scratch_dir(), "");
}


// pager_cold_reap's dry run (ScratchStore::Scan with remove false): a dead owner's directory
// is reported stale and left in place; a live owner's is reported live; then remove takes
// only the stale one.
TEST(ColdScratch, ScanWithoutRemovalReportsStaleAndLiveAndRemovesNothing) {
  io::MemEnv env;
  ASSERT_OK(env.CreateDir("/tmp/root", 0755));
  ASSERT_NO_FATAL_FAILURE(LeaveDeadOwner(&env, "libpager-cold-dead01"));
  ColdPager live(&env);
  ASSERT_OK(live.SetScratchDir("/tmp/root"));  // removes dead01 itself: make another
  ASSERT_NO_FATAL_FAILURE(LeaveDeadOwner(&env, "libpager-cold-dead02"));
  std::vector<std::pair<std::string, ScratchState>> seen;
  auto visit = [&](const std::string& lock, ScratchState s) {
    seen.emplace_back(lock, s);
    return Status::Ok();
  };
  StaleScan scan;
  ASSERT_OK(ScratchStore::Scan(&env, "/tmp/root", "", false, visit, &scan));
  ASSERT_EQ(seen.size(), 2u);
  int stale = 0, alive = 0;
  for (const auto& [lock, s] : seen) {
    stale += s == ScratchState::kStale && lock == "/tmp/root/libpager-cold-dead02";
    alive += s == ScratchState::kLive;
  }
  EXPECT_EQ(stale, 1);
  EXPECT_EQ(alive, 1);
  bool exists = false;
  ASSERT_OK(env.Exists("/tmp/root/libpager-cold-dead02.d", &exists));
  EXPECT_TRUE(exists) << "a scan without removal removed a directory";
  seen.clear();
  ASSERT_OK(ScratchStore::Scan(&env, "/tmp/root", "", true, visit, &scan));
  ASSERT_OK(env.Exists("/tmp/root/libpager-cold-dead02.d", &exists));
  EXPECT_FALSE(exists);
  ASSERT_OK(env.Exists(live.scratch_dir(), &exists));
  EXPECT_TRUE(exists) << "a live owner's directory was removed";
}

}  // namespace
}  // namespace cold
}  // namespace pager
