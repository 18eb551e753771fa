// Promises of the pager_file_* section of pager.h that earlier versions broke, each a
// regression test named after the failure: list counts checked before any work (C3),
// options defaults right for open and create (C8), sub-pages readable on a read-only file,
// exact buffer lengths (C6), handles reporting their own geometry (C9).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/file_test_util.h"
#include "tests/outparam.h"
#include "tests/support/test_util.h"

namespace {

using pager::file::testing::CapiOptions;

// A file on a FaultEnv (its operation counter shows whether a call did any I/O).
struct FaultFile : pager::file::testing::CapiFile<pager::io::FaultEnv> {
  using CapiFile::CapiFile;
  struct State {
    uint64_t pages, free_pages, protected_pages, file_bytes;
    bool operator==(const State& o) const {
      return pages == o.pages && free_pages == o.free_pages &&
             protected_pages == o.protected_pages && file_bytes == o.file_bytes;
    }
  };
  State Now() {
    State s{};
    EXPECT_EQ(pager_file_page_count(f, &s.pages), PAGER_OK);
    EXPECT_EQ(pager_file_free_page_count(f, &s.free_pages), PAGER_OK);
    EXPECT_EQ(pager_file_protected_count(f, &s.protected_pages), PAGER_OK);
    std::vector<uint8_t> bytes;
    EXPECT_TRUE(env.GetFileBytes("/f", &bytes).ok());
    s.file_bytes = bytes.size();
    return s;
  }
};

// ---- C3: counts --------------------------------------------------------------------------------

TEST(FileBulk, SubpageAllocBulkOfUint64MaxIsRefusedAndTheCountDoesNotWrap) {
  FaultFile ff;
  pager_file_subpages* s = nullptr;
  ASSERT_PAGER_OK(pager_file_subpages_create(ff.f, 128, &s));
  uint64_t ids[4];
  outparam::Fill(ids, sizeof ids);
  EXPECT_EQ(pager_file_subpage_alloc_bulk(s, ids, UINT64_MAX), PAGER_ERR_INVALID);
  EXPECT_TRUE(outparam::Untouched(ids, sizeof ids));
  uint64_t count = 1;
  ASSERT_PAGER_OK(pager_file_subpage_count(s, &count));
  EXPECT_EQ(count, 0u);
  pager_file_subpages_free(s);
}

TEST(FileBulk, ProtectedAllocBulkOfUint64MaxIsInvalidNotInternal) {
  FaultFile ff;
  uint64_t ids[4];
  EXPECT_EQ(pager_file_protected_alloc_bulk(ff.f, ids, UINT64_MAX), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_alloc_bulk(ff.f, ids, UINT64_MAX), PAGER_ERR_INVALID);
  uint64_t list[1] = {3};
  EXPECT_EQ(pager_file_free_bulk(ff.f, list, UINT64_MAX), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_protected_free_bulk(ff.f, list, UINT64_MAX), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_sync_pages(ff.f, list, UINT64_MAX), PAGER_ERR_INVALID);
}

// The directory's capacity is known before any work: a count past it is FULL with no I/O and
// no change (the old code allocated entry after entry, growing the file, before failing).
TEST(FileBulk, ProtectedAllocBulkPastTheDirectoryIsFullBeforeAnyWork) {
  FaultFile ff;
  auto before = ff.Now();
  uint64_t ops = ff.env.OpCount();
  uint64_t one = 0;
  EXPECT_EQ(pager_file_protected_alloc_bulk(ff.f, &one, 1000000000), PAGER_ERR_FULL);
  EXPECT_EQ(ff.env.OpCount(), ops) << "the call did I/O before refusing";
  EXPECT_TRUE(ff.Now() == before);
  EXPECT_EQ(one, 0u);
}

TEST(FileBulk, AllocBulkPastMaxSizeIsFullBeforeAnyWork) {
  FaultFile ff;
  auto before = ff.Now();
  uint64_t ops = ff.env.OpCount();
  uint64_t one = 0;
  // 2^30 bytes of 1 KiB pages hold 2^20 pages; the list itself is never touched.
  EXPECT_EQ(pager_file_alloc_bulk(ff.f, &one, uint64_t{1} << 21), PAGER_ERR_FULL);
  EXPECT_EQ(ff.env.OpCount(), ops) << "the call did I/O before refusing";
  EXPECT_TRUE(ff.Now() == before);
}

TEST(FileBulk, SubpageAllocBulkPastMaxSizeIsFullBeforeAnyWork) {
  FaultFile ff;
  pager_file_subpages* s = nullptr;
  ASSERT_PAGER_OK(pager_file_subpages_create(ff.f, 1024, &s));  // one slot per page
  auto before = ff.Now();
  uint64_t ops = ff.env.OpCount();
  uint64_t one = 0;
  EXPECT_EQ(pager_file_subpage_alloc_bulk(s, &one, uint64_t{1} << 40), PAGER_ERR_FULL);
  EXPECT_EQ(ff.env.OpCount(), ops);
  EXPECT_TRUE(ff.Now() == before);
  uint64_t count = 1;
  ASSERT_PAGER_OK(pager_file_subpage_count(s, &count));
  EXPECT_EQ(count, 0u);
  pager_file_subpages_free(s);
}

// ---- C8: options --------------------------------------------------------------------------

TEST(FileOptions, DefaultOptionsOpenAFileOfAnyPageSize) {
  pager::io::MemEnv env;
  outparam::ScopedEnv scoped(&env);
  for (uint32_t ps : {1024u, 8192u, 65536u}) {
    std::string path = "/f" + std::to_string(ps);
    pager_file_options o = CapiOptions(ps);
    pager_file* f = nullptr;
    ASSERT_PAGER_OK(pager_file_create(path.c_str(), &o, &f));
    pager_file_close(f);
    pager_file_options d;
    pager_file_options_init(&d);  // page_size 0: the file's
    d.max_size_bytes = uint64_t{1} << 30;
    ASSERT_PAGER_OK(pager_file_open(path.c_str(), &d, &f));
    uint32_t got = 0;
    ASSERT_PAGER_OK(pager_file_page_size(f, &got));
    EXPECT_EQ(got, ps);
    pager_file_close(f);
  }
}

TEST(FileOptions, DefaultOptionsCreate4096BytePages) {
  pager::io::MemEnv env;
  outparam::ScopedEnv scoped(&env);
  pager_file_options d;
  pager_file_options_init(&d);
  d.max_size_bytes = uint64_t{1} << 30;
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_create("/f", &d, &f));
  uint32_t got = 0;
  ASSERT_PAGER_OK(pager_file_page_size(f, &got));
  EXPECT_EQ(got, 4096u);
  pager_file_close(f);
}

TEST(FileOptions, StructSizeBelowTheFirstVersionIsInvalid) {
  pager::io::MemEnv env;
  outparam::ScopedEnv scoped(&env);
  pager_file_options o = CapiOptions(1024);
  o.struct_size = 40 - 8;  // below 40 bytes, the struct's first version (0.2)
  pager_file* f = outparam::SentinelPtr<pager_file>();
  EXPECT_EQ(pager_file_create("/f", &o, &f), PAGER_ERR_INVALID);
  EXPECT_EQ(f, outparam::SentinelPtr<pager_file>());
  EXPECT_NE(std::string(pager_last_error()).find("struct_size"), std::string::npos);
}

// ---- C6: exact page buffers ---------------------------------------------------------------

TEST(FileCapi, ProtectedReadBufferMustBeExactlyOnePage) {
  FaultFile ff;
  uint64_t id = 0;
  ASSERT_PAGER_OK(pager_file_protected_alloc(ff.f, &id));
  std::vector<uint8_t> buf(2048);
  outparam::Fill(buf.data(), buf.size());
  EXPECT_EQ(pager_file_protected_read(ff.f, id, buf.data(), 1025), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_protected_read(ff.f, id, buf.data(), 1023), PAGER_ERR_INVALID);
  EXPECT_TRUE(outparam::Untouched(buf.data(), buf.size()));
  EXPECT_NE(std::string(pager_last_error()).find("1024"), std::string::npos);
  ASSERT_PAGER_OK(pager_file_protected_read(ff.f, id, buf.data(), 1024));
}

// ---- sub-pages ----------------------------------------------------------------------------

TEST(FileSubPages, SubPagesAreReadableOnAReadOnlyFile) {
  pager::io::MemEnv env;
  outparam::ScopedEnv scoped(&env);
  pager_file_options o = CapiOptions(1024);
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_create("/f", &o, &f));
  pager_file_subpages* s = nullptr;
  ASSERT_PAGER_OK(pager_file_subpages_create(f, 256, &s));
  uint64_t ids[2];
  ASSERT_PAGER_OK(pager_file_subpage_alloc_bulk(s, ids, 2));
  void* p = nullptr;
  ASSERT_PAGER_OK(pager_file_subpage(s, ids[1], &p));
  std::memcpy(p, "slot", 5);
  uint64_t parent = ids[1] / 64;
  ASSERT_PAGER_OK(pager_file_sync_pages(f, &parent, 1));
  pager_file_subpages_free(s);
  pager_file_close(f);

  o.page_size = 0;
  o.read_only = 1;
  ASSERT_PAGER_OK(pager_file_open("/f", &o, &f));
  ASSERT_PAGER_OK(pager_file_subpages_create(f, 256, &s));
  ASSERT_PAGER_OK(pager_file_subpage_mark_used(s, ids, 2));
  const void* cp = nullptr;
  ASSERT_PAGER_OK(pager_file_subpage_const(s, ids[1], &cp));
  EXPECT_STREQ(static_cast<const char*>(cp), "slot");
  p = outparam::SentinelPtr<void>();
  EXPECT_EQ(pager_file_subpage(s, ids[1], &p), PAGER_ERR_READONLY);
  EXPECT_EQ(p, outparam::SentinelPtr<void>());
  uint64_t id = 0;
  EXPECT_EQ(pager_file_subpage_alloc(s, &id), PAGER_ERR_READONLY);
  EXPECT_EQ(pager_file_subpage_free(s, ids[0]), PAGER_ERR_READONLY);
  pager_file_subpages_free(s);
  pager_file_close(f);
}

TEST(FileSubPages, AllocatorReportsItsOwnGeometry) {
  FaultFile ff(4096);
  pager_file_subpages* s = nullptr;
  ASSERT_PAGER_OK(pager_file_subpages_create(ff.f, 512, &s));
  uint32_t size = 0, slots = 0;
  ASSERT_PAGER_OK(pager_file_subpages_sub_page_size(s, &size));
  ASSERT_PAGER_OK(pager_file_subpages_slot_count(s, &slots));
  EXPECT_EQ(size, 512u);
  EXPECT_EQ(slots, 8u);
  pager_file_subpages_free(s);
}

TEST(FileSubPages, SlotRangeIsOneToSixtyFourSlots) {
  FaultFile ff(4096);
  pager_file_subpages* s = nullptr;
  EXPECT_EQ(pager_file_subpages_create(ff.f, 32, &s), PAGER_ERR_INVALID);    // 128 slots
  EXPECT_EQ(pager_file_subpages_create(ff.f, 8192, &s), PAGER_ERR_INVALID);  // 0 slots
  ASSERT_PAGER_OK(pager_file_subpages_create(ff.f, 64, &s));                // 64 slots
  pager_file_subpages_free(s);
  ASSERT_PAGER_OK(pager_file_subpages_create(ff.f, 4096, &s));  // 1 slot
  uint64_t id = 0;
  ASSERT_PAGER_OK(pager_file_subpage_alloc(s, &id));
  EXPECT_EQ(id % 64, 0u);
  EXPECT_EQ(pager_file_subpage_free(s, id + 1), PAGER_ERR_RANGE);  // slot 1 of 1
  pager_file_subpages_free(s);
}

TEST(FileSubPages, CallsOnAClosedFileFailCleanly) {
  FaultFile ff;
  pager_file_subpages* s = nullptr;
  ASSERT_PAGER_OK(pager_file_subpages_create(ff.f, 256, &s));
  pager_file_close(ff.f);
  ff.f = nullptr;
  uint32_t v = 0;
  EXPECT_EQ(pager_file_subpages_sub_page_size(s, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_subpage_mark_used(s, nullptr, 0), PAGER_ERR_INVALID);
  uint64_t n = 0;
  EXPECT_EQ(pager_file_subpage_count(s, &n), PAGER_ERR_INVALID);
  pager_file_subpages_free(s);
}

}  // namespace
