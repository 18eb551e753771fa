// StagedPages (S1-S4 in staged_pages.h).
#include "impl/wal/staged_pages.h"

#include <algorithm>

namespace pager {
namespace wal {

namespace {
constexpr size_t kMinTableSlots = 16;
}  // namespace

StagedPages::StagedPages(PageBufferPool* pool) : pool_(pool) {}

StagedPages::Entry* StagedPages::FindEntry(uint32_t page_number) const {
  if (entries_.empty()) return nullptr;
  for (size_t i = Home(page_number);; i = (i + 1) & mask_) {
    const uint32_t e = table_[i];
    if (e == 0) return nullptr;  // S2
    if (entries_[e - 1].page_number == page_number) {
      return const_cast<Entry*>(&entries_[e - 1]);
    }
  }
}

uint8_t* StagedPages::Stage(uint32_t page_number) {
  Entry* e = FindEntry(page_number);
  if (e != nullptr) {
    if (e->bytes == nullptr) e->bytes = pool_->Take();  // restaged after TakeBuffer
    return e->bytes.get();  // S1: in place
  }
  if (2 * (entries_.size() + 1) > table_.size()) {
    Rehash(table_.empty() ? kMinTableSlots : 2 * table_.size());  // S2
  }
  entries_.push_back(Entry{page_number, pool_->Take()});
  InsertIntoTable(static_cast<uint32_t>(entries_.size() - 1));
  return entries_.back().bytes.get();
}

PageBuffer StagedPages::TakeBuffer(uint32_t page_number) {
  Entry* e = FindEntry(page_number);
  return e == nullptr ? PageBuffer() : std::move(e->bytes);
}

void StagedPages::InsertIntoTable(uint32_t entry_index) {
  for (size_t i = Home(entries_[entry_index].page_number);; i = (i + 1) & mask_) {
    if (table_[i] == 0) {
      table_[i] = entry_index + 1;
      return;
    }
  }
}

void StagedPages::Rehash(size_t capacity) {
  table_.assign(capacity, 0);
  mask_ = capacity - 1;
  shift_ = 64;
  for (size_t c = capacity; c > 1; c >>= 1) shift_--;  // 64 - log2(capacity)
  for (uint32_t e = 0; e < entries_.size(); e++) InsertIntoTable(e);
}

void StagedPages::EraseFrom(uint32_t first) {
  size_t kept = 0;
  for (Entry& e : entries_) {
    if (e.page_number < first) {
      if (&entries_[kept] != &e) entries_[kept] = std::move(e);
      kept++;
    } else {
      pool_->Give(std::move(e.bytes));  // S4
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
    // S2: removing the entries in reverse order leaves, after each step, the table of the
    // entries before it, so each probe still finds its entry.
    for (size_t n = entries_.size(); n > 0; n--) {
      for (size_t i = Home(entries_[n - 1].page_number);; i = (i + 1) & mask_) {
        if (table_[i] == n) {
          table_[i] = 0;
          break;
        }
      }
    }
  }
  for (Entry& e : entries_) pool_->Give(std::move(e.bytes));  // S4
  entries_.clear();
}

uint32_t StagedPages::max_page_number() const {
  uint32_t m = 0;
  for (const Entry& e : entries_) m = std::max(m, e.page_number);
  return m;
}

void StagedPages::Ascending(std::vector<std::pair<uint32_t, const uint8_t*>>* out) const {
  out->clear();
  out->reserve(entries_.size());
  for (const Entry& e : entries_) {
    if (e.bytes != nullptr) out->emplace_back(e.page_number, e.bytes.get());  // S3
  }
  auto by_page = [](const std::pair<uint32_t, const uint8_t*>& a,
                    const std::pair<uint32_t, const uint8_t*>& b) { return a.first < b.first; };
  if (!std::is_sorted(out->begin(), out->end(), by_page)) {
    std::sort(out->begin(), out->end(), by_page);
  }
}

}  // namespace wal
}  // namespace pager
