// PosixEnv's failure paths with real kernel failures: every errno a system call returns
// becomes the Status code and message PosixError promises (S2, E2), and a failed call leaves
// the file as it was. No seam here: directories opened as files, descriptors opened read-only
// or already closed, /dev/null that cannot sync, RLIMIT_FSIZE (EFBIG), a pipe where a file
// was expected, address space that cannot be reserved, locks interrupted by signals.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "impl/io/env.h"
#include "impl/io/posix_env.h"
#include "tests/support/mapping_probe.h"
#include "tests/support/test_util.h"

namespace pager {
namespace io {
namespace {

using testing::TempDir;

std::string Err(int e) { return std::strerror(e); }

#define EXPECT_STATUS(expr, code_, msg_)          \
  do {                                            \
    ::pager::Status _s = (expr);                  \
    EXPECT_EQ(_s.code(), (code_)) << #expr;       \
    EXPECT_EQ(_s.message(), (msg_)) << #expr;     \
  } while (0)

std::unique_ptr<File> OpenPath(const std::string& path, bool write, bool create = false) {
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = write;
  o.create = create;
  Status s = DefaultEnv()->Open(path, o, &f);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return f;
}

std::string FileText(const std::string& path) {
  std::vector<uint8_t> b = testing::ReadWholeFile(path);
  return std::string(b.begin(), b.end());
}

void WriteText(const std::string& path, const std::string& text) {
  testing::WriteWholeFile(path, std::vector<uint8_t>(text.begin(), text.end()));
}

TEST(IoPosixErrno, EveryErrnoClassBecomesItsCodeWithTheContextFirst) {
  struct Case {
    int err;
    Code code;
  } cases[] = {{ENOENT, Code::kNotFound}, {EEXIST, Code::kExists},  {ENOSPC, Code::kNoSpace},
               {EDQUOT, Code::kNoSpace},  {EFBIG, Code::kNoSpace},   {ENOMEM, Code::kNoMem},
               {EWOULDBLOCK, Code::kBusy}, {EROFS, Code::kReadOnly}, {EACCES, Code::kReadOnly},
               {EPERM, Code::kReadOnly},  {EINVAL, Code::kInvalid}, {EOPNOTSUPP, Code::kInvalid},
               {EIO, Code::kIo},          {EBADF, Code::kIo},       {ENOTDIR, Code::kIo}};
  for (const Case& c : cases) {
    EXPECT_STATUS(PosixError("op /p", c.err), c.code, "op /p: " + Err(c.err));
  }
}

TEST(IoPosixErrno, ReadingADirectoryOpenedAsAFileIsIoNamingPathAndOffset) {
  TempDir tmp;
  std::unique_ptr<File> f = OpenPath(tmp.path(), /*write=*/false);
  ASSERT_NE(f, nullptr);
  char buf[16];
  size_t got = 99;
  EXPECT_STATUS(f->ReadAt(8, buf, sizeof buf, &got), Code::kIo,
                "read " + tmp.path() + " at offset 8: " + Err(EISDIR));
  EXPECT_EQ(got, 99u);  // E3: no length reported on failure
  IoSliceMut slices[2] = {{buf, 4}, {buf + 4, 4}};
  EXPECT_STATUS(f->ReadVAt(0, slices, 2, &got), Code::kIo,
                "read " + tmp.path() + " at offset 0: " + Err(EISDIR));
  EXPECT_EQ(got, 99u);
}

TEST(IoPosixErrno, ReadingAPipeIsIoIllegalSeekAndWritingItsReadEndIsIo) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    std::unique_ptr<File> r = WrapFd(fds[0], "pipe-r", /*writable=*/true, /*owns_fd=*/true);
    char buf[4];
    size_t got = 0;
    EXPECT_STATUS(r->ReadAt(0, buf, sizeof buf, &got), Code::kIo,
                  "read pipe-r at offset 0: " + Err(ESPIPE));
    IoSliceMut s{buf, sizeof buf};
    EXPECT_STATUS(r->ReadVAt(0, &s, 1, &got), Code::kIo,
                  "read pipe-r at offset 0: " + Err(ESPIPE));
    // The read end of a pipe is a stream the kernel will not write: EBADF.
    EXPECT_STATUS(r->WriteAt(0, "abc", 3), Code::kIo, "write to stream pipe-r: " + Err(EBADF));
    EXPECT_OK(r->DataSync());  // a stream has nothing durable to flush
  }
  close(fds[1]);
}

TEST(IoPosixErrno, WritingThroughAReadOnlyDescriptorFailsAndLeavesTheFileUntouched) {
  TempDir tmp;
  std::string path = tmp.File("f");
  WriteText(path, "abc");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  // The handle believes it may write (as a caller's wrongly opened descriptor would).
  std::unique_ptr<File> f = WrapFd(fd, "f", /*writable=*/true, /*owns_fd=*/true);
  EXPECT_STATUS(f->WriteAt(1, "xyz", 3), Code::kIo, "write f at offset 1: " + Err(EBADF));
  EXPECT_STATUS(f->Truncate(1), Code::kInvalid, "truncate f to 1: " + Err(EINVAL));
  EXPECT_STATUS(f->Allocate(0, 8192), Code::kIo, "fallocate f [0, +8192): " + Err(EBADF));
  EXPECT_STATUS(f->PunchHole(0, 3), Code::kIo, "punch hole in f: " + Err(EBADF));
  std::unique_ptr<Mapping> m;
  EXPECT_STATUS(f->Map(4096, 3, /*writable=*/true, &m), Code::kReadOnly,
                "mmap f: " + Err(EACCES));
  EXPECT_EQ(m, nullptr);
  f.reset();
  EXPECT_EQ(FileText(path), "abc");
}

TEST(IoPosixErrno, ADescriptorClosedUnderTheHandleFailsEveryCallWithIo) {
  // A descriptor number that is not open: every system call answers EBADF, and the lseek of
  // WrapFd too (so the handle is a file, not a stream).
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(close(fd), 0);
  std::unique_ptr<File> f = WrapFd(fd, "gone", /*writable=*/true, /*owns_fd=*/false);
  const std::string ebadf = Err(EBADF);
  EXPECT_STATUS(f->Sync(), Code::kIo, "fsync gone: " + ebadf);
  EXPECT_STATUS(f->DataSync(), Code::kIo, "fdatasync gone: " + ebadf);
  EXPECT_STATUS(f->SyncRange(0, 10), Code::kIo, "fdatasync gone: " + ebadf);
  uint64_t size = 7;
  EXPECT_STATUS(f->Size(&size), Code::kIo, "stat gone: " + ebadf);
  EXPECT_EQ(size, 7u);
  EXPECT_STATUS(f->Truncate(0), Code::kIo, "truncate gone to 0: " + ebadf);
  EXPECT_STATUS(f->Lock(LockMode::kExclusive, 0), Code::kIo, "lock gone: " + ebadf);
  EXPECT_STATUS(f->Lock(LockMode::kShared, kLockWaitForever), Code::kIo, "lock gone: " + ebadf);
  EXPECT_STATUS(f->Unlock(), Code::kIo, "unlock gone: " + ebadf);
  EXPECT_STATUS(f->LockRange(0, 1, LockMode::kExclusive, 0), Code::kIo,
                "lock range of gone: " + ebadf);
  EXPECT_STATUS(f->LockRange(0, 1, LockMode::kShared, kLockWaitForever), Code::kIo,
                "lock range of gone: " + ebadf);
  EXPECT_STATUS(f->UnlockRange(0, 1), Code::kIo, "unlock range of gone: " + ebadf);
  EXPECT_STATUS(f->AdviseFile(0, 0, Advice::kWillNeed), Code::kIo, "fadvise gone: " + ebadf);
  std::unique_ptr<Mapping> m;
  EXPECT_STATUS(f->Map(4096, 1, false, &m), Code::kIo, "mmap gone: " + ebadf);
  EXPECT_EQ(m, nullptr);
}

TEST(IoPosixErrno, SyncOfADeviceWithoutSyncIsInvalid) {
  std::unique_ptr<File> f = OpenPath("/dev/null", /*write=*/true);
  ASSERT_NE(f, nullptr);
  EXPECT_STATUS(f->Sync(), Code::kInvalid, "fsync /dev/null: " + Err(EINVAL));
  EXPECT_STATUS(f->DataSync(), Code::kInvalid, "fdatasync /dev/null: " + Err(EINVAL));
}

TEST(IoPosixErrno, SyncDirOfAFileIsIoNotADirectory) {
  TempDir tmp;
  WriteText(tmp.File("f"), "x");
  EXPECT_STATUS(DefaultEnv()->SyncDir(tmp.File("f")), Code::kIo,
                "open directory " + tmp.File("f") + ": " + Err(ENOTDIR));
  EXPECT_EQ(FileText(tmp.File("f")), "x");
}

TEST(IoPosixErrno, SyncDirOfProcIsInvalid) {
  EXPECT_STATUS(DefaultEnv()->SyncDir("/proc/self"), Code::kInvalid,
                "fsync directory /proc/self: " + Err(EINVAL));
}

// RLIMIT_FSIZE: growing a file past the limit is EFBIG (SIGXFSZ ignored), which the seam
// reports as NOSPC -- the caller must not think the bytes landed. The file keeps its size and
// bytes. The limit is set for the shortest possible window and restored.
TEST(IoPosixErrno, GrowingPastTheFileSizeLimitIsNoSpaceAndTheFileKeepsItsBytes) {
  TempDir tmp;
  std::string path = tmp.File("f");
  WriteText(path, "abc");
  std::unique_ptr<File> f = OpenPath(path, /*write=*/true);
  ASSERT_NE(f, nullptr);
  testing::ScopedFileSizeLimit limit(65536);
  ASSERT_TRUE(limit.ok());
  Status write_st = f->WriteAt(65536, "x", 1);
  Status truncate_st = f->Truncate(1 << 20);
  Status allocate_st = f->Allocate(0, 1 << 20);
  limit.Restore();
  EXPECT_STATUS(write_st, Code::kNoSpace, "write " + path + " at offset 65536: " + Err(EFBIG));
  EXPECT_STATUS(truncate_st, Code::kNoSpace, "truncate " + path + " to 1048576: " + Err(EFBIG));
  EXPECT_STATUS(allocate_st, Code::kNoSpace,
                "fallocate " + path + " [0, +1048576): " + Err(EFBIG));
  f.reset();
  EXPECT_EQ(FileText(path), "abc");
}

TEST(IoPosixErrno, RangesPastTheLargestOffsetAndWritesToReadOnlyFilesAreRefusedBeforeTheCall) {
  TempDir tmp;
  std::string path = tmp.File("f");
  WriteText(path, "abc");
  std::unique_ptr<File> f = OpenPath(path, /*write=*/true);
  ASSERT_NE(f, nullptr);
  const std::string max = std::to_string(UINT64_MAX);
  EXPECT_STATUS(f->SyncRange(UINT64_MAX, 2), Code::kInvalid,
                "sync range: offset " + max + " + length 2 overflows");
  // No wrap, but past INT64_MAX (off_t): refused too.
  EXPECT_STATUS(f->SyncRange(uint64_t{1} << 63, 0), Code::kInvalid,
                "sync range: offset 9223372036854775808 + length 0 overflows");
  EXPECT_STATUS(f->Truncate(UINT64_MAX), Code::kInvalid,
                "truncate: offset " + max + " + length 0 overflows");
  EXPECT_STATUS(f->PunchHole(UINT64_MAX, 2), Code::kInvalid,
                "punch hole: offset " + max + " + length 2 overflows");
  EXPECT_STATUS(f->LockRange(0, 0, LockMode::kShared, 0), Code::kInvalid,
                "lock range [0, +0) is empty or past the largest offset");
  EXPECT_STATUS(f->UnlockRange(UINT64_MAX, 1), Code::kInvalid,
                "lock range [" + max + ", +1) is empty or past the largest offset");
  EXPECT_OK(f->Allocate(0, 0));
  EXPECT_OK(f->PunchHole(0, 0));
  f.reset();

  std::unique_ptr<File> ro = OpenPath(path, /*write=*/false);
  ASSERT_NE(ro, nullptr);
  EXPECT_STATUS(ro->Truncate(0), Code::kReadOnly, "truncate on read-only " + path);
  EXPECT_STATUS(ro->Allocate(0, 10), Code::kReadOnly, "allocate on read-only " + path);
  EXPECT_STATUS(ro->PunchHole(0, 1), Code::kReadOnly, "punch hole on read-only " + path);
  ro.reset();
  EXPECT_EQ(FileText(path), "abc");
}

TEST(IoPosixErrno, EnvCallsOnMissingOrMistypedPathsNameThePathAndErrno) {
  TempDir tmp;
  WriteText(tmp.File("f"), "x");
  std::string path;
  std::unique_ptr<File> f;
  EXPECT_STATUS(DefaultEnv()->CreateUniqueFile(tmp.File("nodir"), "p", &path, &f),
                Code::kNotFound, "create unique file in " + tmp.File("nodir") + ": " + Err(ENOENT));
  EXPECT_TRUE(path.empty());
  EXPECT_EQ(f, nullptr);
  bool exists = true;
  EXPECT_STATUS(DefaultEnv()->Exists(tmp.File("f/x"), &exists), Code::kIo,
                "stat " + tmp.File("f/x") + ": " + Err(ENOTDIR));
  EXPECT_TRUE(exists);
  EXPECT_STATUS(DefaultEnv()->Rename(tmp.File("a"), tmp.File("b")), Code::kNotFound,
                "rename " + tmp.File("a") + " to " + tmp.File("b") + ": " + Err(ENOENT));
  EXPECT_EQ(FileText(tmp.File("f")), "x");
}

TEST(IoPosixErrno, MappingRefusalsNameTheRangeAndAReservationTooLargeIsNoMem) {
  TempDir tmp;
  std::string path = tmp.File("f");
  testing::WriteWholeFile(path, std::vector<uint8_t>(3 * 4096, 7));
  std::unique_ptr<File> f = OpenPath(path, /*write=*/true);
  ASSERT_NE(f, nullptr);
  std::unique_ptr<Mapping> m;
  EXPECT_STATUS(f->Map(4096, 8192, false, &m), Code::kInvalid,
                "map of " + path + ": length 8192 exceeds the reservation 4096");
  // 2^62 bytes of address space: no process can reserve that.
  EXPECT_STATUS(f->Map(size_t{1} << 62, 0, false, &m), Code::kNoMem,
                "reserve address space for " + path + ": " + Err(ENOMEM));
  EXPECT_EQ(m, nullptr);
  ASSERT_OK(f->Map(0, 0, false, &m));  // an empty reservation is one page
  EXPECT_EQ(m->reserved_len(), static_cast<size_t>(sysconf(_SC_PAGESIZE)));
  m.reset();
  ASSERT_OK(f->Map(4 * 4096, 3 * 4096, true, &m));
  EXPECT_OK(m->Sync(0, 0));
  EXPECT_OK(m->Advise(0, 0, Advice::kRandom));
  EXPECT_STATUS(m->Sync(3 * 4096, 1), Code::kInvalid,
                "msync of " + path + " range [12288, +1) is outside the mapped 12288 bytes");
  EXPECT_STATUS(m->Sync(4096, SIZE_MAX), Code::kInvalid,
                "msync of " + path + " range [4096, +" + std::to_string(SIZE_MAX) +
                    ") is outside the mapped 12288 bytes");
  // Shrinking unmaps the tail, growing maps it again; the bytes are the file's.
  ASSERT_OK(m->Remap(4096));
  EXPECT_EQ(m->mapped_len(), 4096u);
  ASSERT_OK(m->Remap(4096));
  ASSERT_OK(m->Remap(3 * 4096));
  EXPECT_EQ(m->data()[3 * 4096 - 1], 7);
  // Advice far past the reservation, where nothing is mapped: the kernel refuses (ENOMEM),
  // the mapping is unharmed.
  EXPECT_STATUS(m->Advise(SIZE_MAX / 2, 4096, Advice::kNormal), Code::kNoMem,
                "madvise " + path + ": " + Err(ENOMEM));
  EXPECT_EQ(m->data()[0], 7);
}

TEST(IoPosixErrno, EveryAdviceIsAcceptedForFilesMappingsAndMemory) {
  TempDir tmp;
  std::string path = tmp.File("f");
  testing::WriteWholeFile(path, std::vector<uint8_t>(2 * 4096, 1));
  std::unique_ptr<File> f = OpenPath(path, /*write=*/false);
  ASSERT_NE(f, nullptr);
  std::unique_ptr<Mapping> m;
  ASSERT_OK(f->Map(2 * 4096, 2 * 4096, false, &m));
  std::vector<uint8_t> mem(4 * 4096, 2);
  for (Advice a : {Advice::kNormal, Advice::kSequential, Advice::kRandom, Advice::kWillNeed,
                   Advice::kDontNeed, Advice::kCold, Advice::kPopulateRead}) {
    EXPECT_OK(f->AdviseFile(0, 0, a));
    EXPECT_OK(m->Advise(0, 4096, a));
    EXPECT_OK(AdviseMemory(mem.data(), mem.size(), a));
  }
  EXPECT_EQ(m->data()[4096], 1);  // DONTNEED on a shared file mapping drops nothing
}

// Pages of [p, p + pages * 4096) whose page-table entry is present (/proc/self/pagemap bit
// 63): what a populate fills, told apart without counting faults (a sanitizer's shadow memory
// faults on its own when the test touches the mapping).
size_t PresentPages(const uint8_t* p, size_t pages) {
  int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SIZE_MAX;
  size_t present = 0;
  const uint64_t first = reinterpret_cast<uintptr_t>(p) / 4096;
  for (size_t i = 0; i < pages; i++) {
    uint64_t entry = 0;
    if (pread(fd, &entry, sizeof entry, static_cast<off_t>((first + i) * sizeof entry)) !=
        static_cast<ssize_t>(sizeof entry)) {
      close(fd);
      return SIZE_MAX;
    }
    present += (entry >> 63) & 1;
  }
  close(fd);
  return present;
}

// kPopulateRead fills the page tables at once: every page of the mapping is present before it
// is read, where a plain mapping has none until it is touched.
TEST(IoPosixErrno, APopulatedMappingIsReadWithoutPageFaults) {
  TempDir tmp;
  std::string path = tmp.File("f");
  const size_t kPages = 64;
  testing::WriteWholeFile(path, std::vector<uint8_t>(kPages * 4096, 3));
  std::unique_ptr<File> f = OpenPath(path, /*write=*/false);
  ASSERT_NE(f, nullptr);
  auto present_before_reading = [&](bool populate) {
    std::unique_ptr<Mapping> m;
    EXPECT_OK(f->Map(kPages * 4096, kPages * 4096, false, &m));
    EXPECT_OK(m->Advise(0, kPages * 4096, Advice::kRandom));  // no fault-around
    if (populate) EXPECT_OK(m->Advise(0, kPages * 4096, Advice::kPopulateRead));
    const size_t present = PresentPages(m->data(), kPages);
    unsigned sum = 0;
    for (size_t i = 0; i < kPages; i++) sum += m->data()[i * 4096];
    EXPECT_EQ(sum, 3 * kPages);
    return present;
  };
  const size_t plain = present_before_reading(false);
  if (plain == SIZE_MAX) GTEST_SKIP() << "/proc/self/pagemap cannot be read here";
  EXPECT_EQ(plain, 0u);
  EXPECT_EQ(present_before_reading(true), kPages);
}

// E4a: Remap maps a growth's bytes afresh (a new mmap, no advice); an access-pattern advice
// given for the whole mapping must reach them, one given for part of it must not.
TEST(IoPosixErrno, AWholeMappingAdviceReachesTheBytesARemapAddsAndARangedOneDoesNot) {
  TempDir tmp;
  std::string path = tmp.File("f");
  testing::WriteWholeFile(path, std::vector<uint8_t>(64 * 4096, 1));
  std::unique_ptr<File> f = OpenPath(path, /*write=*/false);
  ASSERT_NE(f, nullptr);
  auto grown_flags = [&](size_t advised_len) {
    std::unique_ptr<Mapping> m;
    EXPECT_OK(f->Map(64 * 4096, 16 * 4096, false, &m));
    EXPECT_OK(m->Advise(0, advised_len, Advice::kRandom));
    EXPECT_OK(m->Remap(64 * 4096));
    return testing::VmFlagsOf(m->data() + 63 * 4096);
  };
  const std::string whole = grown_flags(16 * 4096);
  ASSERT_FALSE(whole.empty()) << "/proc/self/smaps cannot be read here";
  EXPECT_NE(whole.find(" rr"), std::string::npos) << whole;
  const std::string ranged = grown_flags(8 * 4096);
  EXPECT_EQ(ranged.find(" rr"), std::string::npos) << ranged;
}

TEST(IoPosixErrno, AdvisingMemoryThatIsNotMappedIsNoMemAndAWrappingRangeIsInvalid) {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* p = mmap(nullptr, 3 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(munmap(p, 3 * page), 0);
  EXPECT_STATUS(AdviseMemory(p, 3 * page, Advice::kNormal), Code::kNoMem,
                "madvise process memory: " + Err(ENOMEM));
  char c = 0;
  EXPECT_STATUS(AdviseMemory(&c, SIZE_MAX, Advice::kNormal), Code::kInvalid,
                "advise memory: range overflows");
}

TEST(IoPosixErrno, ALockWaitThatTimesOutIsBusyNamingTheWait) {
  TempDir tmp;
  std::string path = tmp.File("f");
  std::unique_ptr<File> a = OpenPath(path, true, true);
  std::unique_ptr<File> b = OpenPath(path, true);
  ASSERT_OK(a->Lock(LockMode::kExclusive, 0));
  EXPECT_STATUS(b->Lock(LockMode::kShared, 20), Code::kBusy,
                path + " is locked by another opener (waited 20 ms)");
  ASSERT_OK(a->LockRange(100, 10, LockMode::kExclusive, 0));
  EXPECT_STATUS(b->LockRange(105, 1, LockMode::kShared, 20), Code::kBusy,
                path + ": bytes [105, +1) are locked by another opener (waited 20 ms)");
  EXPECT_OK(b->LockRange(110, 1, LockMode::kExclusive, 20));  // the next byte is free
}

void IgnoreSignal(int) {}

// A blocking lock interrupted by a signal (EINTR, no SA_RESTART) retries instead of failing:
// the holder lets go after the signals, and the waiter then holds the lock.
TEST(IoPosixErrno, ABlockingLockInterruptedBySignalsRetriesUntilTheHolderLetsGo) {
  TempDir tmp;
  std::string path = tmp.File("f");
  std::unique_ptr<File> holder = OpenPath(path, true, true);
  std::unique_ptr<File> waiter = OpenPath(path, true);
  struct sigaction act, old_act;
  std::memset(&act, 0, sizeof act);
  act.sa_handler = IgnoreSignal;  // no SA_RESTART: the blocked call returns EINTR
  ASSERT_EQ(sigaction(SIGUSR2, &act, &old_act), 0);
  pthread_t main_thread = pthread_self();
  auto interrupt_then_release = [&](bool range) {
    return std::thread([&, range] {
      for (int i = 0; i < 5; i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        pthread_kill(main_thread, SIGUSR2);
      }
      Status s = range ? holder->UnlockRange(0, 8) : holder->Unlock();
      EXPECT_TRUE(s.ok()) << s.ToString();
    });
  };
  ASSERT_OK(holder->Lock(LockMode::kExclusive, 0));
  std::thread t1 = interrupt_then_release(false);
  EXPECT_OK(waiter->Lock(LockMode::kExclusive, kLockWaitForever));
  t1.join();
  ASSERT_OK(holder->LockRange(0, 8, LockMode::kExclusive, 0));
  std::thread t2 = interrupt_then_release(true);
  EXPECT_OK(waiter->LockRange(0, 8, LockMode::kExclusive, kLockWaitForever));
  t2.join();
  ASSERT_EQ(sigaction(SIGUSR2, &old_act, nullptr), 0);
  EXPECT_EQ(holder->Lock(LockMode::kShared, 0).code(), Code::kBusy);
  EXPECT_EQ(holder->LockRange(0, 1, LockMode::kShared, 0).code(), Code::kBusy);
}

}  // namespace
}  // namespace io
}  // namespace pager
