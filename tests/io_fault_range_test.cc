// The fault seam's model of a failed range sync (mem_env.h M2, M5): like Linux after an
// fsync/sync_file_range EIO, the unsynced bytes inside the range are marked clean and never
// reach the disk (a power loss shows the old on-disk bytes there, even after a later
// successful sync), while the unsynced bytes outside the range stay pending, and a later
// write over part of a lost range makes just that part writable again. The crash tests of
// every component rely on this model being exact.
#include <gtest/gtest.h>

#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace io {
namespace {

std::vector<uint8_t> Fill(size_t n, uint8_t v) { return std::vector<uint8_t>(n, v); }

TEST(IoFaultRange, ALossyRangeSyncLosesOnlyItsRangeAndALaterWriteRevivesOnlyWhatItCovers) {
  FaultEnv env;
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = o.create = true;
  ASSERT_OK(env.Open("/f", o, &f));
  std::vector<uint8_t> a = Fill(3000, 'A'), b = Fill(3000, 'B'), c = Fill(100, 'C');
  ASSERT_OK(f->WriteAt(0, a.data(), a.size()));
  ASSERT_OK(f->Sync());
  ASSERT_OK(env.SyncDir("/"));
  ASSERT_OK(f->WriteAt(0, b.data(), b.size()));  // pending [0, 3000)
  env.FailSyncLosingData(1);
  Status st = f->SyncRange(1000, 1000);
  EXPECT_EQ(st.code(), Code::kIo) << st.ToString();
  // A power loss now: [1000, 2000) is old; the rest is old or new per 512-byte sector.
  for (uint64_t seed = 0; seed < 16; seed++) {
    std::vector<uint8_t> img = env.CrashImage(seed)["/f"];
    ASSERT_EQ(img.size(), 3000u);
    for (size_t i = 1000; i < 2000; i++) ASSERT_EQ(img[i], 'A') << "seed " << seed << " byte " << i;
    for (size_t i : {size_t{0}, size_t{999}, size_t{2000}, size_t{2999}}) {
      ASSERT_TRUE(img[i] == 'A' || img[i] == 'B') << i;
    }
  }
  // The live file shows what was written.
  std::vector<uint8_t> live;
  ASSERT_OK(env.GetFileBytes("/f", &live));
  EXPECT_EQ(live, b);
  // Rewriting [1500, 1600) makes those bytes writable again; a successful sync makes every
  // pending byte durable, the lost ones stay old.
  ASSERT_OK(f->WriteAt(1500, c.data(), c.size()));
  ASSERT_OK(f->Sync());
  std::vector<uint8_t> want = b;
  for (size_t i = 1000; i < 2000; i++) want[i] = 'A';
  for (size_t i = 1500; i < 1600; i++) want[i] = 'C';
  for (uint64_t seed = 0; seed < 4; seed++) {
    EXPECT_EQ(env.CrashImage(seed)["/f"], want) << "seed " << seed;
  }
}

TEST(IoFaultRange, ASuccessfulRangeSyncMakesOnlyItsRangeDurable) {
  FaultEnv env;
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = o.create = true;
  ASSERT_OK(env.Open("/f", o, &f));
  std::vector<uint8_t> a = Fill(4096, 'A'), b = Fill(4096, 'B');
  ASSERT_OK(f->WriteAt(0, a.data(), a.size()));
  ASSERT_OK(f->Sync());
  ASSERT_OK(env.SyncDir("/"));
  ASSERT_OK(f->WriteAt(0, b.data(), b.size()));
  ASSERT_OK(f->SyncRange(1024, 1024));
  bool saw_old_outside = false;
  for (uint64_t seed = 0; seed < 32; seed++) {
    std::vector<uint8_t> img = env.CrashImage(seed)["/f"];
    ASSERT_EQ(img.size(), 4096u);
    for (size_t i = 1024; i < 2048; i++) ASSERT_EQ(img[i], 'B') << "seed " << seed << " byte " << i;
    saw_old_outside |= img[0] == 'A' || img[3000] == 'A';
  }
  EXPECT_TRUE(saw_old_outside) << "bytes outside the synced range must still be pending";
}

}  // namespace
}  // namespace io
}  // namespace pager
