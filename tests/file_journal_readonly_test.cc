// A read-only handle of a format-2 file whose journal holds a chain (a crash before the
// checkpoint) sees the state a read-write open will recover, and writes nothing
// (journal_overlay.h O1-O3, page_file.h P16).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "tests/file_test_util.h"
#include "tests/support/test_util.h"

namespace pager {
namespace file {
namespace {

using testing::MustCreate;
using testing::MustOpen;
using testing::SmallOptions;

constexpr size_t kRegular = 200;  // past the first page space of 16: the file grows

struct Written {
  uint64_t id = 0;
  std::vector<uint64_t> pages;
};

// A protected page and kRegular regular pages made durable through the journal; the handle
// stays open (no checkpoint, no clean close).
Written WriteThroughTheJournal(PageFile* pf) {
  Written w;
  std::vector<uint8_t> content(pf->page_size(), 0x5a);
  EXPECT_OK(pf->ProtectedAlloc(&w.id));
  EXPECT_OK(pf->ProtectedWrite(w.id, content.data()));
  w.pages.resize(kRegular);
  EXPECT_OK(pf->AllocBulk(kRegular, w.pages.data()));
  for (size_t i = 0; i < kRegular; i++) {
    uint8_t* p = nullptr;
    EXPECT_OK(pf->PagePointer(w.pages[i], true, &p));
    std::memset(p, static_cast<int>(0x60 + i % 64), pf->page_size());
  }
  EXPECT_OK(pf->SyncPages(w.pages.data(), w.pages.size()));
  return w;
}

// The main file as a crash could leave it: the regular pages' in-place bytes lost (zeros)
// and the growth lost (the first page space only).
void LoseTheMainFilesUnsyncedPart(std::vector<uint8_t>* main, const Written& w,
                                  uint32_t page_size) {
  for (uint64_t p : w.pages) {
    if ((p + 1) * page_size <= main->size()) {
      std::fill(main->begin() + p * page_size, main->begin() + (p + 1) * page_size, 0);
    }
  }
  main->resize(16 * page_size);
}

void ExpectTheWrittenState(PageFile* pf, const Written& w) {
  std::vector<uint8_t> buf(pf->page_size());
  ASSERT_OK(pf->ProtectedRead(w.id, buf.data(), buf.size()));
  EXPECT_EQ(buf[0], 0x5a);
  EXPECT_EQ(buf.back(), 0x5a);
  for (size_t i = 0; i < w.pages.size(); i++) {
    uint8_t* p = nullptr;
    ASSERT_OK(pf->PagePointer(w.pages[i], false, &p));
    ASSERT_EQ(p[0], 0x60 + i % 64) << "page " << w.pages[i];
    ASSERT_EQ(p[pf->page_size() - 1], 0x60 + i % 64) << "page " << w.pages[i];
  }
  ASSERT_OK(pf->CheckInvariants());
}

TEST(FileJournalReadOnly, AReadOnlyOpenAfterACrashSeesTheJournaledStateAndWritesNothing) {
  io::FaultEnv env;
  FileOptions o = SmallOptions();  // 1 KiB pages: four to a system page
  auto pf = MustCreate(&env, "/f", o);
  Written w = WriteThroughTheJournal(pf.get());
  auto image = env.CrashImage(5);
  pf.reset();
  LoseTheMainFilesUnsyncedPart(&image["/f"], w, o.page_size);
  auto crashed = io::FaultEnv::FromImage(image);
  FileOptions ro = o;
  ro.read_only = true;
  {
    auto r = MustOpen(crashed.get(), "/f", ro);
    ASSERT_NE(r, nullptr);
    EXPECT_GT(r->recovery_report().journal_batches, 0u);
    ExpectTheWrittenState(r.get(), w);
  }
  std::vector<uint8_t> main_after, journal_after;
  ASSERT_OK(crashed->GetFileBytes("/f", &main_after));
  ASSERT_OK(crashed->GetFileBytes("/f-journal", &journal_after));
  EXPECT_TRUE(main_after == image["/f"]) << "a read-only open wrote the main file";
  EXPECT_TRUE(journal_after == image["/f-journal"]) << "a read-only open wrote the journal";
  auto rw = MustOpen(crashed.get(), "/f", o);  // the replay makes the same state durable
  ExpectTheWrittenState(rw.get(), w);
}

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// The same on the real file system: the mapping overlays the system pages holding journal
// images (four 1 KiB pages each) and the pages past the main file's end.
TEST(FileJournalReadOnly, AReadOnlyMappingOfACrashedPosixFileShowsTheJournaledPages) {
  pager::testing::TempDir tmp;
  std::string live = tmp.path() + "/live", copy = tmp.path() + "/copy";
  FileOptions o = SmallOptions();
  auto pf = MustCreate(io::DefaultEnv(), live, o);
  Written w = WriteThroughTheJournal(pf.get());
  std::vector<uint8_t> main = ReadAll(live), journal = ReadAll(live + "-journal");
  pf.reset();
  LoseTheMainFilesUnsyncedPart(&main, w, o.page_size);
  WriteAll(copy, main);
  WriteAll(copy + "-journal", journal);
  FileOptions ro = o;
  ro.read_only = true;
  {
    auto r = MustOpen(io::DefaultEnv(), copy, ro);
    ASSERT_NE(r, nullptr);
    ExpectTheWrittenState(r.get(), w);
  }
  EXPECT_TRUE(ReadAll(copy) == main) << "a read-only open wrote the main file";
  EXPECT_TRUE(ReadAll(copy + "-journal") == journal) << "a read-only open wrote the journal";
}

}  // namespace
}  // namespace file
}  // namespace pager
