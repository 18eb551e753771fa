// LogWriter and LogReplay on real files: round trips across many segments under every sync
// policy, rotation and sealing, recovery on reopen, replay from LSNs at segment edges.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "impl/io/env.h"
#include "impl/walseg/reader.h"
#include "impl/walseg/writer.h"
#include "tests/support/test_util.h"
#include "tests/walseg_support.h"

namespace pager {
namespace walseg {
namespace {

using testing::PatternBytes;
using testing::ReadWholeFile;
using testing::TempDir;
using testing::WriteWholeFile;

// Payload of the record with this LSN: its size cycles through small and odd lengths.
std::vector<uint8_t> PayloadFor(uint64_t lsn) { return PatternBytes(lsn, (lsn * 37) % 300); }

uint64_t FileSize(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return UINT64_MAX;
  return static_cast<uint64_t>(st.st_size);
}

ReplayResult Replay(const std::string& dir, uint64_t from, io::Env* env = io::DefaultEnv()) {
  return ReplayLog(env, dir, from, PayloadFor);
}

class WalsegWriter : public ::testing::Test {
 protected:
  std::string Dir() const { return tmp_.File("log"); }

  std::unique_ptr<LogWriter> OpenWriter(const WriterOptions& o) {
    std::unique_ptr<LogWriter> w;
    Status st = LogWriter::Open(io::DefaultEnv(), Dir(), o, &w);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return w;
  }

  void AppendRange(LogWriter* w, uint64_t first, uint64_t count) {
    for (uint64_t lsn = first; lsn < first + count; lsn++) {
      std::vector<uint8_t> p = PayloadFor(lsn);
      uint64_t got = 0;
      ASSERT_OK(w->Append(static_cast<uint16_t>(1 + lsn % 5), p.data(), p.size(), &got));
      ASSERT_EQ(got, lsn);
      ASSERT_OK(w->CheckInvariants());
    }
  }

  std::vector<uint64_t> Segments() {
    std::vector<uint64_t> firsts;
    EXPECT_OK(ListSegments(io::DefaultEnv(), Dir(), &firsts));
    return firsts;
  }

  TempDir tmp_;
};

WriterOptions SmallSegments(SyncPolicy policy) {
  WriterOptions o;
  o.sync_policy = policy;
  o.segment_bytes = 4096;
  o.prewrite_bytes = 4096;
  o.group_bytes = 1000;
  o.group_interval_us = 0;
  o.buffer_bytes = 1024;
  return o;
}

TEST_F(WalsegWriter, RoundTripAcrossManySegmentsForEverySyncPolicy) {
  for (SyncPolicy p : {SyncPolicy::kEveryRecord, SyncPolicy::kGroup, SyncPolicy::kExplicit}) {
    TempDir t;
    std::string dir = t.File("log");
    std::unique_ptr<LogWriter> w;
    WriterOptions o = SmallSegments(p);
    o.segment_bytes = 2048;
    ASSERT_OK(LogWriter::Open(io::DefaultEnv(), dir, o, &w));
    for (uint64_t lsn = 1; lsn <= 300; lsn++) {
      std::vector<uint8_t> pl = PayloadFor(lsn);
      uint64_t got;
      ASSERT_OK(w->Append(3, pl.data(), pl.size(), &got));
    }
    ASSERT_OK(w->Close());
    std::vector<uint64_t> firsts;
    ASSERT_OK(ListSegments(io::DefaultEnv(), dir, &firsts));
    EXPECT_GT(firsts.size(), 20u);
    ReplayResult r = Replay(dir, 0);
    ASSERT_OK(r.error);
    ASSERT_EQ(r.lsns.size(), 300u) << static_cast<int>(p);
    for (size_t i = 0; i < r.lsns.size(); i++) ASSERT_EQ(r.lsns[i], i + 1);
    EXPECT_TRUE(r.payloads_ok);
    EXPECT_EQ(r.reason, StopReason::kCleanEnd);
    // Sealed segments were cut to their records: no pre-written zeros left behind.
    for (size_t i = 0; i + 1 < firsts.size(); i++) {
      EXPECT_LE(FileSize(dir + "/" + SegmentName(firsts[i])), 2048u);
      EXPECT_EQ(FileSize(dir + "/" + SegmentName(firsts[i])) % 8, 0u);
    }
  }
}

TEST_F(WalsegWriter, SegmentsAreNamedByTheirFirstLsn) {
  auto w = OpenWriter(SmallSegments(SyncPolicy::kExplicit));
  AppendRange(w.get(), 1, 300);
  ASSERT_OK(w->Close());
  std::vector<uint64_t> firsts = Segments();
  ASSERT_GT(firsts.size(), 3u);
  EXPECT_EQ(firsts[0], 1u);
  for (uint64_t f : firsts) {
    std::unique_ptr<SegmentReader> r;
    ASSERT_OK(SegmentReader::Open(io::DefaultEnv(), Dir() + "/" + SegmentName(f), ReaderOptions(), &r));
    RecordView v;
    bool found = false;
    ASSERT_OK(r->Next(&v, &found));
    ASSERT_TRUE(found);
    EXPECT_EQ(v.lsn, f);
  }
}

TEST_F(WalsegWriter, ReopenContinuesAfterTheLastRecord) {
  {
    auto w = OpenWriter(SmallSegments(SyncPolicy::kGroup));
    AppendRange(w.get(), 1, 100);
    ASSERT_OK(w->Close());
  }
  auto w = OpenWriter(SmallSegments(SyncPolicy::kGroup));
  EXPECT_EQ(w->next_lsn(), 101u);
  EXPECT_EQ(w->durable_lsn(), 100u);
  AppendRange(w.get(), 101, 100);
  ASSERT_OK(w->Close());
  ReplayResult r = Replay(Dir(), 0);
  EXPECT_EQ(r.lsns.size(), 200u);
  EXPECT_EQ(r.reason, StopReason::kCleanEnd);
}

TEST_F(WalsegWriter, ReopenCutsATornTailAndContinuesThere) {
  {
    auto w = OpenWriter(SmallSegments(SyncPolicy::kEveryRecord));
    AppendRange(w.get(), 1, 10);
    ASSERT_OK(w->Close());
  }
  std::string last = Dir() + "/" + SegmentName(Segments().back());
  std::vector<uint8_t> bytes = ReadWholeFile(last);
  // Find the end of the records, then leave half a record there (a write torn by a crash).
  std::unique_ptr<SegmentReader> r;
  ASSERT_OK(SegmentReader::Open(io::DefaultEnv(), last, ReaderOptions(), &r));
  RecordView v;
  bool found = true;
  while (found) ASSERT_OK(r->Next(&v, &found));
  uint64_t end = r->stop_offset();
  r.reset();
  std::vector<uint8_t> junk = PayloadFor(11);
  std::vector<uint8_t> torn(RecordBytes(junk.size()));
  EncodeRecord(1, 11, 10, junk.data(), static_cast<uint32_t>(junk.size()), torn.data());
  bytes.resize(end);
  bytes.insert(bytes.end(), torn.begin(), torn.begin() + 30);
  WriteWholeFile(last, bytes);

  auto w = OpenWriter(SmallSegments(SyncPolicy::kEveryRecord));
  EXPECT_EQ(w->next_lsn(), 11u);
  AppendRange(w.get(), 11, 5);
  ASSERT_OK(w->Close());
  ReplayResult rr = Replay(Dir(), 0);
  EXPECT_EQ(rr.lsns.size(), 15u);
  EXPECT_TRUE(rr.payloads_ok);
  EXPECT_EQ(rr.reason, StopReason::kCleanEnd);
}

TEST_F(WalsegWriter, ReopenRefusesACorruptLastSegmentAndLeavesItAlone) {
  {
    auto w = OpenWriter(SmallSegments(SyncPolicy::kEveryRecord));
    AppendRange(w.get(), 1, 5);
    ASSERT_OK(w->Close());
  }
  std::string last = Dir() + "/" + SegmentName(Segments().back());
  std::vector<uint8_t> bytes = ReadWholeFile(last);
  bytes[50] ^= 0x10;  // record LSN 2; LSN 3..5 say it was durable
  WriteWholeFile(last, bytes);
  std::unique_ptr<LogWriter> w;
  Status st = LogWriter::Open(io::DefaultEnv(), Dir(), SmallSegments(SyncPolicy::kEveryRecord), &w);
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_EQ(ReadWholeFile(last), bytes);
}

TEST_F(WalsegWriter, SecondWriterOnTheSameDirectoryIsBusy) {
  auto w = OpenWriter(WriterOptions());
  std::unique_ptr<LogWriter> w2;
  EXPECT_EQ(LogWriter::Open(io::DefaultEnv(), Dir(), WriterOptions(), &w2).code(), Code::kBusy);
  ASSERT_OK(w->Close());
  EXPECT_OK(LogWriter::Open(io::DefaultEnv(), Dir(), WriterOptions(), &w2));
}

TEST_F(WalsegWriter, TooLargePayloadFailsBeforeAnythingIsWritten) {
  WriterOptions o = SmallSegments(SyncPolicy::kEveryRecord);
  o.max_payload_bytes = 1000;
  auto w = OpenWriter(o);
  AppendRange(w.get(), 1, 3);
  std::string seg = Dir() + "/" + SegmentName(Segments().back());
  uint64_t before = FileSize(seg);
  uint64_t lsn = 0;
  // The pointer is never read: a huge length with a tiny buffer must not touch memory.
  uint8_t tiny = 0;
  EXPECT_EQ(w->Append(1, &tiny, 1ull << 40, &lsn).code(), Code::kTooLarge);
  EXPECT_EQ(w->Append(1, &tiny, 1001, &lsn).code(), Code::kTooLarge);
  EXPECT_EQ(FileSize(seg), before);
  EXPECT_FALSE(w->poisoned());
  EXPECT_EQ(w->next_lsn(), 4u);
  std::vector<uint8_t> ok(1000, 1);
  EXPECT_OK(w->Append(1, ok.data(), ok.size(), &lsn));
}

TEST_F(WalsegWriter, TypeIdZeroAndNullPayloadAreInvalid) {
  auto w = OpenWriter(WriterOptions());
  uint64_t lsn;
  EXPECT_EQ(w->Append(0, "x", 1, &lsn).code(), Code::kInvalid);
  EXPECT_EQ(w->Append(kTypeRequiredBit, "x", 1, &lsn).code(), Code::kInvalid);
  EXPECT_EQ(w->Append(1, nullptr, 1, &lsn).code(), Code::kInvalid);
  EXPECT_OK(w->Append(1, nullptr, 0, &lsn));
  EXPECT_EQ(lsn, 1u);
}

TEST_F(WalsegWriter, OptionsOutOfRangeAreRejectedWithTheirName) {
  struct Case {
    const char* field;
    void (*set)(WriterOptions*);
  } cases[] = {
      {"segment_bytes", [](WriterOptions* o) { o->segment_bytes = 100; }},
      {"group_bytes", [](WriterOptions* o) { o->group_bytes = 0; }},
      {"max_payload_bytes", [](WriterOptions* o) { o->max_payload_bytes = 0; }},
      {"prewrite_bytes", [](WriterOptions* o) { o->prewrite_bytes = 1000; }},
      {"first_lsn", [](WriterOptions* o) { o->first_lsn = 0; }},
      {"sync_policy", [](WriterOptions* o) { o->sync_policy = static_cast<SyncPolicy>(7); }},
  };
  for (const Case& c : cases) {
    WriterOptions o;
    c.set(&o);
    Status st = ValidateWriterOptions(o);
    EXPECT_EQ(st.code(), Code::kInvalid) << c.field;
    EXPECT_NE(st.message().find(c.field), std::string::npos) << st.message();
  }
}

TEST_F(WalsegWriter, MissingDirectoryWithoutCreateIsNotFound) {
  WriterOptions o;
  o.create_if_missing = false;
  std::unique_ptr<LogWriter> w;
  EXPECT_EQ(LogWriter::Open(io::DefaultEnv(), Dir(), o, &w).code(), Code::kNotFound);
}

TEST_F(WalsegWriter, ARecordLargerThanASegmentGetsASegmentOfItsOwn) {
  auto w = OpenWriter(SmallSegments(SyncPolicy::kEveryRecord));
  AppendRange(w.get(), 1, 2);
  std::vector<uint8_t> big = PatternBytes(99, 20000);  // > segment_bytes and > buffer_bytes
  uint64_t lsn;
  ASSERT_OK(w->Append(1, big.data(), big.size(), &lsn));
  EXPECT_EQ(lsn, 3u);
  EXPECT_EQ(w->segment_first_lsn(), 3u);
  AppendRange(w.get(), 4, 1);
  EXPECT_EQ(w->segment_first_lsn(), 4u);
  ASSERT_OK(w->Close());
  std::unique_ptr<LogReplay> rp;
  ASSERT_OK(LogReplay::Open(io::DefaultEnv(), Dir(), 3, ReaderOptions(), &rp));
  RecordView v;
  bool found;
  ASSERT_OK(rp->Next(&v, &found));
  ASSERT_TRUE(found);
  ASSERT_EQ(v.len, big.size());
  EXPECT_EQ(0, std::memcmp(v.data, big.data(), big.size()));
}

TEST_F(WalsegWriter, SyncPoliciesAdvanceTheDurableLsnAsSpecified) {
  {
    auto w = OpenWriter(SmallSegments(SyncPolicy::kEveryRecord));
    AppendRange(w.get(), 1, 3);
    EXPECT_EQ(w->durable_lsn(), 3u);
  }
  TempDir t2;
  WriterOptions o = SmallSegments(SyncPolicy::kExplicit);
  o.segment_bytes = 1 << 20;
  std::unique_ptr<LogWriter> w;
  ASSERT_OK(LogWriter::Open(io::DefaultEnv(), t2.File("e"), o, &w));
  uint64_t lsn;
  for (int i = 0; i < 50; i++) ASSERT_OK(w->Append(1, "abcdefgh", 8, &lsn));
  EXPECT_EQ(w->durable_lsn(), 0u);
  ASSERT_OK(w->Sync());
  EXPECT_EQ(w->durable_lsn(), 50u);

  TempDir t3;
  o.sync_policy = SyncPolicy::kGroup;
  o.group_bytes = 480;  // ten 48-byte records
  ASSERT_OK(LogWriter::Open(io::DefaultEnv(), t3.File("g"), o, &w));
  for (int i = 0; i < 9; i++) ASSERT_OK(w->Append(1, "abcdefgh", 8, &lsn));
  EXPECT_EQ(w->durable_lsn(), 0u);
  ASSERT_OK(w->Append(1, "abcdefgh", 8, &lsn));
  EXPECT_EQ(w->durable_lsn(), 10u);
}

TEST_F(WalsegWriter, GroupIntervalMakesATrailingRecordDurableWithoutAnotherCall) {
  WriterOptions o;
  o.sync_policy = SyncPolicy::kGroup;
  o.group_bytes = 1 << 30;       // never reached
  o.group_interval_us = 2000;    // the background thread syncs after 2 ms (L8)
  auto w = OpenWriter(o);
  uint64_t lsn;
  ASSERT_OK(w->Append(1, "last words", 10, &lsn));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (w->durable_lsn() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(w->durable_lsn(), 1u);
  ASSERT_OK(w->Append(1, "more", 4, &lsn));  // the next interval starts with this record
  ASSERT_OK(w->Close());
}

TEST_F(WalsegWriter, WithoutAnIntervalGroupRecordsWaitForBytesOrSync) {
  WriterOptions o;
  o.sync_policy = SyncPolicy::kGroup;
  o.group_bytes = 1 << 30;
  o.group_interval_us = 0;
  auto w = OpenWriter(o);
  uint64_t lsn;
  ASSERT_OK(w->Append(1, "x", 1, &lsn));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(w->durable_lsn(), 0u);
  ASSERT_OK(w->Sync());
  EXPECT_EQ(w->durable_lsn(), 1u);
}

TEST_F(WalsegWriter, PrewriteKeepsTheActiveSegmentAheadInWholeSteps) {
  WriterOptions o;
  o.segment_bytes = 1 << 20;
  o.prewrite_bytes = 64 << 10;
  o.buffer_bytes = 0;
  auto w = OpenWriter(o);
  AppendRange(w.get(), 1, 10);
  std::string seg = Dir() + "/" + SegmentName(1);
  EXPECT_EQ(FileSize(seg), 64u << 10);
  std::vector<uint8_t> big(100 << 10, 3);
  uint64_t lsn;
  ASSERT_OK(w->Append(1, big.data(), big.size(), &lsn));
  EXPECT_EQ(FileSize(seg), 128u << 10);  // ~103 KiB of records, rounded up to a step
  ASSERT_OK(w->Close());
  // The zeros behind the records read as a clean end, and reopening keeps appending there.
  ReplayResult r = Replay(Dir(), 0);
  EXPECT_EQ(r.reason, StopReason::kCleanEnd);
  EXPECT_EQ(r.lsns.size(), 11u);
}

TEST_F(WalsegWriter, WithoutPrewriteTheFileEndsAtTheLastRecord) {
  WriterOptions o;
  o.prewrite_bytes = 0;
  auto w = OpenWriter(o);
  AppendRange(w.get(), 1, 3);
  uint64_t expect = 0;
  for (uint64_t l = 1; l <= 3; l++) expect += RecordBytes(PayloadFor(l).size());
  EXPECT_EQ(FileSize(Dir() + "/" + SegmentName(1)), expect);
}

TEST_F(WalsegWriter, ClosedWriterRejectsCalls) {
  auto w = OpenWriter(WriterOptions());
  ASSERT_OK(w->Close());
  uint64_t lsn;
  EXPECT_EQ(w->Append(1, "a", 1, &lsn).code(), Code::kInvalid);
  EXPECT_EQ(w->Sync().code(), Code::kInvalid);
  EXPECT_OK(w->Close());  // idempotent
}

TEST_F(WalsegWriter, FirstLsnOptionStartsANewLog) {
  WriterOptions o;
  o.first_lsn = 1000;
  auto w = OpenWriter(o);
  uint64_t lsn;
  ASSERT_OK(w->Append(1, "a", 1, &lsn));
  EXPECT_EQ(lsn, 1000u);
  EXPECT_EQ(Segments(), std::vector<uint64_t>{1000});
}

TEST_F(WalsegWriter, ConcurrentAppendersGetDistinctConsecutiveLsns) {
  WriterOptions o = SmallSegments(SyncPolicy::kExplicit);
  auto w = OpenWriter(o);
  const int kThreads = 4, kEach = 150;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t]() {
      for (int i = 0; i < kEach; i++) {
        uint64_t lsn = 0;
        // The payload is chosen after the LSN is known, so write a fixed one here.
        Status st = w->Append(static_cast<uint16_t>(t + 1), "abcdefghij", 10, &lsn);
        if (!st.ok()) return;
        got[t].push_back(lsn);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_OK(w->Close());
  std::vector<uint64_t> all;
  for (auto& g : got) {
    ASSERT_EQ(g.size(), static_cast<size_t>(kEach));
    EXPECT_TRUE(std::is_sorted(g.begin(), g.end()));  // each thread sees its LSNs rise
    all.insert(all.end(), g.begin(), g.end());
  }
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); i++) ASSERT_EQ(all[i], i + 1);
  std::unique_ptr<LogReplay> rp;
  ASSERT_OK(LogReplay::Open(io::DefaultEnv(), Dir(), 0, ReaderOptions(), &rp));
  uint64_t n = 0;
  RecordView v;
  bool found = true;
  while (true) {
    ASSERT_OK(rp->Next(&v, &found));
    if (!found) break;
    n++;
  }
  EXPECT_EQ(n, all.size());
  EXPECT_EQ(rp->stop_reason(), StopReason::kCleanEnd);
}

TEST_F(WalsegWriter, AWriterInAnotherProcessIsBusy) {
  auto w = OpenWriter(WriterOptions());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::unique_ptr<LogWriter> other;
    Status st = LogWriter::Open(io::DefaultEnv(), Dir(), WriterOptions(), &other);
    _exit(st.code() == Code::kBusy ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_OK(w->Close());
}

// ---- replay -------------------------------------------------------------------------------

class WalsegReplay : public WalsegWriter {
 protected:
  void SetUp() override {
    auto w = OpenWriter(SmallSegments(SyncPolicy::kGroup));
    AppendRange(w.get(), 1, 400);
    ASSERT_OK(w->Close());
    firsts_ = Segments();
    ASSERT_GT(firsts_.size(), 10u);
  }
  std::vector<uint64_t> firsts_;
};

TEST_F(WalsegReplay, FromLsnsAtEverySegmentEdgeStartsExactlyThere) {
  for (size_t i = 0; i < firsts_.size(); i++) {
    uint64_t f = firsts_[i];
    for (uint64_t from : {f - 1, f, f + 1}) {
      if (from == 0) continue;
      ReplayResult r = Replay(Dir(), from);
      ASSERT_OK(r.error);
      ASSERT_FALSE(r.lsns.empty()) << from;
      EXPECT_EQ(r.lsns.front(), from);
      EXPECT_EQ(r.lsns.back(), 400u);
      EXPECT_EQ(r.lsns.size(), 401 - from);
      EXPECT_TRUE(r.payloads_ok);
      EXPECT_EQ(r.reason, StopReason::kCleanEnd);
      // Segments wholly before `from` were never opened.
      size_t start = (from < f) ? i - 1 : i;
      EXPECT_EQ(r.opened, firsts_.size() - start) << from;
    }
  }
}

TEST_F(WalsegReplay, SkippedSegmentsAreNotEvenRead) {
  // Destroy every segment before the fifth: a replay from there cannot notice.
  for (size_t i = 0; i < 4; i++) {
    WriteWholeFile(Dir() + "/" + SegmentName(firsts_[i]), std::vector<uint8_t>(100, 0xee));
  }
  ReplayResult r = Replay(Dir(), firsts_[4]);
  EXPECT_EQ(r.lsns.front(), firsts_[4]);
  EXPECT_EQ(r.reason, StopReason::kCleanEnd);
  ReplayResult all = Replay(Dir(), 0);
  EXPECT_TRUE(all.lsns.empty());
  EXPECT_EQ(all.reason, StopReason::kCorrupt);  // a damaged sealed segment
}

TEST_F(WalsegReplay, PastTheEndReturnsNothingAndEndsCleanly) {
  ReplayResult r = Replay(Dir(), 401);
  ASSERT_OK(r.error);
  EXPECT_TRUE(r.lsns.empty());
  EXPECT_EQ(r.reason, StopReason::kCleanEnd);
}

TEST_F(WalsegReplay, AMissingMiddleSegmentIsAGap) {
  ASSERT_EQ(0, std::remove((Dir() + "/" + SegmentName(firsts_[5])).c_str()));
  ReplayResult r = Replay(Dir(), 0);
  EXPECT_EQ(r.lsns.size(), firsts_[5] - 1);  // nothing after the gap
  EXPECT_EQ(r.reason, StopReason::kCorrupt);
  EXPECT_EQ(r.stop_segment, firsts_[4]);
}

TEST_F(WalsegReplay, ATornSealedSegmentIsCorruption) {
  std::string seg = Dir() + "/" + SegmentName(firsts_[3]);
  std::vector<uint8_t> bytes = ReadWholeFile(seg);
  bytes.resize(bytes.size() - 5);
  WriteWholeFile(seg, bytes);
  ReplayResult r = Replay(Dir(), 0);
  EXPECT_EQ(r.reason, StopReason::kCorrupt);
  EXPECT_EQ(r.stop_segment, firsts_[3]);
  EXPECT_EQ(r.lsns.back(), firsts_[4] - 2);
}

TEST_F(WalsegReplay, ATornLastSegmentIsATornTail) {
  std::string seg = Dir() + "/" + SegmentName(firsts_.back());
  std::vector<uint8_t> bytes = ReadWholeFile(seg);
  std::unique_ptr<SegmentReader> sr;
  ASSERT_OK(SegmentReader::Open(io::DefaultEnv(), seg, ReaderOptions(), &sr));
  RecordView v;
  bool found = true;
  while (found) ASSERT_OK(sr->Next(&v, &found));
  bytes.resize(sr->stop_offset() - 3);
  sr.reset();
  WriteWholeFile(seg, bytes);
  ReplayResult r = Replay(Dir(), 0);
  EXPECT_EQ(r.reason, StopReason::kTornTail);
  EXPECT_EQ(r.lsns.back(), 399u);
}

TEST_F(WalsegReplay, RemovedSegmentsMakeOlderLsnsNotFound) {
  auto w = OpenWriter(SmallSegments(SyncPolicy::kGroup));
  uint64_t removed = 0;
  ASSERT_OK(w->RemoveSegmentsBefore(firsts_[3] + 1, &removed));
  EXPECT_EQ(removed, 3u);
  ASSERT_OK(w->RemoveSegmentsBefore(UINT64_MAX, &removed));
  EXPECT_EQ(Segments().back(), firsts_.back());  // the active segment always stays
  ASSERT_OK(w->Close());
  ReplayResult r = Replay(Dir(), 1);
  EXPECT_EQ(r.error.code(), Code::kNotFound);
  ReplayResult last = Replay(Dir(), 0);
  EXPECT_EQ(last.lsns.front(), firsts_.back());
  EXPECT_EQ(last.reason, StopReason::kCleanEnd);
}

TEST_F(WalsegReplay, EmptyDirectoryEndsCleanly) {
  TempDir t;
  std::vector<uint64_t> none;
  ReplayResult r = Replay(t.path(), 0);
  ASSERT_OK(r.error);
  EXPECT_EQ(r.reason, StopReason::kCleanEnd);
}

}  // namespace
}  // namespace walseg
}  // namespace pager
