#include "impl/wal/main_map.h"

#include <algorithm>

namespace pager {
namespace wal {

void ReadMap::Reset() {
  map_.reset();
  retired_.clear();
}

const uint8_t* ReadMap::Grow(io::File* file, uint64_t offset, uint64_t len) {
  if (unavailable_ || file == nullptr) return nullptr;
  uint64_t size = 0;
  if (!file->Size(&size).ok() || offset + len > size) return nullptr;  // M2: pread reports it
  if (map_ != nullptr && size <= map_->reserved_len()) {
    if (!map_->Remap(static_cast<size_t>(size)).ok()) return nullptr;
    return map_->data() + offset;
  }
  const uint64_t reserve = std::max(kMinReserveBytes, 2 * size);
  std::unique_ptr<io::Mapping> m;
  if (!file->Map(static_cast<size_t>(reserve), static_cast<size_t>(size), false, &m).ok()) {
    unavailable_ = true;
    return nullptr;
  }
  if (map_ != nullptr) retired_.push_back(std::move(map_));  // M1
  map_ = std::move(m);
  return map_->data() + offset;
}

}  // namespace wal
}  // namespace pager
