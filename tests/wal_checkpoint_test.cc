// The checkpoint's copy loop (W13): pages in ascending order, one write per span of pages
// at most kCheckpointBridgeBytes apart (the pages between them rewritten unchanged), runs of
// consecutive frames read with one scatter read, and the splits a large run needs (IOV_MAX
// slices, batches of kCheckpointBatchBytes).
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>

#include "impl/wal/wal_format.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::TempDir;

class WalCheckpoint : public ::testing::Test {
 protected:
  io::Env* env = io::DefaultEnv();
  TempDir dir;
  std::string path = dir.File("db");

  // Reopens (recovery checkpoints nothing: the WAL was reset) and reads every page back.
  void ExpectPagesAfterReopen(std::unique_ptr<WalPager>* p,
                              const std::vector<std::pair<uint32_t, uint64_t>>& want) {
    p->reset();
    *p = MustOpen(env, path);
    for (const auto& [page, seed] : want) {
      ASSERT_EQ(Read(p->get(), page), Page(seed)) << "page " << page;
    }
  }
};

TEST_F(WalCheckpoint, PagesCommittedOutOfOrderAreWrittenInOneSpanThatKeepsThePagesBetween) {
  auto p = MustCreate(env, path);
  std::map<uint32_t, uint64_t> latest;
  uint64_t seed = 1;
  for (uint32_t page = 1; page <= 30; page++) {  // every page in the main file first
    Stage(p.get(), page, Page(seed));
    latest[page] = seed++;
  }
  MustCommit(p.get());
  MustCheckpoint(p.get());
  // Three commits touching runs {3..7}, {10}, {20..25} in scrambled order, some pages twice.
  const std::vector<std::vector<uint32_t>> commits = {{10, 5, 22, 3}, {7, 20, 25, 4, 5},
                                                      {21, 6, 24, 23, 22, 3}};
  for (const auto& pages : commits) {
    for (uint32_t page : pages) {
      Stage(p.get(), page, Page(seed));
      latest[page] = seed++;
    }
    MustCommit(p.get());
  }
  const uint64_t writes_before = p->stats().checkpoint_writes;
  EXPECT_EQ(MustCheckpoint(p.get()), 12u);
  // Gaps of 2 and 9 pages are bridged with the main file's bytes: one write of pages 3..25.
  EXPECT_EQ(p->stats().checkpoint_writes - writes_before, 1u);
  std::vector<std::pair<uint32_t, uint64_t>> want(latest.begin(), latest.end());
  ExpectPagesAfterReopen(&p, want);
}

// W13: a gap wider than kCheckpointBridgeBytes splits the copy into two writes.
TEST_F(WalCheckpoint, PagesFartherApartThanTheBridgeAreWrittenSeparately) {
  const uint32_t bridge_pages = kCheckpointBridgeBytes / 4096;
  auto p = MustCreate(env, path);
  const uint32_t near = 2 + bridge_pages;  // bridge_pages between 1 and near
  const uint32_t far = near + bridge_pages + 2;  // bridge_pages + 1 between near and far
  const std::vector<std::pair<uint32_t, uint64_t>> want = {{1, 11}, {near, 12}, {far, 13}};
  for (const auto& [page, seed] : want) Stage(p.get(), page, Page(seed));
  MustCommit(p.get());
  const uint64_t writes_before = p->stats().checkpoint_writes;
  EXPECT_EQ(MustCheckpoint(p.get()), 3u);
  EXPECT_EQ(p->stats().checkpoint_writes - writes_before, 2u);
  ExpectPagesAfterReopen(&p, want);
}

// W13: pages between two copied pages that the main file does not hold yet are written as
// the zeros they read as (W3), not as whatever the buffer held.
TEST_F(WalCheckpoint, BridgedPagesPastTheMainFilesEndAreWrittenAsZeros) {
  auto p = MustCreate(env, path);
  for (uint32_t page = 1; page <= 40; page++) Stage(p.get(), page, Page(900 + page));
  MustCommit(p.get());
  MustCheckpoint(p.get());  // the main file ends after page 40
  std::vector<std::pair<uint32_t, uint64_t>> want;
  for (uint32_t page = 1; page <= 12; page++) {  // the first span leaves its bytes in the buffer
    Stage(p.get(), page, Page(page));
    want.emplace_back(page, page);
  }
  Stage(p.get(), 50, Page(50));
  Stage(p.get(), 60, Page(60));  // pages 51..59 were never written
  want.emplace_back(50, 50);
  want.emplace_back(60, 60);
  MustCommit(p.get());
  MustCheckpoint(p.get());
  const std::vector<uint8_t> main_bytes = ::pager::testing::ReadWholeFile(path);
  ASSERT_GE(main_bytes.size(), 61u * 4096);
  ExpectPagesAfterReopen(&p, want);
  const std::vector<uint8_t> zeros(4096, 0);
  for (uint32_t page = 51; page < 60; page++) {
    ASSERT_EQ(Read(p.get(), page), zeros) << "page " << page;
    const auto at = main_bytes.begin() + size_t{page} * 4096;
    ASSERT_EQ(std::vector<uint8_t>(at, at + 4096), zeros) << "main file, page " << page;
  }
}

// W13: a commit writes its frames in page order, so the frames one span takes from it are one
// scatter read however far apart its pages lie; frames a later commit superseded are read
// through when at most kCheckpointSkippedFrames lie between two copied ones.
TEST_F(WalCheckpoint, EachCommitsFramesInASpanAreReadWithOneScatterRead) {
  auto p = MustCreate(env, path);
  std::map<uint32_t, uint64_t> latest;
  uint64_t seed = 1;
  auto commit = [&](const std::vector<uint32_t>& pages) {
    for (uint32_t page : pages) {
      Stage(p.get(), page, Page(seed));
      latest[page] = seed++;
    }
    MustCommit(p.get());
  };
  std::vector<uint32_t> odd;  // 1, 3, ..., 63: frames 0..31, one span
  for (uint32_t page = 1; page <= 63; page += 2) odd.push_back(page);
  commit(odd);
  commit({5, 9});  // frames 32, 33; supersede frames 2 and 4, which are read through
  uint64_t reads_before = p->stats().checkpoint_reads;
  EXPECT_EQ(MustCheckpoint(p.get()), 32u);
  EXPECT_EQ(p->stats().checkpoint_reads - reads_before, 1u);  // frames 0..33
  std::vector<std::pair<uint32_t, uint64_t>> want(latest.begin(), latest.end());
  ExpectPagesAfterReopen(&p, want);

  commit(odd);  // the WAL restarted: frames 0..31 again
  const uint32_t gap = static_cast<uint32_t>(kCheckpointSkippedFrames) + 1;
  std::vector<uint32_t> rewrite;  // supersedes frames 5..5+gap-1 of the first commit
  for (uint32_t i = 0; i < gap; i++) rewrite.push_back(11 + 2 * i);
  commit(rewrite);
  reads_before = p->stats().checkpoint_reads;
  EXPECT_EQ(MustCheckpoint(p.get()), 32u);
  EXPECT_EQ(p->stats().checkpoint_reads - reads_before, 2u);  // frames 0..4, then 5+gap..
  want.assign(latest.begin(), latest.end());
  ExpectPagesAfterReopen(&p, want);
}

TEST_F(WalCheckpoint, RandomPagesOfALargeWorkingSetAllReachTheMainFile) {
  Options o = SmallOptions();
  auto p = MustCreate(env, path, o);
  std::mt19937 rng(7);
  std::map<uint32_t, uint64_t> latest;
  uint64_t seed = 100;
  for (int commit = 0; commit < 12; commit++) {
    for (int i = 0; i < 64; i++) {
      uint32_t page = 1 + static_cast<uint32_t>(rng() % 2048);
      Stage(p.get(), page, Page(seed));
      latest[page] = seed++;
    }
    MustCommit(p.get());
  }
  EXPECT_EQ(MustCheckpoint(p.get()), latest.size());
  std::vector<std::pair<uint32_t, uint64_t>> want(latest.begin(), latest.end());
  ExpectPagesAfterReopen(&p, want);
}

// One commit of consecutive pages: its frames are consecutive, so the checkpoint reads them
// with scatter reads of 2 slices per frame -- more slices than IOV_MAX -- and splits the
// copy into batches of kCheckpointBatchBytes, each written in pieces of
// kCheckpointWritebackBytes.
TEST_F(WalCheckpoint, ARunOfMoreFramesThanIovMaxSlicesIsCopiedWhole) {
  const uint32_t pages = IOV_MAX + 500;  // 2 slices per frame: well past IOV_MAX
  auto p = MustCreate(env, path);
  std::vector<std::pair<uint32_t, uint64_t>> want;
  for (uint32_t i = 1; i <= pages; i++) {
    Stage(p.get(), i, Page(5000 + i));
    want.emplace_back(i, 5000 + i);
  }
  EXPECT_EQ(MustCommit(p.get()), pages);  // the commit's pwritev is split too
  const uint64_t writes_before = p->stats().checkpoint_writes;
  EXPECT_EQ(MustCheckpoint(p.get()), pages);
  // Spans of kCheckpointBatchBytes, each written in pieces of kCheckpointWritebackBytes.
  const uint64_t batch_pages = kCheckpointBatchBytes / 4096;
  const uint64_t piece_pages = kCheckpointWritebackBytes / 4096;
  const uint64_t rest = pages % batch_pages;
  EXPECT_EQ(p->stats().checkpoint_writes - writes_before,
            pages / batch_pages * (batch_pages / piece_pages) +
                (rest + piece_pages - 1) / piece_pages);
  ExpectPagesAfterReopen(&p, want);
}

TEST_F(WalCheckpoint, RunsAcrossBatchBoundariesOfLargePagesAreCopiedWhole) {
  Options o = SmallOptions();
  o.page_size = 65536;  // kCheckpointBatchBytes / 65536 = 64 pages per batch
  auto p = MustCreate(env, path, o);
  std::vector<std::pair<uint32_t, uint64_t>> want;
  for (uint32_t i = 1; i <= 150; i++) {
    Stage(p.get(), i, Page(i, 65536));
    want.emplace_back(i, i);
  }
  MustCommit(p.get());
  EXPECT_EQ(MustCheckpoint(p.get()), 150u);
  p.reset();
  p = MustOpen(env, path, AccessMode::kReadWrite, o);
  for (const auto& [page, seed] : want) ASSERT_EQ(Read(p.get(), page), Page(seed, 65536));
}

// A WAL cut short behind the handle's back: the checkpoint's scatter read comes back short.
// That is damage, not a full disk: CORRUPT, the handle poisoned, the main file not synced
// over and the WAL not reset.
TEST_F(WalCheckpoint, AShortScatterReadOfTheWalIsCorruptAndPoisons) {
  Options o = SmallOptions();
  o.wal_prewrite_bytes = 0;
  auto p = MustCreate(env, path, o);
  for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  ASSERT_EQ(truncate((path + "-wal").c_str(), FrameOffset(4, 4096) + 100), 0);
  Result<uint32_t> r = p->Checkpoint();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorrupt) << r.status().ToString();
  EXPECT_EQ(p->state(), State::kPoisoned);
}

// The main file's writes and syncs during a checkpoint, in order ("w" / "s").
class MainOpsEnv : public io::FaultEnv {
 public:
  std::string main_path;
  std::string ops;
  Status BeforeOp(Op op, const std::string& file) override {
    if (file == main_path && op == Op::kWrite) ops += "w";
    return FaultEnv::BeforeOp(op, file);
  }
  Status BeforeSync(const std::string& file, bool* drop_pending) override {
    if (file == main_path) ops += "s";
    return FaultEnv::BeforeSync(file, drop_pending);
  }
};

// W6: a checkpoint whose pages lie within the main file writes them and the header and syncs
// the main file once (until that sync returns the WAL is not reset, so recovery replays it
// over any of them that did not land); one whose copy makes the file longer syncs the pages
// first, so that a durable header never counts pages past the file's durable end.
TEST(WalCheckpointSyncs, PagesWithinTheMainFileAreMadeDurableWithTheHeaderInOneSync) {
  MainOpsEnv env;
  env.main_path = "/db";
  auto p = MustCreate(&env, "/db");
  for (uint32_t page = 1; page <= 8; page++) Stage(p.get(), page, Page(page));
  MustCommit(p.get());
  env.ops.clear();
  MustCheckpoint(p.get());  // the copy makes the file longer
  EXPECT_EQ(env.ops.find('s'), env.ops.size() - 3) << env.ops << ": pages, sync, header, sync";
  EXPECT_EQ(env.ops.substr(env.ops.size() - 3), "sws") << env.ops;
  Stage(p.get(), 3, Page(33));
  Stage(p.get(), 7, Page(77));
  MustCommit(p.get());
  env.ops.clear();
  MustCheckpoint(p.get());  // pages 3 and 7 lie within the file
  EXPECT_EQ(std::count(env.ops.begin(), env.ops.end(), 's'), 1) << env.ops;
  EXPECT_EQ(env.ops.back(), 's') << env.ops;
  p.reset();
  p = MustOpen(&env, "/db");
  EXPECT_EQ(Read(p.get(), 3), Page(33));
  EXPECT_EQ(Read(p.get(), 7), Page(77));
  EXPECT_EQ(Read(p.get(), 8), Page(8));
}

}  // namespace
}  // namespace wal
}  // namespace pager
