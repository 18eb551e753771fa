// PageCache: a bounded LRU cache of committed page contents, keyed by page number.
//
// Invariants:
//   C1. At most capacity_pages entries; capacity 0 caches nothing.
//   C2. An entry holds exactly page_size bytes: the page's committed content (never staged
//       bytes). Whoever changes the committed content of a page updates or erases its entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <unordered_map>
#include <vector>

namespace pager {
namespace wal {

class PageCache {
 public:
  PageCache(uint32_t page_size, uint32_t capacity_pages)
      : page_size_(page_size), capacity_pages_(capacity_pages) {}

  // Copies the page into dst (page_size bytes) and returns true on a hit.
  bool Get(uint32_t page_number, uint8_t* dst);
  // Inserts or replaces the page's content, evicting the least recently used page (whose
  // number and bytes go to the eviction hook first, if one is set).
  void Put(uint32_t page_number, const uint8_t* src);
  void set_evict_hook(std::function<void(uint32_t, const uint8_t*)> hook) {
    evict_hook_ = std::move(hook);
  }
  void Erase(uint32_t page_number);
  // Erases every page with number >= first (after a shrink).
  void EraseFrom(uint32_t first);
  size_t size() const { return map_.size(); }
  uint32_t capacity_pages() const { return capacity_pages_; }

 private:
  struct Entry {
    uint32_t page_number;
    std::vector<uint8_t> bytes;
  };
  uint32_t page_size_;
  uint32_t capacity_pages_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<uint32_t, std::list<Entry>::iterator> map_;
  std::function<void(uint32_t, const uint8_t*)> evict_hook_;
};

}  // namespace wal
}  // namespace pager
