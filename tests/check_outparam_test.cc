// Out-parameter cases of pager_format_detect, pager_check_report_init and the four
// pager_*_check functions (tests/outparam.h): each pre-fills its out-parameter with the
// sentinel, makes the call fail after argument validation (NOT_FOUND, a file of another
// format, an I/O error through the fault seam), checks the code and that the sentinel is
// intact, and that the next successful call leaves pager_last_error() empty (C2).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/check_test_files.h"
#include "tests/outparam.h"

namespace {

using outparam::Fill;
using outparam::kSentinel32;
using outparam::Untouched;
using Op = pager::io::MemEnv::Op;
using pager::io::FaultKind;

using check_test::Files;

// A report whose every byte past struct_size is the sentinel.
pager_check_report SentinelReport() {
  pager_check_report r;
  Fill(&r, sizeof r);
  r.struct_size = sizeof r;
  return r;
}
bool ReportUntouched(const pager_check_report& r) {
  return r.struct_size == sizeof r &&
         Untouched(&r.format, sizeof r - offsetof(pager_check_report, format));
}

using CheckFn = int (*)(const char*, pager_check_report*);

// The common cases of a check: NOT_FOUND, another format, an I/O error; then success.
void ExpectCheckOutParam(Files* fx, CheckFn fn, const char* path, const char* other,
                         uint32_t format_version = 1) {
  pager_check_report r = SentinelReport();
  EXPECT_EQ(fn("/missing", &r), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(fn(other, &r), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("not"), std::string::npos);
  EXPECT_EQ(fn(path, nullptr), PAGER_ERR_INVALID);
  fx->FailNextRead();
  EXPECT_EQ(fn(path, &r), PAGER_ERR_IO);
  EXPECT_TRUE(ReportUntouched(r));
  r.struct_size = 8;
  EXPECT_EQ(fn(path, &r), PAGER_ERR_INVALID);
  pager_check_report ok;
  pager_check_report_init(&ok);
  EXPECT_EQ(fn(path, &ok), PAGER_OK) << pager_last_error();
  EXPECT_STREQ(pager_last_error(), "");
  EXPECT_EQ(ok.struct_size, sizeof ok);
  EXPECT_EQ(ok.damage_code, PAGER_OK) << ok.damage_detail;
  EXPECT_EQ(ok.format_version, format_version);
}

}  // namespace

TEST(OutParam, pager_format_detect) {
  Files fx;
  uint32_t format = kSentinel32;
  EXPECT_EQ(pager_format_detect("/missing", &format), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(pager_format_detect("", &format), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_format_detect("/f", nullptr), PAGER_ERR_INVALID);
  fx.FailNextRead();
  EXPECT_EQ(pager_format_detect("/f", &format), PAGER_ERR_IO);
  EXPECT_EQ(format, kSentinel32);
  struct {
    const char* path;
    uint32_t format;
  } cases[] = {{"/f", PAGER_FORMAT_FILE},
               {"/w", PAGER_FORMAT_WAL_MAIN},
               {"/w-wal", PAGER_FORMAT_WAL_LOG},
               {"/log", PAGER_FORMAT_WALSEG_DIR},
               {"/log/0000000000000001.wal", PAGER_FORMAT_WALSEG_SEGMENT},
               {"/s.kvs", PAGER_FORMAT_SNAPSHOT}};
  for (const auto& c : cases) {
    EXPECT_EQ(pager_format_detect(c.path, &format), PAGER_OK) << c.path;
    EXPECT_EQ(format, c.format) << c.path;
    EXPECT_STREQ(pager_last_error(), "");
  }
}

TEST(OutParam, pager_check_report_init) {
  pager_check_report_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_check_report r;
  Fill(&r, sizeof r);
  pager_check_report_init(&r);
  EXPECT_EQ(r.struct_size, sizeof r);
  EXPECT_EQ(r.damage_code, PAGER_OK);
  EXPECT_EQ(r.damage_detail[0], '\0');
}

TEST(OutParam, pager_file_check) {
  Files fx;
  ExpectCheckOutParam(&fx, pager_file_check, "/f", "/w", 2);  // a new page file: format 2
}

TEST(OutParam, pager_wal_check) {
  Files fx;
  ExpectCheckOutParam(&fx, pager_wal_check, "/w", "/f");
  pager_check_report r;
  pager_check_report_init(&r);
  ASSERT_EQ(pager_wal_check("/w-wal", &r), PAGER_OK) << pager_last_error();
  EXPECT_EQ(r.format, PAGER_FORMAT_WAL_MAIN);
  EXPECT_EQ(r.page_count, 3u);  // the fixture sets 3 pages (check_test_files.h)
  EXPECT_GE(r.frame_count, 1u);
}

TEST(OutParam, pager_walseg_check) {
  Files fx;
  ExpectCheckOutParam(&fx, pager_walseg_check, "/log/0000000000000001.wal", "/f");
  pager_check_report r;
  pager_check_report_init(&r);
  ASSERT_EQ(pager_walseg_check("/log", &r), PAGER_OK) << pager_last_error();
  EXPECT_EQ(r.format, PAGER_FORMAT_WALSEG_DIR);
  EXPECT_EQ(r.record_count, 12u);  // the fixture appends 12 records
  EXPECT_EQ(r.first_lsn, 1u);
}

TEST(OutParam, pager_snapshot_check) {
  Files fx;
  ExpectCheckOutParam(&fx, pager_snapshot_check, "/s.kvs", "/f");
}

// A caller compiled against a newer header (a larger struct): this library writes only the
// bytes it knows and says so in struct_size (C8).
TEST(CheckReport, WritesAtMostItsOwnSize) {
  Files fx;
  struct Newer {
    pager_check_report known;
    uint8_t appended[64];
  } newer;
  Fill(&newer, sizeof newer);
  newer.known.struct_size = sizeof newer;
  ASSERT_EQ(pager_file_check("/f", &newer.known), PAGER_OK) << pager_last_error();
  EXPECT_EQ(newer.known.struct_size, sizeof(pager_check_report));
  EXPECT_EQ(newer.known.format, PAGER_FORMAT_FILE);
  EXPECT_TRUE(Untouched(newer.appended, sizeof newer.appended));
}
