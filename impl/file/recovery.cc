// Open-time recovery: pick the meta copy (decision table in doc/format/page-file.md), load
// the bitmap and directory copies it names, and verify the whole state before accepting it.
#include <algorithm>

#include "impl/file/page_file.h"
#include "impl/io/checksum.h"

namespace pager {
namespace file {

namespace {

const char* SlotName(int slot) { return slot == 0 ? "meta A (page 1)" : "meta B (page 2)"; }

// Where a damaged structure lies, in the words every CORRUPT message of recovery uses
// (Status S3: the message and the check report's damage_offset name the same byte).
uint64_t PageOffset(uint64_t page, uint32_t page_size) { return page * page_size; }

// The byte of the current bitmap copy (slot cur_slot of page's group) that holds page's bit.
uint64_t BitmapByteOffset(int cur_slot, uint64_t page, uint32_t page_size) {
  uint64_t g = GroupOf(page, page_size);
  return PageOffset(GroupSlot(g, page_size, cur_slot), page_size) + sizeof(CopyHeaderDisk) +
         (page % PagesPerGroup(page_size)) / 8;
}

// Entry e of a directory page whose current copy is in page `copy_page`.
uint64_t DirEntryOffset(uint64_t copy_page, uint32_t e, uint32_t page_size) {
  return PageOffset(copy_page, page_size) + sizeof(CopyHeaderDisk) +
         uint64_t{e} * sizeof(DirEntryDisk);
}

}  // namespace

// Decision table rows (doc/format/page-file.md, "Recovery"):
//   both metas fail their own checks            -> kCorrupt (or kVersion if either says so)
//   one passes its own checks                   -> verify its state; accept or kCorrupt
//   both pass, equal generations                -> kCorrupt (a correct writer never does this)
//   both pass                                   -> verify the newer; accept, else verify the
//                                                  older; accept (fell_back), else kCorrupt
//   a read fails (I/O error, not damage)        -> that error: an unreadable newer state is no
//                                                  evidence of damage, so falling back to the
//                                                  older state would lose a commit
Status PageFile::Recover() {
  Meta metas[2];
  Status decoded[2];
  std::vector<uint8_t> page(page_size_);
  for (int s = 0; s < 2; s++) {
    decoded[s] = file_->ReadExactAt(kMetaPage[s] * page_size_, page.data(), page_size_, true);
    if (!decoded[s].ok() && decoded[s].code() != Code::kCorrupt) {
      return decoded[s].WithContext(std::string("reading ") + SlotName(s));
    }
    if (decoded[s].ok()) decoded[s] = DecodeMeta(page.data(), page_size_log2_, file_id_, &metas[s]);
    if (decoded[s].ok()) max_seen_gen_ = std::max(max_seen_gen_, metas[s].generation);
  }
  if (!decoded[0].ok() && !decoded[1].ok()) {
    Code code = (decoded[0].code() == Code::kVersion || decoded[1].code() == Code::kVersion)
                    ? Code::kVersion
                    : Code::kCorrupt;
    const uint64_t at = PageOffset(kMetaPage[0], page_size_);
    return Status(code, std::string("no valid meta: ") + SlotName(0) + " at byte offset " +
                            std::to_string(at) + ": " + decoded[0].message() + "; " +
                            SlotName(1) + " at byte offset " +
                            std::to_string(PageOffset(kMetaPage[1], page_size_)) + ": " +
                            decoded[1].message(),
                  code == Code::kCorrupt ? at : Status::kNoOffset);
  }
  if (decoded[0].ok() && decoded[1].ok() && metas[0].generation == metas[1].generation) {
    return CorruptionAt(PageOffset(kMetaPage[1], page_size_),
                        "both metas claim generation " + std::to_string(metas[0].generation) +
                            ": meta B (page 2)");
  }
  int order[2] = {0, 1};
  if (!decoded[0].ok() || (decoded[1].ok() && metas[1].generation > metas[0].generation)) {
    std::swap(order[0], order[1]);
  }
  std::string reasons;
  uint64_t first_at = Status::kNoOffset;  // the first rejected state's damage (S3)
  for (int s = 0; s < 2; s++) {
    if (!decoded[s].ok()) {
      reasons += std::string(reasons.empty() ? "" : "; ") + SlotName(s) + ": " +
                 decoded[s].message();
    }
  }
  for (int i = 0; i < 2; i++) {
    int s = order[i];
    if (!decoded[s].ok()) continue;
    Status st = TryLoad(s, metas[s], &max_seen_gen_);
    if (!st.ok() && st.code() != Code::kCorrupt) {
      return st.WithContext(std::string("loading the state of ") + SlotName(s));
    }
    if (st.ok()) {
      report_.meta_slot = s;
      report_.generation = metas[s].generation;
      report_.fell_back = (i == 1 && decoded[order[0]].ok());
      report_.rejected_reason = reasons;
      report_.rejected_offset = first_at;
      report_.stale_copies = stale_slots_.size();
      return Status::Ok();
    }
    reasons += std::string(reasons.empty() ? "" : "; ") + SlotName(s) + " (generation " +
               std::to_string(metas[s].generation) + "): " + st.message();
    if (first_at == Status::kNoOffset) first_at = st.offset_bytes();
  }
  return Status(Code::kCorrupt, "no meta describes a consistent state: " + reasons, first_at);
}

Status PageFile::TryLoad(int slot, const Meta& meta, uint64_t* max_gen) {
  bits_.clear();
  groups_.clear();
  dirs_.clear();
  internal_.clear();
  stale_slots_.clear();
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(file_->Size(&size));
  if (size / page_size_ < meta.page_count) {
    return CorruptionAt(size, "the file holds " + std::to_string(size) +
                                  " bytes, the page space needs " +
                                  std::to_string(meta.page_count * page_size_) +
                                  ": it ends");
  }
  page_count_ = meta.page_count;
  bits_.assign((page_count_ + 63) / 64, 0);
  const uint64_t meta_at = PageOffset(kMetaPage[slot], page_size_);
  PAGER_RETURN_IF_ERROR(LoadGroups(meta, max_gen).OrAt(meta_at, SlotName(slot)));
  PAGER_RETURN_IF_ERROR(LoadDirs(meta, max_gen).OrAt(meta_at, SlotName(slot)));
  uint64_t root = StateRoot(groups_, dirs_);
  if (root != meta.state_root) {
    return CorruptionAt(meta_at, "the current bitmap and directory copies do not match the "
                                 "meta's state root (a copy of this commit is missing or "
                                 "damaged): " + std::string(SlotName(slot)));
  }
  PAGER_RETURN_IF_ERROR(VerifyState(meta).OrAt(meta_at, SlotName(slot)));
  active_meta_ = slot;
  generation_ = meta.generation;
  state_root_ = root;
  used_count_ = meta.used_page_count;
  protected_count_ = meta.protected_count;
  hint_ = kFirstDataPage;
  entry_hint_ = 1;  // P17
  return Status::Ok();
}

// Of the two slots, the valid copy with the highest generation <= max_gen_allowed. Valid
// copies above it are leftovers of an interrupted commit (stale, P3).
Status PageFile::PickCopy(const char (&magic)[8], uint32_t index, const uint64_t pages[2],
                          uint64_t max_gen_allowed, std::vector<uint8_t>* page, int* slot,
                          uint64_t* gen, uint64_t* checksum, uint64_t* max_gen) {
  std::vector<uint8_t> buf(page_size_);
  *slot = -1;
  *gen = 0;
  for (int s = 0; s < 2; s++) {
    PAGER_RETURN_IF_ERROR(file_->ReadExactAt(pages[s] * page_size_, buf.data(), page_size_, true));
    uint64_t g = 0, c = 0;
    if (!CheckCopy(magic, index, file_id_, buf.data(), page_size_, &g, &c).ok()) continue;
    *max_gen = std::max(*max_gen, g);
    if (g > max_gen_allowed) {
      stale_slots_.push_back(pages[s]);
      continue;
    }
    if (g == *gen) return CorruptionAt(PageOffset(pages[s], page_size_),
                                       "both copies of " + std::string(magic) + " " +
                                           std::to_string(index) + " have generation " +
                                           std::to_string(g) + ": page " +
                                           std::to_string(pages[s]));
    if (g > *gen) {
      *slot = s;
      *gen = g;
      *checksum = c;
      page->swap(buf);
      buf.resize(page_size_);
    }
  }
  if (*slot < 0) {
    const uint64_t at = PageOffset(pages[0], page_size_);
    return Status(Code::kCorrupt,
                  "no valid copy of " + std::string(magic) + " " + std::to_string(index) +
                      ": page " + std::to_string(pages[0]) + " at byte offset " +
                      std::to_string(at) + ", page " + std::to_string(pages[1]) +
                      " at byte offset " + std::to_string(PageOffset(pages[1], page_size_)),
                  at);
  }
  return Status::Ok();
}

Status PageFile::LoadGroups(const Meta& meta, uint64_t* max_gen) {
  uint64_t count = GroupCount(page_count_, page_size_);
  uint64_t per_bytes = PagesPerGroup(page_size_) / 8;
  uint64_t total_bytes = bits_.size() * 8;
  uint8_t* bytes = reinterpret_cast<uint8_t*>(bits_.data());
  groups_.resize(count);
  std::vector<uint8_t> page(page_size_);
  for (uint64_t g = 0; g < count; g++) {
    uint64_t pages[2] = {GroupSlot(g, page_size_, 0), GroupSlot(g, page_size_, 1)};
    Group& gr = groups_[g];
    PAGER_RETURN_IF_ERROR(PickCopy(kBitmapMagic, static_cast<uint32_t>(g), pages, meta.generation,
                                   &page, &gr.cur_slot, &gr.gen, &gr.checksum, max_gen));
    uint64_t start = g * per_bytes;
    uint64_t n = std::min(per_bytes, total_bytes - start);
    std::memcpy(bytes + start, page.data() + sizeof(CopyHeaderDisk), static_cast<size_t>(n));
    // Nothing in the copy past the page space (or past the words that hold it).
    const uint8_t* rest = page.data() + sizeof(CopyHeaderDisk) + n;
    for (uint64_t i = n; i < per_bytes; i++) {
      if (rest[i - n] != 0) {
        return CorruptionAt(PageOffset(pages[gr.cur_slot], page_size_) + sizeof(CopyHeaderDisk) + i,
                            "bitmap group " + std::to_string(g) +
                                " marks pages past the page space: page " +
                                std::to_string(pages[gr.cur_slot]));
      }
    }
  }
  if (page_count_ % 64 != 0 && !bits_.empty() &&
      (bits_.back() >> (page_count_ % 64)) != 0) {
    const uint64_t g = GroupOf(page_count_, page_size_);
    return CorruptionAt(BitmapByteOffset(groups_[g].cur_slot, page_count_, page_size_),
                        "the bitmap marks pages at or past page_count " +
                            std::to_string(page_count_) + ": bitmap group " + std::to_string(g));
  }
  return Status::Ok();
}

Status PageFile::LoadDirs(const Meta& meta, uint64_t* max_gen) {
  uint32_t per = EntriesPerDirPage(page_size_);
  std::vector<uint8_t> page(page_size_);
  dirs_.resize(meta.dir_slots.size());
  for (uint32_t d = 0; d < meta.dir_slots.size(); d++) {
    DirPage& dp = dirs_[d];
    dp.slots = meta.dir_slots[d];
    for (int s = 0; s < 2; s++) {
      uint64_t p = dp.slots.page[s];
      if (p >= page_count_ || IsFixedInternalPage(p, page_size_) || internal_.count(p) != 0) {
        return Corruption("directory page " + std::to_string(d) + " slot page " +
                          std::to_string(p) + " is out of range, reserved or used twice");
      }
      internal_.insert(p);
    }
    PAGER_RETURN_IF_ERROR(PickCopy(kDirMagic, d, dp.slots.page, meta.generation, &page,
                                   &dp.cur_slot, &dp.gen, &dp.checksum, max_gen));
    dp.entries.resize(per);
    std::memcpy(dp.entries.data(), page.data() + sizeof(CopyHeaderDisk), per * sizeof(DirEntryDisk));
  }
  return Status::Ok();
}

// The state named by a meta must be self-consistent before it is accepted: reserved and
// internal pages in use, every directory entry well-formed, its backing pages in use and
// owned once, its active content matching its checksum, and the meta's counters exact.
Status PageFile::VerifyState(const Meta& meta) {
  auto FreeBitDamage = [this](const char* what, uint64_t p) {
    return CorruptionAt(BitmapByteOffset(groups_[GroupOf(p, page_size_)].cur_slot, p, page_size_),
                        what + std::to_string(p) + " is marked free in the bitmap");
  };
  for (uint64_t p = 0; p < kFirstDataPage; p++) {
    if (!Bit(p)) return FreeBitDamage("reserved page ", p);
  }
  for (uint64_t g = 0; g < groups_.size(); g++) {
    for (int s = 0; s < 2; s++) {
      if (!Bit(GroupSlot(g, page_size_, s))) {
        return FreeBitDamage("bitmap slot page ", GroupSlot(g, page_size_, s));
      }
    }
  }
  for (uint64_t p : internal_) {
    if (!Bit(p)) return FreeBitDamage("directory slot page ", p);
  }
  uint64_t in_use = 0;
  uint32_t per = EntriesPerDirPage(page_size_);
  std::vector<uint8_t> content(page_size_);
  for (uint32_t d = 0; d < dirs_.size(); d++) {
    for (uint32_t e = 0; e < per; e++) {
      const DirEntryDisk& en = dirs_[d].entries[e];
      uint64_t id = uint64_t{d} * per + e + 1;
      std::string name = "protected page " + std::to_string(id);
      const DirPage& dp = dirs_[d];
      const uint64_t entry_at = DirEntryOffset(dp.slots.page[dp.cur_slot], e, page_size_);
      if ((en.flags & ~kEntryKnownFlags) != 0 || en.reserved != 0) {
        return CorruptionAt(entry_at, name + ": unknown flags or reserved bytes set in its directory entry");
      }
      if ((en.flags & kEntryInUse) == 0) {
        if (en.page[0] != 0 || en.page[1] != 0 || en.content_checksum != 0 ||
            en.write_generation != 0 || en.flags != 0) {
          return CorruptionAt(entry_at, name + ": a free directory entry is not zero");
        }
        continue;
      }
      in_use++;
      if (en.write_generation == 0 || en.write_generation > meta.generation) {
        return CorruptionAt(entry_at, name + ": write generation " +
                                          std::to_string(en.write_generation) + " outside [1, " +
                                          std::to_string(meta.generation) + "] in its directory entry");
      }
      for (int s = 0; s < 2; s++) {
        uint64_t p = en.page[s];
        if (p >= page_count_ || IsFixedInternalPage(p, page_size_) || internal_.count(p) != 0 ||
            !Bit(p)) {
          return CorruptionAt(entry_at, name + ": backing page " + std::to_string(p) +
                                            " is out of range, reserved, free or owned twice "
                                            "(its directory entry)");
        }
        internal_.insert(p);
      }
      uint64_t active = en.page[(en.flags & kEntryActiveB) ? 1 : 0];
      PAGER_RETURN_IF_ERROR(
          file_->ReadExactAt(active * page_size_, content.data(), page_size_, true));
      uint64_t sum = Checksum64(content.data(), page_size_, kSeedContent);
      if (sum != en.content_checksum) {
        return CorruptionAt(PageOffset(active, page_size_),
                            name + ": content of backing page " + std::to_string(active) +
                                " does not match its directory checksum");
      }
    }
  }
  if (in_use != meta.protected_count) {
    return Corruption("the meta's protected_count " + std::to_string(meta.protected_count) +
                      " but the directory holds " + std::to_string(in_use));
  }
  uint64_t set = 0;
  for (uint64_t w : bits_) set += static_cast<uint64_t>(__builtin_popcountll(w));
  if (set != meta.used_page_count) {
    return Corruption("the meta's used_page_count " + std::to_string(meta.used_page_count) +
                      " but the bitmap marks " + std::to_string(set));
  }
  return Status::Ok();
}

}  // namespace file
}  // namespace pager
