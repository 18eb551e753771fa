// The two seam additions the cold pager brought to impl/io: File::ReadVAt (preadv on POSIX,
// a ReadAt loop in MemEnv/FaultEnv) and io::AdviseMemory (madvise of process memory).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "impl/io/env.h"
#include "impl/io/mem_env.h"
#include "impl/io/posix_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace io {
namespace {

using testing::PatternBytes;

void ScatterReadCase(Env* env, const std::string& path) {
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = o.create = o.truncate = true;
  ASSERT_OK(env->Open(path, o, &f));
  auto data = PatternBytes(5, 10000);
  ASSERT_OK(f->WriteAt(0, data.data(), data.size()));
  std::vector<uint8_t> a(100), b(0), c(3000);
  IoSliceMut slices[3] = {{a.data(), a.size()}, {b.data(), 0}, {c.data(), c.size()}};
  size_t got = 0;
  ASSERT_OK(f->ReadVAt(500, slices, 3, &got));
  EXPECT_EQ(got, 3100u);
  EXPECT_EQ(0, std::memcmp(a.data(), data.data() + 500, 100));
  EXPECT_EQ(0, std::memcmp(c.data(), data.data() + 600, 3000));
  // Past the end: the total says how much there was (E3), never garbage.
  ASSERT_OK(f->ReadVAt(9000, slices, 3, &got));
  EXPECT_EQ(got, 1000u);
  EXPECT_EQ(0, std::memcmp(a.data(), data.data() + 9000, 100));
  EXPECT_EQ(0, std::memcmp(c.data(), data.data() + 9100, 900));
  ASSERT_OK(f->ReadVAt(20000, slices, 3, &got));
  EXPECT_EQ(got, 0u);
}

TEST(ColdSeam, PosixReadVAtScattersAndStopsAtEndOfFile) {
  testing::TempDir dir;
  ScatterReadCase(DefaultEnv(), dir.File("f"));
}

TEST(ColdSeam, MemEnvReadVAtScattersAndStopsAtEndOfFile) {
  MemEnv env;
  ScatterReadCase(&env, "/tmp/f");
}

TEST(ColdSeam, ReadVAtRejectsAnOverflowingRange) {
  testing::TempDir dir;
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = o.create = true;
  ASSERT_OK(DefaultEnv()->Open(dir.File("f"), o, &f));
  uint8_t byte;
  IoSliceMut s{&byte, 1};
  size_t got = 0;
  EXPECT_EQ(f->ReadVAt(UINT64_MAX, &s, 1, &got).code(), Code::kInvalid);
}

TEST(ColdSeam, FaultEnvReadFaultsApplyToScatterReads) {
  FaultEnv env;
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = o.create = true;
  ASSERT_OK(env.Open("/tmp/f", o, &f));
  ASSERT_OK(f->WriteAt(0, "abcdef", 6));
  env.FailNth(MemEnv::Op::kRead, 1, FaultKind::kEio, false);
  char a[3], b[3];
  IoSliceMut slices[2] = {{a, 3}, {b, 3}};
  size_t got = 0;
  EXPECT_EQ(f->ReadVAt(0, slices, 2, &got).code(), Code::kIo);
  ASSERT_OK(f->ReadVAt(0, slices, 2, &got));
  EXPECT_EQ(got, 6u);
  EXPECT_EQ(0, std::memcmp(b, "def", 3));
}

TEST(ColdSeam, AdviseMemoryTouchesOnlyWholeInteriorPages) {
  void* p = nullptr;
  ASSERT_EQ(posix_memalign(&p, 4096, 3 * 4096), 0);
  std::memset(p, 7, 3 * 4096);
  auto* bytes = static_cast<uint8_t*>(p);
  ASSERT_OK(AdviseMemory(bytes + 1, 100, Advice::kCold));         // no whole page: no-op
  ASSERT_OK(AdviseMemory(bytes + 1, 3 * 4096 - 1, Advice::kCold));  // pages 1 and 2
  ASSERT_OK(AdviseMemory(bytes, 0, Advice::kCold));
  for (size_t i = 0; i < 3 * 4096; i++) ASSERT_EQ(bytes[i], 7) << i;  // advice keeps data
  EXPECT_EQ(AdviseMemory(reinterpret_cast<void*>(UINTPTR_MAX - 10), 100, Advice::kCold).code(),
            Code::kInvalid);
  std::free(p);
}

}  // namespace
}  // namespace io
}  // namespace pager
