// How long capture keeps the engine paused (K1), and the C8 checks of pager_cache_ops.
//
// The copy-out tests stream a capture into a pipe drained by a deliberately slow reader
// thread and record, inside the adapter's resume callback, how many bytes the reader had
// consumed. The assertions are about ordering, not timing: with the copy-out budget nothing
// has been written when the engine resumes; without it, the reader must already have
// consumed most of the page bytes (the writer buffers at most 1 MiB, a pipe holds 64 KiB).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using testing::NewEngine;
using testing::Populate;
using testing::SmallMeta;

// Drains a pipe slowly, counting the bytes it consumed.
class SlowReader {
 public:
  explicit SlowReader(int fd) : fd_(fd), thread_([this] { Run(); }) {}
  ~SlowReader() {
    if (thread_.joinable()) thread_.join();
  }
  uint64_t consumed() const { return consumed_.load(); }
  uint64_t Finish() {
    thread_.join();
    return consumed_.load();
  }

 private:
  void Run() {
    char buf[16 << 10];
    for (;;) {
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) return;
      consumed_ += static_cast<uint64_t>(n);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  }
  int fd_;
  std::atomic<uint64_t> consumed_{0};
  std::thread thread_;
};

// Forwards to the reference engine's ops; its resume records what the reader had consumed.
struct ResumeProbe {
  pager_cache_ops inner;
  const SlowReader* reader = nullptr;
  uint64_t consumed_at_resume = UINT64_MAX;
  static ResumeProbe* P(void* c) { return static_cast<ResumeProbe*>(c); }
  pager_cache_ops Ops() {
    pager_cache_ops o = inner;
    o.ctx = this;
    o.meta = [](void* c, pager_cache_meta* m) { return P(c)->inner.meta(P(c)->inner.ctx, m); };
    o.pause = [](void* c) { return P(c)->inner.pause(P(c)->inner.ctx); };
    o.resume = [](void* c) {
      P(c)->consumed_at_resume = P(c)->reader->consumed();
      return P(c)->inner.resume(P(c)->inner.ctx);
    };
    o.occupied_pages = [](void* c, pager_cache_sink* s) {
      return P(c)->inner.occupied_pages(P(c)->inner.ctx, s);
    };
    o.logical_seqs = [](void* c, pager_cache_sink* s) {
      return P(c)->inner.logical_seqs(P(c)->inner.ctx, s);
    };
    o.read_page = [](void* c, uint32_t p, void* k, uint64_t kb, void* v, uint64_t vb) {
      return P(c)->inner.read_page(P(c)->inner.ctx, p, k, kb, v, vb);
    };
    return o;
  }
};

class SnapshotCopyOut : public ::testing::Test {
 protected:
  static constexpr uint32_t kPages = 16;
  void SetUp() override {
    engine_ = NewEngine(SmallMeta(16, 8, 8, 64), kPages);  // 256 KiB pages, 4 MiB in all
    std::mt19937_64 rng(11);
    Populate(engine_.get(), rng, kPages, 3);
    while (engine_->GetStats().occupied_pages < kPages) ASSERT_OK(engine_->AllocPage().status());
    page_bytes_ = engine_->geometry().page_bytes();
  }
  // Captures into a pipe with the given budget; returns (consumed at resume, stream bytes).
  std::pair<uint64_t, uint64_t> CaptureThroughSlowPipe(uint64_t budget) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    (void)fcntl(fds[1], F_SETPIPE_SZ, 64 << 10);
    SlowReader reader(fds[0]);
    ResumeProbe probe{engine_->Ops()};
    probe.reader = &reader;
    pager_cache_ops ops = probe.Ops();
    pager_snapshot_options o;
    pager_snapshot_options_init(&o);
    o.copy_out_budget_bytes = budget;
    EXPECT_PAGER_OK(pager_snapshot_capture_fd(&ops, fds[1], &o));
    close(fds[1]);
    uint64_t total = reader.Finish();
    close(fds[0]);
    EXPECT_FALSE(engine_->GetStats().paused);
    return {probe.consumed_at_resume, total};
  }
  std::unique_ptr<RefEngine> engine_;
  uint64_t page_bytes_ = 0;
};

// Regression: 0.1 kept the engine paused until every page was written to the output, so a
// slow reader of capture_fd kept the engine paused; the budget lets it resume first.
TEST_F(SnapshotCopyOut, WithABudgetTheEngineResumesBeforeAnyOutputIsWritten) {
  auto [at_resume, total] = CaptureThroughSlowPipe(uint64_t{kPages} * page_bytes_);
  EXPECT_GT(total, uint64_t{kPages} * page_bytes_);
  EXPECT_EQ(at_resume, 0u) << "the engine resumed after " << at_resume << " of " << total
                           << " bytes had been read";
}

TEST_F(SnapshotCopyOut, WithoutABudgetTheEngineStaysPausedWhileThePagesAreWritten) {
  auto [at_resume, total] = CaptureThroughSlowPipe(0);
  uint64_t all_pages = uint64_t{kPages} * page_bytes_;
  // At most the writer's 1 MiB buffer plus the 64 KiB pipe were not yet consumed.
  EXPECT_GE(at_resume, all_pages - (1u << 20) - (64u << 10)) << "of " << total;
}

TEST_F(SnapshotCopyOut, PagesThatDoNotFitTheBudgetAreWrittenPausedAsWithoutIt) {
  auto [at_resume, total] = CaptureThroughSlowPipe(uint64_t{kPages} * page_bytes_ - 1);
  uint64_t all_pages = uint64_t{kPages} * page_bytes_;
  EXPECT_GE(at_resume, all_pages - (1u << 20) - (64u << 10)) << "of " << total;
}

TEST_F(SnapshotCopyOut, ACopiedOutSnapshotRestoresTheSameContent) {
  pager::testing::TempDir dir;
  std::string path = dir.File("s.kvs");
  pager_cache_ops ops = engine_->Ops();
  pager_snapshot_options o;
  pager_snapshot_options_init(&o);
  o.copy_out_budget_bytes = UINT64_MAX;
  o.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
  ASSERT_PAGER_OK(pager_snapshot_capture(&ops, path.c_str(), &o));
  auto dst = NewEngine(SmallMeta(16, 8, 8, 64), kPages);
  pager_cache_ops dops = dst->Ops();
  ASSERT_PAGER_OK(pager_snapshot_restore(&dops, path.c_str(), nullptr));
  EXPECT_EQ(dst->Fingerprint(), engine_->Fingerprint());
}

// ---- pager_cache_ops is a growable struct (C8) -----------------------------------------

// Regression: 0.1 ignored bytes past the struct it knew, so a callback set by a caller
// compiled against a newer header was silently never called.
TEST(SnapshotCacheOps, AnUnknownNonZeroTrailingByteIsInvalid) {
  pager::testing::TempDir dir;
  auto e = NewEngine(SmallMeta(), 4);
  struct Newer {
    pager_cache_ops ops;
    void* future_callback;
  } newer;
  std::memset(&newer, 0, sizeof newer);
  newer.ops = e->Ops();
  newer.ops.struct_size = sizeof newer;
  std::string path = dir.File("s.kvs");
  EXPECT_PAGER_OK(pager_snapshot_capture(&newer.ops, path.c_str(), nullptr));
  newer.future_callback = &newer;
  EXPECT_EQ(pager_snapshot_capture(&newer.ops, path.c_str(), nullptr), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("pager_cache_ops has a non-zero byte"),
            std::string::npos);
  EXPECT_EQ(pager_snapshot_restore(&newer.ops, path.c_str(), nullptr), PAGER_ERR_INVALID);
}

TEST(SnapshotCacheOps, AStructSizeBelowTheFirstVersionIsInvalid) {
  auto e = NewEngine(SmallMeta(), 4);
  pager_cache_ops ops = e->Ops();
  ops.struct_size = offsetof(pager_cache_ops, release_pages);  // 0.1's size
  EXPECT_EQ(pager_snapshot_capture(&ops, "/tmp/never-written.kvs", nullptr), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("pager_cache_ops.struct_size"),
            std::string::npos);
}

TEST(SnapshotCacheOps, ReleasePagesIsOptional) {
  pager::testing::TempDir dir;
  auto e = NewEngine(SmallMeta(), 4);
  ASSERT_OK(e->AllocPage().status());
  pager_cache_ops ops = e->Ops();
  ops.release_pages = nullptr;
  std::string path = dir.File("s.kvs");
  ASSERT_PAGER_OK(pager_snapshot_capture(&ops, path.c_str(), nullptr));
  auto dst = NewEngine(SmallMeta(), 4);
  pager_cache_ops dops = dst->Ops();
  dops.release_pages = nullptr;
  EXPECT_PAGER_OK(pager_snapshot_restore(&dops, path.c_str(), nullptr));
}

TEST(SnapshotLayering, TheCoreCallsNoCEntryPoint) {
  // bindings -> capi -> impl -> io: impl/snapshot never calls a pager_* function.
  FILE* p = popen("grep -rnE '\\bpager_[a-z_]+\\(' impl/snapshot | grep -v 'pager_cache_sink('",
                  "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  pclose(p);
  EXPECT_EQ(out, "") << "impl/snapshot calls C entry points:\n" << out;
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
