// The commit path's dirty check (W5, W14): a page whose committed content hash is known and
// differs is dirty without a read; equal or unknown hashes fall back to comparing bytes, so
// unchanged pages still write no frame.
#include "impl/io/mem_env.h"
#include "impl/wal/wal_format.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::TempDir;

class WalCommit : public ::testing::Test {
 protected:
  io::Env* env = io::DefaultEnv();
  TempDir dir;
  std::string path = dir.File("db");
};

// The random-vs-sequential gap of doc/performance.md: rewriting pages that are not in the
// page cache used to read each one back (a pread from the WAL or main file) only to find
// it changed.
TEST_F(WalCommit, RewritingPagesOutsideTheCacheReadsNoneOfThemBack) {
  Options o = SmallOptions();
  o.cache_pages = 4;  // 16 x 4 = 64 hashes: every page below stays known
  auto p = MustCreate(env, path, o);
  for (uint32_t i = 1; i <= 50; i++) Stage(p.get(), i, Page(i));
  EXPECT_EQ(MustCommit(p.get()), 50u);
  const uint64_t misses = p->stats().cache_misses;
  for (uint32_t i = 1; i <= 50; i++) Stage(p.get(), i, Page(100 + i));
  EXPECT_EQ(MustCommit(p.get()), 50u);
  EXPECT_EQ(p->stats().cache_misses, misses);
  p.reset();
  p = MustOpen(env, path);
  for (uint32_t i = 1; i <= 50; i++) EXPECT_EQ(Read(p.get(), i), Page(100 + i));
}

TEST_F(WalCommit, RestagingCommittedBytesWritesNoFrameWhenTheHashIsKnown) {
  Options o = SmallOptions();
  o.cache_pages = 1;  // the pages are not cached: only the hash and a read can tell
  auto p = MustCreate(env, path, o);
  for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(i));
  EXPECT_EQ(MustCommit(p.get()), 8u);
  for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(i));
  Stage(p.get(), 3, Page(33));
  EXPECT_EQ(MustCommit(p.get()), 1u);
  EXPECT_EQ(Read(p.get(), 3), Page(33));
}

// A shrink changes the committed content of the pages it drops (they read as zeros): their
// hashes must go, or a later commit of zeros there would be taken for a change.
TEST_F(WalCommit, AShrinkForgetsTheHashesOfTheDroppedPages) {
  Options o = SmallOptions();
  o.cache_pages = 1;
  auto p = MustCreate(env, path, o);
  Stage(p.get(), 5, Page(5));
  MustCommit(p.get());
  ASSERT_OK(p->SetPageCount(3));
  MustCommit(p.get());
  ASSERT_OK(p->SetPageCount(6));
  MustCommit(p.get());  // page 5 is committed as zeros now
  Stage(p.get(), 1, Page(1));
  Stage(p.get(), 5, std::vector<uint8_t>(4096, 0));
  EXPECT_EQ(MustCommit(p.get()), 1u);  // page 1 only: page 5 did not change
  EXPECT_EQ(Read(p.get(), 5), std::vector<uint8_t>(4096, 0));
}

// A commit of more pages than the cache holds evicts some of its own pages while the new
// bytes go in: a page evicted before its new bytes arrived must not leave the hash of its
// old bytes behind, or rewriting the new bytes would look like a change.
TEST_F(WalCommit, ACommitLargerThanTheCacheLeavesNoStaleHash) {
  Options o = SmallOptions();
  o.cache_pages = 3;
  auto p = MustCreate(env, path, o);
  for (int round = 0; round < 3; round++) {
    for (uint32_t i = 1; i <= 20; i++) Stage(p.get(), i, Page(100 * round + i));
    EXPECT_EQ(MustCommit(p.get()), 20u) << "round " << round;
    for (uint32_t i = 1; i <= 20; i++) Stage(p.get(), i, Page(100 * round + i));
    EXPECT_EQ(MustCommit(p.get()), 0u) << "round " << round << ": unchanged pages written";
  }
  ASSERT_OK(p->CheckInvariants());
}

TEST_F(WalCommit, WithTheCacheOffEveryPageIsComparedByReading) {
  Options o = SmallOptions();
  o.cache_pages = 0;  // no hashes either (W14 bound 16 x 0)
  auto p = MustCreate(env, path, o);
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i == 2 ? 22 : i));
  EXPECT_EQ(MustCommit(p.get()), 1u);
  ASSERT_OK(p->CheckInvariants());
}

// W28: a commit's lists are kept for the next one, but not after a commit larger than the
// bound (an idle handle would hold them for good), and not with pointers into staged buffers
// after a commit that failed.
TEST(WalCommitScratch, AHugeCommitDoesNotKeepItsListsAfterwards) {
  io::MemEnv env;
  ASSERT_OK(env.CreateDir("/s", 0755));
  Options o = SmallOptions();
  o.page_size = 512;
  auto p = MustCreate(&env, "/s/db", o);
  const uint32_t pages = static_cast<uint32_t>(kKeptCommitScratchEntries) + 100;
  std::vector<uint8_t> b(512);
  for (uint32_t i = 1; i <= pages; i++) {
    std::memcpy(b.data(), &i, sizeof i);
    ASSERT_OK(p->StagePage(i, b.data(), b.size()));
  }
  EXPECT_EQ(MustCommit(p.get()), pages);
  EXPECT_OK(p->CheckInvariants());
}

TEST(WalCommitScratch, AFailedCommitLeavesNoPointerIntoItsStagedBuffers) {
  io::FaultEnv env;
  ASSERT_OK(env.CreateDir("/s", 0755));
  Options o = SmallOptions();
  o.page_size = 512;
  auto p = MustCreate(&env, "/s/db", o);
  std::vector<uint8_t> b(512, 7);
  for (uint32_t i = 1; i <= 10; i++) ASSERT_OK(p->StagePage(i, b.data(), b.size()));
  env.FailNth(io::MemEnv::Op::kWrite, 1, io::FaultKind::kEnospc, false);
  EXPECT_EQ(p->Commit().status().code(), Code::kNoSpace);
  EXPECT_OK(p->CheckInvariants());
  EXPECT_EQ(MustCommit(p.get()), 10u);  // W12: still staged
  EXPECT_OK(p->CheckInvariants());
}

}  // namespace
}  // namespace wal
}  // namespace pager
