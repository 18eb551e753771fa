// The in-memory seam's refusals: MemEnv and FaultEnv answer a misuse the way POSIX would (or
// more strictly, where the kernel would crash the process, e.g. truncating a mapped file), with
// a code and a message naming the path, and change nothing. Tests built on the seam trust
// these answers, so each is proven here once.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "impl/io/env.h"
#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace io {
namespace {

#define EXPECT_STATUS(expr, code_, msg_)      \
  do {                                        \
    ::pager::Status _s = (expr);              \
    EXPECT_EQ(_s.code(), (code_)) << #expr;   \
    EXPECT_EQ(_s.message(), (msg_)) << #expr; \
  } while (0)

constexpr char kDir[] = "/d";
constexpr char kPath[] = "/d/f";

class IoMemRefusal : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(env_.CreateDir(kDir, 0700));
    file_ = Open(kPath, true, true);
    ASSERT_NE(file_, nullptr);
    ASSERT_OK(file_->WriteAt(0, std::string(4096, 'a').data(), 4096));
    ASSERT_OK(env_.SyncDir(kDir));  // the name is durable; the bytes are not yet
  }
  std::unique_ptr<File> Open(const std::string& path, bool write, bool create = false) {
    std::unique_ptr<File> f;
    OpenOptions o;
    o.write = write;
    o.create = create;
    Status s = env_.Open(path, o, &f);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return f;
  }
  std::string Bytes(const std::string& path = kPath) {
    std::vector<uint8_t> b;
    Status s = env_.GetFileBytes(path, &b);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::string(b.begin(), b.end());
  }

  FaultEnv env_;
  std::unique_ptr<File> file_;
};

TEST_F(IoMemRefusal, MappingMisuseIsInvalidAndTheFileKeepsItsBytes) {
  std::unique_ptr<Mapping> m;
  EXPECT_STATUS(file_->Map(4096, 8192, false, &m), Code::kInvalid,
                "map of /d/f: length exceeds the reservation");
  EXPECT_STATUS(file_->Map(16384, 8192, false, &m), Code::kInvalid,
                "map of /d/f past its size 4096");
  EXPECT_EQ(m, nullptr);
  ASSERT_OK(file_->Map(16384, 4096, true, &m));
  EXPECT_STATUS(m->Remap(8192), Code::kInvalid, "remap of /d/f to 8192 bytes past its size 4096");
  EXPECT_STATUS(m->Sync(4000, 200), Code::kInvalid, "msync of /d/f outside the mapping");
  // A second mapping that needs a wider reservation would move the bytes under the first.
  std::unique_ptr<Mapping> wide;
  EXPECT_STATUS(file_->Map(size_t{1} << 40, 4096, false, &wide), Code::kNoMem,
                "cannot widen the reservation of mapped /d/f");
  // Real mappings would SIGBUS past a shrunk end: the seam refuses the shrink.
  EXPECT_STATUS(file_->Truncate(10), Code::kInvalid, "truncate of mapped /d/f below its size");
  // Growing past the reservation while mapped cannot move the bytes either.
  uint64_t past = uint64_t{1} << 34;
  EXPECT_STATUS(file_->WriteAt(past, "x", 1), Code::kNoSpace,
                "in-memory file cannot grow past its 17179869184-byte reservation while mapped");
  EXPECT_EQ(m->data()[4095], 'a');
  m.reset();
  EXPECT_EQ(Bytes(), std::string(4096, 'a'));
  // With no mapping alive, a wider reservation relocates the bytes.
  ASSERT_OK(file_->Map(size_t{1} << 35, 4096, false, &wide));
  EXPECT_EQ(wide->data()[0], 'a');
  EXPECT_EQ(wide->reserved_len(), size_t{1} << 35);
}

TEST_F(IoMemRefusal, AFailedMappingSyncLosesOnlyThePendingBytesOfItsRange) {
  ASSERT_OK(file_->Sync());
  std::unique_ptr<Mapping> m;
  ASSERT_OK(file_->Map(8192, 4096, true, &m));
  m->data()[0] = 'b';
  ASSERT_OK(file_->WriteAt(100, "c", 1));
  env_.FailSyncLosingData(1);  // the next sync
  EXPECT_STATUS(m->Sync(0, 50), Code::kIo, "injected fsync failure losing unsynced data of /d/f");
  ASSERT_OK(file_->Sync());
  // The write at 100 was outside the failed range: durable now.
  std::vector<uint8_t> image = env_.CrashImage(1)[kPath];
  ASSERT_EQ(image.size(), 4096u);
  EXPECT_EQ(image[100], 'c');
}

TEST_F(IoMemRefusal, AFailedSyncRangeLosesThePendingBytesOfThatRange) {
  ASSERT_OK(file_->Sync());
  ASSERT_OK(file_->WriteAt(0, "b", 1));
  ASSERT_OK(file_->WriteAt(2000, "c", 1));
  env_.FailSyncLosingData(1);
  EXPECT_STATUS(file_->SyncRange(0, 1000), Code::kIo,
                "injected fsync failure losing unsynced data of /d/f");
  EXPECT_STATUS(file_->SyncRange(UINT64_MAX, 2), Code::kInvalid,
                "sync range: offset 18446744073709551615 + length 2 overflows");
  ASSERT_OK(file_->SyncRange(0, 4096));
  for (uint64_t seed = 0; seed < 8; seed++) {
    std::vector<uint8_t> image = env_.CrashImage(seed)[kPath];
    ASSERT_EQ(image.size(), 4096u);
    EXPECT_EQ(image[0], 'a');     // lost by the failed fsync (M5), never written again
    EXPECT_EQ(image[2000], 'c');  // outside the failed range
  }
}

TEST_F(IoMemRefusal, ArgumentsPastTheLargestOffsetAndWritesOnReadOnlyFilesAreRefused) {
  EXPECT_STATUS(file_->Truncate(UINT64_MAX), Code::kInvalid,
                "truncate: offset 18446744073709551615 + length 0 overflows");
  EXPECT_STATUS(file_->PunchHole(UINT64_MAX, 2), Code::kInvalid,
                "punch hole: offset 18446744073709551615 + length 2 overflows");
  EXPECT_STATUS(file_->LockRange(5, 0, LockMode::kShared, 0), Code::kInvalid,
                "empty lock range of /d/f");
  EXPECT_STATUS(file_->LockRange(UINT64_MAX, 2, LockMode::kShared, 0), Code::kInvalid,
                "empty lock range of /d/f");
  EXPECT_STATUS(file_->UnlockRange(5, 0), Code::kInvalid, "empty lock range of /d/f");
  EXPECT_STATUS(file_->UnlockRange(UINT64_MAX, 2), Code::kInvalid, "empty lock range of /d/f");
  EXPECT_OK(file_->PunchHole(5000, 10));  // past the end: nothing to do
  IoSlice none{nullptr, 0};
  EXPECT_OK(file_->WriteVAt(10, &none, 1));  // an empty write changes nothing
  std::unique_ptr<File> ro = Open(kPath, false);
  ASSERT_NE(ro, nullptr);
  EXPECT_STATUS(ro->Truncate(0), Code::kReadOnly, "truncate on read-only /d/f");
  EXPECT_STATUS(ro->Allocate(0, 8192), Code::kReadOnly, "allocate on read-only /d/f");
  EXPECT_STATUS(ro->PunchHole(0, 1), Code::kReadOnly, "punch hole on read-only /d/f");
  EXPECT_EQ(Bytes(), std::string(4096, 'a'));
}

TEST_F(IoMemRefusal, AnExclusiveHolderTakingSharedConvertsLikeFlock) {
  std::unique_ptr<File> other = Open(kPath, true);
  ASSERT_OK(file_->Lock(LockMode::kExclusive, 0));
  EXPECT_EQ(other->Lock(LockMode::kShared, 0).code(), Code::kBusy);
  ASSERT_OK(file_->Lock(LockMode::kShared, 0));  // converts: no longer exclusive
  EXPECT_OK(other->Lock(LockMode::kShared, 0));
  EXPECT_EQ(other->Lock(LockMode::kExclusive, 0).code(), Code::kBusy);
}

TEST_F(IoMemRefusal, OpenRefusesADirectoryAndATruncateWithoutWriteAccess) {
  std::unique_ptr<File> f;
  OpenOptions o;
  o.create = true;
  EXPECT_STATUS(env_.Open(kDir, o, &f), Code::kInvalid, "open /d: Is a directory");
  o.create = false;
  o.truncate = true;
  EXPECT_STATUS(env_.Open(kPath, o, &f), Code::kInvalid,
                "open /d/f: truncate needs write access");
  EXPECT_EQ(f, nullptr);
  EXPECT_EQ(Bytes(), std::string(4096, 'a'));
  o.write = true;
  ASSERT_OK(env_.Open(kPath, o, &f));
  EXPECT_EQ(Bytes(), "");
}

TEST_F(IoMemRefusal, UniqueNamesSkipTakenOnesAndRunOutAfterAThousand) {
  std::string first;
  std::unique_ptr<File> f;
  ASSERT_OK(env_.CreateUniqueFile(kDir, "u", &first, &f));
  unsigned long long n = std::stoull(first.substr(std::string("/d/u").size()));
  char name[32];
  std::snprintf(name, sizeof name, "/d/u%06llu", (n + 1) % 1000000);
  ASSERT_NE(Open(name, true, true), nullptr);
  std::string second;
  ASSERT_OK(env_.CreateUniqueFile(kDir, "u", &second, &f));
  std::snprintf(name, sizeof name, "/d/u%06llu", (n + 2) % 1000000);
  EXPECT_EQ(second, name);  // the taken name was skipped
  for (unsigned long long i = n + 3; i < n + 3 + 1000; i++) {
    std::snprintf(name, sizeof name, "/d/u%06llu", i % 1000000);
    ASSERT_NE(Open(name, true, true), nullptr);
  }
  std::string third;
  EXPECT_STATUS(env_.CreateUniqueFile(kDir, "u", &third, &f), Code::kExists,
                "no unique name left in /d");
  EXPECT_TRUE(third.empty());
  Status s = env_.CreateUniqueFile("/nodir", "u", &third, &f);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message().rfind("open /nodir/u", 0), 0u) << s.message();
  EXPECT_NE(s.message().find(": No such directory /nodir"), std::string::npos) << s.message();
  EXPECT_TRUE(third.empty());
}

TEST_F(IoMemRefusal, NamespaceCallsOnMissingOrBusyPathsAreRefusedLikePosix) {
  EXPECT_STATUS(env_.Rename("/d/missing", "/d/x"), Code::kNotFound,
                "rename /d/missing: No such file");
  EXPECT_STATUS(env_.Rename(kPath, "/nodir/x"), Code::kNotFound,
                "rename to /nodir/x: No such directory");
  EXPECT_STATUS(env_.CreateDir(kDir, 0700), Code::kExists, "mkdir /d: File exists");
  EXPECT_STATUS(env_.CreateDir(kPath, 0700), Code::kExists, "mkdir /d/f: File exists");
  EXPECT_STATUS(env_.CreateDir("/nodir/sub", 0700), Code::kNotFound,
                "mkdir /nodir/sub: No such parent directory");
  EXPECT_STATUS(env_.RemoveDir("/nodir"), Code::kNotFound, "rmdir /nodir: No such directory");
  ASSERT_OK(env_.CreateDir("/e", 0700));
  ASSERT_OK(env_.CreateDir("/e/sub", 0700));
  EXPECT_STATUS(env_.RemoveDir("/e"), Code::kInvalid, "rmdir /e: Directory not empty");
  std::vector<std::string> names;
  EXPECT_STATUS(env_.ListDir("/nodir", &names), Code::kNotFound,
                "list /nodir: No such directory");
  ASSERT_OK(env_.ListDir("/", &names));
  EXPECT_EQ(names, (std::vector<std::string>{"d", "e", "tmp"}));
  EXPECT_STATUS(env_.SyncDir("/nodir"), Code::kNotFound,
                "fsync directory /nodir: No such directory");
  std::vector<uint8_t> bytes;
  EXPECT_STATUS(env_.GetFileBytes("/d/missing", &bytes), Code::kNotFound, "/d/missing");
  EXPECT_STATUS(env_.SetFileBytes("/d/missing", bytes), Code::kNotFound, "/d/missing");
  EXPECT_EQ(Bytes(), std::string(4096, 'a'));
}

// SyncDir makes durable exactly the entries of its directory: a rename into another
// directory stays pending until that directory is synced too (M3).
TEST_F(IoMemRefusal, SyncDirKeepsPendingRenamesOfOtherDirectories) {
  ASSERT_OK(file_->Sync());
  ASSERT_OK(env_.SyncDir(kDir));
  ASSERT_OK(env_.CreateDir("/e", 0700));
  ASSERT_OK(env_.SyncDir("/"));
  ASSERT_OK(env_.Rename(kPath, "/e/g"));
  ASSERT_OK(env_.SyncDir("/tmp"));  // touches neither directory
  bool old_seen = false, new_seen = false;
  for (uint64_t seed = 0; seed < 16; seed++) {
    auto image = env_.CrashImage(seed);
    old_seen |= image.count(kPath) > 0;
    new_seen |= image.count("/e/g") > 0;
  }
  EXPECT_TRUE(old_seen);
  EXPECT_TRUE(new_seen);
  ASSERT_OK(env_.SyncDir("/e"));
  for (uint64_t seed = 0; seed < 16; seed++) {
    auto image = env_.CrashImage(seed);
    EXPECT_EQ(image.count("/e/g"), 1u);
  }
}

}  // namespace
}  // namespace io
}  // namespace pager
