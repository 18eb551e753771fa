// The page journal's format (doc/format/page-journal.md): golden bytes of the doc's worked
// example written by the real writer, and how the reader treats a change to each header field
// (J1: a batch whose checksum fails ends the chain; J5: a checksum-valid batch no writer writes
// is refused before anything is applied).
#include <gtest/gtest.h>

#include <cstddef>
#include <functional>
#include <cstring>
#include <string>
#include <vector>

#include "impl/file/journal.h"
#include "impl/io/checksum.h"
#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace file {
namespace {

constexpr uint64_t kFileId = 0x0123456789abcdefull;
constexpr uint64_t kLap = 0x1122334455667788ull;
constexpr uint32_t kPageSizeLog2 = 10;
constexpr uint32_t kPageSize = 1024;
constexpr uint64_t kMainBytes = 8 * kPageSize;
const std::string kMain = "/f";

std::string HexOf(const void* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; i++) {
    uint8_t b = static_cast<const uint8_t*>(p)[i];
    out += d[b >> 4];
    out += d[b & 15];
  }
  return out;
}

uint64_t Field64(const std::vector<uint8_t>& bytes, size_t at) {
  uint64_t v = 0;
  std::memcpy(&v, bytes.data() + at, 8);
  return v;
}

void SetField(std::vector<uint8_t>* bytes, size_t at, uint64_t v, size_t width) {
  std::memcpy(bytes->data() + at, &v, width);
}

// The checksum as the doc defines it: XXH3-64 (seed kSeedJournal) of the header block
// (JournalHeaderBytes of the batch's own page_count) with the checksum field zero, then the
// page_count images. Written into the batch at offset.
void Reseal(std::vector<uint8_t>* bytes, size_t offset) {
  uint32_t page_count = 0;
  std::memcpy(&page_count, bytes->data() + offset + offsetof(JournalBatchDisk, page_count), 4);
  size_t header = static_cast<size_t>(JournalHeaderBytes(page_count));
  size_t images = size_t{page_count} * kPageSize;
  ASSERT_LE(offset + header + images, bytes->size());
  std::vector<uint8_t> covered(bytes->begin() + offset, bytes->begin() + offset + header + images);
  std::memset(covered.data() + offsetof(JournalBatchDisk, checksum), 0, 8);
  SetField(bytes, offset + offsetof(JournalBatchDisk, checksum),
           Checksum64(covered.data(), covered.size(), kSeedJournal), 8);
}

std::unique_ptr<Journal> OpenJournal(io::MemEnv* env) {
  std::unique_ptr<Journal> j;
  Status st = Journal::Open(env, kMain, true, false, kFileId, kPageSizeLog2, &j);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return j;
}

std::vector<uint8_t> JournalBytes(io::MemEnv* env) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(env->GetFileBytes(Journal::PathFor(kMain), &bytes).ok());
  return bytes;
}

// A journal whose next batch carries `lap` at offset 0. Laps are random at open (J4), so the
// fixed lap of the worked example comes the way a writer gets it after a crash: a chain of lap
// `lap - 1` is replayed (J4: the writer continues at the chain's lap + 1).
std::unique_ptr<Journal> JournalAtLap(io::MemEnv* env, uint64_t lap) {
  {
    std::unique_ptr<Journal> j;
    EXPECT_TRUE(Journal::Open(env, kMain, true, true, kFileId, kPageSizeLog2, &j).ok());
    std::vector<uint8_t> image(kPageSize, 0);
    const uint8_t* images[1] = {image.data()};
    uint64_t page = 1;
    EXPECT_TRUE(j->Append(&page, images, 1, kMainBytes).ok());
  }
  std::vector<uint8_t> bytes = JournalBytes(env);
  SetField(&bytes, offsetof(JournalBatchDisk, lap), lap - 1, 8);
  Reseal(&bytes, 0);
  EXPECT_TRUE(env->SetFileBytes(Journal::PathFor(kMain), bytes).ok());
  std::unique_ptr<Journal> j = OpenJournal(env);
  JournalScan scan;
  Status st = j->Replay(kMainBytes, [](uint64_t, const uint8_t*) { return Status::Ok(); }, &scan);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(scan.batches, 1u);
  EXPECT_EQ(scan.lap, lap - 1);
  return j;
}

// The worked example: pages 5 and 3 (in that order) of a 1 KiB-page file of 8 pages, images
// filled with 0x55 and 0x33.
std::vector<uint8_t> WriteExample(io::MemEnv* env) {
  std::unique_ptr<Journal> j = JournalAtLap(env, kLap);
  std::vector<uint8_t> five(kPageSize, 0x55), three(kPageSize, 0x33);
  const uint64_t pages[2] = {5, 3};
  const uint8_t* images[2] = {five.data(), three.data()};
  EXPECT_TRUE(j->Append(pages, images, 2, kMainBytes).ok());
  EXPECT_EQ(j->end_bytes(), 8192u);
  return JournalBytes(env);
}

TEST(FileJournalFormat, BatchGoldenBytes) {
  io::MemEnv env;
  std::vector<uint8_t> b = WriteExample(&env);
  ASSERT_EQ(b.size(), 8192u);
  EXPECT_EQ(HexOf(b.data(), 80),
            "4c50474a524e4c00"   // magic "LPGJRNL\0"
            "01000000"           // format_version 1
            "0a000000"           // page_size_log2 10
            "efcdab8967452301"   // file_id
            "8877665544332211"   // lap
            "0100000000000000"   // seq 1
            "02000000"           // page_count 2
            "00000000"           // reserved
            "0020000000000000"   // main_bytes 8192
            + HexOf(b.data() + 56, 8) +  // checksum (pinned below)
            "0500000000000000"   // page list: 5
            "0300000000000000");  // page list: 3
  EXPECT_EQ(HexOf(b.data() + 56, 8), "aa33416562d21f0c");
  EXPECT_EQ(Field64(b, 56), 0x0c1fd262654133aaull);
  for (size_t i = 80; i < 4096; i++) ASSERT_EQ(b[i], 0) << "header block padding at " << i;
  for (size_t i = 4096; i < 5120; i++) ASSERT_EQ(b[i], 0x55) << "image of page 5 at " << i;
  for (size_t i = 5120; i < 6144; i++) ASSERT_EQ(b[i], 0x33) << "image of page 3 at " << i;
  for (size_t i = 6144; i < 8192; i++) ASSERT_EQ(b[i], 0) << "batch padding at " << i;
  // The checksum covers exactly [0, 6144) with bytes 56..63 zero, seed kSeedJournal.
  std::vector<uint8_t> covered(b.begin(), b.begin() + 6144);
  std::memset(covered.data() + 56, 0, 8);
  EXPECT_EQ(Field64(b, 56), Checksum64(covered.data(), covered.size(), 0x4c50462020204a4eull));
}

TEST(FileJournalFormat, SizesRoundToFourKiB) {
  EXPECT_EQ(JournalHeaderBytes(1), 4096u);
  EXPECT_EQ(JournalHeaderBytes(504), 4096u);  // 64 + 504 * 8 = 4096
  EXPECT_EQ(JournalHeaderBytes(505), 8192u);
  EXPECT_EQ(JournalBatchBytes(2, 1024), 8192u);
  EXPECT_EQ(JournalBatchBytes(4, 1024), 8192u);
  EXPECT_EQ(JournalBatchBytes(5, 1024), 12288u);
  EXPECT_EQ(JournalBatchBytes(256, 4096), 4096u + 256u * 4096u);
  EXPECT_EQ(JournalBatchBytes(1, 65536), 4096u + 65536u);
}

TEST(FileJournalFormat, GoldenBatchReplaysItsPagesInListOrder) {
  io::MemEnv env;
  WriteExample(&env);
  std::unique_ptr<Journal> j = OpenJournal(&env);
  std::vector<std::pair<uint64_t, uint8_t>> applied;
  JournalScan scan;
  ASSERT_OK(j->Replay(
      kMainBytes,
      [&](uint64_t page, const uint8_t* image) {
        applied.push_back({page, image[0]});
        return Status::Ok();
      },
      &scan));
  EXPECT_EQ(scan.lap, kLap);
  EXPECT_EQ(scan.batches, 1u);
  EXPECT_EQ(scan.pages, 2u);
  EXPECT_EQ(scan.end_bytes, 8192u);
  EXPECT_EQ(scan.main_bytes, kMainBytes);
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0], std::make_pair(uint64_t{5}, uint8_t{0x55}));
  EXPECT_EQ(applied[1], std::make_pair(uint64_t{3}, uint8_t{0x33}));
}

// What Scan says about the example after `edit` (resealed or not).
struct Outcome {
  Status status;
  JournalScan scan;
};

Outcome ScanEdited(const std::function<void(std::vector<uint8_t>*)>& edit, bool reseal) {
  io::MemEnv env;
  std::vector<uint8_t> b = WriteExample(&env);
  edit(&b);
  if (reseal) Reseal(&b, 0);
  EXPECT_TRUE(env.SetFileBytes(Journal::PathFor(kMain), b).ok());
  Outcome out;
  std::unique_ptr<Journal> j = OpenJournal(&env);
  out.status = j->Scan(&out.scan);
  return out;
}

void Flip(std::vector<uint8_t>* b, size_t at) { (*b)[at] ^= 0x01; }

// J1: a flipped bit anywhere the checksum covers ends the chain (a torn batch), never an error.
TEST(FileJournalFormat, FlippedCoveredByteEndsTheChainAtTheChecksum) {
  for (size_t at : {8u, 12u, 16u, 24u, 32u, 44u, 48u, 56u, 64u, 72u, 100u, 4095u, 4096u, 6143u}) {
    Outcome o = ScanEdited([&](std::vector<uint8_t>* b) { Flip(b, at); }, false);
    ASSERT_OK(o.status);
    EXPECT_EQ(o.scan.batches, 0u) << at;
    EXPECT_NE(o.scan.stop_reason.find("checksum"), std::string::npos)
        << at << ": " << o.scan.stop_reason;
  }
}

TEST(FileJournalFormat, WrongMagicIsNoBatch) {
  Outcome o = ScanEdited([](std::vector<uint8_t>* b) { Flip(b, 0); }, true);
  ASSERT_OK(o.status);
  EXPECT_EQ(o.scan.batches, 0u);
  EXPECT_NE(o.scan.stop_reason.find("no batch header"), std::string::npos);
}

TEST(FileJournalFormat, ZeroedHeadIsAnEmptyJournal) {  // what Invalidate leaves
  Outcome o = ScanEdited(
      [](std::vector<uint8_t>* b) { std::memset(b->data(), 0, 4096); }, false);
  ASSERT_OK(o.status);
  EXPECT_EQ(o.scan.batches, 0u);
  EXPECT_EQ(o.scan.end_bytes, 0u);
}

// J5: checksum-valid but written by no writer of this file.
TEST(FileJournalFormat, ResealedHeaderFieldIsRefusedBeforeApplying) {
  struct Case {
    const char* field;
    size_t at;
    uint64_t value;
    size_t width;
    Code code;
  };
  const Case cases[] = {
      {"format_version", 8, 2, 4, Code::kVersion},
      {"page_size_log2", 12, 12, 4, Code::kCorrupt},
      {"file_id", 16, kFileId ^ 1, 8, Code::kCorrupt},
      {"seq", 32, 2, 8, Code::kCorrupt},
      {"reserved", 44, 1, 4, Code::kCorrupt},
      {"main_bytes zero", 48, 0, 8, Code::kCorrupt},
      {"main_bytes not a page multiple", 48, kMainBytes + 1, 8, Code::kCorrupt},
      {"main_bytes below a listed page", 48, 5 * kPageSize, 8, Code::kCorrupt},
      {"page list names page 0", 64, 0, 8, Code::kCorrupt},
      {"page list past main_bytes", 72, 8, 8, Code::kCorrupt},
      {"header block padding", 80, 1, 1, Code::kCorrupt},
      {"header block padding end", 4095, 1, 1, Code::kCorrupt},
  };
  for (const Case& c : cases) {
    Outcome o = ScanEdited([&](std::vector<uint8_t>* b) { SetField(b, c.at, c.value, c.width); },
                           true);
    EXPECT_EQ(o.status.code(), c.code) << c.field << ": " << o.status.ToString();
  }
}

TEST(FileJournalFormat, ResealedLapOfTheFirstBatchStartsTheChain) {
  Outcome o = ScanEdited([](std::vector<uint8_t>* b) { SetField(b, 24, 7, 8); }, true);
  ASSERT_OK(o.status);
  EXPECT_EQ(o.scan.batches, 1u);
  EXPECT_EQ(o.scan.lap, 7u);
}

TEST(FileJournalFormat, PageCountPastTheFileEndsTheChain) {
  // 5 pages need 4096 + 5 KiB: more than the 8 KiB file holds.
  Outcome o = ScanEdited([](std::vector<uint8_t>* b) { SetField(b, 40, 5, 4); }, false);
  ASSERT_OK(o.status);
  EXPECT_EQ(o.scan.batches, 0u);
  EXPECT_NE(o.scan.stop_reason.find("runs past the end"), std::string::npos);
  o = ScanEdited([](std::vector<uint8_t>* b) { SetField(b, 40, 0, 4); }, false);
  ASSERT_OK(o.status);
  EXPECT_EQ(o.scan.batches, 0u);
}

// J2/J4: a second batch continues the chain only with the same lap and seq + 1 at the first
// one's end; another lap there is the end of the chain, a wrong seq in the lap is kCorrupt.
TEST(FileJournalFormat, SecondBatchOfAnotherLapEndsTheChain) {
  auto second = [](uint64_t lap, uint64_t seq) {
    io::MemEnv env;
    std::vector<uint8_t> b = WriteExample(&env);
    std::vector<uint8_t> two(b);
    two.insert(two.end(), b.begin(), b.end());
    SetField(&two, 8192 + 24, lap, 8);
    SetField(&two, 8192 + 32, seq, 8);
    Reseal(&two, 8192);
    EXPECT_TRUE(env.SetFileBytes(Journal::PathFor(kMain), two).ok());
    Outcome out;
    out.status = OpenJournal(&env)->Scan(&out.scan);
    return out;
  };
  Outcome ok = second(kLap, 2);
  ASSERT_OK(ok.status);
  EXPECT_EQ(ok.scan.batches, 2u);
  EXPECT_EQ(ok.scan.end_bytes, 16384u);
  Outcome stale = second(kLap - 1, 2);
  ASSERT_OK(stale.status);
  EXPECT_EQ(stale.scan.batches, 1u);
  EXPECT_EQ(stale.scan.end_bytes, 8192u);
  EXPECT_NE(stale.scan.stop_reason.find("earlier lap"), std::string::npos);
  Outcome reordered = second(kLap, 3);
  EXPECT_EQ(reordered.status.code(), Code::kCorrupt) << reordered.status.ToString();
}

}  // namespace
}  // namespace file
}  // namespace pager
