// The file seam: the same behaviours hold for PosixEnv and MemEnv (parameterized), plus
// POSIX-only ones (real flock across processes, errno mapping, descriptors).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <thread>

#include "impl/io/checksum.h"
#include "impl/io/env.h"
#include "impl/io/mem_env.h"
#include "impl/io/posix_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace io {
namespace {

using testing::TempDir;

struct EnvCase {
  const char* name;
  bool posix;
};

class IoEnv : public ::testing::TestWithParam<EnvCase> {
 protected:
  void SetUp() override {
    if (GetParam().posix) {
      env_ = DefaultEnv();
      dir_ = tmp_.path();
    } else {
      mem_ = std::make_unique<MemEnv>();
      env_ = mem_.get();
      dir_ = "/tmp/io-test";
      ASSERT_OK(env_->CreateDir(dir_, 0700));
    }
  }
  std::unique_ptr<File> OpenRw(const std::string& name, bool create = true) {
    std::unique_ptr<File> f;
    OpenOptions o;
    o.write = true;
    o.create = create;
    Status s = env_->Open(dir_ + "/" + name, o, &f);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return f;
  }

  TempDir tmp_;
  std::unique_ptr<MemEnv> mem_;
  Env* env_ = nullptr;
  std::string dir_;
};

// Found by fuzz/capi: MemEnv took "" for a directory (and created files "/LOCK" under it), so
// the in-memory seam disagreed with POSIX, where "" is ENOENT for open and mkdir.
TEST_P(IoEnv, AnEmptyPathIsNotFoundForOpenAndMkdir) {
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = true;
  o.create = true;
  EXPECT_EQ(env_->Open("", o, &f).code(), Code::kNotFound);
  EXPECT_EQ(env_->CreateDir("", 0700).code(), Code::kNotFound);
}

TEST_P(IoEnv, WriteThenReadRoundTrips) {
  auto f = OpenRw("a");
  std::vector<uint8_t> data = testing::PatternBytes(1, 10000);
  ASSERT_OK(f->WriteAt(100, data.data(), data.size()));
  std::vector<uint8_t> back(data.size());
  ASSERT_OK(f->ReadExactAt(100, back.data(), back.size()));
  EXPECT_EQ(back, data);
  uint64_t size = 0;
  ASSERT_OK(f->Size(&size));
  EXPECT_EQ(size, 10100u);
}

TEST_P(IoEnv, GapBeforeAWriteReadsAsZeros) {
  auto f = OpenRw("a");
  uint8_t one = 7;
  ASSERT_OK(f->WriteAt(4096, &one, 1));
  std::vector<uint8_t> back(4096, 0xFF);
  ASSERT_OK(f->ReadExactAt(0, back.data(), back.size()));
  EXPECT_EQ(back, std::vector<uint8_t>(4096, 0));
}

TEST_P(IoEnv, ShortReadAtEndOfFileIsReportedNotGarbage) {
  auto f = OpenRw("a");
  ASSERT_OK(f->WriteAt(0, "abcdef", 6));
  char buf[16];
  size_t got = 99;
  ASSERT_OK(f->ReadAt(4, buf, sizeof buf, &got));
  EXPECT_EQ(got, 2u);
  Status s = f->ReadExactAt(4, buf, sizeof buf);
  EXPECT_EQ(s.code(), Code::kIo);
  EXPECT_EQ(f->ReadExactAt(4, buf, sizeof buf, true).code(), Code::kCorrupt);
}

TEST_P(IoEnv, VectoredWriteConcatenatesSlices) {
  auto f = OpenRw("a");
  IoSlice s[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
  ASSERT_OK(f->WriteVAt(10, s, 3));
  char buf[5];
  ASSERT_OK(f->ReadExactAt(10, buf, 5));
  EXPECT_EQ(std::string(buf, 5), "abcde");
}

TEST_P(IoEnv, OffsetOverflowIsInvalidNotACrash) {
  auto f = OpenRw("a");
  char buf[8];
  size_t got;
  EXPECT_EQ(f->ReadAt(UINT64_MAX - 2, buf, sizeof buf, &got).code(), Code::kInvalid);
  EXPECT_EQ(f->WriteAt(UINT64_MAX - 2, buf, sizeof buf).code(), Code::kInvalid);
  EXPECT_EQ(f->Allocate(UINT64_MAX, 1).code(), Code::kInvalid);
}

TEST_P(IoEnv, TruncateShrinksAndGrowsWithZeros) {
  auto f = OpenRw("a");
  std::vector<uint8_t> data(8192, 0xAB);
  ASSERT_OK(f->WriteAt(0, data.data(), data.size()));
  ASSERT_OK(f->Truncate(100));
  ASSERT_OK(f->Truncate(8192));
  std::vector<uint8_t> back(8192);
  ASSERT_OK(f->ReadExactAt(0, back.data(), back.size()));
  EXPECT_EQ(back[99], 0xAB);
  EXPECT_EQ(back[100], 0);
  EXPECT_EQ(back[8191], 0);
}

TEST_P(IoEnv, AllocateGrowsTheFileAndPunchHoleZeroesKeepingSize) {
  auto f = OpenRw("a");
  ASSERT_OK(f->Allocate(0, 65536));
  uint64_t size = 0;
  ASSERT_OK(f->Size(&size));
  EXPECT_EQ(size, 65536u);
  std::vector<uint8_t> data(65536, 0x5A);
  ASSERT_OK(f->WriteAt(0, data.data(), data.size()));
  ASSERT_OK(f->PunchHole(4096, 8192));
  std::vector<uint8_t> back(65536);
  ASSERT_OK(f->ReadExactAt(0, back.data(), back.size()));
  EXPECT_EQ(back[4095], 0x5A);
  EXPECT_EQ(back[4096], 0);
  EXPECT_EQ(back[12287], 0);
  EXPECT_EQ(back[12288], 0x5A);
  ASSERT_OK(f->Size(&size));
  EXPECT_EQ(size, 65536u);
}

TEST_P(IoEnv, SyncFamilySucceedsOnAHealthyFile) {
  auto f = OpenRw("a");
  ASSERT_OK(f->WriteAt(0, "x", 1));
  EXPECT_OK(f->Sync());
  EXPECT_OK(f->DataSync());
  EXPECT_OK(f->SyncRange(0, 1));
  EXPECT_OK(env_->SyncDir(dir_));
}

// E7: a writeback hint over written bytes (and past the end) is taken; a range whose end
// overflows is refused before anything happens (E2).
TEST_P(IoEnv, AWritebackHintIsTakenAndAnOverflowingRangeIsRefused) {
  auto f = OpenRw("a");
  std::vector<uint8_t> bytes(1 << 16, 0x5A);
  ASSERT_OK(f->WriteAt(0, bytes.data(), bytes.size()));
  EXPECT_OK(f->StartWriteback(0, bytes.size()));
  EXPECT_OK(f->StartWriteback(4096, 1 << 20));
  EXPECT_OK(f->StartWriteback(0, 0));
  EXPECT_EQ(f->StartWriteback(UINT64_MAX - 10, 100).code(), Code::kInvalid);
  EXPECT_OK(f->DataSync());
}

TEST_P(IoEnv, MappingSeesWritesAndWritesThrough) {
  auto f = OpenRw("a");
  ASSERT_OK(f->Allocate(0, 8192));
  std::unique_ptr<Mapping> m;
  ASSERT_OK(f->Map(1 << 20, 8192, true, &m));
  ASSERT_OK(f->WriteAt(10, "hello", 5));
  EXPECT_EQ(std::memcmp(m->data() + 10, "hello", 5), 0);
  std::memcpy(m->data() + 4096, "world", 5);
  ASSERT_OK(m->Sync(4096, 5));
  char buf[5];
  ASSERT_OK(f->ReadExactAt(4096, buf, 5));
  EXPECT_EQ(std::string(buf, 5), "world");
}

TEST_P(IoEnv, MappingAddressIsStableAcrossGrowth) {
  auto f = OpenRw("a");
  ASSERT_OK(f->Allocate(0, 4096));
  std::unique_ptr<Mapping> m;
  ASSERT_OK(f->Map(64 << 20, 4096, true, &m));
  uint8_t* before = m->data();
  before[0] = 42;
  ASSERT_OK(f->Allocate(0, 32 << 20));
  ASSERT_OK(m->Remap(32 << 20));
  EXPECT_EQ(m->data(), before);
  EXPECT_EQ(m->data()[0], 42);
  m->data()[(32 << 20) - 1] = 9;
  char c;
  ASSERT_OK(f->ReadExactAt((32 << 20) - 1, &c, 1));
  EXPECT_EQ(c, 9);
}

TEST_P(IoEnv, RemapPastTheReservationIsRefused) {
  auto f = OpenRw("a");
  ASSERT_OK(f->Allocate(0, 8192));
  std::unique_ptr<Mapping> m;
  ASSERT_OK(f->Map(8192, 4096, true, &m));
  EXPECT_EQ(m->Remap(1 << 20).code(), Code::kInvalid);
}

TEST_P(IoEnv, WritableMapOfReadOnlyFileIsRefused) {
  { auto f = OpenRw("a"); ASSERT_OK(f->Allocate(0, 4096)); }
  std::unique_ptr<File> ro;
  ASSERT_OK(env_->Open(dir_ + "/a", OpenOptions{}, &ro));
  std::unique_ptr<Mapping> m;
  EXPECT_EQ(ro->Map(4096, 4096, true, &m).code(), Code::kReadOnly);
  EXPECT_EQ(ro->WriteAt(0, "x", 1).code(), Code::kReadOnly);
  ASSERT_OK(ro->Map(4096, 4096, false, &m));
}

// E4b: an overlay replaces what a read-only mapping shows, inside and past the mapped file,
// and writes nothing to the file.
TEST_P(IoEnv, AnOverlayChangesWhatAReadOnlyMappingShowsAndNotTheFile) {
  {
    auto f = OpenRw("a");
    std::vector<uint8_t> ones(8192, 1);
    ASSERT_OK(f->WriteAt(0, ones.data(), ones.size()));
  }
  std::unique_ptr<File> ro;
  ASSERT_OK(env_->Open(dir_ + "/a", OpenOptions{}, &ro));
  std::unique_ptr<Mapping> m;
  ASSERT_OK(ro->Map(1 << 20, 8192, false, &m));
  size_t g = m->overlay_granularity();
  ASSERT_EQ(8192 % g, 0u);
  std::vector<uint8_t> twos(g, 2), threes(g, 3);
  ASSERT_OK(m->Overlay(0, twos.data(), g));      // inside the file
  ASSERT_OK(m->Overlay(8192, threes.data(), g)); // past its end
  EXPECT_EQ(m->data()[0], 2);
  EXPECT_EQ(m->data()[g - 1], 2);
  if (g < 8192) {
    EXPECT_EQ(m->data()[g], 1);
  }
  EXPECT_EQ(m->data()[8192 + g - 1], 3);
  EXPECT_GE(m->mapped_len(), 8192 + g);
  uint8_t c = 0;
  ASSERT_OK(ro->ReadExactAt(0, &c, 1));
  EXPECT_EQ(c, 1);  // the file is unchanged
  uint64_t size = 0;
  ASSERT_OK(ro->Size(&size));
  EXPECT_EQ(size, 8192u);
}

TEST_P(IoEnv, AnOverlayOfAWritableMappingOrAMisalignedRangeIsRefused) {
  auto f = OpenRw("a");
  ASSERT_OK(f->Allocate(0, 8192));
  std::unique_ptr<Mapping> w;
  ASSERT_OK(f->Map(1 << 20, 8192, true, &w));
  std::vector<uint8_t> page(w->overlay_granularity(), 7);
  EXPECT_EQ(w->Overlay(0, page.data(), page.size()).code(), Code::kInvalid);
  std::unique_ptr<File> ro;
  ASSERT_OK(env_->Open(dir_ + "/a", OpenOptions{}, &ro));
  std::unique_ptr<Mapping> m;
  ASSERT_OK(ro->Map(1 << 20, 8192, false, &m));
  EXPECT_EQ(m->Overlay(1, page.data(), page.size()).code(), Code::kInvalid);
  EXPECT_EQ(m->Overlay(0, page.data(), page.size() - 1).code(), Code::kInvalid);
  EXPECT_EQ(m->Overlay(m->reserved_len(), page.data(), page.size()).code(), Code::kInvalid);
}

TEST_P(IoEnv, OpenMissingIsNotFoundAndExclusiveCreateOfExistingIsExists) {
  std::unique_ptr<File> f;
  EXPECT_EQ(env_->Open(dir_ + "/missing", OpenOptions{}, &f).code(), Code::kNotFound);
  OpenOptions o;
  o.write = o.create = o.exclusive = true;
  ASSERT_OK(env_->Open(dir_ + "/x", o, &f));
  EXPECT_EQ(env_->Open(dir_ + "/x", o, &f).code(), Code::kExists);
}

TEST_P(IoEnv, DirectoryOperations) {
  ASSERT_OK(env_->CreateDir(dir_ + "/sub", 0700));
  EXPECT_EQ(env_->CreateDir(dir_ + "/sub", 0700).code(), Code::kExists);
  { auto f = OpenRw("sub/one"); }
  std::string path;
  std::unique_ptr<File> tmp;
  ASSERT_OK(env_->CreateUniqueFile(dir_ + "/sub", "tmp-", &path, &tmp));
  EXPECT_EQ(path.rfind(dir_ + "/sub/tmp-", 0), 0u) << path;
  std::vector<std::string> names;
  ASSERT_OK(env_->ListDir(dir_ + "/sub", &names));
  EXPECT_EQ(names.size(), 2u);
  ASSERT_OK(env_->Rename(dir_ + "/sub/one", dir_ + "/sub/two"));
  bool exists = true;
  ASSERT_OK(env_->Exists(dir_ + "/sub/one", &exists));
  EXPECT_FALSE(exists);
  ASSERT_OK(env_->Exists(dir_ + "/sub/two", &exists));
  EXPECT_TRUE(exists);
  EXPECT_NE(env_->RemoveDir(dir_ + "/sub").code(), Code::kOk);  // not empty
  ASSERT_OK(env_->Remove(dir_ + "/sub/two"));
  ASSERT_OK(env_->Remove(path));
  ASSERT_OK(env_->RemoveDir(dir_ + "/sub"));
  EXPECT_EQ(env_->Remove(dir_ + "/sub/two").code(), Code::kNotFound);
}

TEST_P(IoEnv, ExclusiveLockExcludesOtherDescriptions) {
  auto a = OpenRw("lock");
  auto b = OpenRw("lock");
  ASSERT_OK(a->Lock(LockMode::kExclusive, 0));
  EXPECT_EQ(b->Lock(LockMode::kShared, 0).code(), Code::kBusy);
  EXPECT_EQ(b->Lock(LockMode::kExclusive, 30).code(), Code::kBusy);  // waits, then gives up
  ASSERT_OK(a->Unlock());
  ASSERT_OK(b->Lock(LockMode::kExclusive, 0));
}

TEST_P(IoEnv, SharedLocksCoexistAndBlockExclusive) {
  auto a = OpenRw("lock");
  auto b = OpenRw("lock");
  auto c = OpenRw("lock");
  ASSERT_OK(a->Lock(LockMode::kShared, 0));
  ASSERT_OK(b->Lock(LockMode::kShared, 0));
  EXPECT_EQ(c->Lock(LockMode::kExclusive, 0).code(), Code::kBusy);
  a.reset();  // closing a description drops its lock
  ASSERT_OK(b->Unlock());
  ASSERT_OK(c->Lock(LockMode::kExclusive, 0));
}

TEST_P(IoEnv, LockWaitSucceedsWhenTheHolderLetsGo) {
  auto a = OpenRw("lock");
  auto b = OpenRw("lock");
  ASSERT_OK(a->Lock(LockMode::kExclusive, 0));
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    (void)a->Unlock();
  });
  EXPECT_OK(b->Lock(LockMode::kExclusive, 5000));
  t.join();
}

INSTANTIATE_TEST_SUITE_P(Envs, IoEnv,
                         ::testing::Values(EnvCase{"posix", true}, EnvCase{"mem", false}),
                         [](const ::testing::TestParamInfo<EnvCase>& i) { return i.param.name; });

// ---- POSIX only -----------------------------------------------------------------------

TEST(IoPosix, FlockExcludesAnotherProcess) {
  TempDir tmp;
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = o.create = true;
  ASSERT_OK(DefaultEnv()->Open(tmp.File("lock"), o, &f));
  ASSERT_OK(f->Lock(LockMode::kExclusive, 0));
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::unique_ptr<File> g;
    if (!DefaultEnv()->Open(tmp.File("lock"), o, &g).ok()) _exit(2);
    Status s = g->Lock(LockMode::kShared, 0);
    _exit(s.code() == Code::kBusy ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(IoPosix, ErrnoBecomesTheMatchingCode) {
  EXPECT_EQ(PosixError("x", ENOSPC).code(), Code::kNoSpace);
  EXPECT_EQ(PosixError("x", ENOENT).code(), Code::kNotFound);
  EXPECT_EQ(PosixError("x", EEXIST).code(), Code::kExists);
  EXPECT_EQ(PosixError("x", EIO).code(), Code::kIo);
  EXPECT_NE(PosixError("open /p", EIO).message().find("open /p"), std::string::npos);
}

TEST(IoPosix, WrapFdWritesToAPipeSequentially) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    auto w = WrapFd(fds[1], "pipe", true, true);
    ASSERT_OK(w->WriteAt(0, "abc", 3));
    IoSlice s[2] = {{"de", 2}, {"f", 1}};
    ASSERT_OK(w->WriteVAt(3, s, 2));
    EXPECT_OK(w->Sync());
    // A stream has no random access: an out-of-order write is an error, not a crash.
    EXPECT_EQ(w->WriteAt(100, "x", 1).code(), Code::kInvalid);
  }
  char buf[8] = {};
  ASSERT_EQ(read(fds[0], buf, sizeof buf), 6);
  EXPECT_STREQ(buf, "abcdef");
  close(fds[0]);
}

TEST(IoChecksum, StreamingEqualsOneShot) {
  std::vector<uint8_t> data = testing::PatternBytes(3, 100000);
  Hasher h(7);
  h.Update(data.data(), 1);
  h.Update(data.data() + 1, 4095);
  h.Update(data.data() + 4096, data.size() - 4096);
  EXPECT_EQ(h.Digest(), Checksum64(data.data(), data.size(), 7));
  EXPECT_NE(Checksum64(data.data(), data.size(), 7), Checksum64(data.data(), data.size(), 8));
}

TEST(IoChecksum, GoldenValueOfXxh3) {
  // XXH3_64bits("") with seed 0 is 0x2D06800538D394C2 (xxHash's published test vector).
  EXPECT_EQ(Checksum64("", 0, 0), 0x2D06800538D394C2ull);
}

}  // namespace
}  // namespace io
}  // namespace pager
