// ExtentAllocator: hands out aligned byte extents of one scratch file and takes them back,
// saying which disk blocks the caller should release. Pure bookkeeping (no I/O); the
// ScratchStore holds one per scratch file under that file's mutex.
//
// Invariants:
//   X1. Every extent offset and length is a multiple of align (a power of two >= 512), so a
//       freed extent covers whole filesystem blocks and punching it frees them exactly.
//   X2. Allocated extents and free extents are disjoint and together tile [0, end).
//   X3. Free extents are coalesced: no two free extents touch, and none ends at `end`
//       (a free tail is cut off by lowering `end`, and the caller truncates the file).
//   X4. Allocation is best fit (the smallest free extent that is large enough, lowest offset
//       on ties); otherwise the file grows at `end`.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "impl/common/status.h"

namespace pager {
namespace cold {

class ExtentAllocator {
 public:
  explicit ExtentAllocator(uint64_t align);

  // What Free asks of the caller to give the blocks back to the filesystem.
  struct Release {
    uint64_t punch_offset = 0;  // punch [punch_offset, +punch_len) if punch_len > 0
    uint64_t punch_len = 0;
    bool truncate = false;      // or: truncate the file to new_end (X3)
    uint64_t new_end = 0;
  };

  // The aligned length an allocation of len bytes occupies; 0 if it would overflow.
  uint64_t AlignedLen(uint64_t len) const;

  // Allocates an extent of AlignedLen(len) bytes (len > 0) and returns its offset, or
  // kTooLarge if the aligned length or the file end would pass INT64_MAX.
  Result<uint64_t> Allocate(uint64_t len);

  // Frees the extent Allocate returned for len. Freeing something not allocated is
  // kDoubleFree (a bug in the caller).
  Result<Release> Free(uint64_t offset, uint64_t len);

  uint64_t end() const { return end_; }
  uint64_t allocated_bytes() const { return allocated_bytes_; }
  uint64_t free_bytes() const { return end_ - allocated_bytes_; }
  size_t free_extent_count() const { return free_by_offset_.size(); }

  // Checks X1-X3; used by tests and the fuzz harness.
  Status CheckInvariants() const;

 private:
  friend class ExtentAllocatorTestPeer;  // tests/cold_invariants_test.cc breaks X1-X3 on purpose
  void InsertFree(uint64_t offset, uint64_t len);
  void EraseFree(std::map<uint64_t, uint64_t>::iterator it);

  uint64_t align_;
  uint64_t end_ = 0;
  uint64_t allocated_bytes_ = 0;
  std::map<uint64_t, uint64_t> free_by_offset_;         // offset -> len
  std::set<std::pair<uint64_t, uint64_t>> free_by_len_;  // (len, offset)
  std::map<uint64_t, uint64_t> allocated_;              // offset -> aligned len
};

}  // namespace cold
}  // namespace pager
