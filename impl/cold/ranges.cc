#include "impl/cold/ranges.h"

#include <algorithm>

namespace pager {
namespace cold {

std::string DescribeRange(size_t index, uint64_t offset, uint64_t len) {
  return "range #" + std::to_string(index) + " [offset " + std::to_string(offset) + ", length " +
         std::to_string(len) + ")";
}

namespace {

Status CheckBounds(const Range& r, size_t index, uint64_t handle_len) {
  if (r.offset <= handle_len && r.len <= handle_len - r.offset) return Status::Ok();  // R2
  return Status(Code::kRange, DescribeRange(index, r.offset, r.len) +
                                  " is out of bounds of the handle's length " +
                                  std::to_string(handle_len));
}

Status CheckDisjoint(const std::vector<PlannedRange>& sorted) {
  for (size_t i = 1; i < sorted.size(); i++) {
    const PlannedRange& a = sorted[i - 1];
    const PlannedRange& b = sorted[i];
    // Both are in bounds (R2), so a.offset + a.len cannot overflow.
    if (a.offset + a.len <= b.offset) continue;
    const PlannedRange& first = a.index < b.index ? a : b;
    const PlannedRange& second = a.index < b.index ? b : a;
    const char* what = (a.offset == b.offset && a.len == b.len) ? " duplicates " : " overlaps ";
    return Status(Code::kOverlap, DescribeRange(first.index, first.offset, first.len) + what +
                                      DescribeRange(second.index, second.offset, second.len));
  }
  return Status::Ok();
}

}  // namespace

Status PlanRanges(const Range* ranges, size_t count, uint64_t handle_len,
                  std::vector<PlannedRange>* planned, uint64_t* total_len) {
  planned->clear();
  *total_len = 0;
  if (count == 0) return Status::Ok();
  if (ranges == nullptr) return InvalidArgument("ranges must not be NULL when count > 0");
  for (size_t i = 0; i < count; i++) {
    if (ranges[i].len == 0) continue;  // R1
    PAGER_RETURN_IF_ERROR(CheckBounds(ranges[i], i, handle_len));
    planned->push_back(PlannedRange{ranges[i].offset, ranges[i].len, 0, i});
  }
  // Destination offsets follow request order (R5); planned is still in request order here.
  uint64_t dst = 0;
  for (PlannedRange& p : *planned) {
    p.dst_offset = dst;
    dst += p.len;  // cannot overflow once R3 holds; checked below before anyone uses it
  }
  std::sort(planned->begin(), planned->end(), [](const PlannedRange& a, const PlannedRange& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.index < b.index;
  });
  Status st = CheckDisjoint(*planned);
  if (!st.ok()) {
    planned->clear();
    return st;
  }
  *total_len = dst;  // disjoint and in bounds: the sum is at most handle_len
  return Status::Ok();
}

std::vector<Run> CoalesceRuns(const std::vector<PlannedRange>& planned, size_t max_ranges) {
  std::vector<Run> runs;
  if (max_ranges == 0) max_ranges = 1;
  for (size_t i = 0; i < planned.size(); i++) {
    const PlannedRange& p = planned[i];
    if (!runs.empty()) {
      Run& last = runs.back();
      if (last.offset + last.len == p.offset && last.count < max_ranges) {
        last.count++;
        last.len += p.len;
        continue;
      }
    }
    runs.push_back(Run{i, 1, p.offset, p.len});
  }
  return runs;
}

}  // namespace cold
}  // namespace pager
