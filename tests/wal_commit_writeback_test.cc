// W30: a FULL commit of at least kOverlappedCommitMinBytes of frames starts their writeback
// (io E7, a hint), applies itself to the handle's read state while the device writes, then
// waits in fdatasync. What these tests prove: the order of hint and sync, which commits take
// the path, and that a failure after the apply (the sync) or before it (the hint) leaves the
// poisoned handle reading the last commit that returned OK (W7), with nothing lost on disk.
#include <memory>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "tests/wal_model.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

const char* kDir = "/c";
const char* kPath = "/c/db";
const char* kWal = "/c/db-wal";

constexpr uint32_t kBig = static_cast<uint32_t>(kOverlappedCommitMinBytes / 4096);

// A small cache, so a big commit evicts while it applies (W14 hashes its evicted pages).
Options OverlapOptions(Durability d = Durability::kFull) {
  Options o = SmallOptions();
  o.durability = d;
  o.cache_pages = 16;
  return o;
}

std::vector<std::string> WalEvents(const RecordingEnv& env) {
  std::vector<std::string> out;
  for (const std::string& e : env.events) {
    if (e.size() > 4 && e.compare(e.size() - 4, 4, "-wal") == 0) out.push_back(e);
  }
  return out;
}

void StagePages(WalPager* p, uint32_t first, uint32_t count, uint64_t seed_base) {
  for (uint32_t page = first; page < first + count; page++) Stage(p, page, Page(seed_base + page));
}

TEST(WalCommitWriteback, ACommitOfTheThresholdStartsWritebackOfItsFramesBeforeItsSync) {
  RecordingEnv env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  auto p = MustCreate(&env, kPath, OverlapOptions());
  env.events.clear();
  StagePages(p.get(), 1, kBig, 100);
  MustCommit(p.get());
  const std::string wal = std::string(kWal);
  EXPECT_EQ(WalEvents(env), (std::vector<std::string>{"writeback " + wal, "sync " + wal}));
  env.events.clear();
  StagePages(p.get(), 1, kBig - 1, 200);  // one frame short
  MustCommit(p.get());
  EXPECT_EQ(WalEvents(env), std::vector<std::string>{"sync " + wal});
  p.reset();
  auto ro = MustOpen(&env, kPath, AccessMode::kReadOnly);
  for (uint32_t page = 1; page < kBig; page++) ASSERT_EQ(Read(ro.get(), page), Page(200 + page));
  EXPECT_EQ(Read(ro.get(), kBig), Page(100 + kBig));
}

// NORMAL has no sync to overlap; a commit that shrinks the file changes what ApplyShrink
// erases, which W30 does not undo, so it syncs first as every other commit does.
TEST(WalCommitWriteback, NeitherANormalCommitNorOneThatShrinksStartsWriteback) {
  RecordingEnv env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  {
    auto p = MustCreate(&env, kPath, OverlapOptions(Durability::kNormal));
    env.events.clear();
    StagePages(p.get(), 1, kBig, 100);
    MustCommit(p.get());
    EXPECT_TRUE(WalEvents(env).empty());
  }
  auto p = MustCreate(&env, "/c/db2", OverlapOptions());
  StagePages(p.get(), 1, kBig + 10, 300);
  MustCommit(p.get());
  env.events.clear();
  ASSERT_OK(p->SetPageCount(10));
  StagePages(p.get(), 10, kBig, 400);
  MustCommit(p.get());
  EXPECT_EQ(WalEvents(env), std::vector<std::string>{"sync /c/db2-wal"});
  EXPECT_EQ(Read(p.get(), 9), Page(309));
  EXPECT_EQ(Read(p.get(), 10 + kBig - 1), Page(400 + 10 + kBig - 1));
}

// The parameter: whether the handle maps the main file and the WAL (reads then copy from the
// mappings, W22) or reads through pread and its cache (DataUnmappableEnv).
class WalCommitFailure : public ::testing::TestWithParam<bool> {
 protected:
  WalCommitFailure() : env_owned(MakeEnv(GetParam())), env(*env_owned) {}
  static std::unique_ptr<io::FaultEnv> MakeEnv(bool mapped) {
    if (mapped) return std::make_unique<io::FaultEnv>();
    return std::make_unique<DataUnmappableEnv>();
  }
  void SetUp() override { ASSERT_OK(env.CreateDir(kDir, 0755)); }

  // Commit A: pages 1..kBig+4; a checkpoint puts pages 1..kBig+4 in the main file; commit B
  // rewrites pages 1..kBig/2 (WAL frames now) and changes the app header, and those pages are
  // read (cached: the cache holds 16 pages). The commit under test (C) rewrites every page, adds
  // eight past the end and changes the app header again: cached pages, pages whose latest
  // frame is in the WAL, pages only in the main file and pages new to the file.
  void CommitAAndB(Recorder* r) {
    for (uint32_t i = 1; i <= kBig + 4; i++) r->Stage(i, 100 + i);
    r->Commit();
    r->Checkpoint();
    for (uint32_t i = 1; i <= kBig / 2; i++) r->Stage(i, 300 + i);
    r->App(2);
    r->Commit();
    ASSERT_TRUE(r->ok());
    for (uint32_t i = 1; i <= kBig / 2; i++) Read(p.get(), i);
  }
  void StageC(Recorder* r) {
    for (uint32_t i = 1; i <= kBig + 12; i++) r->Stage(i, 600 + i);
    r->App(3);
  }
  // The poisoned handle, a read transaction begun on it, and its invariants: all at B.
  void ExpectReadsAtLastOkCommit(const Recorder& r) {
    ASSERT_EQ(r.acked, r.history.size() - 2) << "the last commit was to fail";
    const Snapshot& want = r.history[r.acked];
    EXPECT_EQ(p->state(), State::kPoisoned);
    Snapshot seen;
    ASSERT_OK(Capture(p.get(), &seen));
    EXPECT_TRUE(seen == want) << "reads " << seen.Describe() << ", last OK commit "
                              << want.Describe();
    ReadSnapshot snap;
    ASSERT_OK(p->BeginRead(&snap));
    EXPECT_EQ(snap.page_count, want.page_count);
    EXPECT_EQ(std::vector<uint8_t>(snap.app_header, snap.app_header + kAppHeaderSize), want.app);
    for (uint32_t page = 1; page < want.page_count; page++) {
      ASSERT_EQ(SnapRead(p.get(), snap, page), want.pages.at(page)) << "page " << page;
    }
    p->EndRead(&snap);
    EXPECT_OK(p->CheckInvariants());
  }
  // C's sync failed and dropped its frames: every crash image shows B; the live machine (C's
  // bytes still in the page cache) B or C.
  void ExpectOnDisk(const Recorder& r) {
    p.reset();
    env.ClearFaults();
    const size_t last = r.history.size() - 1;
    for (uint64_t seed = 0; seed < 8; seed++) {
      auto img = io::FaultEnv::FromImage(env.CrashImage(seed));
      auto ro = MustOpen(img.get(), kPath, AccessMode::kReadOnly);
      ASSERT_NE(ro, nullptr);
      Snapshot s;
      ASSERT_OK(Capture(ro.get(), &s));
      const int at = FindInHistory(r.history, s, r.acked, last - 1);
      EXPECT_GE(at, 0) << "after power loss: " << s.Describe();
    }
    auto rw = MustOpen(&env, kPath);
    ASSERT_NE(rw, nullptr);
    Snapshot s;
    ASSERT_OK(Capture(rw.get(), &s));
    EXPECT_GE(FindInHistory(r.history, s, r.acked, last), 0) << s.Describe();
    Stage(rw.get(), 1, Page(9));
    MustCommit(rw.get());
  }

  std::unique_ptr<io::FaultEnv> env_owned;
  io::FaultEnv& env;
  std::unique_ptr<WalPager> p;
};

// The apply ran before the sync (the cache took C's bytes, the index points at C's frames,
// the page count and app header moved): the failed sync must put all of it back.
TEST_P(WalCommitFailure, ASyncThatFailsAfterTheApplyLeavesEveryReadAtTheLastOkCommit) {
  p = MustCreate(&env, kPath, OverlapOptions());
  Recorder r(p.get(), 4096);
  CommitAAndB(&r);
  env.FailSyncLosingData(1);
  StageC(&r);
  r.Commit();
  EXPECT_EQ(r.failure.code(), Code::kIo);
  ExpectReadsAtLastOkCommit(r);
  ExpectOnDisk(r);
}

INSTANTIATE_TEST_SUITE_P(Reads, WalCommitFailure, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Mapped" : "ThroughTheCache";
                         });

// The hint fails after C's frames were appended: nothing is applied yet, and the handle is
// poisoned whatever the errno (a full disk too: the frames are already in the WAL).
void HintFails(io::FaultKind kind, Code want) {
  SCOPED_TRACE(kind == io::FaultKind::kEio ? "EIO" : "ENOSPC");
  io::FaultEnv env;
  ASSERT_OK(env.CreateDir(kDir, 0755));
  auto p = MustCreate(&env, kPath, OverlapOptions());
  Recorder r(p.get(), 4096);
  for (uint32_t i = 1; i <= kBig; i++) r.Stage(i, 100 + i);
  r.Commit();
  ASSERT_TRUE(r.ok());
  env.FailNth(io::MemEnv::Op::kWriteback, 1, kind, false);
  for (uint32_t i = 1; i <= kBig + 3; i++) r.Stage(i, 700 + i);
  r.Commit();
  EXPECT_EQ(r.failure.code(), want);
  EXPECT_EQ(p->state(), State::kPoisoned) << "a hint after the append failed without poison";
  Snapshot seen;
  ASSERT_OK(Capture(p.get(), &seen));
  EXPECT_TRUE(seen == r.history[1]) << seen.Describe();
  EXPECT_OK(p->CheckInvariants());
  p.reset();
  env.ClearFaults();
  Snapshot s;
  auto rw = MustOpen(&env, kPath);
  ASSERT_NE(rw, nullptr);
  ASSERT_OK(Capture(rw.get(), &s));
  EXPECT_GE(FindInHistory(r.history, s, 1, 2), 1) << s.Describe();
}

TEST(WalCommitWriteback, AnIoErrorStartingTheFramesWritebackPoisonsBeforeTheApply) {
  HintFails(io::FaultKind::kEio, Code::kIo);
}

TEST(WalCommitWriteback, ANoSpaceErrorStartingTheFramesWritebackPoisonsToo) {
  HintFails(io::FaultKind::kEnospc, Code::kNoSpace);
}

}  // namespace
}  // namespace wal
}  // namespace pager
