// SubPages: see subpages.h (S1-S3).
#include "impl/file/subpages.h"

#include <unordered_set>
#include <vector>

namespace pager {
namespace file {

Status SubPages::Create(std::shared_ptr<PageFile> file, uint32_t sub_page_size,
                        std::unique_ptr<SubPages>* out) {
  PAGER_RETURN_IF_ERROR(file->CheckOpen());
  uint32_t page_size = file->page_size();
  if (sub_page_size == 0 || (sub_page_size & (sub_page_size - 1)) != 0 ||
      sub_page_size > page_size || page_size / sub_page_size > 64) {
    return InvalidArgument("sub-page size " + std::to_string(sub_page_size) +
                           " must be a power of two with page size " + std::to_string(page_size) +
                           " / sub-page size in [1, 64]");
  }
  out->reset(new SubPages(std::move(file), sub_page_size, page_size / sub_page_size));
  return Status::Ok();
}

// RANGE/RESERVED for a bad parent or slot; want_used: DOUBLE_FREE if the slot is free.
Status SubPages::CheckId(uint64_t id, bool want_used) const {
  uint64_t parent = id / 64;
  uint64_t slot = id % 64;
  std::string name = "sub-page " + std::to_string(id) + " (page " + std::to_string(parent) +
                     ", slot " + std::to_string(slot) + ")";
  if (slot >= slots_) {
    return Status(Code::kRange, name + ": slot past the " + std::to_string(slots_) +
                                    " slots of a parent page");
  }
  Status st = file_->CheckRegular(parent);
  if (st.code() == Code::kRange || st.code() == Code::kReserved || st.code() == Code::kInvalid) {
    return Status(st.code(), name + ": " + st.message());
  }
  if (!want_used) return st;  // MarkUsed: NOT_FOUND if the parent is not allocated
  auto it = parents_.find(parent);
  if (!st.ok() || it == parents_.end() || ((it->second >> slot) & 1) == 0) {
    return Status(Code::kDoubleFree, name + " is not allocated");
  }
  return Status::Ok();
}

Status SubPages::AllocBulk(uint64_t count, uint64_t* ids) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(file_->CheckWritable());
  if (count == 0) return Status::Ok();
  uint64_t free_slots = 0;
  for (auto& p : parents_) free_slots += slots_ - static_cast<uint64_t>(__builtin_popcountll(p.second));
  std::vector<uint64_t> fresh;
  if (free_slots < count) {
    uint64_t missing = count - free_slots;
    uint64_t need = missing / slots_ + (missing % slots_ != 0 ? 1 : 0);  // no overflow
    if (need > file_->max_page_count()) {
      return Status(Code::kFull, std::to_string(count) + " sub-pages need " +
                                     std::to_string(need) + " new parent pages, more than the " +
                                     std::to_string(file_->max_page_count()) +
                                     " pages max_size_bytes allows");
    }
    fresh.resize(static_cast<size_t>(need));
    PAGER_RETURN_IF_ERROR(file_->AllocBulk(need, fresh.data()));  // S2: the one commit
  }
  for (uint64_t p : fresh) parents_[p] = 0;
  uint64_t done = 0;
  for (auto it = parents_.begin(); it != parents_.end() && done < count; ++it) {
    while (done < count && it->second != FullMask()) {
      uint64_t slot = static_cast<uint64_t>(__builtin_ctzll(~it->second));
      it->second |= uint64_t{1} << slot;
      ids[done++] = it->first * 64 + slot;
    }
  }
  used_ += count;
  return Status::Ok();
}

Status SubPages::FreeBulk(const uint64_t* ids, uint64_t count) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(file_->CheckWritable());
  if (count == 0) return Status::Ok();
  std::unordered_set<uint64_t> seen;
  std::map<uint64_t, uint64_t> after;  // parent -> mask after the frees
  for (uint64_t i = 0; i < count; i++) {
    Status st = CheckId(ids[i], true);
    if (!st.ok()) return Status(st.code(), "free list entry " + std::to_string(i) + ": " + st.message());
    if (!seen.insert(ids[i]).second) {
      return Status(Code::kDuplicate, "free list entry " + std::to_string(i) + ": sub-page " +
                                          std::to_string(ids[i]) + " appears twice");
    }
    uint64_t parent = ids[i] / 64;
    auto it = after.find(parent);
    if (it == after.end()) it = after.emplace(parent, parents_[parent]).first;
    it->second &= ~(uint64_t{1} << (ids[i] % 64));
  }
  std::vector<uint64_t> empty;
  for (auto& a : after) {
    if (a.second == 0) empty.push_back(a.first);
  }
  if (!empty.empty()) PAGER_RETURN_IF_ERROR(file_->FreeBulk(empty.data(), empty.size()));
  for (auto& a : after) {
    if (a.second == 0) {
      parents_.erase(a.first);
    } else {
      parents_[a.first] = a.second;
    }
  }
  used_ -= count;
  return Status::Ok();
}

Status SubPages::MarkUsed(const uint64_t* ids, uint64_t count) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(file_->CheckOpen());  // S4: memory only, fine on a read-only file
  std::unordered_set<uint64_t> seen;
  for (uint64_t i = 0; i < count; i++) {
    Status st = CheckId(ids[i], false);
    if (!st.ok()) return Status(st.code(), "mark list entry " + std::to_string(i) + ": " + st.message());
    auto it = parents_.find(ids[i] / 64);
    if (it != parents_.end() && ((it->second >> (ids[i] % 64)) & 1) != 0) {
      return Status(Code::kExists, "mark list entry " + std::to_string(i) + ": sub-page " +
                                       std::to_string(ids[i]) + " is already in use");
    }
    if (!seen.insert(ids[i]).second) {
      return Status(Code::kDuplicate, "mark list entry " + std::to_string(i) + ": sub-page " +
                                          std::to_string(ids[i]) + " appears twice");
    }
  }
  for (uint64_t i = 0; i < count; i++) parents_[ids[i] / 64] |= uint64_t{1} << (ids[i] % 64);
  used_ += count;
  return Status::Ok();
}

Status SubPages::Pointer(uint64_t id, bool writable, uint8_t** out) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(file_->CheckOpen());
  if (writable && file_->read_only()) {
    return Status(Code::kReadOnly, "the file is open read-only: use pager_file_subpage_const");
  }
  Status st = CheckId(id, true);
  if (st.code() == Code::kDoubleFree) return Status(Code::kNotFound, st.message());
  PAGER_RETURN_IF_ERROR(st);
  uint8_t* page = nullptr;
  PAGER_RETURN_IF_ERROR(file_->PagePointer(id / 64, writable, &page));
  *out = page + (id % 64) * sub_page_size_;
  return Status::Ok();
}

uint64_t SubPages::Count() {
  std::lock_guard<std::mutex> g(mu_);
  return used_;
}

}  // namespace file
}  // namespace pager
