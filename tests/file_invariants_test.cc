// PageFile::CheckInvariants (P4, P12): each of its returns is made to fire by breaking exactly
// one invariant of a healthy handle through a test-only friend (a libpager bug would be the
// only other way), and names what is broken. Every suite that mutates a page file ends with
// CheckInvariants; these tests prove it would notice.
#include "tests/file_test_util.h"

namespace pager {
namespace file {

// Reaches into the bookkeeping the way a bug would.
class PageFileTestPeer {
 public:
  explicit PageFileTestPeer(PageFile* f) : f_(f) {}
  uint64_t& used_count() { return f_->used_count_; }
  uint64_t& protected_count() { return f_->protected_count_; }
  uint64_t page_count() { return f_->page_count_; }
  std::vector<uint64_t>& bits() { return f_->bits_; }
  std::unordered_set<uint64_t>& internal() { return f_->internal_; }
  DirEntryDisk& Entry(uint64_t id) { return f_->Entry(id); }
  std::unordered_map<uint64_t, const void*>& reserved_ids() { return f_->reserved_ids_; }
  std::unordered_set<uint64_t>& freeing() { return f_->freeing_; }
  uint64_t& entry_hint() { return f_->entry_hint_; }
  void FlipBit(uint64_t p) { f_->FlipBit(p); }

 private:
  PageFile* f_;
};

namespace {

using namespace pager::file::testing;  // NOLINT

class FileInvariants : public ::testing::Test {
 protected:
  FileInvariants() : pf_(MustCreate(&env_, "/f", SmallOptions())), peer_(pf_.get()) {
    EXPECT_OK(pf_->AllocBulk(2, pages_));
    EXPECT_OK(pf_->ProtectedAllocBulk(2, ids_));
    EXPECT_OK(pf_->CheckInvariants());
  }
  void ExpectBroken(const std::string& says) {
    Status st = pf_->CheckInvariants();
    EXPECT_EQ(st.code(), Code::kInternal) << st.ToString();
    EXPECT_NE(st.message().find(says), std::string::npos) << st.ToString();
  }
  io::MemEnv env_;
  std::unique_ptr<PageFile> pf_;
  PageFileTestPeer peer_;
  uint64_t pages_[2] = {};
  uint64_t ids_[2] = {};
};

TEST_F(FileInvariants, AUsedCountThatDisagreesWithTheBitmapIsNamed) {
  uint64_t used = peer_.used_count()++;
  ExpectBroken("P4: used_count " + std::to_string(used + 1) + " but " + std::to_string(used) +
               " bits set");
}

TEST_F(FileInvariants, ABitPastThePageCountIsNamed) {
  ASSERT_NE(peer_.page_count() % 64, 0u) << "the fixture's page count must end inside a word";
  peer_.bits().back() |= uint64_t{1} << 63;
  peer_.used_count()++;
  ExpectBroken("P4: bits at or past page_count are set");
}

TEST_F(FileInvariants, ABitmapOfTheWrongLengthIsNamed) {
  peer_.bits().push_back(0);
  ExpectBroken("P4: bits at or past page_count are set");
}

TEST_F(FileInvariants, AFreeInternalPageIsNamed) {
  uint64_t backing = peer_.Entry(ids_[0]).page[0];
  peer_.FlipBit(backing);
  peer_.used_count()--;
  ExpectBroken("P4: internal page " + std::to_string(backing) + " is free");
}

TEST_F(FileInvariants, APageOwnedByTwoDirectoryEntriesIsNamed) {
  uint64_t shared = peer_.Entry(ids_[0]).page[0];
  peer_.Entry(ids_[1]).page[1] = shared;
  ExpectBroken("page " + std::to_string(shared) + " owned twice");
}

TEST_F(FileInvariants, AnInternalPageSetOutOfDateIsNamed) {
  peer_.internal().insert(pages_[0]);  // a regular page, allocated: P4 holds
  ExpectBroken("internal page set out of date");
}

TEST_F(FileInvariants, AProtectedCountOutOfDateIsNamed) {
  peer_.protected_count()++;
  ExpectBroken("protected_count out of date");
}

TEST_F(FileInvariants, AFreeIdBelowTheEntryHintIsNamed) {
  const uint64_t free_id = std::max(ids_[0], ids_[1]) + 1;  // in the directory, never allocated
  peer_.entry_hint() = free_id + 1;
  ExpectBroken("P17: protected id " + std::to_string(free_id) +
               " is free below the entry hint " + std::to_string(free_id + 1));
}

TEST_F(FileInvariants, AReservedIdThatIsInUseIsNamed) {
  const int owner = 0;
  peer_.reserved_ids()[ids_[1]] = &owner;
  ExpectBroken("P12: reserved protected id " + std::to_string(ids_[1]) + " is in use");
  peer_.reserved_ids().clear();
}

TEST_F(FileInvariants, AFreeThatNoTransactionHoldsIsNamed) {
  peer_.freeing().insert(ids_[0]);
  ExpectBroken("P12: protected page " + std::to_string(ids_[0]) + " is freed by no transaction");
  peer_.freeing().clear();
  EXPECT_OK(pf_->CheckInvariants());
}

// The commit's own guard (P9, P12): a transaction commits only pages it holds or reserved.
// The C API passes nothing else; a caller inside libpager that did would get INTERNAL, with
// nothing written.
TEST_F(FileInvariants, ACommitOfAPageTheTransactionDoesNotHoldIsInternalAndWritesNothing) {
  const int owner = 0, other = 0;
  std::vector<uint8_t> data(pf_->page_size(), 0x33);
  uint64_t gen = pf_->generation();
  Status st = pf_->TxnCommit(&owner, {PageFile::TxnPage{ids_[0], data.data()}});
  EXPECT_EQ(st.code(), Code::kInternal) << st.ToString();
  EXPECT_EQ(st.message(), "P9: protected page " + std::to_string(ids_[0]) +
                              " is not held for writing by the committing transaction");
  uint64_t reserved = 0;
  ASSERT_OK(pf_->TxnAllocId(&other, &reserved));
  st = pf_->TxnCommit(&owner, {PageFile::TxnPage{reserved, data.data()}});
  EXPECT_EQ(st.code(), Code::kInternal) << st.ToString();
  EXPECT_EQ(st.message(), "P12: protected page " + std::to_string(reserved) +
                              " is reserved by another transaction");
  pf_->TxnRelease(&other);
  EXPECT_EQ(pf_->generation(), gen);
  EXPECT_NE(ReadProtected(pf_.get(), ids_[0]), data);
  EXPECT_OK(pf_->CheckInvariants());
}

}  // namespace
}  // namespace file
}  // namespace pager
