// Refusals of the page file that no other suite reaches: a handle closed under a shared owner
// (a sub-page store or transaction keeps the PageFile alive after pager_file_close), bulk
// lists whose bad entry is not the first, empty lists, growth that the bitmap slots push past
// max_size_bytes, and a protected directory filled to its last entry (with ids reserved by
// open transactions). Each refusal names its cause and leaves the file as it was.
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using namespace pager::file::testing;  // NOLINT

bool Says(const Status& st, const std::string& text) {
  return st.message().find(text) != std::string::npos;
}

TEST(FileRefusalPaths, AClosedHandleRefusesEveryCallAsInvalidNamingTheFile) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t page = 0, id = 0;
  ASSERT_OK(pf->Alloc(&page));
  ASSERT_OK(pf->ProtectedAlloc(&id));
  pf->Close();
  std::vector<uint8_t> buf(pf->page_size());
  uint64_t n = 0;
  bool found = false;
  uint8_t* p = nullptr;
  const int kOwner = 0;
  std::vector<std::pair<std::string, Status>> calls = {
      {"CheckRegular", pf->CheckRegular(page)},
      {"CheckWritable", pf->CheckWritable()},
      {"CheckOpen", pf->CheckOpen()},
      {"PageCount", pf->PageCount(&n)},
      {"FreePageCount", pf->FreePageCount(&n)},
      {"ProtectedCount", pf->ProtectedCount(&n)},
      {"Alloc", pf->Alloc(&n)},
      {"Free", pf->Free(page)},
      {"Grow", pf->Grow(1000)},
      {"PagePointer", pf->PagePointer(page, false, &p)},
      {"SyncPages", pf->SyncPages(&page, 1)},
      {"ProtectedAlloc", pf->ProtectedAlloc(&n)},
      {"ProtectedFree", pf->ProtectedFree(id)},
      {"ProtectedRead", pf->ProtectedRead(id, buf.data(), buf.size())},
      {"ProtectedWrite", pf->ProtectedWrite(id, buf.data())},
      {"TxnAdd", pf->TxnAdd(&kOwner, id, buf.data())},
      {"TxnAllocId", pf->TxnAllocId(&kOwner, &n)},
      {"TxnFreeId", pf->TxnFreeId(&kOwner, id)},
      {"TxnCommit", pf->TxnCommit(&kOwner, {PageFile::TxnPage{id, buf.data()}})},
      {"NextRegular", pf->NextRegular(0, &n, &found)},
      {"NextProtected", pf->NextProtected(1, &n, &found)},
      {"CheckInvariants", pf->CheckInvariants()},
  };
  for (const auto& c : calls) {
    EXPECT_EQ(c.second.code(), Code::kInvalid) << c.first << ": " << c.second.ToString();
    EXPECT_TRUE(Says(c.second, "the page file /f is closed")) << c.first << ": "
                                                               << c.second.ToString();
  }
  EXPECT_EQ(p, nullptr);
  EXPECT_FALSE(found);
}

TEST(FileRefusalPaths, ABulkFreeNamesItsFirstBadEntryAndFreesNothing) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t pages[3];
  ASSERT_OK(pf->AllocBulk(3, pages));
  uint64_t gen = pf->generation();
  // Entry 2 was never allocated (freed already), entry 1 is the superblock.
  ASSERT_OK(pf->Free(pages[2]));
  gen = pf->generation();
  uint64_t not_allocated[] = {pages[0], pages[1], pages[2]};
  Status st = pf->FreeBulk(not_allocated, 3);
  EXPECT_EQ(st.code(), Code::kDoubleFree) << st.ToString();
  EXPECT_TRUE(Says(st, "free list entry 2: page " + std::to_string(pages[2]) +
                           " is not allocated"))
      << st.ToString();
  uint64_t reserved[] = {pages[0], 0};
  st = pf->FreeBulk(reserved, 2);
  EXPECT_EQ(st.code(), Code::kReserved) << st.ToString();
  EXPECT_TRUE(Says(st, "free list entry 1: ")) << st.ToString();
  EXPECT_EQ(pf->generation(), gen);
  EXPECT_EQ(RegularPages(pf.get()), (std::set<uint64_t>{pages[0], pages[1]}));
  ASSERT_OK(pf->CheckInvariants());
}

TEST(FileRefusalPaths, ABulkProtectedFreeNamesItsFirstBadEntryAndFreesNothing) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t ids[2];
  ASSERT_OK(pf->ProtectedAllocBulk(2, ids));
  uint64_t gen = pf->generation();
  uint64_t outside[] = {ids[0], ids[1], 1u << 30};
  Status st = pf->ProtectedFreeBulk(outside, 3);
  EXPECT_EQ(st.code(), Code::kRange) << st.ToString();
  EXPECT_TRUE(Says(st, "free list entry 2: protected page " + std::to_string(1u << 30) +
                           " is outside the directory"))
      << st.ToString();
  EXPECT_EQ(pf->generation(), gen);
  EXPECT_EQ(ProtectedIds(pf.get()), (std::set<uint64_t>{ids[0], ids[1]}));
  ASSERT_OK(pf->CheckInvariants());
}

TEST(FileRefusalPaths, ASyncListNamesItsFirstBadEntryAndSyncsNothing) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t page = 0;
  ASSERT_OK(pf->Alloc(&page));
  uint64_t list[] = {page, page + 1};
  uint64_t syncs = pf->sync_count();
  Status st = pf->SyncPages(list, 2);
  EXPECT_EQ(st.code(), Code::kNotFound) << st.ToString();
  EXPECT_TRUE(Says(st, "sync list entry 1: ")) << st.ToString();
  EXPECT_EQ(pf->sync_count(), syncs);
}

TEST(FileRefusalPaths, EmptyListsAndAGrowThatIsNoGrowthDoNothing) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t gen = pf->generation(), syncs = pf->sync_count(), count = 0;
  ASSERT_OK(pf->PageCount(&count));
  ASSERT_OK(pf->AllocBulk(0, nullptr));
  ASSERT_OK(pf->FreeBulk(nullptr, 0));
  ASSERT_OK(pf->ProtectedAllocBulk(0, nullptr));
  ASSERT_OK(pf->ProtectedFreeBulk(nullptr, 0));
  ASSERT_OK(pf->SyncPages(nullptr, 0));
  ASSERT_OK(pf->Grow(count));
  ASSERT_OK(pf->Grow(1));
  uint64_t after = 0;
  ASSERT_OK(pf->PageCount(&after));
  EXPECT_EQ(after, count);
  EXPECT_EQ(pf->generation(), gen);
  EXPECT_EQ(pf->sync_count(), syncs);
}

TEST(FileRefusalPaths, AnAllocThatFitsButWhoseBitmapSlotsDoNotIsFullAndChangesNothing) {
  // The quick check counts pages in use against max_size_bytes; growing the page space past
  // one bitmap group (7,808 pages of 1 KiB) also spends the new group's two slot pages, so
  // the largest counts that pass it must still be refused by the exact check, with nothing
  // taken.
  io::MemEnv env;
  FileOptions o = SmallOptions();
  o.max_size_bytes = 8000 * 1024;
  auto pf = MustCreate(&env, "/f", o);
  uint64_t gen = pf->generation(), count = 0;
  ASSERT_OK(pf->PageCount(&count));
  uint64_t free_now = 0;
  ASSERT_OK(pf->FreePageCount(&free_now));
  int exact_refusals = 0;
  std::vector<uint64_t> ids(pf->max_page_count());
  for (uint64_t want = pf->max_page_count(); want > free_now; want--) {
    Status st = pf->AllocBulk(want, ids.data());
    if (st.ok()) break;
    EXPECT_EQ(st.code(), Code::kFull) << want << ": " << st.ToString();
    if (Says(st, "pages would grow the page space to ")) {
      exact_refusals++;
      EXPECT_TRUE(Says(st, "past max_size_bytes 8192000")) << st.ToString();
    }
    EXPECT_EQ(pf->generation(), gen);
    uint64_t now = 0;
    ASSERT_OK(pf->PageCount(&now));
    EXPECT_EQ(now, count) << "a refused alloc grew the file";
  }
  EXPECT_GT(exact_refusals, 0);
  ASSERT_OK(pf->CheckInvariants());
}

TEST(FileRefusalPaths, ProtectedPagesThatCannotFitInMaxSizeAreFullBeforeAnyWork) {
  // Two backing pages each: 40 protected pages cannot fit in 64 pages, whether allocated at
  // once or reserved one by one by an open transaction.
  io::MemEnv env;
  FileOptions o = SmallOptions();
  o.max_size_bytes = 64 * 1024;
  auto pf = MustCreate(&env, "/f", o);
  uint64_t gen = pf->generation();
  std::vector<uint64_t> ids(40, 0);
  Status st = pf->ProtectedAllocBulk(ids.size(), ids.data());
  EXPECT_EQ(st.code(), Code::kFull) << st.ToString();
  EXPECT_TRUE(Says(st, "80 more pages do not fit: ")) << st.ToString();
  EXPECT_TRUE(Says(st, "(max_size_bytes 65536) are in use")) << st.ToString();
  EXPECT_EQ(ids[0], 0u);
  EXPECT_EQ(pf->generation(), gen);
  const int kOwner = 0;
  uint64_t reserved = 0, id = 0;
  for (;;) {
    st = pf->TxnAllocId(&kOwner, &id);
    if (!st.ok()) break;
    reserved++;
    ASSERT_LT(reserved, 64u);
  }
  EXPECT_EQ(st.code(), Code::kFull) << st.ToString();
  EXPECT_TRUE(Says(st, std::to_string(2 * (reserved + 1)) + " more pages do not fit"))
      << st.ToString();
  EXPECT_GT(reserved, 10u);
  pf->TxnRelease(&kOwner);
  EXPECT_EQ(pf->generation(), gen);
  ASSERT_OK(pf->CheckInvariants());
}

class FullDirectory : public ::testing::Test {
 protected:
  FullDirectory() {
    FileOptions o = SmallOptions(1024);
    o.max_size_bytes = uint64_t{64} << 20;
    pf_ = MustCreate(&env_, "/f", o);
    limit_ = uint64_t{MaxDirPages(1024)} * EntriesPerDirPage(1024);
  }
  io::MemEnv env_;
  std::unique_ptr<PageFile> pf_;
  uint64_t limit_ = 0;
};

TEST_F(FullDirectory, ATransactionAllocIdInAFullDirectoryIsFullNamingTheLimit) {
  std::vector<uint64_t> ids(limit_);
  ASSERT_OK(pf_->ProtectedAllocBulk(limit_, ids.data()));
  const int kOwner = 0;
  uint64_t id = 12345;
  Status st = pf_->TxnAllocId(&kOwner, &id);
  EXPECT_EQ(st.code(), Code::kFull) << st.ToString();
  EXPECT_TRUE(Says(st, "the protected directory is full: it holds at most " +
                           std::to_string(limit_) + " protected pages at this page size, " +
                           std::to_string(limit_) + " are in use and 0 are allocated"))
      << st.ToString();
  EXPECT_EQ(id, 12345u);
  ASSERT_OK(pf_->CheckInvariants());
}

TEST_F(FullDirectory, AnAllocThatCollidesWithIdsReservedByOpenTransactionsIsFullAndTakesNothing) {
  // The quick capacity check counts protected pages in use; ids reserved by an open
  // transaction also take entries, so the directory runs out of pages while allocating.
  const int kOwner = 0;
  uint64_t reserved = 0;
  ASSERT_OK(pf_->TxnAllocId(&kOwner, &reserved));
  uint64_t gen = pf_->generation();
  std::vector<uint64_t> ids(limit_, 0);
  Status st = pf_->ProtectedAllocBulk(limit_, ids.data());
  EXPECT_EQ(st.code(), Code::kFull) << st.ToString();
  EXPECT_TRUE(Says(st, "the protected directory is full (" + std::to_string(limit_) +
                           " protected pages at this page size)"))
      << st.ToString();
  EXPECT_EQ(ids[0], 0u) << "a refused bulk alloc wrote ids";
  EXPECT_EQ(pf_->generation(), gen);
  uint64_t n = 1;
  ASSERT_OK(pf_->ProtectedCount(&n));
  EXPECT_EQ(n, 0u);
  ASSERT_OK(pf_->CheckInvariants());
  pf_->TxnRelease(&kOwner);
  ASSERT_OK(pf_->CheckInvariants());
}

TEST_F(FullDirectory, FreeingAPageTwiceInOneTransactionIsADoubleFree) {
  uint64_t id = 0;
  ASSERT_OK(pf_->ProtectedAlloc(&id));
  const int kOwner = 0;
  ASSERT_OK(pf_->TxnFreeId(&kOwner, id));
  Status st = pf_->TxnFreeId(&kOwner, id);
  EXPECT_EQ(st.code(), Code::kDoubleFree) << st.ToString();
  EXPECT_TRUE(Says(st, "protected page " + std::to_string(id) +
                           " is already freed by this transaction"))
      << st.ToString();
  pf_->TxnRelease(&kOwner);
  EXPECT_EQ(ProtectedIds(pf_.get()), (std::set<uint64_t>{id}));
  ASSERT_OK(pf_->CheckInvariants());
}

}  // namespace
}  // namespace file
}  // namespace pager
