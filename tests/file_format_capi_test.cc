// pager_file_options.format_version and .journal_lap_bytes through the C API on the real file
// system: which format create makes, what open accepts, the lap's range, and that a caller
// compiled against 0.2's 40-byte struct is served exactly as before.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "pager.h"
#include "tests/support/test_util.h"

namespace {

using pager::testing::TempDir;

constexpr uint64_t kMiB = uint64_t{1} << 20;

pager_file_options Opts(uint32_t format_version = 0, uint64_t journal_lap_bytes = 0) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.max_size_bytes = uint64_t{1} << 32;  // ThreadSanitizer cannot reserve the default 1 TiB
  o.format_version = format_version;
  o.journal_lap_bytes = journal_lap_bytes;
  return o;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

uint64_t SizeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

bool LastErrorHas(const std::string& text) {
  return std::string(pager_last_error()).find(text) != std::string::npos;
}

// The format pager_file_check reports for the (closed) file at path.
uint32_t CheckedFormatVersion(const std::string& path) {
  pager_check_report r;
  pager_check_report_init(&r);
  EXPECT_EQ(pager_file_check(path.c_str(), &r), PAGER_OK) << pager_last_error();
  EXPECT_EQ(r.damage_code, PAGER_OK) << r.damage_detail;
  return r.format_version;
}

void CreateAndClose(const std::string& path, const pager_file_options& o) {
  pager_file* f = nullptr;
  ASSERT_EQ(pager_file_create(path.c_str(), &o, &f), PAGER_OK) << pager_last_error();
  uint64_t id = 0;
  ASSERT_EQ(pager_file_alloc(f, &id), PAGER_OK) << pager_last_error();
  pager_file_close(f);
}

TEST(FileFormatCapi, FormatOneCreatesNoJournalAndCheckReportsFormatOne) {
  TempDir dir;
  std::string path = dir.File("pages");
  CreateAndClose(path, Opts(1));
  EXPECT_FALSE(Exists(path + "-journal"));
  EXPECT_EQ(CheckedFormatVersion(path), 1u);
  pager_file* f = nullptr;  // a read-write open of a format-1 file makes no journal either
  pager_file_options o = Opts();
  ASSERT_PAGER_OK(pager_file_open(path.c_str(), &o, &f));
  pager_file_close(f);
  EXPECT_FALSE(Exists(path + "-journal"));
}

TEST(FileFormatCapi, DefaultAndFormatTwoBothCreateTheJournaledFile) {
  TempDir dir;
  for (uint32_t v : {0u, 2u}) {
    std::string path = dir.File("pages" + std::to_string(v));
    CreateAndClose(path, Opts(v));
    EXPECT_TRUE(Exists(path + "-journal")) << "format_version " << v;
    EXPECT_EQ(CheckedFormatVersion(path), 2u) << "format_version " << v;
  }
}

TEST(FileFormatCapi, UnknownFormatVersionIsInvalidAndNamedOnCreateAndOpen) {
  TempDir dir;
  std::string path = dir.File("pages");
  pager_file* f = nullptr;
  for (uint32_t v : {3u, 0xffffffffu}) {
    pager_file_options o = Opts(v);
    EXPECT_EQ(pager_file_create(path.c_str(), &o, &f), PAGER_ERR_INVALID);
    EXPECT_TRUE(LastErrorHas("pager_file_options.format_version is " + std::to_string(v)))
        << pager_last_error();
    EXPECT_FALSE(Exists(path));
  }
  CreateAndClose(path, Opts());
  pager_file_options o = Opts(3);
  EXPECT_EQ(pager_file_open(path.c_str(), &o, &f), PAGER_ERR_INVALID);
  EXPECT_TRUE(LastErrorHas("format_version is 3")) << pager_last_error();
}

TEST(FileFormatCapi, OpenExpectingAnotherFormatIsVersionAndWritesNothing) {
  TempDir dir;
  std::string one = dir.File("one"), two = dir.File("two");
  CreateAndClose(one, Opts(1));
  CreateAndClose(two, Opts(2));
  std::vector<uint8_t> before = pager::testing::ReadWholeFile(one);
  pager_file* f = nullptr;
  pager_file_options o = Opts(2);
  EXPECT_EQ(pager_file_open(one.c_str(), &o, &f), PAGER_ERR_VERSION);
  EXPECT_TRUE(LastErrorHas("the file's format version is 1, the caller expects 2"))
      << pager_last_error();
  o.read_only = 1;
  EXPECT_EQ(pager_file_open(one.c_str(), &o, &f), PAGER_ERR_VERSION);
  EXPECT_EQ(pager::testing::ReadWholeFile(one), before);
  EXPECT_FALSE(Exists(one + "-journal"));
  o = Opts(1);
  EXPECT_EQ(pager_file_open(two.c_str(), &o, &f), PAGER_ERR_VERSION);
  EXPECT_TRUE(LastErrorHas("the file's format version is 2, the caller expects 1"))
      << pager_last_error();
  for (uint32_t v : {0u, 1u}) {  // the file's own format, or any
    o = Opts(v);
    ASSERT_PAGER_OK(pager_file_open(one.c_str(), &o, &f));
    pager_file_close(f);
  }
}

TEST(FileFormatCapi, LapOutsideOneMibToTwoToTheFortyIsInvalidAndNamed) {
  TempDir dir;
  pager_file* f = nullptr;
  for (uint64_t lap : {uint64_t{1}, kMiB - 1, (uint64_t{1} << 40) + 1, ~uint64_t{0}}) {
    pager_file_options o = Opts(0, lap);
    EXPECT_EQ(pager_file_create(dir.File("bad").c_str(), &o, &f), PAGER_ERR_INVALID);
    EXPECT_TRUE(LastErrorHas("pager_file_options.journal_lap_bytes is " + std::to_string(lap)))
        << pager_last_error();
  }
  EXPECT_FALSE(Exists(dir.File("bad")));
  CreateAndClose(dir.File("min"), Opts(2, kMiB));
  CreateAndClose(dir.File("max"), Opts(0, uint64_t{1} << 40));
}

TEST(FileFormatCapi, LapWithFormatOneIsInvalidBecauseItHasNoJournal) {
  TempDir dir;
  std::string path = dir.File("pages");
  pager_file* f = nullptr;
  pager_file_options o = Opts(1, 8 * kMiB);
  EXPECT_EQ(pager_file_create(path.c_str(), &o, &f), PAGER_ERR_INVALID);
  EXPECT_TRUE(LastErrorHas("journal_lap_bytes must be 0 with format_version 1"))
      << pager_last_error();
  EXPECT_FALSE(Exists(path));
  CreateAndClose(path, Opts(1));
  EXPECT_EQ(pager_file_open(path.c_str(), &o, &f), PAGER_ERR_INVALID);
  o = Opts(0, 8 * kMiB);  // not asserting the format: the lap of a format-1 file is unused
  ASSERT_PAGER_OK(pager_file_open(path.c_str(), &o, &f));
  pager_file_close(f);
  EXPECT_FALSE(Exists(path + "-journal"));
}

// Journals 48 batches of 64 pages (~12.4 MiB) through sync_pages on a handle opened (or
// created) with o; returns the largest size its "-journal" reached.
uint64_t LargestJournalBytes(const std::string& path, bool create, const pager_file_options& o) {
  pager_file* f = nullptr;
  int rc = create ? pager_file_create(path.c_str(), &o, &f) : pager_file_open(path.c_str(), &o, &f);
  EXPECT_EQ(rc, PAGER_OK) << pager_last_error();
  if (rc != PAGER_OK) return 0;
  std::vector<uint64_t> ids(64);
  EXPECT_EQ(pager_file_alloc_bulk(f, ids.data(), ids.size()), PAGER_OK) << pager_last_error();
  uint64_t largest = 0;
  for (int round = 0; round < 48; round++) {
    for (uint64_t id : ids) {
      void* p = nullptr;
      EXPECT_EQ(pager_file_page(f, id, &p), PAGER_OK);
      std::memset(p, round, 4096);
    }
    EXPECT_EQ(pager_file_sync_pages(f, ids.data(), ids.size()), PAGER_OK) << pager_last_error();
    largest = std::max(largest, SizeOf(path + "-journal"));
  }
  EXPECT_EQ(pager_file_free_bulk(f, ids.data(), ids.size()), PAGER_OK) << pager_last_error();
  pager_file_close(f);
  return largest;
}

// A batch of 64 pages of 4 KiB: the pages plus at most two blocks of header and alignment.
constexpr uint64_t kBatchBytes = 66 * 4096;

TEST(FileFormatCapi, SmallLapCheckpointsOftenSoTheJournalStaysWithinOneLapPlusOneBatch) {
  TempDir dir;
  std::string path = dir.File("pages");
  uint64_t default_lap = LargestJournalBytes(path, true, Opts());
  EXPECT_GT(default_lap, 8 * kMiB);  // no checkpoint before 64 MiB: the journal kept growing
  EXPECT_EQ(CheckedFormatVersion(path), 2u);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  uint64_t small_lap = LargestJournalBytes(path, true, Opts(0, kMiB));
  EXPECT_LE(small_lap, kMiB + kBatchBytes);
  EXPECT_GT(small_lap, 0u);
}

TEST(FileFormatCapi, LapGivenToOpenAppliesToThatHandle) {
  TempDir dir;
  std::string path = dir.File("pages");
  CreateAndClose(path, Opts());
  EXPECT_LE(LargestJournalBytes(path, false, Opts(2, kMiB)), kMiB + kBatchBytes);
}

// A caller compiled against 0.2 passes struct_size 40: the bytes past it are not its own (here
// garbage) and must not be read; its 0 in the old "reserved" slot still means format 2.
TEST(FileFormatCapi, OldFortyByteOptionsStructKeepsTheDefaults) {
  TempDir dir;
  std::string path = dir.File("pages");
  pager_file_options o = Opts();
  o.struct_size = 40;
  o.journal_lap_bytes = 7;  // out of range, but past the caller's struct
  CreateAndClose(path, o);
  EXPECT_TRUE(Exists(path + "-journal"));
  EXPECT_EQ(CheckedFormatVersion(path), 2u);
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_open(path.c_str(), &o, &f));
  pager_file_close(f);
  o.struct_size = 39;
  EXPECT_EQ(pager_file_open(path.c_str(), &o, &f), PAGER_ERR_INVALID);
}

TEST(FileFormatCapi, InitLeavesBothNewFieldsAtTheirDefaultZero) {
  pager_file_options o;
  std::memset(&o, 0xff, sizeof o);
  pager_file_options_init(&o);
  EXPECT_EQ(o.struct_size, 48u);
  EXPECT_EQ(o.format_version, 0u);
  EXPECT_EQ(o.journal_lap_bytes, 0u);
}

}  // namespace
