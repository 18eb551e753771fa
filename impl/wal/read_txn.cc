// WalPager read transactions (W15-W17 in wal_pager.h): pinned snapshots, the read marks that
// hold checkpoints back, and Close() for handles that read transactions outlive.
#include <algorithm>
#include <chrono>
#include <cstring>

#include "impl/wal/wal_pager.h"

namespace pager {
namespace wal {

Status WalPager::ClosedError() const {
  return InvalidArgument("the WAL pager " + path_ + " is closed");
}

// W29: frames arrive in ascending order (W15); they reach history_ when a reader begins.
void WalPager::NoteFrame(uint32_t page_number, uint64_t frame_index) {
  history_pending_.emplace_back(frame_index, page_number);
}

void WalPager::FoldHistory() {
  for (const auto& fp : history_pending_) history_[fp.second].push_back(fp.first);
  history_pending_.clear();
}

Status WalPager::BeginRead(ReadSnapshot* snap) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckOpen());
  uint64_t mark = wal_ ? wal_->frame_count() : 0;
  uint32_t main_valid = main_valid_count_;
  if (SharedReader()) {  // W19
    uint32_t main_pages = 0;
    PAGER_RETURN_IF_ERROR(PinView(true, &mark, &main_pages));
    if (mark == 0) main_valid = main_pages;  // every frame is in the main file
  }
  snap->generation = generation_;
  snap->mark = mark;
  snap->page_count = committed_count_;
  snap->main_valid_count = std::min(main_valid, committed_count_);
  std::memcpy(snap->app_header, committed_app_, kAppHeaderSize);
  FoldHistory();  // W29: every frame below the mark
  readers_.insert(snap);
  if (SharedReader()) UpdateSlot();
  return Status::Ok();
}

void WalPager::EndRead(ReadSnapshot* snap) {
  std::lock_guard<std::mutex> lock(mu_);
  readers_.erase(snap);
  if (SharedReader() && !closed_) UpdateSlot();
  reader_left_.notify_all();
}

Status WalPager::ReadPageAt(const ReadSnapshot& snap, uint32_t page_number, uint8_t* dst,
                            uint64_t len) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckOpen());
  if (len != page_size_) {
    return InvalidArgument("read_page buffer is " + std::to_string(len) +
                           " bytes, the page size is " + std::to_string(page_size_));
  }
  if (page_number == 0) {
    return Status(Code::kReserved, "page 0 is the library's header; use the app header calls");
  }
  if (page_number >= snap.page_count) {
    return Status(Code::kNotFound, "page " + std::to_string(page_number) +
                                       " is past the snapshot's page count " +
                                       std::to_string(snap.page_count));
  }
  if (snap.generation != generation_) {
    return Internal("read transaction of WAL generation " + std::to_string(snap.generation) +
                    " outlived it (now " + std::to_string(generation_) + ")");  // W16
  }
  const uint64_t frames = wal_ ? wal_->frame_count() : 0;
  // W15 through the mappings (W22); the page cache serves only the latest commit (W8).
  return ReadSource(LocatePage(snap, page_number), page_number, dst, snap.mark == frames);
}

// A shrink committed after `frame` and below `mark` whose floor is at or below the page.
bool WalPager::HiddenByShrink(uint64_t frame, uint64_t mark, uint32_t page_number) const {
  for (const auto& s : shrinks_) {
    if (s.first > frame && s.first < mark && s.second <= page_number) return true;
  }
  return false;
}

bool WalPager::ReadersNeedMain() {
  const uint64_t frames = wal_ ? wal_->frame_count() : 0;
  for (const ReadSnapshot* r : readers_) {
    if (r->generation == generation_ && r->mark < frames) return true;
  }
  return OthersNeedFrames();  // W21
}

// W16: FULL and TRUNCATE wait (mu_ released, so readers keep reading and ending) until no
// reader needs the main file's current bytes, up to lock_timeout_ms.
// Readers of other handles cannot signal reader_left_, so with a shared index the wait
// also polls every millisecond. TRUNCATE also waits for other handles' readers of any frame
// (the WAL can only restart when none is left, W21).
Status WalPager::WaitForReaders(std::unique_lock<std::mutex>* lock, CheckpointMode mode) {
  auto done = [&] {
    return closed_ || (!ReadersNeedMain() && !ReadersHoldWalViews() &&
                        (mode != CheckpointMode::kTruncate || !OthersPinWal()));
  };
  const int64_t wait_ms = options_.lock_timeout_ms;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  bool ok = true;
  while (!done()) {
    if (wait_ms != io::kLockWaitForever && std::chrono::steady_clock::now() >= deadline) {
      ok = false;
      break;
    }
    reader_left_.wait_for(*lock, std::chrono::milliseconds(1));
  }
  if (!ok) {
    stats_.frames_left = wal_->frame_count();
    // Only for the message: the readers of other handles are counted from their slots.
    const uint64_t others = shm_ != nullptr ? shm_->ScanSlots(generation_, slot_).live : 0;
    return Status(Code::kBusy, "checkpoint of " + path_ + ": readers still need the WAL's " +
                                   "frames or the main file's older bytes (" +
                                   std::to_string(readers_.size()) +
                                   " read transaction(s) of this handle, " +
                                   std::to_string(others) +
                                   " other handle(s) reading; waited " +
                                   std::to_string(wait_ms) + " ms)");
  }
  return CheckOpen();
}

// What a handle knows of the frames of its WAL generation besides the page index: the read
// history (W15, W29), the shrinks, the -shm frame entries.
void WalPager::ForgetGenerationFrames() {
  history_.clear();
  history_pending_.clear();
  shrinks_.clear();
  shm_frames_.clear();
  shm_stored_ = 0;
}

// W16: after a reset every reader's mark was the whole old WAL; the main file now holds its
// snapshot, so it reads the new generation from mark 0.
void WalPager::MoveReadersToNewGeneration() {
  ForgetGenerationFrames();
  backfilled_ = 0;
  generation_ = wal_ ? wal_->header().salt1 : generation_ + 1;  // L3
  for (ReadSnapshot* r : readers_) {
    r->generation = generation_;
    r->mark = 0;
    r->main_valid_count = main_valid_count_;
  }
}

Status WalPager::CheckUsable() {
  std::lock_guard<std::mutex> lock(mu_);
  return CheckOpen();
}

void WalPager::Close() {
  StopCheckpointer();  // W26: before the files go
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  if (slot_ >= 0) shm_->ReleaseSlot(slot_);
  slot_ = -1;
  latest_pin_.valid = false;  // W27
  shm_.reset();
  wal_map_.Reset();   // W23: views end here (the mappings hold the files open)
  main_map_.Reset();  // W22
  wal_.reset();
  main_.reset();  // releases the access lock (io E6)
  reader_left_.notify_all();
}

}  // namespace wal
}  // namespace pager
