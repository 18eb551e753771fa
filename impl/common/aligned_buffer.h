// AlignedBuffer: a reusable buffer whose address is a multiple of kAlignBytes (4096), as
// O_DIRECT writes need (io E8, D1). Grows on demand; its bytes are uninitialized. Used for
// the page journal's batches and the WAL checkpoint's copy spans.
//
// A buffer of at least kHugeFromBytes is its own anonymous mapping, aligned to 2 MiB and
// advised MADV_HUGEPAGE: where transparent huge pages are available (the "madvise" or
// "always" setting) a 1 MiB journal batch is then one huge page, and the kernel pins it for a
// direct write as one folio instead of 256 pages (measured: the journal's io_submit CPU of a
// 256-page commit 13.5% -> 8.7% of the commit's samples, the median commit 470-520 us -> 370-
// 410 us; doc/file.md). Fresh memory from mmap, not the heap, so the advice finds no pages
// already mapped small. Where huge pages are off, it is an ordinary mapping.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "impl/common/status.h"

namespace pager {

class AlignedBuffer {
 public:
  static constexpr size_t kAlignBytes = 4096;
  static constexpr size_t kHugeFromBytes = size_t{1} << 20;
  static constexpr size_t kHugeAlignBytes = size_t{2} << 20;

  AlignedBuffer() = default;
  ~AlignedBuffer() { Free(); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  // At least len bytes from data() on (their contents are lost when it grows); kNoMem if the
  // allocation fails, leaving the buffer as it was.
  Status Reserve(size_t len) {
    if (len <= capacity_) return Status::Ok();
    const bool huge = len >= kHugeFromBytes;
    const size_t align = huge ? kHugeAlignBytes : kAlignBytes;
    const size_t rounded = (len + align - 1) / align * align;
    void* p = nullptr;
    const bool got = rounded >= len && (huge ? MapHuge(rounded, &p)
                                             : posix_memalign(&p, align, rounded) == 0);
    if (!got) return Status(Code::kNoMem, "aligned buffer of " + std::to_string(len) + " bytes");
    Free();
    data_ = static_cast<uint8_t*>(p);
    capacity_ = rounded;
    mapped_ = huge;
    return Status::Ok();
  }
  // Gives the memory back once it holds more than keep_bytes (after a huge batch).
  void ReleaseIfAbove(size_t keep_bytes) {
    if (capacity_ > keep_bytes) Free();
  }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t capacity() const { return capacity_; }

 private:
  // len (a multiple of kHugeAlignBytes) bytes at a kHugeAlignBytes boundary: a mapping of
  // len + one alignment, its unaligned head and tail unmapped.
  static bool MapHuge(size_t len, void** out) {
    const size_t span = len + kHugeAlignBytes;
    if (span < len) return false;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return false;
    const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t aligned = (start + kHugeAlignBytes - 1) & ~uintptr_t{kHugeAlignBytes - 1};
    if (aligned > start) munmap(raw, aligned - start);
    const size_t tail = (start + span) - (aligned + len);
    if (tail > 0) munmap(reinterpret_cast<void*>(aligned + len), tail);
    (void)madvise(reinterpret_cast<void*>(aligned), len, MADV_HUGEPAGE);  // a hint only
    *out = reinterpret_cast<void*>(aligned);
    return true;
  }

  void Free() {
    if (mapped_) {
      munmap(data_, capacity_);
    } else {
      std::free(data_);
    }
    data_ = nullptr;
    capacity_ = 0;
    mapped_ = false;
  }

  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
  bool mapped_ = false;  // from MapHuge (munmap), else posix_memalign (free)
};

}  // namespace pager
