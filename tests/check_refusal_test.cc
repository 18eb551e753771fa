// The format gate of the four checks and pager_format_detect's edge cases: a check given a
// file of another format is INVALID naming what it found and what it wanted (and reads
// nothing more), an empty "-wal" file is a sidecar only next to a WAL main file, a WAL main
// file is recognized by either header copy, an empty segment-named file is a segment.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "impl/check/checks.h"
#include "impl/walseg/format.h"
#include "pager.h"
#include "tests/check_test_files.h"

namespace {

using check_test::Files;

class CheckRefusal : public ::testing::Test {
 protected:
  void Put(const std::string& path, const std::vector<uint8_t>& bytes) { files_.Put(path, bytes); }
  std::vector<uint8_t> Get(const std::string& path) { return files_.Get(path); }
  uint32_t Detect(const std::string& path) { return files_.Detect(path); }
  std::string FirstSegment() {
    std::vector<std::string> names;
    EXPECT_TRUE(files_.env.ListDir("/log", &names).ok());
    for (const std::string& n : names) {
      uint64_t lsn = 0;
      if (pager::walseg::ParseSegmentName(n, &lsn)) return "/log/" + n;
    }
    ADD_FAILURE() << "no segment in /log";
    return "";
  }
  // The check's code and last error; the report is untouched on failure.
  void ExpectRefused(int (*check)(const char*, pager_check_report*), const std::string& path,
                     const std::string& message) {
    pager_check_report r;
    pager_check_report_init(&r);
    r.page_count = 12345;
    EXPECT_EQ(check(path.c_str(), &r), PAGER_ERR_INVALID) << path;
    EXPECT_EQ(std::string(pager_last_error()), message);
    EXPECT_EQ(r.page_count, 12345u);
  }

  Files files_;
};

TEST_F(CheckRefusal, ACheckGivenAnotherFormatNamesWhatItFoundAndWhatItWanted) {
  Put("/empty", {});
  std::string seg = FirstSegment();
  ExpectRefused(pager_file_check, "/w", "/w is a WAL pager main file, not a page file");
  ExpectRefused(pager_file_check, "/w-wal", "/w-wal is a WAL pager sidecar, not a page file");
  ExpectRefused(pager_file_check, seg, seg + " is a WAL segment, not a page file");
  ExpectRefused(pager_file_check, "/log", "/log is a WAL segment directory, not a page file");
  ExpectRefused(pager_file_check, "/s.kvs", "/s.kvs is a KV-cache snapshot, not a page file");
  ExpectRefused(pager_file_check, "/empty", "/empty is not a libpager file, not a page file");
  ExpectRefused(pager_wal_check, "/f", "/f is a page file, not a WAL pager main file");
  ExpectRefused(pager_walseg_check, "/f", "/f is a page file, not a WAL segment");
  ExpectRefused(pager_snapshot_check, "/w", "/w is a WAL pager main file, not a KV-cache snapshot");
}

TEST_F(CheckRefusal, AWalSidecarWhoseNameDoesNotEndInDashWalIsRefused) {
  Put("/x.log", Get("/w-wal"));
  ExpectRefused(pager_wal_check, "/x.log",
                "/x.log is a WAL pager sidecar whose name does not end in -wal");
}

TEST_F(CheckRefusal, AnEmptyDashWalFileIsASidecarOnlyNextToAWalMainFile) {
  Put("/w2", Get("/w"));
  Put("/w2-wal", {});
  EXPECT_EQ(Detect("/w2-wal"), static_cast<uint32_t>(PAGER_FORMAT_WAL_LOG));
  Put("/f-wal", {});  // next to a page file
  EXPECT_EQ(Detect("/f-wal"), static_cast<uint32_t>(PAGER_FORMAT_UNKNOWN));
  Put("/none-wal", {});  // next to nothing
  EXPECT_EQ(Detect("/none-wal"), static_cast<uint32_t>(PAGER_FORMAT_UNKNOWN));
  ASSERT_TRUE(files_.env.CreateDir("/dir", 0755).ok());
  Put("/dir/-wal", {});  // "-wal" alone names no main file
  EXPECT_EQ(Detect("/dir/-wal"), static_cast<uint32_t>(PAGER_FORMAT_UNKNOWN));
}

TEST_F(CheckRefusal, AWalMainFileIsRecognizedByItsSecondHeaderCopyAlone) {
  // Create writes only copy A (slot B stays zero until a checkpoint uses it): put A's bytes
  // in slot B, as a later checkpoint would, then wipe A's magic.
  std::vector<uint8_t> b = Get("/w");
  ASSERT_GE(b.size(), 512u);
  std::copy(b.begin(), b.begin() + 256, b.begin() + 256);
  for (size_t i = 0; i < 8; i++) b[i] = 0;
  Put("/w3", b);
  EXPECT_EQ(Detect("/w3"), static_cast<uint32_t>(PAGER_FORMAT_WAL_MAIN));
  b.resize(200);  // too short for copy B: not a WAL main file
  Put("/w4", b);
  EXPECT_EQ(Detect("/w4"), static_cast<uint32_t>(PAGER_FORMAT_UNKNOWN));
}

TEST_F(CheckRefusal, AnEmptyFileWithASegmentNameIsASegmentAndOtherwiseUnknown) {
  std::string seg = FirstSegment();
  std::string name = seg.substr(seg.rfind('/') + 1);
  ASSERT_TRUE(files_.env.CreateDir("/other", 0755).ok());
  Put("/other/" + name, {});
  EXPECT_EQ(Detect("/other/" + name), static_cast<uint32_t>(PAGER_FORMAT_WALSEG_SEGMENT));
  Put("/other/plain", {});
  EXPECT_EQ(Detect("/other/plain"), static_cast<uint32_t>(PAGER_FORMAT_UNKNOWN));
  EXPECT_EQ(Detect("/other"), static_cast<uint32_t>(PAGER_FORMAT_WALSEG_DIR));
}

// CheckAs serves the four checks with their own formats; any other format is a libpager bug,
// reported as INTERNAL instead of running a check that does not exist.
TEST_F(CheckRefusal, CheckAsWithoutACheckForTheFormatIsInternal) {
  Put("/empty", {});
  pager::CheckReport r;
  pager::Status s = pager::CheckAs(&files_.env, "/empty", PAGER_FORMAT_UNKNOWN, &r);
  EXPECT_EQ(s.code(), pager::Code::kInternal);
  EXPECT_EQ(s.message(), "CheckAs: format 0");
}

}  // namespace
