// PageFile operations: regular pages, protected pages, iteration and invariant checks.
// Each public mutation: lock, validate everything, BeginOp, change in memory (logged in the
// undo log), reserve blocks, Commit (P7).
#include <algorithm>
#include <unordered_set>

#include "impl/file/page_file.h"
#include "impl/io/checksum.h"

namespace pager {
namespace file {

namespace {

// Growth step cap: a page space grows by doubling, but by at most this many bytes at a time.
constexpr uint64_t kMaxGrowthStepBytes = uint64_t{1} << 30;

}  // namespace

void PageFile::FlipBit(uint64_t page) {
  bits_[page >> 6] ^= uint64_t{1} << (page & 63);
  undo_.flipped.push_back(page);
  dirty_groups_.insert(GroupOf(page, page_size_));
}

bool PageFile::IsInternal(uint64_t page) const {
  return IsFixedInternalPage(page, page_size_) || internal_.count(page) != 0;
}

Status PageFile::ClassifyFree(uint64_t page) const {
  if (page >= page_count_) {
    return Status(Code::kRange, "page " + std::to_string(page) + " is past the page space (" +
                                    std::to_string(page_count_) + " pages)");
  }
  if (page < kFirstDataPage) {
    return Status(Code::kReserved, "page " + std::to_string(page) +
                                       " is reserved (superblock or meta)");
  }
  if (IsFixedInternalPage(page, page_size_)) {
    return Status(Code::kReserved, "page " + std::to_string(page) + " is a bitmap page");
  }
  if (internal_.count(page) != 0) {
    return Status(Code::kReserved, "page " + std::to_string(page) +
                                       " belongs to a protected page or the protected directory");
  }
  if (!Bit(page)) {
    return Status(Code::kDoubleFree, "page " + std::to_string(page) + " is not allocated");
  }
  return Status::Ok();
}

Status PageFile::CheckRegular(uint64_t page) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  return CheckRegularLocked(page);
}

Status PageFile::CheckWritable() {
  std::lock_guard<std::mutex> g(mu_);
  return RequireWritable();
}

Status PageFile::CheckOpen() {
  std::lock_guard<std::mutex> g(mu_);
  return RequireOpen();
}

// A quick refusal before any work: `pages` more pages in use cannot fit in max_size_bytes
// (the exact check, counting bitmap slots, is TakePages's).
Status PageFile::CheckRoomFor(uint64_t pages) const {
  uint64_t room = max_page_count() - std::min(used_count_, max_page_count());
  if (pages <= room) return Status::Ok();
  return Status(Code::kFull, std::to_string(pages) + " more pages do not fit: " +
                                 std::to_string(used_count_) + " of at most " +
                                 std::to_string(max_page_count()) +
                                 " pages (max_size_bytes " +
                                 std::to_string(options_.max_size_bytes) + ") are in use");
}

Status PageFile::CheckRegularLocked(uint64_t page) const {
  Status st = ClassifyFree(page);
  if (st.code() == Code::kDoubleFree) return Status(Code::kNotFound, st.message());
  return st;
}

// Grows the page space in memory (undone by Rollback) and the file (not undone: a longer file
// than the page space is harmless). New groups get both bitmap slots reserved (P5).
Status PageFile::GrowTo(uint64_t page_count) {
  uint64_t old_count = page_count_;
  uint64_t old_groups = groups_.size();
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(file_->Size(&size));
  if (size < page_count * page_size_) PAGER_RETURN_IF_ERROR(file_->Truncate(page_count * page_size_));
  uint64_t new_groups = GroupCount(page_count, page_size_);
  for (uint64_t g = old_groups; g < new_groups; g++) {
    PAGER_RETURN_IF_ERROR(ReserveRun(GroupSlot(g, page_size_, 0), 2));
  }
  if (map_ != nullptr && map_->mapped_len() < page_count * page_size_) {
    PAGER_RETURN_IF_ERROR(map_->Remap(static_cast<size_t>(page_count * page_size_)));
  }
  page_count_ = page_count;
  bits_.resize((page_count + 63) / 64, 0);
  groups_.resize(new_groups);
  if (old_count == 0) {
    for (uint64_t p = 0; p < kFirstDataPage; p++) FlipBit(p);
    used_count_ += kFirstDataPage;
  }
  for (uint64_t g = old_groups; g < new_groups; g++) {
    FlipBit(GroupSlot(g, page_size_, 0));
    FlipBit(GroupSlot(g, page_size_, 1));
    used_count_ += 2;
  }
  return Status::Ok();
}

void PageFile::FindFree(uint64_t count, std::vector<uint64_t>* pages) {
  pages->clear();
  uint64_t p = std::max<uint64_t>(hint_, kFirstDataPage);
  while (pages->size() < count && p < page_count_) {
    uint64_t word = bits_[p >> 6] | ((uint64_t{1} << (p & 63)) - 1);
    if (word == ~uint64_t{0}) {
      p = (p | 63) + 1;
      continue;
    }
    uint64_t q = (p & ~uint64_t{63}) + static_cast<uint64_t>(__builtin_ctzll(~word));
    if (q >= page_count_) break;
    pages->push_back(q);
    p = q + 1;
  }
}

// The page space of at least `want` pages (a valid page count) that holds `need` more free
// pages: each new group spends two pages on its bitmap slots; add until the need fits.
uint64_t PageFile::GrowthTarget(uint64_t want, uint64_t need) const {
  uint64_t target = RoundPageCount(want, page_size_);
  for (;;) {
    uint64_t slots = 2 * (GroupCount(target, page_size_) - groups_.size());
    if (target - page_count_ >= need + slots) return target;
    target = RoundPageCount(target + need + slots - (target - page_count_), page_size_);
  }
}

// Takes count free pages (growing the page space if needed), marks them used and reserves
// their blocks (P5). internal pages (directory slots, protected backing) join internal_.
Status PageFile::TakePages(uint64_t count, bool internal, std::vector<uint64_t>* pages) {
  FindFree(count, pages);
  if (pages->size() < count) {
    uint64_t need = count - pages->size();
    uint64_t max_pages = options_.max_size_bytes / page_size_;
    uint64_t step = std::max<uint64_t>(need, std::min(page_count_, kMaxGrowthStepBytes / page_size_));
    uint64_t target = GrowthTarget(page_count_ + step, need);
    // Near the limit, the least growth that fits: FULL only when max_size_bytes is reached.
    if (target > max_pages) target = GrowthTarget(page_count_ + need, need);
    if (target > max_pages) {
      return Status(Code::kFull, "taking " + std::to_string(count) +
                                     " pages would grow the page space to " +
                                     std::to_string(target) + " pages, past max_size_bytes " +
                                     std::to_string(options_.max_size_bytes));
    }
    uint64_t old_count = page_count_;
    PAGER_RETURN_IF_ERROR(GrowTo(target));
    std::vector<uint64_t> more;
    uint64_t saved_hint = hint_;
    hint_ = old_count;
    FindFree(need, &more);
    hint_ = saved_hint;
    if (more.size() < need) return Internal("grown page space lacks free pages");
    pages->insert(pages->end(), more.begin(), more.end());
  }
  for (uint64_t p : *pages) {
    FlipBit(p);
    if (internal) {
      internal_.insert(p);
      undo_.internal_added.push_back(p);
    }
  }
  used_count_ += count;
  if (!pages->empty() && pages->front() == std::max<uint64_t>(hint_, kFirstDataPage)) {
    hint_ = pages->back() + 1;
  }
  return ReserveBlocks(*pages);
}

// P5: one File::Allocate per run of adjacent pages this handle has not reserved before (a
// page freed and handed out again in the same session keeps the blocks it was given).
Status PageFile::ReserveBlocks(const std::vector<uint64_t>& pages) {
  std::vector<uint64_t> sorted;
  sorted.reserve(pages.size());
  for (uint64_t p : pages) {
    if (!ReservedThisSession(p)) sorted.push_back(p);
  }
  std::sort(sorted.begin(), sorted.end());
  size_t i = 0;
  while (i < sorted.size()) {
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[j - 1] + 1) j++;
    PAGER_RETURN_IF_ERROR(ReserveRun(sorted[i], j - i));
    i = j;
  }
  return Status::Ok();
}

Status PageFile::ReserveRun(uint64_t first, uint64_t count) {
  PAGER_RETURN_IF_ERROR(file_->Allocate(first * page_size_, count * page_size_));
  const uint64_t end = first + count;
  if (reserved_bits_.size() < (end + 63) / 64) reserved_bits_.resize((end + 63) / 64, 0);
  for (uint64_t p = first; p < end;) {
    if ((p & 63) == 0 && end - p >= 64) {
      reserved_bits_[p >> 6] = ~uint64_t{0};
      p += 64;
    } else {
      reserved_bits_[p >> 6] |= uint64_t{1} << (p & 63);
      p++;
    }
  }
  return Status::Ok();
}

bool PageFile::ReservedThisSession(uint64_t page) const {
  return (page >> 6) < reserved_bits_.size() &&
         ((reserved_bits_[page >> 6] >> (page & 63)) & 1) != 0;
}

// ---- regular pages ---------------------------------------------------------------------------

Status PageFile::Alloc(uint64_t* page) { return AllocBulk(1, page); }

Status PageFile::AllocBulk(uint64_t count, uint64_t* pages) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  if (count == 0) return Status::Ok();
  PAGER_RETURN_IF_ERROR(CheckRoomFor(count));
  BeginOp();
  std::vector<uint64_t> taken;
  Status st = TakePages(count, false, &taken);
  if (!st.ok()) {
    Rollback();
    return st;
  }
  PAGER_RETURN_IF_ERROR(Commit());
  std::copy(taken.begin(), taken.end(), pages);
  return Status::Ok();
}

Status PageFile::Free(uint64_t page) { return FreeBulk(&page, 1); }

Status PageFile::FreeBulk(const uint64_t* pages, uint64_t count) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  if (count == 0) return Status::Ok();
  std::unordered_set<uint64_t> seen;
  seen.reserve(static_cast<size_t>(std::min(count, page_count_)));  // more ids repeat one
  for (uint64_t i = 0; i < count; i++) {
    Status st = ClassifyFree(pages[i]);
    if (!st.ok()) return count == 1 ? st : Status(st.code(), "free list entry " + std::to_string(i) + ": " + st.message());
    if (!seen.insert(pages[i]).second) {
      return Status(Code::kDuplicate, "free list entry " + std::to_string(i) + ": page " +
                                          std::to_string(pages[i]) + " appears twice");
    }
  }
  BeginOp();
  for (uint64_t i = 0; i < count; i++) {
    FlipBit(pages[i]);
    hint_ = std::min(hint_, pages[i]);
  }
  used_count_ -= count;
  return Commit();
}

Status PageFile::Grow(uint64_t page_count) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  if (page_count <= page_count_) return Status::Ok();
  uint64_t max_pages = options_.max_size_bytes / page_size_;
  uint64_t target = page_count > max_pages ? page_count : RoundPageCount(page_count, page_size_);
  if (target > max_pages) {
    return Status(Code::kFull, "a page space of " + std::to_string(target) +
                                   " pages exceeds max_size_bytes " +
                                   std::to_string(options_.max_size_bytes));
  }
  BeginOp();
  Status st = GrowTo(target);
  if (!st.ok()) {
    Rollback();
    return st;
  }
  return Commit();
}

Status PageFile::PagePointer(uint64_t page, bool writable, uint8_t** out) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  if (writable && read_only_) return Status(Code::kReadOnly, path_ + " is open read-only");
  PAGER_RETURN_IF_ERROR(CheckRegularLocked(page));
  *out = map_->data() + page * page_size_;
  return Status::Ok();
}

// P11: one device flush for any set of pages. fdatasync writes back every dirty page of the
// file (those dirtied through the mapping included: the page cache is the mapping) in offset
// order, then flushes the device once; msync(MS_SYNC) per run would flush once per run.
Status PageFile::SyncPages(const uint64_t* pages, uint64_t count) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  for (uint64_t i = 0; i < count; i++) {
    Status st = CheckRegularLocked(pages[i]);
    if (!st.ok()) return Status(st.code(), "sync list entry " + std::to_string(i) + ": " + st.message());
  }
  if (count == 0) return Status::Ok();
  if (journal_ != nullptr) return SyncPagesJournaled(pages, count);  // P15
  sync_count_++;
  Status st = file_->DataSync();
  if (!st.ok()) {
    poisoned_ = true;  // P6: never retried
    poison_reason_ = st.ToString();
  }
  return st;
}

Status PageFile::PageCount(uint64_t* out) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  *out = page_count_;
  return Status::Ok();
}

Status PageFile::FreePageCount(uint64_t* out) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  *out = page_count_ - used_count_;
  return Status::Ok();
}

Status PageFile::ProtectedCount(uint64_t* out) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  *out = protected_count_;
  return Status::Ok();
}

// ---- protected pages ---------------------------------------------------------------------------

DirEntryDisk& PageFile::Entry(uint64_t id) {
  uint32_t per = EntriesPerDirPage(page_size_);
  return dirs_[(id - 1) / per].entries[(id - 1) % per];
}

const DirEntryDisk& PageFile::Entry(uint64_t id) const {
  uint32_t per = EntriesPerDirPage(page_size_);
  return dirs_[(id - 1) / per].entries[(id - 1) % per];
}

void PageFile::SetEntry(uint64_t id, const DirEntryDisk& value) {
  undo_.entries.emplace_back(id - 1, Entry(id));
  Entry(id) = value;
  if ((value.flags & kEntryInUse) == 0) LowerEntryHint(id);  // P17
  dirty_dirs_.insert(static_cast<uint32_t>((id - 1) / EntriesPerDirPage(page_size_)));
}

Status PageFile::CheckProtectedId(uint64_t id, bool for_free) const {
  uint64_t capacity = uint64_t{dirs_.size()} * EntriesPerDirPage(page_size_);
  if (id == 0 || id > capacity) {
    return Status(Code::kRange, "protected page " + std::to_string(id) +
                                    " is outside the directory (ids 1.." +
                                    std::to_string(capacity) + ")");
  }
  if ((Entry(id).flags & kEntryInUse) == 0) {
    return Status(for_free ? Code::kDoubleFree : Code::kNotFound,
                  "protected page " + std::to_string(id) + " is not allocated");
  }
  return Status::Ok();
}

uint64_t PageFile::DirCapacity() const {
  return uint64_t{dirs_.size()} * EntriesPerDirPage(page_size_);
}

// A directory entry id nobody holds: past the directory (it grows at the commit that uses the
// id) or free, and not reserved by an open transaction (P12).
bool PageFile::EntryTakeable(uint64_t id) const {
  if (id <= DirCapacity() && (Entry(id).flags & kEntryInUse) != 0) return false;
  return reserved_ids_.count(id) == 0;
}

// Appends one directory page (two slot pages taken, P5) in the pending operation.
Status PageFile::AddDirPage() {
  uint32_t per = EntriesPerDirPage(page_size_);
  if (dirs_.size() >= MaxDirPages(page_size_)) {
    return Status(Code::kFull, "the protected directory is full (" +
                                   std::to_string(uint64_t{dirs_.size()} * per) +
                                   " protected pages at this page size)");
  }
  std::vector<uint64_t> slots;
  PAGER_RETURN_IF_ERROR(TakePages(2, true, &slots));
  DirPage dp;
  dp.slots.page[0] = slots[0];
  dp.slots.page[1] = slots[1];
  dp.entries.assign(per, DirEntryDisk{});
  dirs_.push_back(dp);
  dirty_dirs_.insert(static_cast<uint32_t>(dirs_.size() - 1));
  return Status::Ok();
}

// The lowest takeable entry id, adding directory pages (in the pending operation) as needed.
Status PageFile::FindFreeEntry(uint64_t* id) {
  for (;;) {
    uint64_t capacity = DirCapacity();
    for (uint64_t i = entry_hint_; i <= capacity; i++) {
      if (EntryTakeable(i)) {
        entry_hint_ = i;  // P17: every id below it is taken
        *id = i;
        return Status::Ok();
      }
    }
    entry_hint_ = std::max(entry_hint_, capacity + 1);
    PAGER_RETURN_IF_ERROR(AddDirPage());
  }
}

Status PageFile::AllocProtectedLocked(uint64_t* id) {
  PAGER_RETURN_IF_ERROR(FindFreeEntry(id));
  std::vector<uint64_t> backing;
  PAGER_RETURN_IF_ERROR(TakePages(2, true, &backing));
  zero_page_.resize(page_size_, 0);
  ContentWrite zero{backing[0], zero_page_.data()};
  DirEntryDisk en{};
  en.page[0] = backing[0];
  en.page[1] = backing[1];
  en.content_checksum = Checksum64(zero.data, page_size_, kSeedContent);
  en.write_generation = generation_ + 1;
  en.flags = kEntryInUse;
  SetEntry(*id, en);
  content_.push_back(zero);
  protected_count_++;
  return Status::Ok();
}

void PageFile::FreeProtectedLocked(uint64_t id) {
  DirEntryDisk en = Entry(id);
  for (uint64_t p : en.page) {
    FlipBit(p);
    internal_.erase(p);
    undo_.internal_removed.push_back(p);
    hint_ = std::min(hint_, p);
  }
  used_count_ -= 2;
  protected_count_--;
  SetEntry(id, DirEntryDisk{});
}

Status PageFile::ProtectedAlloc(uint64_t* id) { return ProtectedAllocBulk(1, id); }

Status PageFile::ProtectedAllocBulk(uint64_t count, uint64_t* ids) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  if (count == 0) return Status::Ok();
  // Refuse at once what the directory or max_size_bytes cannot hold (two backing pages each).
  uint64_t capacity = uint64_t{MaxDirPages(page_size_)} * EntriesPerDirPage(page_size_);
  if (count > capacity - protected_count_) {
    return Status(Code::kFull, std::to_string(count) + " protected pages do not fit: the directory "
                                   "holds at most " + std::to_string(capacity) +
                                   " at this page size and " +
                                   std::to_string(protected_count_) + " are in use");
  }
  PAGER_RETURN_IF_ERROR(CheckRoomFor(2 * count));
  BeginOp();
  std::vector<uint64_t> got(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; i++) {
    Status st = AllocProtectedLocked(&got[i]);
    if (!st.ok()) {
      Rollback();
      return st;
    }
  }
  PAGER_RETURN_IF_ERROR(Commit());
  std::copy(got.begin(), got.end(), ids);
  return Status::Ok();
}

Status PageFile::ProtectedFree(uint64_t id) { return ProtectedFreeBulk(&id, 1); }

Status PageFile::ProtectedFreeBulk(const uint64_t* ids, uint64_t count) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  if (count == 0) return Status::Ok();
  std::unordered_set<uint64_t> seen;
  for (uint64_t i = 0; i < count; i++) {
    Status st = CheckProtectedId(ids[i], true);
    if (!st.ok()) return count == 1 ? st : Status(st.code(), "free list entry " + std::to_string(i) + ": " + st.message());
    if (!seen.insert(ids[i]).second) {
      return Status(Code::kDuplicate, "free list entry " + std::to_string(i) +
                                          ": protected page " + std::to_string(ids[i]) +
                                          " appears twice");
    }
    if (open_txns_.count(ids[i]) != 0) {
      return Status(Code::kBusy, "protected page " + std::to_string(ids[i]) +
                                     " has an open write transaction");
    }
  }
  BeginOp();
  for (uint64_t i = 0; i < count; i++) FreeProtectedLocked(ids[i]);
  return Commit();
}

Status PageFile::ProtectedRead(uint64_t id, void* buf, uint64_t len) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  PAGER_RETURN_IF_ERROR(CheckProtectedId(id, false));
  if (len < page_size_) {
    return InvalidArgument("buffer of " + std::to_string(len) + " bytes is smaller than the page (" +
                           std::to_string(page_size_) + " bytes)");
  }
  const DirEntryDisk& en = Entry(id);
  uint64_t active = en.page[(en.flags & kEntryActiveB) ? 1 : 0];
  std::memcpy(buf, map_->data() + active * page_size_, page_size_);
  return Status::Ok();
}

Status PageFile::ProtectedWrite(uint64_t id, const void* data) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireWritable());
  PAGER_RETURN_IF_ERROR(CheckProtectedId(id, false));
  if (open_txns_.count(id) != 0) {
    return Status(Code::kBusy, "protected page " + std::to_string(id) +
                                   " has an open write transaction");
  }
  return WriteProtectedLocked({TxnPage{id, static_cast<const uint8_t*>(data)}});
}

// P10: one commit for every page: each new content goes to the inactive backing page and
// each directory entry flips to it; the entries reach disk in the same meta commit.
Status PageFile::WriteProtectedLocked(const std::vector<TxnPage>& pages) {
  BeginOp();
  try {
    StageProtectedWrites(pages);
  } catch (...) {
    Rollback();  // P7: nothing was written yet
    throw;
  }
  return Commit();
}

void PageFile::StageProtectedWrites(const std::vector<TxnPage>& pages) {
  for (const TxnPage& p : pages) {
    DirEntryDisk en = Entry(p.id);
    en.flags ^= kEntryActiveB;
    uint64_t target = en.page[(en.flags & kEntryActiveB) ? 1 : 0];
    ContentWrite w{target, p.data};
    en.content_checksum = Checksum64(w.data, page_size_, kSeedContent);
    en.write_generation = generation_ + 1;
    SetEntry(p.id, en);
    content_.push_back(w);
  }
}

// ---- iteration and invariants -------------------------------------------------------------------

Status PageFile::NextRegular(uint64_t from, uint64_t* page, bool* found) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  *found = false;
  uint64_t p = std::max<uint64_t>(from, kFirstDataPage);
  while (p < page_count_) {
    uint64_t word = bits_[p >> 6] >> (p & 63);
    if (word == 0) {
      p = (p | 63) + 1;
      continue;
    }
    p += static_cast<uint64_t>(__builtin_ctzll(word));
    if (p >= page_count_) break;
    if (!IsInternal(p)) {
      *page = p;
      *found = true;
      return Status::Ok();
    }
    p++;
  }
  return Status::Ok();
}

Status PageFile::NextProtected(uint64_t from, uint64_t* id, bool* found) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  *found = false;
  uint64_t capacity = uint64_t{dirs_.size()} * EntriesPerDirPage(page_size_);
  for (uint64_t i = std::max<uint64_t>(from, 1); i <= capacity; i++) {
    if (Entry(i).flags & kEntryInUse) {
      *id = i;
      *found = true;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status PageFile::CheckInvariants() {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  uint64_t set = 0;
  for (uint64_t w : bits_) set += static_cast<uint64_t>(__builtin_popcountll(w));
  if (set != used_count_) {
    return Internal("P4: used_count " + std::to_string(used_count_) + " but " +
                    std::to_string(set) + " bits set");
  }
  if (bits_.size() != (page_count_ + 63) / 64 ||
      (page_count_ % 64 != 0 && (bits_.back() >> (page_count_ % 64)) != 0)) {
    return Internal("P4: bits at or past page_count are set");
  }
  for (uint64_t p = 0; p < page_count_; p++) {
    if (IsInternal(p) && !Bit(p)) return Internal("P4: internal page " + std::to_string(p) + " is free");
  }
  uint64_t in_use = 0;
  uint64_t capacity = uint64_t{dirs_.size()} * EntriesPerDirPage(page_size_);
  std::unordered_set<uint64_t> owned;
  for (const DirPage& d : dirs_) owned.insert({d.slots.page[0], d.slots.page[1]});
  for (uint64_t i = 1; i <= capacity; i++) {
    const DirEntryDisk& en = Entry(i);
    if (!(en.flags & kEntryInUse)) continue;
    in_use++;
    for (uint64_t p : en.page) {
      if (!owned.insert(p).second) return Internal("page " + std::to_string(p) + " owned twice");
    }
  }
  if (owned.size() != internal_.size()) return Internal("internal page set out of date");
  for (uint64_t i = 1; i < entry_hint_ && i <= capacity; i++) {
    if (EntryTakeable(i)) {
      return Internal("P17: protected id " + std::to_string(i) + " is free below the entry hint " +
                      std::to_string(entry_hint_));
    }
  }
  if (in_use != protected_count_) return Internal("protected_count out of date");
  for (const auto& r : reserved_ids_) {
    if (r.first <= capacity && (Entry(r.first).flags & kEntryInUse) != 0) {
      return Internal("P12: reserved protected id " + std::to_string(r.first) + " is in use");
    }
  }
  for (uint64_t id : freeing_) {
    if (open_txns_.count(id) == 0) {
      return Internal("P12: protected page " + std::to_string(id) + " is freed by no transaction");
    }
  }
  return Status::Ok();
}

}  // namespace file
}  // namespace pager
