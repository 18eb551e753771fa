// KV-cache snapshot file format, version 1: constants and the on-disk structs only.
// The byte map, checksum coverage, validity rules and a worked hex example are in
// doc/format/kv-snapshot.md; the static_asserts below are the compiled truth it pins.
//
// File = Header (128 B) | parent path (padded to 8) | page blobs | page table | sequence
// table | Trailer (64 B). Written strictly front to back, so it can be streamed.
// All integers little-endian (the library builds only on little-endian hosts: asserted).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pager {
namespace snapshot {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the snapshot format is little-endian");

constexpr char kHeaderMagic[8] = {'P', 'G', 'K', 'V', 'S', 'N', 'A', 'P'};
constexpr char kTrailerMagic[8] = {'P', 'G', 'K', 'V', 'T', 'A', 'I', 'L'};
constexpr uint32_t kFormatVersion = 1;

// Header flags. Bits not listed must be zero (a reader rejects unknown bits: kVersion).
constexpr uint32_t kFlagIncremental = 1u << 0;  // some pages live in the parent chain
constexpr uint32_t kKnownHeaderFlags = kFlagIncremental;

// Page entry flags. Unknown bits: kVersion.
constexpr uint32_t kPageCompressed = 1u << 0;  // stored bytes are one zstd frame of K||V
constexpr uint32_t kPageInParent = 1u << 1;    // no bytes here: find content_hash in parent
constexpr uint32_t kKnownPageFlags = kPageCompressed | kPageInParent;

// Checksum seeds (separate domains so a structure can never pass as another).
constexpr uint64_t kSeedHeader = 0x4b56534e41504831ull;   // "KVSNAPH1"
constexpr uint64_t kSeedBlob = 0x4b56534e41504231ull;     // "KVSNAPB1"
constexpr uint64_t kSeedTable = 0x4b56534e41505431ull;    // "KVSNAPT1"
constexpr uint64_t kSeedSeqs = 0x4b56534e41505331ull;     // "KVSNAPS1"
constexpr uint64_t kSeedTrailer = 0x4b56534e41505a31ull;  // "KVSNAPZ1"

// Limits a reader enforces before allocating anything.
constexpr uint32_t kMaxParentPathBytes = 4096;
constexpr uint32_t kMaxSeqIdBytes = 65536;
constexpr uint64_t kMaxPageBytes = 1ull << 32;  // per K page and per V page
constexpr uint32_t kMaxChainDepth = 256;

struct Header {
  char magic[8];
  uint32_t format_version;
  uint32_t flags;
  uint32_t tokens_per_page;
  uint32_t layers;
  uint32_t kv_heads;
  uint32_t head_dim;
  uint32_t dtype;
  uint32_t parent_path_bytes;
  uint64_t k_page_bytes;
  uint64_t v_page_bytes;
  uint64_t page_count;
  uint64_t seq_count;
  uint64_t created_us;
  uint64_t snapshot_id;
  uint64_t parent_snapshot_id;
  uint64_t reserved[3];     // zero
  uint64_t header_checksum;  // XXH3-64(seed kSeedHeader) of bytes [0,120) then the parent path
};
static_assert(sizeof(Header) == 128, "Header layout");
static_assert(offsetof(Header, format_version) == 8, "Header layout");
static_assert(offsetof(Header, flags) == 12, "Header layout");
static_assert(offsetof(Header, tokens_per_page) == 16, "Header layout");
static_assert(offsetof(Header, dtype) == 32, "Header layout");
static_assert(offsetof(Header, parent_path_bytes) == 36, "Header layout");
static_assert(offsetof(Header, k_page_bytes) == 40, "Header layout");
static_assert(offsetof(Header, page_count) == 56, "Header layout");
static_assert(offsetof(Header, seq_count) == 64, "Header layout");
static_assert(offsetof(Header, created_us) == 72, "Header layout");
static_assert(offsetof(Header, snapshot_id) == 80, "Header layout");
static_assert(offsetof(Header, parent_snapshot_id) == 88, "Header layout");
static_assert(offsetof(Header, reserved) == 96, "Header layout");
static_assert(offsetof(Header, header_checksum) == 120, "Header layout");

struct PageEntry {
  uint32_t engine_page;      // the slot the page had in the captured engine (informative)
  uint32_t flags;            // kPage*
  uint64_t offset_bytes;     // file offset of the stored bytes (0 if kPageInParent)
  uint64_t stored_bytes;     // length of the stored bytes (0 if kPageInParent)
  uint64_t stored_checksum;  // XXH3-64(seed kSeedBlob) of the stored bytes (0 if in parent)
  uint64_t content_hash_lo;  // XXH3-128 of the uncompressed K page || V page
  uint64_t content_hash_hi;
};
static_assert(sizeof(PageEntry) == 48, "PageEntry layout");
static_assert(offsetof(PageEntry, flags) == 4, "PageEntry layout");
static_assert(offsetof(PageEntry, offset_bytes) == 8, "PageEntry layout");
static_assert(offsetof(PageEntry, stored_bytes) == 16, "PageEntry layout");
static_assert(offsetof(PageEntry, stored_checksum) == 24, "PageEntry layout");
static_assert(offsetof(PageEntry, content_hash_lo) == 32, "PageEntry layout");
static_assert(offsetof(PageEntry, content_hash_hi) == 40, "PageEntry layout");

// Sequence record in the sequence table: this fixed part, then id_bytes of id padded with
// zeros to a multiple of 8, then page_count uint32 page-table positions padded to 8.
struct SeqRecord {
  uint32_t id_bytes;
  uint32_t fill_last_page;
  uint64_t page_count;
};
static_assert(sizeof(SeqRecord) == 16, "SeqRecord layout");
static_assert(offsetof(SeqRecord, page_count) == 8, "SeqRecord layout");

struct Trailer {
  char magic[8];
  uint64_t page_table_offset;
  uint64_t seq_table_offset;
  uint64_t seq_table_bytes;
  uint64_t page_table_checksum;  // XXH3-64(seed kSeedTable) of the page table
  uint64_t seq_table_checksum;   // XXH3-64(seed kSeedSeqs) of the sequence table
  uint64_t header_checksum;      // copy of Header::header_checksum (ties the two ends)
  uint64_t trailer_checksum;     // XXH3-64(seed kSeedTrailer) of bytes [0,56)
};
static_assert(sizeof(Trailer) == 64, "Trailer layout");
static_assert(offsetof(Trailer, page_table_offset) == 8, "Trailer layout");
static_assert(offsetof(Trailer, seq_table_offset) == 16, "Trailer layout");
static_assert(offsetof(Trailer, seq_table_bytes) == 24, "Trailer layout");
static_assert(offsetof(Trailer, page_table_checksum) == 32, "Trailer layout");
static_assert(offsetof(Trailer, seq_table_checksum) == 40, "Trailer layout");
static_assert(offsetof(Trailer, header_checksum) == 48, "Trailer layout");
static_assert(offsetof(Trailer, trailer_checksum) == 56, "Trailer layout");

inline uint64_t Pad8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

}  // namespace snapshot
}  // namespace pager
