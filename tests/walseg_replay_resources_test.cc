// What a replay holds while it runs: one segment at a time (reader.h R2), so a log of
// thousands of segments replays under an ordinary descriptor limit, and each record view stays
// valid until the next replay_next (pager.h).
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/walseg/format.h"
#include "impl/walseg/reader.h"
#include "pager.h"
#include "tests/support/test_util.h"

namespace {

using pager::testing::TempDir;
namespace ws = pager::walseg;

// Writes `segments` segment files of one record each (LSN i in segment i), without the
// writer's syncs: the replay is what is under test.
void WriteOneRecordSegments(const std::string& dir, uint64_t segments) {
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  for (uint64_t lsn = 1; lsn <= segments; lsn++) {
    std::vector<uint8_t> payload = pager::testing::PatternBytes(lsn, 24);
    std::vector<uint8_t> bytes(ws::RecordBytes(payload.size()));
    ws::EncodeRecord(1, lsn, lsn - 1, payload.data(), static_cast<uint32_t>(payload.size()),
                     bytes.data());
    pager::testing::WriteWholeFile(dir + "/" + ws::SegmentName(lsn), bytes);
  }
}

// Replays dir through the C API; returns the records seen, or -1 after an error.
int64_t ReplayAllRecords(const std::string& dir, uint32_t* reason) {
  pager_walseg_replay* it = nullptr;
  if (pager_walseg_replay_open(dir.c_str(), 0, nullptr, &it) != PAGER_OK) return -1;
  int64_t n = 0;
  for (;;) {
    pager_walseg_record rec;
    uint32_t found = 0;
    if (pager_walseg_replay_next(it, &rec, &found) != PAGER_OK) {
      pager_walseg_replay_close(it);
      return -1;
    }
    if (!found) break;
    if (rec.lsn != static_cast<uint64_t>(n + 1)) break;
    std::vector<uint8_t> want = pager::testing::PatternBytes(rec.lsn, 24);
    if (rec.len != want.size() || std::memcmp(rec.data, want.data(), want.size()) != 0) break;
    n++;
  }
  pager_walseg_replay_stop(it, reason, nullptr, nullptr, nullptr);
  pager_walseg_replay_close(it);
  return n;
}

// Regression: a replay kept every visited segment's descriptor and mapping until close, so
// ~2000 segments exhausted a 256-descriptor limit (PAGER_ERR_IO "Too many open files").
TEST(WalsegReplayResources, ThousandsOfSegmentsReplayUnderALowDescriptorLimit) {
  TempDir tmp;
  const std::string dir = tmp.File("log");
  constexpr uint64_t kSegments = 2000;
  WriteOneRecordSegments(dir, kSegments);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    struct rlimit lim = {256, 256};
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(3);
    uint32_t reason = 0;
    int64_t n = ReplayAllRecords(dir, &reason);
    if (n < 0) _exit(2);
    _exit(n == static_cast<int64_t>(kSegments) && reason == PAGER_WALSEG_STOP_CLEAN_END ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: records missing or wrong; 2: the replay failed (descriptors exhausted?); "
         "3: setrlimit failed";
}

// The same property on the in-memory seam, counted directly: never more than one segment
// held, every segment opened once.
TEST(WalsegReplayResources, ReplayHoldsOnlyTheSegmentItReads) {
  pager::io::MemEnv env;
  const std::string dir = "/log";
  ASSERT_OK(env.CreateDir(dir, 0755));
  for (uint64_t lsn = 1; lsn <= 50; lsn++) {
    std::vector<uint8_t> bytes(ws::RecordBytes(8));
    ws::EncodeRecord(1, lsn, lsn - 1, "payload!", 8, bytes.data());
    std::unique_ptr<pager::io::File> f;
    pager::io::OpenOptions o;
    o.write = true;
    o.create = true;
    ASSERT_OK(env.Open(dir + "/" + ws::SegmentName(lsn), o, &f));
    ASSERT_OK(f->WriteAt(0, bytes.data(), bytes.size()));
  }
  std::unique_ptr<ws::LogReplay> rp;
  ASSERT_OK(ws::LogReplay::Open(&env, dir, 0, ws::ReaderOptions(), &rp));
  uint64_t n = 0;
  for (;;) {
    ws::RecordView v;
    bool found = false;
    ASSERT_OK(rp->Next(&v, &found));
    EXPECT_LE(rp->segments_held(), 1u);
    if (!found) break;
    n++;
  }
  EXPECT_EQ(n, 50u);
  EXPECT_EQ(rp->segments_opened(), 50u);
  EXPECT_EQ(rp->stop_reason(), ws::StopReason::kCleanEnd);
}

}  // namespace
