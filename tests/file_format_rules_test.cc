// The page file's decoding rules behind valid checksums (doc/format/page-file.md): a copy page
// or meta page whose checksum holds but whose header breaks a rule -- another format version,
// another file's id, a zero generation, non-zero reserved bytes, another index, more directory
// pages than a meta can list -- is CORRUPT naming the rule, so recovery never trusts it. And an
// open that names an impossible page size is INVALID before it touches the file.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "impl/file/format.h"
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

constexpr uint32_t kPageSize = 1024;
constexpr uint64_t kFileId = 0x1234;

// A sealed bitmap copy page of group 3, generation 7, then `edit` applied to its header and
// the checksum recomputed as a buggy writer would.
std::vector<uint8_t> Copy(const std::function<void(CopyHeaderDisk*)>& edit) {
  std::vector<uint8_t> page(kPageSize, 0);
  page[sizeof(CopyHeaderDisk)] = 0xff;
  SealCopy(kBitmapMagic, 3, kFileId, 7, page.data(), kPageSize);
  CopyHeaderDisk h;
  std::memcpy(&h, page.data(), sizeof h);
  edit(&h);
  std::memcpy(page.data(), &h, sizeof h);
  h.checksum = PageChecksum(page.data(), kPageSize, offsetof(CopyHeaderDisk, checksum), kSeedCopy);
  std::memcpy(page.data(), &h, sizeof h);
  return page;
}

TEST(FileFormatRules, ACopyBreakingAHeaderRuleBehindAValidChecksumIsCorruptNamingTheRule) {
  uint64_t gen = 0, sum = 0;
  std::vector<uint8_t> good = Copy([](CopyHeaderDisk*) {});
  ASSERT_OK(CheckCopy(kBitmapMagic, 3, kFileId, good.data(), kPageSize, &gen, &sum));
  EXPECT_EQ(gen, 7u);
  struct Case {
    const char* says;
    std::function<void(CopyHeaderDisk*)> edit;
  } cases[] = {
      {"format version", [](CopyHeaderDisk* h) { h->format_version += 1; }},
      {"index 4", [](CopyHeaderDisk* h) { h->index = 4; }},
      {"file id of another file", [](CopyHeaderDisk* h) { h->file_id ^= 1; }},
      {"generation 0", [](CopyHeaderDisk* h) { h->generation = 0; }},
      {"reserved bytes are not zero", [](CopyHeaderDisk* h) { h->reserved = 1; }},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> page = Copy(c.edit);
    uint64_t g = 99, s = 99;
    Status st = CheckCopy(kBitmapMagic, 3, kFileId, page.data(), kPageSize, &g, &s);
    EXPECT_EQ(st.code(), Code::kCorrupt) << c.says;
    EXPECT_EQ(st.message(), c.says);
    EXPECT_EQ(g, 99u) << "out-parameters are set only on success";
  }
  EXPECT_EQ(CheckCopy(kDirMagic, 3, kFileId, good.data(), kPageSize, &gen, &sum).message(),
            "bad magic");
}

TEST(FileFormatRules, AMetaListingMoreDirectoryPagesThanAMetaHoldsIsCorrupt) {
  Meta m;
  m.generation = 5;
  m.page_count = RoundPageCount(16, kPageSize);
  m.used_page_count = 8;
  std::vector<uint8_t> page(kPageSize, 0);
  EncodeMeta(m, 10, kFileId, page.data());
  Meta back;
  ASSERT_OK(DecodeMeta(page.data(), 10, kFileId, &back));
  MetaHeaderDisk h;
  std::memcpy(&h, page.data(), sizeof h);
  h.dir_page_count = MaxDirPages(kPageSize) + 1;
  std::memcpy(page.data(), &h, sizeof h);
  h.checksum = PageChecksum(page.data(), kPageSize, offsetof(MetaHeaderDisk, checksum), kSeedMeta);
  std::memcpy(page.data(), &h, sizeof h);
  Status st = DecodeMeta(page.data(), 10, kFileId, &back);
  EXPECT_EQ(st.code(), Code::kCorrupt);
  EXPECT_EQ(st.message(), "dir_page_count " + std::to_string(MaxDirPages(kPageSize) + 1) +
                              " > maximum " + std::to_string(MaxDirPages(kPageSize)));
}

TEST(FileFormatRules, AnOpenExpectingAnImpossiblePageSizeIsInvalidBeforeTouchingTheFile) {
  io::MemEnv env;
  for (uint32_t size : {1000u, 512u, 131072u}) {
    FileOptions o = testing::SmallOptions();
    o.page_size = size;
    std::unique_ptr<PageFile> pf;
    Status st = PageFile::Open(&env, "/missing", o, &pf);
    EXPECT_EQ(st.code(), Code::kInvalid) << size;
    EXPECT_EQ(st.message(), "expected page size " + std::to_string(size) +
                                " is not 0 or a power of two in [1024, 65536]");
    EXPECT_EQ(pf, nullptr);
  }
  EXPECT_TRUE(env.FilePaths().empty());
}

}  // namespace
}  // namespace file
}  // namespace pager
