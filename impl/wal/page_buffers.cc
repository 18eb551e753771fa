// PageBufferPool (B1-B2 in page_buffers.h).
#include "impl/wal/page_buffers.h"

#include <algorithm>
#include <new>

namespace pager {
namespace wal {

namespace {
constexpr std::align_val_t kBufferAlignment{64};  // B1
}  // namespace

void PageBufferFree::operator()(uint8_t* p) const { ::operator delete(p, kBufferAlignment); }

PageBufferPool::PageBufferPool(uint32_t page_size)
    : page_size_(page_size), max_free_(std::max<size_t>(1, kKeptFreeBufferBytes / page_size)) {}

PageBuffer PageBufferPool::Take() {
  if (!free_.empty()) {
    PageBuffer b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  return PageBuffer(static_cast<uint8_t*>(::operator new(page_size_, kBufferAlignment)));
}

void PageBufferPool::Give(PageBuffer buffer) {
  if (buffer == nullptr || free_.size() >= max_free_) return;  // B2: freed here
  free_.push_back(std::move(buffer));
}

}  // namespace wal
}  // namespace pager
