// PosixFile's started writes (io E8) and their DirectWriter (D1-D3 in impl/io/posix_direct.h)
// on a real file system: what a started write leaves in the file once finished, that a sync
// and a buffered write wait for it, that more writes than the kernel queue holds all land, that
// an aligned write bypasses the page cache, that a failure is reported once (also when a
// full queue reaps it), and that I/O contexts are reused across writers but never across fork.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "impl/common/aligned_buffer.h"
#include "impl/io/env.h"
#include "impl/io/posix_direct.h"
#include "impl/io/posix_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace io {
namespace {

using testing::ScopedFileSizeLimit;
using testing::TempDir;

constexpr size_t kBlock = 4096;

std::unique_ptr<File> OpenDirect(const std::string& path, bool direct = true) {
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = true;
  o.create = true;
  o.direct_writes = direct;
  Status s = DefaultEnv()->Open(path, o, &f);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return f;
}

// Does this directory's file system take O_DIRECT at all? (tmpfs of older kernels does not.)
bool DirectIoWorks(const std::string& dir) {
  std::string probe = dir + "/direct-probe";
  int fd = open(probe.c_str(), O_RDWR | O_CREAT | O_DIRECT, 0644);
  if (fd >= 0) close(fd);
  unlink(probe.c_str());
  return fd >= 0;
}

void Fill(AlignedBuffer* b, size_t len, uint8_t seed) {
  ASSERT_OK(b->Reserve(len));
  for (size_t i = 0; i < len; i++) b->data()[i] = static_cast<uint8_t>(seed + i * 7);
}

std::vector<uint8_t> ReadBack(File* f, uint64_t offset, size_t len) {
  std::vector<uint8_t> out(len);
  EXPECT_OK(f->ReadExactAt(offset, out.data(), len));
  return out;
}

bool Same(const std::vector<uint8_t>& got, const uint8_t* want, size_t len) {
  return got.size() == len && std::memcmp(got.data(), want, len) == 0;
}

TEST(IoPosixDirect, AlignedAndUnalignedStartedWritesAreInTheFileOnceFinished) {
  TempDir tmp;
  auto f = OpenDirect(tmp.File("j"));
  ASSERT_NE(f, nullptr);
  AlignedBuffer a, b;
  Fill(&a, 16 * kBlock, 1);
  Fill(&b, 3 * kBlock, 9);
  ASSERT_OK(f->Allocate(0, 32 * kBlock));
  ASSERT_OK(f->StartWriteAt(4 * kBlock, a.data(), 16 * kBlock));  // aligned: direct
  ASSERT_OK(f->StartWriteAt(100, b.data() + 1, 1000));           // unaligned: written at once
  ASSERT_OK(f->FinishWrites());
  EXPECT_TRUE(Same(ReadBack(f.get(), 4 * kBlock, 16 * kBlock), a.data(), 16 * kBlock));
  EXPECT_TRUE(Same(ReadBack(f.get(), 100, 1000), b.data() + 1, 1000));
  EXPECT_OK(f->FinishWrites());  // nothing in flight: ok again
}

TEST(IoPosixDirect, DataSyncFinishesTheWritesStartedBeforeIt) {
  TempDir tmp;
  auto f = OpenDirect(tmp.File("j"));
  ASSERT_NE(f, nullptr);
  AlignedBuffer a;
  Fill(&a, 64 * kBlock, 3);
  ASSERT_OK(f->Allocate(0, 64 * kBlock));
  ASSERT_OK(f->StartWriteAt(0, a.data(), 64 * kBlock));
  ASSERT_OK(f->DataSync());
  std::vector<uint8_t> on_disk = testing::ReadWholeFile(tmp.File("j"));
  EXPECT_TRUE(Same(on_disk, a.data(), 64 * kBlock));
}

TEST(IoPosixDirect, MoreStartedWritesThanTheKernelQueueHoldsAllLand) {
  TempDir tmp;
  auto f = OpenDirect(tmp.File("j"));
  ASSERT_NE(f, nullptr);
  constexpr size_t kWrites = 20;  // > DirectWriter::kMaxInFlight
  AlignedBuffer a;
  Fill(&a, kWrites * 2 * kBlock, 5);
  ASSERT_OK(f->Allocate(0, kWrites * 2 * kBlock));
  for (size_t i = 0; i < kWrites; i++) {
    ASSERT_OK(f->StartWriteAt(i * 2 * kBlock, a.data() + i * 2 * kBlock, 2 * kBlock));
  }
  ASSERT_OK(f->FinishWrites());
  EXPECT_TRUE(Same(ReadBack(f.get(), 0, kWrites * 2 * kBlock), a.data(), kWrites * 2 * kBlock));
}

TEST(IoPosixDirect, ABufferedWriteNeverOvertakesAStartedOne) {
  TempDir tmp;
  auto f = OpenDirect(tmp.File("j"));
  ASSERT_NE(f, nullptr);
  AlignedBuffer a;
  Fill(&a, 8 * kBlock, 11);
  ASSERT_OK(f->Allocate(0, 8 * kBlock));
  ASSERT_OK(f->StartWriteAt(0, a.data(), 8 * kBlock));
  ASSERT_OK(f->WriteAt(kBlock, "later", 5));  // must land after the started write
  ASSERT_OK(f->DataSync());
  std::vector<uint8_t> got = ReadBack(f.get(), 0, 8 * kBlock);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(got.data()) + kBlock, 5), "later");
  EXPECT_EQ(std::memcmp(got.data(), a.data(), kBlock), 0);
}

TEST(IoPosixDirect, AnAlignedStartedWriteBypassesThePageCache) {
  TempDir tmp;
  if (!DirectIoWorks(tmp.path())) GTEST_SKIP() << "no O_DIRECT on " << tmp.path();
  std::string path = tmp.File("j");
  auto f = OpenDirect(path);
  ASSERT_NE(f, nullptr);
  AlignedBuffer a;
  Fill(&a, 32 * kBlock, 13);
  ASSERT_OK(f->Allocate(0, 32 * kBlock));
  ASSERT_OK(f->StartWriteAt(0, a.data(), 32 * kBlock));
  ASSERT_OK(f->FinishWrites());
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  void* m = mmap(nullptr, 32 * kBlock, PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(m, MAP_FAILED);
  std::vector<unsigned char> resident(32 * kBlock / static_cast<size_t>(getpagesize()));
  ASSERT_EQ(mincore(m, 32 * kBlock, resident.data()), 0);
  size_t cached = 0;
  for (unsigned char r : resident) cached += r & 1;
  munmap(m, 32 * kBlock);
  close(fd);
  EXPECT_EQ(cached, 0u) << "a direct write leaves nothing in the page cache";
  // Without the hint the same write goes through the page cache.
  std::string buffered_path = tmp.File("b");
  auto g = OpenDirect(buffered_path, /*direct=*/false);
  ASSERT_NE(g, nullptr);
  ASSERT_OK(g->StartWriteAt(0, a.data(), 32 * kBlock));
  ASSERT_OK(g->FinishWrites());
  std::vector<uint8_t> got = testing::ReadWholeFile(buffered_path);
  EXPECT_TRUE(Same(got, a.data(), 32 * kBlock));
}

// D3: a forked child's memory has no AIO context (io_submit refuses the parent's), so its
// started write is written synchronously through the O_DIRECT descriptor -- and lands.
TEST(IoPosixDirect, AForkedChildsStartedWriteLandsWithoutTheParentsAioContext) {
  TempDir tmp;
  std::string path = tmp.File("j");
  auto f = OpenDirect(path);
  ASSERT_NE(f, nullptr);
  AlignedBuffer a;
  Fill(&a, 8 * kBlock, 23);
  ASSERT_OK(f->Allocate(0, 8 * kBlock));
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    bool ok = f->StartWriteAt(0, a.data(), 8 * kBlock).ok() && f->FinishWrites().ok() &&
              f->DataSync().ok();
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's started write failed";
  EXPECT_TRUE(Same(ReadBack(f.get(), 0, 8 * kBlock), a.data(), 8 * kBlock));
}

// RLIMIT_FSIZE (SIGXFSZ ignored): a direct write past the limit is EFBIG, reported as NOSPC
// once -- by the start or by the finish, whichever the kernel's path reached -- and the next
// FinishWrites is ok (D2).
TEST(IoPosixDirect, AFailedDirectWriteIsNoSpaceReportedOnce) {
  TempDir tmp;
  std::string path = tmp.File("j");
  auto f = OpenDirect(path);
  ASSERT_NE(f, nullptr);
  AlignedBuffer a;
  Fill(&a, 4 * kBlock, 17);
  ScopedFileSizeLimit limit(16 * kBlock);
  ASSERT_TRUE(limit.ok());
  Status start = f->StartWriteAt(64 * kBlock, a.data(), 4 * kBlock);
  Status finish = f->FinishWrites();
  limit.Restore();
  Status failed = start.ok() ? finish : start;
  EXPECT_TRUE(start.ok() || finish.ok()) << "reported twice";
  EXPECT_EQ(failed.code(), Code::kNoSpace) << failed.ToString();
  if (DirectIoWorks(tmp.path())) {
    EXPECT_EQ(failed.message().rfind("direct write " + path, 0), 0u) << failed.message();
  }
  EXPECT_OK(f->FinishWrites());
  uint64_t size = 0;
  ASSERT_OK(f->Size(&size));
  EXPECT_EQ(size, 0u);
}

// D2 when the queue is full: a write that failed in the kernel is reaped by the Start that
// finds kMaxInFlight writes in flight, kept, and reported by the next FinishWrites, once; the
// writes started after it land.
TEST(IoPosixDirect, AFailureReapedByAFullQueueIsReportedByTheNextFinishOnce) {
  TempDir tmp;
  if (!DirectIoWorks(tmp.path())) GTEST_SKIP() << "no O_DIRECT on " << tmp.path();
  std::string path = tmp.File("j");
  auto f = OpenDirect(path);
  ASSERT_NE(f, nullptr);
  constexpr size_t kWrites = 12;  // > DirectWriter::kMaxInFlight after the failing one
  AlignedBuffer a;
  Fill(&a, kWrites * kBlock, 23);
  ASSERT_OK(f->Allocate(0, kWrites * kBlock));
  ScopedFileSizeLimit limit(16 * kBlock);
  ASSERT_TRUE(limit.ok());
  Status failing = f->StartWriteAt(64 * kBlock, a.data(), kBlock);  // past the limit
  std::vector<Status> starts;
  for (size_t i = 0; i < kWrites; i++) {
    starts.push_back(f->StartWriteAt(i * kBlock, a.data() + i * kBlock, kBlock));
  }
  Status finish = f->FinishWrites();
  Status again = f->FinishWrites();
  limit.Restore();
  if (!failing.ok()) {
    GTEST_SKIP() << "the kernel refused the write at submission: " << failing.ToString();
  }
  for (const Status& st : starts) EXPECT_OK(st);
  EXPECT_EQ(finish.code(), Code::kNoSpace) << finish.ToString();
  EXPECT_EQ(finish.message().rfind("direct write " + path, 0), 0u) << finish.message();
  EXPECT_OK(again);  // reported once
  EXPECT_TRUE(Same(ReadBack(f.get(), 0, kWrites * kBlock), a.data(), kWrites * kBlock));
}

// One started, finished write through f, checked by reading it back.
void WriteAndCheck(File* f, uint8_t seed) {
  AlignedBuffer a;
  Fill(&a, 4 * kBlock, seed);
  ASSERT_OK(f->StartWriteAt(0, a.data(), 4 * kBlock));
  ASSERT_OK(f->FinishWrites());
  EXPECT_TRUE(Same(ReadBack(f, 0, 4 * kBlock), a.data(), 4 * kBlock));
}

// D4: closing a writer pools its context (io_destroy would wait for an RCU grace period); the
// next writer takes it, and the reused context has no completion left from the last one.
TEST(IoPosixDirect, AClosedWritersContextIsReusedByTheNextWithoutStaleCompletions) {
  TempDir tmp;
  if (!DirectIoWorks(tmp.path())) GTEST_SKIP() << "no O_DIRECT on " << tmp.path();
  OpenDirect(tmp.File("warm")).reset();  // at least one idle context
  const uint64_t created = DirectWriter::ContextsCreated();
  for (int i = 0; i < 20; i++) {
    auto f = OpenDirect(tmp.File("j"));
    ASSERT_NE(f, nullptr);
    WriteAndCheck(f.get(), static_cast<uint8_t>(i));
    ASSERT_OK(f->DataSync());
  }
  EXPECT_EQ(DirectWriter::ContextsCreated(), created) << "a close destroyed its context";
}

// D4's bound: more writers than kIdleContexts closing at once leave kIdleContexts pooled and
// destroy the rest, so opening as many again creates the difference.
TEST(IoPosixDirect, ThePoolKeepsAtMostItsBoundOfIdleContexts) {
  TempDir tmp;
  if (!DirectIoWorks(tmp.path())) GTEST_SKIP() << "no O_DIRECT on " << tmp.path();
  constexpr size_t kWriters = DirectWriter::kIdleContexts + 4;
  std::vector<std::unique_ptr<File>> files;
  for (size_t i = 0; i < kWriters; i++) files.push_back(OpenDirect(tmp.File(std::to_string(i))));
  files.clear();  // pools kIdleContexts, destroys 4
  const uint64_t created = DirectWriter::ContextsCreated();
  for (size_t i = 0; i < kWriters; i++) files.push_back(OpenDirect(tmp.File(std::to_string(i))));
  for (auto& f : files) WriteAndCheck(f.get(), 5);
  EXPECT_EQ(DirectWriter::ContextsCreated() - created, kWriters - DirectWriter::kIdleContexts);
}

// D4 across fork: the child's pool starts empty (its memory has none of the parent's
// contexts), so it creates its own; closing the writer it inherited neither pools nor destroys
// the parent's context; and the parent's pool is as it was.
TEST(IoPosixDirect, AForkedChildNeverTakesOrDestroysItsParentsContexts) {
  TempDir tmp;
  if (!DirectIoWorks(tmp.path())) GTEST_SKIP() << "no O_DIRECT on " << tmp.path();
  auto inherited = OpenDirect(tmp.File("inherited"));
  ASSERT_NE(inherited, nullptr);
  OpenDirect(tmp.File("warm")).reset();  // the parent has an idle context
  const uint64_t parent_created = DirectWriter::ContextsCreated();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fails = 0;
    if (DirectWriter::ContextsCreated() != 0) fails |= 1;
    inherited.reset();  // the parent's context: not pooled here
    for (int i = 0; i < 3; i++) {
      auto f = OpenDirect(tmp.File("child"));
      AlignedBuffer a;
      Fill(&a, 4 * kBlock, 3);
      if (!f->StartWriteAt(0, a.data(), 4 * kBlock).ok() || !f->FinishWrites().ok()) fails |= 2;
      if (!Same(ReadBack(f.get(), 0, 4 * kBlock), a.data(), 4 * kBlock)) fails |= 4;
    }
    if (DirectWriter::ContextsCreated() != 1) fails |= 8;  // one, then reused twice
    _exit(fails);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "bits: 1 inherited count, 2 write failed, 4 bytes wrong, "
                                       "8 the child reused no context or took the parent's";
  WriteAndCheck(inherited.get(), 11);  // the parent's context still works
  auto f = OpenDirect(tmp.File("after"));
  ASSERT_NE(f, nullptr);
  WriteAndCheck(f.get(), 13);
  EXPECT_EQ(DirectWriter::ContextsCreated(), parent_created);
}

// D4 under threads (and TSan): writers opening and closing on several threads at once share
// the pool without creating more contexts than ever were open together.
TEST(IoPosixDirect, WritersOpeningAndClosingOnManyThreadsShareThePool) {
  TempDir tmp;
  if (!DirectIoWorks(tmp.path())) GTEST_SKIP() << "no O_DIRECT on " << tmp.path();
  constexpr int kThreads = 4;
  const uint64_t created = DirectWriter::ContextsCreated();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&tmp, t] {
      for (int i = 0; i < 25; i++) {
        auto f = OpenDirect(tmp.File("t" + std::to_string(t)));
        ASSERT_NE(f, nullptr);
        WriteAndCheck(f.get(), static_cast<uint8_t>(t * 31 + i));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(DirectWriter::ContextsCreated() - created, static_cast<uint64_t>(kThreads));
}

}  // namespace
}  // namespace io
}  // namespace pager
