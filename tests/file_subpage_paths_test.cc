// Sub-page paths no other suite reaches: freeing part of a parent page's sub-pages (the parent
// and the other sub-pages stay), a store that outlives pager_file_close (it shares the
// PageFile, which refuses every call as closed), sub-page sizes outside the rule, and a bulk
// allocation that cannot fit in max_size_bytes, refused before any work.
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using namespace pager::file::testing;  // NOLINT

std::shared_ptr<PageFile> Shared(io::MemEnv* env, const FileOptions& o) {
  return std::shared_ptr<PageFile>(MustCreate(env, "/f", o).release());
}

TEST(FileSubpagePaths, FreeingSomeSubPagesOfAParentKeepsTheParentAndTheOthers) {
  io::MemEnv env;
  auto pf = Shared(&env, SmallOptions());
  std::unique_ptr<SubPages> sp;
  ASSERT_OK(SubPages::Create(pf, 128, &sp));  // 8 slots per 1 KiB parent
  uint64_t ids[3];
  ASSERT_OK(sp->AllocBulk(3, ids));
  ASSERT_EQ(ids[0] / 64, ids[2] / 64) << "three sub-pages share one parent";
  uint8_t* p = nullptr;
  for (uint64_t id : {ids[0], ids[2]}) {
    ASSERT_OK(sp->Pointer(id, true, &p));
    std::memset(p, static_cast<int>(id & 0xff), 128);
  }
  ASSERT_OK(sp->Free(ids[1]));
  EXPECT_EQ(sp->Count(), 2u);
  EXPECT_EQ(RegularPages(pf.get()), std::set<uint64_t>{ids[0] / 64});
  for (uint64_t id : {ids[0], ids[2]}) {
    ASSERT_OK(sp->Pointer(id, false, &p));
    EXPECT_EQ(p[0], static_cast<uint8_t>(id & 0xff));
  }
  EXPECT_EQ(sp->Pointer(ids[1], false, &p).code(), Code::kNotFound);
  // Its slot is taken again first; freeing the rest frees the parent.
  uint64_t again = 0;
  ASSERT_OK(sp->Alloc(&again));
  EXPECT_EQ(again, ids[1]);
  uint64_t rest[] = {ids[0], again, ids[2]};
  ASSERT_OK(sp->FreeBulk(rest, 3));
  EXPECT_EQ(sp->Count(), 0u);
  EXPECT_TRUE(RegularPages(pf.get()).empty());
  ASSERT_OK(pf->CheckInvariants());
}

TEST(FileSubpagePaths, AStoreOutlivingItsClosedFileRefusesEveryCallAsClosed) {
  io::MemEnv env;
  auto pf = Shared(&env, SmallOptions());
  std::unique_ptr<SubPages> sp;
  ASSERT_OK(SubPages::Create(pf, 256, &sp));
  uint64_t id = 0;
  ASSERT_OK(sp->Alloc(&id));
  pf->Close();  // what pager_file_close does while the store still holds the PageFile
  uint8_t* p = nullptr;
  uint64_t more = 0;
  uint64_t mark = id + 1;
  for (Status st : {sp->Alloc(&more), sp->Free(id), sp->MarkUsed(&mark, 1),
                    sp->Pointer(id, false, &p), sp->CheckOpen()}) {
    EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
    EXPECT_NE(st.message().find("the page file /f is closed"), std::string::npos)
        << st.ToString();
  }
  EXPECT_EQ(p, nullptr);
  std::unique_ptr<SubPages> late;
  Status st = SubPages::Create(pf, 256, &late);
  EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
  EXPECT_EQ(late, nullptr);
}

TEST(FileSubpagePaths, SubPageSizesOutsideTheRuleAreInvalidNamingTheRule) {
  io::MemEnv env;
  auto pf = Shared(&env, SmallOptions());
  for (uint32_t size : {0u, 3u, 100u, 2048u, 8u}) {  // 8: 128 slots per parent, above 64
    std::unique_ptr<SubPages> sp;
    Status st = SubPages::Create(pf, size, &sp);
    EXPECT_EQ(st.code(), Code::kInvalid) << size;
    EXPECT_EQ(st.message(), "sub-page size " + std::to_string(size) +
                                " must be a power of two with page size 1024 / sub-page size "
                                "in [1, 64]");
    EXPECT_EQ(sp, nullptr);
  }
  for (uint32_t size : {16u, 1024u}) {
    std::unique_ptr<SubPages> sp;
    EXPECT_OK(SubPages::Create(pf, size, &sp));
  }
}

TEST(FileSubpagePaths, ABulkAllocThatNeedsMoreParentsThanMaxSizeAllowsIsFullBeforeAnyWork) {
  io::MemEnv env;
  FileOptions o = SmallOptions();
  o.max_size_bytes = 64 * 1024;
  auto pf = Shared(&env, o);
  std::unique_ptr<SubPages> sp;
  ASSERT_OK(SubPages::Create(pf, 512, &sp));  // 2 slots per parent
  uint64_t gen = pf->generation();
  std::vector<uint64_t> ids(200, 0);
  Status st = sp->AllocBulk(ids.size(), ids.data());
  EXPECT_EQ(st.code(), Code::kFull) << st.ToString();
  EXPECT_EQ(st.message(), "200 sub-pages need 100 new parent pages, more than the 64 pages "
                          "max_size_bytes allows");
  EXPECT_EQ(ids[0], 0u);
  EXPECT_EQ(sp->Count(), 0u);
  EXPECT_EQ(pf->generation(), gen);
}

}  // namespace
}  // namespace file
}  // namespace pager
