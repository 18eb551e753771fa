// ReadMap: a read-only shared mapping of a file the WAL pager reads through (the main file's
// pages, W22; the WAL's frame bodies for pinned views, W23), grown lazily as the file grows.
//
// Invariants:
//   M1. A pointer At() returned stays valid until Reset() or destruction, whatever remaps
//       happen meanwhile: growing inside the reservation keeps the address (io E4); growing
//       past it maps a new, larger reservation and retires the old one, which stays mapped.
//   M2. The mapped prefix never extends past the file's size when it was mapped; At()
//       returns nullptr (the caller preads) for bytes past the file's end or when the Env
//       cannot map, so the mapping is only ever a faster path to the same bytes.
//   M3. Callers ask only for bytes the file holds while they use them: main pages below
//       main_valid_count (W11) and WAL frames below frame_count (L1, L4). The library never
//       truncates the file below those; a truncation from outside does, and an access to a
//       page it cut raises SIGBUS (doc/wal-pager.md, "Reads").
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "impl/io/env.h"

namespace pager {
namespace wal {

class ReadMap {
 public:
  // The smallest address range reserved (the mapping grows inside it without moving).
  static constexpr uint64_t kMinReserveBytes = uint64_t{64} << 20;

  // A pointer to bytes [offset, offset + len) of file, mapping more of it when needed, or
  // nullptr (M2). Not thread-safe: the WalPager calls it under its mutex.
  const uint8_t* At(io::File* file, uint64_t offset, uint64_t len) {
    if (map_ != nullptr && offset + len <= map_->mapped_len()) return map_->data() + offset;
    return Grow(file, offset, len);
  }
  // Unmaps everything (M1 ends): the file is being closed (W17).
  void Reset();
  uint64_t mapped_len() const { return map_ ? map_->mapped_len() : 0; }

 private:
  const uint8_t* Grow(io::File* file, uint64_t offset, uint64_t len);

  std::unique_ptr<io::Mapping> map_;
  std::vector<std::unique_ptr<io::Mapping>> retired_;  // M1
  bool unavailable_ = false;  // the Env refused to map: pread from now on
};

}  // namespace wal
}  // namespace pager
