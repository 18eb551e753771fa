#include "impl/wal/wal_format.h"

#include "impl/common/bytes.h"
#include "impl/io/checksum.h"

namespace pager {
namespace wal {

namespace {

uint64_t MainChecksum(const MainHeaderCopy& h) {
  Hasher hasher(kMainSeed);
  hasher.Update(&h, offsetof(MainHeaderCopy, checksum));
  hasher.Update(h.app_header, kAppHeaderSize);
  return hasher.Digest();
}

uint64_t WalHeaderChecksum(const WalHeader& h) {
  return Checksum64(&h, offsetof(WalHeader, checksum), kWalSeed);
}

std::string Hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

bool IsValidPageSize(uint32_t page_size) {
  return page_size >= kMinPageSize && page_size <= kMaxPageSize &&
         (page_size & (page_size - 1)) == 0;
}

void SealMainHeader(MainHeaderCopy* h) { h->checksum = MainChecksum(*h); }

MainHeaderCopy MakeMainHeader(uint32_t page_size, uint32_t page_count, uint64_t checkpoint_seq,
                              uint64_t file_id, const uint8_t* app_header) {
  MainHeaderCopy h;
  std::memset(&h, 0, sizeof h);
  std::memcpy(h.magic, kMainMagic, sizeof h.magic);
  h.format_version = kFormatVersion;
  h.page_size = page_size;
  h.page_count = page_count;
  h.app_header_size = kAppHeaderSize;
  h.checkpoint_seq = checkpoint_seq;
  h.file_id = file_id;
  std::memcpy(h.app_header, app_header, kAppHeaderSize);
  SealMainHeader(&h);
  return h;
}

Status ValidateMainHeader(const MainHeaderCopy& h, int slot) {
  std::string where = std::string("main header copy ") + (slot == 0 ? "A" : "B") + ": ";
  if (AllZero(&h, sizeof h)) return Status(Code::kNotFound, where + "empty slot");
  if (std::memcmp(h.magic, kMainMagic, sizeof h.magic) != 0) {
    return Corruption(where + "bad magic (not a libpager WAL-pager main file)");
  }
  if (h.format_version != kFormatVersion) {
    return Status(Code::kVersion, where + "format version " + std::to_string(h.format_version) +
                                      ", this build reads version " +
                                      std::to_string(kFormatVersion));
  }
  uint64_t want = MainChecksum(h);
  if (h.checksum != want) {
    return Corruption(where + "checksum mismatch: stored " + Hex(h.checksum) + ", computed " +
                      Hex(want));
  }
  if (!IsValidPageSize(h.page_size)) {
    return Corruption(where + "page size " + std::to_string(h.page_size) +
                      " is not a power of two in [512, 65536]");
  }
  if (h.page_count == 0) return Corruption(where + "page count 0 (page 0 always exists)");
  if (h.app_header_size != kAppHeaderSize) {
    return Corruption(where + "application header size " + std::to_string(h.app_header_size) +
                      ", expected " + std::to_string(kAppHeaderSize));
  }
  if (h.flags != 0 || h.reserved0 != 0 || h.reserved2 != 0) {
    return Corruption(where + "reserved fields are not zero");
  }
  return Status::Ok();
}

void SealWalHeader(WalHeader* h) { h->checksum = WalHeaderChecksum(*h); }

WalHeader MakeWalHeader(uint32_t page_size, uint64_t base_checkpoint_seq, uint64_t file_id,
                        uint32_t salt1, uint32_t salt2) {
  WalHeader h;
  std::memset(&h, 0, sizeof h);
  std::memcpy(h.magic, kWalMagic, sizeof h.magic);
  h.format_version = kFormatVersion;
  h.page_size = page_size;
  h.base_checkpoint_seq = base_checkpoint_seq;
  h.file_id = file_id;
  h.salt1 = salt1;
  h.salt2 = salt2;
  SealWalHeader(&h);
  return h;
}

Status ValidateWalHeader(const WalHeader& h) {
  if (AllZero(&h, sizeof h)) return Status(Code::kNotFound, "WAL header is all zeros");
  if (std::memcmp(h.magic, kWalMagic, sizeof h.magic) != 0) {
    return Corruption("WAL header: bad magic (not a libpager WAL)");
  }
  if (h.format_version != kFormatVersion) {
    return Status(Code::kVersion, "WAL header: format version " +
                                      std::to_string(h.format_version) +
                                      ", this build reads version " +
                                      std::to_string(kFormatVersion));
  }
  uint64_t want = WalHeaderChecksum(h);
  if (h.checksum != want) {
    return Corruption("WAL header: checksum mismatch: stored " + Hex(h.checksum) +
                      ", computed " + Hex(want));
  }
  if (!IsValidPageSize(h.page_size)) {
    return Corruption("WAL header: page size " + std::to_string(h.page_size) + " is invalid");
  }
  if (h.reserved1 != 0 || h.reserved2 != 0) {
    return Corruption("WAL header: reserved fields are not zero");
  }
  return Status::Ok();
}

uint64_t FrameChecksum(const FrameHeader& h, const uint8_t* body, uint32_t page_size,
                       uint64_t seed) {
  Hasher hasher(seed);
  hasher.Update(&h, kFrameChecksumCovered);
  hasher.Update(body, page_size);
  return hasher.Digest();
}

FrameHeader MakeFrameHeader(uint32_t page_number, uint32_t commit_page_count,
                            uint32_t commit_floor_count, const WalHeader& wal, const uint8_t* body, uint32_t page_size,
                            uint64_t seed) {
  FrameHeader h;
  std::memset(&h, 0, sizeof h);
  h.page_number = page_number;
  h.commit_page_count = commit_page_count;
  h.commit_floor_count = commit_floor_count;
  h.salt1 = wal.salt1;
  h.salt2 = wal.salt2;
  h.checksum = FrameChecksum(h, body, page_size, seed);
  return h;
}

bool FrameWellFormed(const FrameHeader& h) {
  const bool commit = h.commit_page_count != 0;
  const bool floor_ok = commit ? (h.commit_floor_count >= 1 &&
                                  h.commit_floor_count <= h.commit_page_count)
                               : h.commit_floor_count == 0;
  return h.reserved == 0 && floor_ok;
}

FrameFault CheckFrame(const FrameHeader& h, const uint8_t* body, uint32_t page_size,
                      const WalHeader& wal, uint64_t seed) {
  if (h.salt1 != wal.salt1 || h.salt2 != wal.salt2) return FrameFault::kSaltMismatch;
  if (FrameChecksum(h, body, page_size, seed) != h.checksum) return FrameFault::kChecksumMismatch;
  if (!FrameWellFormed(h)) return FrameFault::kBadFrame;
  return FrameFault::kNone;
}

}  // namespace wal
}  // namespace pager
