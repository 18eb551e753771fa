// Out-parameter cases of every pager_walseg_* function (tests/outparam.h): each pre-fills its
// out-parameters with the sentinel, makes the call fail -- after argument validation where the
// function can fail that way (a write, sync, open or remove failing through the FaultEnv seam,
// a busy lock, a missing file, an unknown required type) -- and checks the code, that every
// sentinel is intact (C5), and that the next successful call leaves pager_last_error() "" (C2).
#include <gtest/gtest.h>

#include <string>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"
#include "tests/support/test_util.h"

namespace {

using outparam::Fill;
using outparam::kSentinel32;
using outparam::kSentinel64;
using outparam::SentinelPtr;
using outparam::Untouched;
using pager::io::FaultEnv;
using pager::io::FaultKind;
using Op = pager::io::MemEnv::Op;

const char* kDir = "/walseg/log";
const char* kFirstSegment = "/walseg/log/0000000000000001.wal";

// A log on a FaultEnv: every pager_walseg_* call while it lives goes through fault_env.
// (The suite is OutParam for every component, so the cases are plain TESTs that make one.)
class FaultLog {
 public:
  FaultLog() { EXPECT_TRUE(fault_env.CreateDir("/walseg", 0755).ok()); }
  // Opens a writer with `segment_bytes` and `policy`.
  pager_walseg_writer* OpenWriter(uint64_t segment_bytes = 4096,
                                  uint32_t policy = PAGER_WALSEG_SYNC_EVERY_RECORD) {
    pager_walseg_options o;
    pager_walseg_options_init(&o);
    o.segment_bytes = segment_bytes;
    o.sync_policy = policy;
    o.prewrite_bytes = 0;
    pager_walseg_writer* w = nullptr;
    EXPECT_PAGER_OK(pager_walseg_writer_open(kDir, &o, &w));
    return w;
  }
  // A closed log of `records` records of 200 bytes, one per segment when segment_bytes is 256.
  void WriteLog(int records, uint64_t segment_bytes = 4096, uint16_t type = 1) {
    pager_walseg_writer* w = OpenWriter(segment_bytes);
    std::string payload(200, 'x');
    for (int i = 0; i < records; i++) {
      uint64_t lsn = 0;
      ASSERT_PAGER_OK(pager_walseg_append(w, type, payload.data(), payload.size(), &lsn));
    }
    ASSERT_PAGER_OK(pager_walseg_writer_close(w));
  }
  // C2: a successful call after the failure leaves no detail message.
  static void ExpectClearedBy(int rc) {
    EXPECT_EQ(rc, PAGER_OK);
    EXPECT_STREQ(pager_last_error(), "");
  }

  FaultEnv fault_env;

 private:
  outparam::ScopedEnv env_{&fault_env};
};

// Leaves a detail message behind, so a void function can show that it clears it (C2).
void MakeAnError() {
  ASSERT_EQ(pager_walseg_sync(nullptr), PAGER_ERR_INVALID);
  ASSERT_STRNE(pager_last_error(), "");
}

// ---- writer -------------------------------------------------------------------------------

TEST(OutParam, pager_walseg_options_init) {
  FaultLog log;
  MakeAnError();
  pager_walseg_options_init(nullptr);  // NULL-safe, and clears the last error
  EXPECT_STREQ(pager_last_error(), "");
  pager_walseg_options o;
  Fill(&o, sizeof o);
  MakeAnError();
  pager_walseg_options_init(&o);
  EXPECT_STREQ(pager_last_error(), "");
  EXPECT_EQ(o.struct_size, sizeof o);
}

TEST(OutParam, pager_walseg_writer_open) {
  FaultLog log;
  pager_walseg_writer* out = SentinelPtr<pager_walseg_writer>();
  log.fault_env.FailNthAny(1, FaultKind::kEio, /*persistent=*/true);
  EXPECT_EQ(pager_walseg_writer_open(kDir, nullptr, &out), PAGER_ERR_IO);
  EXPECT_EQ(out, SentinelPtr<pager_walseg_writer>());
  log.fault_env.ClearFaults();
  pager_walseg_writer* w = log.OpenWriter();
  EXPECT_EQ(pager_walseg_writer_open(kDir, nullptr, &out), PAGER_ERR_BUSY);
  EXPECT_EQ(out, SentinelPtr<pager_walseg_writer>());
  log.ExpectClearedBy(pager_walseg_writer_close(w));
}

// Regression: append wrote *lsn_out before the write, so a failed append overwrote it.
TEST(OutParam, pager_walseg_append) {
  FaultLog log;
  pager_walseg_writer* w = log.OpenWriter();
  uint64_t lsn = kSentinel64;
  EXPECT_EQ(pager_walseg_append(w, 0, "abc", 3, &lsn), PAGER_ERR_INVALID);
  EXPECT_EQ(lsn, kSentinel64);
  log.fault_env.FailNth(Op::kWrite, 1, FaultKind::kEnospc, /*persistent=*/false);
  EXPECT_EQ(pager_walseg_append(w, 1, "abc", 3, &lsn), PAGER_ERR_NOSPC);
  EXPECT_EQ(lsn, kSentinel64);
  EXPECT_EQ(pager_walseg_append(w, 1, "abc", 3, &lsn), PAGER_ERR_POISONED);
  EXPECT_EQ(lsn, kSentinel64);
  EXPECT_EQ(pager_walseg_writer_close(w), PAGER_ERR_POISONED);
  w = log.OpenWriter();  // recovery: the failed record was never durable
  log.ExpectClearedBy(pager_walseg_append(w, 1, "abc", 3, &lsn));
  EXPECT_EQ(lsn, 1u);
  EXPECT_PAGER_OK(pager_walseg_writer_close(w));
}

// Regression: the sync failing after the write succeeded also left *lsn_out written.
TEST(WalsegOutParamRegression, AppendWhoseSyncFailsLeavesLsnOutUntouched) {
  FaultLog log;
  pager_walseg_writer* w = log.OpenWriter();
  uint64_t lsn = kSentinel64;
  log.fault_env.FailNth(Op::kSync, 1, FaultKind::kEio, /*persistent=*/false);
  EXPECT_EQ(pager_walseg_append(w, 1, "abc", 3, &lsn), PAGER_ERR_IO);
  EXPECT_EQ(lsn, kSentinel64);
  EXPECT_EQ(pager_walseg_writer_close(w), PAGER_ERR_POISONED);
}

TEST(OutParam, pager_walseg_sync) {
  FaultLog log;
  pager_walseg_writer* w = log.OpenWriter(4096, PAGER_WALSEG_SYNC_EXPLICIT);
  uint64_t lsn = 0;
  ASSERT_PAGER_OK(pager_walseg_append(w, 1, "abc", 3, &lsn));
  log.fault_env.FailNth(Op::kSync, 1, FaultKind::kEio, /*persistent=*/false);
  EXPECT_EQ(pager_walseg_sync(w), PAGER_ERR_IO);
  EXPECT_EQ(pager_walseg_sync(w), PAGER_ERR_POISONED);  // never retried (C11)
  uint64_t next = 0;
  log.ExpectClearedBy(pager_walseg_writer_lsns(w, &next, nullptr));
  EXPECT_EQ(pager_walseg_writer_close(w), PAGER_ERR_POISONED);
}

TEST(OutParam, pager_walseg_flush) {
  FaultLog log;
  pager_walseg_writer* w = log.OpenWriter(4096, PAGER_WALSEG_SYNC_EXPLICIT);
  uint64_t lsn = 0;
  ASSERT_PAGER_OK(pager_walseg_append(w, 1, "abc", 3, &lsn));
  log.fault_env.FailNth(Op::kWrite, 1, FaultKind::kEnospc, /*persistent=*/false);
  EXPECT_EQ(pager_walseg_flush(w), PAGER_ERR_NOSPC);
  EXPECT_EQ(pager_walseg_flush(w), PAGER_ERR_POISONED);
  uint64_t next = 0;
  log.ExpectClearedBy(pager_walseg_writer_lsns(w, &next, nullptr));
  EXPECT_EQ(pager_walseg_writer_close(w), PAGER_ERR_POISONED);
}

TEST(OutParam, pager_walseg_writer_lsns) {
  FaultLog log;
  uint64_t next = kSentinel64, durable = kSentinel64;
  EXPECT_EQ(pager_walseg_writer_lsns(nullptr, &next, &durable), PAGER_ERR_INVALID);
  EXPECT_EQ(next, kSentinel64);
  EXPECT_EQ(durable, kSentinel64);
  pager_walseg_writer* w = log.OpenWriter();
  log.ExpectClearedBy(pager_walseg_writer_lsns(w, &next, &durable));
  EXPECT_EQ(next, 1u);
  EXPECT_EQ(durable, 0u);
  EXPECT_PAGER_OK(pager_walseg_writer_close(w));
}

// Regression: remove_before wrote *removed_out on error, counting what it had removed.
TEST(OutParam, pager_walseg_remove_before) {
  FaultLog log;
  log.WriteLog(6, /*segment_bytes=*/256);  // one record per segment
  pager_walseg_writer* w = log.OpenWriter(256);
  uint64_t removed = kSentinel64;
  log.fault_env.FailNth(Op::kNamespace, 2, FaultKind::kEio, /*persistent=*/false);
  EXPECT_EQ(pager_walseg_remove_before(w, 5, &removed), PAGER_ERR_IO);  // after one removal
  EXPECT_EQ(removed, kSentinel64);
  EXPECT_EQ(pager_walseg_remove_before(w, 5, &removed), PAGER_ERR_POISONED);
  EXPECT_EQ(removed, kSentinel64);
  EXPECT_EQ(pager_walseg_remove_before(nullptr, 5, &removed), PAGER_ERR_INVALID);
  EXPECT_EQ(removed, kSentinel64);
  EXPECT_EQ(pager_walseg_writer_close(w), PAGER_ERR_POISONED);
  w = log.OpenWriter(256);
  log.ExpectClearedBy(pager_walseg_remove_before(w, 5, &removed));
  EXPECT_EQ(removed, 3u);  // LSNs 2, 3, 4 (LSN 1's segment went before the fault)
  EXPECT_PAGER_OK(pager_walseg_writer_close(w));
}

TEST(OutParam, pager_walseg_writer_close) {
  FaultLog log;
  MakeAnError();
  EXPECT_EQ(pager_walseg_writer_close(nullptr), PAGER_OK);  // NULL-safe, clears (C2)
  EXPECT_STREQ(pager_last_error(), "");
  pager_walseg_writer* w = log.OpenWriter(4096, PAGER_WALSEG_SYNC_EXPLICIT);
  uint64_t lsn = 0;
  ASSERT_PAGER_OK(pager_walseg_append(w, 1, "abc", 3, &lsn));
  log.fault_env.FailNth(Op::kSync, 1, FaultKind::kEio, /*persistent=*/false);
  EXPECT_EQ(pager_walseg_writer_close(w), PAGER_ERR_IO);  // and w is freed
  w = log.OpenWriter();  // the lock was released
  log.ExpectClearedBy(pager_walseg_writer_close(w));
}

// ---- segment reader -----------------------------------------------------------------------

TEST(OutParam, pager_walseg_reader_options_init) {
  FaultLog log;
  MakeAnError();
  pager_walseg_reader_options_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_walseg_reader_options o;
  Fill(&o, sizeof o);
  MakeAnError();
  pager_walseg_reader_options_init(&o);
  EXPECT_STREQ(pager_last_error(), "");
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.known_types, nullptr);
}

TEST(OutParam, pager_walseg_reader_open) {
  FaultLog log;
  log.WriteLog(2);
  pager_walseg_reader* out = SentinelPtr<pager_walseg_reader>();
  EXPECT_EQ(pager_walseg_reader_open("/walseg/log/missing.wal", nullptr, &out),
            PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(out, SentinelPtr<pager_walseg_reader>());
  log.fault_env.FailNth(Op::kMap, 1, FaultKind::kEio, /*persistent=*/false);
  EXPECT_EQ(pager_walseg_reader_open(kFirstSegment, nullptr, &out), PAGER_ERR_IO);
  EXPECT_EQ(out, SentinelPtr<pager_walseg_reader>());
  pager_walseg_reader* r = nullptr;
  log.ExpectClearedBy(pager_walseg_reader_open(kFirstSegment, nullptr, &r));
  pager_walseg_reader_close(r);
}

// Regression: reader_next wrote *found = 0 before a failing read.
TEST(OutParam, pager_walseg_reader_next) {
  FaultLog log;
  log.WriteLog(2, 4096, PAGER_WALSEG_TYPE_REQUIRED | 9);
  pager_walseg_reader_options ro;
  pager_walseg_reader_options_init(&ro);
  uint16_t known[] = {1};
  ro.known_types = known;
  ro.known_type_count = 1;
  pager_walseg_reader* r = nullptr;
  ASSERT_PAGER_OK(pager_walseg_reader_open(kFirstSegment, &ro, &r));
  pager_walseg_record rec;
  uint32_t found = kSentinel32;
  Fill(&rec, sizeof rec);
  EXPECT_EQ(pager_walseg_reader_next(r, &rec, &found), PAGER_ERR_VERSION);
  EXPECT_EQ(found, kSentinel32);
  EXPECT_TRUE(Untouched(&rec, sizeof rec));
  EXPECT_EQ(pager_walseg_reader_next(r, &rec, &found), PAGER_ERR_VERSION);  // sticky
  EXPECT_EQ(found, kSentinel32);
  EXPECT_TRUE(Untouched(&rec, sizeof rec));
  EXPECT_EQ(pager_walseg_reader_next(nullptr, &rec, &found), PAGER_ERR_INVALID);
  EXPECT_EQ(found, kSentinel32);
  pager_walseg_reader_close(r);
  ASSERT_PAGER_OK(pager_walseg_reader_open(kFirstSegment, nullptr, &r));
  log.ExpectClearedBy(pager_walseg_reader_next(r, &rec, &found));
  EXPECT_EQ(found, 1u);
  EXPECT_EQ(rec.lsn, 1u);
  pager_walseg_reader_close(r);
}

TEST(OutParam, pager_walseg_reader_stop) {
  FaultLog log;
  uint32_t reason = kSentinel32;
  uint64_t offset = kSentinel64, last = kSentinel64;
  EXPECT_EQ(pager_walseg_reader_stop(nullptr, &reason, &offset, &last), PAGER_ERR_INVALID);
  EXPECT_EQ(reason, kSentinel32);
  EXPECT_EQ(offset, kSentinel64);
  EXPECT_EQ(last, kSentinel64);
  log.WriteLog(1);
  pager_walseg_reader* r = nullptr;
  ASSERT_PAGER_OK(pager_walseg_reader_open(kFirstSegment, nullptr, &r));
  log.ExpectClearedBy(pager_walseg_reader_stop(r, &reason, &offset, &last));
  EXPECT_EQ(reason, static_cast<uint32_t>(PAGER_WALSEG_STOP_NONE));
  pager_walseg_reader_close(r);
}

TEST(OutParam, pager_walseg_reader_stop_detail) {
  FaultLog log;
  log.WriteLog(1);
  pager_walseg_reader* r = nullptr;
  ASSERT_PAGER_OK(pager_walseg_reader_open(kFirstSegment, nullptr, &r));
  char buf[16];
  uint64_t len = kSentinel64;
  Fill(buf, sizeof buf);
  EXPECT_EQ(pager_walseg_reader_stop_detail(nullptr, buf, sizeof buf, &len), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_reader_stop_detail(r, nullptr, 4, &len), PAGER_ERR_INVALID);
  EXPECT_TRUE(Untouched(buf, sizeof buf));
  EXPECT_EQ(len, kSentinel64);
  log.ExpectClearedBy(pager_walseg_reader_stop_detail(r, buf, sizeof buf, &len));
  EXPECT_EQ(len, 0u);
  pager_walseg_reader_close(r);
}

TEST(OutParam, pager_walseg_reader_position) {
  FaultLog log;
  uint64_t offset = kSentinel64, len = kSentinel64;
  uint32_t empty = kSentinel32, advised = kSentinel32;
  EXPECT_EQ(pager_walseg_reader_position(nullptr, &offset, &len, &empty, &advised),
            PAGER_ERR_INVALID);
  EXPECT_EQ(offset, kSentinel64);
  EXPECT_EQ(len, kSentinel64);
  EXPECT_EQ(empty, kSentinel32);
  EXPECT_EQ(advised, kSentinel32);
  log.WriteLog(1);
  pager_walseg_reader* r = nullptr;
  ASSERT_PAGER_OK(pager_walseg_reader_open(kFirstSegment, nullptr, &r));
  log.ExpectClearedBy(pager_walseg_reader_position(r, &offset, &len, &empty, &advised));
  EXPECT_EQ(offset, 0u);
  pager_walseg_reader_close(r);
}

TEST(OutParam, pager_walseg_reader_release_pages) {
  FaultLog log;
  EXPECT_EQ(pager_walseg_reader_release_pages(nullptr), PAGER_ERR_INVALID);
  log.WriteLog(1);
  pager_walseg_reader* r = nullptr;
  ASSERT_PAGER_OK(pager_walseg_reader_open(kFirstSegment, nullptr, &r));
  log.ExpectClearedBy(pager_walseg_reader_release_pages(r));
  pager_walseg_reader_close(r);
}

TEST(OutParam, pager_walseg_reader_close) {
  FaultLog log;
  MakeAnError();
  pager_walseg_reader_close(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  log.WriteLog(1);
  pager_walseg_reader* r = nullptr;
  ASSERT_PAGER_OK(pager_walseg_reader_open(kFirstSegment, nullptr, &r));
  MakeAnError();
  pager_walseg_reader_close(r);
  EXPECT_STREQ(pager_last_error(), "");
}

// ---- replay -------------------------------------------------------------------------------

TEST(OutParam, pager_walseg_replay_open) {
  FaultLog log;
  pager_walseg_replay* out = SentinelPtr<pager_walseg_replay>();
  EXPECT_EQ(pager_walseg_replay_open("/walseg/absent", 0, nullptr, &out), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(out, SentinelPtr<pager_walseg_replay>());
  pager_walseg_options o;
  pager_walseg_options_init(&o);
  o.first_lsn = 100;
  pager_walseg_writer* w = nullptr;
  ASSERT_PAGER_OK(pager_walseg_writer_open(kDir, &o, &w));
  ASSERT_PAGER_OK(pager_walseg_writer_close(w));
  EXPECT_EQ(pager_walseg_replay_open(kDir, 5, nullptr, &out), PAGER_ERR_NOT_FOUND);  // removed
  EXPECT_EQ(out, SentinelPtr<pager_walseg_replay>());
  log.fault_env.FailNth(Op::kRead, 1, FaultKind::kEio, /*persistent=*/false);
  EXPECT_EQ(pager_walseg_replay_open(kDir, 0, nullptr, &out), PAGER_ERR_IO);
  EXPECT_EQ(out, SentinelPtr<pager_walseg_replay>());
  pager_walseg_replay* it = nullptr;
  log.ExpectClearedBy(pager_walseg_replay_open(kDir, 0, nullptr, &it));
  pager_walseg_replay_close(it);
}

// Opening the next segment fails: *rec and *found untouched; the next call tries again.
TEST(OutParam, pager_walseg_replay_next) {
  FaultLog log;
  log.WriteLog(2, /*segment_bytes=*/256);
  pager_walseg_replay* it = nullptr;
  ASSERT_PAGER_OK(pager_walseg_replay_open(kDir, 0, nullptr, &it));
  pager_walseg_record rec;
  uint32_t found = 0;
  ASSERT_PAGER_OK(pager_walseg_replay_next(it, &rec, &found));
  ASSERT_EQ(found, 1u);
  Fill(&rec, sizeof rec);
  found = kSentinel32;
  log.fault_env.FailNth(Op::kRead, 1, FaultKind::kEio, /*persistent=*/false);  // opening LSN 2's
  EXPECT_EQ(pager_walseg_replay_next(it, &rec, &found), PAGER_ERR_IO);
  EXPECT_EQ(found, kSentinel32);
  EXPECT_TRUE(Untouched(&rec, sizeof rec));
  EXPECT_EQ(pager_walseg_replay_next(nullptr, &rec, &found), PAGER_ERR_INVALID);
  EXPECT_EQ(found, kSentinel32);
  log.ExpectClearedBy(pager_walseg_replay_next(it, &rec, &found));
  EXPECT_EQ(found, 1u);
  EXPECT_EQ(rec.lsn, 2u);
  pager_walseg_replay_close(it);
}

TEST(OutParam, pager_walseg_replay_stop) {
  FaultLog log;
  uint32_t reason = kSentinel32;
  uint64_t seg = kSentinel64, offset = kSentinel64, last = kSentinel64;
  EXPECT_EQ(pager_walseg_replay_stop(nullptr, &reason, &seg, &offset, &last), PAGER_ERR_INVALID);
  EXPECT_EQ(reason, kSentinel32);
  EXPECT_EQ(seg, kSentinel64);
  EXPECT_EQ(offset, kSentinel64);
  EXPECT_EQ(last, kSentinel64);
  log.WriteLog(1);
  pager_walseg_replay* it = nullptr;
  ASSERT_PAGER_OK(pager_walseg_replay_open(kDir, 0, nullptr, &it));
  log.ExpectClearedBy(pager_walseg_replay_stop(it, &reason, &seg, &offset, &last));
  EXPECT_EQ(reason, static_cast<uint32_t>(PAGER_WALSEG_STOP_NONE));
  pager_walseg_replay_close(it);
}

TEST(OutParam, pager_walseg_replay_stop_detail) {
  FaultLog log;
  log.WriteLog(1);
  pager_walseg_replay* it = nullptr;
  ASSERT_PAGER_OK(pager_walseg_replay_open(kDir, 0, nullptr, &it));
  char buf[16];
  uint64_t len = kSentinel64;
  Fill(buf, sizeof buf);
  EXPECT_EQ(pager_walseg_replay_stop_detail(nullptr, buf, sizeof buf, &len), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_replay_stop_detail(it, nullptr, 4, &len), PAGER_ERR_INVALID);
  EXPECT_TRUE(Untouched(buf, sizeof buf));
  EXPECT_EQ(len, kSentinel64);
  log.ExpectClearedBy(pager_walseg_replay_stop_detail(it, buf, sizeof buf, &len));
  EXPECT_EQ(len, 0u);
  pager_walseg_replay_close(it);
}

TEST(OutParam, pager_walseg_replay_close) {
  FaultLog log;
  MakeAnError();
  pager_walseg_replay_close(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  log.WriteLog(1);
  pager_walseg_replay* it = nullptr;
  ASSERT_PAGER_OK(pager_walseg_replay_open(kDir, 0, nullptr, &it));
  MakeAnError();
  pager_walseg_replay_close(it);
  EXPECT_STREQ(pager_last_error(), "");
}

}  // namespace
