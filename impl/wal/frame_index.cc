// FrameIndex (I1-I3 in frame_index.h).
#include "impl/wal/frame_index.h"

#include <algorithm>
#include <cassert>

namespace pager {
namespace wal {

void FrameIndex::Set(uint32_t page_number, uint64_t frame) {
  Slot(page_number) = frame;
  if (dense_ok_) SetDense(page_number, frame);
}

// I4: the dense word of one key, or the dense array dropped when the key or frame does not
// fit it.
void FrameIndex::SetDense(uint32_t page_number, uint64_t frame) {
  if (frame >= UINT32_MAX || page_number >= kDensePagesPerSlot * slots_.size()) {
    dense_ok_ = false;
    std::vector<uint32_t>().swap(dense_);
    return;
  }
  if (page_number >= dense_.size()) dense_.resize(size_t{page_number} + 1, 0);
  dense_[page_number] = static_cast<uint32_t>(frame + 1);
}

// I4: the dense array from the table, when every key and frame fits.
void FrameIndex::BuildDense() {
  dense_ok_ = true;
  dense_.assign(0, 0);
  for (const Entry& e : *this) {
    SetDense(e.first, e.second);
    if (!dense_ok_) return;
  }
}

uint64_t& FrameIndex::Slot(uint32_t page_number) {
  assert(page_number != 0);  // I1
  if (2 * (size_ + 1) > slots_.size()) Rehash(slots_.empty() ? kMinCapacity : 2 * slots_.size());
  for (size_t i = Home(page_number);; i = (i + 1) & mask_) {
    Entry& e = slots_[i];
    if (e.first == page_number) return e.second;
    if (e.first == 0) {
      e.first = page_number;
      e.second = 0;
      size_++;
      return e.second;
    }
  }
}

// Keeps the capacity (the next WAL generation usually indexes as many pages).
void FrameIndex::clear() {
  std::fill(slots_.begin(), slots_.end(), Entry(0, 0));
  size_ = 0;
  dense_ok_ = true;  // I4: nothing to mirror
  dense_.assign(0, 0);
}

void FrameIndex::Rehash(size_t capacity) {
  std::vector<Entry> old;
  old.swap(slots_);
  slots_.assign(capacity, Entry(0, 0));
  mask_ = capacity - 1;
  shift_ = 64;
  for (size_t c = capacity; c > 1; c >>= 1) shift_--;  // 64 - log2(capacity)
  size_ = 0;
  for (const Entry& e : old) {
    if (e.first != 0) Slot(e.first) = e.second;
  }
  BuildDense();  // I4: a larger table may cover pages the old one could not
}

}  // namespace wal
}  // namespace pager
