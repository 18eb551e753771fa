// FrameIndex: page number -> the WAL frame holding its latest committed content (W2), the
// lookup every committed read of the latest commit makes (LocateLatest, W22). An open-
// addressing table with linear probing in one flat array, so a lookup of a random page costs
// one cache line instead of std::unordered_map's bucket and node (two dependent misses: it
// was ~40 ns of a ~100 ns random WAL-frame read).
//
// Invariants:
//   I1. Page 0 is never a key (W1: it is the library's header); a slot whose key is 0 is empty,
//       so a zeroed array is an empty table.
//   I2. The capacity is a power of two and at least twice the number of keys (load <= 1/2):
//       every probe sequence ends at an empty slot.
//   I3. There is no single-key erase, so no tombstones: a key is found by probing from its
//       home slot to the first empty one. EraseFrom rebuilds the table, clear zeroes it.
//   I4. While dense_ok_, dense_ mirrors the table as a page-indexed array: dense_[p] is
//       frame + 1 for every key p (0: not a key; pages past its end are not keys). Lookup
//       reads it -- one 4-byte word, so 16 pages share a cache line, where the table's 16-byte
//       entries are scattered (a random WAL-frame read missed L2 on its table line: 1.07-1.10x
//       the copy alone, the dense word 0.97-1.01x; doc/performance.md). It never costs more
//       memory than the table: it is kept only while every key is below
//       kDensePagesPerSlot * capacity and every frame below UINT32_MAX; a Set past that drops it,
//       and the next Rehash or clear builds it again when the keys fit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace pager {
namespace wal {

class FrameIndex {
 public:
  using Entry = std::pair<uint32_t, uint64_t>;  // (page number, frame); page 0 = empty (I1)

  // The frame of page_number, or nullptr.
  const uint64_t* Find(uint32_t page_number) const {
    if (size_ == 0) return nullptr;
    for (size_t i = Home(page_number);; i = (i + 1) & mask_) {
      const Entry& e = slots_[i];
      if (e.first == page_number) return &e.second;
      if (e.first == 0) return nullptr;  // I2, I3
    }
  }
  // The frame of page_number (I4: the dense array when kept, else the table). Inline: every
  // read of the latest commit calls it.
  bool Lookup(uint32_t page_number, uint64_t* frame) const {
    if (dense_ok_) {
      if (page_number >= dense_.size() || dense_[page_number] == 0) return false;
      *frame = dense_[page_number] - 1;
      return true;
    }
    const uint64_t* f = Find(page_number);
    if (f != nullptr) *frame = *f;
    return f != nullptr;
  }
  // Maps page_number (> 0) to frame, inserting it when missing.
  void Set(uint32_t page_number, uint64_t frame);
  // Erases every page >= first (a shrink).
  void EraseFrom(uint32_t first) {
    EraseIf([first](uint32_t page_number) { return page_number >= first; });
  }
  // Erases every page for which drop(page_number) is true (I3: one rebuild of the table).
  template <typename Drop>
  void EraseIf(Drop drop) {
    std::vector<Entry> kept;
    kept.reserve(size_);
    for (const Entry& e : *this) {
      if (!drop(e.first)) kept.push_back(e);
    }
    if (kept.size() == size_) return;
    clear();
    for (const Entry& e : kept) Set(e.first, e.second);
  }
  void clear();
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Iteration over the entries, in no particular order.
  class const_iterator {
   public:
    const Entry& operator*() const { return *p_; }
    const Entry* operator->() const { return p_; }
    const_iterator& operator++() {
      ++p_;
      Skip();
      return *this;
    }
    bool operator!=(const const_iterator& o) const { return p_ != o.p_; }
    bool operator==(const const_iterator& o) const { return p_ == o.p_; }

   private:
    friend class FrameIndex;
    const_iterator(const Entry* p, const Entry* end) : p_(p), end_(end) { Skip(); }
    void Skip() {
      while (p_ != end_ && p_->first == 0) ++p_;
    }
    const Entry* p_;
    const Entry* end_;
  };
  const_iterator begin() const {
    return const_iterator(slots_.data(), slots_.data() + slots_.size());
  }
  const_iterator end() const {
    return const_iterator(slots_.data() + slots_.size(), slots_.data() + slots_.size());
  }

 private:
  static constexpr size_t kMinCapacity = 16;
  size_t Home(uint32_t page_number) const {
    // Fibonacci hashing: adjacent pages land far apart, the top bits pick the slot.
    return static_cast<size_t>((uint64_t{page_number} * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Rehash(size_t capacity);
  uint64_t& Slot(uint32_t page_number);  // the table's entry, inserted as 0 when missing
  void SetDense(uint32_t page_number, uint64_t frame);
  void BuildDense();

  // I4: pages per table slot the dense array may cover (4 bytes a page, 16 a slot).
  static constexpr size_t kDensePagesPerSlot = 4;
  std::vector<Entry> slots_;
  std::vector<uint32_t> dense_;  // I4
  bool dense_ok_ = true;
  size_t mask_ = 0;
  unsigned shift_ = 64;
  size_t size_ = 0;
};

}  // namespace wal
}  // namespace pager
