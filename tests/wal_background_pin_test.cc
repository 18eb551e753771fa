// A reader of another handle beside the background checkpointer (W26, W19, W25 in
// impl/wal/wal_pager.h). The thread's unlocked copy publishes backfilled = every frame while
// pages at or past main_valid_count still live only in the WAL (W25 leaves them to the final
// step, which runs after that publish). A reader that begins in that window must not pin
// "main file only" (mark 0): it would read those pages as zeros, or as stale main-file bytes.
// Found by the kill -9 torture's `walbg` component (reader processes saw torn snapshots).
//
// Deterministic: the writer's thread is parked through the test seam (impl/wal/test_hooks.h)
// at the slot scan that starts its final step, i.e. just after the copy's publish.
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "impl/io/mem_env.h"
#include "impl/wal/test_hooks.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::TempDir;

// Parks the thread that makes the n-th slot scan (kScanBeforeEpochBump) after Arm(n) until
// Release(); every other hook passes.
class ParkAtScan : public TestHooks {
 public:
  ~ParkAtScan() override { Release(); }
  void Arm(int nth) {
    std::lock_guard<std::mutex> l(mu_);
    left_ = nth;
  }
  bool WaitParked() {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(20), [&] { return parked_; });
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    left_ = 0;
    released_ = true;
    cv_.notify_all();
  }
  void At(HookPoint p) override {
    if (p != HookPoint::kScanBeforeEpochBump) return;
    std::unique_lock<std::mutex> l(mu_);
    if (left_ == 0 || --left_ != 0) return;
    parked_ = true;
    cv_.notify_all();
    cv_.wait(l, [&] { return released_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int left_ = 0;
  bool parked_ = false;
  bool released_ = false;
};

// Page p of transaction n.
std::vector<uint8_t> TxnPage(uint32_t n, uint32_t p) { return Page(uint64_t{n} * 1000 + p); }

class WalBackgroundPin : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      mem = std::make_unique<io::MemEnv>();
      ASSERT_TRUE(mem->CreateDir("/d", 0755).ok());
      env = mem.get();
      path = "/d/db";
    } else {
      env = io::DefaultEnv();
      path = dir.File("db");
    }
  }
  Options WriterOptions() {
    Options o = SmallOptions();
    o.auto_checkpoint_frames = 8;
    o.background_checkpoint = true;
    o.test_hooks = &hooks;
    return o;
  }
  void CommitTxn(uint32_t n, uint32_t pages) {
    for (uint32_t p = 1; p <= pages; p++) Stage(w.get(), p, TxnPage(n, p));
    MustCommit(w.get());
  }

  TempDir dir;
  std::unique_ptr<io::MemEnv> mem;
  io::Env* env = nullptr;
  std::string path;
  ParkAtScan hooks;  // outlives w (declared before it)
  std::unique_ptr<WalPager> w, r;
};

// Pages 5 and 6 are new since the main header (main_valid_count 5, page count 7): the copy
// skips them (W25), the final step copies them. Between the two, a reader of another handle
// must still read them from the WAL.
TEST_P(WalBackgroundPin, AReaderBetweenTheCopyAndTheFinalStepReadsPagesPastMainValidCount) {
  w = MustCreate(env, path, WriterOptions());
  ASSERT_NE(w, nullptr);
  CommitTxn(1, 4);
  CommitTxn(2, 4);  // 8 frames: the thread checkpoints and restarts the WAL
  w->WaitCheckpointerIdle();
  ASSERT_EQ(w->stats().wal_frames, 0u);
  r = MustOpen(env, path, AccessMode::kReadOnly);
  ASSERT_NE(r, nullptr);
  // The thread's step: a scan for the copy's target, the copy (published), then the scan
  // that begins the final step: it parks there.
  hooks.Arm(2);
  CommitTxn(3, 6);
  CommitTxn(4, 6);  // 12 frames: due
  ASSERT_TRUE(hooks.WaitParked()) << "the thread never reached its final step's scan";
  ReadSnapshot s;
  ASSERT_OK(r->BeginRead(&s));
  EXPECT_NE(s.mark, 0u) << "pinned main file only while pages 5 and 6 are only in the WAL";
  ASSERT_EQ(s.page_count, 7u);
  std::vector<uint8_t> buf(4096);
  for (uint32_t p = 1; p <= 6; p++) {
    ASSERT_OK(r->ReadPageAt(s, p, buf.data(), buf.size()));
    EXPECT_EQ(buf, TxnPage(4, p)) << "page " << p << " of the last commit";
  }
  hooks.Release();
  w->WaitCheckpointerIdle();
  for (uint32_t p = 1; p <= 6; p++) {
    ASSERT_OK(r->ReadPageAt(s, p, buf.data(), buf.size()));
    EXPECT_EQ(buf, TxnPage(4, p)) << "page " << p << " after the final step";
  }
  r->EndRead(&s);
  CommitTxn(5, 6);
  w->WaitCheckpointerIdle();
  for (uint32_t p = 1; p <= 6; p++) EXPECT_EQ(Read(r.get(), p), TxnPage(5, p)) << "page " << p;
  EXPECT_OK(w->CheckInvariants());
  EXPECT_OK(r->CheckInvariants());
}

// The same window after a shrink: pages 3 and 4 were cut (floor 3) and page 4 written again,
// page 3 reads as zeros; the main file still holds both pages' older bytes until the final
// step drops them.
TEST_P(WalBackgroundPin, AReaderBetweenTheCopyAndTheFinalStepNeverReadsPagesAShrinkCut) {
  w = MustCreate(env, path, WriterOptions());
  ASSERT_NE(w, nullptr);
  CommitTxn(1, 4);
  CommitTxn(2, 4);
  w->WaitCheckpointerIdle();
  ASSERT_EQ(w->stats().wal_frames, 0u);
  r = MustOpen(env, path, AccessMode::kReadOnly);
  ASSERT_NE(r, nullptr);
  hooks.Arm(2);
  ASSERT_OK(w->SetPageCount(3));
  CommitTxn(3, 2);
  Stage(w.get(), 4, TxnPage(4, 4));
  CommitTxn(4, 2);
  CommitTxn(5, 2);
  CommitTxn(6, 2);  // 2 + 3 + 2 + 2 = 9 frames: due
  ASSERT_TRUE(hooks.WaitParked()) << "the thread never reached its final step's scan";
  ReadSnapshot s;
  ASSERT_OK(r->BeginRead(&s));
  ASSERT_EQ(s.page_count, 5u);
  std::vector<uint8_t> buf(4096);
  const std::vector<uint8_t> want[] = {TxnPage(6, 1), TxnPage(6, 2),
                                       std::vector<uint8_t>(4096, 0), TxnPage(4, 4)};
  for (uint32_t p = 1; p <= 4; p++) {
    ASSERT_OK(r->ReadPageAt(s, p, buf.data(), buf.size()));
    EXPECT_EQ(buf, want[p - 1]) << "page " << p;
  }
  hooks.Release();
  r->EndRead(&s);
  w->WaitCheckpointerIdle();
  for (uint32_t p = 1; p <= 4; p++) EXPECT_EQ(Read(r.get(), p), want[p - 1]) << "page " << p;
  EXPECT_OK(w->CheckInvariants());
}

INSTANTIATE_TEST_SUITE_P(Env, WalBackgroundPin, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "MemEnv" : "PosixEnv";
                         });

}  // namespace
}  // namespace wal
}  // namespace pager
