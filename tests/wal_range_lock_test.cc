// Byte-range locks of the file seam (env.h E6): open-file-description semantics on PosixEnv
// and the MemEnv model, so that two handles in one process conflict as two processes do.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "impl/io/env.h"
#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace io {
namespace {

using ::pager::testing::TempDir;

class RangeLock : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (!GetParam()) {
      env_ = DefaultEnv();
      path_ = dir_.File("locks");
    } else {
      mem_ = std::make_unique<MemEnv>();
      env_ = mem_.get();
      ASSERT_TRUE(mem_->CreateDir("/d", 0755).ok());
      path_ = "/d/locks";
    }
    OpenOptions o;
    o.write = true;
    o.create = true;
    std::unique_ptr<File> f;
    ASSERT_TRUE(env_->Open(path_, o, &f).ok());
  }
  std::unique_ptr<File> NewFile() {
    OpenOptions o;
    o.write = true;
    std::unique_ptr<File> f;
    Status st = env_->Open(path_, o, &f);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return f;
  }

  TempDir dir_;
  std::unique_ptr<MemEnv> mem_;
  Env* env_ = nullptr;
  std::string path_;
};

TEST_P(RangeLock, TwoFilesOfOneProcessConflictOnExclusive) {
  auto a = NewFile(), b = NewFile();
  ASSERT_TRUE(a->LockRange(100, 1, LockMode::kExclusive, 0).ok());
  EXPECT_EQ(b->LockRange(100, 1, LockMode::kShared, 0).code(), Code::kBusy);
  EXPECT_EQ(b->LockRange(100, 1, LockMode::kExclusive, 0).code(), Code::kBusy);
  EXPECT_TRUE(b->LockRange(101, 1, LockMode::kExclusive, 0).ok()) << "a neighbour byte is free";
}

TEST_P(RangeLock, SharedHoldersCoexistAndBlockExclusive) {
  auto a = NewFile(), b = NewFile(), c = NewFile();
  ASSERT_TRUE(a->LockRange(7, 3, LockMode::kShared, 0).ok());
  ASSERT_TRUE(b->LockRange(8, 1, LockMode::kShared, 0).ok());
  EXPECT_EQ(c->LockRange(9, 1, LockMode::kExclusive, 0).code(), Code::kBusy);
  ASSERT_TRUE(a->UnlockRange(7, 3).ok());
  EXPECT_EQ(c->LockRange(8, 1, LockMode::kExclusive, 0).code(), Code::kBusy) << "b still holds 8";
  EXPECT_TRUE(c->LockRange(9, 1, LockMode::kExclusive, 0).ok());
}

TEST_P(RangeLock, DestroyingTheFileReleasesItsRanges) {
  auto a = NewFile(), b = NewFile();
  ASSERT_TRUE(a->LockRange(0, 16, LockMode::kExclusive, 0).ok());
  a.reset();
  EXPECT_TRUE(b->LockRange(0, 16, LockMode::kExclusive, 0).ok());
}

TEST_P(RangeLock, ClosingAnotherDescriptorDoesNotDropTheLock) {
  // The failure mode of classic fcntl(F_SETLK) locks: closing ANY descriptor of the file in
  // the process drops them all.
  auto a = NewFile(), b = NewFile();
  ASSERT_TRUE(a->LockRange(5, 1, LockMode::kExclusive, 0).ok());
  NewFile().reset();
  EXPECT_EQ(b->LockRange(5, 1, LockMode::kShared, 0).code(), Code::kBusy);
}

TEST_P(RangeLock, RelockingConvertsSharedToExclusive) {
  auto a = NewFile(), b = NewFile();
  ASSERT_TRUE(a->LockRange(3, 1, LockMode::kShared, 0).ok());
  ASSERT_TRUE(a->LockRange(3, 1, LockMode::kExclusive, 0).ok());
  EXPECT_EQ(b->LockRange(3, 1, LockMode::kShared, 0).code(), Code::kBusy);
  ASSERT_TRUE(a->LockRange(3, 1, LockMode::kShared, 0).ok());
  EXPECT_TRUE(b->LockRange(3, 1, LockMode::kShared, 0).ok());
}

TEST_P(RangeLock, PartialUnlockKeepsTheRest) {
  auto a = NewFile(), b = NewFile();
  ASSERT_TRUE(a->LockRange(10, 10, LockMode::kExclusive, 0).ok());
  ASSERT_TRUE(a->UnlockRange(12, 2).ok());
  EXPECT_TRUE(b->LockRange(12, 2, LockMode::kExclusive, 0).ok());
  EXPECT_EQ(b->LockRange(11, 1, LockMode::kShared, 0).code(), Code::kBusy);
  EXPECT_EQ(b->LockRange(14, 1, LockMode::kShared, 0).code(), Code::kBusy);
}

TEST_P(RangeLock, BoundedWaitGivesBusyAfterTheTimeout) {
  auto a = NewFile(), b = NewFile();
  ASSERT_TRUE(a->LockRange(1, 1, LockMode::kExclusive, 0).ok());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(b->LockRange(1, 1, LockMode::kExclusive, 60).code(), Code::kBusy);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(60));
}

TEST_P(RangeLock, EmptyRangeIsInvalid) {
  auto a = NewFile();
  EXPECT_EQ(a->LockRange(1, 0, LockMode::kShared, 0).code(), Code::kInvalid);
  EXPECT_EQ(a->UnlockRange(1, 0).code(), Code::kInvalid);
}

INSTANTIATE_TEST_SUITE_P(Envs, RangeLock, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? std::string("Mem") : std::string("Posix");
                         });

// A lock held by a process that is killed is released by the kernel (what dead-reader
// reclaim relies on), and a child's lock conflicts with the parent's File.
TEST(RangeLockProcess, KilledHolderReleasesItsRange) {
  TempDir dir;
  std::string path = dir.File("locks");
  OpenOptions o;
  o.write = true;
  o.create = true;
  std::unique_ptr<File> f;
  ASSERT_TRUE(DefaultEnv()->Open(path, o, &f).ok());
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  if (pid == 0) {
    std::unique_ptr<File> c;
    OpenOptions co;
    co.write = true;
    if (!DefaultEnv()->Open(path, co, &c).ok()) _exit(1);
    if (!c->LockRange(42, 1, LockMode::kExclusive, 0).ok()) _exit(2);
    if (write(ready[1], "x", 1) != 1) _exit(3);
    for (;;) pause();
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  EXPECT_EQ(f->LockRange(42, 1, LockMode::kShared, 0).code(), Code::kBusy);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(f->LockRange(42, 1, LockMode::kExclusive, 0).ok());
  close(ready[0]);
  close(ready[1]);
}

}  // namespace
}  // namespace io
}  // namespace pager
