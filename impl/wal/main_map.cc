#include "impl/wal/main_map.h"

#include <algorithm>

namespace pager {
namespace wal {

void ReadMap::Reset() {
  run_end_ = UINT64_MAX;
  run_reads_ = 0;
  ahead_end_ = 0;
  window_bytes_ = 0;
  map_.reset();
  retired_.clear();
}

const uint8_t* ReadMap::Grow(io::File* file, uint64_t offset, uint64_t len) {
  if (unavailable_ || file == nullptr) return nullptr;
  uint64_t size = 0;
  if (!file->Size(&size).ok() || offset + len > size) return nullptr;  // M2: pread reports it
  if (map_ != nullptr && size <= map_->reserved_len()) {
    if (!map_->Remap(static_cast<size_t>(size)).ok()) return nullptr;  // keeps M4 (io E4a)
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
  // M4, kept by later Remaps (io E4a). A hint: an Env that cannot advise (MemEnv) maps all
  // the same.
  (void)map_->Advise(0, static_cast<size_t>(map_->mapped_len()), io::Advice::kRandom);
  return map_->data() + offset;
}

// M5: asks the kernel for the next window ahead of a sequential run.
void ReadMap::ReadAhead() {
  window_bytes_ = std::min(kMaxReadAheadBytes, std::max(kMinReadAheadBytes, 2 * window_bytes_));
  const uint64_t from = std::max(ahead_end_, run_end_);
  const uint64_t to = std::min(from + window_bytes_, mapped_len());
  if (to > from && !AllResident(from, to)) {  // M6
    read_ahead_requests_++;
    (void)map_->Advise(static_cast<size_t>(from), static_cast<size_t>(to - from),
                       io::Advice::kWillNeed);  // a hint: nothing to do if refused
  }
  ahead_end_ = std::max(ahead_end_, to);
}

// M6: whether every page of [from, to) is in memory; false when the Env cannot tell.
bool ReadMap::AllResident(uint64_t from, uint64_t to) const {
  bool resident = false;
  return map_->Resident(static_cast<size_t>(from), static_cast<size_t>(to - from), &resident)
             .ok() &&
         resident;
}

}  // namespace wal
}  // namespace pager
