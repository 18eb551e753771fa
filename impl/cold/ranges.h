// Range validation and read planning for the cold pager (pure functions, no I/O).
//
// Invariants (the range rules of doc/cold-pager.md):
//   R1. A zero-length range is ignored wherever it points (even past the end).
//   R2. A non-empty range [offset, offset+len) must lie inside [0, handle_len); the check is
//       written as `offset <= handle_len && len <= handle_len - offset`, so no sum overflows.
//   R3. No two non-empty ranges share a byte (a duplicate is an overlap); the message names
//       both ranges by their position in the request.
//   R4. Every check runs before any byte is read or written: a request either passes all of
//       them or nothing happens.
//   R5. Output is in request order: range i lands at dst + (sum of the lengths before i).
//   R6. A run is a maximal sequence of planned ranges (sorted by offset) where each starts
//       exactly where the previous ended: one run = one read of the backing store, scattered
//       into the runs' destinations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "impl/common/status.h"

namespace pager {
namespace cold {

struct Range {
  uint64_t offset;
  uint64_t len;
};

// A non-empty range that passed R1-R3, with its request index and its place in dst (R5).
struct PlannedRange {
  uint64_t offset;
  uint64_t len;
  uint64_t dst_offset;
  size_t index;
};

// A set of adjacent planned ranges read with one call (R6): planned[first, first+count).
struct Run {
  size_t first;
  size_t count;
  uint64_t offset;
  uint64_t len;
};

// "range #2 [offset 4096, length 100)"
std::string DescribeRange(size_t index, uint64_t offset, uint64_t len);

// Validates ranges against handle_len (R1-R4) and returns the non-empty ones sorted by offset,
// each with its destination offset (R5); *total_len is the sum of all lengths.
// Errors: kInvalid (ranges NULL with count > 0), kRange (R2), kOverlap (R3).
Status PlanRanges(const Range* ranges, size_t count, uint64_t handle_len,
                  std::vector<PlannedRange>* planned, uint64_t* total_len);

// Splits sorted planned ranges into runs (R6); a run holds at most max_ranges ranges.
std::vector<Run> CoalesceRuns(const std::vector<PlannedRange>& planned, size_t max_ranges);

}  // namespace cold
}  // namespace pager
