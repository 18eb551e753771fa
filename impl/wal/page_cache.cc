#include "impl/wal/page_cache.h"

#include <cstring>

namespace pager {
namespace wal {

bool PageCache::Get(uint32_t page_number, uint8_t* dst) {
  auto it = map_.find(page_number);
  if (it == map_.end()) return false;
  lru_.splice(lru_.begin(), lru_, it->second);
  std::memcpy(dst, it->second->bytes.data(), page_size_);
  return true;
}

void PageCache::Put(uint32_t page_number, const uint8_t* src) {
  if (capacity_pages_ == 0) return;
  auto it = map_.find(page_number);
  if (it != map_.end()) {
    std::memcpy(it->second->bytes.data(), src, page_size_);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (map_.size() >= capacity_pages_) {
    // Reuse the evicted entry's buffer (C1).
    auto last = std::prev(lru_.end());
    if (evict_hook_) evict_hook_(last->page_number, last->bytes.data());
    map_.erase(last->page_number);
    last->page_number = page_number;
    std::memcpy(last->bytes.data(), src, page_size_);
    lru_.splice(lru_.begin(), lru_, last);
    map_[page_number] = lru_.begin();
    return;
  }
  lru_.push_front(Entry{page_number, std::vector<uint8_t>(src, src + page_size_)});
  map_[page_number] = lru_.begin();
}

void PageCache::Erase(uint32_t page_number) {
  auto it = map_.find(page_number);
  if (it == map_.end()) return;
  lru_.erase(it->second);
  map_.erase(it);
}

void PageCache::EraseFrom(uint32_t first) {
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->page_number >= first) {
      map_.erase(it->page_number);
      it = lru_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace wal
}  // namespace pager
