// Out-parameter cases of the WAL pager (tests/outparam.h): every pager_wal_* function, made to
// fail after its argument checks where it can (through the FaultEnv seam, or a real failure),
// leaves every out-parameter untouched, and the next successful call clears the last error.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"
#include "tests/support/test_util.h"

namespace {

using outparam::kSentinel32;
using outparam::ScopedEnv;
using outparam::SentinelPtr;
using Op = pager::io::MemEnv::Op;
using pager::io::FaultKind;

constexpr uint32_t kPage = 1024;
const char* kDir = "/db";
const char* kPath = "/db/main";

// A FaultEnv holding a database at kPath with pages 1..3 committed (and, if checkpointed,
// copied into the main file), routed through the C API for the scope.
class WalOutParam {
 public:
  explicit WalOutParam(bool checkpointed = false) : scope_(&env_) {
    EXPECT_TRUE(env_.CreateDir(kDir, 0755).ok());
    pager_wal_options o;
    pager_wal_options_init(&o);
    o.page_size = kPage;
    o.cache_pages = 0;  // every read goes to the files (and so through the fault seam)
    o.auto_checkpoint_frames = 0;
    EXPECT_PAGER_OK(pager_wal_create(kPath, &o, &h_));
    std::vector<uint8_t> page(kPage, 7);
    for (uint32_t p = 1; p <= 3; p++) EXPECT_PAGER_OK(pager_wal_stage_page(h_, p, page.data(), kPage));
    EXPECT_PAGER_OK(pager_wal_commit(h_, nullptr));
    if (checkpointed) EXPECT_PAGER_OK(pager_wal_checkpoint(h_, nullptr, nullptr));
  }
  ~WalOutParam() { pager_wal_close(h_); }
  pager_wal* h() { return h_; }
  pager::io::FaultEnv& env() { return env_; }
  void Close() {
    pager_wal_close(h_);
    h_ = nullptr;
  }
  // Poisons the handle: the next commit's frame write fails.
  void Poison() {
    std::vector<uint8_t> page(kPage, 9);
    ASSERT_PAGER_OK(pager_wal_stage_page(h_, 1, page.data(), kPage));
    env_.FailNth(Op::kWrite, 1, FaultKind::kEio, false);
    ASSERT_EQ(pager_wal_commit(h_, nullptr), PAGER_ERR_IO);
    env_.ClearFaults();
  }

 private:
  pager::io::FaultEnv env_;
  ScopedEnv scope_;
  pager_wal* h_ = nullptr;
};

// C2: a failed call left a message; the next successful call clears it.
void ExpectClearedBy(int rc) {
  EXPECT_EQ(rc, PAGER_OK) << pager_last_error();
  EXPECT_STREQ(pager_last_error(), "");
}

void LeaveAnError() {
  ASSERT_EQ(pager_wal_clear_staged(nullptr), PAGER_ERR_INVALID);
  ASSERT_STRNE(pager_last_error(), "");
}

}  // namespace

TEST(OutParam, pager_wal_options_init) {
  LeaveAnError();
  pager_wal_options_init(nullptr);  // NULL-safe
  EXPECT_STREQ(pager_last_error(), "") << "a void function clears the last error (C2)";
  pager_wal_options o;
  outparam::Fill(&o, sizeof o);
  pager_wal_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.page_size, 0u);
  EXPECT_EQ(o.read_only, 0u);
}

TEST(OutParam, pager_wal_checkpoint_options_init) {
  LeaveAnError();
  pager_wal_checkpoint_options_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_wal_checkpoint_options o;
  outparam::Fill(&o, sizeof o);
  pager_wal_checkpoint_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.mode, uint32_t{PAGER_WAL_CHECKPOINT_PASSIVE});
}

TEST(OutParam, pager_wal_stats_init) {
  LeaveAnError();
  pager_wal_stats_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_wal_stats s;
  outparam::Fill(&s, sizeof s);
  pager_wal_stats_init(&s);
  EXPECT_EQ(s.struct_size, sizeof s);
  EXPECT_EQ(s.commits, 0u);
}

TEST(OutParam, pager_wal_create) {
  pager::io::FaultEnv env;
  ScopedEnv scope(&env);
  ASSERT_TRUE(env.CreateDir(kDir, 0755).ok());
  for (FaultKind kind : {FaultKind::kEio, FaultKind::kEnospc}) {
    env.FailNth(Op::kSync, 1, kind, false);  // the main file's first sync
    pager_wal* out = SentinelPtr<pager_wal>();
    int rc = pager_wal_create("/db/a", nullptr, &out);
    EXPECT_EQ(rc, kind == FaultKind::kEio ? PAGER_ERR_IO : PAGER_ERR_NOSPC);
    EXPECT_EQ(out, SentinelPtr<pager_wal>());
    env.ClearFaults();
    ASSERT_TRUE(env.Remove("/db/a").ok());
  }
  pager_wal* out = SentinelPtr<pager_wal>();
  ASSERT_PAGER_OK(pager_wal_create("/db/a", nullptr, &out));
  EXPECT_STREQ(pager_last_error(), "");
  pager_wal* again = SentinelPtr<pager_wal>();
  EXPECT_EQ(pager_wal_create("/db/a", nullptr, &again), PAGER_ERR_EXISTS);
  EXPECT_EQ(again, SentinelPtr<pager_wal>());
  pager_wal_close(out);
}

TEST(OutParam, pager_wal_open) {
  WalOutParam db;
  db.Close();
  pager_wal* out = SentinelPtr<pager_wal>();
  // The recovery checkpoint's first sync (the main file's, after copying the frames) fails.
  db.env().FailNth(Op::kSync, 1, FaultKind::kEio, false);
  EXPECT_EQ(pager_wal_open(kPath, nullptr, &out), PAGER_ERR_IO);
  EXPECT_EQ(out, SentinelPtr<pager_wal>());
  db.env().ClearFaults();
  db.env().FailNth(Op::kRead, 1, FaultKind::kEio, false);  // the header
  pager_wal_options ro;
  pager_wal_options_init(&ro);
  ro.read_only = 1;
  EXPECT_EQ(pager_wal_open(kPath, &ro, &out), PAGER_ERR_IO);
  EXPECT_EQ(out, SentinelPtr<pager_wal>());
  db.env().ClearFaults();
  EXPECT_EQ(pager_wal_open("/db/missing", nullptr, &out), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(out, SentinelPtr<pager_wal>());
  ExpectClearedBy(pager_wal_open(kPath, nullptr, &out));
  pager_wal_close(out);
}

TEST(OutParam, pager_wal_close) {
  LeaveAnError();
  pager_wal_close(nullptr);
  EXPECT_STREQ(pager_last_error(), "") << "pager_wal_close clears the last error (C2)";
  WalOutParam db;
  LeaveAnError();
  db.Close();
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_wal_access_mode) {
  WalOutParam db;
  uint32_t v = kSentinel32;
  EXPECT_EQ(pager_wal_access_mode(nullptr, &v), PAGER_ERR_INVALID);  // cannot fail otherwise
  EXPECT_EQ(v, kSentinel32);
  ExpectClearedBy(pager_wal_access_mode(db.h(), &v));
  EXPECT_EQ(v, uint32_t{PAGER_WAL_READ_WRITE});
}

TEST(OutParam, pager_wal_page_size) {
  WalOutParam db;
  uint32_t v = kSentinel32;
  EXPECT_EQ(pager_wal_page_size(nullptr, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel32);
  ExpectClearedBy(pager_wal_page_size(db.h(), &v));
  EXPECT_EQ(v, kPage);
}

TEST(OutParam, pager_wal_page_count) {
  WalOutParam db;
  uint32_t v = kSentinel32;
  EXPECT_EQ(pager_wal_page_count(nullptr, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel32);
  ExpectClearedBy(pager_wal_page_count(db.h(), &v));
  EXPECT_EQ(v, 4u);
}

TEST(OutParam, pager_wal_read_page) {
  WalOutParam db;
  std::vector<uint8_t> buf(kPage);
  outparam::Fill(buf.data(), buf.size());
  EXPECT_EQ(pager_wal_read_page(db.h(), 9, buf.data(), kPage), PAGER_ERR_NOT_FOUND);
  EXPECT_TRUE(outparam::Untouched(buf.data(), buf.size()));
  db.env().FailNth(Op::kMap, 1, FaultKind::kEio, false);  // no mapping: pread (W22)
  db.env().FailNth(Op::kRead, 1, FaultKind::kEio, false);  // the WAL frame
  EXPECT_EQ(pager_wal_read_page(db.h(), 2, buf.data(), kPage), PAGER_ERR_IO);
  EXPECT_TRUE(outparam::Untouched(buf.data(), buf.size()));
  db.env().ClearFaults();
  ExpectClearedBy(pager_wal_read_page(db.h(), 2, buf.data(), kPage));
  EXPECT_EQ(buf, std::vector<uint8_t>(kPage, 7));
}

// Regression: a short read of the main file (shorter than its header's page count) copied
// the bytes it got into the caller's buffer before failing with CORRUPT.
TEST(WalOutParamRegression, ReadPageOfATruncatedMainFileLeavesTheBufferUntouched) {
  WalOutParam db(/*checkpointed=*/true);
  db.Close();
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(db.env().GetFileBytes(kPath, &bytes).ok());
  ASSERT_EQ(bytes.size(), 4u * kPage);
  bytes.resize(2 * kPage + kPage / 2);  // page 2 is cut in half
  ASSERT_TRUE(db.env().SetFileBytes(kPath, bytes).ok());
  pager_wal_options ro;
  pager_wal_options_init(&ro);
  ro.read_only = 1;
  pager_wal* h = nullptr;
  ASSERT_PAGER_OK(pager_wal_open(kPath, &ro, &h));
  std::vector<uint8_t> buf(kPage);
  outparam::Fill(buf.data(), buf.size());
  EXPECT_EQ(pager_wal_read_page(h, 2, buf.data(), kPage), PAGER_ERR_CORRUPT);
  EXPECT_TRUE(outparam::Untouched(buf.data(), buf.size()));
  pager_wal_close(h);
}

TEST(OutParam, pager_wal_stage_page) {
  WalOutParam db;
  db.Poison();
  std::vector<uint8_t> page(kPage, 1);
  EXPECT_EQ(pager_wal_stage_page(db.h(), 1, page.data(), kPage), PAGER_ERR_POISONED);
  EXPECT_STRNE(pager_last_error(), "");
  ExpectClearedBy(pager_wal_clear_staged(db.h()));
}

TEST(OutParam, pager_wal_clear_staged) {
  WalOutParam db;
  LeaveAnError();
  ExpectClearedBy(pager_wal_clear_staged(db.h()));
}

TEST(OutParam, pager_wal_set_page_count) {
  WalOutParam db;
  db.Poison();
  EXPECT_EQ(pager_wal_set_page_count(db.h(), 2), PAGER_ERR_POISONED);
  uint32_t count = kSentinel32;
  ExpectClearedBy(pager_wal_page_count(db.h(), &count));
  EXPECT_EQ(count, 4u) << "a refused set_page_count changes nothing";
}

TEST(OutParam, pager_wal_read_app_header) {
  WalOutParam db;
  uint8_t buf[PAGER_WAL_APP_HEADER_SIZE + 1];
  outparam::Fill(buf, sizeof buf);
  // Reading the app header cannot fail past its argument checks (it is held in memory).
  EXPECT_EQ(pager_wal_read_app_header(db.h(), buf, sizeof buf), PAGER_ERR_INVALID);
  EXPECT_TRUE(outparam::Untouched(buf, sizeof buf));
  ExpectClearedBy(pager_wal_read_app_header(db.h(), buf, PAGER_WAL_APP_HEADER_SIZE));
}

TEST(OutParam, pager_wal_stage_app_header) {
  WalOutParam db;
  db.Poison();
  uint8_t app[PAGER_WAL_APP_HEADER_SIZE] = {1};
  EXPECT_EQ(pager_wal_stage_app_header(db.h(), app, sizeof app), PAGER_ERR_POISONED);
  uint8_t got[PAGER_WAL_APP_HEADER_SIZE];
  ExpectClearedBy(pager_wal_read_app_header(db.h(), got, sizeof got));
  EXPECT_EQ(got[0], 0u);
}

TEST(OutParam, pager_wal_commit) {
  for (FaultKind kind : {FaultKind::kEio, FaultKind::kEnospc}) {
    WalOutParam db;
    std::vector<uint8_t> page(kPage, 2);
    ASSERT_PAGER_OK(pager_wal_stage_page(db.h(), 1, page.data(), kPage));
    db.env().FailNth(Op::kWrite, 1, kind, false);
    uint32_t frames = kSentinel32;
    EXPECT_EQ(pager_wal_commit(db.h(), &frames),
              kind == FaultKind::kEio ? PAGER_ERR_IO : PAGER_ERR_NOSPC);
    EXPECT_EQ(frames, kSentinel32);
    if (kind == FaultKind::kEio) {
      EXPECT_EQ(pager_wal_commit(db.h(), &frames), PAGER_ERR_POISONED);
      EXPECT_EQ(frames, kSentinel32);
    } else {  // W12: out of space poisons nothing; the change is still staged
      ExpectClearedBy(pager_wal_commit(db.h(), &frames));
      EXPECT_EQ(frames, 1u);
    }
  }
  WalOutParam db;
  uint32_t frames = kSentinel32;
  ExpectClearedBy(pager_wal_commit(db.h(), &frames));
  EXPECT_EQ(frames, 0u);
}

TEST(OutParam, pager_wal_checkpoint) {
  for (uint32_t mode : {PAGER_WAL_CHECKPOINT_PASSIVE, PAGER_WAL_CHECKPOINT_FULL,
                        PAGER_WAL_CHECKPOINT_TRUNCATE}) {
    WalOutParam db;
    pager_wal_checkpoint_options co;
    pager_wal_checkpoint_options_init(&co);
    co.mode = mode;
    db.env().FailNth(Op::kSync, 1, FaultKind::kEio, false);  // the main file's data sync
    uint32_t pages = kSentinel32;
    EXPECT_EQ(pager_wal_checkpoint(db.h(), &co, &pages), PAGER_ERR_IO) << mode;
    EXPECT_EQ(pages, kSentinel32);
    EXPECT_EQ(pager_wal_checkpoint(db.h(), &co, &pages), PAGER_ERR_POISONED);
    EXPECT_EQ(pages, kSentinel32);
  }
  WalOutParam db;
  uint32_t pages = kSentinel32;
  ExpectClearedBy(pager_wal_checkpoint(db.h(), nullptr, &pages));
  EXPECT_EQ(pages, 3u);
}

TEST(OutParam, pager_wal_get_stats) {
  WalOutParam db;
  pager_wal_stats s;
  outparam::Fill(&s, sizeof s);
  s.struct_size = 8;  // below the 0.2 size
  EXPECT_EQ(pager_wal_get_stats(db.h(), &s), PAGER_ERR_INVALID);
  EXPECT_EQ(s.struct_size, 8u);
  EXPECT_TRUE(outparam::Untouched(reinterpret_cast<uint8_t*>(&s) + 4, sizeof s - 4));
  pager_wal_stats_init(&s);
  ExpectClearedBy(pager_wal_get_stats(db.h(), &s));
  EXPECT_EQ(s.commits, 1u);
}

// ---- read transactions ----------------------------------------------------------------------

TEST(OutParam, pager_wal_read_txn_begin) {
  WalOutParam db;
  pager_wal_read_txn* t = SentinelPtr<pager_wal_read_txn>();
  EXPECT_EQ(pager_wal_read_txn_begin(nullptr, &t), PAGER_ERR_INVALID);
  EXPECT_EQ(t, SentinelPtr<pager_wal_read_txn>());
  EXPECT_EQ(pager_wal_read_txn_begin(db.h(), nullptr), PAGER_ERR_INVALID);
  ExpectClearedBy(pager_wal_read_txn_begin(db.h(), &t));
  pager_wal_read_txn_free(t);
}

TEST(OutParam, pager_wal_read_txn_read_page) {
  WalOutParam db;
  pager_wal_read_txn* t = nullptr;
  ASSERT_PAGER_OK(pager_wal_read_txn_begin(db.h(), &t));
  std::vector<uint8_t> buf(kPage);
  outparam::Fill(buf.data(), buf.size());
  EXPECT_EQ(pager_wal_read_txn_read_page(t, 9, buf.data(), kPage), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(pager_wal_read_txn_read_page(t, 2, buf.data(), kPage - 1), PAGER_ERR_INVALID);
  EXPECT_TRUE(outparam::Untouched(buf.data(), buf.size()));
  // An older snapshot reads the WAL frame directly (the cache is bypassed): through the
  // mapping (W22), or, when the WAL cannot be mapped, with a pread whose failure must leave
  // the buffer as it was.
  std::vector<uint8_t> page(kPage, 8);
  db.env().FailNth(Op::kMap, 1, FaultKind::kEio, true);  // before the commit maps the WAL
  ASSERT_PAGER_OK(pager_wal_stage_page(db.h(), 2, page.data(), kPage));
  ASSERT_PAGER_OK(pager_wal_commit(db.h(), nullptr));
  db.env().FailNth(Op::kRead, 1, FaultKind::kEio, false);
  EXPECT_EQ(pager_wal_read_txn_read_page(t, 2, buf.data(), kPage), PAGER_ERR_IO);
  EXPECT_TRUE(outparam::Untouched(buf.data(), buf.size()));
  db.env().ClearFaults();
  ExpectClearedBy(pager_wal_read_txn_read_page(t, 2, buf.data(), kPage));
  EXPECT_EQ(buf, std::vector<uint8_t>(kPage, 7));
  pager_wal_read_txn_free(t);
}

TEST(OutParam, pager_wal_read_txn_view_page) {
  WalOutParam db;
  pager_wal_read_txn* t = nullptr;
  ASSERT_PAGER_OK(pager_wal_read_txn_begin(db.h(), &t));
  const uint8_t* const kSentinelPtr = reinterpret_cast<const uint8_t*>(&db);
  const uint8_t* data = kSentinelPtr;
  EXPECT_EQ(pager_wal_read_txn_view_page(nullptr, 2, &data), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_wal_read_txn_view_page(t, 2, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_wal_read_txn_view_page(t, 0, &data), PAGER_ERR_RESERVED);
  EXPECT_EQ(pager_wal_read_txn_view_page(t, 9, &data), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(data, kSentinelPtr);
  // The WAL cannot be mapped and the copy's read fails: I/O error, *data_out untouched.
  db.env().FailNth(Op::kMap, 1, FaultKind::kEio, false);
  db.env().FailNth(Op::kRead, 1, FaultKind::kEio, false);
  EXPECT_EQ(pager_wal_read_txn_view_page(t, 2, &data), PAGER_ERR_IO);
  EXPECT_EQ(data, kSentinelPtr);
  db.env().ClearFaults();
  ExpectClearedBy(pager_wal_read_txn_view_page(t, 2, &data));
  ASSERT_NE(data, kSentinelPtr);
  EXPECT_EQ(std::vector<uint8_t>(data, data + kPage), std::vector<uint8_t>(kPage, 7));
  db.Close();
  data = kSentinelPtr;
  EXPECT_EQ(pager_wal_read_txn_view_page(t, 2, &data), PAGER_ERR_INVALID) << "closed";
  EXPECT_EQ(data, kSentinelPtr);
  pager_wal_read_txn_free(t);
}

TEST(OutParam, pager_wal_read_txn_page_count) {
  WalOutParam db;
  pager_wal_read_txn* t = nullptr;
  ASSERT_PAGER_OK(pager_wal_read_txn_begin(db.h(), &t));
  uint32_t v = kSentinel32;
  EXPECT_EQ(pager_wal_read_txn_page_count(nullptr, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel32);
  ExpectClearedBy(pager_wal_read_txn_page_count(t, &v));
  EXPECT_EQ(v, 4u);
  db.Close();
  v = kSentinel32;
  EXPECT_EQ(pager_wal_read_txn_page_count(t, &v), PAGER_ERR_INVALID) << "closed";
  EXPECT_EQ(v, kSentinel32);
  pager_wal_read_txn_free(t);
}

TEST(OutParam, pager_wal_read_txn_read_app_header) {
  WalOutParam db;
  pager_wal_read_txn* t = nullptr;
  ASSERT_PAGER_OK(pager_wal_read_txn_begin(db.h(), &t));
  std::vector<uint8_t> buf(PAGER_WAL_APP_HEADER_SIZE);
  outparam::Fill(buf.data(), buf.size());
  EXPECT_EQ(pager_wal_read_txn_read_app_header(t, buf.data(), buf.size() + 1), PAGER_ERR_INVALID);
  EXPECT_TRUE(outparam::Untouched(buf.data(), buf.size()));
  ExpectClearedBy(pager_wal_read_txn_read_app_header(t, buf.data(), buf.size()));
  EXPECT_EQ(buf, std::vector<uint8_t>(PAGER_WAL_APP_HEADER_SIZE, 0));
  pager_wal_read_txn_free(t);
}

TEST(OutParam, pager_wal_read_txn_free) {
  LeaveAnError();
  pager_wal_read_txn_free(nullptr);
  EXPECT_STREQ(pager_last_error(), "") << "pager_wal_read_txn_free clears the last error (C2)";
  WalOutParam db;
  pager_wal_read_txn* t = nullptr;
  ASSERT_PAGER_OK(pager_wal_read_txn_begin(db.h(), &t));
  db.Close();  // the transaction outlives its handle
  LeaveAnError();
  pager_wal_read_txn_free(t);
  EXPECT_STREQ(pager_last_error(), "");
}

// ---- pager_wal_scan_frames and its two _init functions -------------------------------------

TEST(OutParam, pager_wal_scan_options_init) {
  LeaveAnError();
  pager_wal_scan_options_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_wal_scan_options o;
  outparam::Fill(&o, sizeof o);
  pager_wal_scan_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.reserved, 0u);
  EXPECT_EQ(o.first_frame, 0u);
  EXPECT_EQ(o.max_frames, UINT64_MAX);
}

TEST(OutParam, pager_wal_scan_summary_init) {
  LeaveAnError();
  pager_wal_scan_summary_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_wal_scan_summary s;
  outparam::Fill(&s, sizeof s);
  pager_wal_scan_summary_init(&s);
  EXPECT_EQ(s.struct_size, sizeof s);
  EXPECT_EQ(s.frame_slots, 0u);
  EXPECT_EQ(s.has_header, 0u);
}

TEST(OutParam, pager_wal_scan_frames) {
  WalOutParam db;
  db.Close();
  const std::string wal = std::string(kPath) + "-wal";
  pager_wal_scan_summary s;
  outparam::Fill(&s, sizeof s);
  s.struct_size = sizeof s;
  auto untouched = [&] {
    return s.struct_size == sizeof s &&
           outparam::Untouched(&s.has_header, sizeof s - offsetof(pager_wal_scan_summary, has_header));
  };
  EXPECT_EQ(pager_wal_scan_frames(nullptr, nullptr, nullptr, nullptr, &s), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_wal_scan_frames("", nullptr, nullptr, nullptr, &s), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_wal_scan_frames("/db/missing", nullptr, nullptr, nullptr, &s),
            PAGER_ERR_NOT_FOUND);
  pager_wal_scan_options o;
  pager_wal_scan_options_init(&o);
  o.reserved = 1;
  EXPECT_EQ(pager_wal_scan_frames(wal.c_str(), &o, nullptr, nullptr, &s), PAGER_ERR_INVALID);
  o.reserved = 0;
  o.struct_size = 8;
  EXPECT_EQ(pager_wal_scan_frames(wal.c_str(), &o, nullptr, nullptr, &s), PAGER_ERR_INVALID);
  db.env().FailNth(Op::kRead, 1, FaultKind::kEio, false);
  EXPECT_EQ(pager_wal_scan_frames(wal.c_str(), nullptr, nullptr, nullptr, &s), PAGER_ERR_IO);
  db.env().ClearFaults();
  auto refuse = [](void*, const pager_wal_frame_info*) -> int { return 1; };
  EXPECT_EQ(pager_wal_scan_frames(wal.c_str(), nullptr, refuse, nullptr, &s), PAGER_ERR_CALLBACK);
  EXPECT_TRUE(untouched());
  pager_wal_scan_summary small;
  pager_wal_scan_summary_init(&small);
  small.struct_size = 8;
  EXPECT_EQ(pager_wal_scan_frames(wal.c_str(), nullptr, nullptr, nullptr, &small),
            PAGER_ERR_INVALID);
  ExpectClearedBy(pager_wal_scan_frames(wal.c_str(), nullptr, nullptr, nullptr, &s));
  EXPECT_EQ(s.struct_size, sizeof s);
  EXPECT_EQ(s.page_size, kPage);
  EXPECT_GE(s.committed_frames, 3u);
  EXPECT_EQ(s.reserved, 0u);
}
