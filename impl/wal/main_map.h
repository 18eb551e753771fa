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
//   M4. Each mapping is advised MADV_RANDOM when made, and Remap keeps it (io E4a): a fault reads
//       only the missing page. Without it the kernel reads the block device's whole
//       read-ahead window around each fault (read_ahead_kb: 8 MiB on the benchmark VM), so
//       with a working set larger than the page cache one random 4 KiB read cost ~4.5 ms
//       (doc/performance.md, "A working set larger than the page cache").
//   M5. Since M4 turns the kernel's read-ahead off, ReadMap does its own for sequential
//       access: after kSequentialReads reads each starting where the previous one ended, it
//       asks the kernel to read the next window ahead (MADV_WILLNEED: asynchronous), and
//       again each time the reads pass the middle of the last window; the window doubles
//       from kMinReadAheadBytes to kMaxReadAheadBytes. A read anywhere else ends the run.
//   M6. A window whose pages are all resident already (io::Mapping::Resident, one mincore) is
//       not asked for: MADV_WILLNEED over cached pages is no read, but the kernel walks the
//       page cache for every page of the window (a cached sequential read_page cost 2.1-2.6x
//       its memcpy, a third of it in that walk; doc/performance.md). The run goes on as if it
//       had been asked. An Env that cannot tell asks as before.
#pragma once

#include <algorithm>

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
    const uint8_t* p = (map_ != nullptr && offset + len <= map_->mapped_len())
                           ? map_->data() + offset
                           : Grow(file, offset, len);
    if (p != nullptr) Track(offset, len);
    return p;
  }

  // M5's parameters.
  static constexpr uint32_t kSequentialReads = 8;
  static constexpr uint64_t kMinReadAheadBytes = uint64_t{128} << 10;
  static constexpr uint64_t kMaxReadAheadBytes = uint64_t{4} << 20;
  // Unmaps everything (M1 ends): the file is being closed (W17).
  void Reset();
  uint64_t mapped_len() const { return map_ ? map_->mapped_len() : 0; }
  // Read-ahead windows asked of the kernel so far (M5; M6 skips resident ones).
  uint64_t read_ahead_requests() const { return read_ahead_requests_; }

 private:
  const uint8_t* Grow(io::File* file, uint64_t offset, uint64_t len);
  // M5: notes a read of [offset, offset + len); reads ahead when a sequential run needs it.
  void Track(uint64_t offset, uint64_t len) {
    run_reads_ = (offset == run_end_) ? run_reads_ + 1 : 0;
    run_end_ = offset + len;
    if (run_reads_ == 0) {
      ahead_end_ = 0;
      window_bytes_ = 0;
    } else if (run_reads_ >= kSequentialReads && run_end_ + window_bytes_ / 2 >= ahead_end_) {
      ReadAhead();
    }
  }
  void ReadAhead();
  bool AllResident(uint64_t from, uint64_t to) const;

  std::unique_ptr<io::Mapping> map_;
  std::vector<std::unique_ptr<io::Mapping>> retired_;  // M1
  bool unavailable_ = false;  // the Env refused to map: pread from now on
  // M5: the current sequential run and how far ahead of it the kernel was asked to read.
  uint64_t run_end_ = UINT64_MAX;  // where the last read ended
  uint32_t run_reads_ = 0;         // reads in a row that started at the previous one's end
  uint64_t ahead_end_ = 0;         // end of the last window asked for
  uint64_t window_bytes_ = 0;      // size of that window
  uint64_t read_ahead_requests_ = 0;
};

}  // namespace wal
}  // namespace pager
