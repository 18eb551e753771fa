// StagedPages: the bytes of the pages an open WAL transaction staged (WalPager W4), each in a
// buffer of the handle's PageBufferPool (impl/wal/page_buffers.h), with a flat page -> buffer
// table. Staging a page costs one copy into a buffer that already exists (the pool recycles
// the ones the page cache let go of), instead of a std::map node and a page-sized heap
// allocation freed again at every commit; a commit then moves the buffers into the page
// cache (TakeBuffer) instead of copying them (doc/performance.md, "Where a 1 MiB commit's time
// goes").
//
// Invariants:
//   S1. Each staged page has exactly one buffer of page_size bytes: staging a page that is
//       already staged overwrites its buffer in place. A buffer is never shared between two
//       pages, and its address is stable until Clear, EraseFrom or TakeBuffer.
//   S2. table_ is an open-addressing table with linear probing over entries_: a slot holds an
//       entry index + 1 (0 = empty); its capacity is a power of two and at least twice the
//       number of entries, so every probe ends at an empty slot. There is no single-page
//       erase (no tombstones); EraseFrom rebuilds the table, and the table is always the one
//       that inserting entries_ in order gives (Clear relies on it).
//   S3. A page whose buffer was taken (TakeBuffer, by a commit that wrote it) has no bytes
//       here any more: Find returns nullptr for it, Ascending skips it.
//   S4. Clear and EraseFrom give the buffers back to the pool (which keeps a bounded number,
//       B2), and Clear frees a table larger than kKeptTableSlots, so an idle handle holds a
//       bounded amount of memory whatever its largest transaction staged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "impl/wal/page_buffers.h"

namespace pager {
namespace wal {

// S4: table slots a cleared StagedPages keeps (a larger table is freed at Clear).
constexpr size_t kKeptTableSlots = size_t{1} << 16;

class StagedPages {
 public:
  explicit StagedPages(PageBufferPool* pool);
  StagedPages(const StagedPages&) = delete;
  StagedPages& operator=(const StagedPages&) = delete;

  // The buffer of page_number (page_size bytes), created when the page is not staged yet
  // (S1). The caller fills it.
  uint8_t* Stage(uint32_t page_number);
  // The staged bytes of page_number, or nullptr. Inline, and no probe when nothing is staged:
  // every read asks it first, and most reads come outside a transaction.
  const uint8_t* Find(uint32_t page_number) const {
    if (entries_.empty()) return nullptr;
    const Entry* e = FindEntry(page_number);
    return e == nullptr ? nullptr : e->bytes.get();  // S3: null once taken
  }
  // Moves the buffer of a staged page out (S3); null when the page is not staged.
  PageBuffer TakeBuffer(uint32_t page_number);
  // Drops every staged page >= first (a shrink of the open transaction).
  void EraseFrom(uint32_t first);
  // Drops every staged page; the buffers go back to the pool (S4).
  void Clear();

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // The largest staged page number (0 when empty).
  uint32_t max_page_number() const;
  // The staged pages with bytes (S3) in ascending page order.
  void Ascending(std::vector<std::pair<uint32_t, const uint8_t*>>* out) const;
  size_t table_slots() const { return table_.size(); }

 private:
  struct Entry {
    uint32_t page_number;
    PageBuffer bytes;  // null once taken (S3)
  };
  size_t Home(uint32_t page_number) const {
    // Fibonacci hashing, as FrameIndex: the top bits pick the slot.
    return static_cast<size_t>((uint64_t{page_number} * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  Entry* FindEntry(uint32_t page_number) const;
  void Rehash(size_t capacity);
  void InsertIntoTable(uint32_t entry_index);

  PageBufferPool* pool_;
  std::vector<Entry> entries_;   // in staging order
  std::vector<uint32_t> table_;  // S2: entry index + 1, 0 = empty
  size_t mask_ = 0;
  unsigned shift_ = 64;
};

}  // namespace wal
}  // namespace pager
