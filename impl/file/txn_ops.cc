// PageFile write transactions over protected pages: holding pages (P9), allocating and freeing
// inside the transaction (P12), and the commit of everything in one Commit() (P10).
#include <algorithm>

#include "impl/file/page_file.h"
#include "impl/io/checksum.h"

namespace pager {
namespace file {

Status PageFile::TxnAdd(const void* owner, uint64_t id, uint8_t* copy_out) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  PAGER_RETURN_IF_ERROR(CheckProtectedId(id, false));
  auto it = open_txns_.find(id);
  if (it != open_txns_.end() && it->second != owner) {
    return Status(Code::kBusy, "protected page " + std::to_string(id) +
                                   " is held by another open write transaction");
  }
  if (it != open_txns_.end() && freeing_.count(id) != 0) {
    return Status(Code::kNotFound, "protected page " + std::to_string(id) +
                                       " is freed by this transaction");
  }
  if (copy_out != nullptr) {
    const DirEntryDisk& en = Entry(id);
    uint64_t active = en.page[(en.flags & kEntryActiveB) ? 1 : 0];
    std::memcpy(copy_out, map_->data() + active * page_size_, page_size_);
  }
  open_txns_[id] = owner;
  return Status::Ok();
}

// P12: the lowest id that is free in the directory (or past it, up to the most the directory
// can hold) and not reserved. Nothing is written and nothing of the committed state changes.
Status PageFile::TxnAllocId(const void* owner, uint64_t* id) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  uint64_t limit = uint64_t{MaxDirPages(page_size_)} * EntriesPerDirPage(page_size_);
  if (protected_count_ + reserved_ids_.size() >= limit) {
    return Status(Code::kFull, "the protected directory is full: it holds at most " +
                                   std::to_string(limit) + " protected pages at this page size, " +
                                   std::to_string(protected_count_) + " are in use and " +
                                   std::to_string(reserved_ids_.size()) +
                                   " are allocated by open transactions");
  }
  // Two backing pages each at the commit: a quick refusal of what cannot fit at all.
  PAGER_RETURN_IF_ERROR(CheckRoomFor(2 * (reserved_ids_.size() + 1)));
  for (uint64_t i = entry_hint_; i <= limit; i++) {
    if (EntryTakeable(i)) {
      reserved_ids_[i] = owner;
      entry_hint_ = i;  // P17: every id below it is taken, and it is reserved now
      *id = i;
      return Status::Ok();
    }
  }
  return Internal("P12: protected_count and reservations leave room but no entry is free");
}

Status PageFile::TxnFreeId(const void* owner, uint64_t id) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  auto r = reserved_ids_.find(id);
  if (r != reserved_ids_.end() && r->second == owner) {
    reserved_ids_.erase(r);  // allocated and freed in the same transaction: nothing remains
    LowerEntryHint(id);      // P17
    return Status::Ok();
  }
  PAGER_RETURN_IF_ERROR(CheckProtectedId(id, true));
  auto it = open_txns_.find(id);
  if (it != open_txns_.end() && it->second != owner) {
    return Status(Code::kBusy, "protected page " + std::to_string(id) +
                                   " is held by another open write transaction");
  }
  if (it != open_txns_.end() && freeing_.count(id) != 0) {
    return Status(Code::kDoubleFree, "protected page " + std::to_string(id) +
                                         " is already freed by this transaction");
  }
  freeing_.insert(id);
  open_txns_[id] = owner;
  return Status::Ok();
}

// Every page of `pages` is held or reserved by owner and not freed by it (P9, P12).
Status PageFile::CheckTxnPagesLocked(const void* owner, const std::vector<TxnPage>& pages) const {
  for (const TxnPage& p : pages) {
    auto r = reserved_ids_.find(p.id);
    if (r != reserved_ids_.end()) {
      if (r->second == owner) continue;
      return Internal("P12: protected page " + std::to_string(p.id) +
                      " is reserved by another transaction");
    }
    PAGER_RETURN_IF_ERROR(CheckProtectedId(p.id, false));
    auto it = open_txns_.find(p.id);
    if (it == open_txns_.end() || it->second != owner || freeing_.count(p.id) != 0) {
      return Internal("P9: protected page " + std::to_string(p.id) +
                      " is not held for writing by the committing transaction");
    }
  }
  return Status::Ok();
}

// New entries: each gets backing pages (page[0] active, holding the content).
void PageFile::StageNewEntries(const std::vector<TxnPage>& created,
                               const std::vector<uint64_t>& backing) {
  for (size_t i = 0; i < created.size(); i++) {
    ContentWrite w{backing[2 * i], created[i].data};
    DirEntryDisk en{};
    en.page[0] = backing[2 * i];
    en.page[1] = backing[2 * i + 1];
    en.content_checksum = Checksum64(w.data, page_size_, kSeedContent);
    en.write_generation = generation_ + 1;
    en.flags = kEntryInUse;
    SetEntry(created[i].id, en);
    content_.push_back(w);
    protected_count_++;
  }
}

// Stages the whole transaction in the pending operation (P12 order: directory pages and
// backing pages for the new entries first, then the rewrites, then the frees, so nothing new
// lands on a page the last committed state uses).
Status PageFile::StageTxnLocked(const std::vector<TxnPage>& pages,
                                const std::vector<uint64_t>& frees) {
  std::vector<TxnPage> created;
  std::vector<TxnPage> written;
  for (const TxnPage& p : pages) (reserved_ids_.count(p.id) != 0 ? created : written).push_back(p);
  if (!created.empty()) {
    while (DirCapacity() < created.back().id) PAGER_RETURN_IF_ERROR(AddDirPage());
    std::vector<uint64_t> backing;
    PAGER_RETURN_IF_ERROR(TakePages(2 * created.size(), true, &backing));
    StageNewEntries(created, backing);
  }
  StageProtectedWrites(written);
  for (uint64_t id : frees) FreeProtectedLocked(id);
  return Status::Ok();
}

// The ids owner frees at its commit (P12), in id order whatever the hash tables' order.
std::vector<uint64_t> PageFile::TxnFreesLocked(const void* owner) const {
  std::vector<uint64_t> frees;
  for (uint64_t id : freeing_) {
    auto held = open_txns_.find(id);
    if (held != open_txns_.end() && held->second == owner) frees.push_back(id);
  }
  std::sort(frees.begin(), frees.end());
  return frees;
}

// P9: validation, the writes, the commit and the release happen under one hold of mu_.
Status PageFile::TxnCommit(const void* owner, const std::vector<TxnPage>& pages) {
  std::lock_guard<std::mutex> g(mu_);
  struct ReleaseOnExit {  // the transaction ends however the commit ends
    PageFile* pf;
    const void* owner;
    ~ReleaseOnExit() { pf->ReleaseTxnLocked(owner); }
  } release{this, owner};
  return [&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireWritable());
    PAGER_RETURN_IF_ERROR(CheckTxnPagesLocked(owner, pages));
    const std::vector<uint64_t> frees = TxnFreesLocked(owner);
    if (pages.empty() && frees.empty()) return Status::Ok();
    std::vector<TxnPage> sorted(pages);
    std::sort(sorted.begin(), sorted.end(),
              [](const TxnPage& a, const TxnPage& b) { return a.id < b.id; });
    BeginOp();
    Status st;
    try {
      st = StageTxnLocked(sorted, frees);
    } catch (...) {
      Rollback();  // P7: nothing was written yet
      throw;
    }
    if (!st.ok()) {
      Rollback();  // FULL, NOSPC or IO before the first write: the file is as before
      return st;
    }
    return Commit();
  }();
}

void PageFile::TxnRelease(const void* owner) {
  std::lock_guard<std::mutex> g(mu_);
  ReleaseTxnLocked(owner);
}

void PageFile::ReleaseTxnLocked(const void* owner) {
  for (auto it = open_txns_.begin(); it != open_txns_.end();) {
    if (it->second != owner) {
      ++it;
      continue;
    }
    freeing_.erase(it->first);
    it = open_txns_.erase(it);
  }
  for (auto it = reserved_ids_.begin(); it != reserved_ids_.end();) {
    if (it->second != owner) {
      ++it;
      continue;
    }
    LowerEntryHint(it->first);  // P17
    it = reserved_ids_.erase(it);
  }
}

}  // namespace file
}  // namespace pager
