// SubPages: splits regular pages of a PageFile into 1..64 power-of-two slots. The slot state
// is in memory only (as in the seed); callers rebuild it with MarkUsed after a restart.
//
// Invariants:
//   S1. Every tracked parent is an allocated regular page of the file and has at least one
//       used slot (an emptied parent is freed in the file in the same call).
//   S2. Bulk calls are all or nothing: ids are validated first, and the only file operation a
//       call makes is one AllocBulk or one FreeBulk (one commit); if it fails nothing changes.
//   S3. Sub-page id = parent_page * 64 + slot; slot < slots_per_parent.
//   S4. Reading needs only an open file: Create, MarkUsed and a read-only Pointer work on a
//       read-only (or poisoned) file; Alloc, Free and a writable Pointer need a writable one.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "impl/file/page_file.h"

namespace pager {
namespace file {

class SubPages {
 public:
  static Status Create(std::shared_ptr<PageFile> file, uint32_t sub_page_size,
                       std::unique_ptr<SubPages>* out);

  Status Alloc(uint64_t* id) { return AllocBulk(1, id); }
  Status AllocBulk(uint64_t count, uint64_t* ids);
  Status Free(uint64_t id) { return FreeBulk(&id, 1); }
  Status FreeBulk(const uint64_t* ids, uint64_t count);
  Status MarkUsed(const uint64_t* ids, uint64_t count);
  Status Pointer(uint64_t id, bool writable, uint8_t** out);
  uint64_t Count();
  uint32_t slots_per_parent() const { return slots_; }
  uint32_t sub_page_size() const { return sub_page_size_; }
  // Ok while the file is open (kInvalid "closed" after pager_file_close).
  Status CheckOpen() { return file_->CheckOpen(); }

 private:
  SubPages(std::shared_ptr<PageFile> file, uint32_t sub_page_size, uint32_t slots)
      : file_(std::move(file)), sub_page_size_(sub_page_size), slots_(slots) {}
  Status CheckId(uint64_t id, bool want_used) const;
  uint64_t FullMask() const { return slots_ == 64 ? ~uint64_t{0} : (uint64_t{1} << slots_) - 1; }

  std::shared_ptr<PageFile> file_;
  uint32_t sub_page_size_;
  uint32_t slots_;
  std::map<uint64_t, uint64_t> parents_;  // parent page -> mask of used slots
  uint64_t used_ = 0;
  std::mutex mu_;
};

}  // namespace file
}  // namespace pager
