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
//   I4. While dense_ != kNone, a page-indexed array mirrors the table: word p is frame + 1 for
//       every key p (0: not a key; pages past its end are not keys). Lookup reads it -- one
//       word, where the table's 16-byte entries are scattered (a random WAL-frame read missed
//       L2 on its table line: 1.07-1.10x the copy alone, the dense word 0.97-1.01x;
//       doc/performance.md). It never costs more memory than the table: it is kept only while
//       every key is below kDensePagesPerSlot * capacity and every frame below UINT32_MAX; a
//       Set past that drops it, and the next Rehash or clear builds it again when the keys fit.
//   I5. The dense words are 2 bytes (kNarrow, narrow_) while every frame is below
//       kNarrowFrameLimit, else 4 bytes (kWide, wide_); the first Set of a larger frame widens
//       the array (every word copied), and only a clear or Rehash narrows it again. Only the
//       array of the current width holds entries. Why: a random read misses the cache on its
//       word whenever the array's line was evicted since that page's last read; 32 pages per
//       line instead of 16 halve the lines the reads spread over (a plain WAL-frame read on a
//       read-only handle 1.23x -> 1.16x its memcpy; doc/performance.md, "Cached WAL-frame reads
//       measured apart"). WALs below 65,535 frames (256 MiB of 4 KiB pages; the default
//       auto-checkpoint runs at 8,192) stay narrow.
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
  // I5: frames below this fit a 2-byte dense word (frame + 1 <= UINT16_MAX).
  static constexpr uint64_t kNarrowFrameLimit = UINT16_MAX;
  enum class Dense : uint8_t { kNone, kNarrow, kWide };  // I4, I5
  Dense dense_state() const { return dense_; }  // for tests

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
    if (dense_ == Dense::kNarrow) return DenseWord(narrow_, page_number, frame);
    if (dense_ == Dense::kWide) return DenseWord(wide_, page_number, frame);
    const uint64_t* f = Find(page_number);
    if (f != nullptr) *frame = *f;
    return f != nullptr;
  }
  // Maps page_number (> 0) to frame, inserting it when missing.
  void Set(uint32_t page_number, uint64_t frame);
  // Erases every page >= first (a shrink).
  void EraseFrom(uint32_t first);
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
  void ClearDense(Dense state);
  void Widen();  // I5
  template <typename Word>
  static bool DenseWord(const std::vector<Word>& words, uint32_t page_number, uint64_t* frame) {
    if (page_number >= words.size() || words[page_number] == 0) return false;
    *frame = uint64_t{words[page_number]} - 1;
    return true;
  }
  template <typename Word>
  static void SetWord(std::vector<Word>* words, uint32_t page_number, uint64_t frame) {
    if (page_number >= words->size()) words->resize(size_t{page_number} + 1, 0);
    (*words)[page_number] = static_cast<Word>(frame + 1);
  }

  // I4: pages per table slot the dense array may cover (at most 4 bytes a page, 16 a slot).
  static constexpr size_t kDensePagesPerSlot = 4;
  std::vector<Entry> slots_;
  Dense dense_ = Dense::kNarrow;  // I4, I5: which array mirrors the table
  std::vector<uint16_t> narrow_;  // I5
  std::vector<uint32_t> wide_;    // I5
  size_t mask_ = 0;
  unsigned shift_ = 64;
  size_t size_ = 0;
};

}  // namespace wal
}  // namespace pager
