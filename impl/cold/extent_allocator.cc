#include "impl/cold/extent_allocator.h"

#include <cassert>
#include <cstdint>

namespace pager {
namespace cold {

namespace {
constexpr uint64_t kMaxEnd = static_cast<uint64_t>(INT64_MAX);
}  // namespace

ExtentAllocator::ExtentAllocator(uint64_t align) : align_(align) {
  assert(align_ >= 512 && (align_ & (align_ - 1)) == 0 && "X1: align is a power of two");
}

uint64_t ExtentAllocator::AlignedLen(uint64_t len) const {
  if (len > kMaxEnd - align_) return 0;
  return (len + align_ - 1) & ~(align_ - 1);
}

void ExtentAllocator::InsertFree(uint64_t offset, uint64_t len) {
  free_by_offset_[offset] = len;
  free_by_len_.insert({len, offset});
}

void ExtentAllocator::EraseFree(std::map<uint64_t, uint64_t>::iterator it) {
  free_by_len_.erase({it->second, it->first});
  free_by_offset_.erase(it);
}

Result<uint64_t> ExtentAllocator::Allocate(uint64_t len) {
  uint64_t need = AlignedLen(len);
  if (len == 0 || need == 0) {
    return Status(Code::kTooLarge, "scratch extent of " + std::to_string(len) +
                                       " bytes cannot be allocated");
  }
  auto fit = free_by_len_.lower_bound({need, 0});  // X4: best fit
  uint64_t offset;
  if (fit != free_by_len_.end()) {
    uint64_t free_len = fit->first;
    offset = fit->second;
    EraseFree(free_by_offset_.find(offset));
    if (free_len > need) InsertFree(offset + need, free_len - need);
  } else {
    if (need > kMaxEnd - end_) {
      return Status(Code::kTooLarge, "scratch file would grow past " + std::to_string(kMaxEnd) +
                                         " bytes");
    }
    offset = end_;
    end_ += need;
  }
  allocated_[offset] = need;
  allocated_bytes_ += need;
  return offset;
}

Result<ExtentAllocator::Release> ExtentAllocator::Free(uint64_t offset, uint64_t len) {
  auto a = allocated_.find(offset);
  if (a == allocated_.end() || a->second != AlignedLen(len)) {
    return Status(Code::kDoubleFree, "scratch extent at offset " + std::to_string(offset) +
                                         " of " + std::to_string(len) +
                                         " bytes is not allocated");
  }
  uint64_t size = a->second;
  allocated_.erase(a);
  allocated_bytes_ -= size;
  Release release;
  release.punch_offset = offset;
  release.punch_len = size;
  uint64_t start = offset;
  uint64_t stop = offset + size;
  auto next = free_by_offset_.find(stop);
  if (next != free_by_offset_.end()) {  // X3: merge with the free extent after
    stop += next->second;
    EraseFree(next);
  }
  auto prev = free_by_offset_.lower_bound(start);
  if (prev != free_by_offset_.begin()) {
    --prev;
    if (prev->first + prev->second == start) {  // X3: merge with the free extent before
      start = prev->first;
      EraseFree(prev);
    }
  }
  if (stop == end_) {  // X3: a free tail is cut off
    end_ = start;
    release.punch_len = 0;
    release.truncate = true;
    release.new_end = start;
  } else {
    InsertFree(start, stop - start);
  }
  return release;
}

Status ExtentAllocator::CheckInvariants() const {
  std::map<uint64_t, std::pair<uint64_t, bool>> all;  // offset -> (len, free)
  for (const auto& e : allocated_) all[e.first] = {e.second, false};
  for (const auto& e : free_by_offset_) {
    if (all.count(e.first) != 0) return Internal("X2: extent at " + std::to_string(e.first) +
                                                 " is both free and allocated");
    all[e.first] = {e.second, true};
  }
  if (free_by_len_.size() != free_by_offset_.size()) return Internal("free indexes disagree");
  uint64_t pos = 0;
  uint64_t allocated = 0;
  bool prev_free = false;
  for (const auto& e : all) {
    uint64_t len = e.second.first;
    bool is_free = e.second.second;
    if (e.first % align_ != 0 || len % align_ != 0 || len == 0) {
      return Internal("X1: extent at " + std::to_string(e.first) + " is not aligned");
    }
    if (e.first != pos) return Internal("X2: gap or overlap at " + std::to_string(pos));
    if (is_free && prev_free) return Internal("X3: free extents touch at " + std::to_string(pos));
    if (is_free && free_by_len_.count({len, e.first}) == 0) return Internal("free index stale");
    if (!is_free) allocated += len;
    prev_free = is_free;
    pos += len;
  }
  if (pos != end_) return Internal("X2: extents end at " + std::to_string(pos) + ", end is " +
                                   std::to_string(end_));
  if (prev_free) return Internal("X3: a free extent ends at end");
  if (allocated != allocated_bytes_) return Internal("allocated byte count is stale");
  return Status::Ok();
}

}  // namespace cold
}  // namespace pager
