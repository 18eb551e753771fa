// P5 in impl/file/page_file.h: every page handed out has its blocks reserved (File::Allocate)
// before the commit that hands it out -- and a page this handle reserved once keeps them for
// the handle's life, so handing it out again (freed and allocated, in one transaction or in
// many) reserves nothing. A new handle trusts no reservation of an earlier one for free pages:
// it reserves them again, and a full disk there is kNoSpace with nothing changed.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::RegularPages;
using testing::SmallOptions;

// Counts the fallocate calls on the main file (the journal reserves its own blocks apart).
class AllocateCountingEnv : public io::FaultEnv {
 public:
  uint64_t main_allocates = 0;
  Status BeforeOp(Op op, const std::string& path) override {
    if (op == Op::kAllocate && path == "/f") main_allocates++;
    return FaultEnv::BeforeOp(op, path);
  }
};

// More pages than the initial page space, so the file grows and the pages need reserving.
constexpr uint64_t kPages = 200;

TEST(FileReserve, PagesFreedAndAllocatedAgainInOneSessionAreNotReservedAgain) {
  AllocateCountingEnv env;
  auto pf = testing::MustCreate(&env, "/f", SmallOptions());
  std::vector<uint64_t> pages(kPages);
  const uint64_t before_first = env.main_allocates;
  ASSERT_OK(pf->AllocBulk(pages.size(), pages.data()));
  ASSERT_GT(env.main_allocates, before_first) << "the new pages were not reserved";
  ASSERT_OK(pf->FreeBulk(pages.data(), pages.size()));
  const uint64_t before_again = env.main_allocates;
  std::vector<uint64_t> again(kPages);
  ASSERT_OK(pf->AllocBulk(again.size(), again.data()));
  EXPECT_EQ(std::set<uint64_t>(again.begin(), again.end()),
            std::set<uint64_t>(pages.begin(), pages.end()))
      << "the allocator handed out other pages; the test needs the same ones";
  EXPECT_EQ(env.main_allocates, before_again) << "pages reserved in this session again";
  ASSERT_OK(pf->CheckInvariants());
}

TEST(FileReserve, ProtectedPagesChurnedInTransactionsReserveNothingAfterTheFirstRound) {
  AllocateCountingEnv env;
  auto pf = testing::MustCreate(&env, "/f", SmallOptions());
  std::vector<uint64_t> ids(64);
  ASSERT_OK(pf->ProtectedAllocBulk(ids.size(), ids.data()));
  std::vector<uint8_t> content(pf->page_size(), 0x5a);
  const uint64_t after_first = env.main_allocates;
  for (int round = 0; round < 8; round++) {  // each frees 8 pages and allocates 8 in their place
    int owner = 0;
    std::vector<PageFile::TxnPage> born;
    for (int k = 0; k < 8; k++) {
      uint64_t id = 0;
      ASSERT_OK(pf->TxnAllocId(&owner, &id));
      born.push_back({id, content.data()});
    }
    std::vector<uint64_t> doomed(ids.begin() + 8 * (round % 8), ids.begin() + 8 * (round % 8) + 8);
    for (uint64_t id : doomed) ASSERT_OK(pf->TxnFreeId(&owner, id));
    ASSERT_OK(pf->TxnCommit(&owner, born));
    for (int k = 0; k < 8; k++) ids[8 * (round % 8) + k] = born[k].id;
  }
  // The first round's new entries may take backing pages past every page reserved so far;
  // from then on the freed ones come back.
  EXPECT_LE(env.main_allocates - after_first, 2u);
  ASSERT_OK(pf->CheckInvariants());
}

TEST(FileReserve, AReopenedHandleReservesFreePagesAgainAndAFullDiskThereIsNoSpace) {
  AllocateCountingEnv env;
  std::vector<uint64_t> pages(kPages);
  {
    auto pf = testing::MustCreate(&env, "/f", SmallOptions());
    ASSERT_OK(pf->AllocBulk(pages.size(), pages.data()));
    ASSERT_OK(pf->FreeBulk(pages.data(), pages.size()));
  }
  auto pf = testing::MustOpen(&env, "/f", SmallOptions());
  const uint64_t gen = pf->generation();
  env.FailNth(io::MemEnv::Op::kAllocate, 1, io::FaultKind::kEnospc, false);
  std::vector<uint64_t> again(kPages);
  EXPECT_EQ(pf->AllocBulk(again.size(), again.data()).code(), Code::kNoSpace);
  EXPECT_EQ(pf->generation(), gen);
  EXPECT_TRUE(RegularPages(pf.get()).empty());
  ASSERT_OK(pf->CheckInvariants());
  const uint64_t before = env.main_allocates;
  ASSERT_OK(pf->AllocBulk(again.size(), again.data()));  // not poisoned; the disk has room
  EXPECT_GT(env.main_allocates, before) << "the earlier handle's reservations were trusted";
}

}  // namespace
}  // namespace file
}  // namespace pager
