// Damage sweeps (issue: reliability): every truncation length of a page file, a WAL pager's
// -wal file and every WAL segment (every byte up to 64 KiB, then every 512-byte sector
// boundary and the bytes on either side), every zeroed sector, and appended garbage.
// Whatever the damage, an open / replay either fails with an error code or shows a state that
// some commit produced, with the right bytes: never other data with OK.
// (Other sweeps: the WAL pager's main file in tests/wal_truncation_test.cc, every header byte
// of the page file in file_format_test.cc, every byte and length of a snapshot in
// snapshot_errors_test.cc.)
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>

#include "impl/file/page_file.h"
#include "impl/io/checksum.h"
#include "impl/io/mem_env.h"
#include "impl/walseg/reader.h"
#include "impl/walseg/writer.h"
#include "tests/wal_support.h"

namespace pager {
namespace {

using ::pager::testing::PatternBytes;

// Every truncation length of a file of `size` bytes the sweep visits.
std::vector<uint64_t> TruncationLengths(uint64_t size) {
  std::set<uint64_t> out;
  for (uint64_t l = 0; l < size && l <= 64 * 1024; l++) out.insert(l);
  for (uint64_t s = 0; s <= size; s += 512) {
    for (uint64_t d : {s - 1, s, s + 1}) {
      if (d < size) out.insert(d);
    }
  }
  return std::vector<uint64_t>(out.begin(), out.end());
}

// ---- WAL pager sidecar ---------------------------------------------------------------------

constexpr uint32_t kWalPage = 512;

struct WalImage {
  std::vector<uint8_t> main, wal;
  std::vector<std::map<uint32_t, std::vector<uint8_t>>> states;  // after create, each commit
};

std::map<uint32_t, std::vector<uint8_t>> ReadAll(wal::WalPager* p) {
  std::map<uint32_t, std::vector<uint8_t>> s;
  for (uint32_t i = 1; i < p->page_count(); i++) {
    std::vector<uint8_t> b(kWalPage);
    Status st = p->ReadPage(i, b.data(), b.size());
    if (!st.ok()) return {{0xFFFFFFFFu, std::vector<uint8_t>(st.message().begin(), st.message().end())}};
    s[i] = b;
  }
  return s;
}

WalImage BuildWal() {
  io::MemEnv env;
  WalImage img;
  wal::Options o = wal::testing::SmallOptions();
  o.page_size = kWalPage;
  o.wal_prewrite_bytes = 0;  // the sidecar ends at the last frame: every length is damage
  std::unique_ptr<wal::WalPager> p = wal::testing::MustCreate(&env, "db", o);
  img.states.push_back(ReadAll(p.get()));
  for (uint32_t c = 1; c <= 7; c++) {
    for (uint32_t k = 0; k < 1 + c % 3; k++) {
      uint32_t page = 1 + (c * 5 + k * 3) % 12;
      wal::testing::Stage(p.get(), page, PatternBytes(c * 100 + k, kWalPage));
    }
    if (c == 5) {
      EXPECT_TRUE(p->SetPageCount(6).ok());
    }
    wal::testing::MustCommit(p.get());
    img.states.push_back(ReadAll(p.get()));
  }
  p.reset();
  EXPECT_TRUE(env.GetFileBytes("db", &img.main).ok());
  EXPECT_TRUE(env.GetFileBytes("db-wal", &img.wal).ok());
  return img;
}

// Opens main + the damaged sidecar (read-only, then read-write, then read-only again) and
// requires each to fail or to show one of the committed states.
void ExpectWalCommittedOrError(const WalImage& img, const std::vector<uint8_t>& wal_bytes,
                               const std::string& what) {
  std::unique_ptr<io::FaultEnv> owned =
      io::FaultEnv::FromImage({{"db", img.main}, {"db-wal", wal_bytes}});
  io::Env& env = *owned;
  for (wal::AccessMode mode : {wal::AccessMode::kReadOnly, wal::AccessMode::kReadWrite,
                               wal::AccessMode::kReadOnly}) {
    std::unique_ptr<wal::WalPager> p;
    wal::Options o = wal::testing::SmallOptions();
    o.page_size = 0;
    Status st = wal::WalPager::Open(&env, "db", mode, o, &p);
    if (!st.ok()) {
      EXPECT_TRUE(st.code() == Code::kCorrupt || st.code() == Code::kVersion)
          << what << ": " << st.ToString();
      continue;
    }
    std::map<uint32_t, std::vector<uint8_t>> got = ReadAll(p.get());
    bool known = false;
    for (const auto& s : img.states) known = known || got == s;
    ASSERT_TRUE(known) << what << ": the pages match no committed state";
  }
}

TEST(DamageSweep, EveryTruncationOfTheWalSidecarShowsACommittedState) {
  WalImage img = BuildWal();
  ASSERT_GT(img.wal.size(), 4000u);
  for (uint64_t len : TruncationLengths(img.wal.size())) {
    std::vector<uint8_t> cut(img.wal.begin(), img.wal.begin() + static_cast<long>(len));
    ExpectWalCommittedOrError(img, cut, "-wal cut to " + std::to_string(len));
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(DamageSweep, EveryZeroedSectorOfTheWalSidecarShowsACommittedState) {
  WalImage img = BuildWal();
  for (uint64_t off = 0; off < img.wal.size(); off += 512) {
    std::vector<uint8_t> damaged = img.wal;
    std::fill(damaged.begin() + static_cast<long>(off),
              damaged.begin() + static_cast<long>(std::min<uint64_t>(off + 512, damaged.size())),
              0);
    ExpectWalCommittedOrError(img, damaged, "-wal sector at " + std::to_string(off) + " zeroed");
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(DamageSweep, GarbageAppendedToTheWalSidecarShowsACommittedState) {
  WalImage img = BuildWal();
  for (size_t extra : {1, 24, 511, 536, 4096}) {
    std::vector<uint8_t> longer = img.wal;
    std::vector<uint8_t> junk = PatternBytes(extra, extra);
    longer.insert(longer.end(), junk.begin(), junk.end());
    ExpectWalCommittedOrError(img, longer, std::to_string(extra) + " bytes appended");
  }
}

// ---- WAL segments --------------------------------------------------------------------------

const char* kLogDir = "log";

struct SegImage {
  std::map<std::string, std::vector<uint8_t>> files;  // path -> bytes
  std::vector<std::string> segments;                  // segment paths in LSN order
  uint64_t records = 0;
};

std::vector<uint8_t> Payload(uint64_t lsn) { return PatternBytes(lsn, 1 + (lsn * 37) % 700); }

SegImage BuildLog() {
  io::MemEnv env;
  walseg::WriterOptions o;
  o.segment_bytes = 4096;
  o.prewrite_bytes = 0;
  o.buffer_bytes = 0;
  std::unique_ptr<walseg::LogWriter> w;
  EXPECT_TRUE(walseg::LogWriter::Open(&env, kLogDir, o, &w).ok());
  SegImage img;
  for (uint64_t i = 1; i <= 40; i++) {
    uint64_t lsn = 0;
    std::vector<uint8_t> p = Payload(i);
    EXPECT_TRUE(w->Append(1, p.data(), p.size(), &lsn).ok());
  }
  EXPECT_TRUE(w->Close().ok());
  img.records = 40;
  for (const std::string& path : env.FilePaths()) {
    EXPECT_TRUE(env.GetFileBytes(path, &img.files[path]).ok());
    if (path.size() > 4 && path.compare(path.size() - 4, 4, ".wal") == 0) {
      img.segments.push_back(path);
    }
  }
  return img;
}

// Replays the log with one file replaced: the records seen must be 1..n with their payloads
// (a prefix), and a damaged sealed segment must stop the replay as CORRUPT, not silently.
void ExpectPrefixOrError(const SegImage& img, const std::string& path,
                         const std::vector<uint8_t>& bytes, bool sealed, const std::string& what) {
  std::map<std::string, std::vector<uint8_t>> files = img.files;
  files[path] = bytes;
  std::unique_ptr<io::FaultEnv> owned = io::FaultEnv::FromImage(files);
  io::Env& env = *owned;
  std::unique_ptr<walseg::LogReplay> rp;
  Status st = walseg::LogReplay::Open(&env, kLogDir, 0, walseg::ReaderOptions(), &rp);
  if (!st.ok()) {
    EXPECT_TRUE(st.code() == Code::kCorrupt || st.code() == Code::kNotFound) << what;
    return;
  }
  uint64_t n = 0;
  while (true) {
    walseg::RecordView v;
    bool found = false;
    st = rp->Next(&v, &found);
    if (!st.ok() || !found) break;
    n++;
    std::vector<uint8_t> want = Payload(n);
    ASSERT_EQ(v.lsn, n) << what;
    ASSERT_TRUE(v.len == want.size() && std::memcmp(v.data, want.data(), want.size()) == 0)
        << what << ": record " << n << " has other bytes";
  }
  EXPECT_TRUE(st.ok() || st.code() == Code::kCorrupt) << what << ": " << st.ToString();
  if (n < img.records && sealed) {
    EXPECT_EQ(rp->stop_reason(), walseg::StopReason::kCorrupt)
        << what << ": records of a sealed segment vanished without a CORRUPT stop (after " << n
        << ")";
  }
}

TEST(DamageSweep, EveryTruncationOfEverySegmentGivesAPrefixOrACorruptStop) {
  SegImage img = BuildLog();
  ASSERT_GE(img.segments.size(), 3u);
  for (size_t s = 0; s < img.segments.size(); s++) {
    const std::string& path = img.segments[s];
    const std::vector<uint8_t>& full = img.files.at(path);
    const bool sealed = s + 1 < img.segments.size();
    for (uint64_t len : TruncationLengths(full.size())) {
      std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<long>(len));
      ExpectPrefixOrError(img, path, cut, sealed, path + " cut to " + std::to_string(len));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(DamageSweep, EveryZeroedSectorOfEverySegmentGivesAPrefixOrACorruptStop) {
  SegImage img = BuildLog();
  for (size_t s = 0; s < img.segments.size(); s++) {
    const std::string& path = img.segments[s];
    const std::vector<uint8_t>& full = img.files.at(path);
    for (uint64_t off = 0; off < full.size(); off += 512) {
      std::vector<uint8_t> damaged = full;
      std::fill(damaged.begin() + static_cast<long>(off),
                damaged.begin() + static_cast<long>(std::min<uint64_t>(off + 512, full.size())),
                0);
      ExpectPrefixOrError(img, path, damaged, s + 1 < img.segments.size(),
                          path + " sector " + std::to_string(off) + " zeroed");
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(DamageSweep, GarbageAppendedToTheLastSegmentKeepsEveryRecord) {
  SegImage img = BuildLog();
  const std::string& path = img.segments.back();
  for (size_t extra : {1, 7, 64, 700}) {
    std::vector<uint8_t> longer = img.files.at(path);
    std::vector<uint8_t> junk = PatternBytes(extra + 9, extra);
    longer.insert(longer.end(), junk.begin(), junk.end());
    ExpectPrefixOrError(img, path, longer, false, std::to_string(extra) + " bytes appended");
  }
}

// ---- page file -----------------------------------------------------------------------------

struct FileImage {
  std::vector<uint8_t> bytes;
  std::vector<std::pair<std::set<uint64_t>, std::map<uint64_t, uint64_t>>> states;
};

std::pair<std::set<uint64_t>, std::map<uint64_t, uint64_t>> FileState(file::PageFile* pf) {
  std::pair<std::set<uint64_t>, std::map<uint64_t, uint64_t>> s;
  uint64_t next = 0, id = 0;
  bool found = true;
  while (pf->NextRegular(next, &id, &found).ok() && found) {
    s.first.insert(id);
    next = id + 1;
  }
  next = 1;
  std::vector<uint8_t> buf(pf->page_size());
  while (pf->NextProtected(next, &id, &found).ok() && found) {
    if (!pf->ProtectedRead(id, buf.data(), buf.size()).ok()) break;
    s.second[id] = Checksum64(buf.data(), buf.size());
    next = id + 1;
  }
  return s;
}

file::FileOptions DamageFileOptions() {
  file::FileOptions o;
  o.page_size = 1024;
  o.max_size_bytes = uint64_t{1} << 24;
  o.initial_page_count = 16;
  return o;
}

FileImage BuildPageFile() {
  io::MemEnv env;
  FileImage img;
  std::unique_ptr<file::PageFile> pf;
  EXPECT_TRUE(file::PageFile::Create(&env, "pf", DamageFileOptions(), &pf).ok());
  img.states.push_back(FileState(pf.get()));
  std::vector<uint64_t> ids(6), prot(2);
  EXPECT_TRUE(pf->AllocBulk(ids.size(), ids.data()).ok());
  img.states.push_back(FileState(pf.get()));
  EXPECT_TRUE(pf->ProtectedAllocBulk(prot.size(), prot.data()).ok());
  img.states.push_back(FileState(pf.get()));
  std::vector<uint8_t> b = PatternBytes(5, 1024);
  EXPECT_TRUE(pf->ProtectedWrite(prot[1], b.data()).ok());
  img.states.push_back(FileState(pf.get()));
  EXPECT_TRUE(pf->Free(ids[2]).ok());
  img.states.push_back(FileState(pf.get()));
  pf.reset();
  EXPECT_TRUE(env.GetFileBytes("pf", &img.bytes).ok());
  return img;
}

// Opens the damaged file read-only, then read-write: each fails with CORRUPT / VERSION or
// shows one of the committed states (an older one only where damage hit the newest meta).
void ExpectFileCommittedOrError(const FileImage& img, const std::vector<uint8_t>& bytes,
                                const std::string& what) {
  for (bool read_only : {true, false}) {
    std::unique_ptr<io::FaultEnv> env = io::FaultEnv::FromImage({{"pf", bytes}});
    file::FileOptions o = DamageFileOptions();
    o.page_size = 0;
    o.read_only = read_only;
    std::unique_ptr<file::PageFile> pf;
    Status st = file::PageFile::Open(env.get(), "pf", o, &pf);
    if (!st.ok()) {
      EXPECT_TRUE(st.code() == Code::kCorrupt || st.code() == Code::kVersion)
          << what << ": " << st.ToString();
      continue;
    }
    ASSERT_TRUE(pf->CheckInvariants().ok()) << what;
    auto got = FileState(pf.get());
    bool known = false;
    for (const auto& s : img.states) known = known || got == s;
    ASSERT_TRUE(known) << what << (read_only ? " (read-only)" : " (read-write)")
                       << ": the file matches no committed state";
  }
}

TEST(DamageSweep, EveryTruncationOfThePageFileIsCorruptOrACommittedState) {
  FileImage img = BuildPageFile();
  for (uint64_t len : TruncationLengths(img.bytes.size())) {
    std::vector<uint8_t> cut(img.bytes.begin(), img.bytes.begin() + static_cast<long>(len));
    ExpectFileCommittedOrError(img, cut, "page file cut to " + std::to_string(len));
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(DamageSweep, EveryZeroedSectorOfThePageFileIsCorruptOrACommittedState) {
  FileImage img = BuildPageFile();
  for (uint64_t off = 0; off < img.bytes.size(); off += 512) {
    std::vector<uint8_t> damaged = img.bytes;
    std::fill(damaged.begin() + static_cast<long>(off),
              damaged.begin() + static_cast<long>(std::min<uint64_t>(off + 512, damaged.size())),
              0);
    ExpectFileCommittedOrError(img, damaged, "sector at " + std::to_string(off) + " zeroed");
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(DamageSweep, GarbageAppendedToThePageFileIsCorruptOrACommittedState) {
  FileImage img = BuildPageFile();
  for (size_t extra : {1, 511, 1024, 5000}) {
    std::vector<uint8_t> longer = img.bytes;
    std::vector<uint8_t> junk = PatternBytes(extra + 3, extra);
    longer.insert(longer.end(), junk.begin(), junk.end());
    ExpectFileCommittedOrError(img, longer, std::to_string(extra) + " bytes appended");
  }
}

}  // namespace
}  // namespace pager
