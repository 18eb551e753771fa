// pager_file_advise on the real file system: what each advice does to the handle's mapping
// (VmFlags in /proc/self/smaps, page-cache residency with mincore), that a file-wide advice
// covers pages the file grows by, that advice never changes bytes, and its errors.
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "pager.h"
#include "tests/support/mapping_probe.h"
#include "tests/support/test_util.h"

namespace {

using pager::testing::DropFromPageCache;
using pager::testing::ResidentPages;
using pager::testing::TempDir;
using pager::testing::VmFlagsOf;

constexpr uint32_t kPageSize = 4096;  // ResidentPages counts 4 KiB pages

pager_file_options Opts(uint64_t initial_pages) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.page_size = kPageSize;
  o.max_size_bytes = uint64_t{1} << 32;
  o.initial_page_count = initial_pages;
  return o;
}

class FileAdvise : public ::testing::Test {
 protected:
  void TearDown() override { pager_file_close(f); }
  void Create(uint64_t initial_pages) {
    pager_file_options o = Opts(initial_pages);
    ASSERT_EQ(pager_file_create(path.c_str(), &o, &f), PAGER_OK) << pager_last_error();
  }
  void Reopen() {
    pager_file_close(f);
    f = nullptr;
    pager_file_options o = Opts(0);
    ASSERT_EQ(pager_file_open(path.c_str(), &o, &f), PAGER_OK) << pager_last_error();
  }
  // Allocates count pages and fills each with its id; returns the ids.
  std::vector<uint64_t> AllocFilled(uint64_t count) {
    std::vector<uint64_t> ids(count);
    EXPECT_EQ(pager_file_alloc_bulk(f, ids.data(), count), PAGER_OK) << pager_last_error();
    for (uint64_t id : ids) {
      void* p = nullptr;
      EXPECT_EQ(pager_file_page(f, id, &p), PAGER_OK);
      if (p != nullptr) std::memcpy(p, &id, sizeof id);
    }
    return ids;
  }
  const uint8_t* Page(uint64_t id) {
    const void* p = nullptr;
    EXPECT_EQ(pager_file_page_const(f, id, &p), PAGER_OK) << pager_last_error();
    return static_cast<const uint8_t*>(p);
  }
  uint64_t PageCount() {
    uint64_t n = 0;
    EXPECT_EQ(pager_file_page_count(f, &n), PAGER_OK);
    return n;
  }
  static bool Has(const std::string& flags, const char* flag) {
    return flags.find(flag) != std::string::npos;
  }

  TempDir dir;
  std::string path = dir.File("pages");
  pager_file* f = nullptr;
};

TEST_F(FileAdvise, RandomAndSequentialShowInTheMappingsVmFlagsAndNormalClearsThem) {
  Create(64);
  uint64_t id = AllocFilled(1)[0];
  EXPECT_FALSE(Has(VmFlagsOf(Page(id)), " rr")) << VmFlagsOf(Page(id));
  ASSERT_EQ(pager_file_advise(f, 0, 0, PAGER_FILE_ADVICE_RANDOM), PAGER_OK) << pager_last_error();
  EXPECT_TRUE(Has(VmFlagsOf(Page(id)), " rr")) << VmFlagsOf(Page(id));
  ASSERT_EQ(pager_file_advise(f, 0, 0, PAGER_FILE_ADVICE_SEQUENTIAL), PAGER_OK);
  EXPECT_TRUE(Has(VmFlagsOf(Page(id)), " sr")) << VmFlagsOf(Page(id));
  EXPECT_FALSE(Has(VmFlagsOf(Page(id)), " rr")) << VmFlagsOf(Page(id));
  ASSERT_EQ(pager_file_advise(f, 0, 0, PAGER_FILE_ADVICE_NORMAL), PAGER_OK);
  EXPECT_FALSE(Has(VmFlagsOf(Page(id)), " sr")) << VmFlagsOf(Page(id));
  EXPECT_FALSE(Has(VmFlagsOf(Page(id)), " rr")) << VmFlagsOf(Page(id));
}

// Growth maps the new pages with a fresh mmap, which starts with no advice: without the
// remembered file-wide advice the pages added later would read ahead again.
TEST_F(FileAdvise, AFileWideRandomAlsoCoversThePagesTheFileGrowsByLater) {
  Create(64);
  ASSERT_EQ(pager_file_advise(f, 0, 0, PAGER_FILE_ADVICE_RANDOM), PAGER_OK);
  ASSERT_EQ(pager_file_grow(f, 1024), PAGER_OK) << pager_last_error();
  std::vector<uint64_t> ids = AllocFilled(3000);  // also grows through allocation
  ASSERT_GT(PageCount(), 1024u);
  uint64_t last = ids.back();
  ASSERT_GT(last, 64u);
  EXPECT_TRUE(Has(VmFlagsOf(Page(last)), " rr")) << VmFlagsOf(Page(last));
  EXPECT_TRUE(Has(VmFlagsOf(Page(ids[2000])), " rr")) << VmFlagsOf(Page(ids[2000]));
}

TEST_F(FileAdvise, ARangedAdviceCoversItsPagesOnlyAndIsNotAppliedToGrowth) {
  Create(256);
  std::vector<uint64_t> ids = AllocFilled(200);
  const uint64_t first = ids[50];
  ASSERT_EQ(pager_file_advise(f, first, 16, PAGER_FILE_ADVICE_RANDOM), PAGER_OK);
  EXPECT_TRUE(Has(VmFlagsOf(Page(first)), " rr")) << VmFlagsOf(Page(first));
  EXPECT_TRUE(Has(VmFlagsOf(Page(first + 15)), " rr")) << VmFlagsOf(Page(first + 15));
  EXPECT_FALSE(Has(VmFlagsOf(Page(first + 16)), " rr")) << VmFlagsOf(Page(first + 16));
  EXPECT_FALSE(Has(VmFlagsOf(Page(ids[10])), " rr")) << VmFlagsOf(Page(ids[10]));
  ASSERT_EQ(pager_file_grow(f, 2048), PAGER_OK);
  uint64_t grown = AllocFilled(1000).back();
  EXPECT_FALSE(Has(VmFlagsOf(Page(grown)), " rr")) << VmFlagsOf(Page(grown));
}

// MADV_DONTNEED on a shared file mapping drops page-table entries only: bytes written through
// the mapping and not yet synced stay in the page cache and read back.
TEST_F(FileAdvise, DontNeedKeepsEveryByteWrittenThroughTheMapping) {
  Create(64);
  std::vector<uint64_t> ids = AllocFilled(32);
  ASSERT_EQ(pager_file_advise(f, 0, 0, PAGER_FILE_ADVICE_DONTNEED), PAGER_OK);
  for (uint64_t id : ids) {
    uint64_t got = 0;
    std::memcpy(&got, Page(id), sizeof got);
    EXPECT_EQ(got, id);
  }
  ASSERT_EQ(pager_file_sync_pages(f, ids.data(), ids.size()), PAGER_OK);
  Reopen();
  for (uint64_t id : ids) {
    uint64_t got = 0;
    std::memcpy(&got, Page(id), sizeof got);
    EXPECT_EQ(got, id);
  }
}

// Writes kPages pages, syncs, reopens and drops the file from the page cache; false (skip) on
// a file system that keeps files resident.
class FileAdviseCold : public FileAdvise {
 protected:
  static constexpr uint64_t kPages = 2048;  // 8 MiB
  bool MakeCold() {
    Create(kPages);
    std::vector<uint64_t> ids = AllocFilled(kPages - 64);
    EXPECT_EQ(pager_file_sync_pages(f, ids.data(), ids.size()), PAGER_OK);
    pager_file_close(f);
    f = nullptr;
    if (!DropFromPageCache(path, kPages)) return false;
    Reopen();
    return true;
  }
};

TEST_F(FileAdviseCold, WillNeedMakesColdPagesResident) {
  if (!MakeCold()) GTEST_SKIP() << "this file system keeps files resident";
  ASSERT_EQ(ResidentPages(path, 1000, 64), 0);
  ASSERT_EQ(pager_file_advise(f, 1000, 64, PAGER_FILE_ADVICE_WILLNEED), PAGER_OK)
      << pager_last_error();
  int resident = 0;
  for (int wait_ms = 0; wait_ms < 3000 && resident < 64; wait_ms += 10) {
    resident = ResidentPages(path, 1000, 64);
    if (resident < 64) ::usleep(10000);
  }
  EXPECT_EQ(resident, 64) << "WILLNEED read nothing in";
}

TEST_F(FileAdviseCold, WithRandomAColdPageTouchLeavesItsNeighboursNonResident) {
  if (!MakeCold()) GTEST_SKIP() << "this file system keeps files resident";
  ASSERT_EQ(pager_file_advise(f, 0, 0, PAGER_FILE_ADVICE_RANDOM), PAGER_OK);
  uint64_t got = 0;
  std::memcpy(&got, Page(1500), sizeof got);
  EXPECT_EQ(got, 1500u);
  EXPECT_EQ(ResidentPages(path, 1500, 1), 1);
  EXPECT_EQ(ResidentPages(path, 1501, 32), 0) << "a random touch brought in its neighbours";
  EXPECT_EQ(ResidentPages(path, 1000, 400), 0) << "a random touch brought in pages before it";
}

TEST_F(FileAdvise, ErrorsNameTheRangeAndTheAdvice) {
  Create(64);
  EXPECT_EQ(pager_file_advise(nullptr, 0, 0, PAGER_FILE_ADVICE_RANDOM), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_advise(f, 0, 0, 5), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("advice 5"), std::string::npos)
      << pager_last_error();
  const uint64_t n = PageCount();
  EXPECT_EQ(pager_file_advise(f, n - 1, 2, PAGER_FILE_ADVICE_RANDOM), PAGER_ERR_RANGE);
  EXPECT_NE(std::string(pager_last_error()).find("past the page space"), std::string::npos)
      << pager_last_error();
  EXPECT_EQ(pager_file_advise(f, 1, UINT64_MAX, PAGER_FILE_ADVICE_RANDOM), PAGER_ERR_RANGE);
  EXPECT_EQ(pager_file_advise(f, n + 1, 0, PAGER_FILE_ADVICE_RANDOM), PAGER_ERR_RANGE);
  EXPECT_EQ(pager_file_advise(f, n, 0, PAGER_FILE_ADVICE_RANDOM), PAGER_OK);  // empty range
  EXPECT_EQ(pager_file_advise(f, n - 1, 1, PAGER_FILE_ADVICE_RANDOM), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST_F(FileAdvise, AReadOnlyHandleTakesAdvice) {
  Create(64);
  uint64_t id = AllocFilled(1)[0];
  pager_file_close(f);
  f = nullptr;
  pager_file_options o = Opts(0);
  o.read_only = 1;
  ASSERT_EQ(pager_file_open(path.c_str(), &o, &f), PAGER_OK) << pager_last_error();
  ASSERT_EQ(pager_file_advise(f, 0, 0, PAGER_FILE_ADVICE_RANDOM), PAGER_OK) << pager_last_error();
  EXPECT_TRUE(Has(VmFlagsOf(Page(id)), " rr")) << VmFlagsOf(Page(id));
}

// Whether madvise in this process reports the kernel's refusal of MADV_DONTNEED on a locked
// page. ThreadSanitizer's runtime intercepts madvise and returns 0 for MADV_DONTNEED without
// the kernel's answer, so under SAN=thread the refusal cannot be observed.
bool MadviseReportsRefusalOfLockedPages() {
  const size_t len = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  bool refused = false;
  if (::mlock(p, len) == 0) {
    refused = ::madvise(p, len, MADV_DONTNEED) != 0;
    ::munlock(p, len);
  }
  ::munmap(p, len);
  return refused;
}

// MADV_DONTNEED is refused (EINVAL) on locked pages: the refusal is reported, not swallowed.
TEST_F(FileAdvise, AnAdviceTheKernelRefusesIsReportedAsIo) {
  if (!MadviseReportsRefusalOfLockedPages()) {
    GTEST_SKIP() << "madvise here does not report the kernel's refusal (mlock refused, or "
                    "ThreadSanitizer's interceptor answers for it)";
  }
  Create(64);
  uint64_t id = AllocFilled(1)[0];
  if (::mlock(Page(id), kPageSize) != 0) GTEST_SKIP() << "mlock refused (RLIMIT_MEMLOCK)";
  EXPECT_EQ(pager_file_advise(f, id, 1, PAGER_FILE_ADVICE_DONTNEED), PAGER_ERR_IO);
  EXPECT_NE(std::string(pager_last_error()).find("refused advice DONTNEED"), std::string::npos)
      << pager_last_error();
  ::munlock(Page(id), kPageSize);
  EXPECT_EQ(pager_file_advise(f, id, 1, PAGER_FILE_ADVICE_DONTNEED), PAGER_OK);
}

}  // namespace
