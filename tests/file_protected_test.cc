// Mapped page file: protected pages, sub-pages, iterators, faults (NOSPC, poison).
#include <algorithm>
#include <cstring>

#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::MustCreate;
using testing::MustOpen;
using testing::ProtectedIds;
using testing::ReadProtected;
using testing::RegularPages;
using testing::SmallOptions;

TEST(FileProtected, AllocReadsZerosWriteCommitsAndSurvivesReopen) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t id = 0;
  ASSERT_OK(pf->ProtectedAlloc(&id));
  EXPECT_EQ(id, 1u);
  EXPECT_EQ(ReadProtected(pf.get(), id), std::vector<uint8_t>(pf->page_size(), 0));
  auto a = pager::testing::PatternBytes(1, pf->page_size());
  auto b = pager::testing::PatternBytes(2, pf->page_size());
  ASSERT_OK(pf->ProtectedWrite(id, a.data()));
  EXPECT_EQ(ReadProtected(pf.get(), id), a);
  ASSERT_OK(pf->ProtectedWrite(id, b.data()));
  EXPECT_EQ(ReadProtected(pf.get(), id), b);
  pf.reset();
  pf = MustOpen(&env, "/f", SmallOptions());
  EXPECT_EQ(ReadProtected(pf.get(), id), b);
  EXPECT_EQ(ProtectedIds(pf.get()), std::set<uint64_t>{id});
  EXPECT_TRUE(RegularPages(pf.get()).empty()) << "backing pages leaked into the page iterator";
}

TEST(FileProtected, ErrorsHaveDistinctCodes) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t a = 0, b = 0;
  ASSERT_OK(pf->ProtectedAlloc(&a));
  ASSERT_OK(pf->ProtectedAlloc(&b));
  std::vector<uint8_t> buf(pf->page_size());
  EXPECT_EQ(pf->ProtectedRead(0, buf.data(), buf.size()).code(), Code::kRange);
  EXPECT_EQ(pf->ProtectedRead(100000, buf.data(), buf.size()).code(), Code::kRange);
  EXPECT_EQ(pf->ProtectedRead(3, buf.data(), buf.size()).code(), Code::kNotFound);
  EXPECT_EQ(pf->ProtectedRead(a, buf.data(), 10).code(), Code::kInvalid);
  EXPECT_EQ(pf->ProtectedFree(3).code(), Code::kDoubleFree);
  uint64_t dup[] = {a, b, a};
  Status st = pf->ProtectedFreeBulk(dup, 3);
  EXPECT_EQ(st.code(), Code::kDuplicate);
  EXPECT_NE(st.message().find("entry 2"), std::string::npos) << st.message();
  uint64_t bad[] = {a, 0};
  EXPECT_EQ(pf->ProtectedFreeBulk(bad, 2).code(), Code::kRange);
  EXPECT_EQ(ProtectedIds(pf.get()), (std::set<uint64_t>{a, b}));
  int owner = 0, other = 0;
  ASSERT_OK(pf->TxnAdd(&owner, a, buf.data()));
  ASSERT_OK(pf->TxnAdd(&owner, a, buf.data()));  // the same transaction again
  EXPECT_EQ(pf->TxnAdd(&other, a, buf.data()).code(), Code::kBusy);
  EXPECT_EQ(pf->ProtectedFree(a).code(), Code::kBusy);
  EXPECT_EQ(pf->ProtectedWrite(a, buf.data()).code(), Code::kBusy);
  pf->TxnRelease(&owner);
  uint64_t both[] = {a, b};
  ASSERT_OK(pf->ProtectedFreeBulk(both, 2));
  EXPECT_EQ(pf->ProtectedFree(a).code(), Code::kDoubleFree);
  ASSERT_OK(pf->CheckInvariants());
}

TEST(FileProtected, DirectoryGrowsPastOnePageAndIsVerifiedOnOpen) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint32_t per = EntriesPerDirPage(pf->page_size());  // 24 at 1 KiB
  std::vector<uint64_t> ids(per * 2 + 3);
  ASSERT_OK(pf->ProtectedAllocBulk(ids.size(), ids.data()));
  for (size_t i = 0; i < ids.size(); i += 7) {
    auto c = pager::testing::PatternBytes(ids[i], pf->page_size());
    ASSERT_OK(pf->ProtectedWrite(ids[i], c.data()));
  }
  ASSERT_OK(pf->CheckInvariants());
  pf.reset();
  pf = MustOpen(&env, "/f", SmallOptions());
  ASSERT_OK(pf->CheckInvariants());
  EXPECT_EQ(ProtectedIds(pf.get()).size(), ids.size());
  for (size_t i = 0; i < ids.size(); i += 7) {
    EXPECT_EQ(ReadProtected(pf.get(), ids[i]), pager::testing::PatternBytes(ids[i], pf->page_size()));
  }
}

TEST(FileProtected, DirectoryFullIsFull) {
  io::MemEnv env;
  FileOptions o = SmallOptions();
  auto pf = MustCreate(&env, "/f", o);
  uint64_t capacity = uint64_t{MaxDirPages(1024)} * EntriesPerDirPage(1024);
  std::vector<uint64_t> ids(capacity);
  ASSERT_OK(pf->ProtectedAllocBulk(ids.size(), ids.data()));
  uint64_t one = 0;
  EXPECT_EQ(pf->ProtectedAlloc(&one).code(), Code::kFull);
  ASSERT_OK(pf->ProtectedFree(ids[5]));
  ASSERT_OK(pf->ProtectedAlloc(&one));
  EXPECT_EQ(one, ids[5]);
}

// P17: the search for a free id starts at the entry hint, and every way an id becomes free
// again -- a free, an aborted or failed allocation, a dropped reservation -- brings the
// lowest one back first, however far below the last id handed out.
TEST(FileProtected, FreedIdsComeBackLowestFirstWhereverTheyAreBelowTheLastAllocation) {
  io::FaultEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  std::vector<uint64_t> ids(60);  // past the first directory page (24 entries at 1 KiB)
  ASSERT_OK(pf->ProtectedAllocBulk(ids.size(), ids.data()));
  uint64_t frees[] = {ids[40], ids[3], ids[25]};
  ASSERT_OK(pf->ProtectedFreeBulk(frees, 3));
  std::vector<uint64_t> got(4);
  for (uint64_t& id : got) ASSERT_OK(pf->ProtectedAlloc(&id));
  EXPECT_EQ(got, (std::vector<uint64_t>{ids[3], ids[25], ids[40], ids[59] + 1}));
  ASSERT_OK(pf->CheckInvariants());
  // A failed allocation (no space for its backing pages) undoes its entry: the id stays free.
  ASSERT_OK(pf->ProtectedFree(ids[10]));
  env.FailNth(io::MemEnv::Op::kAllocate, 1, io::FaultKind::kEnospc, true);
  std::vector<uint64_t> many(200);
  EXPECT_EQ(pf->ProtectedAllocBulk(many.size(), many.data()).code(), Code::kNoSpace);
  env.ClearFaults();
  ASSERT_OK(pf->CheckInvariants());
  uint64_t id = 0;
  ASSERT_OK(pf->ProtectedAlloc(&id));
  EXPECT_EQ(id, ids[10]);
  // A transaction's reservations, dropped by its abort or by freeing them, come back too.
  int owner = 0;
  uint64_t r1 = 0, r2 = 0;
  ASSERT_OK(pf->ProtectedFree(ids[7]));
  ASSERT_OK(pf->TxnAllocId(&owner, &r1));
  ASSERT_OK(pf->TxnAllocId(&owner, &r2));
  EXPECT_EQ(r1, ids[7]);
  ASSERT_OK(pf->TxnFreeId(&owner, r1));
  uint64_t again = 0;
  ASSERT_OK(pf->TxnAllocId(&owner, &again));
  EXPECT_EQ(again, ids[7]);
  pf->TxnRelease(&owner);
  ASSERT_OK(pf->CheckInvariants());
  ASSERT_OK(pf->ProtectedAlloc(&id));
  EXPECT_EQ(id, ids[7]);
  ASSERT_OK(pf->ProtectedAlloc(&id));
  EXPECT_EQ(id, r2);
}

TEST(FileProtected, FreeReleasesBackingPagesInTheSameCommit) {
  io::FaultEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t free_before = 0, free_after = 0, id = 0;
  ASSERT_OK(pf->ProtectedAlloc(&id));  // creates the directory page too
  ASSERT_OK(pf->FreePageCount(&free_before));
  uint64_t syncs = env.SyncCount();
  uint64_t id2 = 0;
  ASSERT_OK(pf->ProtectedAlloc(&id2));
  ASSERT_OK(pf->ProtectedFree(id2));
  EXPECT_EQ(env.SyncCount() - syncs, 2u);
  ASSERT_OK(pf->FreePageCount(&free_after));
  EXPECT_EQ(free_before, free_after);
}

TEST(FileIter, IteratorsSkipInternalPagesAndSeeLaterAllocations) {
  io::MemEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  std::vector<uint64_t> ids(10);
  ASSERT_OK(pf->AllocBulk(10, ids.data()));
  uint64_t prot[3];
  ASSERT_OK(pf->ProtectedAllocBulk(3, prot));
  ASSERT_OK(pf->Free(ids[4]));
  std::set<uint64_t> want(ids.begin(), ids.end());
  want.erase(ids[4]);
  EXPECT_EQ(RegularPages(pf.get()), want);
  EXPECT_EQ(ProtectedIds(pf.get()), (std::set<uint64_t>{prot[0], prot[1], prot[2]}));
  // A cursor in the middle sees a page allocated past it.
  uint64_t p = 0;
  bool found = false;
  ASSERT_OK(pf->NextRegular(ids[8], &p, &found));
  ASSERT_TRUE(found);
  uint64_t more[30];
  ASSERT_OK(pf->AllocBulk(30, more));
  uint64_t next = p + 1, last = 0;
  size_t n = 0;
  while (pf->NextRegular(next, &last, &found).ok() && found) {
    n++;
    next = last + 1;
  }
  EXPECT_EQ(last, more[29]);
  EXPECT_GE(n, 30u);
}

TEST(FileSubPages, AllocFreeAndParentsReturnToTheFile) {
  io::MemEnv env;
  std::shared_ptr<PageFile> pf = MustCreate(&env, "/f", SmallOptions());
  std::unique_ptr<SubPages> sp;
  ASSERT_OK(SubPages::Create(pf, 128, &sp));  // 8 slots per 1 KiB page
  std::vector<uint64_t> ids(20);
  ASSERT_OK(sp->AllocBulk(20, ids.data()));
  EXPECT_EQ(sp->Count(), 20u);
  std::set<uint64_t> parents;
  for (uint64_t id : ids) parents.insert(id / 64);
  EXPECT_EQ(parents.size(), 3u);  // 8 + 8 + 4
  EXPECT_EQ(RegularPages(pf.get()), parents);
  for (uint64_t id : ids) {
    uint8_t* p = nullptr;
    ASSERT_OK(sp->Pointer(id, true, &p));
    std::memset(p, static_cast<int>(id & 0xff), 128);
  }
  for (uint64_t id : ids) {
    uint8_t* p = nullptr;
    ASSERT_OK(sp->Pointer(id, true, &p));
    EXPECT_EQ(p[127], static_cast<uint8_t>(id & 0xff));
  }
  ASSERT_OK(sp->FreeBulk(ids.data(), 8));  // empties the first parent
  EXPECT_EQ(RegularPages(pf.get()).size(), 2u);
  EXPECT_EQ(sp->Count(), 12u);
}

TEST(FileSubPages, ValidationIsAllOrNothingWithDistinctCodes) {
  io::MemEnv env;
  std::shared_ptr<PageFile> pf = MustCreate(&env, "/f", SmallOptions());
  std::unique_ptr<SubPages> sp;
  EXPECT_EQ(SubPages::Create(pf, 100, &sp).code(), Code::kInvalid);
  EXPECT_EQ(SubPages::Create(pf, 8, &sp).code(), Code::kInvalid);  // 128 slots
  ASSERT_OK(SubPages::Create(pf, 256, &sp));                       // 4 slots
  uint64_t ids[3];
  ASSERT_OK(sp->AllocBulk(3, ids));
  uint64_t parent = ids[0] / 64;
  struct Case {
    std::vector<uint64_t> list;
    Code code;
  };
  std::vector<Case> cases = {
      {{ids[0], 1 * 64}, Code::kReserved},
      {{ids[0], parent * 64 + 4}, Code::kRange},
      {{ids[0], (uint64_t{1} << 40) * 64}, Code::kRange},
      {{ids[0], parent * 64 + 3}, Code::kDoubleFree},
      {{ids[0], ids[1], ids[0]}, Code::kDuplicate},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(sp->FreeBulk(c.list.data(), c.list.size()).code(), c.code);
    EXPECT_EQ(sp->Count(), 3u);
  }
  ASSERT_OK(sp->FreeBulk(ids, 3));
  EXPECT_TRUE(RegularPages(pf.get()).empty());
}

TEST(FileSubPages, MarkUsedRebuildsAfterRestart) {
  io::MemEnv env;
  std::vector<uint64_t> ids(6);
  {
    std::shared_ptr<PageFile> pf = MustCreate(&env, "/f", SmallOptions());
    std::unique_ptr<SubPages> sp;
    ASSERT_OK(SubPages::Create(pf, 512, &sp));
    ASSERT_OK(sp->AllocBulk(6, ids.data()));
  }
  std::shared_ptr<PageFile> pf = MustOpen(&env, "/f", SmallOptions());
  std::unique_ptr<SubPages> sp;
  ASSERT_OK(SubPages::Create(pf, 512, &sp));
  uint64_t unallocated_parent = 0;
  ASSERT_OK(pf->Alloc(&unallocated_parent));
  ASSERT_OK(pf->Free(unallocated_parent));
  uint64_t bad[] = {ids[0], unallocated_parent * 64};
  EXPECT_EQ(sp->MarkUsed(bad, 2).code(), Code::kNotFound);
  uint64_t dup[] = {ids[0], ids[0]};
  EXPECT_EQ(sp->MarkUsed(dup, 2).code(), Code::kDuplicate);
  EXPECT_EQ(sp->Count(), 0u);
  ASSERT_OK(sp->MarkUsed(ids.data(), ids.size()));
  EXPECT_EQ(sp->MarkUsed(ids.data(), 1).code(), Code::kExists);
  uint64_t fresh = 0;
  ASSERT_OK(sp->Alloc(&fresh));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), fresh), 0);
  ASSERT_OK(sp->FreeBulk(ids.data(), ids.size()));
}

TEST(FileFaults, FullDiskIsNospcAndChangesNothing) {
  io::FaultEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t gen = pf->generation();
  env.FailNth(io::MemEnv::Op::kAllocate, 1, io::FaultKind::kEnospc, false);
  uint64_t id = 0;
  EXPECT_EQ(pf->Alloc(&id).code(), Code::kNoSpace);
  EXPECT_EQ(pf->generation(), gen);
  ASSERT_OK(pf->CheckInvariants());
  ASSERT_OK(pf->Alloc(&id));  // not poisoned
  env.FailNth(io::MemEnv::Op::kAllocate, 1, io::FaultKind::kEnospc, true);
  std::vector<uint64_t> many(5000);
  EXPECT_EQ(pf->AllocBulk(many.size(), many.data()).code(), Code::kNoSpace);
  uint64_t prot = 0;
  EXPECT_EQ(pf->ProtectedAlloc(&prot).code(), Code::kNoSpace);
  env.ClearFaults();
  ASSERT_OK(pf->CheckInvariants());
  EXPECT_EQ(RegularPages(pf.get()), std::set<uint64_t>{id});
  pf.reset();
  pf = MustOpen(&env, "/f", SmallOptions());
  EXPECT_EQ(RegularPages(pf.get()), std::set<uint64_t>{id});
}

TEST(FileFaults, FailedSyncPoisonsUntilReopen) {
  io::FaultEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t kept = 0;
  ASSERT_OK(pf->Alloc(&kept));
  env.FailSyncLosingData(1);
  uint64_t id = 0;
  EXPECT_EQ(pf->Alloc(&id).code(), Code::kIo);
  EXPECT_EQ(pf->Alloc(&id).code(), Code::kPoisoned);
  EXPECT_EQ(pf->Free(kept).code(), Code::kPoisoned);
  uint64_t prot = 0;
  EXPECT_EQ(pf->ProtectedAlloc(&prot).code(), Code::kPoisoned);
  uint8_t* p = nullptr;
  ASSERT_OK(pf->PagePointer(kept, false, &p));  // reads still work
  pf.reset();
  env.ClearFaults();
  pf = MustOpen(&env, "/f", SmallOptions());
  std::set<uint64_t> pages = RegularPages(pf.get());
  EXPECT_TRUE(pages.count(kept));
  ASSERT_OK(pf->Alloc(&id));
}

TEST(FileFaults, FailedMsyncPoisons) {
  io::FaultEnv env;
  auto pf = MustCreate(&env, "/f", SmallOptions());
  uint64_t id = 0;
  ASSERT_OK(pf->Alloc(&id));
  env.FailNth(io::MemEnv::Op::kSync, 1, io::FaultKind::kEio, false);
  EXPECT_EQ(pf->SyncPages(&id, 1).code(), Code::kIo);
  EXPECT_EQ(pf->SyncPages(&id, 1).code(), Code::kPoisoned);
  EXPECT_EQ(pf->Alloc(&id).code(), Code::kPoisoned);
}

// Format 1 writes a commit's pages one by one in place (any of them may fail); format 2
// writes them as one journal batch (P14), so only its first write can.
TEST(FileFaults, FailedWriteDuringCommitPoisonsAndReopenRecovers) {
  for (uint64_t nth = 0; nth <= 3; nth++) {
    io::FaultEnv env;
    FileOptions o = SmallOptions();
    o.format_version = nth == 0 ? kFormatVersion : kFormatVersionUnjournaled;
    SCOPED_TRACE("format " + std::to_string(o.format_version));
    auto pf = MustCreate(&env, "/f", o);
    uint64_t a = 0;
    ASSERT_OK(pf->Alloc(&a));
    env.FailNth(io::MemEnv::Op::kWrite, nth == 0 ? 1 : nth, io::FaultKind::kEio, false);
    uint64_t prot = 0;
    Status st = pf->ProtectedAlloc(&prot);  // writes: dir copy, bitmap copy, content, meta
    EXPECT_EQ(st.code(), Code::kIo) << nth;
    uint64_t b = 0;
    EXPECT_EQ(pf->Alloc(&b).code(), Code::kPoisoned);
    pf.reset();
    env.ClearFaults();
    pf = MustOpen(&env, "/f", SmallOptions());
    EXPECT_EQ(RegularPages(pf.get()), std::set<uint64_t>{a});
    if (o.format_version == kFormatVersionUnjournaled) {
      EXPECT_TRUE(ProtectedIds(pf.get()).empty());  // the meta is written last
    } else {
      // Format 2 copies the batch into the main file's mapping while the journal's write is
      // in flight (P14, io E8), so the failed commit reads old or new, whole (C11).
      EXPECT_LE(ProtectedIds(pf.get()).size(), 1u);
    }
    ASSERT_OK(pf->CheckInvariants());
  }
}

}  // namespace
}  // namespace file
}  // namespace pager
