// StagedPages (S1-S4 in staged_pages.h).
#include "impl/wal/staged_pages.h"

#include <algorithm>
#include <new>

namespace pager {
namespace wal {

namespace {
constexpr size_t kMinSlabBytes = size_t{256} << 10;
constexpr std::align_val_t kSlabAlignment{4096};  // page-aligned buffers (and copies)
constexpr size_t kMinTableSlots = 16;
}  // namespace

void StagedPages::SlabFree::operator()(uint8_t* p) const { ::operator delete(p, kSlabAlignment); }

StagedPages::StagedPages(uint32_t page_size)
    : page_size_(page_size),
      slab_bytes_(std::max<size_t>(kMinSlabBytes, page_size)),
      pages_per_slab_(static_cast<uint32_t>(slab_bytes_ / page_size)) {}

StagedPages::~StagedPages() = default;

uint8_t* StagedPages::Stage(uint32_t page_number) {
  if (2 * (entries_.size() + 1) > table_.size()) {
    Rehash(table_.empty() ? kMinTableSlots : 2 * table_.size());  // S2
  }
  for (size_t i = Home(page_number);; i = (i + 1) & mask_) {
    const uint32_t e = table_[i];
    if (e == 0) break;
    if (entries_[e - 1].page_number == page_number) {
      return const_cast<uint8_t*>(Bytes(entries_[e - 1].slot));  // S1: in place
    }
  }
  entries_.push_back(Entry{page_number, NewSlot()});
  InsertIntoTable(static_cast<uint32_t>(entries_.size() - 1));
  return const_cast<uint8_t*>(Bytes(entries_.back().slot));
}

const uint8_t* StagedPages::Find(uint32_t page_number) const {
  if (entries_.empty()) return nullptr;
  for (size_t i = Home(page_number);; i = (i + 1) & mask_) {
    const uint32_t e = table_[i];
    if (e == 0) return nullptr;  // S2
    if (entries_[e - 1].page_number == page_number) return Bytes(entries_[e - 1].slot);
  }
}

const uint8_t* StagedPages::Bytes(uint32_t slot) const {
  return slabs_[slot / pages_per_slab_].get() + size_t{slot % pages_per_slab_} * page_size_;
}

uint32_t StagedPages::NewSlot() {
  if (!free_slots_.empty()) {  // S3
    uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  const uint32_t slot = slot_count_++;
  if (slot / pages_per_slab_ >= slabs_.size()) {
    slabs_.emplace_back(static_cast<uint8_t*>(::operator new(slab_bytes_, kSlabAlignment)));
  }
  return slot;
}

void StagedPages::InsertIntoTable(uint32_t entry_index) {
  for (size_t i = Home(entries_[entry_index].page_number);; i = (i + 1) & mask_) {
    if (table_[i] == 0) {
      table_[i] = entry_index + 1;
      return;
    }
  }
}

// Rebuilds the table in entries_ order (S2), so it is always the table that inserting
// entries_ in order gives (Clear relies on it).
void StagedPages::Rehash(size_t capacity) {
  table_.assign(capacity, 0);
  mask_ = capacity - 1;
  shift_ = 64;
  for (size_t c = capacity; c > 1; c >>= 1) shift_--;  // 64 - log2(capacity)
  for (uint32_t e = 0; e < entries_.size(); e++) InsertIntoTable(e);
}

void StagedPages::EraseFrom(uint32_t first) {
  size_t kept = 0;
  for (const Entry& e : entries_) {
    if (e.page_number < first) {
      entries_[kept++] = e;
    } else {
      free_slots_.push_back(e.slot);  // S3
    }
  }
  if (kept == entries_.size()) return;
  entries_.resize(kept);
  Rehash(table_.size());
}

void StagedPages::Clear() {
  if (table_.size() > kKeptTableSlots) {  // S4
    std::vector<uint32_t>().swap(table_);
    mask_ = 0;
    shift_ = 64;
  } else {
    // The table is what inserting entries_ in order gives (Rehash): removing them in reverse
    // order leaves, after each step, the table of the entries before it, so each probe
    // still finds its entry.
    for (size_t n = entries_.size(); n > 0; n--) {
      for (size_t i = Home(entries_[n - 1].page_number);; i = (i + 1) & mask_) {
        if (table_[i] == n) {
          table_[i] = 0;
          break;
        }
      }
    }
  }
  entries_.clear();
  free_slots_.clear();
  slot_count_ = 0;
  const size_t keep = std::max<size_t>(1, kKeptStagedBytes / slab_bytes_);
  if (slabs_.size() > keep) slabs_.resize(keep);  // S4
}

uint32_t StagedPages::max_page_number() const {
  uint32_t m = 0;
  for (const Entry& e : entries_) m = std::max(m, e.page_number);
  return m;
}

void StagedPages::Ascending(std::vector<std::pair<uint32_t, const uint8_t*>>* out) const {
  out->clear();
  out->reserve(entries_.size());
  for (const Entry& e : entries_) out->emplace_back(e.page_number, Bytes(e.slot));
  auto by_page = [](const std::pair<uint32_t, const uint8_t*>& a,
                    const std::pair<uint32_t, const uint8_t*>& b) { return a.first < b.first; };
  if (!std::is_sorted(out->begin(), out->end(), by_page)) {
    std::sort(out->begin(), out->end(), by_page);
  }
}

}  // namespace wal
}  // namespace pager
