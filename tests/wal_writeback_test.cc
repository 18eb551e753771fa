// W13 / E7: a checkpoint asks the kernel to start writing back each kCheckpointWritebackBytes
// of spans it copied, before the main file's fdatasync (a hint: nothing becomes durable by
// it). What the hint costs when it fails: an I/O error is a failed write (the handle is
// poisoned, the WAL keeps every frame), a full disk fails the checkpoint without poison and
// the next one copies everything (W12).
#include <string>
#include <utility>
#include <vector>

#include "impl/io/mem_env.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

const char* kDir = "/w";
const char* kPath = "/w/db";

constexpr uint32_t kPagesPerHint = kCheckpointWritebackBytes / 4096;

// Pages 1..pages, one commit, page p holding Page(seed_base + p).
void CommitPages(WalPager* p, uint32_t pages, uint64_t seed_base) {
  for (uint32_t page = 1; page <= pages; page++) Stage(p, page, Page(seed_base + page));
  MustCommit(p);
}

void ExpectPages(io::Env* env, uint32_t pages, uint64_t seed_base) {
  auto ro = MustOpen(env, kPath, AccessMode::kReadOnly);
  ASSERT_NE(ro, nullptr);
  for (uint32_t page = 1; page <= pages; page++) {
    ASSERT_EQ(Read(ro.get(), page), Page(seed_base + page)) << "page " << page;
  }
}

TEST(WalWriteback, ACheckpointStartsWritebackOfEachMebibyteItCopiesBeforeTheMainFilesSync) {
  RecordingEnv env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  auto p = MustCreate(&env, kPath);
  const uint32_t pages = 2 * kPagesPerHint + 10;  // two whole hints; the rest goes unhinted
  CommitPages(p.get(), pages, 1000);
  env.events.clear();
  const uint64_t before = p->stats().checkpoint_writebacks;
  EXPECT_EQ(MustCheckpoint(p.get()), pages);
  EXPECT_EQ(p->stats().checkpoint_writebacks - before, 2u);
  const std::vector<std::string> want_prefix = {"writeback /w/db", "writeback /w/db",
                                                "sync /w/db"};
  ASSERT_GE(env.events.size(), want_prefix.size());
  EXPECT_EQ(std::vector<std::string>(env.events.begin(), env.events.begin() + 3), want_prefix)
      << "the hints must come before the main file's first sync";
  p.reset();
  ExpectPages(&env, pages, 1000);
}

// Spans farther apart than the bridge are separate writes; the bytes they write still add up
// toward a hint (one range from the first unhinted byte: the gaps between hold no bytes this
// checkpoint dirtied, and the kernel skips clean pages), so a checkpoint of scattered pages
// -- a large file, a background catch-up -- starts writeback too.
TEST(WalWriteback, SpansFartherApartThanTheBridgeAddUpToAHint) {
  RecordingEnv env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  auto p = MustCreate(&env, kPath);
  const uint32_t stride = kCheckpointBridgeBytes / 4096 + 4;  // each page its own span
  const uint32_t pages = kPagesPerHint + 10;
  for (uint32_t i = 0; i < pages; i++) Stage(p.get(), 1 + i * stride, Page(6000 + i));
  MustCommit(p.get());
  const uint64_t writes_before = p->stats().checkpoint_writes;
  const uint64_t before = p->stats().checkpoint_writebacks;
  EXPECT_EQ(MustCheckpoint(p.get()), pages);
  EXPECT_EQ(p->stats().checkpoint_writes - writes_before, uint64_t{pages}) << "one span per page";
  EXPECT_EQ(p->stats().checkpoint_writebacks - before, 1u);
  p.reset();
  auto ro = MustOpen(&env, kPath, AccessMode::kReadOnly);
  for (uint32_t i = 0; i < pages; i++) {
    ASSERT_EQ(Read(ro.get(), 1 + i * stride), Page(6000 + i)) << "page " << 1 + i * stride;
  }
}

TEST(WalWriteback, ACheckpointOfLessThanOneHintsWorthStartsNoWriteback) {
  RecordingEnv env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  auto p = MustCreate(&env, kPath);
  CommitPages(p.get(), kPagesPerHint - 1, 2000);
  const uint64_t before = p->stats().checkpoint_writebacks;
  EXPECT_EQ(MustCheckpoint(p.get()), kPagesPerHint - 1);
  EXPECT_EQ(p->stats().checkpoint_writebacks - before, 0u);
}

// The copy's buffers are kept from checkpoint to checkpoint (copy_scratch_); the bytes a
// checkpoint left unhinted (its fdatasync covered them) must not count toward the next
// one's first hint, nor move the start of its hinted range before its own writes.
TEST(WalWriteback, EachCheckpointCountsItsHintBytesFromZero) {
  RecordingEnv env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  auto p = MustCreate(&env, kPath);
  CommitPages(p.get(), kPagesPerHint + kPagesPerHint / 2, 3000);
  uint64_t before = p->stats().checkpoint_writebacks;
  EXPECT_EQ(MustCheckpoint(p.get()), kPagesPerHint + kPagesPerHint / 2);
  EXPECT_EQ(p->stats().checkpoint_writebacks - before, 1u) << "one whole MiB, half a MiB left";
  CommitPages(p.get(), kPagesPerHint / 2 + 1, 4000);
  before = p->stats().checkpoint_writebacks;
  EXPECT_EQ(MustCheckpoint(p.get()), kPagesPerHint / 2 + 1);
  EXPECT_EQ(p->stats().checkpoint_writebacks - before, 0u)
      << "half a MiB and a page: less than one hint's worth of this checkpoint's own bytes";
  ExpectPages(&env, kPagesPerHint / 2 + 1, 4000);
}

// An I/O error starting writeback is a failed write of the main file: the checkpoint fails,
// the handle is poisoned (W12), the WAL was not reset, and every crash image and a reopen
// hold every committed page.
TEST(WalWriteback, AnIoErrorStartingWritebackFailsTheCheckpointPoisonsAndLosesNothing) {
  io::FaultEnv env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  auto p = MustCreate(&env, kPath);
  const uint32_t pages = kPagesPerHint + 3;
  CommitPages(p.get(), pages, 3000);
  env.FailNth(io::MemEnv::Op::kWriteback, 1, io::FaultKind::kEio, false);
  EXPECT_EQ(p->Checkpoint().status().code(), Code::kIo);
  env.ClearFaults();
  EXPECT_EQ(p->state(), State::kPoisoned);
  EXPECT_EQ(p->stats().wal_frames, uint64_t{pages}) << "the WAL was reset";
  p.reset();
  for (uint64_t seed = 0; seed < 8; seed++) {
    auto img = io::FaultEnv::FromImage(env.CrashImage(seed));
    ExpectPages(img.get(), pages, 3000);
  }
  auto rw = MustOpen(&env, kPath);  // recovery checkpoint on the live machine
  ASSERT_NE(rw, nullptr);
  rw.reset();
  ExpectPages(&env, pages, 3000);
}

// A full disk reported while starting writeback fails the checkpoint without poison (W12):
// the WAL keeps its frames, commits go on, and the next checkpoint copies them all.
TEST(WalWriteback, ANoSpaceErrorStartingWritebackFailsTheCheckpointWithoutPoisonAndTheNextOneCopies) {
  io::FaultEnv env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  auto p = MustCreate(&env, kPath);
  const uint32_t pages = kPagesPerHint + 3;
  CommitPages(p.get(), pages, 4000);
  env.FailNth(io::MemEnv::Op::kWriteback, 1, io::FaultKind::kEnospc, false);
  EXPECT_EQ(p->Checkpoint().status().code(), Code::kNoSpace);
  env.ClearFaults();
  EXPECT_NE(p->state(), State::kPoisoned);
  EXPECT_EQ(p->stats().wal_frames, uint64_t{pages});
  Stage(p.get(), 1, Page(5001));
  MustCommit(p.get());
  EXPECT_EQ(MustCheckpoint(p.get()), pages);
  EXPECT_EQ(p->stats().wal_frames, 0u);
  p.reset();
  auto ro = MustOpen(&env, kPath, AccessMode::kReadOnly);
  EXPECT_EQ(Read(ro.get(), 1), Page(5001));
  for (uint32_t page = 2; page <= pages; page++) {
    ASSERT_EQ(Read(ro.get(), page), Page(4000 + page)) << "page " << page;
  }
}

}  // namespace
}  // namespace wal
}  // namespace pager
