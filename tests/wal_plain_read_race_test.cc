// W19 across processes: plain reads on read-only handles (each pins the latest commit per
// read) race a writer in another process that commits, checkpoints (backfill into
// the main file) and restarts the WAL (frames of the new generation overwrite the old ones,
// TRUNCATE cuts the file). Every page the writer commits is one 8-byte word repeated, the
// page number in the high half and a version that only grows in the low half, so a read that
// overlapped a backfill or a restart shows as a torn page, another page's bytes or a version
// older than one this reader already saw.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <thread>

#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::TempDir;

constexpr uint32_t kPages = 24;  // data pages 1..kPages
constexpr int kWriterMs = 1500;
constexpr int kReaderThreads = 2;

std::vector<uint8_t> Versioned(uint32_t page, uint32_t version) {
  std::vector<uint8_t> b(4096);
  const uint64_t w = (uint64_t{page} << 32) | version;
  for (size_t i = 0; i < b.size(); i += 8) std::memcpy(&b[i], &w, 8);
  return b;
}

// Child: commits 1..3 random pages per transaction with ever larger versions, and every few
// commits a PASSIVE or TRUNCATE checkpoint (BUSY is fine: a reader held frames). Returns 0,
// or the step that failed.
int WriterLoop(const std::string& path) {
  Options o = SmallOptions();
  o.page_size = 0;
  o.auto_checkpoint_frames = 16;
  std::unique_ptr<WalPager> w;
  if (!WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadWrite, o, &w).ok()) return 20;
  std::mt19937 rng(7);
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWriterMs);
  uint32_t version = 1;
  for (int n = 0; std::chrono::steady_clock::now() < end; n++) {
    const int pages = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < pages; i++) {
      const uint32_t p = 1 + rng() % kPages;
      std::vector<uint8_t> b = Versioned(p, version++);
      if (!w->StagePage(p, b.data(), b.size()).ok()) return 21;
    }
    if (!w->Commit().ok()) return 22;
    if (n % 5 == 4) {
      const CheckpointMode m = (n % 10 == 9) ? CheckpointMode::kTruncate : CheckpointMode::kPassive;
      Result<uint32_t> r = w->Checkpoint(m);
      if (!r.ok() && r.status().code() != Code::kBusy) return 23;
    }
  }
  return 0;
}

struct ReaderResult {
  uint64_t reads = 0;
  uint64_t busy = 0;
  std::string failure;  // empty: every read was a whole page, never older than one seen
};

// Widens the pin's windows (T1): every third pin sleeps after it read the header (its mark
// not stored yet), every seventh also after its mark is stored (before the re-check), so the
// writer's scans, copies and restarts land inside them instead of only by luck. Without
// W19's re-check this test dies of SIGBUS (a frame of a WAL that TRUNCATE cut) or reports
// "holds page N's bytes" (a frame the next generation rewrote).
class SlowPin : public TestHooks {
 public:
  void At(HookPoint point) override {
    if (point == HookPoint::kPinAfterHeader && ++pins_ % 3 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    } else if (point == HookPoint::kPinAfterMark && pins_ % 7 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

 private:
  uint64_t pins_ = 0;
};

// W27: widens a reused pin's windows instead: every fifth reuse sleeps between its mark store
// and the stamp check, every third between the check and the copy (the writer's checkpoints
// and restarts then land while the read copies). Without the mark store this test dies of
// SIGBUS or reports a recycled frame; without the stamp check the handle reads frames of a
// generation the writer cut or rewrote.
class SlowRepin : public TestHooks {
 public:
  void At(HookPoint point) override {
    if (point == HookPoint::kRepinAfterMark && ++repins_ % 5 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    } else if (point == HookPoint::kRepinChecked && repins_ % 3 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

 private:
  uint64_t repins_ = 0;
};

// One read-only handle doing plain reads of random pages until *stop, with hooks H.
template <typename H>
void ReaderLoop(const std::string& path, unsigned seed, const std::atomic<bool>* stop,
                ReaderResult* out) {
  H slow;
  Options o = SmallOptions();
  o.page_size = 0;
  o.test_hooks = &slow;
  std::unique_ptr<WalPager> r;
  Status st = WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadOnly, o, &r);
  if (!st.ok()) {
    out->failure = "open: " + st.ToString();
    return;
  }
  std::mt19937 rng(seed);
  std::vector<uint32_t> seen(kPages + 1, 0);
  std::vector<uint8_t> buf(4096);
  while (!stop->load(std::memory_order_relaxed)) {
    const uint32_t p = 1 + rng() % kPages;
    st = r->ReadPage(p, buf.data(), buf.size());
    if (st.code() == Code::kBusy) {
      out->busy++;
      continue;
    }
    if (!st.ok()) {
      out->failure = "read of page " + std::to_string(p) + ": " + st.ToString();
      return;
    }
    out->reads++;
    uint64_t w0 = 0;
    std::memcpy(&w0, buf.data(), 8);
    for (size_t i = 8; i < buf.size(); i += 8) {
      uint64_t w = 0;
      std::memcpy(&w, &buf[i], 8);
      if (w != w0) {
        out->failure = "page " + std::to_string(p) + " is torn at byte " + std::to_string(i);
        return;
      }
    }
    const uint32_t page = static_cast<uint32_t>(w0 >> 32);
    const uint32_t version = static_cast<uint32_t>(w0);
    if (page != p) {
      out->failure = "page " + std::to_string(p) + " holds page " + std::to_string(page) +
                     "'s bytes (a recycled frame)";
      return;
    }
    if (version < seen[p]) {
      out->failure = "page " + std::to_string(p) + " went back from version " +
                     std::to_string(seen[p]) + " to " + std::to_string(version);
      return;
    }
    seen[p] = version;
  }
}

// A new database whose pages 1..kPages hold version 0, checkpointed; its writer handle.
std::unique_ptr<WalPager> CreateAtVersionZero(const std::string& path) {
  auto w = MustCreate(io::DefaultEnv(), path);
  for (uint32_t p = 1; p <= kPages; p++) Stage(w.get(), p, Versioned(p, 0));
  MustCommit(w.get());
  MustCheckpoint(w.get());
  return w;
}

// Plain reads on kReaderThreads read-only handles (hooks H) beside a writer process.
template <typename H>
void RaceWriterProcess() {
  TempDir dir;
  const std::string path = dir.File("db");
  CreateAtVersionZero(path).reset();
  pid_t child = fork();
  if (child == 0) _exit(WriterLoop(path));
  ASSERT_GT(child, 0);
  std::atomic<bool> stop{false};
  std::vector<ReaderResult> results(kReaderThreads);
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaderThreads; i++) {
    readers.emplace_back(ReaderLoop<H>, path, 100u + static_cast<unsigned>(i), &stop,
                         &results[i]);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  stop.store(true);
  for (auto& t : readers) t.join();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "writer step failed";
  for (const ReaderResult& r : results) {
    EXPECT_EQ(r.failure, "");
    EXPECT_GT(r.reads, 0u);
  }
}

TEST(WalPlainReadRace, ReadOnlyPlainReadNeverReturnsABackfillTornPage) {
  RaceWriterProcess<SlowPin>();
}

TEST(WalPlainReadRace, AReusedPinNeverReturnsATornOrRecycledPage) {
  RaceWriterProcess<SlowRepin>();
}

// Runs `once` the first time a refresh has copied the header and not loaded its entries.
class BeforeFrames : public TestHooks {
 public:
  std::function<void()> once;
  void At(HookPoint point) override {
    if (point != HookPoint::kRefreshBeforeFrames || !once) return;
    std::function<void()> f = std::move(once);
    once = nullptr;
    f();
  }
};

// A read-only handle on path whose steps run `hooks` (the writer's handle has none).
std::unique_ptr<WalPager> OpenReadOnlyWithHooks(const std::string& path, TestHooks* hooks) {
  Options o = SmallOptions();
  o.page_size = 0;
  o.test_hooks = hooks;
  std::unique_ptr<WalPager> r;
  Status st = WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadOnly, o, &r);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return r;
}

// W20, deterministically: a read-only handle copies a header publishing frames [3, 6) (a
// 3-page commit); before it loads their entries the writer restarts the WAL (TRUNCATE: the
// reader holds no mark) and commits 4 pages then 3, so entries 3..5 now read "commit, then
// two frames of an unfinished transaction". The read must not call that damage: it retries
// and returns the latest bytes, rebuilt from the new generation.
TEST(WalPlainReadRace, ARestartWhileAReaderLoadsFrameEntriesIsRetriedNotCorrupt) {
  TempDir dir;
  const std::string path = dir.File("db");
  auto w = CreateAtVersionZero(path);
  for (uint32_t p = 1; p <= 3; p++) Stage(w.get(), p, Versioned(p, 1));
  MustCommit(w.get());
  BeforeFrames hooks;
  auto r = OpenReadOnlyWithHooks(path, &hooks);
  ASSERT_NE(r, nullptr);
  std::vector<uint8_t> buf(4096);
  ASSERT_OK(r->ReadPage(1, buf.data(), buf.size()));
  ASSERT_EQ(buf, Versioned(1, 1));
  for (uint32_t p = 4; p <= 6; p++) Stage(w.get(), p, Versioned(p, 2));
  MustCommit(w.get());
  const uint64_t restarts = w->stats().wal_restarts;
  hooks.once = [&] {
    Result<uint32_t> c = w->Checkpoint(CheckpointMode::kTruncate);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    for (uint32_t p = 7; p <= 10; p++) Stage(w.get(), p, Versioned(p, 3));
    MustCommit(w.get());
    for (uint32_t p = 11; p <= 13; p++) Stage(w.get(), p, Versioned(p, 4));
    MustCommit(w.get());
  };
  ASSERT_OK(r->ReadPage(12, buf.data(), buf.size()));
  EXPECT_TRUE(hooks.once == nullptr) << "the refresh never reached the hook";
  EXPECT_EQ(w->stats().wal_restarts, restarts + 1) << "the writer did not restart the WAL";
  EXPECT_EQ(buf, Versioned(12, 4));
  ASSERT_OK(r->ReadPage(5, buf.data(), buf.size()));
  EXPECT_EQ(buf, Versioned(5, 2));
}

// W20's retry applies only to a handle without read transactions. One with a transaction on
// the main file alone (mark 0) needs none: its slot holds mark 0, so no frame committed after
// its snapshot is copied, and so the WAL cannot restart under a refresh of that handle (a
// restart needs every frame copied). Inside the reader's refresh the writer's TRUNCATE is
// BUSY (naming the other handle) and PASSIVE copies nothing; the plain read then sees the
// latest commit and the transaction still its snapshot. Once it ends, TRUNCATE restarts.
TEST(WalPlainReadRace, AMainOnlyTransactionHoldsBackTheRestartThatWouldRaceItsRefresh) {
  TempDir dir;
  const std::string path = dir.File("db");
  auto w = CreateAtVersionZero(path);
  BeforeFrames hooks;
  auto r = OpenReadOnlyWithHooks(path, &hooks);
  ASSERT_NE(r, nullptr);
  ReadSnapshot snap;
  ASSERT_OK(r->BeginRead(&snap));
  ASSERT_EQ(snap.mark, 0u) << "the premise: a transaction on the main file alone";
  for (uint32_t p = 4; p <= 6; p++) Stage(w.get(), p, Versioned(p, 2));
  MustCommit(w.get());
  const uint64_t restarts = w->stats().wal_restarts;
  hooks.once = [&] {
    Result<uint32_t> t = w->Checkpoint(CheckpointMode::kTruncate);
    EXPECT_EQ(t.status().code(), Code::kBusy);
    EXPECT_NE(t.status().message().find("1 other handle(s) reading"), std::string::npos)
        << t.status().ToString();
    Result<uint32_t> c = w->Checkpoint(CheckpointMode::kPassive);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c.value(), 0u) << "copied frames the transaction's main-file snapshot still reads";
  };
  std::vector<uint8_t> buf(4096);
  ASSERT_OK(r->ReadPage(5, buf.data(), buf.size()));
  EXPECT_TRUE(hooks.once == nullptr) << "the refresh never reached the hook";
  EXPECT_EQ(buf, Versioned(5, 2));
  EXPECT_EQ(w->stats().wal_restarts, restarts);
  ASSERT_OK(r->ReadPageAt(snap, 5, buf.data(), buf.size()));
  EXPECT_EQ(buf, Versioned(5, 0));
  r->EndRead(&snap);
  ASSERT_OK(r->ReadPage(1, buf.data(), buf.size()));  // a plain read leaves its slot idle
  Result<uint32_t> t = w->Checkpoint(CheckpointMode::kTruncate);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(w->stats().wal_restarts, restarts + 1);
}

}  // namespace
}  // namespace wal
}  // namespace pager
