// Crash simulation and fault injection of the WAL segment writer on FaultEnv.
//
// Crash: a workload runs once per sync point k (CrashAtSync(k)); for several crash images of
// each point we check that every record acknowledged as durable before the crash is read back
// with its exact payload, that the replay returns a gap-free prefix and never reports
// corruption, and that a writer reopening the image continues the log seamlessly.
// Faults: EIO / ENOSPC on writes and syncs, and an fsync that loses data, each poison the
// writer; reopening recovers every acknowledged record.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <functional>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/walseg/reader.h"
#include "impl/walseg/writer.h"
#include "tests/support/test_util.h"
#include "tests/walseg_support.h"

namespace pager {
namespace walseg {
namespace {

using io::FaultEnv;
using io::FaultKind;
using io::MemEnv;
using testing::PatternBytes;

const char* kDir = "/tmp/log";
constexpr int kSeedsPerPoint = 12;

std::vector<uint8_t> PayloadFor(uint64_t lsn) { return PatternBytes(lsn, (lsn * 53) % 400); }

// One crash-simulation configuration: a sync policy, with pre-written segments and a staging
// buffer, or with plain appends that grow the file and records written one by one.
struct CrashCase {
  const char* name;
  SyncPolicy policy;
  bool prewrite;
};

WriterOptions CrashOptions(SyncPolicy policy, bool prewrite = true) {
  WriterOptions o;
  o.sync_policy = policy;
  o.segment_bytes = 1500;  // a few records per segment: rotations are sync points too
  o.prewrite_bytes = prewrite ? 4096 : 0;
  o.group_bytes = 700;
  o.group_interval_us = 0;  // deterministic: byte-triggered groups only, no flusher thread
  o.buffer_bytes = prewrite ? 512 : 0;
  return o;
}

// Appends records from the writer's next LSN on; explicit policy syncs every 4th. Returns
// the highest LSN the writer acknowledged as durable (its durable_lsn after each successful
// call). Stops at the first error (the simulated crash, or an injected fault).
uint64_t RunWorkload(io::Env* env, const CrashCase& c, int records, Status* first_error) {
  *first_error = Status::Ok();
  const SyncPolicy policy = c.policy;
  std::unique_ptr<LogWriter> w;
  Status st = LogWriter::Open(env, kDir, CrashOptions(policy, c.prewrite), &w);
  if (!st.ok()) {
    *first_error = st;
    return 0;
  }
  uint64_t acked = w->durable_lsn();
  for (int i = 0; i < records; i++) {
    uint64_t lsn = w->next_lsn();
    std::vector<uint8_t> p = PayloadFor(lsn);
    st = w->Append(static_cast<uint16_t>(1 + lsn % 3), p.data(), p.size(), &lsn);
    if (st.ok() && policy == SyncPolicy::kExplicit && i % 4 == 3) st = w->Sync();
    if (!st.ok()) {
      *first_error = st;
      return acked;
    }
    st = w->CheckInvariants();
    if (!st.ok()) {
      *first_error = st;
      return acked;
    }
    acked = w->durable_lsn();
  }
  st = w->Close();
  if (!st.ok()) {
    *first_error = st;
    return acked;
  }
  return w->durable_lsn();
}

uint64_t RunWorkload(io::Env* env, SyncPolicy policy, int records, Status* first_error) {
  return RunWorkload(env, CrashCase{"", policy, true}, records, first_error);
}

ReplayResult ReplayAll(io::Env* env) { return ReplayLog(env, kDir, 0, PayloadFor); }

// Everything acknowledged is there, gap-free from LSN 1, with the right bytes, and the stop
// is a clean end or a torn tail -- never corruption.
void CheckSurvivors(io::Env* env, uint64_t acked, const std::string& where) {
  ReplayResult r = ReplayAll(env);
  if (r.error.code() == Code::kNotFound && acked == 0) return;  // the directory never made it
  ASSERT_OK(r.error);
  ASSERT_NE(r.reason, StopReason::kCorrupt) << where << ": " << r.detail;
  ASSERT_GE(r.lsns.size(), acked) << where;
  for (size_t i = 0; i < r.lsns.size(); i++) ASSERT_EQ(r.lsns[i], i + 1) << where;
  ASSERT_TRUE(r.payloads_ok) << where;
}

// A writer reopening the image recovers, continues at the next LSN, and the log reads back
// whole afterwards.
void CheckReopenContinues(FaultEnv* env, const std::string& where) {
  ReplayResult before = ReplayAll(env);
  uint64_t last = before.lsns.empty() ? 0 : before.lsns.back();
  std::unique_ptr<LogWriter> w;
  Status opened = LogWriter::Open(env, kDir, CrashOptions(SyncPolicy::kEveryRecord), &w);
  ASSERT_TRUE(opened.ok()) << where << ": " << opened.ToString();
  ASSERT_EQ(w->next_lsn(), last + 1) << where;
  for (int i = 0; i < 3; i++) {
    uint64_t lsn = w->next_lsn();
    std::vector<uint8_t> p = PayloadFor(lsn);
    ASSERT_OK(w->Append(1, p.data(), p.size(), &lsn));
  }
  ASSERT_OK(w->Close());
  ReplayResult after = ReplayAll(env);
  ASSERT_EQ(after.reason, StopReason::kCleanEnd) << where << ": " << after.detail;
  ASSERT_EQ(after.lsns.size(), last + 3) << where;
  ASSERT_TRUE(after.payloads_ok) << where;
}

class WalsegCrash : public ::testing::TestWithParam<CrashCase> {};

TEST_P(WalsegCrash, EverySyncPointKeepsEveryAcknowledgedRecordAndNothingAfterAGap) {
  const int kRecords = 40;
  uint64_t total_syncs;
  {
    FaultEnv dry;
    Status err;
    ASSERT_EQ(RunWorkload(&dry, GetParam(), kRecords, &err), static_cast<uint64_t>(kRecords));
    ASSERT_OK(err);
    total_syncs = dry.SyncCount();
  }
  ASSERT_GT(total_syncs, 8u);
  for (uint64_t k = 1; k <= total_syncs; k++) {
    FaultEnv env;
    env.CrashAtSync(k);
    Status err;
    uint64_t acked = RunWorkload(&env, GetParam(), kRecords, &err);
    ASSERT_TRUE(env.crashed()) << "sync point " << k;
    ASSERT_NE(err.code(), Code::kInternal) << err.ToString();
    for (int seed = 0; seed < kSeedsPerPoint; seed++) {
      std::string where = "sync point " + std::to_string(k) + " seed " + std::to_string(seed);
      std::unique_ptr<FaultEnv> img = FaultEnv::FromImage(env.CrashImage(seed));
      CheckSurvivors(img.get(), acked, where);
      if (::testing::Test::HasFatalFailure()) return;
      CheckReopenContinues(img.get(), where);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST_P(WalsegCrash, ACrashDuringRecoveryLosesNothingAcknowledged) {
  // First crash mid-workload, then crash the recovering writer at each of its sync points.
  const int kRecords = 16;
  Status err;
  uint64_t total_syncs;
  {
    FaultEnv dry;
    RunWorkload(&dry, GetParam(), kRecords, &err);
    ASSERT_OK(err);
    total_syncs = dry.SyncCount();
  }
  FaultEnv first;
  first.CrashAtSync(total_syncs / 2 + 1);
  uint64_t acked = RunWorkload(&first, GetParam(), kRecords, &err);
  ASSERT_TRUE(first.crashed());
  for (int seed = 0; seed < 3; seed++) {
    auto image = first.CrashImage(seed);
    uint64_t recovery_syncs;
    {
      std::unique_ptr<FaultEnv> dry = FaultEnv::FromImage(image);
      uint64_t before = dry->SyncCount();
      RunWorkload(dry.get(), GetParam(), 4, &err);
      ASSERT_OK(err);
      recovery_syncs = dry->SyncCount() - before;
    }
    ASSERT_GE(recovery_syncs, 3u);  // open's fdatasync and directory sync, then appends
    for (uint64_t k = 1; k <= recovery_syncs; k++) {
      std::unique_ptr<FaultEnv> second = FaultEnv::FromImage(image);
      second->CrashAtSync(second->SyncCount() + k);
      uint64_t acked2 = RunWorkload(second.get(), GetParam(), 4, &err);
      ASSERT_TRUE(second->crashed());
      std::unique_ptr<FaultEnv> img = FaultEnv::FromImage(second->CrashImage(seed + 100));
      std::string where = "seed " + std::to_string(seed) + " recovery sync " + std::to_string(k);
      CheckSurvivors(img.get(), std::max(acked, acked2), where);
      if (::testing::Test::HasFatalFailure()) return;
      CheckReopenContinues(img.get(), where);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Policies, WalsegCrash,
                         ::testing::Values(CrashCase{"EveryRecord", SyncPolicy::kEveryRecord, true},
                                           CrashCase{"Group", SyncPolicy::kGroup, true},
                                           CrashCase{"Explicit", SyncPolicy::kExplicit, true},
                                           CrashCase{"EveryRecordPlainAppends",
                                                     SyncPolicy::kEveryRecord, false},
                                           CrashCase{"GroupPlainAppends", SyncPolicy::kGroup,
                                                     false}),
                         [](const ::testing::TestParamInfo<CrashCase>& p) {
                           return std::string(p.param.name);
                         });

// ---- fault injection ----------------------------------------------------------------------

class WalsegFault : public ::testing::Test {
 protected:
  // Runs the every-record workload with a fault armed after the writer is open and a few
  // records are in; expects the failure code, then poison, then a clean recovery.
  void ExpectPoisonAndRecovery(const std::function<void(FaultEnv*)>& arm, Code expected) {
    FaultEnv env;
    std::unique_ptr<LogWriter> w;
    ASSERT_OK(LogWriter::Open(&env, kDir, CrashOptions(SyncPolicy::kEveryRecord), &w));
    uint64_t lsn;
    for (int i = 0; i < 5; i++) {
      std::vector<uint8_t> p = PayloadFor(w->next_lsn());
      ASSERT_OK(w->Append(1, p.data(), p.size(), &lsn));
    }
    uint64_t acked = w->durable_lsn();
    arm(&env);
    Status st;
    for (int i = 0; i < 20 && st.ok(); i++) {
      std::vector<uint8_t> p = PayloadFor(w->next_lsn());
      st = w->Append(1, p.data(), p.size(), &lsn);
      if (st.ok()) acked = w->durable_lsn();
    }
    ASSERT_EQ(st.code(), expected) << st.ToString();
    EXPECT_TRUE(w->poisoned());
    std::vector<uint8_t> p = PayloadFor(w->next_lsn());
    EXPECT_EQ(w->Append(1, p.data(), p.size(), &lsn).code(), Code::kPoisoned);
    EXPECT_EQ(w->Sync().code(), Code::kPoisoned);
    EXPECT_EQ(w->Close().code(), Code::kPoisoned);
    w.reset();
    env.ClearFaults();
    // Reopen in the same process (page cache intact), append, then lose power: every record
    // acknowledged before the fault and after the reopen survives.
    {
      std::unique_ptr<LogWriter> w2;
      ASSERT_OK(LogWriter::Open(&env, kDir, CrashOptions(SyncPolicy::kEveryRecord), &w2));
      for (int i = 0; i < 4; i++) {
        std::vector<uint8_t> q = PayloadFor(w2->next_lsn());
        ASSERT_OK(w2->Append(1, q.data(), q.size(), &lsn));
      }
      acked = w2->durable_lsn();
      ASSERT_OK(w2->Close());
    }
    for (int seed = 0; seed < 8; seed++) {
      std::unique_ptr<FaultEnv> img = FaultEnv::FromImage(env.CrashImage(seed));
      CheckSurvivors(img.get(), acked, "seed " + std::to_string(seed));
    }
  }
};

TEST_F(WalsegFault, EioOnAWritePoisonsTheWriter) {
  ExpectPoisonAndRecovery(
      [](FaultEnv* e) { e->FailNth(MemEnv::Op::kWrite, 3, FaultKind::kEio, false); }, Code::kIo);
}

TEST_F(WalsegFault, EnospcOnAWritePoisonsTheWriter) {
  ExpectPoisonAndRecovery(
      [](FaultEnv* e) { e->FailNth(MemEnv::Op::kWrite, 2, FaultKind::kEnospc, true); },
      Code::kNoSpace);
}

TEST_F(WalsegFault, EioOnASyncPoisonsTheWriter) {
  ExpectPoisonAndRecovery(
      [](FaultEnv* e) { e->FailNth(MemEnv::Op::kSync, 4, FaultKind::kEio, false); }, Code::kIo);
}

TEST_F(WalsegFault, FailureOfTheDirectorySyncAtRotationPoisonsTheWriter) {
  // Every sync fails from the 2nd on: within 20 records of ~1500-byte segments a rotation's
  // SyncDir is among them, and whichever fails first poisons.
  ExpectPoisonAndRecovery(
      [](FaultEnv* e) { e->FailNth(MemEnv::Op::kSync, 2, FaultKind::kEio, true); }, Code::kIo);
}

TEST_F(WalsegFault, AnFsyncThatLosesDataIsNeverTrustedAgain) {
  // The lost pages read back fine but no later fsync writes them (Linux). Recovery rewrites
  // the records before vouching for them, so a power loss after the reopen keeps them all.
  for (uint64_t n = 1; n <= 6; n++) {
    SCOPED_TRACE("lossy sync " + std::to_string(n));
    ExpectPoisonAndRecovery([n](FaultEnv* e) { e->FailSyncLosingData(n); }, Code::kIo);
  }
}

TEST_F(WalsegFault, ABackgroundGroupSyncFailurePoisonsTheNextCall) {
  FaultEnv env;
  WriterOptions o = CrashOptions(SyncPolicy::kGroup);
  o.group_bytes = 1 << 30;
  o.group_interval_us = 1000;
  std::unique_ptr<LogWriter> w;
  ASSERT_OK(LogWriter::Open(&env, kDir, o, &w));
  env.FailNth(MemEnv::Op::kSync, 1, FaultKind::kEio, false);
  uint64_t lsn;
  ASSERT_OK(w->Append(1, "abc", 3, &lsn));
  for (int i = 0; i < 5000 && !w->poisoned(); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(w->poisoned());
  Status st = w->Append(1, "def", 3, &lsn);
  EXPECT_EQ(st.code(), Code::kPoisoned);
  EXPECT_NE(st.message().find("injected EIO"), std::string::npos) << st.message();
  EXPECT_EQ(w->Close().code(), Code::kPoisoned);
}

TEST_F(WalsegFault, EnospcWhilePrewritingIsReportedAndPoisons) {
  FaultEnv env;
  WriterOptions o = CrashOptions(SyncPolicy::kEveryRecord);
  o.segment_bytes = 1 << 20;
  o.prewrite_bytes = 64 << 10;
  std::unique_ptr<LogWriter> w;
  ASSERT_OK(LogWriter::Open(&env, kDir, o, &w));
  env.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEnospc, true);
  uint64_t lsn;
  EXPECT_EQ(w->Append(1, "abc", 3, &lsn).code(), Code::kNoSpace);
  EXPECT_TRUE(w->poisoned());
}

TEST_F(WalsegFault, EveryFailingOperationDuringOpenIsAnErrorNotACrash) {
  // Build a log with a few segments, then fail the n-th operation of a reopen, for every n.
  FaultEnv base;
  Status err;
  RunWorkload(&base, SyncPolicy::kEveryRecord, 12, &err);
  ASSERT_OK(err);
  auto image = base.CrashImage(0);
  for (uint64_t n = 1; n < 200; n++) {
    std::unique_ptr<FaultEnv> env = FaultEnv::FromImage(image);
    env->FailNthAny(n, FaultKind::kEio, false);
    std::unique_ptr<LogWriter> w;
    Status st = LogWriter::Open(env.get(), kDir, CrashOptions(SyncPolicy::kEveryRecord), &w);
    if (st.ok()) {
      ASSERT_OK(w->Close());
      break;  // n passed the number of operations open performs
    }
    EXPECT_EQ(st.code(), Code::kIo) << n << ": " << st.ToString();
    env->ClearFaults();
    CheckSurvivors(env.get(), 12, "open fault " + std::to_string(n));
  }
}

// I/O-error sweep (SQLite's ioerr tests): the Nth I/O operation of a whole workload -- open,
// appends under every sync policy, rotations, close -- fails with EIO or ENOSPC, once or from
// then on, for every N until the workload runs clean. The failed call reports IO or NOSPC, the
// writer is poisoned, and every acknowledged record survives, live and after a power loss;
// a reopen continues the log.
void IoErrSweep(SyncPolicy policy, FaultKind kind, bool persistent) {
  uint64_t total_ops = 0;
  {
    FaultEnv probe;
    Status err;
    uint64_t start = probe.OpCount();
    RunWorkload(&probe, policy, 24, &err);
    ASSERT_OK(err);
    total_ops = probe.OpCount() - start;
  }
  ASSERT_GT(total_ops, 24u);
  uint64_t failures = 0;
  for (uint64_t n = 1; n <= total_ops + 1; n++) {
    const std::string where = "operation " + std::to_string(n) + " of " +
                              std::to_string(total_ops) + (persistent ? " (persistent)" : "");
    FaultEnv env;
    env.FailNthAny(n, kind, persistent);
    Status err;
    uint64_t acked = RunWorkload(&env, policy, 24, &err);
    env.ClearFaults();
    if (!err.ok()) {
      failures++;
      ASSERT_TRUE(err.code() == Code::kIo || err.code() == Code::kNoSpace)
          << where << ": " << err.ToString();
    }
    CheckSurvivors(&env, acked, where + ", live");
    std::unique_ptr<FaultEnv> image = FaultEnv::FromImage(env.CrashImage(n));
    CheckSurvivors(image.get(), acked, where + ", after power loss");
    if (acked > 0) CheckReopenContinues(image.get(), where + ", reopened");
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(failures, total_ops / 2);
}

TEST(WalsegIoErr, EveryOperationFailingOnceUnderEveryRecord) {
  IoErrSweep(SyncPolicy::kEveryRecord, FaultKind::kEio, false);
}
TEST(WalsegIoErr, EveryOperationFailingForeverUnderEveryRecord) {
  IoErrSweep(SyncPolicy::kEveryRecord, FaultKind::kEio, true);
}
TEST(WalsegIoErr, EveryOperationOutOfSpaceUnderGroup) {
  IoErrSweep(SyncPolicy::kGroup, FaultKind::kEnospc, true);
}
TEST(WalsegIoErr, EveryOperationFailingOnceUnderExplicit) {
  IoErrSweep(SyncPolicy::kExplicit, FaultKind::kEio, false);
}

}  // namespace
}  // namespace walseg
}  // namespace pager
