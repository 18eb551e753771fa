// LogWriter paths the crash and I/O-error sweeps do not reach: every option outside its range,
// a reopen that must cut a torn tail failing at each of its operations, segment removal
// failing at each of its operations, and records too large to stage failing as they are
// written. Each failure is reported (IO / NOSPC / INVALID naming the field), poisons the
// writer when it happened after the writer acknowledged anything, and loses no acknowledged
// record: a clean reopen continues the log.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/walseg/format.h"
#include "impl/walseg/reader.h"
#include "impl/walseg/writer.h"
#include "tests/support/test_util.h"

namespace pager {
namespace walseg {
namespace {

using io::FaultEnv;
using io::FaultKind;
using testing::PatternBytes;

const char* kDir = "/log";

std::vector<uint8_t> PayloadFor(uint64_t lsn) { return PatternBytes(lsn, (lsn * 37) % 300); }

WriterOptions Small() {
  WriterOptions o;
  o.sync_policy = SyncPolicy::kEveryRecord;
  o.segment_bytes = 1024;
  o.prewrite_bytes = 0;
  o.buffer_bytes = 0;
  o.group_interval_us = 0;
  return o;
}

// Every LSN from 1 with its exact payload, the stop a clean end or a torn tail.
std::vector<uint64_t> Lsns(io::Env* env, bool* payloads_ok) {
  std::vector<uint64_t> out;
  *payloads_ok = true;
  std::unique_ptr<LogReplay> rp;
  Status st = LogReplay::Open(env, kDir, 0, ReaderOptions(), &rp);
  EXPECT_OK(st);
  if (!st.ok()) return out;
  for (;;) {
    RecordView v;
    bool found = false;
    st = rp->Next(&v, &found);
    EXPECT_OK(st);
    if (!st.ok() || !found) break;
    out.push_back(v.lsn);
    std::vector<uint8_t> want = PayloadFor(v.lsn);
    if (v.len != want.size() || (v.len > 0 && std::memcmp(v.data, want.data(), v.len) != 0)) {
      *payloads_ok = false;
    }
  }
  EXPECT_NE(rp->stop_reason(), StopReason::kCorrupt) << rp->stop_detail();
  return out;
}

void AppendRange(LogWriter* w, uint64_t from, uint64_t count) {
  for (uint64_t lsn = from; lsn < from + count; lsn++) {
    std::vector<uint8_t> p = PayloadFor(lsn);
    uint64_t got = 0;
    ASSERT_OK(w->Append(1, p.data(), p.size(), &got));
    ASSERT_EQ(got, lsn);
  }
}

// The log holds LSN 1..acked (and maybe more, never a gap), and a reopen continues it.
void ExpectAcknowledgedAndContinues(FaultEnv* env, uint64_t acked, const std::string& where) {
  bool ok = true;
  std::vector<uint64_t> lsns = Lsns(env, &ok);
  ASSERT_GE(lsns.size(), acked) << where;
  for (size_t i = 0; i < lsns.size(); i++) ASSERT_EQ(lsns[i], i + 1) << where;
  ASSERT_TRUE(ok) << where;
  std::unique_ptr<LogWriter> w;
  Status st = LogWriter::Open(env, kDir, Small(), &w);
  ASSERT_TRUE(st.ok()) << where << ": " << st.ToString();
  ASSERT_EQ(w->next_lsn(), lsns.size() + 1) << where;
  AppendRange(w.get(), lsns.size() + 1, 2);
  ASSERT_OK(w->CheckInvariants());
  ASSERT_OK(w->Close());
}

TEST(WalsegWriterRefusal, EveryOptionOutsideItsRangeIsInvalidNamingTheField) {
  struct Bad {
    std::string says;
    std::function<void(WriterOptions*)> set;
  } cases[] = {
      {"sync_policy = 3 is outside {0, 1, 2}",
       [](WriterOptions* o) { o->sync_policy = static_cast<SyncPolicy>(3); }},
      {"segment_bytes = 255 is outside [256, 2^40]", [](WriterOptions* o) { o->segment_bytes = 255; }},
      {"segment_bytes = 1099511627777 is outside [256, 2^40]",
       [](WriterOptions* o) { o->segment_bytes = (uint64_t{1} << 40) + 1; }},
      {"group_bytes = 0 is outside [1, 2^64)", [](WriterOptions* o) { o->group_bytes = 0; }},
      {"max_payload_bytes = 0 is outside [1, ", [](WriterOptions* o) { o->max_payload_bytes = 0; }},
      {"max_payload_bytes = " + std::to_string(kFormatMaxPayloadBytes + 1) + " is outside",
       [](WriterOptions* o) { o->max_payload_bytes = kFormatMaxPayloadBytes + 1; }},
      {"prewrite_bytes = 100 is outside 0 or a multiple of 4096 up to 2^30",
       [](WriterOptions* o) { o->prewrite_bytes = 100; }},
      {"prewrite_bytes = 1073745920 is outside",
       [](WriterOptions* o) { o->prewrite_bytes = (uint64_t{1} << 30) + 4096; }},
      {"buffer_bytes = 1073741825 is outside [0, 2^30]",
       [](WriterOptions* o) { o->buffer_bytes = (uint64_t{1} << 30) + 1; }},
      {"first_lsn = 0 is outside [1, 2^62]", [](WriterOptions* o) { o->first_lsn = 0; }},
      {"first_lsn = 4611686018427387905 is outside [1, 2^62]",
       [](WriterOptions* o) { o->first_lsn = (uint64_t{1} << 62) + 1; }},
  };
  for (const Bad& c : cases) {
    io::MemEnv env;
    WriterOptions o = Small();
    c.set(&o);
    std::unique_ptr<LogWriter> w;
    Status st = LogWriter::Open(&env, kDir, o, &w);
    EXPECT_EQ(st.code(), Code::kInvalid) << c.says << ": " << st.ToString();
    EXPECT_NE(st.message().find("walseg option " + c.says), std::string::npos)
        << st.ToString();
    EXPECT_EQ(w, nullptr);
    EXPECT_TRUE(env.FilePaths().empty()) << "a refused open created " << env.FilePaths()[0];
  }
}

// A log of 10 records whose last segment ends in half a record (a write torn by a crash).
std::map<std::string, std::vector<uint8_t>> TornImage() {
  FaultEnv env;
  {
    std::unique_ptr<LogWriter> w;
    EXPECT_OK(LogWriter::Open(&env, kDir, Small(), &w));
    AppendRange(w.get(), 1, 10);
    EXPECT_OK(w->Close());
  }
  std::vector<std::string> paths = env.FilePaths();
  std::string last;
  for (const std::string& p : paths) {
    if (p.find("LOCK") == std::string::npos) last = p;  // names sort by first LSN
  }
  std::vector<uint8_t> bytes;
  EXPECT_OK(env.GetFileBytes(last, &bytes));
  std::vector<uint8_t> junk = PayloadFor(11);
  std::vector<uint8_t> torn(RecordBytes(junk.size()));
  EncodeRecord(1, 11, 10, junk.data(), static_cast<uint32_t>(junk.size()), torn.data());
  bytes.insert(bytes.end(), torn.begin(), torn.begin() + 30);
  EXPECT_OK(env.SetFileBytes(last, bytes));
  return env.CrashImage(0);
}

TEST(WalsegWriterRefusal, AReopenCuttingATornTailFailingAtEveryOperationLosesNothing) {
  auto image = TornImage();
  int failures = 0;
  bool clean = false;
  for (uint64_t n = 1; n < 200 && !clean; n++) {
    for (FaultKind kind : {FaultKind::kEio, FaultKind::kEnospc}) {
      const std::string where = "operation " + std::to_string(n);
      std::unique_ptr<FaultEnv> env = FaultEnv::FromImage(image);
      env->FailNthAny(n, kind, false);
      std::unique_ptr<LogWriter> w;
      Status st = LogWriter::Open(env.get(), kDir, Small(), &w);
      env->ClearFaults();
      if (st.ok()) {
        EXPECT_EQ(w->next_lsn(), 11u) << where;
        ASSERT_OK(w->Close());
      } else {
        failures++;
        EXPECT_TRUE(st.code() == Code::kIo || st.code() == Code::kNoSpace)
            << where << ": " << st.ToString();
        EXPECT_EQ(w, nullptr);
      }
      ExpectAcknowledgedAndContinues(env.get(), 10, where);
      if (::testing::Test::HasFailure()) return;
      clean = st.ok();  // n is past the last operation of the open
    }
  }
  EXPECT_GT(failures, 10);
}

TEST(WalsegWriterRefusal, OpeningWhereTheLogDirectoryCannotBeMadeFailsAndCreatesNothing) {
  for (uint64_t n = 1; n < 6; n++) {
    FaultEnv env;
    env.FailNth(io::MemEnv::Op::kNamespace, n, FaultKind::kEio, false);
    std::unique_ptr<LogWriter> w;
    Status st = LogWriter::Open(&env, kDir, Small(), &w);
    env.ClearFaults();
    if (st.ok()) {
      ASSERT_OK(w->Close());
      continue;
    }
    EXPECT_EQ(st.code(), Code::kIo) << n << ": " << st.ToString();
    // Whatever was made is a valid empty log a later open continues.
    std::unique_ptr<LogWriter> again;
    SCOPED_TRACE(n);
    ASSERT_OK(LogWriter::Open(&env, kDir, Small(), &again));
    EXPECT_EQ(again->next_lsn(), 1u);
    ASSERT_OK(again->Close());
  }
}

TEST(WalsegWriterRefusal, SegmentRemovalFailingAtEveryOperationPoisonsAndLosesNothingKept) {
  FaultEnv base;
  uint64_t segments = 0;
  {
    std::unique_ptr<LogWriter> w;
    ASSERT_OK(LogWriter::Open(&base, kDir, Small(), &w));
    AppendRange(w.get(), 1, 30);
    segments = w->segment_count();
    ASSERT_OK(w->Close());
  }
  ASSERT_GE(segments, 4u);
  auto image = base.CrashImage(0);
  int failures = 0;
  for (uint64_t n = 1; n < 100; n++) {
    const std::string where = "operation " + std::to_string(n);
    std::unique_ptr<FaultEnv> env = FaultEnv::FromImage(image);
    std::unique_ptr<LogWriter> w;
    ASSERT_OK(LogWriter::Open(env.get(), kDir, Small(), &w));
    env->FailNthAny(n, FaultKind::kEio, false);
    uint64_t removed = 777;
    Status st = w->RemoveSegmentsBefore(31, &removed);
    env->ClearFaults();
    if (st.ok()) {
      EXPECT_GE(removed, 3u) << where;
      ASSERT_OK(w->Close());
      break;
    }
    failures++;
    EXPECT_EQ(st.code(), Code::kIo) << where << ": " << st.ToString();
    EXPECT_EQ(removed, 777u) << where << ": the count is set only on success";
    // The writer is poisoned (a namespace change may be half durable) unless nothing was
    // touched yet (listing the directory failed).
    uint64_t lsn = 0;
    std::vector<uint8_t> p = PayloadFor(31);
    Status next = w->Append(1, p.data(), p.size(), &lsn);
    if (!next.ok()) {
      EXPECT_EQ(next.code(), Code::kPoisoned) << where << ": " << next.ToString();
    }
    w.reset();
    // Removal goes oldest first: what remains is a suffix ending at LSN 30.
    std::unique_ptr<LogReplay> rp;
    SCOPED_TRACE(where);
    ASSERT_OK(LogReplay::Open(env.get(), kDir, 0, ReaderOptions(), &rp));
    uint64_t last = 0;
    for (;;) {
      RecordView v;
      bool found = false;
      ASSERT_OK(rp->Next(&v, &found));
      if (!found) break;
      if (last != 0) {
        ASSERT_EQ(v.lsn, last + 1) << where;
      }
      last = v.lsn;
    }
    EXPECT_GE(last, 30u) << where;
  }
  EXPECT_GT(failures, 0);
}

TEST(WalsegWriterRefusal, ARecordTooLargeToStageThatFailsToWritePoisonsAndKeepsTheRest) {
  // Staging on (a small buffer) and prewriting on: a record larger than the buffer is written
  // in place after flushing the staged ones; each of those writes failing poisons the writer
  // and the records acknowledged before it survive.
  WriterOptions o = Small();
  o.sync_policy = SyncPolicy::kExplicit;
  o.buffer_bytes = 64;
  o.prewrite_bytes = 4096;
  o.segment_bytes = 1 << 16;
  for (uint64_t n = 1; n < 20; n++) {
    const std::string where = "write " + std::to_string(n);
    FaultEnv env;
    std::unique_ptr<LogWriter> w;
    ASSERT_OK(LogWriter::Open(&env, kDir, o, &w));
    AppendRange(w.get(), 1, 3);  // small: staged
    ASSERT_OK(w->Sync());
    std::vector<uint8_t> small = PayloadFor(4);
    uint64_t lsn = 0;
    ASSERT_OK(w->Append(1, small.data(), small.size(), &lsn));  // staged, not durable
    env.FailNth(io::MemEnv::Op::kWrite, n, FaultKind::kEnospc, false);
    std::vector<uint8_t> big = PatternBytes(99, 6000);
    Status st = w->Append(1, big.data(), big.size(), &lsn);
    env.ClearFaults();
    if (st.ok()) {
      ASSERT_OK(w->Close());
      break;
    }
    EXPECT_EQ(st.code(), Code::kNoSpace) << where << ": " << st.ToString();
    Status again = w->Sync();
    EXPECT_EQ(again.code(), Code::kPoisoned) << where << ": " << again.ToString();
    w.reset();
    bool ok = true;
    std::vector<uint64_t> lsns = Lsns(&env, &ok);
    ASSERT_GE(lsns.size(), 3u) << where;
    for (size_t i = 0; i < 3; i++) EXPECT_EQ(lsns[i], i + 1) << where;
  }
}

}  // namespace
}  // namespace walseg
}  // namespace pager
