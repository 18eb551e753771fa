// ColdPager behaviour per backend (swap, file), on MemEnv (fast, isolated) and on POSIX where
// the real filesystem matters (holes, concurrent preads). Test names say the behaviour.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <random>
#include <thread>

#include "impl/cold/cold_pager.h"
#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace cold {
namespace {

using testing::PatternBytes;

struct FreeLog {
  std::atomic<int> calls{0};
  std::atomic<uint64_t> bytes{0};
};

void FreeWithLog(void* ctx, void* data, uint64_t len) {
  auto* log = static_cast<FreeLog*>(ctx);
  log->calls++;
  log->bytes += len;
  std::free(data);
}

void* MallocCopy(const std::vector<uint8_t>& v) {
  void* p = std::malloc(v.empty() ? 1 : v.size());
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  return p;
}

std::vector<uint8_t> Concat(const std::vector<std::vector<uint8_t>>& parts) {
  std::vector<uint8_t> all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

std::vector<Chunk> ChunksOf(const std::vector<std::vector<uint8_t>>& parts) {
  std::vector<Chunk> c;
  for (const auto& p : parts) c.push_back(Chunk{p.data(), p.size()});
  return c;
}

// Frees return every block at once (no warm pool), so tests can see the space come back.
ColdPagerConfig NoRetain() {
  ColdPagerConfig cfg;
  cfg.per_file_retain_bytes = 0;
  return cfg;
}

class ColdBackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  ColdBackendTest() : pager_(&env_, NoRetain()) {}
  void SetUp() override { ASSERT_OK(pager_.SetScratchDir("/tmp/scratch")); }

  std::unique_ptr<Handle> Pageout(const std::vector<std::vector<uint8_t>>& parts,
                                  PageoutOptions o = PageoutOptions()) {
    auto chunks = ChunksOf(parts);
    auto r = pager_.Pageout(GetParam(), chunks.data(), chunks.size(), o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.take() : nullptr;
  }
  BackendStats Mine() const {
    Stats s = pager_.GetStats();
    return GetParam() == Backend::kSwap ? s.swap : s.file;
  }

  io::MemEnv env_;
  ColdPager pager_;
};

std::string Name(const ::testing::TestParamInfo<Backend>& info) {
  return BackendName(info.param);
}

INSTANTIATE_TEST_SUITE_P(Cold, ColdBackendTest,
                         ::testing::Values(Backend::kSwap, Backend::kFile), Name);

TEST_P(ColdBackendTest, ContentIsTheChunksConcatenated) {
  std::vector<std::vector<uint8_t>> parts = {PatternBytes(1, 5000), PatternBytes(2, 1),
                                             PatternBytes(3, 12000)};
  auto h = Pageout(parts);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->len(), 17001u);
  EXPECT_EQ(h->backend(), GetParam());
  std::vector<uint8_t> out(h->len());
  ASSERT_OK(pager_.ReadAt(*h, 0, out.size(), out.data()));
  EXPECT_EQ(out, Concat(parts));
}

TEST_P(ColdBackendTest, EmptyInputGivesAnEmptyHandleWithoutIo) {
  auto none = pager_.Pageout(GetParam(), nullptr, 0, PageoutOptions());
  ASSERT_TRUE(none.ok());
  std::vector<std::vector<uint8_t>> empties = {{}, {}};
  auto h = Pageout(empties);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->len(), 0u);
  EXPECT_EQ(h->backend(), GetParam());
  EXPECT_EQ(pager_.GetStats().scratch_file_count, 0u);  // no scratch file was even created
  Range r{0, 0};
  ASSERT_OK(pager_.ReadAtMany(*h, &r, 1, nullptr, 0));
  EXPECT_EQ(pager_.ReadAt(*h, 0, 1, nullptr).code(), Code::kRange);
  auto b = pager_.TakeBuffer(&h);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value().len(), 0u);
  EXPECT_EQ(h, nullptr);
}

TEST_P(ColdBackendTest, EmptyHandleNeedsNoScratchDirectory) {
  ColdPager fresh(&env_);
  auto h = fresh.Pageout(GetParam(), nullptr, 0, PageoutOptions());
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h.value()->len(), 0u);
}

TEST_P(ColdBackendTest, ReadsSpanChunkBoundaries) {
  std::vector<std::vector<uint8_t>> parts = {PatternBytes(4, 100), PatternBytes(5, 7),
                                             PatternBytes(6, 300)};
  auto all = Concat(parts);
  auto h = Pageout(parts);
  std::vector<uint8_t> out(150);
  ASSERT_OK(pager_.ReadAt(*h, 50, 150, out.data()));  // chunk 0 tail, chunk 1, chunk 2 head
  EXPECT_TRUE(std::equal(out.begin(), out.end(), all.begin() + 50));
}

TEST_P(ColdBackendTest, OutputIsInRequestOrder) {
  auto data = PatternBytes(7, 1000);
  auto h = Pageout({data});
  std::vector<Range> ranges = {{900, 100}, {0, 10}, {500, 5}};
  std::vector<uint8_t> out(115);
  ASSERT_OK(pager_.ReadAtMany(*h, ranges.data(), ranges.size(), out.data(), out.size()));
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 100, data.begin() + 900));
  EXPECT_TRUE(std::equal(out.begin() + 100, out.begin() + 110, data.begin()));
  EXPECT_TRUE(std::equal(out.begin() + 110, out.end(), data.begin() + 500));
}

TEST_P(ColdBackendTest, ZeroLengthRangesAreIgnoredEvenPastTheEnd) {
  auto data = PatternBytes(8, 64);
  auto h = Pageout({data});
  std::vector<Range> ranges = {{1000, 0}, {10, 4}, {64, 0}, {UINT64_MAX, 0}};
  std::vector<uint8_t> out(4);
  ASSERT_OK(pager_.ReadAtMany(*h, ranges.data(), ranges.size(), out.data(), out.size()));
  EXPECT_TRUE(std::equal(out.begin(), out.end(), data.begin() + 10));
}

TEST_P(ColdBackendTest, BadRequestsFailBeforeAnyByteIsRead) {
  auto data = PatternBytes(9, 4096);
  auto h = Pageout({data});
  uint64_t ops_before = Mine().read_count;
  std::vector<uint8_t> out(64, 0xAA);
  // A valid range first, then a bad one: nothing may be read for the valid one (R4).
  std::vector<Range> oob = {{0, 16}, {4090, 10}};
  Status st = pager_.ReadAtMany(*h, oob.data(), oob.size(), out.data(), out.size());
  EXPECT_EQ(st.code(), Code::kRange);
  EXPECT_NE(st.message().find("range #1"), std::string::npos) << st.message();
  std::vector<Range> overlap = {{0, 16}, {8, 16}};
  st = pager_.ReadAtMany(*h, overlap.data(), overlap.size(), out.data(), out.size());
  EXPECT_EQ(st.code(), Code::kOverlap);
  EXPECT_NE(st.message().find("range #0 [offset 0, length 16) overlaps range #1 [offset 8, length 16)"),
            std::string::npos)
      << st.message();
  std::vector<Range> dup = {{100, 1}, {100, 1}};
  EXPECT_EQ(pager_.ReadAtMany(*h, dup.data(), dup.size(), out.data(), out.size()).code(),
            Code::kOverlap);
  EXPECT_EQ(pager_.ReadAt(*h, UINT64_MAX - 2, 8, out.data()).code(), Code::kRange);
  std::vector<Range> too_big = {{0, 65}};
  EXPECT_EQ(pager_.ReadAtMany(*h, too_big.data(), 1, out.data(), out.size()).code(),
            Code::kInvalid);
  EXPECT_EQ(out, std::vector<uint8_t>(64, 0xAA));
  EXPECT_EQ(Mine().read_count, ops_before);
}

TEST_P(ColdBackendTest, TakeReturnsEverythingAndReclaimsTheStorage) {
  std::vector<std::vector<uint8_t>> parts = {PatternBytes(10, 9000), PatternBytes(11, 3)};
  auto h = Pageout(parts);
  EXPECT_EQ(Mine().live_handle_count, 1u);
  EXPECT_EQ(Mine().live_bytes, 9003u);
  std::vector<uint8_t> out(9003);
  ASSERT_OK(pager_.Take(&h, out.data(), out.size()));
  EXPECT_EQ(h, nullptr);
  EXPECT_EQ(out, Concat(parts));
  EXPECT_EQ(Mine().live_handle_count, 0u);
  EXPECT_EQ(Mine().live_bytes, 0u);
  EXPECT_EQ(Mine().paged_in_bytes, 9003u);
  EXPECT_EQ(pager_.GetStats().scratch_allocated_bytes, 0u);
  EXPECT_EQ(pager_.GetStats().scratch_file_bytes, 0u);
}

TEST_P(ColdBackendTest, FreeReclaimsWithoutReading) {
  auto h = Pageout({PatternBytes(12, 20000)});
  if (GetParam() == Backend::kFile) {
    EXPECT_EQ(pager_.GetStats().scratch_allocated_bytes, 20480u);
  }
  h.reset();
  Stats s = pager_.GetStats();
  EXPECT_EQ(s.scratch_allocated_bytes, 0u);
  EXPECT_EQ(Mine().live_handle_count, 0u);
  EXPECT_EQ(Mine().paged_in_bytes, 0u);
  ASSERT_OK(pager_.CheckInvariants());
}

TEST_P(ColdBackendTest, TakeIntoTooSmallBufferFailsAndKeepsTheHandle) {
  auto data = PatternBytes(13, 100);
  auto h = Pageout({data});
  std::vector<uint8_t> out(99);
  EXPECT_EQ(pager_.Take(&h, out.data(), out.size()).code(), Code::kInvalid);
  ASSERT_NE(h, nullptr);
  out.resize(100);
  ASSERT_OK(pager_.Take(&h, out.data(), out.size()));
  EXPECT_EQ(out, data);
}

TEST_P(ColdBackendTest, TakeBufferReturnsTheWholeContent) {
  std::vector<std::vector<uint8_t>> parts = {PatternBytes(14, 10), PatternBytes(15, 5000)};
  auto h = Pageout(parts);
  auto b = pager_.TakeBuffer(&h);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(h, nullptr);
  auto all = Concat(parts);
  ASSERT_EQ(b.value().len(), all.size());
  EXPECT_EQ(0, std::memcmp(b.value().data(), all.data(), all.size()));
}

TEST_P(ColdBackendTest, OwnedPageoutFreesEachBufferExactlyOnce) {
  FreeLog log;
  auto a = PatternBytes(16, 3000), b = PatternBytes(17, 0), c = PatternBytes(18, 7000);
  std::vector<OwnedChunk> owned = {{MallocCopy(a), a.size(), FreeWithLog, &log},
                                   {MallocCopy(b), b.size(), FreeWithLog, &log},
                                   {MallocCopy(c), c.size(), FreeWithLog, &log}};
  auto r = pager_.PageoutOwned(GetParam(), owned.data(), owned.size(), PageoutOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto h = r.take();
  // File: all freed during the call (bytes are on scratch). Swap: only the empty one so far.
  EXPECT_EQ(log.calls.load(), GetParam() == Backend::kFile ? 3 : 1);
  std::vector<uint8_t> out(h->len());
  ASSERT_OK(pager_.ReadAt(*h, 0, out.size(), out.data()));
  EXPECT_EQ(out, Concat({a, b, c}));
  h.reset();
  EXPECT_EQ(log.calls.load(), 3);
  EXPECT_EQ(log.bytes.load(), 10000u);
}

TEST_P(ColdBackendTest, OwnedPageoutRejectsABufferGivenTwice) {
  FreeLog log;
  void* p = std::malloc(100);
  std::vector<OwnedChunk> owned = {{p, 100, FreeWithLog, &log},
                                   {static_cast<uint8_t*>(p) + 50, 10, FreeWithLog, &log}};
  auto r = pager_.PageoutOwned(GetParam(), owned.data(), owned.size(), PageoutOptions());
  EXPECT_EQ(r.status().code(), Code::kInvalid);
  EXPECT_NE(r.status().message().find("owned chunk #0 overlaps owned chunk #1"),
            std::string::npos);
  EXPECT_EQ(log.calls.load(), 0);
  std::free(p);
}

TEST_P(ColdBackendTest, OwnedPageoutWithoutFreeFunctionIsInvalid) {
  uint8_t byte = 1;
  OwnedChunk c{&byte, 1, nullptr, nullptr};
  EXPECT_EQ(pager_.PageoutOwned(GetParam(), &c, 1, PageoutOptions()).status().code(),
            Code::kInvalid);
}

TEST_P(ColdBackendTest, NullChunkDataWithLengthIsInvalid) {
  Chunk c{nullptr, 5};
  auto r = pager_.Pageout(GetParam(), &c, 1, PageoutOptions());
  EXPECT_EQ(r.status().code(), Code::kInvalid);
  EXPECT_NE(r.status().message().find("chunk #0"), std::string::npos);
}

TEST_P(ColdBackendTest, HandleKeepsItsBackendWhenTheDefaultChanges) {
  pager_.SetDefaultBackend(GetParam());
  auto h = Pageout({PatternBytes(19, 10)});
  Backend other = GetParam() == Backend::kSwap ? Backend::kFile : Backend::kSwap;
  pager_.SetDefaultBackend(other);
  EXPECT_EQ(pager_.default_backend(), other);
  EXPECT_EQ(h->backend(), GetParam());
  std::vector<uint8_t> out(10);
  ASSERT_OK(pager_.ReadAt(*h, 0, 10, out.data()));
}

TEST_P(ColdBackendTest, StatisticsCountPerBackend) {
  auto h1 = Pageout({PatternBytes(20, 100)});
  auto h2 = Pageout({PatternBytes(21, 50), PatternBytes(22, 50)});
  BackendStats s = Mine();
  EXPECT_EQ(s.pageout_count, 2u);
  EXPECT_EQ(s.paged_out_bytes, 200u);
  EXPECT_EQ(s.live_handle_count, 2u);
  std::vector<uint8_t> out(30);
  ASSERT_OK(pager_.ReadAt(*h2, 40, 30, out.data()));
  EXPECT_EQ(Mine().paged_in_bytes, 30u);
  Stats all = pager_.GetStats();
  const BackendStats& other = GetParam() == Backend::kSwap ? all.file : all.swap;
  EXPECT_EQ(other.pageout_count, 0u);
}

TEST_P(ColdBackendTest, RandomRangeSetsMatchAModel) {
  std::mt19937_64 rng(99);
  for (int iter = 0; iter < 40; iter++) {
    std::vector<std::vector<uint8_t>> parts;
    size_t n = rng() % 5;
    for (size_t i = 0; i < n; i++) parts.push_back(PatternBytes(rng(), rng() % 9000));
    auto all = Concat(parts);
    PageoutOptions o;
    o.checksums = (iter % 2) == 1;
    auto h = Pageout(parts, o);
    ASSERT_NE(h, nullptr);
    for (int q = 0; q < 10; q++) {
      // Disjoint ranges: cut [0, len) at random points, keep a random subset, shuffle.
      std::vector<uint64_t> cuts = {0, all.size()};
      for (int k = 0; k < 6 && !all.empty(); k++) cuts.push_back(rng() % (all.size() + 1));
      std::sort(cuts.begin(), cuts.end());
      std::vector<Range> ranges;
      for (size_t k = 1; k < cuts.size(); k++) {
        if (rng() % 3 != 0) ranges.push_back(Range{cuts[k - 1], cuts[k] - cuts[k - 1]});
      }
      std::shuffle(ranges.begin(), ranges.end(), rng);
      std::vector<uint8_t> want;
      for (const Range& r : ranges) {
        want.insert(want.end(), all.begin() + static_cast<long>(r.offset),
                    all.begin() + static_cast<long>(r.offset + r.len));
      }
      std::vector<uint8_t> got(want.size());
      ASSERT_OK(pager_.ReadAtMany(*h, ranges.data(), ranges.size(), got.data(), got.size()));
      ASSERT_EQ(got, want);
    }
  }
  ASSERT_OK(pager_.CheckInvariants());
  EXPECT_EQ(pager_.GetStats().scratch_allocated_bytes, 0u);
}

// ---- swap backend only --------------------------------------------------------------------

TEST(ColdSwap, TakeOfASingleOwnedChunkIsAMove) {
  io::MemEnv env;
  ColdPager pager(&env);
  FreeLog log;
  auto data = PatternBytes(30, 50000);
  void* p = MallocCopy(data);
  OwnedChunk c{p, data.size(), FreeWithLog, &log};
  auto h = pager.PageoutOwned(Backend::kSwap, &c, 1, PageoutOptions()).take();
  ASSERT_NE(h, nullptr);
  auto b = pager.TakeBuffer(&h);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(h, nullptr);
  EXPECT_EQ(b.value().data(), p);  // the very buffer: no copy
  EXPECT_EQ(log.calls.load(), 0);
  EXPECT_EQ(pager.GetStats().swap.read_count, 0u);
  b.value().Reset();
  EXPECT_EQ(log.calls.load(), 1);  // freed through the caller's function
}

TEST(ColdSwap, TakeOfACopiedSingleChunkHandsOverTheInternalBuffer) {
  io::MemEnv env;
  ColdPager pager(&env);
  auto data = PatternBytes(31, 9000);
  Chunk c{data.data(), data.size()};
  auto h = pager.Pageout(Backend::kSwap, &c, 1, PageoutOptions()).take();
  auto b = pager.TakeBuffer(&h);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(pager.GetStats().swap.read_count, 0u);  // moved, not read
  EXPECT_EQ(0, std::memcmp(b.value().data(), data.data(), data.size()));
}

TEST(ColdSwap, MultiChunkOwnedTakeCopiesAndFreesAllBuffers) {
  io::MemEnv env;
  ColdPager pager(&env);
  FreeLog log;
  auto a = PatternBytes(32, 10), b = PatternBytes(33, 20);
  std::vector<OwnedChunk> owned = {{MallocCopy(a), 10, FreeWithLog, &log},
                                   {MallocCopy(b), 20, FreeWithLog, &log}};
  auto h = pager.PageoutOwned(Backend::kSwap, owned.data(), 2, PageoutOptions()).take();
  auto buf = pager.TakeBuffer(&h);
  ASSERT_TRUE(buf.ok());
  EXPECT_EQ(log.calls.load(), 2);
  EXPECT_EQ(0, std::memcmp(buf.value().data(), Concat({a, b}).data(), 30));
}

// ---- file backend only --------------------------------------------------------------------

class ColdFile : public ::testing::Test {
 protected:
  ColdFile() : pager_(&env_, NoRetain()) {}
  void SetUp() override { ASSERT_OK(pager_.SetScratchDir("/tmp/scratch")); }
  std::unique_ptr<Handle> Put(const std::vector<uint8_t>& data, PageoutOptions o = {}) {
    Chunk c{data.data(), data.size()};
    auto r = pager_.Pageout(Backend::kFile, &c, 1, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.take();
  }
  io::MemEnv env_;
  ColdPager pager_;
};

TEST_F(ColdFile, AdjacentRangesCoalesceIntoOneRead) {
  auto data = PatternBytes(40, 10000);
  auto h = Put(data);
  uint64_t before = pager_.GetStats().file.read_count;
  // Adjacent in the file, given out of order: one scatter read.
  std::vector<Range> ranges = {{300, 200}, {0, 100}, {100, 200}};
  std::vector<uint8_t> out(500);
  ASSERT_OK(pager_.ReadAtMany(*h, ranges.data(), ranges.size(), out.data(), out.size()));
  EXPECT_EQ(pager_.GetStats().file.read_count - before, 1u);
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 200, data.begin() + 300));
  EXPECT_TRUE(std::equal(out.begin() + 200, out.end(), data.begin()));
  // A gap splits the read in two.
  std::vector<Range> gap = {{0, 100}, {101, 100}};
  ASSERT_OK(pager_.ReadAtMany(*h, gap.data(), gap.size(), out.data(), out.size()));
  EXPECT_EQ(pager_.GetStats().file.read_count - before, 3u);
}

TEST_F(ColdFile, ManyHandlesShareAFewScratchFiles) {
  std::vector<std::unique_ptr<Handle>> hs;
  for (int i = 0; i < 200; i++) hs.push_back(Put(PatternBytes(static_cast<uint64_t>(i), 700)));
  Stats s = pager_.GetStats();
  EXPECT_LE(s.scratch_file_count, 4u);
  std::vector<std::string> names;
  ASSERT_OK(env_.ListDir(pager_.scratch_dir(), &names));
  EXPECT_EQ(names.size(), s.scratch_file_count);
  // Pageouts rotate over the files: free every other handle of each file (i / 4 even).
  for (size_t i = 0; i < hs.size(); i++) {
    if ((i / 4) % 2 == 0) hs[i].reset();
  }
  ASSERT_OK(pager_.CheckInvariants());
  // Freed extents are reused: new handles do not grow the files.
  uint64_t file_bytes = pager_.GetStats().scratch_file_bytes;
  for (int i = 0; i < 100; i++) hs.push_back(Put(PatternBytes(1000 + static_cast<uint64_t>(i), 700)));
  EXPECT_EQ(pager_.GetStats().scratch_file_bytes, file_bytes);
  for (size_t i = 0; i < 200; i++) {
    if ((i / 4) % 2 == 0) continue;
    std::vector<uint8_t> out(700);
    ASSERT_OK(pager_.ReadAt(*hs[i], 0, 700, out.data()));
    ASSERT_EQ(out, PatternBytes(i, 700));
  }
  hs.clear();
  EXPECT_EQ(pager_.GetStats().scratch_file_bytes, 0u);
}

TEST_F(ColdFile, ChecksumsCatchBytesChangedOnTheScratchDevice) {
  auto a = PatternBytes(41, 5000), b = PatternBytes(42, 5000);
  std::vector<Chunk> cs = {{a.data(), a.size()}, {b.data(), b.size()}};
  PageoutOptions o;
  o.checksums = true;
  auto h = pager_.Pageout(Backend::kFile, cs.data(), 2, o).take();
  ASSERT_TRUE(h->has_checksums());
  // Damage one byte of chunk 1 in the scratch file.
  const std::string path = h->extent().file->path();
  std::vector<uint8_t> bytes;
  ASSERT_OK(env_.GetFileBytes(path, &bytes));
  bytes[h->extent().offset + 5000 + 4321] ^= 0x01;
  ASSERT_OK(env_.SetFileBytes(path, bytes));
  std::vector<uint8_t> out(10);
  // Chunk 0 is intact.
  ASSERT_OK(pager_.ReadAt(*h, 10, 10, out.data()));
  // A read of chunk 1 far from the damaged byte still verifies the whole chunk.
  Status st = pager_.ReadAt(*h, 5000, 10, out.data());
  EXPECT_EQ(st.code(), Code::kCorrupt);
  EXPECT_NE(st.message().find("chunk #1"), std::string::npos) << st.message();
  EXPECT_EQ(pager_.GetStats().checksum_failure_count, 1u);
  std::vector<uint8_t> all(10000);
  EXPECT_EQ(pager_.Take(&h, all.data(), all.size()).code(), Code::kCorrupt);
  EXPECT_NE(h, nullptr);  // a failed take keeps the handle
}

TEST_F(ColdFile, WithoutChecksumsDamageIsNotDetected) {
  // The control for the test above: the option is what catches it.
  auto a = PatternBytes(43, 5000);
  auto h = Put(a);
  std::vector<uint8_t> bytes;
  ASSERT_OK(env_.GetFileBytes(h->extent().file->path(), &bytes));
  bytes[h->extent().offset + 7] ^= 0x01;
  ASSERT_OK(env_.SetFileBytes(h->extent().file->path(), bytes));
  std::vector<uint8_t> out(5000);
  ASSERT_OK(pager_.ReadAt(*h, 0, 5000, out.data()));
  EXPECT_NE(out, a);
}

TEST_F(ColdFile, ChecksummedAdjacentChunksAreReadOnce) {
  std::vector<std::vector<uint8_t>> parts = {PatternBytes(44, 100), PatternBytes(45, 100),
                                             PatternBytes(46, 100)};
  auto cs = ChunksOf(parts);
  PageoutOptions o;
  o.checksums = true;
  auto h = pager_.Pageout(Backend::kFile, cs.data(), cs.size(), o).take();
  uint64_t before = pager_.GetStats().file.read_count;
  std::vector<Range> ranges = {{250, 10}, {50, 100}};  // chunks 0-1 and 2: spans touch
  std::vector<uint8_t> out(110);
  ASSERT_OK(pager_.ReadAtMany(*h, ranges.data(), 2, out.data(), out.size()));
  EXPECT_EQ(pager_.GetStats().file.read_count - before, 1u);
  auto all = Concat(parts);
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 10, all.begin() + 250));
  EXPECT_TRUE(std::equal(out.begin() + 10, out.end(), all.begin() + 50));
}

TEST_F(ColdFile, FileBackendWithoutScratchDirectoryIsAnError) {
  ColdPager fresh(&env_);
  auto data = PatternBytes(47, 10);
  Chunk c{data.data(), data.size()};
  auto r = fresh.Pageout(Backend::kFile, &c, 1, PageoutOptions());
  EXPECT_EQ(r.status().code(), Code::kInvalid);
  EXPECT_NE(r.status().message().find("scratch directory"), std::string::npos);
}

TEST_F(ColdFile, OwnedPageoutThatFailsFreesNothing) {
  ColdPager fresh(&env_);
  FreeLog log;
  OwnedChunk c{std::malloc(10), 10, FreeWithLog, &log};
  EXPECT_FALSE(fresh.PageoutOwned(Backend::kFile, &c, 1, PageoutOptions()).ok());
  EXPECT_EQ(log.calls.load(), 0);
  std::free(c.data);
}

// ---- the warm pool (scratch_store.h D5) ----------------------------------------------------

TEST(ColdRetain, RoundTripsReuseTheSameBlocksWithoutReleasingThem) {
  io::MemEnv env;
  ColdPagerConfig cfg;
  cfg.scratch_file_count = 1;
  cfg.per_file_retain_bytes = 1 << 20;
  ColdPager pager(&env, cfg);
  ASSERT_OK(pager.SetScratchDir("/tmp/scratch"));
  auto data = PatternBytes(70, 4000);
  Chunk c{data.data(), data.size()};
  auto h = pager.Pageout(Backend::kFile, &c, 1, PageoutOptions()).take();
  uint64_t offset = h->extent().offset;
  std::vector<uint8_t> out(4000);
  ASSERT_OK(pager.Take(&h, out.data(), out.size()));
  Stats s = pager.GetStats();
  EXPECT_EQ(s.scratch_allocated_bytes, 0u);
  EXPECT_EQ(s.scratch_retained_bytes, 4096u);
  EXPECT_EQ(s.retained_extent_count, 1u);
  EXPECT_EQ(s.truncate_count + s.punch_count, 0u);
  auto again = PatternBytes(71, 3000);  // same aligned length: takes the warm extent back
  Chunk c2{again.data(), again.size()};
  h = pager.Pageout(Backend::kFile, &c2, 1, PageoutOptions()).take();
  EXPECT_EQ(h->extent().offset, offset);
  EXPECT_EQ(pager.GetStats().scratch_retained_bytes, 0u);
  out.resize(3000);
  ASSERT_OK(pager.ReadAt(*h, 0, 3000, out.data()));
  EXPECT_EQ(out, again);
  ASSERT_OK(pager.CheckInvariants());
}

TEST(ColdRetain, ThePoolNeverHoldsMoreThanItsBudget) {
  io::MemEnv env;
  ColdPagerConfig cfg;
  cfg.scratch_file_count = 1;
  cfg.per_file_retain_bytes = 1 << 20;
  ColdPager pager(&env, cfg);
  ASSERT_OK(pager.SetScratchDir("/tmp/scratch"));
  auto data = PatternBytes(72, 300 << 10);
  Chunk c{data.data(), data.size()};
  std::vector<std::unique_ptr<Handle>> hs;
  for (int i = 0; i < 10; i++) hs.push_back(pager.Pageout(Backend::kFile, &c, 1, {}).take());
  hs.clear();
  Stats s = pager.GetStats();
  EXPECT_EQ(s.scratch_allocated_bytes, 0u);
  EXPECT_EQ(s.scratch_retained_bytes, 900u << 10);  // three 300 KiB extents fit in 1 MiB
  EXPECT_EQ(s.retained_extent_count, 3u);
  EXPECT_EQ(s.punch_count + s.truncate_count, 7u);  // the other seven went back at once
  ASSERT_OK(pager.CheckInvariants());
}

// ---- POSIX: real holes and concurrent reads -------------------------------------------------

uint64_t AllocatedBlocks(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return UINT64_MAX;
  return static_cast<uint64_t>(st.st_blocks);
}

TEST(ColdPosix, FreeOfAnInteriorExtentPunchesAHole) {
  testing::TempDir dir;
  ColdPagerConfig cfg = NoRetain();
  cfg.scratch_file_count = 1;
  ColdPager pager(io::DefaultEnv(), cfg);
  ASSERT_OK(pager.SetScratchDir(dir.path()));
  auto big = PatternBytes(50, 1 << 20);
  Chunk c{big.data(), big.size()};
  auto a = pager.Pageout(Backend::kFile, &c, 1, PageoutOptions()).take();
  auto b = pager.Pageout(Backend::kFile, &c, 1, PageoutOptions()).take();
  std::string path = a->extent().file->path();
  uint64_t blocks = AllocatedBlocks(path);
  a.reset();  // interior: punched
  EXPECT_EQ(pager.GetStats().punch_count, 1u);
  uint64_t after = AllocatedBlocks(path);
  EXPECT_LE(after + (1 << 20) / 512, blocks) << "blocks " << blocks << " -> " << after;
  b.reset();  // the tail: truncated to zero
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  EXPECT_EQ(pager.GetStats().truncate_count, 1u);
}

TEST(ColdPosix, ConcurrentReadsOfOneHandle) {
  testing::TempDir dir;
  ColdPager pager(io::DefaultEnv());
  ASSERT_OK(pager.SetScratchDir(dir.path()));
  for (Backend backend : {Backend::kSwap, Backend::kFile}) {
    std::vector<std::vector<uint8_t>> parts;
    for (int i = 0; i < 8; i++) parts.push_back(PatternBytes(60 + static_cast<uint64_t>(i), 8192));
    auto all = Concat(parts);
    auto cs = ChunksOf(parts);
    PageoutOptions o;
    o.checksums = backend == Backend::kFile;
    auto h = pager.Pageout(backend, cs.data(), cs.size(), o).take();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; t++) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(static_cast<uint64_t>(t));
        std::vector<uint8_t> out;
        for (int i = 0; i < 200; i++) {
          uint64_t off = rng() % all.size();
          uint64_t len = 1 + rng() % std::min<uint64_t>(all.size() - off, 20000);
          Range rs[2] = {{off, len}, {0, std::min<uint64_t>(off, 16)}};
          out.assign(len + rs[1].len, 0);
          Status st = pager.ReadAtMany(*h, rs, 2, out.data(), out.size());
          if (!st.ok() || !std::equal(out.begin(), out.begin() + static_cast<long>(len),
                                      all.begin() + static_cast<long>(off))) {
            failures++;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0) << BackendName(backend);
  }
}

void ConcurrentPageoutsAndFrees(ColdPagerConfig cfg) {
  testing::TempDir dir;
  ColdPager pager(io::DefaultEnv(), cfg);
  ASSERT_OK(pager.SetScratchDir(dir.path()));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(100 + static_cast<uint64_t>(t));
      std::vector<std::pair<std::unique_ptr<Handle>, uint64_t>> live;
      for (int i = 0; i < 300; i++) {
        if (live.size() < 8 && rng() % 3 != 0) {
          uint64_t seed = rng();
          auto data = PatternBytes(seed, 1 + rng() % 10000);
          Chunk c{data.data(), data.size()};
          auto r = pager.Pageout(Backend::kFile, &c, 1, PageoutOptions());
          if (!r.ok()) { failures++; continue; }
          live.push_back({r.take(), seed});
        } else if (!live.empty()) {
          auto& e = live.back();
          std::vector<uint8_t> out(e.first->len());
          if (!pager.Take(&e.first, out.data(), out.size()).ok() ||
              out != PatternBytes(e.second, out.size())) {
            failures++;
          }
          live.pop_back();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK(pager.CheckInvariants());
  Stats s = pager.GetStats();
  EXPECT_EQ(s.file.live_handle_count, 0u);
  EXPECT_EQ(s.scratch_allocated_bytes, 0u);
  EXPECT_LE(s.scratch_retained_bytes, cfg.per_file_retain_bytes * cfg.scratch_file_count);
  if (cfg.per_file_retain_bytes == 0) {
    EXPECT_EQ(s.scratch_file_bytes, 0u);
  }
}

TEST(ColdPosix, ConcurrentPageoutsAndFreesKeepTheExtentsConsistent) {
  ConcurrentPageoutsAndFrees(NoRetain());
}

TEST(ColdPosix, ConcurrentPageoutsAndFreesWithTheWarmPool) {
  ColdPagerConfig cfg;
  cfg.scratch_file_count = 2;
  cfg.per_file_retain_bytes = 64 << 10;
  ConcurrentPageoutsAndFrees(cfg);
}

}  // namespace
}  // namespace cold
}  // namespace pager
