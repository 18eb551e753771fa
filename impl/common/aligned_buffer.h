// AlignedBuffer: a reusable heap buffer whose address is a multiple of kAlignBytes (4096),
// as O_DIRECT writes need (io E8, D1). Grows on demand; its bytes are uninitialized.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "impl/common/status.h"

namespace pager {

class AlignedBuffer {
 public:
  static constexpr size_t kAlignBytes = 4096;

  AlignedBuffer() = default;
  ~AlignedBuffer() { std::free(data_); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  // At least len bytes from data() on (their contents are lost when it grows); kNoMem if the
  // allocation fails, leaving the buffer as it was.
  Status Reserve(size_t len) {
    if (len <= capacity_) return Status::Ok();
    const size_t rounded = (len + kAlignBytes - 1) / kAlignBytes * kAlignBytes;
    void* p = nullptr;
    if (rounded < len || posix_memalign(&p, kAlignBytes, rounded) != 0) {
      return Status(Code::kNoMem, "aligned buffer of " + std::to_string(len) + " bytes");
    }
    std::free(data_);
    data_ = static_cast<uint8_t*>(p);
    capacity_ = rounded;
    return Status::Ok();
  }
  // Gives the memory back once it holds more than keep_bytes (after a huge batch).
  void ReleaseIfAbove(size_t keep_bytes) {
    if (capacity_ <= keep_bytes) return;
    std::free(data_);
    data_ = nullptr;
    capacity_ = 0;
  }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t capacity() const { return capacity_; }

 private:
  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace pager
