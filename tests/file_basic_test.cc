// Mapped page file: create/open, allocation, bulk validation, growth, pointers, read-only.
#include <cstring>
#include <thread>

#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::MustCreate;
using testing::MustOpen;
using testing::RegularPages;
using testing::SmallOptions;

TEST(FileBasic, CreateThenOpenRoundTrips) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  std::vector<uint64_t> ids(5);
  ASSERT_OK(pf->AllocBulk(5, ids.data()));
  for (uint64_t id : ids) {
    uint8_t* p = nullptr;
    ASSERT_OK(pf->PagePointer(id, true, &p));
    std::memset(p, static_cast<int>(id), pf->page_size());
  }
  ASSERT_OK(pf->SyncPages(ids.data(), ids.size()));
  ASSERT_OK(pf->Free(ids[2]));
  ASSERT_OK(pf->CheckInvariants());
  pf.reset();
  pf = MustOpen(&env, "/f", SmallOptions());
  ASSERT_OK(pf->CheckInvariants());
  std::set<uint64_t> want = {ids[0], ids[1], ids[3], ids[4]};
  EXPECT_EQ(RegularPages(pf.get()), want);
  for (uint64_t id : want) {
    uint8_t* p = nullptr;
    ASSERT_OK(pf->PagePointer(id, false, &p));
    EXPECT_EQ(p[0], static_cast<uint8_t>(id));
    EXPECT_EQ(p[pf->page_size() - 1], static_cast<uint8_t>(id));
  }
}

TEST(FileBasic, FirstPagesAreReservedAndNeverHandedOut) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t id = 0;
  ASSERT_OK(pf->Alloc(&id));
  EXPECT_EQ(id, 5u);  // 0 superblock, 1-2 metas, 3-4 bitmap group 0
  for (uint64_t r : {0, 1, 2, 3, 4}) EXPECT_EQ(pf->Free(r).code(), Code::kReserved) << r;
}

TEST(FileBasic, CreateFailsIfTheFileExists) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  pf.reset();
  std::unique_ptr<PageFile> again;
  EXPECT_EQ(PageFile::Create(&env, "/f", SmallOptions(), &again).code(), Code::kExists);
}

TEST(FileBasic, PageSizeIsStoredAndChecked) {
  io::MemEnv env;
  for (uint32_t ps : {1024u, 4096u, 65536u}) {
    std::string path = "/f" + std::to_string(ps);
    auto pf = MustCreate(&env, path, SmallOptions(ps));
    EXPECT_EQ(pf->page_size(), ps);
    pf.reset();
    FileOptions o = SmallOptions(ps);
    std::unique_ptr<PageFile> opened;
    ASSERT_OK(PageFile::Open(&env, path, o, &opened));
    EXPECT_EQ(opened->page_size(), ps);
    opened.reset();
    o.page_size = ps == 4096 ? 1024 : 4096;
    EXPECT_EQ(PageFile::Open(&env, path, o, &opened).code(), Code::kPageSize);
  }
}

TEST(FileBasic, BadPageSizesAreInvalid) {
  io::MemEnv env;
  for (uint32_t ps : {0u, 512u, 1000u, 3000u, 131072u}) {
    std::unique_ptr<PageFile> pf;
    EXPECT_EQ(PageFile::Create(&env, "/f", SmallOptions(ps), &pf).code(), Code::kInvalid) << ps;
  }
}

TEST(FileBasic, FreeReportsEachCauseWithItsOwnCode) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t id = 0, count = 0;
  ASSERT_OK(pf->Alloc(&id));
  ASSERT_OK(pf->PageCount(&count));
  EXPECT_EQ(pf->Free(0).code(), Code::kReserved);
  EXPECT_EQ(pf->Free(count).code(), Code::kRange);
  EXPECT_EQ(pf->Free(UINT64_MAX).code(), Code::kRange);
  EXPECT_EQ(pf->Free(id + 1).code(), Code::kDoubleFree);
  ASSERT_OK(pf->Free(id));
  Status st = pf->Free(id);
  EXPECT_EQ(st.code(), Code::kDoubleFree);
  EXPECT_NE(st.message().find(std::to_string(id)), std::string::npos) << st.message();
  uint64_t prot = 0;
  ASSERT_OK(pf->ProtectedAlloc(&prot));
  uint64_t backing = 0;
  bool found = false;
  // The protected page's backing pages are internal: not listed, not freeable.
  for (uint64_t p = 5; p < 32; p++) {
    if (pf->CheckRegular(p).code() == Code::kReserved) {
      backing = p;
      found = true;
      break;
    }
  }
  ASSERT_TRUE(found);
  EXPECT_EQ(pf->Free(backing).code(), Code::kReserved);
}

TEST(FileBasic, FreeBulkIsAllOrNothingWithDistinctCodes) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  std::vector<uint64_t> ids(4);
  ASSERT_OK(pf->AllocBulk(4, ids.data()));
  uint64_t count = 0;
  ASSERT_OK(pf->PageCount(&count));
  uint64_t gen = pf->generation();
  struct Case {
    std::vector<uint64_t> list;
    Code code;
    uint64_t offender;
  };
  std::vector<Case> cases = {
      {{ids[0], 1, ids[1]}, Code::kReserved, 1},
      {{ids[0], count + 7}, Code::kRange, count + 7},
      {{ids[0], ids[3] + 1}, Code::kDoubleFree, ids[3] + 1},
      {{ids[0], ids[1], ids[0]}, Code::kDuplicate, ids[0]},
  };
  for (const Case& c : cases) {
    Status st = pf->FreeBulk(c.list.data(), c.list.size());
    EXPECT_EQ(st.code(), c.code) << st.ToString();
    EXPECT_NE(st.message().find(std::to_string(c.offender)), std::string::npos) << st.message();
    EXPECT_EQ(pf->generation(), gen) << "a rejected bulk free committed";
    EXPECT_EQ(RegularPages(pf.get()), std::set<uint64_t>(ids.begin(), ids.end()));
  }
  ASSERT_OK(pf->FreeBulk(ids.data(), ids.size()));
  EXPECT_EQ(pf->generation(), gen + 1);
  EXPECT_TRUE(RegularPages(pf.get()).empty());
}

TEST(FileBasic, EveryCommitIsOneFlush) {
  io::FaultEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t before = env.SyncCount();
  uint64_t id = 0;
  ASSERT_OK(pf->Alloc(&id));
  EXPECT_EQ(env.SyncCount() - before, 1u);
  ASSERT_OK(pf->Free(id));
  EXPECT_EQ(env.SyncCount() - before, 2u);
  std::vector<uint64_t> ids(1000);
  ASSERT_OK(pf->AllocBulk(ids.size(), ids.data()));  // grows the page space too
  EXPECT_EQ(env.SyncCount() - before, 3u);
  ASSERT_OK(pf->FreeBulk(ids.data(), ids.size()));
  EXPECT_EQ(env.SyncCount() - before, 4u);
  uint64_t prot = 0;
  ASSERT_OK(pf->ProtectedAlloc(&prot));
  std::vector<uint8_t> data(pf->page_size(), 7);
  ASSERT_OK(pf->ProtectedWrite(prot, data.data()));
  EXPECT_EQ(env.SyncCount() - before, 6u);
}

TEST(FileBasic, GrowthKeepsPointersStableAndSpansManyBitmapGroups) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t first = 0;
  ASSERT_OK(pf->Alloc(&first));
  uint8_t* p = nullptr;
  ASSERT_OK(pf->PagePointer(first, true, &p));
  std::memset(p, 0xAB, pf->page_size());
  // 1 KiB pages: a bitmap group covers 7808 pages; 50,000 pages span 7 groups.
  std::vector<uint64_t> ids(50000);
  ASSERT_OK(pf->AllocBulk(ids.size(), ids.data()));
  std::set<uint64_t> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size());
  for (uint64_t id : ids) ASSERT_FALSE(IsFixedInternalPage(id, pf->page_size())) << id;
  uint8_t* again = nullptr;
  ASSERT_OK(pf->PagePointer(first, true, &again));
  EXPECT_EQ(p, again);
  EXPECT_EQ(p[100], 0xAB);
  uint8_t* last = nullptr;
  ASSERT_OK(pf->PagePointer(ids.back(), true, &last));
  last[0] = 1;  // mapped and backed
  ASSERT_OK(pf->CheckInvariants());
  pf.reset();
  pf = MustOpen(&env, "/f", SmallOptions());
  ASSERT_OK(pf->CheckInvariants());
  EXPECT_EQ(RegularPages(pf.get()).size(), ids.size() + 1);
}

TEST(FileBasic, GrowExtendsThePageSpaceSparsely) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  ASSERT_OK(pf->Grow(100000));
  uint64_t count = 0, free_count = 0;
  ASSERT_OK(pf->PageCount(&count));
  EXPECT_GE(count, 100000u);
  ASSERT_OK(pf->FreePageCount(&free_count));
  uint64_t groups = GroupCount(count, pf->page_size());
  EXPECT_EQ(free_count, count - 3 - 2 * groups);
  EXPECT_EQ(pf->Grow(count + (uint64_t{1} << 30)).code(), Code::kFull);
  pf.reset();
  pf = MustOpen(&env, "/f", SmallOptions());
  uint64_t reopened = 0;
  ASSERT_OK(pf->PageCount(&reopened));
  EXPECT_EQ(reopened, count);
}

TEST(FileBasic, AllocPastMaxSizeIsFullAndChangesNothing) {
  io::MemEnv env;
  FileOptions o = SmallOptions();
  o.max_size_bytes = 64 * 1024;  // 64 pages of 1 KiB
  auto pf = MustCreate(&env, "/f", o);
  std::vector<uint64_t> ids(100);
  uint64_t gen = pf->generation();
  EXPECT_EQ(pf->AllocBulk(ids.size(), ids.data()).code(), Code::kFull);
  EXPECT_EQ(pf->generation(), gen);
  ASSERT_OK(pf->CheckInvariants());
  EXPECT_TRUE(RegularPages(pf.get()).empty());
  ASSERT_OK(pf->AllocBulk(50, ids.data()));
}

TEST(FileBasic, PagePointerChecksThePage) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint8_t* p = nullptr;
  EXPECT_EQ(pf->PagePointer(0, false, &p).code(), Code::kReserved);
  EXPECT_EQ(pf->PagePointer(3, false, &p).code(), Code::kReserved);
  EXPECT_EQ(pf->PagePointer(6, false, &p).code(), Code::kNotFound);
  EXPECT_EQ(pf->PagePointer(1u << 20, false, &p).code(), Code::kRange);
}

TEST(FileBasic, ReadOnlyHandleRefusesEveryMutation) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t id = 0, prot = 0;
  ASSERT_OK(pf->Alloc(&id));
  ASSERT_OK(pf->ProtectedAlloc(&prot));
  pf.reset();
  FileOptions o = SmallOptions();
  o.read_only = true;
  auto ro = MustOpen(&env, "/f", o);
  auto ro2 = MustOpen(&env, "/f", o);  // many readers
  uint64_t out = 0;
  std::vector<uint8_t> data(ro->page_size());
  uint8_t* p = nullptr;
  EXPECT_EQ(ro->Alloc(&out).code(), Code::kReadOnly);
  EXPECT_EQ(ro->AllocBulk(1, &out).code(), Code::kReadOnly);
  EXPECT_EQ(ro->Free(id).code(), Code::kReadOnly);
  EXPECT_EQ(ro->FreeBulk(&id, 1).code(), Code::kReadOnly);
  EXPECT_EQ(ro->Grow(1000).code(), Code::kReadOnly);
  EXPECT_EQ(ro->PagePointer(id, true, &p).code(), Code::kReadOnly);
  EXPECT_EQ(ro->SyncPages(&id, 1).code(), Code::kReadOnly);
  EXPECT_EQ(ro->ProtectedAlloc(&out).code(), Code::kReadOnly);
  EXPECT_EQ(ro->ProtectedFree(prot).code(), Code::kReadOnly);
  EXPECT_EQ(ro->ProtectedWrite(prot, data.data()).code(), Code::kReadOnly);
  EXPECT_EQ(ro->TxnAdd(&out, prot, data.data()).code(), Code::kReadOnly);
  ASSERT_OK(ro->PagePointer(id, false, &p));
  ASSERT_OK(ro->ProtectedRead(prot, data.data(), data.size()));
  std::unique_ptr<PageFile> rw;
  EXPECT_EQ(PageFile::Open(&env, "/f", SmallOptions(), &rw).code(), Code::kBusy);
}

TEST(FileBasic, SecondReadWriteOpenerIsBusyUntilTheFirstCloses) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  std::unique_ptr<PageFile> other;
  EXPECT_EQ(PageFile::Open(&env, "/f", SmallOptions(), &other).code(), Code::kBusy);
  FileOptions ro = SmallOptions();
  ro.read_only = true;
  EXPECT_EQ(PageFile::Open(&env, "/f", ro, &other).code(), Code::kBusy);
  pf->Close();
  ASSERT_OK(PageFile::Open(&env, "/f", SmallOptions(), &other));
}

TEST(FileBasic, ClosedHandleFailsCleanly) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  pf->Close();
  uint64_t id = 0;
  EXPECT_EQ(pf->Alloc(&id).code(), Code::kInvalid);
  bool found = false;
  EXPECT_EQ(pf->NextRegular(0, &id, &found).code(), Code::kInvalid);
}

}  // namespace
}  // namespace file
}  // namespace pager

namespace pager {
namespace file {
namespace {

TEST(FileBasic, GrowToHugeCountsIsFullWithoutOverflow) {
  io::MemEnv env;
  auto pf = testing::MustCreate(&env, "/f", testing::SmallOptions());
  for (uint64_t n : {UINT64_MAX, UINT64_MAX - 1, uint64_t{1} << 63, uint64_t{1} << 40}) {
    EXPECT_EQ(pf->Grow(n).code(), Code::kFull) << n;
  }
  ASSERT_OK(pf->CheckInvariants());
}

TEST(FileThreads, ConcurrentCallsOnOneHandleAreSerialized) {
  io::MemEnv env;
  auto pf = testing::MustCreate(&env, "/f", testing::SmallOptions());
  uint64_t prot = 0;
  ASSERT_OK(pf->ProtectedAlloc(&prot));
  std::vector<std::thread> threads;
  std::vector<std::set<uint64_t>> kept(4);
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      std::vector<uint8_t> data(pf->page_size(), static_cast<uint8_t>(t));
      for (int i = 0; i < 300; i++) {
        uint64_t id = 0;
        if (!pf->Alloc(&id).ok()) return;
        uint8_t* p = nullptr;
        if (!pf->PagePointer(id, true, &p).ok()) return;
        p[0] = static_cast<uint8_t>(t);
        if (i % 3 == 0) {
          if (!pf->Free(id).ok()) return;
        } else {
          kept[t].insert(id);
        }
        if (i % 50 == 0) (void)pf->ProtectedWrite(prot, data.data());
        uint64_t n = 0;
        (void)pf->FreePageCount(&n);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (auto& k : kept) {
    for (uint64_t id : k) EXPECT_TRUE(all.insert(id).second) << "page " << id << " handed out twice";
  }
  EXPECT_EQ(testing::RegularPages(pf.get()), all);
  ASSERT_OK(pf->CheckInvariants());
}

}  // namespace
}  // namespace file
}  // namespace pager

namespace pager {
namespace file {
namespace {

TEST(FileBasic, SpacesPastMaxSizeAreTooLarge) {
  io::MemEnv env;
  FileOptions o = testing::SmallOptions();
  o.initial_page_count = 5000;
  o.max_size_bytes = 1 << 20;  // 1024 pages of 1 KiB
  std::unique_ptr<PageFile> pf;
  EXPECT_EQ(PageFile::Create(&env, "/big", o, &pf).code(), Code::kTooLarge);
  o.max_size_bytes = 8 << 20;
  ASSERT_OK(PageFile::Create(&env, "/f", o, &pf));
  pf.reset();
  o.max_size_bytes = 1 << 20;  // a file larger than the caller's reservation
  o.page_size = 0;
  EXPECT_EQ(PageFile::Open(&env, "/f", o, &pf).code(), Code::kTooLarge);
}

}  // namespace
}  // namespace file
}  // namespace pager
