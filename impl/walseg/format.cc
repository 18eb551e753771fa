#include "impl/walseg/format.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "impl/common/bytes.h"
#include "impl/io/checksum.h"

namespace pager {
namespace walseg {

RecordHeader MakeHeader(uint16_t type, uint64_t lsn, uint64_t synced_lsn, uint32_t payload_len) {
  RecordHeader h{};
  h.magic = kRecordMagic;
  h.version = kFormatVersion;
  h.type = type;
  h.lsn = lsn;
  h.synced_lsn = synced_lsn;
  h.payload_len = payload_len;
  h.reserved = 0;
  return h;
}

uint64_t ComputeChecksum(const RecordHeader& header, const void* payload, size_t payload_len) {
  static const uint8_t kZeros[kRecordAlign] = {};
  Hasher hasher(kChecksumSeed);
  hasher.Update(reinterpret_cast<const uint8_t*>(&header) + kChecksumBytes,
                kHeaderBytes - kChecksumBytes);
  hasher.Update(payload, payload_len);
  hasher.Update(kZeros, PaddingFor(payload_len));
  return hasher.Digest();
}

size_t EncodeRecord(uint16_t type, uint64_t lsn, uint64_t synced_lsn, const void* payload,
                    uint32_t payload_len, uint8_t* dst) {
  RecordHeader h = MakeHeader(type, lsn, synced_lsn, payload_len);
  std::memcpy(dst, &h, kHeaderBytes);
  if (payload_len > 0) std::memcpy(dst + kHeaderBytes, payload, payload_len);
  size_t pad = PaddingFor(payload_len);
  std::memset(dst + kHeaderBytes + payload_len, 0, pad);
  size_t total = kHeaderBytes + payload_len + pad;
  // One contiguous hash over [8, end): the same bytes the reader hashes (W2).
  h.checksum = Checksum64(dst + kChecksumBytes, total - kChecksumBytes, kChecksumSeed);
  std::memcpy(dst, &h.checksum, sizeof h.checksum);
  return total;
}

namespace {

Check Damaged(std::string* why, const std::string& text) {
  if (why != nullptr) *why = text;
  return Check::kDamaged;
}

}  // namespace

Check CheckRecordAt(const uint8_t* base, uint64_t len, uint64_t offset, RecordAt* out,
                    std::string* why) {
  if (offset >= len) return Check::kZeroTail;
  uint64_t remaining = len - offset;  // > 0
  const uint8_t* p = base + offset;
  if (remaining < kHeaderBytes) {
    if (AllZero(p, remaining)) return Check::kZeroTail;
    return Damaged(why, "partial header: " + std::to_string(remaining) + " bytes left");
  }
  RecordHeader h;
  std::memcpy(&h, p, kHeaderBytes);
  if (h.magic != kRecordMagic) {
    if (AllZero(p, remaining)) return Check::kZeroTail;
    return Damaged(why, "bad magic");
  }
  if (h.version != kFormatVersion) {
    return Damaged(why, "format version " + std::to_string(h.version) + ", expected " +
                            std::to_string(kFormatVersion));
  }
  if (h.reserved != 0) return Damaged(why, "non-zero reserved field");
  if ((h.type & kTypeIdMask) == 0) return Damaged(why, "type id 0");
  if (h.synced_lsn >= h.lsn) return Damaged(why, "synced_lsn not below lsn");
  // Overflow-safe extent check: payload_len <= 2^32-1, so RecordBytes cannot overflow a u64,
  // and it is compared against the remaining length, not added to the offset.
  uint64_t record_bytes = RecordBytes(h.payload_len);
  if (record_bytes > remaining) {
    return Damaged(why, "record of " + std::to_string(record_bytes) + " bytes runs past the end (" +
                            std::to_string(remaining) + " bytes left)");
  }
  uint64_t sum = Checksum64(p + kChecksumBytes, record_bytes - kChecksumBytes, kChecksumSeed);
  if (sum != h.checksum) return Damaged(why, "checksum mismatch");
  if (!AllZero(p + kHeaderBytes + h.payload_len, PaddingFor(h.payload_len))) {
    return Damaged(why, "non-zero padding");
  }
  out->header = h;
  out->payload = p + kHeaderBytes;
  out->record_bytes = record_bytes;
  return Check::kValid;
}

std::string SegmentName(uint64_t first_lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 "%s", first_lsn, kSegmentSuffix);
  return buf;
}

bool ParseSegmentName(const std::string& name, uint64_t* first_lsn) {
  if (name.size() != kSegmentNameLen) return false;
  if (name.compare(16, std::string::npos, kSegmentSuffix) != 0) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 16; i++) {
    char c = name[i];
    uint64_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return false;
    }
    v = (v << 4) | d;
  }
  if (v == 0) return false;  // W3: no LSN is 0
  *first_lsn = v;
  return true;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace walseg
}  // namespace pager
