// PageCache: a bounded LRU cache of committed page contents, keyed by page number.
//
// Layout (flat, so a commit of 256 pages allocates nothing in steady state): the entries are
// nodes of one array, linked into the LRU list by index; each holds a buffer of the handle's
// PageBufferPool (impl/wal/page_buffers.h), so a commit hands its staged buffers over
// (Adopt) instead of copying them; the page -> node map is an open-addressing table with
// linear probing and backward-shift deletion.
//
// Invariants:
//   C1. At most capacity_pages entries; capacity 0 caches nothing.
//   C2. An entry holds exactly page_size bytes: the page's committed content (never staged
//       bytes). Whoever changes the committed content of a page updates or erases its entry.
//   C3. table_ holds node index + 1 for every entry (0 = empty slot), at the first slot at or
//       after its home slot such that no empty slot lies between (linear probing without
//       tombstones: Erase shifts the following entries back); its size is a power of two
//       >= 2 * capacity_pages, so every probe ends at an empty slot.
//   C4. Every node is either in the LRU list (head_ = most recently used) and holds a buffer,
//       or in free_ (erased, not reused yet) and holds none: its buffer went back to the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "impl/wal/page_buffers.h"

namespace pager {
namespace wal {

class PageCache {
 public:
  PageCache(PageBufferPool* pool, uint32_t capacity_pages);
  ~PageCache();
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  // Copies the page into dst (page_size bytes) and returns true on a hit.
  bool Get(uint32_t page_number, uint8_t* dst);
  // The cached bytes of the page (page_size bytes; valid until the next Put, Refresh, Erase or
  // EraseFrom), made the most recently used; nullptr on a miss.
  const uint8_t* Lookup(uint32_t page_number);
  // Inserts or replaces the page's content, evicting the least recently used page (whose
  // number and bytes go to the eviction hook first, if one is set).
  void Put(uint32_t page_number, const uint8_t* src);
  // As Put, with `buffer` (page_size bytes from the pool) as the page's content, taken over
  // without a copy. Returns the buffer the cache no longer needs (the page's old one, or the
  // evicted page's), null when none; `buffer` itself when the capacity is 0.
  PageBuffer Adopt(uint32_t page_number, PageBuffer buffer);
  // When the page is cached: swaps *buffer with its content in place (no eviction, the LRU
  // order unchanged; *buffer then holds the old bytes) and returns true. Else false.
  bool AdoptInPlace(uint32_t page_number, PageBuffer* buffer);
  void set_evict_hook(std::function<void(uint32_t, const uint8_t*)> hook) {
    evict_hook_ = std::move(hook);
  }
  void Erase(uint32_t page_number);
  // Erases every page with number >= first (after a shrink).
  void EraseFrom(uint32_t first);
  size_t size() const { return size_; }
  uint32_t capacity_pages() const { return capacity_pages_; }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Node {
    uint32_t page_number = 0;
    uint32_t prev = kNone;
    uint32_t next = kNone;
    PageBuffer bytes;
  };

  size_t Home(uint32_t page_number) const {
    return static_cast<size_t>((uint64_t{page_number} * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  // The table slot holding page_number, or SIZE_MAX.
  size_t FindSlot(uint32_t page_number) const;
  void EraseSlot(size_t slot);  // C3: backward shift
  void InsertSlot(uint32_t node);
  // A node for a page not cached (the evicted least recently used one when full, C1), in
  // the table and at the front; *evicted = its old buffer when it was evicted.
  uint32_t InsertNode(uint32_t page_number, PageBuffer* evicted);
  uint32_t NewNode();
  void Unlink(uint32_t node);
  void PushFront(uint32_t node);
  void MoveToFront(uint32_t node);
  void EraseNode(size_t slot);

  PageBufferPool* pool_;
  uint32_t page_size_;
  uint32_t capacity_pages_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> free_;   // C4
  std::vector<uint32_t> table_;  // C3: node + 1, 0 = empty
  size_t mask_ = 0;
  unsigned shift_ = 64;
  size_t size_ = 0;
  uint32_t head_ = kNone;  // most recently used
  uint32_t tail_ = kNone;  // least recently used
  std::function<void(uint32_t, const uint8_t*)> evict_hook_;
};

}  // namespace wal
}  // namespace pager
