// StagedPages: the bytes of the pages an open WAL transaction staged (WalPager W4), kept in
// page-aligned slabs that are reused from one transaction to the next, with a flat
// page -> buffer table. Staging a page costs one copy into a buffer that already exists,
// instead of a std::map node and a page-sized heap allocation, freed again at every commit
// (measured: ~35 us of a 256-page commit's ~285 us; doc/performance.md, "Where a 1 MiB
// commit's time goes").
//
// Invariants:
//   S1. Each staged page has exactly one buffer of page_size bytes: staging a page that is
//       already staged overwrites its buffer in place. A buffer is never shared between two
//       pages, and its address is stable until Clear or EraseFrom (slabs never move).
//   S2. table_ is an open-addressing table with linear probing over entries_: a slot holds an
//       entry index + 1 (0 = empty); its capacity is a power of two and at least twice the
//       number of entries, so every probe ends at an empty slot. There is no single-page
//       erase (no tombstones); EraseFrom rebuilds the table.
//   S3. A buffer index below slot_count_ is either in an entry or in free_slots_ (a page
//       dropped by EraseFrom); a buffer index at or past slot_count_ was never handed out
//       since the last Clear.
//   S4. Clear keeps at most kKeptStagedBytes of slabs (at least one slab), so an idle handle
//       holds a bounded amount of memory whatever its largest transaction staged, and a
//       table at most kKeptTableSlots slots large.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace pager {
namespace wal {

// S4: slab bytes a cleared StagedPages keeps for the next transaction.
constexpr size_t kKeptStagedBytes = size_t{4} << 20;
// S4: table slots a cleared StagedPages keeps (a larger table is freed at Clear).
constexpr size_t kKeptTableSlots = size_t{1} << 16;

class StagedPages {
 public:
  struct Entry {
    uint32_t page_number;
    uint32_t slot;  // buffer index
  };

  explicit StagedPages(uint32_t page_size);
  ~StagedPages();
  StagedPages(const StagedPages&) = delete;
  StagedPages& operator=(const StagedPages&) = delete;

  // The buffer of page_number (page_size bytes), created when the page is not staged yet
  // (S1). The caller fills it.
  uint8_t* Stage(uint32_t page_number);
  // The staged bytes of page_number, or nullptr.
  const uint8_t* Find(uint32_t page_number) const;
  // Drops every staged page >= first (a shrink of the open transaction).
  void EraseFrom(uint32_t first);
  // Drops every staged page; keeps buffers for the next transaction (S4).
  void Clear();

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // The largest staged page number (0 when empty).
  uint32_t max_page_number() const;
  // The staged pages in ascending page order, with their bytes.
  void Ascending(std::vector<std::pair<uint32_t, const uint8_t*>>* out) const;
  const uint8_t* Bytes(uint32_t slot) const;
  // Bytes held in slabs now (for the S4 test).
  size_t slab_bytes() const { return slabs_.size() * slab_bytes_; }

 private:
  struct SlabFree {
    void operator()(uint8_t* p) const;
  };
  using Slab = std::unique_ptr<uint8_t, SlabFree>;

  size_t Home(uint32_t page_number) const {
    // Fibonacci hashing, as FrameIndex: the top bits pick the slot.
    return static_cast<size_t>((uint64_t{page_number} * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  uint32_t NewSlot();
  void Rehash(size_t capacity);
  void InsertIntoTable(uint32_t entry_index);

  uint32_t page_size_;
  size_t slab_bytes_;
  uint32_t pages_per_slab_;
  std::vector<Slab> slabs_;
  std::vector<Entry> entries_;      // in staging order
  std::vector<uint32_t> table_;     // S2: entry index + 1, 0 = empty
  size_t mask_ = 0;
  unsigned shift_ = 64;
  uint32_t slot_count_ = 0;         // S3
  std::vector<uint32_t> free_slots_;  // S3
};

}  // namespace wal
}  // namespace pager
