// The page journal's laps (journal.h J4): a chain never continues into batches left by an
// earlier chain.
#include <gtest/gtest.h>

#include <vector>

#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::MustCreate;
using testing::MustOpen;
using testing::SmallOptions;

std::vector<uint8_t> Filled(uint32_t page_size, uint8_t byte) {
  return std::vector<uint8_t>(page_size, byte);
}

uint8_t FirstByte(PageFile* pf, uint64_t id) {
  std::vector<uint8_t> buf(pf->page_size());
  EXPECT_OK(pf->ProtectedRead(id, buf.data(), buf.size()));
  return buf[0];
}

// Two sessions whose chains start with equal batches: a clean close invalidates only the
// head of the first chain, so its later batches stay in the journal at the offsets where the
// second chain's next batches go. If both sessions used the same lap (the lap of an empty
// replay was once derived from the empty chain's lap 0, so every such open had lap 1), a
// crash after the second session's first batch would replay the first session's stale
// batches after it and roll the page back.
TEST(FileJournalLap, ACrashAfterACleanCloseNeverReplaysTheEarlierSessionsLeftoverBatches) {
  io::FaultEnv env;
  FileOptions o = SmallOptions();
  uint64_t id = 0;
  {
    auto pf = MustCreate(&env, "/f", o);
    ASSERT_OK(pf->ProtectedAlloc(&id));
  }
  {
    auto pf = MustOpen(&env, "/f", o);  // an empty chain: nothing replayed
    for (uint8_t b : {0x11, 0x12, 0x13}) ASSERT_OK(pf->ProtectedWrite(id, Filled(o.page_size, b).data()));
  }  // clean close: checkpoint, head of the chain zeroed; batches 2 and 3 stay
  auto pf = MustOpen(&env, "/f", o);  // an empty chain again
  ASSERT_OK(pf->ProtectedWrite(id, Filled(o.page_size, 0x21).data()));  // same size as 0x11
  auto crashed = io::FaultEnv::FromImage(env.CrashImage(1));  // every write was synced
  pf.reset();
  auto reopened = MustOpen(crashed.get(), "/f", o);
  EXPECT_EQ(reopened->recovery_report().journal_batches, 1u);
  EXPECT_EQ(FirstByte(reopened.get(), id), 0x21);
}

}  // namespace
}  // namespace file
}  // namespace pager
