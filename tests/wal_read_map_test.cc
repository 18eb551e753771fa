// ReadMap (impl/wal/main_map.h) M5/M6: a sequential run asks the kernel to read ahead only
// windows that are not all in memory already. Failure mode: MADV_WILLNEED over cached pages
// walks the page cache per page on every pass (a cached sequential read_page cost 2.1-2.6x
// its memcpy).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "impl/io/env.h"
#include "impl/io/posix_env.h"
#include "impl/wal/main_map.h"
#include "tests/support/mapping_probe.h"
#include "tests/support/test_util.h"

namespace pager {
namespace wal {
namespace {

using ::pager::testing::DropFromPageCache;
using ::pager::testing::ResidentPages;
using ::pager::testing::TempDir;

constexpr uint64_t kPage = 4096;
constexpr uint64_t kPages = 1024;  // 4 MiB

std::unique_ptr<io::File> WriteFile(const std::string& path) {
  io::OpenOptions o;
  o.write = true;
  o.create = true;
  std::unique_ptr<io::File> f;
  Status st = io::DefaultEnv()->Open(path, o, &f);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return nullptr;
  std::vector<uint8_t> page(kPage);
  for (uint64_t i = 0; i < kPages; i++) {
    std::memset(page.data(), static_cast<int>(i & 0xFF), kPage);
    st = f->WriteAt(i * kPage, page.data(), kPage);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return f;
}

// Reads every page in order, `passes` times; false if a page was not mapped.
bool ReadSequentially(ReadMap* m, io::File* f, int passes) {
  for (int pass = 0; pass < passes; pass++) {
    for (uint64_t i = 0; i < kPages; i++) {
      const uint8_t* p = m->At(f, i * kPage, kPage);
      if (p == nullptr || p[kPage - 1] != static_cast<uint8_t>(i & 0xFF)) return false;
    }
  }
  return true;
}

TEST(WalReadMap, ASequentialRunOverCachedPagesAsksTheKernelForNothing) {
  TempDir dir;
  const std::string path = dir.File("f");
  std::unique_ptr<io::File> f = WriteFile(path);
  ASSERT_NE(f, nullptr);
  ReadMap m;
  ASSERT_TRUE(ReadSequentially(&m, f.get(), 1));  // maps and faults in every page
  if (ResidentPages(path, 0, kPages) != static_cast<int>(kPages)) {
    GTEST_SKIP() << "the file's pages did not stay in the page cache";
  }
  const uint64_t before = m.read_ahead_requests();
  ASSERT_TRUE(ReadSequentially(&m, f.get(), 3));  // three more runs over cached pages
  EXPECT_EQ(m.read_ahead_requests(), before)
      << "read-ahead asked for windows that were all in the page cache (M6)";
}

TEST(WalReadMap, ASequentialRunOverUncachedPagesStillReadsAhead) {
  TempDir dir;
  const std::string path = dir.File("f");
  std::unique_ptr<io::File> f = WriteFile(path);
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->Sync().ok());
  if (!DropFromPageCache(path, kPages)) GTEST_SKIP() << "this file system keeps files resident";
  ReadMap m;
  for (uint64_t i = 0; i < 64; i++) ASSERT_NE(m.At(f.get(), i * kPage, kPage), nullptr);
  EXPECT_GT(m.read_ahead_requests(), 0u) << "a sequential run over uncached pages (M5)";
}

}  // namespace
}  // namespace wal
}  // namespace pager
