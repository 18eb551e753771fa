// WAL segment format: constants, the record header, and the pure record checker shared by the
// reader, the writer's recovery and the fuzz harness. The byte map, validity rules and the
// worked hex example are in doc/format/wal-segment.md; the compiled layout below is the truth
// (static_asserts) and tests/walseg_format_test.cc pins the doc's example.
//
// Invariants of the format (numbered; code names them as W<n>):
//   W1. A segment file is a sequence of records from offset 0, each starting at a multiple of
//       8. A record is a 40-byte header, the payload, and zero padding up to a multiple of 8.
//   W2. A record is valid iff: magic, format version, reserved bytes and padding are as
//       specified, its extent lies inside the file (checked without overflow), type id != 0,
//       and checksum == XXH3-64(seed kChecksumSeed) of bytes [8, record end) -- the header
//       after the checksum field, the payload and the padding.
//   W3. LSNs are consecutive: the first record of a segment has the LSN in the segment's
//       name, every later record the previous LSN + 1; the next segment's name is the LSN
//       after the previous segment's last record. No LSN is 0.
//   W4. synced_lsn < lsn: the writer's durable watermark when the record was appended (every
//       record with LSN <= synced_lsn had been made durable by a successful sync).
//   W5. Bytes after the last record are either absent or all zero (pre-written space).
//   W6. A record whose type has kTypeRequiredBit set must be understood by the reader;
//       unknown types without it are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pager {
namespace walseg {

constexpr uint32_t kRecordMagic = 0x47455357u;  // bytes "WSEG" in file order
constexpr uint16_t kFormatVersion = 1;
constexpr uint64_t kChecksumSeed = 0x57414c5345473031ull;  // "WALSEG01"
constexpr uint16_t kTypeRequiredBit = 0x8000;
constexpr uint16_t kTypeIdMask = 0x7fff;
constexpr uint32_t kRecordAlign = 8;
constexpr uint64_t kDefaultMaxPayloadBytes = 64ull << 20;
// The largest payload any record can carry (payload_len is a u32 and the padded record
// length must still fit a u32).
constexpr uint64_t kFormatMaxPayloadBytes = 0xFFFFFFFFull - 64;
constexpr const char* kSegmentSuffix = ".wal";
constexpr size_t kSegmentNameLen = 16 + 4;  // 16 lowercase hex digits + ".wal"

// The on-disk record header, little-endian, no padding.
struct RecordHeader {
  uint64_t checksum;     // XXH3-64 of [8, record end), W2
  uint32_t magic;        // kRecordMagic
  uint16_t version;      // kFormatVersion
  uint16_t type;         // bit 15 = required (W6); bits 0..14 = type id, 0 is invalid
  uint64_t lsn;          // W3
  uint64_t synced_lsn;   // W4
  uint32_t payload_len;  // payload bytes, padding excluded
  uint32_t reserved;     // zero
};
static_assert(sizeof(RecordHeader) == 40, "record header is 40 bytes");
static_assert(offsetof(RecordHeader, checksum) == 0, "layout");
static_assert(offsetof(RecordHeader, magic) == 8, "layout");
static_assert(offsetof(RecordHeader, version) == 12, "layout");
static_assert(offsetof(RecordHeader, type) == 14, "layout");
static_assert(offsetof(RecordHeader, lsn) == 16, "layout");
static_assert(offsetof(RecordHeader, synced_lsn) == 24, "layout");
static_assert(offsetof(RecordHeader, payload_len) == 32, "layout");
static_assert(offsetof(RecordHeader, reserved) == 36, "layout");
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the format is little-endian");
constexpr size_t kHeaderBytes = sizeof(RecordHeader);
constexpr size_t kChecksumBytes = 8;  // the checksum covers the record from this offset on

// Padding after a payload of len bytes.
inline uint64_t PaddingFor(uint64_t payload_len) {
  return (kRecordAlign - payload_len % kRecordAlign) % kRecordAlign;
}
// Total on-disk bytes of a record with this payload (header + payload + padding).
inline uint64_t RecordBytes(uint64_t payload_len) {
  return kHeaderBytes + payload_len + PaddingFor(payload_len);
}

// Fills every header field but the checksum.
RecordHeader MakeHeader(uint16_t type, uint64_t lsn, uint64_t synced_lsn, uint32_t payload_len);

// The checksum of a record whose header fields (all but checksum) and payload are given.
uint64_t ComputeChecksum(const RecordHeader& header, const void* payload, size_t payload_len);

// Writes one complete record (header, payload, padding) to dst, which must hold
// RecordBytes(payload_len) bytes. Returns the bytes written.
size_t EncodeRecord(uint16_t type, uint64_t lsn, uint64_t synced_lsn, const void* payload,
                    uint32_t payload_len, uint8_t* dst);

// What lies at one offset of a segment.
enum class Check {
  kValid,     // a record satisfying W2
  kZeroTail,  // the offset is the end, or every byte from it to the end is zero (W5)
  kDamaged,   // anything else: a torn, partial or corrupted record (see *why)
};

struct RecordAt {
  RecordHeader header{};
  const uint8_t* payload = nullptr;
  uint64_t record_bytes = 0;  // header + payload + padding
};

// Examines the bytes at `offset` of [base, base + len). Pure; never reads outside the range;
// every bound is checked without overflow. `offset` must be <= len and a multiple of 8.
// On kDamaged, *why says what failed (may be null).
Check CheckRecordAt(const uint8_t* base, uint64_t len, uint64_t offset, RecordAt* out,
                    std::string* why);

// Segment file names: 16 lowercase hex digits of the first LSN + ".wal".
std::string SegmentName(uint64_t first_lsn);
// Parses a segment file name (no directory). False if the name is not one.
bool ParseSegmentName(const std::string& name, uint64_t* first_lsn);
// The file name part of a path.
std::string BaseName(const std::string& path);

}  // namespace walseg
}  // namespace pager
