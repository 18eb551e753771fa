// PageCache (C1-C4 in page_cache.h).
#include "impl/wal/page_cache.h"

#include <cstring>

namespace pager {
namespace wal {

PageCache::PageCache(PageBufferPool* pool, uint32_t capacity_pages)
    : pool_(pool), page_size_(pool->page_size()), capacity_pages_(capacity_pages) {
  if (capacity_pages_ == 0) return;
  size_t slots = 16;
  while (slots < 2 * size_t{capacity_pages_}) slots *= 2;  // C3
  table_.assign(slots, 0);
  mask_ = slots - 1;
  shift_ = 64;
  for (size_t c = slots; c > 1; c >>= 1) shift_--;  // 64 - log2(slots)
}

PageCache::~PageCache() = default;

size_t PageCache::FindSlot(uint32_t page_number) const {
  if (size_ == 0) return SIZE_MAX;
  for (size_t i = Home(page_number);; i = (i + 1) & mask_) {
    const uint32_t n = table_[i];
    if (n == 0) return SIZE_MAX;  // C3
    if (nodes_[n - 1].page_number == page_number) return i;
  }
}

void PageCache::InsertSlot(uint32_t node) {
  for (size_t i = Home(nodes_[node].page_number);; i = (i + 1) & mask_) {
    if (table_[i] == 0) {
      table_[i] = node + 1;
      return;
    }
  }
}

// C3: empties `slot` and moves back every later entry of the run whose home slot does not lie
// cyclically in (slot, its position], so no probe meets a hole before its entry.
void PageCache::EraseSlot(size_t slot) {
  size_t hole = slot;
  for (size_t j = (hole + 1) & mask_; table_[j] != 0; j = (j + 1) & mask_) {
    const size_t home = Home(nodes_[table_[j] - 1].page_number);
    const bool stays = (hole <= j) ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!stays) {
      table_[hole] = table_[j];
      hole = j;
    }
  }
  table_[hole] = 0;
}

uint32_t PageCache::NewNode() {
  if (!free_.empty()) {  // C4
    uint32_t n = free_.back();
    free_.pop_back();
    return n;
  }
  nodes_.emplace_back();
  return static_cast<uint32_t>(nodes_.size() - 1);
}

void PageCache::Unlink(uint32_t node) {
  Node& x = nodes_[node];
  if (x.prev != kNone) nodes_[x.prev].next = x.next; else head_ = x.next;
  if (x.next != kNone) nodes_[x.next].prev = x.prev; else tail_ = x.prev;
  x.prev = x.next = kNone;
}

void PageCache::PushFront(uint32_t node) {
  Node& x = nodes_[node];
  x.prev = kNone;
  x.next = head_;
  if (head_ != kNone) nodes_[head_].prev = node; else tail_ = node;
  head_ = node;
}

void PageCache::MoveToFront(uint32_t node) {
  if (head_ == node) return;
  Unlink(node);
  PushFront(node);
}

const uint8_t* PageCache::Lookup(uint32_t page_number) {
  const size_t slot = FindSlot(page_number);
  if (slot == SIZE_MAX) return nullptr;
  const uint32_t node = table_[slot] - 1;
  MoveToFront(node);
  return nodes_[node].bytes.get();
}

bool PageCache::Get(uint32_t page_number, uint8_t* dst) {
  const uint8_t* bytes = Lookup(page_number);
  if (bytes == nullptr) return false;
  std::memcpy(dst, bytes, page_size_);
  return true;
}

bool PageCache::AdoptInPlace(uint32_t page_number, PageBuffer* buffer) {
  const size_t slot = FindSlot(page_number);
  if (slot == SIZE_MAX) return false;
  std::swap(nodes_[table_[slot] - 1].bytes, *buffer);
  return true;
}

uint32_t PageCache::InsertNode(uint32_t page_number, PageBuffer* evicted) {
  uint32_t node;
  if (size_ >= capacity_pages_) {  // C1: reuse the least recently used entry
    node = tail_;
    if (evict_hook_) evict_hook_(nodes_[node].page_number, nodes_[node].bytes.get());
    EraseSlot(FindSlot(nodes_[node].page_number));
    Unlink(node);
    *evicted = std::move(nodes_[node].bytes);
  } else {
    node = NewNode();
    size_++;
  }
  nodes_[node].page_number = page_number;
  InsertSlot(node);
  PushFront(node);
  return node;
}

void PageCache::Put(uint32_t page_number, const uint8_t* src) {
  if (capacity_pages_ == 0) return;
  const size_t slot = FindSlot(page_number);
  uint32_t node;
  if (slot != SIZE_MAX) {
    node = table_[slot] - 1;
    MoveToFront(node);
  } else {
    PageBuffer evicted;
    node = InsertNode(page_number, &evicted);
    nodes_[node].bytes = evicted != nullptr ? std::move(evicted) : pool_->Take();
  }
  std::memcpy(nodes_[node].bytes.get(), src, page_size_);
}

PageBuffer PageCache::Adopt(uint32_t page_number, PageBuffer buffer) {
  if (capacity_pages_ == 0) return buffer;
  const size_t slot = FindSlot(page_number);
  PageBuffer displaced;
  uint32_t node;
  if (slot != SIZE_MAX) {
    node = table_[slot] - 1;
    MoveToFront(node);
    displaced = std::move(nodes_[node].bytes);
  } else {
    node = InsertNode(page_number, &displaced);
  }
  nodes_[node].bytes = std::move(buffer);
  return displaced;
}

void PageCache::EraseNode(size_t slot) {
  const uint32_t node = table_[slot] - 1;
  EraseSlot(slot);
  Unlink(node);
  pool_->Give(std::move(nodes_[node].bytes));
  free_.push_back(node);  // C4
  size_--;
}

void PageCache::Erase(uint32_t page_number) {
  const size_t slot = FindSlot(page_number);
  if (slot != SIZE_MAX) EraseNode(slot);
}

void PageCache::EraseFrom(uint32_t first) {
  for (uint32_t node = head_; node != kNone;) {
    const uint32_t next = nodes_[node].next;
    if (nodes_[node].page_number >= first) EraseNode(FindSlot(nodes_[node].page_number));
    node = next;
  }
}

}  // namespace wal
}  // namespace pager
