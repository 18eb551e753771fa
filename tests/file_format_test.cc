// Mapped page file: golden bytes of the format doc, corruption of every superblock and meta
// field, and the recovery decision table (doc/format/page-file.md), row by row.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <cstddef>
#include <cstring>
#include <functional>
#include <new>

#include "impl/io/checksum.h"
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::MustCreate;
using testing::RegularPages;
using testing::SmallOptions;

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

// The worked examples in doc/format/page-file.md: page size 4096, file id 0x0123456789abcdef,
// format 2 (what create writes: journaled) and format 1 (no journal; still read and written).
TEST(FileFormat, SuperblockGoldenBytes) {
  SuperblockDisk sb = MakeSuperblock(12, 0x0123456789abcdefull);
  EXPECT_EQ(HexOf(&sb, 64),
            "4c504746494c4500"   // magic "LPGFILE\0"
            "02000000"           // format_version 2
            "0c000000"           // page_size_log2 12
            "efcdab8967452301"   // file_id
            "0000000000000000000000000000000000000000000000000000000000000000"  // reserved
            + HexOf(&sb.checksum, 8));
  EXPECT_EQ(sb.checksum, Checksum64(&sb, 56, kSeedSuperblock));
  EXPECT_EQ(HexOf(&sb.checksum, 8), "079095dbffc5172e");
}

TEST(FileFormat, FormatOneSuperblockGoldenBytes) {
  SuperblockDisk sb = MakeSuperblock(12, 0x0123456789abcdefull, kFormatVersionUnjournaled);
  EXPECT_EQ(HexOf(&sb, 64),
            "4c504746494c4500"   // magic "LPGFILE\0"
            "01000000"           // format_version 1
            "0c000000"           // page_size_log2 12
            "efcdab8967452301"   // file_id
            "0000000000000000000000000000000000000000000000000000000000000000"  // reserved
            + HexOf(&sb.checksum, 8));
  EXPECT_EQ(HexOf(&sb.checksum, 8), "0f0bf3f5df1c86ad");
}

TEST(FileFormat, MetaGoldenBytes) {
  Meta m;
  m.generation = 1;
  m.page_count = 64;
  m.used_page_count = 5;
  m.state_root = 0x1122334455667788ull;
  std::vector<uint8_t> page(4096);
  EncodeMeta(m, 12, 0x0123456789abcdefull, page.data());
  EXPECT_EQ(HexOf(page.data(), 128),
            "4c50474d45544100" "01000000" "0c000000" "efcdab8967452301"
            "0100000000000000" "4000000000000000" "0500000000000000" "0000000000000000"
            "8877665544332211" "00000000" "00000000" + std::string(96, '0') +
            HexOf(page.data() + 120, 8));
  EXPECT_EQ(HexOf(page.data() + 120, 8), "19331667e5db5808");
  Meta back;
  ASSERT_OK(DecodeMeta(page.data(), 12, 0x0123456789abcdefull, &back));
  EXPECT_EQ(back.page_count, 64u);
}

TEST(FileFormat, GeometryOfGroupsAndDirectory) {
  EXPECT_EQ(PagesPerGroup(1024), 7808u);
  EXPECT_EQ(PagesPerGroup(4096), 32384u);
  EXPECT_EQ(GroupSlot(0, 4096, 0), 3u);
  EXPECT_EQ(GroupSlot(1, 4096, 1), 32385u);
  EXPECT_EQ(EntriesPerDirPage(4096), 101u);
  EXPECT_EQ(MaxDirPages(4096), 248u);
  // 2^32 pages are addressable: group indexes fit the u32 index field at every page size.
  for (uint32_t ps = 1024; ps <= 65536; ps *= 2) {
    uint64_t groups = GroupCount(uint64_t{1} << 32, ps);
    EXPECT_LT(groups, uint64_t{1} << 32) << ps;
    uint64_t last = (uint64_t{1} << 32) - 1;
    EXPECT_EQ(GroupOf(last, ps), groups - 1);
  }
  EXPECT_EQ(RoundPageCount(7808 + 1, 1024), 7808u + 3);
  EXPECT_EQ(RoundPageCount(0, 1024), 6u);
}

// Regression: xxHash 0.8.1 reads the state's seed/extSecret before setting them; a Hasher
// built over stale bytes that happen to match must still hash correctly.
TEST(FileFormat, HasherIgnoresStaleStateBytes) {
  alignas(64) unsigned char storage[sizeof(Hasher)];
  std::memset(storage, 0, sizeof storage);
  uint64_t seed = kSeedCopy;
  std::memcpy(storage + offsetof(XXH3_state_t, seed), &seed, 8);  // extSecret stays NULL
  Hasher* h = new (storage) Hasher(seed);
  auto data = pager::testing::PatternBytes(3, 4096);
  h->Update(data.data(), data.size());
  EXPECT_EQ(h->Digest(), Checksum64(data.data(), data.size(), seed));
  h->~Hasher();
}

// ---- corruption ------------------------------------------------------------------------------

struct Fixture {
  io::MemEnv env;
  std::set<uint64_t> older, newer;  // states of the two last commits (metas B and A)
};

// Builds /f with meta A at generation 3 (newest) and meta B at generation 2.
void Build(Fixture* fx) {
  auto pf = MustCreate(&fx->env, "/f", SmallOptions());
  uint64_t a = 0, b = 0;
  ASSERT_OK(pf->Alloc(&a));
  fx->older = RegularPages(pf.get());
  ASSERT_OK(pf->Alloc(&b));
  fx->newer = RegularPages(pf.get());
  ASSERT_EQ(pf->generation(), 3u);
}

std::vector<uint8_t> Bytes(io::MemEnv* env) {
  std::vector<uint8_t> b;
  EXPECT_OK(env->GetFileBytes("/f", &b));
  return b;
}

Status OpenRo(io::MemEnv* env, std::unique_ptr<PageFile>* pf) {
  FileOptions o = SmallOptions();
  o.page_size = 0;
  o.read_only = true;
  return PageFile::Open(env, "/f", o, pf);
}

TEST(FileCorruption, EveryByteOfTheSuperblockIsCorrupt) {
  Fixture fx;
  Build(&fx);
  auto good = Bytes(&fx.env);
  for (size_t off = 0; off < 1024; off += (off < 64 ? 1 : 97)) {
    auto bad = good;
    bad[off] ^= 0x5a;
    ASSERT_OK(fx.env.SetFileBytes("/f", bad));
    std::unique_ptr<PageFile> pf;
    Status st = OpenRo(&fx.env, &pf);
    EXPECT_EQ(st.code(), Code::kCorrupt) << "byte " << off << ": " << st.ToString();
  }
}

TEST(FileCorruption, ResealedSuperblockFieldsAreRejected) {
  Fixture fx;
  Build(&fx);
  auto good = Bytes(&fx.env);
  SuperblockDisk sb;
  std::memcpy(&sb, good.data(), sizeof sb);
  struct Case {
    const char* field;
    std::function<void(SuperblockDisk*)> change;
    Code code;
  };
  std::vector<Case> cases = {
      {"format_version", [](SuperblockDisk* s) { s->format_version = 3; }, Code::kVersion},
      {"format_version 0", [](SuperblockDisk* s) { s->format_version = 0; }, Code::kVersion},
      {"page_size_log2 low", [](SuperblockDisk* s) { s->page_size_log2 = 9; }, Code::kCorrupt},
      {"page_size_log2 high", [](SuperblockDisk* s) { s->page_size_log2 = 17; }, Code::kCorrupt},
      {"page_size_log2 other", [](SuperblockDisk* s) { s->page_size_log2 = 11; }, Code::kCorrupt},
      {"file_id", [](SuperblockDisk* s) { s->file_id ^= 1; }, Code::kCorrupt},
      {"reserved", [](SuperblockDisk* s) { s->reserved[5] = 1; }, Code::kCorrupt},
  };
  for (const Case& c : cases) {
    SuperblockDisk changed = sb;
    c.change(&changed);
    changed.checksum = Checksum64(&changed, 56, kSeedSuperblock);
    auto bad = good;
    std::memcpy(bad.data(), &changed, sizeof changed);
    ASSERT_OK(fx.env.SetFileBytes("/f", bad));
    std::unique_ptr<PageFile> pf;
    EXPECT_EQ(OpenRo(&fx.env, &pf).code(), c.code) << c.field;
  }
}

TEST(FileCorruption, EveryByteOfTheNewestMetaFallsBackToTheOlder) {
  Fixture fx;
  Build(&fx);
  auto good = Bytes(&fx.env);
  const size_t meta_a = 1024;
  for (size_t off = 0; off < 1024; off += (off < 128 ? 1 : 61)) {
    auto bad = good;
    bad[meta_a + off] ^= 0x01;
    ASSERT_OK(fx.env.SetFileBytes("/f", bad));
    std::unique_ptr<PageFile> pf;
    { Status ost = OpenRo(&fx.env, &pf); ASSERT_TRUE(ost.ok()) << "byte " << off << ": " << ost.ToString(); }
    EXPECT_TRUE(pf->recovery_report().fell_back || pf->recovery_report().meta_slot == 1);
    EXPECT_EQ(pf->recovery_report().generation, 2u) << "byte " << off;
    EXPECT_EQ(RegularPages(pf.get()), fx.older) << "byte " << off;
  }
}

TEST(FileCorruption, ResealedMetaFieldsAreCleanFallbacksOrCorrupt) {
  Fixture fx;
  Build(&fx);
  auto good = Bytes(&fx.env);
  struct Case {
    const char* field;
    size_t offset;
    uint64_t value;
    int width;
  };
  std::vector<Case> cases = {
      {"format_version", 8, 9, 4},      {"page_size_log2", 12, 11, 4},
      {"file_id", 16, 42, 8},           {"generation zero", 24, 0, 8},
      {"page_count small", 32, 3, 8},   {"page_count huge", 32, uint64_t{1} << 40, 8},
      {"page_count odd", 32, 7808, 8},  {"used_page_count", 40, 99, 8},
      {"protected_count", 48, 1, 8},    {"state_root", 56, 12345, 8},
      {"dir_page_count", 64, 3, 4},     {"reserved0", 68, 1, 4},
      {"reserved", 80, 1, 8},           {"table tail", 500, 1, 8},
  };
  for (const Case& c : cases) {
    auto bad = good;
    std::memcpy(bad.data() + 1024 + c.offset, &c.value, static_cast<size_t>(c.width));
    uint64_t sum = PageChecksum(bad.data() + 1024, 1024, offsetof(MetaHeaderDisk, checksum), kSeedMeta);
    std::memcpy(bad.data() + 1024 + offsetof(MetaHeaderDisk, checksum), &sum, 8);
    ASSERT_OK(fx.env.SetFileBytes("/f", bad));
    std::unique_ptr<PageFile> pf;
    Status st = OpenRo(&fx.env, &pf);
    ASSERT_TRUE(st.ok()) << c.field << ": " << st.ToString();
    EXPECT_EQ(pf->recovery_report().generation, 2u) << c.field;
    EXPECT_EQ(RegularPages(pf.get()), fx.older) << c.field;
    EXPECT_FALSE(pf->recovery_report().rejected_reason.empty()) << c.field;
  }
}

TEST(FileCorruption, DamagedCurrentBitmapCopyFallsBackToTheOlderMeta) {
  Fixture fx;
  Build(&fx);
  auto good = Bytes(&fx.env);
  // Generation 3 wrote group 0 into one of pages 3/4; find it and damage it.
  for (size_t page : {3, 4}) {
    uint64_t gen = 0;
    std::memcpy(&gen, good.data() + page * 1024 + 24, 8);
    if (gen != 3) continue;
    auto bad = good;
    bad[page * 1024 + 700] ^= 0x80;
    ASSERT_OK(fx.env.SetFileBytes("/f", bad));
    std::unique_ptr<PageFile> pf;
    ASSERT_OK(OpenRo(&fx.env, &pf));
    EXPECT_TRUE(pf->recovery_report().fell_back);
    EXPECT_EQ(RegularPages(pf.get()), fx.older);
    return;
  }
  FAIL() << "no copy of generation 3";
}

TEST(FileCorruption, DamagedProtectedContentIsDetectedOnOpen) {
  io::MemEnv env;
  uint64_t id = 0;
  {
    auto pf = MustCreate(&env, "/f", SmallOptions());
    ASSERT_OK(pf->ProtectedAlloc(&id));
    auto data = pager::testing::PatternBytes(5, 1024);
    ASSERT_OK(pf->ProtectedWrite(id, data.data()));
  }
  auto good = Bytes(&env);
  // Damage every page after the bitmap slots in turn: each open is OK with old-or-new content,
  // or CORRUPT -- never a crash and never a page that is neither.
  auto data = pager::testing::PatternBytes(5, 1024);
  std::vector<uint8_t> zeros(1024, 0);
  for (size_t page = 5; page * 1024 < good.size(); page++) {
    auto bad = good;
    bad[page * 1024 + 10] ^= 0xff;
    ASSERT_OK(env.SetFileBytes("/f", bad));
    std::unique_ptr<PageFile> pf;
    Status st = OpenRo(&env, &pf);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Code::kCorrupt) << page;
      continue;
    }
    auto got = testing::ReadProtected(pf.get(), id);
    EXPECT_TRUE(got == data || got == zeros) << "page " << page;
  }
}

// ---- the recovery decision table -------------------------------------------------------------

enum class MetaState { kInvalid, kValid, kValidBadState };

struct Row {
  MetaState a, b;
  int newer;          // 0: A newer, 1: B newer, 2: equal generations
  const char* expect; // "A", "B", "A*" (A after falling back), "B*", "CORRUPT"
};

// Prepares meta slot s: invalid (checksum broken), valid, or valid with a state root that
// does not verify (a commit whose copies did not all land); generation set as asked.
void SetMeta(std::vector<uint8_t>* file, int slot, MetaState st, uint64_t gen, uint64_t file_id) {
  uint8_t* page = file->data() + 1024 * (slot + 1);
  Meta m;
  ASSERT_OK(DecodeMeta(page, 10, file_id, &m));
  m.generation = gen;
  if (st == MetaState::kValidBadState) m.state_root ^= 1;
  EncodeMeta(m, 10, file_id, page);
  if (st == MetaState::kInvalid) page[200] ^= 1;
}

TEST(FileRecovery, DecisionTableEveryRow) {
  const std::vector<Row> rows = {
      {MetaState::kInvalid, MetaState::kInvalid, 0, "CORRUPT"},
      {MetaState::kValid, MetaState::kInvalid, 0, "A"},
      {MetaState::kInvalid, MetaState::kValid, 0, "B"},
      {MetaState::kValid, MetaState::kValid, 0, "A"},
      {MetaState::kValid, MetaState::kValid, 1, "B"},
      {MetaState::kValid, MetaState::kValid, 2, "CORRUPT"},
      {MetaState::kValidBadState, MetaState::kValid, 0, "B*"},
      {MetaState::kValid, MetaState::kValidBadState, 1, "A*"},
      {MetaState::kValidBadState, MetaState::kValid, 1, "B"},
      {MetaState::kValidBadState, MetaState::kInvalid, 0, "CORRUPT"},
      {MetaState::kInvalid, MetaState::kValidBadState, 0, "CORRUPT"},
      {MetaState::kValidBadState, MetaState::kValidBadState, 0, "CORRUPT"},
  };
  // A file whose two metas describe the same state (open's epoch commit rewrote it).
  io::MemEnv env;
  { auto pf = MustCreate(&env, "/f", SmallOptions()); }
  {
    std::unique_ptr<PageFile> pf;
    FileOptions o = SmallOptions();
    ASSERT_OK(PageFile::Open(&env, "/f", o, &pf));  // epoch: both metas hold the same state
  }
  auto good = Bytes(&env);
  SuperblockDisk sb;
  std::memcpy(&sb, good.data(), sizeof sb);
  for (size_t i = 0; i < rows.size(); i++) {
    const Row& r = rows[i];
    auto f = good;
    uint64_t ga = r.newer == 0 ? 20 : 10, gb = r.newer == 1 ? 20 : 10;
    if (r.newer == 2) ga = gb = 15;
    SetMeta(&f, 0, r.a, ga, sb.file_id);
    SetMeta(&f, 1, r.b, gb, sb.file_id);
    ASSERT_OK(env.SetFileBytes("/f", f));
    std::unique_ptr<PageFile> pf;
    Status st = OpenRo(&env, &pf);
    std::string expect = r.expect;
    if (expect == "CORRUPT") {
      EXPECT_EQ(st.code(), Code::kCorrupt) << "row " << i << ": " << st.ToString();
      continue;
    }
    ASSERT_TRUE(st.ok()) << "row " << i << ": " << st.ToString();
    RecoveryReport rep = pf->recovery_report();
    EXPECT_EQ(rep.meta_slot, expect[0] == 'A' ? 0 : 1) << "row " << i;
    EXPECT_EQ(rep.fell_back, expect.size() == 2) << "row " << i;
  }
}

TEST(FileRecovery, UnknownVersionInBothMetasIsVersion) {
  io::MemEnv env;
  { auto pf = MustCreate(&env, "/f", SmallOptions()); }
  auto f = Bytes(&env);
  for (int s = 0; s < 2; s++) {
    uint8_t* page = f.data() + 1024 * (s + 1);
    uint32_t v = 2;
    std::memcpy(page + 8, &v, 4);
    uint64_t sum = PageChecksum(page, 1024, offsetof(MetaHeaderDisk, checksum), kSeedMeta);
    std::memcpy(page + offsetof(MetaHeaderDisk, checksum), &sum, 8);
  }
  ASSERT_OK(env.SetFileBytes("/f", f));
  std::unique_ptr<PageFile> pf;
  EXPECT_EQ(OpenRo(&env, &pf).code(), Code::kVersion);
}

TEST(FileRecovery, TruncatedFileIsCorruptNotACrash) {
  Fixture fx;
  Build(&fx);
  auto good = Bytes(&fx.env);
  for (size_t len : {size_t{0}, size_t{10}, size_t{64}, size_t{1024}, size_t{3000}, size_t{5 * 1024},
                     good.size() - 1024}) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(len));
    ASSERT_OK(fx.env.SetFileBytes("/f", cut));
    std::unique_ptr<PageFile> pf;
    EXPECT_EQ(OpenRo(&fx.env, &pf).code(), Code::kCorrupt) << len;
  }
}

}  // namespace
}  // namespace file
}  // namespace pager
