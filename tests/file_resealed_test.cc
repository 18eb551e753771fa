// Hostile state behind valid checksums: the current bitmap and directory copies of a page file
// changed word by word, each copy re-sealed and the newest meta's state_root and checksum
// recomputed (as a buggy writer would leave them). Recovery's state verification (the rules
// behind the checksums) must refuse every inconsistent state: the open answers CORRUPT or
// falls back to the older meta, never INTERNAL, and a check of the same bytes finds damage
// whenever the open says CORRUPT. The checksums alone are covered by FileCorruption.*.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "impl/file/format.h"
#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/file_test_util.h"
#include "tests/outparam.h"

namespace pager {
namespace file {
namespace {

constexpr uint32_t kPageSize = 1024;
constexpr uint32_t kLog2 = 10;

struct Image {
  std::vector<uint8_t> b;
  SuperblockDisk sb;
  int newest = 0;  // meta slot
  Meta meta;
  uint8_t* Page(uint64_t p) { return b.data() + p * kPageSize; }
};

bool Decode(Image* im) {
  if (!CheckSuperblock(im->b.data(), kPageSize, &im->sb).ok()) return false;
  Meta m[2];
  bool ok[2];
  for (int s = 0; s < 2; s++) {
    ok[s] = DecodeMeta(im->Page(kMetaPage[s]), kLog2, im->sb.file_id, &m[s]).ok();
  }
  if (!ok[0] && !ok[1]) return false;
  im->newest = !ok[0] || (ok[1] && m[1].generation > m[0].generation) ? 1 : 0;
  im->meta = m[im->newest];
  return true;
}

// The slot (0/1) of the current copy among pages[2] (newest generation not above the meta's).
int CurrentCopy(Image* im, const char (&magic)[8], uint32_t index, const uint64_t pages[2]) {
  int best = -1;
  uint64_t best_gen = 0;
  for (int s = 0; s < 2; s++) {
    uint64_t g = 0, c = 0;
    if (!CheckCopy(magic, index, im->sb.file_id, im->Page(pages[s]), kPageSize, &g, &c).ok()) continue;
    if (g <= im->meta.generation && g > best_gen) {
      best = s;
      best_gen = g;
    }
  }
  return best;
}

// Re-seals the copy at page p and folds the change of its checksum into the newest meta.
void Reseal(Image* im, const char (&magic)[8], CopyKind kind, uint32_t index, uint64_t p,
            uint64_t old_checksum) {
  uint64_t gen = 0, fresh = 0;
  std::memcpy(&gen, im->Page(p) + offsetof(CopyHeaderDisk, generation), 8);
  uint32_t stored_index = 0;  // kept as the sweep set it (a hostile index stays hostile)
  std::memcpy(&stored_index, im->Page(p) + offsetof(CopyHeaderDisk, index), 4);
  SealCopy(magic, stored_index, im->sb.file_id, gen, im->Page(p), kPageSize);
  std::memcpy(&fresh, im->Page(p) + offsetof(CopyHeaderDisk, checksum), 8);
  Meta m = im->meta;
  m.state_root ^= RootTerm(kind, index, gen, old_checksum) ^ RootTerm(kind, index, gen, fresh);
  EncodeMeta(m, kLog2, im->sb.file_id, im->Page(kMetaPage[im->newest]));
}

// The two copy slots of bitmap group 0.
const uint64_t kBitmapGroup0[2] = {GroupSlot(0, kPageSize, 0), GroupSlot(0, kPageSize, 1)};

// A copy as sealed: its page and its checksum (what Reseal folds out of the meta's root).
struct SealedCopy {
  uint64_t page = 0;
  uint64_t checksum = 0;
};

class FileResealed : public ::testing::Test {
 protected:
  void SetUp() override {
    pager_file_options fo;
    pager_file_options_init(&fo);
    fo.page_size = kPageSize;
    fo.max_size_bytes = uint64_t{1} << 24;
    fo.initial_page_count = 16;
    pager_file* f = nullptr;
    ASSERT_EQ(pager_file_create("/f", &fo, &f), PAGER_OK) << pager_last_error();
    uint64_t ids[3] = {};
    ASSERT_EQ(pager_file_protected_alloc_bulk(f, ids, 3), PAGER_OK) << pager_last_error();
    ASSERT_EQ(pager_file_alloc_bulk(f, ids, 2), PAGER_OK) << pager_last_error();
    pager_file_txn* txn = nullptr;
    ASSERT_EQ(pager_file_txn_begin(f, &txn), PAGER_OK);
    void* data = nullptr;
    ASSERT_EQ(pager_file_txn_add(txn, 2, &data), PAGER_OK);
    std::memset(data, 0x5A, kPageSize);
    ASSERT_EQ(pager_file_txn_commit(txn), PAGER_OK) << pager_last_error();
    pager_file_txn_free(txn);
    pager_file_close(f);
    ASSERT_TRUE(env_.GetFileBytes("/f", &good_.b).ok());
    ASSERT_TRUE(Decode(&good_));
  }

  // Opens the bytes read-only and checks them; returns the open's code.
  int Judge(const std::vector<uint8_t>& bytes, const std::string& what) {
    EXPECT_TRUE(env_.SetFileBytes("/f", bytes).ok());
    int rc = testing::ReadOnlyOpenCode("/f", uint64_t{1} << 24);
    EXPECT_TRUE(rc == PAGER_OK || rc == PAGER_ERR_CORRUPT) << what << ": " << pager_last_error();
    pager_check_report r;
    pager_check_report_init(&r);
    EXPECT_EQ(pager_file_check("/f", &r), PAGER_OK) << what << ": " << pager_last_error();
    if (rc == PAGER_ERR_CORRUPT) {
      EXPECT_EQ(r.damage_code, PAGER_ERR_CORRUPT) << what;
    }
    return rc;
  }

  // The current copy of (magic, index) among pages[2] of good_; false, with a failure, where
  // no copy is current.
  bool FindCurrentCopy(const char (&magic)[8], uint32_t index, const uint64_t pages[2],
                       SealedCopy* c) {
    int slot = CurrentCopy(&good_, magic, index, pages);
    EXPECT_GE(slot, 0);
    if (slot < 0) return false;
    c->page = pages[slot];
    uint64_t gen = 0;
    Status st = CheckCopy(magic, index, good_.sb.file_id, good_.Page(c->page), kPageSize, &gen,
                          &c->checksum);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return st.ok();
  }

  // Every 4-byte word of [from, to) of the copy's page, set to hostile values and re-sealed.
  // Returns {variants, refused by the newest meta (CORRUPT or fallen back)}.
  std::pair<int, int> Sweep(const char (&magic)[8], CopyKind kind, uint32_t index,
                            const uint64_t pages[2], size_t from, size_t to) {
    SealedCopy c;
    if (!FindCurrentCopy(magic, index, pages, &c)) return {0, 0};
    const uint64_t p = c.page, old = c.checksum;
    int variants = 0, refused = 0;
    for (size_t at = from; at + 4 <= to; at += 4) {
      uint32_t orig;
      std::memcpy(&orig, good_.Page(p) + at, 4);
      for (uint32_t v : {0u, 1u, orig + 1, orig - 1, orig ^ 0x80000000u, 0xFFFFFFFFu}) {
        if (v == orig) continue;
        Image bad = good_;
        std::memcpy(bad.Page(p) + at, &v, 4);
        Reseal(&bad, magic, kind, index, p, old);
        variants++;
        int rc = Judge(bad.b, std::string(magic) + " page " + std::to_string(p) + " word " +
                                  std::to_string(at) + " = " + std::to_string(v));
        if (rc == PAGER_ERR_CORRUPT) {
          refused++;
        } else {
          uint64_t generation = 0;
          pager_check_report r;
          pager_check_report_init(&r);
          EXPECT_EQ(pager_file_check("/f", &r), PAGER_OK);
          generation = r.generation;
          refused += generation < good_.meta.generation;
        }
      }
    }
    return {variants, refused};
  }

  io::MemEnv env_;
  outparam::ScopedEnv scoped_{&env_};
  Image good_;
};

TEST_F(FileResealed, ResealingAnUntouchedCopyKeepsTheFileValid) {
  Image im = good_;
  SealedCopy c;
  ASSERT_TRUE(FindCurrentCopy(kBitmapMagic, 0, kBitmapGroup0, &c));
  Reseal(&im, kBitmapMagic, CopyKind::kBitmap, 0, c.page, c.checksum);
  EXPECT_EQ(im.b, good_.b);  // the helper recomputes exactly what the writer wrote
  EXPECT_EQ(Judge(im.b, "untouched"), PAGER_OK);
}

TEST_F(FileResealed, EveryHostileWordOfTheCurrentDirectoryCopyIsCorruptOrAFallback) {
  ASSERT_FALSE(good_.meta.dir_slots.empty());
  const uint64_t* pages = good_.meta.dir_slots[0].page;
  // The header's index field, then the first four entries (three in use, one free).
  std::pair<int, int> r =
      Sweep(kDirMagic, CopyKind::kDir, 0, pages, offsetof(CopyHeaderDisk, index),
            sizeof(CopyHeaderDisk) + 4 * sizeof(DirEntryDisk));
  EXPECT_GT(r.first, 100);
  EXPECT_GT(r.second, r.first / 2) << "most hostile entries must break a rule";
}

TEST_F(FileResealed, EveryHostileWordOfTheCurrentBitmapCopyIsCorruptOrAFallback) {
  std::pair<int, int> r = Sweep(kBitmapMagic, CopyKind::kBitmap, 0, kBitmapGroup0,
                                sizeof(CopyHeaderDisk), sizeof(CopyHeaderDisk) + 64);
  EXPECT_GT(r.first, 50);
  EXPECT_GT(r.second, r.first / 2);
}

// ---- every CORRUPT of recovery names the damaged structure's byte offset (Status S3) -------

// The check of `bytes`: its damage (or, when recovery fell back past an interrupted commit,
// its leftover) offset and detail.
struct Located {
  uint64_t offset = 0;
  std::string detail;
};

Located Locate(io::MemEnv* env, const std::vector<uint8_t>& bytes) {
  EXPECT_TRUE(env->SetFileBytes("/f", bytes).ok());
  Located l;
  pager_check_report r;
  pager_check_report_init(&r);
  EXPECT_EQ(pager_file_check("/f", &r), PAGER_OK) << pager_last_error();
  EXPECT_TRUE(r.damage_code == PAGER_ERR_CORRUPT || r.interrupted) << "no damage found";
  EXPECT_STREQ(r.damage_file, "/f");
  l.offset = r.damage_offset;
  l.detail = r.damage_detail;
  return l;
}

std::string AtByte(uint64_t offset) { return "at byte offset " + std::to_string(offset); }

TEST_F(FileResealed, AResealedDirectoryEntryWithReservedBytesIsDamageAtTheEntrysOffset) {
  Image bad = good_;
  SealedCopy c;
  ASSERT_TRUE(FindCurrentCopy(kDirMagic, 0, good_.meta.dir_slots[0].page, &c));
  const uint64_t p = c.page;
  const uint64_t entry = 1;  // the second entry (protected page 2)
  const size_t at = sizeof(CopyHeaderDisk) + entry * sizeof(DirEntryDisk) +
                    offsetof(DirEntryDisk, reserved);
  bad.Page(p)[at] = 0x01;
  Reseal(&bad, kDirMagic, CopyKind::kDir, 0, p, c.checksum);
  Located l = Locate(&env_, bad.b);
  const uint64_t want = p * kPageSize + sizeof(CopyHeaderDisk) + entry * sizeof(DirEntryDisk);
  EXPECT_EQ(l.offset, want) << l.detail;
  EXPECT_NE(l.detail.find(AtByte(want)), std::string::npos) << l.detail;
  EXPECT_NE(l.detail.find("protected page 2"), std::string::npos) << l.detail;
}

TEST_F(FileResealed, AResealedBitmapFreeingAReservedPageIsDamageAtTheBitmapByte) {
  Image bad = good_;
  SealedCopy c;
  ASSERT_TRUE(FindCurrentCopy(kBitmapMagic, 0, kBitmapGroup0, &c));
  const uint64_t p = c.page;
  bad.Page(p)[sizeof(CopyHeaderDisk)] &= static_cast<uint8_t>(~0x02u);  // page 1 (meta A)
  Reseal(&bad, kBitmapMagic, CopyKind::kBitmap, 0, p, c.checksum);
  Located l = Locate(&env_, bad.b);
  const uint64_t want = p * kPageSize + sizeof(CopyHeaderDisk);
  EXPECT_EQ(l.offset, want) << l.detail;
  EXPECT_NE(l.detail.find("reserved page 1 is marked free"), std::string::npos) << l.detail;
  EXPECT_NE(l.detail.find(AtByte(want)), std::string::npos) << l.detail;
}

TEST_F(FileResealed, ProtectedContentThatFailsItsChecksumIsDamageAtItsBackingPage) {
  Image bad = good_;
  std::vector<uint8_t> content(kPageSize, 0x5A);  // protected page 2's committed content
  auto it = std::search(bad.b.begin(), bad.b.end(), content.begin(), content.end());
  ASSERT_NE(it, bad.b.end());
  const uint64_t page_at = static_cast<uint64_t>(it - bad.b.begin());
  ASSERT_EQ(page_at % kPageSize, 0u);
  bad.b[page_at + 100] ^= 0x40;
  Located l = Locate(&env_, bad.b);
  EXPECT_EQ(l.offset, page_at) << l.detail;
  EXPECT_NE(l.detail.find(AtByte(page_at)), std::string::npos) << l.detail;
}

// The check of good_ with its newest meta replaced by m (sealed): the damage must be at that
// meta's offset.
Located LocateMetaDamage(io::MemEnv* env, const Image& good, const Meta& m) {
  Image bad = good;
  EncodeMeta(m, kLog2, bad.sb.file_id, bad.Page(kMetaPage[bad.newest]));
  Located l = Locate(env, bad.b);
  EXPECT_EQ(l.offset, kMetaPage[bad.newest] * kPageSize) << l.detail;
  return l;
}

TEST_F(FileResealed, AMetaWhoseUsedPageCountDisagreesWithTheBitmapIsDamageAtTheMeta) {
  Meta m = good_.meta;
  m.used_page_count += 1;
  Located l = LocateMetaDamage(&env_, good_, m);
  EXPECT_NE(l.detail.find(AtByte(kMetaPage[good_.newest] * kPageSize)), std::string::npos)
      << l.detail;
  EXPECT_NE(l.detail.find("used_page_count"), std::string::npos) << l.detail;
}

TEST_F(FileResealed, AFileCutShortOfItsPageSpaceIsDamageWhereItEnds) {
  std::vector<uint8_t> bad(good_.b.begin(), good_.b.begin() + 10 * kPageSize);
  Located l = Locate(&env_, bad);
  EXPECT_EQ(l.offset, 10u * kPageSize) << l.detail;
  EXPECT_NE(l.detail.find(AtByte(10 * kPageSize)), std::string::npos) << l.detail;
}

TEST_F(FileResealed, AMetaWhoseProtectedCountDisagreesWithTheDirectoryIsDamageAtTheMeta) {
  Meta m = good_.meta;
  m.protected_count += 1;
  Located l = LocateMetaDamage(&env_, good_, m);
  EXPECT_NE(l.detail.find("the meta's protected_count " + std::to_string(m.protected_count) +
                          " but the directory holds " + std::to_string(good_.meta.protected_count)),
            std::string::npos)
      << l.detail;
}

TEST_F(FileResealed, TwoCopiesOfABitmapGroupWithTheSameGenerationAreDamageAtTheSecond) {
  // A commit writes the copy slot that is not current, with a new generation: two slots of
  // one generation are written by no commit.
  Image bad = good_;
  const uint64_t* pages = kBitmapGroup0;
  int slot = CurrentCopy(&bad, kBitmapMagic, 0, pages);
  ASSERT_GE(slot, 0);
  std::memcpy(bad.Page(pages[1 - slot]), bad.Page(pages[slot]), kPageSize);
  Located l = Locate(&env_, bad.b);
  EXPECT_NE(l.detail.find("both copies of " + std::string(kBitmapMagic) + " 0 have generation"),
            std::string::npos)
      << l.detail;
  EXPECT_EQ(l.offset % kPageSize, 0u) << l.detail;
  EXPECT_TRUE(l.offset == pages[0] * kPageSize || l.offset == pages[1] * kPageSize) << l.offset;
}

TEST_F(FileResealed, AResealedBitmapFreeingItsOwnSlotPageIsDamageAtThatPage) {
  Image bad = good_;
  SealedCopy c;
  ASSERT_TRUE(FindCurrentCopy(kBitmapMagic, 0, kBitmapGroup0, &c));
  const uint64_t p = c.page;
  const uint64_t freed = p == kBitmapGroup0[0] ? kBitmapGroup0[1] : kBitmapGroup0[0];
  bad.Page(p)[sizeof(CopyHeaderDisk) + freed / 8] &= static_cast<uint8_t>(~(1u << (freed % 8)));
  Reseal(&bad, kBitmapMagic, CopyKind::kBitmap, 0, p, c.checksum);
  Located l = Locate(&env_, bad.b);
  EXPECT_NE(l.detail.find("page " + std::to_string(freed)), std::string::npos) << l.detail;
  EXPECT_NE(l.detail.find("marked free"), std::string::npos) << l.detail;
}

}  // namespace
}  // namespace file
}  // namespace pager
