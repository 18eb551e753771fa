// A full disk is not a durability failure (W12): a commit or checkpoint whose write fails for
// lack of space returns NOSPC and leaves the handle usable (and so, for lack of memory,
// NOMEM: the WalNoMemory tests); an automatic checkpoint that runs
// out of space does not fail the durable commit before it and is retried later; a read-write
// open on a full disk succeeds and defers its recovery checkpoint. Proven on the fault seam
// and, where the machine allows (root: a private mount namespace), on a real small tmpfs.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using io::FaultEnv;
using io::FaultKind;
using io::MemEnv;

class WalNoSpace : public ::testing::Test {
 protected:
  FaultEnv env;
  const std::string path = "db";

  Options AutoOptions(uint32_t frames) {
    Options o = SmallOptions();
    o.auto_checkpoint_frames = frames;
    return o;
  }
  void ExpectPages(WalPager* p, uint32_t first, uint32_t last, uint64_t seed_base) {
    for (uint32_t i = first; i <= last; i++) {
      EXPECT_EQ(Read(p, i), Page(seed_base + i)) << "page " << i;
    }
  }

  // W12's shortages (no space, no memory), each proven by the same scenarios: `kind` makes
  // the writes fail, `code` is what the call must return.
  void CommitShortageKeepsTheChangesStaged(FaultKind kind, Code code) {
    std::unique_ptr<WalPager> p = MustCreate(&env, path);
    ASSERT_NE(p, nullptr);
    Stage(p.get(), 1, Page(1));
    MustCommit(p.get());
    env.FailNth(MemEnv::Op::kWrite, 1, kind, true);
    Stage(p.get(), 1, Page(101));
    Stage(p.get(), 2, Page(2));
    Result<uint32_t> r = p->Commit();
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_NE(p->state(), State::kPoisoned);
    EXPECT_EQ(Read(p.get(), 1), Page(101)) << "the staged change was dropped";
    env.ClearFaults();
    MustCommit(p.get());
    p.reset();
    std::unique_ptr<WalPager> q = MustOpen(&env, path);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(Read(q.get(), 1), Page(101));
    EXPECT_EQ(Read(q.get(), 2), Page(2));
  }

  void CheckpointShortageLeavesTheWalAndTheHandle(FaultKind kind, Code code) {
    std::unique_ptr<WalPager> p = MustCreate(&env, path);
    ASSERT_NE(p, nullptr);
    for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(i));
    MustCommit(p.get());
    env.FailNth(MemEnv::Op::kWrite, 1, kind, true);
    Result<uint32_t> r = p->Checkpoint();
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_NE(p->state(), State::kPoisoned);
    EXPECT_GT(p->stats().wal_frames, 0u);
    ExpectPages(p.get(), 1, 8, 0);
    env.ClearFaults();
    MustCheckpoint(p.get());
    EXPECT_EQ(p->stats().wal_frames, 0u);
    ExpectPages(p.get(), 1, 8, 0);
  }

  // Through the C API: the automatic checkpoint after a durable commit fails; the commit
  // returns OK, the stats say why, and the next commit's checkpoint empties the WAL.
  void CApiCountsADeferredCheckpointAndRetriesIt(FaultKind kind, int expected_error) {
    outparam::ScopedEnv scoped(&env);
    pager_wal_options o;
    pager_wal_options_init(&o);
    o.auto_checkpoint_frames = 2;
    pager_wal* h = nullptr;
    ASSERT_EQ(pager_wal_create("capi-db", &o, &h), PAGER_OK) << pager_last_error();
    std::vector<uint8_t> page = Page(1);
    ASSERT_EQ(pager_wal_stage_page(h, 1, page.data(), page.size()), PAGER_OK);
    ASSERT_EQ(pager_wal_commit(h, nullptr), PAGER_OK);
    env.FailNth(MemEnv::Op::kWrite, 2, kind, true);  // the commit's frames pass
    ASSERT_EQ(pager_wal_stage_page(h, 2, page.data(), page.size()), PAGER_OK);
    EXPECT_EQ(pager_wal_commit(h, nullptr), PAGER_OK) << pager_last_error();
    pager_wal_stats st;
    pager_wal_stats_init(&st);
    ASSERT_EQ(pager_wal_get_stats(h, &st), PAGER_OK);
    EXPECT_GE(st.checkpoint_failures, 1u);
    EXPECT_EQ(st.last_checkpoint_error, expected_error);
    EXPECT_GT(st.wal_frames, 0u);
    env.ClearFaults();
    ASSERT_EQ(pager_wal_stage_page(h, 3, page.data(), page.size()), PAGER_OK);
    EXPECT_EQ(pager_wal_commit(h, nullptr), PAGER_OK) << pager_last_error();
    ASSERT_EQ(pager_wal_get_stats(h, &st), PAGER_OK);
    EXPECT_EQ(st.wal_frames, 0u) << "the checkpoint was not retried after the commit";
    pager_wal_close(h);
  }
};

TEST_F(WalNoSpace, AutoCheckpointOutOfSpaceKeepsTheCommitAndTheHandleUsable) {
  std::unique_ptr<WalPager> p = MustCreate(&env, path, AutoOptions(2));
  ASSERT_NE(p, nullptr);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());  // one frame: below the threshold
  // The commit's own frame write succeeds; every later write (the checkpoint's) fails.
  env.FailNth(MemEnv::Op::kWrite, 2, FaultKind::kEnospc, true);
  Stage(p.get(), 2, Page(2));
  Result<uint32_t> r = p->Commit();
  ASSERT_TRUE(r.ok()) << "a durable commit failed because its checkpoint did: "
                      << r.status().ToString();
  EXPECT_NE(p->state(), State::kPoisoned);
  EXPECT_GE(p->stats().checkpoint_failures, 1u);
  EXPECT_EQ(p->stats().last_checkpoint_code, static_cast<int32_t>(Code::kNoSpace));
  ExpectPages(p.get(), 1, 2, 0);
  env.ClearFaults();
  Stage(p.get(), 3, Page(3));
  MustCommit(p.get());  // the retried automatic checkpoint now succeeds
  EXPECT_EQ(p->stats().wal_frames, 0u) << "the checkpoint was not retried after the commit";
  p.reset();
  std::unique_ptr<WalPager> q = MustOpen(&env, path);
  ASSERT_NE(q, nullptr);
  ExpectPages(q.get(), 1, 3, 0);
}

TEST_F(WalNoSpace, CommitOutOfSpaceReturnsNoSpaceAndKeepsTheChangesStaged) {
  CommitShortageKeepsTheChangesStaged(FaultKind::kEnospc, Code::kNoSpace);
}

TEST_F(WalNoSpace, ExplicitCheckpointOutOfSpaceLeavesTheWalAndTheHandle) {
  CheckpointShortageLeavesTheWalAndTheHandle(FaultKind::kEnospc, Code::kNoSpace);
}

TEST_F(WalNoSpace, ReadWriteOpenOnAFullDiskSucceedsAndDefersTheCheckpoint) {
  {
    std::unique_ptr<WalPager> p = MustCreate(&env, path);
    ASSERT_NE(p, nullptr);
    for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(i));
    MustCommit(p.get());  // stays in the WAL: auto-checkpoint is off
  }
  env.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEnospc, true);
  std::unique_ptr<WalPager> p = MustOpen(&env, path);
  ASSERT_NE(p, nullptr) << "a read-write open failed on a full disk";
  EXPECT_EQ(p->stats().last_checkpoint_code, static_cast<int32_t>(Code::kNoSpace));
  ExpectPages(p.get(), 1, 8, 0);
  Stage(p.get(), 9, Page(9));
  EXPECT_EQ(p->Commit().status().code(), Code::kNoSpace);  // still full
  env.ClearFaults();
  MustCommit(p.get());  // appended to the recovered WAL generation
  // Every power-loss image after this durable commit keeps both the recovered frames and
  // the new one.
  for (uint64_t seed = 0; seed < 16; seed++) {
    std::unique_ptr<FaultEnv> image = FaultEnv::FromImage(env.CrashImage(seed));
    std::unique_ptr<WalPager> q = MustOpen(image.get(), path);
    ASSERT_NE(q, nullptr) << "seed " << seed;
    ExpectPages(q.get(), 1, 9, 0);
  }
  MustCheckpoint(p.get());
  p.reset();
  std::unique_ptr<WalPager> q = MustOpen(&env, path);
  ASSERT_NE(q, nullptr);
  ExpectPages(q.get(), 1, 9, 0);
}

TEST_F(WalNoSpace, TheCApiReportsADeferredCheckpointInItsStats) {
  CApiCountsADeferredCheckpointAndRetriesIt(FaultKind::kEnospc, PAGER_ERR_NOSPC);
}

// ---- no memory: the other shortage of W12 ------------------------------------------------

using WalNoMemory = WalNoSpace;

TEST_F(WalNoMemory, CommitWhoseWriteFindsNoMemoryReturnsNoMemAndKeepsTheChangesStaged) {
  CommitShortageKeepsTheChangesStaged(FaultKind::kEnomem, Code::kNoMem);
}

TEST_F(WalNoMemory, ExplicitCheckpointWithoutMemoryLeavesTheWalAndTheHandle) {
  CheckpointShortageLeavesTheWalAndTheHandle(FaultKind::kEnomem, Code::kNoMem);
}

TEST_F(WalNoMemory, AutoCheckpointWithoutMemoryKeepsTheCommitAndIsRetried) {
  CApiCountsADeferredCheckpointAndRetriesIt(FaultKind::kEnomem, PAGER_ERR_NOMEM);
}

// ---- a real full file system -----------------------------------------------------------

// Runs body in a child process inside a private mount namespace with a tmpfs of size_kib
// mounted on a fresh directory; the child's exit status is the test result. Returns false
// (after printing why) if the machine does not allow it.
bool RunOnSmallTmpfs(uint32_t size_kib, const std::function<int(const std::string&)>& body,
                     int* child_status) {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0) _exit(77);
    if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(77);
    char dir[] = "/tmp/pager-tmpfs.XXXXXX";
    if (mkdtemp(dir) == nullptr) _exit(77);
    std::string opts = "size=" + std::to_string(size_kib) + "k";
    if (mount("tmpfs", dir, "tmpfs", 0, opts.c_str()) != 0) _exit(77);
    int rc = body(dir);
    umount(dir);
    rmdir(dir);
    _exit(rc);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  *child_status = status;
  return !(WIFEXITED(status) && WEXITSTATUS(status) == 77);
}

// Fills the file system with a filler file until it is full.
int FillUp(const std::string& filler) {
  int fd = open(filler.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) return 10;
  std::vector<uint8_t> block(4096, 0xEE);
  while (write(fd, block.data(), block.size()) > 0) {
  }
  int err = errno;
  close(fd);
  return err == ENOSPC ? 0 : 11;
}

TEST(WalNoSpaceTmpfs, FullDiskKeepsTheHandleUsableAndTheDatabaseOpenable) {
  int status = 0;
  bool ran = RunOnSmallTmpfs(2048, [](const std::string& dir) -> int {
    io::Env* env = io::DefaultEnv();
    const std::string db = dir + "/db";
    Options o = SmallOptions();
    o.wal_prewrite_bytes = 0;  // the WAL grows only as commits need: it hits the limit
    std::unique_ptr<WalPager> p;
    if (!WalPager::Create(env, db, o, &p).ok()) return 1;
    for (uint32_t i = 1; i <= 16; i++) {
      if (!p->StagePage(i, Page(i).data(), 4096).ok()) return 2;
    }
    if (!p->Commit().ok()) return 3;
    if (FillUp(dir + "/filler") != 0) return 4;
    // The disk is full: a commit fails with NOSPC and the handle stays usable.
    uint32_t page = 100;
    Status st;
    do {
      if (!p->StagePage(page, Page(page).data(), 4096).ok()) return 5;
      st = p->Commit().status();
      page++;
    } while (st.ok() && page < 10000);
    if (st.code() != Code::kNoSpace) return 6;
    if (p->state() == State::kPoisoned) return 7;
    std::vector<uint8_t> buf(4096);
    for (uint32_t i = 1; i <= 16; i++) {
      if (!p->ReadPage(i, buf.data(), buf.size()).ok() || buf != Page(i)) return 8;
    }
    // A checkpoint needs main-file space: NOSPC, the handle stays usable.
    Result<uint32_t> cp = p->Checkpoint();
    if (!cp.ok() && cp.status().code() != Code::kNoSpace) return 9;
    if (p->state() == State::kPoisoned) return 12;
    const uint32_t acknowledged_last = page - 2;  // the last commit that returned OK
    p.reset();
    // A read-write open of the full disk succeeds (its checkpoint is deferred).
    Options oo = o;
    oo.page_size = 0;
    if (!WalPager::Open(env, db, AccessMode::kReadWrite, oo, &p).ok()) return 13;
    for (uint32_t i = 100; i <= acknowledged_last; i++) {
      if (!p->ReadPage(i, buf.data(), buf.size()).ok() || buf != Page(i)) return 14;
    }
    // Space comes back: the checkpoint succeeds and a reopen has everything.
    if (unlink((dir + "/filler").c_str()) != 0) return 15;
    if (!p->Checkpoint().ok()) return 16;
    p.reset();
    if (!WalPager::Open(env, db, AccessMode::kReadWrite, oo, &p).ok()) return 17;
    for (uint32_t i = 1; i <= 16; i++) {
      if (!p->ReadPage(i, buf.data(), buf.size()).ok() || buf != Page(i)) return 18;
    }
    for (uint32_t i = 100; i <= acknowledged_last; i++) {
      if (!p->ReadPage(i, buf.data(), buf.size()).ok() || buf != Page(i)) return 19;
    }
    return 0;
  }, &status);
  if (!ran) GTEST_SKIP() << "needs root for a private mount namespace with a small tmpfs";
  ASSERT_TRUE(WIFEXITED(status)) << "child died with signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "step that failed (see the return codes in the test)";
}

}  // namespace
}  // namespace wal
}  // namespace pager
