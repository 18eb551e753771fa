// PageBufferPool: page-sized heap buffers handed between the staging area and the page cache
// of one WalPager, so that a commit moves each staged page's buffer into the cache instead of
// copying its bytes, and the buffer the cache lets go of stages the next transaction's page.
//
// Invariants:
//   B1. Every buffer is page_size bytes, 64-byte aligned, owned by exactly one PageBuffer
//       (a staged page, a cache entry, or this pool's free list).
//   B2. The free list holds at most max_free buffers: Give frees any beyond, so an idle handle
//       keeps a bounded amount of memory whatever its largest transaction staged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace pager {
namespace wal {

struct PageBufferFree {
  void operator()(uint8_t* p) const;
};
using PageBuffer = std::unique_ptr<uint8_t, PageBufferFree>;

// B2: bytes of free buffers a pool keeps (at least one buffer).
constexpr size_t kKeptFreeBufferBytes = size_t{4} << 20;

class PageBufferPool {
 public:
  explicit PageBufferPool(uint32_t page_size);
  PageBufferPool(const PageBufferPool&) = delete;
  PageBufferPool& operator=(const PageBufferPool&) = delete;

  // A buffer of page_size bytes (contents unspecified): a free one, else a new one.
  PageBuffer Take();
  // Returns a buffer (null is ignored); freed when the free list is full (B2).
  void Give(PageBuffer buffer);
  uint32_t page_size() const { return page_size_; }
  size_t free_count() const { return free_.size(); }
  size_t max_free() const { return max_free_; }

 private:
  uint32_t page_size_;
  size_t max_free_;
  std::vector<PageBuffer> free_;
};

}  // namespace wal
}  // namespace pager
