// Encoders and validators for the page-file format (doc/format/page-file.md).
#include "impl/file/format.h"

#include "impl/common/bytes.h"
#include "impl/io/checksum.h"

namespace pager {
namespace file {

namespace {

std::string Hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

uint64_t RootTerm(CopyKind kind, uint64_t index, uint64_t generation, uint64_t checksum) {
  uint64_t words[4] = {static_cast<uint64_t>(kind), index, generation, checksum};
  return Checksum64(words, sizeof words, kSeedRoot);
}

uint64_t RoundPageCount(uint64_t want, uint32_t page_size) {
  uint64_t per = PagesPerGroup(page_size);
  if (want < kFirstDataPage + 3) want = kFirstDataPage + 3;  // group 0: slots 3, 4 + one page
  uint64_t last = (want - 1) / per;
  uint64_t in_last = want - last * per;
  if (last > 0 && in_last < 3) want = last * per + 3;
  return want;
}

uint64_t PageChecksum(const uint8_t* page, size_t len, size_t skip, uint64_t seed) {
  Hasher h(seed);
  static const uint8_t kZero[8] = {0};
  h.Update(page, skip);
  h.Update(kZero, 8);
  h.Update(page + skip + 8, len - skip - 8);
  return h.Digest();
}

SuperblockDisk MakeSuperblock(uint32_t page_size_log2, uint64_t file_id,
                              uint32_t format_version) {
  SuperblockDisk sb;
  std::memset(&sb, 0, sizeof sb);
  std::memcpy(sb.magic, kSuperblockMagic, 8);
  sb.format_version = format_version;
  sb.page_size_log2 = page_size_log2;
  sb.file_id = file_id;
  sb.checksum = Checksum64(&sb, offsetof(SuperblockDisk, checksum), kSeedSuperblock);
  return sb;
}

Status CheckSuperblock(const uint8_t* page, size_t len, SuperblockDisk* out) {
  if (len < sizeof(SuperblockDisk)) return Corruption("superblock: file shorter than 64 bytes");
  SuperblockDisk sb;
  std::memcpy(&sb, page, sizeof sb);
  if (std::memcmp(sb.magic, kSuperblockMagic, 8) != 0) {
    return Corruption("superblock: bad magic (not a libpager page file)");
  }
  uint64_t want = Checksum64(&sb, offsetof(SuperblockDisk, checksum), kSeedSuperblock);
  if (sb.checksum != want) {
    return Corruption("superblock: checksum " + Hex(sb.checksum) + ", computed " + Hex(want));
  }
  if (sb.format_version != kFormatVersion && sb.format_version != kFormatVersionUnjournaled) {
    return Status(Code::kVersion, "superblock: format version " +
                                      std::to_string(sb.format_version) +
                                      ", this library reads " +
                                      std::to_string(kFormatVersionUnjournaled) + " and " +
                                      std::to_string(kFormatVersion));
  }
  if (sb.page_size_log2 < kMinPageSizeLog2 || sb.page_size_log2 > kMaxPageSizeLog2) {
    return Corruption("superblock: page_size_log2 " + std::to_string(sb.page_size_log2) +
                      " outside [10, 16]");
  }
  if (!AllZero(sb.reserved, sizeof sb.reserved)) {
    return Corruption("superblock: reserved bytes are not zero");
  }
  if (!AllZero(page + sizeof sb, len - sizeof sb)) {
    return Corruption("superblock: bytes after the superblock in page 0 are not zero");
  }
  *out = sb;
  return Status::Ok();
}

void EncodeMeta(const Meta& m, uint32_t page_size_log2, uint64_t file_id, uint8_t* page) {
  uint32_t page_size = 1u << page_size_log2;
  std::memset(page, 0, page_size);
  MetaHeaderDisk h;
  std::memset(&h, 0, sizeof h);
  std::memcpy(h.magic, kMetaMagic, 8);
  h.format_version = kLayoutVersion;
  h.page_size_log2 = page_size_log2;
  h.file_id = file_id;
  h.generation = m.generation;
  h.page_count = m.page_count;
  h.used_page_count = m.used_page_count;
  h.protected_count = m.protected_count;
  h.state_root = m.state_root;
  h.dir_page_count = static_cast<uint32_t>(m.dir_slots.size());
  std::memcpy(page, &h, sizeof h);
  if (!m.dir_slots.empty()) {
    std::memcpy(page + sizeof h, m.dir_slots.data(), m.dir_slots.size() * sizeof(DirSlotsDisk));
  }
  uint64_t sum = PageChecksum(page, page_size, offsetof(MetaHeaderDisk, checksum), kSeedMeta);
  std::memcpy(page + offsetof(MetaHeaderDisk, checksum), &sum, 8);
}

Status DecodeMeta(const uint8_t* page, uint32_t page_size_log2, uint64_t file_id, Meta* out) {
  uint32_t page_size = 1u << page_size_log2;
  MetaHeaderDisk h;
  std::memcpy(&h, page, sizeof h);
  if (std::memcmp(h.magic, kMetaMagic, 8) != 0) return Corruption("bad magic");
  uint64_t want = PageChecksum(page, page_size, offsetof(MetaHeaderDisk, checksum), kSeedMeta);
  if (h.checksum != want) {
    return Corruption("checksum " + Hex(h.checksum) + ", computed " + Hex(want));
  }
  if (h.format_version != kLayoutVersion) {
    return Status(Code::kVersion, "format version " + std::to_string(h.format_version));
  }
  if (h.page_size_log2 != page_size_log2) {
    return Corruption("page_size_log2 " + std::to_string(h.page_size_log2) +
                      ", superblock says " + std::to_string(page_size_log2));
  }
  if (h.file_id != file_id) return Corruption("file id " + Hex(h.file_id) + " of another file");
  if (h.generation == 0) return Corruption("generation 0");
  if (h.reserved0 != 0 || !AllZero(h.reserved, sizeof h.reserved)) {
    return Corruption("reserved bytes are not zero");
  }
  if (h.page_count < RoundPageCount(0, page_size) ||
      RoundPageCount(h.page_count, page_size) != h.page_count) {
    return Corruption("page_count " + std::to_string(h.page_count) + " is not a valid page space");
  }
  if (h.used_page_count > h.page_count) {
    return Corruption("used_page_count " + std::to_string(h.used_page_count) + " > page_count " +
                      std::to_string(h.page_count));
  }
  if (h.dir_page_count > MaxDirPages(page_size)) {
    return Corruption("dir_page_count " + std::to_string(h.dir_page_count) + " > maximum " +
                      std::to_string(MaxDirPages(page_size)));
  }
  if (h.protected_count > uint64_t{h.dir_page_count} * EntriesPerDirPage(page_size)) {
    return Corruption("protected_count " + std::to_string(h.protected_count) +
                      " exceeds the directory's capacity");
  }
  size_t table_end = sizeof h + h.dir_page_count * sizeof(DirSlotsDisk);
  if (!AllZero(page + table_end, page_size - table_end)) {
    return Corruption("bytes after the directory table are not zero");
  }
  out->generation = h.generation;
  out->page_count = h.page_count;
  out->used_page_count = h.used_page_count;
  out->protected_count = h.protected_count;
  out->state_root = h.state_root;
  out->dir_slots.resize(h.dir_page_count);
  if (h.dir_page_count > 0) {
    std::memcpy(out->dir_slots.data(), page + sizeof h, h.dir_page_count * sizeof(DirSlotsDisk));
  }
  return Status::Ok();
}

void SealCopy(const char (&magic)[8], uint32_t index, uint64_t file_id, uint64_t generation,
              uint8_t* page, uint32_t page_size) {
  CopyHeaderDisk h;
  std::memset(&h, 0, sizeof h);
  std::memcpy(h.magic, magic, 8);
  h.format_version = kLayoutVersion;
  h.index = index;
  h.file_id = file_id;
  h.generation = generation;
  std::memcpy(page, &h, sizeof h);
  uint64_t sum = PageChecksum(page, page_size, offsetof(CopyHeaderDisk, checksum), kSeedCopy);
  std::memcpy(page + offsetof(CopyHeaderDisk, checksum), &sum, 8);
}

Status CheckCopy(const char (&magic)[8], uint32_t index, uint64_t file_id, const uint8_t* page,
                 uint32_t page_size, uint64_t* generation, uint64_t* checksum) {
  CopyHeaderDisk h;
  std::memcpy(&h, page, sizeof h);
  if (std::memcmp(h.magic, magic, 8) != 0) return Corruption("bad magic");
  uint64_t want = PageChecksum(page, page_size, offsetof(CopyHeaderDisk, checksum), kSeedCopy);
  if (h.checksum != want) return Corruption("checksum mismatch");
  if (h.format_version != kLayoutVersion) return Corruption("format version");
  if (h.index != index) return Corruption("index " + std::to_string(h.index));
  if (h.file_id != file_id) return Corruption("file id of another file");
  if (h.generation == 0) return Corruption("generation 0");
  if (h.reserved != 0) return Corruption("reserved bytes are not zero");
  *generation = h.generation;
  *checksum = h.checksum;
  return Status::Ok();
}

}  // namespace file
}  // namespace pager
