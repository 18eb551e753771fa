// Golden files: one committed file of every on-disk format this version writes
// (tests/golden/, made by tests/golden/make_golden.sh; contents in tests/golden/README.md).
// Every test opens a temp COPY read-only and checks every byte of content the README states,
// so a change of the readers or of the format that loses old files fails here. For each
// format a copy whose format version field is patched to version + 1 (checksums recomputed)
// must be refused with PAGER_ERR_VERSION. The committed files are never opened in place.
//
// C API used (kept few on purpose; out-parameter types are deduced, so width changes compile):
//   pager_file_options_init, _open, _close, _page_count, _free_page_count, _protected_count,
//   _iter_pages, _iter_protected, _iter_next, _iter_free, _page_const, _protected_read;
//   pager_wal_open_read_only, _close, _page_count, _read_page, _read_app_header;
//   pager_walseg_replay_open, _next, _stop, _close, pager_walseg_reader_options_init;
//   pager_snapshot_verify, _inspect, _info_init, _restore, pager_cache_meta_init,
//   pager_refengine_create, _ops, _get_seq, _read_page, _free.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "impl/file/format.h"
#include "impl/io/checksum.h"
#include "impl/snapshot/format.h"
#include "impl/wal/wal_format.h"
#include "impl/walseg/format.h"
#include "pager.h"
#include "tests/support/test_util.h"

namespace {

// A read-only open of a WAL pager database (0.2: the access mode is an option).
int OpenWalReadOnly(const std::string& path, pager_wal** h) {
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.read_only = 1;
  return pager_wal_open(path.c_str(), &o, h);
}


namespace fs = std::filesystem;
using pager::testing::ReadWholeFile;
using pager::testing::TempDir;
using pager::testing::WriteWholeFile;

const char* kGoldenDir = "tests/golden";

// ArgT<&fn, i>: the pointee type of fn's parameter i (for out-parameters).
template <typename R, typename... A>
std::tuple<A...> ArgsOf(R (*)(A...) noexcept);
template <typename R, typename... A>
std::tuple<A...> ArgsOf(R (*)(A...));
template <auto F, size_t I>
using ArgT = std::remove_pointer_t<std::tuple_element_t<I, decltype(ArgsOf(F))>>;

// A temp copy of the named golden files or directories.
std::string CopyGolden(const TempDir& tmp, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    fs::copy(fs::path(kGoldenDir) / n, fs::path(tmp.path()) / n, fs::copy_options::recursive);
  }
  return tmp.path();
}

void PutU32(std::vector<uint8_t>* b, size_t off, uint32_t v) { std::memcpy(b->data() + off, &v, 4); }
void PutU16(std::vector<uint8_t>* b, size_t off, uint16_t v) { std::memcpy(b->data() + off, &v, 2); }
void PutU64(std::vector<uint8_t>* b, size_t off, uint64_t v) { std::memcpy(b->data() + off, &v, 8); }
uint32_t GetU32(const std::vector<uint8_t>& b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

// ---- page file: page_file.lpf --------------------------------------------------------------

constexpr uint32_t kFilePageSize = 1024;
const std::vector<uint64_t> kFileDataPages = {5, 7, 8, 10};  // 6 and 9 were allocated, freed

uint8_t FileDataByte(uint64_t id, uint32_t j) { return static_cast<uint8_t>(id * 31 + j); }
uint8_t FileProtectedByte(uint64_t id, uint32_t j, unsigned gen) {
  return static_cast<uint8_t>(id * 17 + j * 3 + gen);
}

pager_file* OpenFileReadOnly(const std::string& path, int* rc) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.page_size = 0;  // the file's (today's options_init sets 4096, which open would enforce)
  o.read_only = 1;
  // The golden file is 17 pages: reserve 64 MiB, not the default 1 TiB of address space, which
  // ThreadSanitizer's narrower application range cannot always find once earlier tests have
  // mapped files (seen at random in the full TSan suite). The default reservation has its own
  // test (FileCapi.NullOptionsMeanDefaults).
  o.max_size_bytes = uint64_t{64} << 20;
  pager_file* f = nullptr;
  *rc = pager_file_open(path.c_str(), &o, &f);
  return f;
}

std::vector<uint64_t> IterIds(pager_file* f, bool protected_ids) {
  pager_file_iter* it = nullptr;
  int rc = protected_ids ? pager_file_iter_protected(f, &it) : pager_file_iter_pages(f, &it);
  EXPECT_EQ(rc, PAGER_OK) << pager_last_error();
  std::vector<uint64_t> ids;
  for (;;) {
    ArgT<&pager_file_iter_next, 1> id{};
    ArgT<&pager_file_iter_next, 2> found{};
    EXPECT_EQ(pager_file_iter_next(it, &id, &found), PAGER_OK);
    if (!found) break;
    ids.push_back(id);
  }
  pager_file_iter_free(it);
  return ids;
}

TEST(GoldenPageFile, OpensReadOnlyWithEveryStatedPageAndByte) {
  TempDir tmp;
  std::string path = CopyGolden(tmp, {"page_file.lpf"}) + "/page_file.lpf";
  std::vector<uint8_t> raw = ReadWholeFile(path);
  ASSERT_EQ(raw.size(), 32u * kFilePageSize);
  EXPECT_EQ(std::memcmp(raw.data(), "LPGFILE\0", 8), 0);
  EXPECT_EQ(GetU32(raw, 8), 1u);   // format_version
  EXPECT_EQ(GetU32(raw, 12), 10u);  // page_size_log2
  // The internal pages, as README.md lists them.
  const std::vector<std::pair<uint64_t, const char*>> magics = {
      {1, "LPGMETA\0"}, {2, "LPGMETA\0"}, {3, "LPGBMAP\0"}, {4, "LPGBMAP\0"},
      {11, "LPGDIR\0\0"}, {12, "LPGDIR\0\0"}};
  for (const auto& [page, magic] : magics) {
    EXPECT_EQ(std::memcmp(raw.data() + page * kFilePageSize, magic, 8), 0) << "page " << page;
  }
  for (uint32_t j = 0; j < kFilePageSize; j++) {  // active backing pages of protected 1 and 2
    ASSERT_EQ(raw[13 * kFilePageSize + j], FileProtectedByte(1, j, 2)) << "page 13 byte " << j;
    ASSERT_EQ(raw[16 * kFilePageSize + j], FileProtectedByte(2, j, 1)) << "page 16 byte " << j;
  }
  for (size_t i = 17 * kFilePageSize; i < raw.size(); i++) {
    ASSERT_EQ(raw[i], 0) << "free page " << i / kFilePageSize << " is not zero";
  }

  int rc = 0;
  pager_file* f = OpenFileReadOnly(path, &rc);
  ASSERT_EQ(rc, PAGER_OK) << pager_last_error();
  ArgT<&pager_file_page_size, 1> page_size{};
  ArgT<&pager_file_page_count, 1> page_count{};
  ArgT<&pager_file_free_page_count, 1> free_count{};
  ArgT<&pager_file_protected_count, 1> protected_count{};
  EXPECT_EQ(pager_file_page_size(f, &page_size), PAGER_OK);
  EXPECT_EQ(pager_file_page_count(f, &page_count), PAGER_OK);
  EXPECT_EQ(pager_file_free_page_count(f, &free_count), PAGER_OK);
  EXPECT_EQ(pager_file_protected_count(f, &protected_count), PAGER_OK);
  EXPECT_EQ(page_size, kFilePageSize);
  EXPECT_EQ(page_count, 32u);
  EXPECT_EQ(free_count, 17u);  // 6, 9 and 17..31
  EXPECT_EQ(protected_count, 2u);
  EXPECT_EQ(IterIds(f, false), kFileDataPages);
  EXPECT_EQ(IterIds(f, true), (std::vector<uint64_t>{1, 2}));
  for (uint64_t id : kFileDataPages) {
    const void* data = nullptr;
    ASSERT_EQ(pager_file_page_const(f, id, &data), PAGER_OK) << pager_last_error();
    const uint8_t* p = static_cast<const uint8_t*>(data);
    for (uint32_t j = 0; j < kFilePageSize; j++) {
      ASSERT_EQ(p[j], FileDataByte(id, j)) << "page " << id << " byte " << j;
      ASSERT_EQ(raw[id * kFilePageSize + j], FileDataByte(id, j)) << "raw page " << id;
    }
  }
  // Protected page 1 was committed twice (generation 2 is its content), page 2 once.
  const unsigned gens[] = {0, 2, 1};
  for (uint64_t id : {1, 2}) {
    std::vector<uint8_t> buf(kFilePageSize);
    ASSERT_EQ(pager_file_protected_read(f, id, buf.data(), buf.size()), PAGER_OK)
        << pager_last_error();
    for (uint32_t j = 0; j < kFilePageSize; j++) {
      ASSERT_EQ(buf[j], FileProtectedByte(id, j, gens[id])) << "protected " << id << " byte " << j;
    }
  }
  pager_file_close(f);
  EXPECT_EQ(ReadWholeFile(path), raw) << "a read-only open changed the file";
}

TEST(GoldenPageFile, ANewerSuperblockVersionIsAVersionError) {
  TempDir tmp;
  std::string path = CopyGolden(tmp, {"page_file.lpf"}) + "/page_file.lpf";
  std::vector<uint8_t> raw = ReadWholeFile(path);
  PutU32(&raw, 8, pager::file::kFormatVersion + 1);
  PutU64(&raw, 56, pager::Checksum64(raw.data(), 56, pager::file::kSeedSuperblock));
  WriteWholeFile(path, raw);
  int rc = 0;
  pager_file* f = OpenFileReadOnly(path, &rc);
  EXPECT_EQ(rc, PAGER_ERR_VERSION) << pager_last_error();
  pager_file_close(f);
}

// ---- WAL pager: wal.db + wal.db-wal ---------------------------------------------------------

constexpr uint32_t kWalPageSize = 512;

uint8_t WalByte(uint32_t page, unsigned commit, uint32_t j) {
  return static_cast<uint8_t>(page * 7 + commit * 50 + j);
}

TEST(GoldenWal, OpensReadOnlyWithEveryCommittedPageFromTheWal) {
  TempDir tmp;
  std::string dir = CopyGolden(tmp, {"wal.db", "wal.db-wal"});
  std::string path = dir + "/wal.db";
  std::vector<uint8_t> main_raw = ReadWholeFile(path);
  std::vector<uint8_t> wal_raw = ReadWholeFile(path + "-wal");
  ASSERT_EQ(main_raw.size(), kWalPageSize);  // page 0 only: nothing was checkpointed
  EXPECT_EQ(std::memcmp(main_raw.data(), "LPAGERDB", 8), 0);
  EXPECT_EQ(GetU32(main_raw, 8), 1u);             // format_version
  EXPECT_EQ(GetU32(main_raw, 12), kWalPageSize);  // page_size
  EXPECT_EQ(GetU32(main_raw, 16), 1u);            // page_count of the main file
  ASSERT_EQ(wal_raw.size(), 64u + 6u * (32u + kWalPageSize));  // header + 6 frames
  EXPECT_EQ(std::memcmp(wal_raw.data(), "LPAGERWL", 8), 0);
  EXPECT_EQ(GetU32(wal_raw, 8), 1u);

  pager_wal* h = nullptr;
  ASSERT_EQ(OpenWalReadOnly(path, &h), PAGER_OK) << pager_last_error();
  ArgT<&pager_wal_page_count, 1> count{};
  EXPECT_EQ(pager_wal_page_count(h, &count), PAGER_OK);
  EXPECT_EQ(count, 5u);
  const unsigned commit_of[] = {0, 1, 2, 1, 2};  // the commit that last wrote page n
  std::vector<uint8_t> buf(kWalPageSize);
  for (uint32_t n = 1; n <= 4; n++) {
    ASSERT_EQ(pager_wal_read_page(h, n, buf.data(), buf.size()), PAGER_OK) << pager_last_error();
    for (uint32_t j = 0; j < kWalPageSize; j++) {
      ASSERT_EQ(buf[j], WalByte(n, commit_of[n], j)) << "page " << n << " byte " << j;
    }
  }
  std::vector<uint8_t> app(PAGER_WAL_APP_HEADER_SIZE);
  ASSERT_EQ(pager_wal_read_app_header(h, app.data(), app.size()), PAGER_OK);
  for (uint32_t j = 0; j < app.size(); j++) {
    ASSERT_EQ(app[j], static_cast<uint8_t>(0xA5 ^ j)) << "app header byte " << j;
  }
  pager_wal_close(h);
  EXPECT_EQ(ReadWholeFile(path), main_raw);
  EXPECT_EQ(ReadWholeFile(path + "-wal"), wal_raw);
}

// Sets format_version of every non-empty header copy of the main file and fixes its checksum.
void PatchWalMainVersion(std::vector<uint8_t>* raw, uint32_t version) {
  namespace w = pager::wal;
  for (uint32_t slot = 0; slot < w::kHeaderSlotCount; slot++) {
    size_t base = slot * w::kHeaderCopySize;
    if (std::memcmp(raw->data() + base, w::kMainMagic, 8) != 0) continue;
    PutU32(raw, base + 8, version);
    std::vector<uint8_t> covered(raw->begin() + base, raw->begin() + base + 56);
    covered.insert(covered.end(), raw->begin() + base + 64,
                   raw->begin() + base + 64 + w::kAppHeaderSize);
    PutU64(raw, base + 56, pager::Checksum64(covered.data(), covered.size(), w::kMainSeed));
  }
}

TEST(GoldenWal, ANewerMainFileVersionIsAVersionError) {
  TempDir tmp;
  std::string path = CopyGolden(tmp, {"wal.db", "wal.db-wal"}) + "/wal.db";
  std::vector<uint8_t> raw = ReadWholeFile(path);
  PatchWalMainVersion(&raw, pager::wal::kFormatVersion + 1);
  WriteWholeFile(path, raw);
  pager_wal* h = nullptr;
  EXPECT_EQ(OpenWalReadOnly(path, &h), PAGER_ERR_VERSION)
      << pager_last_error();
  pager_wal_close(h);
}

TEST(GoldenWal, ANewerWalHeaderVersionIsAVersionError) {
  TempDir tmp;
  std::string path = CopyGolden(tmp, {"wal.db", "wal.db-wal"}) + "/wal.db";
  std::vector<uint8_t> raw = ReadWholeFile(path + "-wal");
  PutU32(&raw, 8, pager::wal::kFormatVersion + 1);
  PutU64(&raw, 56, pager::Checksum64(raw.data(), 56, pager::wal::kWalSeed));
  WriteWholeFile(path + "-wal", raw);
  pager_wal* h = nullptr;
  EXPECT_EQ(OpenWalReadOnly(path, &h), PAGER_ERR_VERSION)
      << pager_last_error();
  pager_wal_close(h);
}

// ---- WAL segments: walseg/ -------------------------------------------------------------------

uint16_t WalsegType(uint64_t lsn) { return lsn % 2 ? 1 : 2; }

struct Replayed {
  int rc = PAGER_OK;
  std::vector<pager_walseg_record> records;
  std::vector<std::vector<uint8_t>> payloads;
  uint32_t reason = 0;
};

Replayed Replay(const std::string& dir, const pager_walseg_reader_options* opts) {
  Replayed out;
  pager_walseg_replay* it = nullptr;
  out.rc = pager_walseg_replay_open(dir.c_str(), 0, opts, &it);
  if (out.rc != PAGER_OK) return out;
  for (;;) {
    pager_walseg_record rec;
    std::memset(&rec, 0, sizeof rec);
    ArgT<&pager_walseg_replay_next, 2> found{};
    out.rc = pager_walseg_replay_next(it, &rec, &found);
    if (out.rc != PAGER_OK || !found) break;
    out.records.push_back(rec);
    out.payloads.emplace_back(rec.data, rec.data + rec.len);
  }
  ArgT<&pager_walseg_replay_stop, 1> reason{};
  EXPECT_EQ(pager_walseg_replay_stop(it, &reason, nullptr, nullptr, nullptr), PAGER_OK);
  out.reason = reason;
  pager_walseg_replay_close(it);
  return out;
}

TEST(GoldenWalseg, ReplaysEveryRecordOfEverySegment) {
  TempDir tmp;
  std::string dir = CopyGolden(tmp, {"walseg"}) + "/walseg";
  const std::vector<std::pair<const char*, uint64_t>> segments = {
      {"0000000000000001.wal", 192}, {"0000000000000004.wal", 168}, {"0000000000000006.wal", 200}};
  for (const auto& [name, bytes] : segments) {
    EXPECT_EQ(fs::file_size(fs::path(dir) / name), bytes) << name;
  }
  std::vector<uint8_t> first = ReadWholeFile(dir + "/0000000000000001.wal");
  EXPECT_EQ(std::memcmp(first.data() + 8, "WSEG", 4), 0);
  EXPECT_EQ(first[12], 1);  // version (u16 little-endian)
  EXPECT_EQ(first[13], 0);

  Replayed r = Replay(dir, nullptr);
  ASSERT_EQ(r.rc, PAGER_OK) << pager_last_error();
  ASSERT_EQ(r.records.size(), 7u);
  for (uint64_t lsn = 1; lsn <= 7; lsn++) {
    const pager_walseg_record& rec = r.records[lsn - 1];
    EXPECT_EQ(rec.lsn, lsn);
    EXPECT_EQ(rec.type, WalsegType(lsn));
    ASSERT_EQ(rec.len, lsn * 9);
    for (uint64_t j = 0; j < rec.len; j++) {
      ASSERT_EQ(r.payloads[lsn - 1][j], static_cast<uint8_t>(lsn + j)) << "LSN " << lsn;
    }
  }
  EXPECT_EQ(r.reason, static_cast<uint32_t>(PAGER_WALSEG_STOP_CLEAN_END));
}

// Sets field bytes of the record at `off` through `patch` and fixes the record's checksum.
template <typename Patch>
void PatchRecord(const std::string& path, size_t off, size_t record_bytes, Patch patch) {
  std::vector<uint8_t> raw = ReadWholeFile(path);
  patch(&raw);
  PutU64(&raw, off,
         pager::Checksum64(raw.data() + off + 8, record_bytes - 8, pager::walseg::kChecksumSeed));
  WriteWholeFile(path, raw);
}

// doc/format/wal-segment.md, "Versioning": the version is per record and a reader treats a
// version it does not know as damage -- not as PAGER_ERR_VERSION: a sealed segment with an
// unknown record version stops the replay as CORRUPT before that record. The VERSION error of
// this format is a record of an unknown *required* type (next test).
TEST(GoldenWalseg, ANewerRecordVersionStopsTheReplayAsCorrupt) {
  TempDir tmp;
  std::string dir = CopyGolden(tmp, {"walseg"}) + "/walseg";
  // Record LSN 2 starts at 56 in the first (sealed) segment and is 64 bytes long.
  PatchRecord(dir + "/0000000000000001.wal", 56, 64, [](std::vector<uint8_t>* raw) {
    PutU16(raw, 56 + 12, pager::walseg::kFormatVersion + 1);
  });
  Replayed r = Replay(dir, nullptr);
  EXPECT_EQ(r.rc, PAGER_OK) << pager_last_error();
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.reason, static_cast<uint32_t>(PAGER_WALSEG_STOP_CORRUPT));
}

TEST(GoldenWalseg, AnUnknownRequiredRecordTypeIsAVersionError) {
  TempDir tmp;
  std::string dir = CopyGolden(tmp, {"walseg"}) + "/walseg";
  PatchRecord(dir + "/0000000000000001.wal", 56, 64, [](std::vector<uint8_t>* raw) {
    PutU16(raw, 56 + 14, static_cast<uint16_t>(pager::walseg::kTypeRequiredBit | 3));
  });
  pager_walseg_reader_options o;
  pager_walseg_reader_options_init(&o);
  const uint16_t known[] = {1, 2};
  o.known_types = known;
  o.known_type_count = 2;
  Replayed r = Replay(dir, &o);
  EXPECT_EQ(r.rc, PAGER_ERR_VERSION) << pager_last_error();
  EXPECT_EQ(r.records.size(), 1u);
}

// ---- KV snapshots: kv_full.snap, kv_incr.snap (parent kv_full.snap) --------------------------

constexpr uint64_t kKvPageBytes = 256;

std::vector<uint8_t> KvK(uint32_t content) {
  std::vector<uint8_t> b(kKvPageBytes);
  for (uint32_t j = 0; j < kKvPageBytes; j++) b[j] = static_cast<uint8_t>(content * 13 + j);
  return b;
}
std::vector<uint8_t> KvV(uint32_t content) {
  std::vector<uint8_t> b(kKvPageBytes);
  for (uint32_t j = 0; j < kKvPageBytes; j++) b[j] = static_cast<uint8_t>(content * 29 + j + 7);
  return b;
}

struct SeqWant {
  const char* id;
  std::vector<uint32_t> contents;  // the content pattern of each page, in order
  uint32_t fill;
};

// Restores the snapshot at path into a fresh reference engine and checks every sequence's
// pages byte for byte.
void ExpectRestores(const std::string& path, const std::vector<SeqWant>& seqs) {
  pager_cache_meta m;
  pager_cache_meta_init(&m);
  m.tokens_per_page = 4;
  m.layers = 2;
  m.kv_heads = 2;
  m.head_dim = 8;
  m.dtype = PAGER_DTYPE_F16;
  pager_refengine* e = nullptr;
  ASSERT_EQ(pager_refengine_create(&m, 8, &e), PAGER_OK) << pager_last_error();
  pager_cache_ops ops;
  std::memset(&ops, 0, sizeof ops);
  ASSERT_EQ(pager_refengine_ops(e, &ops), PAGER_OK);
  ASSERT_EQ(pager_snapshot_restore(&ops, path.c_str(), nullptr), PAGER_OK) << pager_last_error();
  for (const SeqWant& s : seqs) {
    uint32_t pages[8] = {};
    ArgT<&pager_refengine_get_seq, 5> n{};
    ArgT<&pager_refengine_get_seq, 6> fill{};
    ASSERT_EQ(pager_refengine_get_seq(e, s.id, static_cast<uint32_t>(std::strlen(s.id)), pages, 8,
                                      &n, &fill),
              PAGER_OK)
        << s.id << ": " << pager_last_error();
    ASSERT_EQ(n, s.contents.size()) << s.id;
    EXPECT_EQ(fill, s.fill) << s.id;
    for (size_t i = 0; i < s.contents.size(); i++) {
      std::vector<uint8_t> k(kKvPageBytes), v(kKvPageBytes);
      ASSERT_EQ(pager_refengine_read_page(e, pages[i], k.data(), k.size(), v.data(), v.size()),
                PAGER_OK);
      EXPECT_EQ(k, KvK(s.contents[i])) << s.id << " page " << i << " K";
      EXPECT_EQ(v, KvV(s.contents[i])) << s.id << " page " << i << " V";
    }
  }
  pager_refengine_free(e);
}

pager_snapshot_info Inspect(const std::string& path) {
  pager_snapshot_info info;
  pager_snapshot_info_init(&info);
  EXPECT_EQ(pager_snapshot_inspect(path.c_str(), &info), PAGER_OK) << pager_last_error();
  return info;
}

TEST(GoldenSnapshot, FullSnapshotVerifiesAndRestoresEveryPage) {
  TempDir tmp;
  std::string path = CopyGolden(tmp, {"kv_full.snap"}) + "/kv_full.snap";
  std::vector<uint8_t> raw = ReadWholeFile(path);
  EXPECT_EQ(raw.size(), 2504u);
  EXPECT_EQ(std::memcmp(raw.data(), "PGKVSNAP", 8), 0);
  EXPECT_EQ(GetU32(raw, 8), 1u);  // format_version
  EXPECT_EQ(std::memcmp(raw.data() + raw.size() - 64, "PGKVTAIL", 8), 0);
  EXPECT_EQ(pager_snapshot_verify(path.c_str(), nullptr), PAGER_OK) << pager_last_error();
  pager_snapshot_info info = Inspect(path);
  EXPECT_EQ(info.format_version, 1u);
  EXPECT_EQ(info.k_page_bytes, kKvPageBytes);
  EXPECT_EQ(info.v_page_bytes, kKvPageBytes);
  EXPECT_EQ(info.page_count, 4u);
  EXPECT_EQ(info.stored_page_count, 4u);
  EXPECT_EQ(info.compressed_page_count, 0u);
  EXPECT_EQ(info.seq_count, 2u);
  EXPECT_EQ(info.parent_snapshot_id, 0u);
  ExpectRestores(path, {{"alpha", {0, 1, 2}, 3}, {"beta", {3}, 4}});
  EXPECT_EQ(ReadWholeFile(path), raw);
}

TEST(GoldenSnapshot, IncrementalSnapshotRestoresThroughItsParent) {
  TempDir tmp;
  std::string dir = CopyGolden(tmp, {"kv_full.snap", "kv_incr.snap"});
  std::string path = dir + "/kv_incr.snap";
  std::vector<uint8_t> raw = ReadWholeFile(path);
  EXPECT_EQ(raw.size(), 1544u);
  EXPECT_EQ(GetU32(raw, 12), pager::snapshot::kFlagIncremental);  // flags
  EXPECT_EQ(pager_snapshot_verify(path.c_str(), nullptr), PAGER_OK) << pager_last_error();
  pager_snapshot_info info = Inspect(path);
  pager_snapshot_info parent = Inspect(dir + "/kv_full.snap");
  EXPECT_EQ(info.page_count, 5u);
  EXPECT_EQ(info.stored_page_count, 2u);  // page 1 rewritten and the new page 4
  EXPECT_EQ(info.seq_count, 2u);
  EXPECT_NE(info.snapshot_id, 0u);
  EXPECT_EQ(info.parent_snapshot_id, parent.snapshot_id);
  ExpectRestores(path, {{"alpha", {0, 10, 2}, 3}, {"beta", {3, 4}, 1}});
}

TEST(GoldenSnapshot, ANewerHeaderVersionIsAVersionError) {
  TempDir tmp;
  std::string path = CopyGolden(tmp, {"kv_full.snap"}) + "/kv_full.snap";
  std::vector<uint8_t> raw = ReadWholeFile(path);
  ASSERT_EQ(GetU32(raw, 8), pager::snapshot::kFormatVersion);
  PutU32(&raw, 8, pager::snapshot::kFormatVersion + 1);
  // A full snapshot has no parent path: the header checksum covers bytes [0, 120).
  PutU64(&raw, 120, pager::Checksum64(raw.data(), 120, pager::snapshot::kSeedHeader));
  WriteWholeFile(path, raw);
  EXPECT_EQ(pager_snapshot_verify(path.c_str(), nullptr), PAGER_ERR_VERSION) << pager_last_error();
  pager_snapshot_info info;
  pager_snapshot_info_init(&info);
  EXPECT_EQ(pager_snapshot_inspect(path.c_str(), &info), PAGER_ERR_VERSION);
}

}  // namespace
