// pager_wal_scan_frames: every frame of a sidecar as it lies on disk, with the state recovery
// gives it (impl/wal/frame_scan.h FS1..FS4). Each test is named after what it proves.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/wal/wal_format.h"
#include "pager.h"
#include "tests/outparam.h"
#include "tests/support/test_util.h"

namespace {

constexpr uint32_t kPage = 1024;
const char* kPath = "/db";
const char* kWal = "/db-wal";

struct Frame {
  pager_wal_frame_info info;
  std::vector<uint8_t> page;
};

int Collect(void* ctx, const pager_wal_frame_info* f) {
  auto* out = static_cast<std::vector<Frame>*>(ctx);
  const uint8_t* p = static_cast<const uint8_t*>(f->page);
  out->push_back(Frame{*f, std::vector<uint8_t>(p, p + f->page_bytes)});
  return 0;
}

// A database in a FaultEnv (routed through the C API) with `commits` one-page commits of
// page 1 (content = commit number) and no checkpoint.
class ScanDb {
 public:
  explicit ScanDb(int commits) : scope_(&env_) {
    pager_wal_options o;
    pager_wal_options_init(&o);
    o.page_size = kPage;
    o.auto_checkpoint_frames = 0;
    EXPECT_PAGER_OK(pager_wal_create(kPath, &o, &h_));
    EXPECT_PAGER_OK(pager_wal_set_page_count(h_, 3));
    for (int i = 1; i <= commits; i++) Commit({1}, static_cast<uint8_t>(i));
  }
  ~ScanDb() { pager_wal_close(h_); }
  // One transaction writing `pages` with every byte = fill.
  void Commit(const std::vector<uint32_t>& pages, uint8_t fill) {
    std::vector<uint8_t> page(kPage, fill);
    for (uint32_t p : pages) EXPECT_PAGER_OK(pager_wal_stage_page(h_, p, page.data(), kPage));
    EXPECT_PAGER_OK(pager_wal_commit(h_, nullptr));
  }
  pager_wal* h() { return h_; }
  void Close() {
    pager_wal_close(h_);
    h_ = nullptr;
  }
  std::vector<uint8_t> Bytes(const char* path) {
    std::vector<uint8_t> b;
    EXPECT_TRUE(env_.GetFileBytes(path, &b).ok());
    return b;
  }
  void SetBytes(const char* path, const std::vector<uint8_t>& b) {
    EXPECT_TRUE(env_.SetFileBytes(path, b).ok());
  }
  // Scans path; the frames written (not the prewritten zero slots) into *frames.
  int Scan(const char* path, std::vector<Frame>* frames, pager_wal_scan_summary* sum,
           const pager_wal_scan_options* opts = nullptr) {
    pager_wal_scan_summary_init(sum);
    int rc = pager_wal_scan_frames(path, opts, Collect, frames, sum);
    while (!frames->empty() && frames->back().info.salt1 == 0 && frames->back().info.checksum == 0) {
      frames->pop_back();
    }
    return rc;
  }
  pager::io::FaultEnv env_;

 private:
  outparam::ScopedEnv scope_;
  pager_wal* h_ = nullptr;
};

uint64_t FrameAt(uint64_t index) { return pager::wal::FrameOffset(index, kPage); }

TEST(WalScan, CommittedFramesAreExactlyTheOnesAnOpenKeeps) {
  ScanDb db(3);
  db.Close();
  std::vector<Frame> frames;
  pager_wal_scan_summary sum;
  ASSERT_PAGER_OK(db.Scan(kWal, &frames, &sum));
  EXPECT_EQ(sum.has_header, 1u);
  EXPECT_EQ(sum.page_size, kPage);
  ASSERT_GE(frames.size(), 3u);
  EXPECT_EQ(sum.committed_frames, frames.size());
  EXPECT_EQ(sum.chain_frames, sum.committed_frames);
  uint8_t fill = 0;
  for (const Frame& f : frames) {
    EXPECT_EQ(f.info.state, static_cast<uint32_t>(PAGER_WAL_FRAME_COMMITTED));
    EXPECT_EQ(f.info.offset_bytes, FrameAt(f.info.index));
    EXPECT_EQ(f.info.salts_match, 1u);
    EXPECT_EQ(f.info.checksum_valid, 1u);
    EXPECT_EQ(f.info.well_formed, 1u);
    EXPECT_EQ(f.info.checksum, f.info.computed_checksum);
    EXPECT_EQ(f.info.salt1, sum.salt1);
    if (f.info.page_number == 1) {
      fill++;
      EXPECT_EQ(f.page, std::vector<uint8_t>(kPage, fill)) << "frame " << f.info.index;
    }
  }
  EXPECT_EQ(fill, 3);
  EXPECT_NE(frames.back().info.commit_page_count, 0u) << "the last frame is a commit frame";
}

TEST(WalScan, MainFilePathScansItsSidecar) {
  ScanDb db(2);
  db.Close();
  std::vector<Frame> a, b;
  pager_wal_scan_summary sa, sb;
  ASSERT_PAGER_OK(db.Scan(kPath, &a, &sa));
  ASSERT_PAGER_OK(db.Scan(kWal, &b, &sb));
  EXPECT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(&sa, &sb, sizeof sa), 0);
}

TEST(WalScan, ACommitFrameWithABadChecksumLeavesItsTransactionUncommittedAndItselfBeyond) {
  ScanDb db(1);
  db.Commit({1, 2}, 0x22);  // a two-page transaction: its last frame is the commit frame
  db.Close();
  std::vector<Frame> before;
  pager_wal_scan_summary sum;
  ASSERT_PAGER_OK(db.Scan(kWal, &before, &sum));
  const uint64_t last = before.size() - 1;
  ASSERT_NE(before[last].info.commit_page_count, 0u);
  std::vector<uint8_t> wal = db.Bytes(kWal);
  wal[FrameAt(last) + 32 + 100] ^= 0x40;  // a byte of the commit frame's page
  db.SetBytes(kWal, wal);
  std::vector<Frame> frames;
  ASSERT_PAGER_OK(db.Scan(kWal, &frames, &sum));
  ASSERT_EQ(frames.size(), before.size());
  EXPECT_LT(sum.committed_frames, last);
  EXPECT_EQ(sum.chain_frames, last);
  for (uint64_t i = sum.committed_frames; i < last; i++) {
    EXPECT_EQ(frames[i].info.state, static_cast<uint32_t>(PAGER_WAL_FRAME_UNCOMMITTED)) << i;
    EXPECT_EQ(frames[i].info.checksum_valid, 1u);
  }
  EXPECT_EQ(frames[last].info.state, static_cast<uint32_t>(PAGER_WAL_FRAME_BEYOND));
  EXPECT_EQ(frames[last].info.checksum_valid, 0u);
  EXPECT_EQ(frames[last].info.salts_match, 1u);
  EXPECT_NE(frames[last].info.checksum, frames[last].info.computed_checksum);
  // An open keeps exactly the committed frames: page 2 reads as before the transaction.
  pager_wal* h = nullptr;
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.read_only = 1;
  ASSERT_PAGER_OK(pager_wal_open(kPath, &o, &h));
  std::vector<uint8_t> page(kPage);
  ASSERT_PAGER_OK(pager_wal_read_page(h, 2, page.data(), kPage));
  EXPECT_EQ(page, std::vector<uint8_t>(kPage, 0));
  pager_wal_close(h);
}

TEST(WalScan, AFrameDamagedMidChainMakesEveryLaterFrameBeyondEvenIfItsOwnChecksumHolds) {
  ScanDb db(4);
  db.Close();
  std::vector<Frame> before;
  pager_wal_scan_summary sum;
  ASSERT_PAGER_OK(db.Scan(kWal, &before, &sum));
  ASSERT_GE(before.size(), 4u);
  std::vector<uint8_t> wal = db.Bytes(kWal);
  wal[FrameAt(1) + 32] ^= 0x01;
  db.SetBytes(kWal, wal);
  std::vector<Frame> frames;
  ASSERT_PAGER_OK(db.Scan(kWal, &frames, &sum));
  EXPECT_EQ(sum.chain_frames, 1u);
  EXPECT_LE(sum.committed_frames, 1u);
  EXPECT_EQ(frames[1].info.checksum_valid, 0u);
  for (size_t i = 1; i < frames.size(); i++) {
    EXPECT_EQ(frames[i].info.state, static_cast<uint32_t>(PAGER_WAL_FRAME_BEYOND)) << i;
  }
  // Frame 2 is intact and chained to frame 1's stored checksum: valid alone, still untrusted.
  EXPECT_EQ(frames[2].info.checksum_valid, 1u);
}

TEST(WalScan, FramesOfAnEarlierGenerationAfterACheckpointAreBeyondWithForeignSalts) {
  ScanDb db(3);
  pager_wal_checkpoint_options co;
  pager_wal_checkpoint_options_init(&co);
  co.mode = PAGER_WAL_CHECKPOINT_FULL;
  ASSERT_PAGER_OK(pager_wal_checkpoint(db.h(), &co, nullptr));
  db.Close();
  std::vector<Frame> frames;
  pager_wal_scan_summary sum;
  ASSERT_PAGER_OK(db.Scan(kWal, &frames, &sum));
  EXPECT_EQ(sum.committed_frames, 0u);
  EXPECT_EQ(sum.chain_frames, 0u);
  ASSERT_GE(frames.size(), 3u) << "the checkpoint kept the old frames' bytes for reuse";
  for (const Frame& f : frames) {
    EXPECT_EQ(f.info.state, static_cast<uint32_t>(PAGER_WAL_FRAME_BEYOND));
    EXPECT_EQ(f.info.salts_match, 0u);
    EXPECT_EQ(f.info.salt1 + 1, sum.salt1) << "the previous generation's salt1";
  }
}

TEST(WalScan, ATornLastFrameIsCountedAsTrailingBytesNotAFrame) {
  ScanDb db(2);
  db.Close();
  std::vector<Frame> frames;
  pager_wal_scan_summary sum;
  ASSERT_PAGER_OK(db.Scan(kWal, &frames, &sum));
  std::vector<uint8_t> wal = db.Bytes(kWal);
  wal.resize(FrameAt(frames.size()) + 100);
  db.SetBytes(kWal, wal);
  frames.clear();
  ASSERT_PAGER_OK(db.Scan(kWal, &frames, &sum));
  EXPECT_EQ(sum.trailing_bytes, 100u);
  EXPECT_EQ(sum.frame_slots, frames.size());
  EXPECT_EQ(sum.committed_frames, frames.size());
}

TEST(WalScan, FirstFrameAndMaxFramesSelectAWindowWithTheChecksumSeededFromTheFrameBefore) {
  ScanDb db(4);
  db.Close();
  pager_wal_scan_options o;
  pager_wal_scan_options_init(&o);
  o.first_frame = 2;
  o.max_frames = 2;
  std::vector<Frame> frames;
  pager_wal_scan_summary sum;
  ASSERT_PAGER_OK(db.Scan(kWal, &frames, &sum, &o));
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].info.index, 2u);
  EXPECT_EQ(frames[1].info.index, 3u);
  EXPECT_EQ(frames[0].info.checksum_valid, 1u);
  o.first_frame = UINT64_MAX;  // past the end: nothing, not an error
  frames.clear();
  ASSERT_PAGER_OK(db.Scan(kWal, &frames, &sum, &o));
  EXPECT_TRUE(frames.empty());
}

TEST(WalScan, AZeroByteSidecarAfterATruncatingCheckpointHasNoHeaderAndNoFrames) {
  ScanDb db(2);
  pager_wal_checkpoint_options co;
  pager_wal_checkpoint_options_init(&co);
  co.mode = PAGER_WAL_CHECKPOINT_TRUNCATE;
  ASSERT_PAGER_OK(pager_wal_checkpoint(db.h(), &co, nullptr));
  db.Close();
  std::vector<Frame> frames;
  pager_wal_scan_summary sum;
  ASSERT_PAGER_OK(db.Scan(kWal, &frames, &sum));
  EXPECT_EQ(sum.has_header, 0u);
  EXPECT_EQ(sum.file_bytes, 0u);
  EXPECT_TRUE(frames.empty());
}

TEST(WalScan, ADamagedSidecarHeaderIsCorruptNamingTheFileAndOffsetZero) {
  ScanDb db(1);
  db.Close();
  std::vector<uint8_t> wal = db.Bytes(kWal);
  wal[20] ^= 0x40;  // base_checkpoint_seq: covered by the header checksum
  db.SetBytes(kWal, wal);
  std::vector<Frame> frames;
  pager_wal_scan_summary sum;
  pager_wal_scan_summary_init(&sum);
  sum.frame_slots = 77;
  EXPECT_EQ(pager_wal_scan_frames(kWal, nullptr, Collect, &frames, &sum), PAGER_ERR_CORRUPT);
  std::string msg = pager_last_error();
  EXPECT_NE(msg.find(kWal), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte offset 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("checksum"), std::string::npos) << msg;
  EXPECT_EQ(sum.frame_slots, 77u) << "summary untouched on failure";
  EXPECT_TRUE(frames.empty());
}

TEST(WalScan, ACallbackReturningNonZeroStopsTheScanWithCallback) {
  ScanDb db(3);
  db.Close();
  int calls = 0;
  auto stop_second = [](void* ctx, const pager_wal_frame_info*) -> int {
    return ++*static_cast<int*>(ctx) == 2 ? 7 : 0;
  };
  EXPECT_EQ(pager_wal_scan_frames(kWal, nullptr, stop_second, &calls, nullptr),
            PAGER_ERR_CALLBACK);
  EXPECT_EQ(calls, 2);
  std::string msg = pager_last_error();
  EXPECT_NE(msg.find("returned 7 at frame 1"), std::string::npos) << msg;
}

TEST(WalScan, ScanningWritesNothingAndCreatesNoFile) {
  ScanDb db(2);
  db.Close();
  std::vector<uint8_t> main_before = db.Bytes(kPath), wal_before = db.Bytes(kWal);
  // The writer left its shared index (`-shm`, X1) behind; the scan neither reads nor
  // changes it, and creates no file of its own.
  std::vector<std::string> files_before = db.env_.FilePaths();
  std::vector<uint8_t> shm_before = db.Bytes("/db-shm");
  std::vector<Frame> frames;
  pager_wal_scan_summary sum;
  ASSERT_PAGER_OK(db.Scan(kPath, &frames, &sum));
  EXPECT_EQ(db.Bytes(kPath), main_before);
  EXPECT_EQ(db.Bytes(kWal), wal_before);
  EXPECT_EQ(db.Bytes("/db-shm"), shm_before);
  EXPECT_EQ(db.env_.FilePaths(), files_before);
}

TEST(WalScan, AMainFileWithoutASidecarIsNotFound) {
  ScanDb db(1);
  db.Close();
  ASSERT_TRUE(db.env_.Remove(kWal).ok());
  EXPECT_EQ(pager_wal_scan_frames(kPath, nullptr, nullptr, nullptr, nullptr),
            PAGER_ERR_NOT_FOUND);
  EXPECT_NE(std::string(pager_last_error()).find(kWal), std::string::npos) << pager_last_error();
}

}  // namespace
