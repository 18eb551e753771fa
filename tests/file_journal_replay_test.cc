// Replay of a format-2 page file's journal at a read-write open (P16, journal.h J5): what a
// checksum-valid chain may not make the open do. Found by fuzz/journal_fuzz.cc.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "impl/file/journal.h"
#include "impl/io/checksum.h"
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::MustCreate;
using testing::SmallOptions;

// A file whose journal holds the chain of one protected commit, its main file as it was
// before that commit (a crash that kept the journal only).
struct Crashed {
  io::MemEnv env;
  std::vector<uint8_t> main_before;
  std::vector<uint8_t> journal;
};

void MakeCrashed(Crashed* c, const FileOptions& o) {
  std::unique_ptr<PageFile> pf = MustCreate(&c->env, "/f", o);
  ASSERT_OK(c->env.GetFileBytes("/f", &c->main_before));
  uint64_t id = 0;
  ASSERT_OK(pf->ProtectedAlloc(&id));
  ASSERT_OK(c->env.GetFileBytes(Journal::PathFor("/f"), &c->journal));
  pf.reset();  // the clean close invalidates the journal: put the crash's bytes back
  ASSERT_OK(c->env.SetFileBytes("/f", c->main_before));
  ASSERT_OK(c->env.SetFileBytes(Journal::PathFor("/f"), c->journal));
}

// Sets the first batch's main_bytes and re-seals it (the doc's checksum rule).
void SetMainBytes(std::vector<uint8_t>* j, uint64_t main_bytes, uint32_t page_size) {
  std::memcpy(j->data() + offsetof(JournalBatchDisk, main_bytes), &main_bytes, 8);
  uint32_t n = 0;
  std::memcpy(&n, j->data() + offsetof(JournalBatchDisk, page_count), 4);
  size_t covered = static_cast<size_t>(JournalHeaderBytes(n) + uint64_t{n} * page_size);
  std::vector<uint8_t> block(j->begin(), j->begin() + covered);
  std::memset(block.data() + offsetof(JournalBatchDisk, checksum), 0, 8);
  uint64_t sum = Checksum64(block.data(), block.size(), kSeedJournal);
  std::memcpy(j->data() + offsetof(JournalBatchDisk, checksum), &sum, 8);
}

TEST(FileJournalReplay, ChainOfOneCommitReplaysIntoTheMainFile) {
  Crashed c;
  FileOptions o = SmallOptions();
  MakeCrashed(&c, o);
  std::unique_ptr<PageFile> pf = testing::MustOpen(&c.env, "/f", o);
  ASSERT_NE(pf, nullptr);
  EXPECT_EQ(pf->recovery_report().journal_batches, 1u);
  uint64_t count = 0;
  ASSERT_OK(pf->ProtectedCount(&count));
  EXPECT_EQ(count, 1u);
  ASSERT_OK(pf->CheckInvariants());
}

// The fuzzer's out-of-memory: a batch claiming a main file of 200 GiB made the open extend the
// main file to it before recovery looked at anything. A chain that needs a file longer than
// the handle's max_size_bytes is refused like such a file (kTooLarge), and nothing is applied:
// a handle with a larger max_size_bytes can still replay it.
TEST(FileJournalReplay, ChainNeedingAFileBeyondMaxSizeIsRefusedBeforeApplying) {
  Crashed c;
  FileOptions o = SmallOptions();
  o.max_size_bytes = 1 << 20;
  MakeCrashed(&c, o);
  std::vector<uint8_t> j = c.journal;
  SetMainBytes(&j, uint64_t{2} << 20, o.page_size);
  ASSERT_OK(c.env.SetFileBytes(Journal::PathFor("/f"), j));
  o.page_size = 0;
  std::unique_ptr<PageFile> pf;
  Status st = PageFile::Open(&c.env, "/f", o, &pf);
  EXPECT_EQ(st.code(), Code::kTooLarge) << st.ToString();
  std::vector<uint8_t> main_after, journal_after;
  ASSERT_OK(c.env.GetFileBytes("/f", &main_after));
  ASSERT_OK(c.env.GetFileBytes(Journal::PathFor("/f"), &journal_after));
  EXPECT_EQ(main_after.size(), c.main_before.size());
  EXPECT_TRUE(main_after == c.main_before) << "the main file changed";
  EXPECT_TRUE(journal_after == j) << "the journal changed";
  pf.reset();
  o.max_size_bytes = 4 << 20;  // a handle that can hold the chain's file replays it
  pf = testing::MustOpen(&c.env, "/f", o);
  ASSERT_NE(pf, nullptr);
  EXPECT_EQ(pf->recovery_report().journal_batches, 1u);
}

}  // namespace
}  // namespace file
}  // namespace pager
