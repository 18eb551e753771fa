// pager_format_detect and pager_file_check on a format-2 page file's -journal (pager.h
// PAGER_FORMAT_FILE_JOURNAL; doc/format/page-journal.md), through impl/check on a MemEnv.
#include <gtest/gtest.h>

#include <vector>

#include "impl/check/checks.h"
#include "impl/file/journal.h"
#include "pager.h"
#include "tests/file_test_util.h"

namespace pager {
namespace {

using file::Journal;

// A page file with one commit in its journal (left as a crash leaves it) or closed cleanly.
void MakeFile(io::MemEnv* env, bool close_cleanly) {
  std::unique_ptr<file::PageFile> pf = file::testing::MustCreate(env, "/f",
                                                                 file::testing::SmallOptions());
  uint64_t id = 0;
  ASSERT_OK(pf->ProtectedAlloc(&id));
  std::vector<uint8_t> journal;
  ASSERT_OK(env->GetFileBytes(Journal::PathFor("/f"), &journal));
  pf.reset();
  if (!close_cleanly) ASSERT_OK(env->SetFileBytes(Journal::PathFor("/f"), journal));
}

void WriteNew(io::MemEnv* env, const std::string& path, const std::vector<uint8_t>& bytes) {
  io::OpenOptions oo;
  oo.write = true;
  oo.create = true;
  std::unique_ptr<io::File> f;
  ASSERT_OK(env->Open(path, oo, &f));
  ASSERT_OK(f->WriteAt(0, bytes.data(), bytes.size()));
}

uint32_t Detect(io::Env* env, const std::string& path) {
  uint32_t format = 99;
  Status st = DetectFormat(env, path, &format);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return format;
}

TEST(CheckJournal, CleanJournalIsDetectedByItsNameBesideItsPageFile) {
  io::MemEnv env;
  MakeFile(&env, true);
  EXPECT_EQ(Detect(&env, "/f"), uint32_t{PAGER_FORMAT_FILE});
  EXPECT_EQ(Detect(&env, "/f-journal"), uint32_t{PAGER_FORMAT_FILE_JOURNAL});
  std::vector<uint8_t> journal;
  ASSERT_OK(env.GetFileBytes("/f-journal", &journal));
  WriteNew(&env, "/g-journal", journal);  // no page file /g: zeros are no format
  EXPECT_EQ(Detect(&env, "/g-journal"), uint32_t{PAGER_FORMAT_UNKNOWN});
}

TEST(CheckJournal, JournalHoldingABatchIsDetectedByItsMagicWhateverItsName) {
  io::MemEnv env;
  MakeFile(&env, false);
  std::vector<uint8_t> journal;
  ASSERT_OK(env.GetFileBytes("/f-journal", &journal));
  WriteNew(&env, "/copy", journal);
  EXPECT_EQ(Detect(&env, "/copy"), uint32_t{PAGER_FORMAT_FILE_JOURNAL});
  CheckReport r;
  Status st = CheckAs(&env, "/copy", PAGER_FORMAT_FILE, &r);
  EXPECT_EQ(st.code(), Code::kInvalid) << "a journal's page file is found by the name only";
}

TEST(CheckJournal, CheckOfTheJournalReportsItsPageFileAndItsSize) {
  io::MemEnv env;
  MakeFile(&env, true);
  CheckReport main, side;
  ASSERT_OK(CheckAs(&env, "/f", PAGER_FORMAT_FILE, &main));
  ASSERT_OK(CheckAs(&env, "/f-journal", PAGER_FORMAT_FILE, &side));
  std::vector<uint8_t> journal;
  ASSERT_OK(env.GetFileBytes("/f-journal", &journal));
  EXPECT_EQ(main.format_version, 2u);
  EXPECT_EQ(main.journal_bytes, journal.size());
  EXPECT_GT(main.journal_bytes, 0u);
  EXPECT_EQ(main.journal_batches, 0u);
  EXPECT_EQ(side.journal_bytes, main.journal_bytes);
  EXPECT_EQ(side.protected_count, main.protected_count);
  EXPECT_EQ(side.generation, main.generation);
}

TEST(CheckJournal, FormatOnePageFileHasNoJournalFields) {
  io::MemEnv env;
  file::FileOptions o = file::testing::SmallOptions();
  o.format_version = file::kFormatVersionUnjournaled;
  file::testing::MustCreate(&env, "/f", o).reset();
  CheckReport r;
  ASSERT_OK(CheckAs(&env, "/f", PAGER_FORMAT_FILE, &r));
  EXPECT_EQ(r.format_version, 1u);
  EXPECT_EQ(r.journal_bytes, 0u);
}

}  // namespace
}  // namespace pager
