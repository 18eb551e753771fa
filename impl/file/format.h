// On-disk format of the mapped page file. The byte map, the commit protocol and the recovery
// decision table are in doc/format/page-file.md; this header holds the constants and the
// compiled layout, which is the truth (every struct is static_asserted below).
//
// All integers are little-endian (the library only builds on little-endian hosts, asserted
// below). Every structure carries a magic, a format version, reserved bytes that must be zero
// and an XXH3-64 checksum (Checksum64) with a per-structure seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "impl/common/status.h"

namespace pager {
namespace file {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the page-file format is little-endian");

// The file's format version, in its superblock: 2 (what create writes) is version 1's layout
// with a page journal sidecar (journal.h, doc/format/page-journal.md); 1 has no journal.
// Both are read and written. Metas and copies keep their own layout version, 1 in both.
constexpr uint32_t kFormatVersion = 2;
constexpr uint32_t kFormatVersionUnjournaled = 1;
constexpr uint32_t kLayoutVersion = 1;
// The most bytes of page space any handle maps (pager_file_options.max_size_bytes <= 2^46).
constexpr uint64_t kMaxHandleBytes = uint64_t{1} << 46;
constexpr uint32_t kMinPageSizeLog2 = 10;  // 1 KiB
constexpr uint32_t kMaxPageSizeLog2 = 16;  // 64 KiB
constexpr uint64_t kSuperblockPage = 0;
constexpr uint64_t kMetaPage[2] = {1, 2};
constexpr uint64_t kFirstDataPage = 3;

// Checksum seeds: one domain per structure, so a block of one kind never validates as another.
constexpr uint64_t kSeedSuperblock = 0x4c50465355504552ull;  // "LPFSUPER"
constexpr uint64_t kSeedMeta = 0x4c5046204d455441ull;        // "LPF META"
constexpr uint64_t kSeedCopy = 0x4c50462020434f50ull;        // "LPF  COP"
constexpr uint64_t kSeedContent = 0x4c50462044415441ull;     // "LPF DATA"
constexpr uint64_t kSeedRoot = 0x4c50462020524f4full;        // "LPF  ROO"

constexpr char kSuperblockMagic[8] = {'L', 'P', 'G', 'F', 'I', 'L', 'E', '\0'};
constexpr char kMetaMagic[8] = {'L', 'P', 'G', 'M', 'E', 'T', 'A', '\0'};
constexpr char kBitmapMagic[8] = {'L', 'P', 'G', 'B', 'M', 'A', 'P', '\0'};
constexpr char kDirMagic[8] = {'L', 'P', 'G', 'D', 'I', 'R', '\0', '\0'};

// Page 0, bytes [0, 64); the rest of page 0 is zero. Written once at create, never again.
struct SuperblockDisk {
  char magic[8];             // kSuperblockMagic
  uint32_t format_version;   // kFormatVersion or kFormatVersionUnjournaled
  uint32_t page_size_log2;   // 10..16
  uint64_t file_id;          // random at create; every meta and copy repeats it
  uint8_t reserved[32];      // zero
  uint64_t checksum;         // Checksum64(bytes [0, 56), kSeedSuperblock)
};
static_assert(sizeof(SuperblockDisk) == 64, "superblock layout");
static_assert(offsetof(SuperblockDisk, format_version) == 8, "superblock layout");
static_assert(offsetof(SuperblockDisk, page_size_log2) == 12, "superblock layout");
static_assert(offsetof(SuperblockDisk, file_id) == 16, "superblock layout");
static_assert(offsetof(SuperblockDisk, reserved) == 24, "superblock layout");
static_assert(offsetof(SuperblockDisk, checksum) == 56, "superblock layout");

// Pages 1 and 2 (A and B): a MetaHeaderDisk, then dir_page_count DirSlotsDisk, then zeros to
// the end of the page. The checksum covers the whole page with the checksum field read as 0.
struct MetaHeaderDisk {
  char magic[8];             // kMetaMagic
  uint32_t format_version;   // kLayoutVersion
  uint32_t page_size_log2;   // equals the superblock's
  uint64_t file_id;          // equals the superblock's
  uint64_t generation;       // > 0; the valid copy with the higher generation wins
  uint64_t page_count;       // pages in the page space; the file is at least this long
  uint64_t used_page_count;  // set bits in the bitmap (reserved and internal pages included)
  uint64_t protected_count;  // directory entries in use
  uint64_t state_root;       // XOR of RootTerm() over every current bitmap and directory copy
  uint32_t dir_page_count;   // protected-directory pages (each with two slots)
  uint32_t reserved0;        // zero
  uint8_t reserved[48];      // zero
  uint64_t checksum;         // Checksum64(page with this field zero, kSeedMeta)
};
static_assert(sizeof(MetaHeaderDisk) == 128, "meta layout");
static_assert(offsetof(MetaHeaderDisk, generation) == 24, "meta layout");
static_assert(offsetof(MetaHeaderDisk, page_count) == 32, "meta layout");
static_assert(offsetof(MetaHeaderDisk, used_page_count) == 40, "meta layout");
static_assert(offsetof(MetaHeaderDisk, protected_count) == 48, "meta layout");
static_assert(offsetof(MetaHeaderDisk, state_root) == 56, "meta layout");
static_assert(offsetof(MetaHeaderDisk, dir_page_count) == 64, "meta layout");
static_assert(offsetof(MetaHeaderDisk, reserved) == 72, "meta layout");
static_assert(offsetof(MetaHeaderDisk, checksum) == 120, "meta layout");

// The two physical pages that hold the copies of one directory page.
struct DirSlotsDisk {
  uint64_t page[2];
};
static_assert(sizeof(DirSlotsDisk) == 16, "dir slots layout");

// Header of a "shadowed" internal page copy: a bitmap group page or a directory page. Each
// logical internal page has two physical slots; a commit writes the slot that does not hold
// the current copy. The checksum covers the whole page with the checksum field read as 0.
struct CopyHeaderDisk {
  char magic[8];            // kBitmapMagic or kDirMagic
  uint32_t format_version;  // kLayoutVersion
  uint32_t index;           // bitmap group index or directory page index
  uint64_t file_id;         // equals the superblock's
  uint64_t generation;      // the commit that wrote this copy
  uint64_t reserved;        // zero
  uint64_t checksum;        // Checksum64(page with this field zero, kSeedCopy)
};
static_assert(sizeof(CopyHeaderDisk) == 48, "copy header layout");
static_assert(offsetof(CopyHeaderDisk, index) == 12, "copy header layout");
static_assert(offsetof(CopyHeaderDisk, generation) == 24, "copy header layout");
static_assert(offsetof(CopyHeaderDisk, checksum) == 40, "copy header layout");

// One protected page: two backing pages, one of them active.
struct DirEntryDisk {
  uint64_t page[2];           // backing pages; both 0 in a free entry
  uint64_t content_checksum;  // Checksum64(active page's bytes, kSeedContent)
  uint64_t write_generation;  // the commit that wrote the active page
  uint32_t flags;             // bit 0: in use; bit 1: active slot (0 = page[0]); rest zero
  uint32_t reserved;          // zero
};
static_assert(sizeof(DirEntryDisk) == 40, "dir entry layout");
static_assert(offsetof(DirEntryDisk, content_checksum) == 16, "dir entry layout");
static_assert(offsetof(DirEntryDisk, write_generation) == 24, "dir entry layout");
static_assert(offsetof(DirEntryDisk, flags) == 32, "dir entry layout");
constexpr uint32_t kEntryInUse = 1u;
constexpr uint32_t kEntryActiveB = 2u;
constexpr uint32_t kEntryKnownFlags = kEntryInUse | kEntryActiveB;

// Root terms: the meta's state_root is the XOR of RootTerm over all current copies.
enum class CopyKind : uint64_t { kBitmap = 1, kDir = 2 };
uint64_t RootTerm(CopyKind kind, uint64_t index, uint64_t generation, uint64_t checksum);

// ---- geometry (pure functions) ------------------------------------------------------------

// Pages covered by one bitmap group page: the payload after the copy header, in bits.
inline uint64_t PagesPerGroup(uint32_t page_size) {
  return uint64_t{page_size - sizeof(CopyHeaderDisk)} * 8;
}
inline uint64_t GroupOf(uint64_t page, uint32_t page_size) { return page / PagesPerGroup(page_size); }
// The first of the two slot pages of group k's bitmap: the group's first page (page 3 for
// group 0, after the superblock and metas).
inline uint64_t GroupSlot(uint64_t group, uint32_t page_size, int slot) {
  uint64_t first = group * PagesPerGroup(page_size);
  return (group == 0 ? kFirstDataPage : first) + static_cast<uint64_t>(slot);
}
// True for pages 0..2 and the bitmap slots of every group.
inline bool IsFixedInternalPage(uint64_t page, uint32_t page_size) {
  if (page < kFirstDataPage) return true;
  uint64_t g = GroupOf(page, page_size);
  return page == GroupSlot(g, page_size, 0) || page == GroupSlot(g, page_size, 1);
}
// Groups needed for a page space of page_count pages.
inline uint64_t GroupCount(uint64_t page_count, uint32_t page_size) {
  uint64_t per = PagesPerGroup(page_size);
  return (page_count + per - 1) / per;
}
// The smallest page count >= want whose last group holds both its bitmap slots and at least
// one data page (a page space never ends inside a group's slots).
uint64_t RoundPageCount(uint64_t want, uint32_t page_size);
inline uint32_t EntriesPerDirPage(uint32_t page_size) {
  return static_cast<uint32_t>((page_size - sizeof(CopyHeaderDisk)) / sizeof(DirEntryDisk));
}
inline uint32_t MaxDirPages(uint32_t page_size) {
  return static_cast<uint32_t>((page_size - sizeof(MetaHeaderDisk)) / sizeof(DirSlotsDisk));
}

// ---- encode / decode ------------------------------------------------------------------------

SuperblockDisk MakeSuperblock(uint32_t page_size_log2, uint64_t file_id,
                              uint32_t format_version = kFormatVersion);
// Validates page 0's first bytes (and that the rest of the page given is zero). kCorrupt for
// damage, kVersion for a checksum-valid superblock of a format version other than 1 and 2.
Status CheckSuperblock(const uint8_t* page, size_t len, SuperblockDisk* out);

// A decoded meta page.
struct Meta {
  uint64_t generation = 0;
  uint64_t page_count = 0;
  uint64_t used_page_count = 0;
  uint64_t protected_count = 0;
  uint64_t state_root = 0;
  std::vector<DirSlotsDisk> dir_slots;
};
void EncodeMeta(const Meta& m, uint32_t page_size_log2, uint64_t file_id, uint8_t* page);
// Checks magic, version, geometry, file id, reserved bytes, table bounds and checksum. Does
// not look at other pages (the state checks are in recovery).
Status DecodeMeta(const uint8_t* page, uint32_t page_size_log2, uint64_t file_id, Meta* out);

// Writes header + checksum over a page whose payload (after the header) is already filled.
void SealCopy(const char (&magic)[8], uint32_t index, uint64_t file_id, uint64_t generation,
              uint8_t* page, uint32_t page_size);
// Validates a copy; on success *generation and *checksum are its header's.
Status CheckCopy(const char (&magic)[8], uint32_t index, uint64_t file_id, const uint8_t* page,
                 uint32_t page_size, uint64_t* generation, uint64_t* checksum);

// Checksum of a page's bytes with `skip` (offset of an 8-byte field) read as zero.
uint64_t PageChecksum(const uint8_t* page, size_t len, size_t skip, uint64_t seed);

inline uint64_t LoadU64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace file
}  // namespace pager
