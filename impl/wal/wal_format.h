// On-disk format of the WAL pager: the main file's header copies and the WAL sidecar's header
// and frames. The byte map, checksum coverage, validity rules and a worked example are in
// doc/format/wal-pager.md; this header holds the constants and the compiled layout, which is
// the truth (every field's offset is pinned by static_assert below and by a golden-bytes test).
//
// All integers are little-endian. The structs are copied to and from disk with memcpy, which
// is why the build refuses a big-endian target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "impl/common/status.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the WAL pager writes its structs with memcpy: little-endian hosts only");

namespace pager {
namespace wal {

// ---- shared constants ------------------------------------------------------------------

constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kMinPageSize = 512;
constexpr uint32_t kDefaultPageSize = 4096;  // create, when the caller gives 0
constexpr uint32_t kMaxPageSize = 65536;
constexpr uint32_t kAppHeaderSize = 192;  // the application header area, bytes
constexpr uint32_t kMaxPageCount = UINT32_MAX;

// Lock bytes: open-file-description byte-range locks (io/env.h E6) on the main file. They lie
// far past any page a file can have (2^62), so they never cover data; the locks are advisory.
// kAccessLockByte: a read-write opener holds it exclusive, read-only openers shared.
constexpr uint64_t kLockBytesBase = uint64_t{1} << 62;
constexpr uint64_t kAccessLockByte = kLockBytesBase + 0;

// ---- main file: page 0 holds two header copies (slot A at 0, slot B at 256) -----------------

constexpr char kMainMagic[8] = {'L', 'P', 'A', 'G', 'E', 'R', 'D', 'B'};
constexpr uint32_t kHeaderCopySize = 256;
constexpr uint32_t kHeaderSlotCount = 2;

struct MainHeaderCopy {
  char magic[8];                   // kMainMagic
  uint32_t format_version;         // kFormatVersion
  uint32_t page_size;              // bytes, power of two in [512, 65536]
  uint32_t page_count;             // pages in the database, page 0 included (>= 1)
  uint32_t app_header_size;        // kAppHeaderSize
  uint64_t checkpoint_seq;         // +1 per header write; the higher valid copy wins
  uint32_t flags;                  // 0 (no flags defined in version 1)
  uint32_t reserved0;              // 0
  uint64_t file_id;                // random at create; the WAL header must carry the same
  uint64_t reserved2;              // 0
  uint64_t checksum;               // Checksum64 of bytes [0, 56) and app_header, seed kMainSeed
  uint8_t app_header[kAppHeaderSize];
};
static_assert(sizeof(MainHeaderCopy) == kHeaderCopySize, "main header copy is 256 bytes");
static_assert(offsetof(MainHeaderCopy, format_version) == 8, "layout");
static_assert(offsetof(MainHeaderCopy, page_size) == 12, "layout");
static_assert(offsetof(MainHeaderCopy, page_count) == 16, "layout");
static_assert(offsetof(MainHeaderCopy, app_header_size) == 20, "layout");
static_assert(offsetof(MainHeaderCopy, checkpoint_seq) == 24, "layout");
static_assert(offsetof(MainHeaderCopy, flags) == 32, "layout");
static_assert(offsetof(MainHeaderCopy, reserved0) == 36, "layout");
static_assert(offsetof(MainHeaderCopy, file_id) == 40, "layout");
static_assert(offsetof(MainHeaderCopy, reserved2) == 48, "layout");
static_assert(offsetof(MainHeaderCopy, checksum) == 56, "layout");
static_assert(offsetof(MainHeaderCopy, app_header) == 64, "layout");
static_assert(kHeaderSlotCount * kHeaderCopySize <= kMinPageSize, "both copies fit page 0");

constexpr uint64_t kMainSeed = 0x4C50414745524442ull;  // "LPAGERDB"

// ---- WAL sidecar: a 64-byte header, then frames of (32-byte frame header + one page) ---------

constexpr char kWalMagic[8] = {'L', 'P', 'A', 'G', 'E', 'R', 'W', 'L'};
constexpr uint32_t kWalHeaderSize = 64;
constexpr uint32_t kFrameHeaderSize = 32;

struct WalHeader {
  char magic[8];             // kWalMagic
  uint32_t format_version;   // kFormatVersion
  uint32_t page_size;        // must equal the main file's
  uint64_t base_checkpoint_seq;  // the main header copy this generation applies on top of
  uint32_t salt1;            // previous generation's salt1 + 1
  uint32_t salt2;            // random per generation
  uint64_t file_id;          // the main file's file_id (a sidecar of another file is stale)
  uint64_t reserved1;        // 0
  uint64_t reserved2;        // 0
  uint64_t checksum;         // Checksum64 of bytes [0, 56), seed kWalSeed
};
static_assert(sizeof(WalHeader) == kWalHeaderSize, "WAL header is 64 bytes");
static_assert(offsetof(WalHeader, format_version) == 8, "layout");
static_assert(offsetof(WalHeader, page_size) == 12, "layout");
static_assert(offsetof(WalHeader, base_checkpoint_seq) == 16, "layout");
static_assert(offsetof(WalHeader, salt1) == 24, "layout");
static_assert(offsetof(WalHeader, salt2) == 28, "layout");
static_assert(offsetof(WalHeader, file_id) == 32, "layout");
static_assert(offsetof(WalHeader, checksum) == 56, "layout");

constexpr uint64_t kWalSeed = 0x4C50414745525748ull;  // "LPAGERWH"

struct FrameHeader {
  uint32_t page_number;        // 0 = the application header frame, else a data page
  uint32_t commit_page_count;  // 0 = inside a transaction; > 0 = commit frame, page count after
  uint32_t salt1;              // copy of the WAL header's salts
  uint32_t salt2;
  uint32_t commit_floor_count;  // commit frames: the lowest page count the transaction passed
                                // through (1 <= floor <= commit_page_count); others: 0
  uint32_t reserved;           // 0
  uint64_t checksum;           // Checksum64(bytes [0, 24) ++ page body, seed = previous checksum)
};
static_assert(sizeof(FrameHeader) == kFrameHeaderSize, "frame header is 32 bytes");
static_assert(offsetof(FrameHeader, commit_page_count) == 4, "layout");
static_assert(offsetof(FrameHeader, salt1) == 8, "layout");
static_assert(offsetof(FrameHeader, salt2) == 12, "layout");
static_assert(offsetof(FrameHeader, commit_floor_count) == 16, "layout");
static_assert(offsetof(FrameHeader, reserved) == 20, "layout");
static_assert(offsetof(FrameHeader, checksum) == 24, "layout");
constexpr size_t kFrameChecksumCovered = offsetof(FrameHeader, checksum);

// ---- helpers (pure) ----------------------------------------------------------------------

bool IsValidPageSize(uint32_t page_size);

inline uint64_t FrameSize(uint32_t page_size) { return kFrameHeaderSize + uint64_t{page_size}; }
// Byte offset of frame `index` (0-based) in the WAL.
inline uint64_t FrameOffset(uint64_t index, uint32_t page_size) {
  return kWalHeaderSize + index * FrameSize(page_size);
}

// Main header copy: fill checksum / validate. Validate returns kCorrupt or kVersion with a
// message naming the slot and the failing field; an all-zero copy is kNotFound ("empty slot").
void SealMainHeader(MainHeaderCopy* h);
Status ValidateMainHeader(const MainHeaderCopy& h, int slot);
MainHeaderCopy MakeMainHeader(uint32_t page_size, uint32_t page_count, uint64_t checkpoint_seq,
                              uint64_t file_id, const uint8_t* app_header);

void SealWalHeader(WalHeader* h);
// kCorrupt/kVersion on a bad header; kNotFound if it is all zeros (a sidecar whose creation
// never became durable).
Status ValidateWalHeader(const WalHeader& h);
WalHeader MakeWalHeader(uint32_t page_size, uint64_t base_checkpoint_seq, uint64_t file_id,
                        uint32_t salt1, uint32_t salt2);

// The chained frame checksum: seed is the previous frame's checksum (the WAL header's checksum
// for frame 0).
uint64_t FrameChecksum(const FrameHeader& h, const uint8_t* body, uint32_t page_size,
                       uint64_t seed);
FrameHeader MakeFrameHeader(uint32_t page_number, uint32_t commit_page_count,
                            uint32_t commit_floor_count, const WalHeader& wal, const uint8_t* body, uint32_t page_size,
                            uint64_t seed);

// The checks one frame must pass to extend the chain (doc/format/wal-pager.md, "Frames"), in
// the order the recovery scan applies them: salts of the current generation, the chained
// checksum (seed: the previous frame's checksum, or the WAL header's for frame 0), then the
// well-formedness of the header (reserved 0; commit frames: 1 <= floor <= page count; other
// frames: floor 0). The one definition WalLog's recovery scan and the frame scan
// (frame_scan.h) both use. Transaction-level rules (no frame past its commit's page count)
// are the recovery scan's.
enum class FrameFault { kNone, kSaltMismatch, kChecksumMismatch, kBadFrame };
// The last of those checks alone: reserved 0 and the floor rule.
bool FrameWellFormed(const FrameHeader& h);
FrameFault CheckFrame(const FrameHeader& h, const uint8_t* body, uint32_t page_size,
                      const WalHeader& wal, uint64_t seed);

}  // namespace wal
}  // namespace pager
