// The page journal as a format-2 page file uses it (P14-P16): attaching it at open (the
// replay), committing and syncing pages through it, the checkpoint, and the clean close.
#include <algorithm>
#include <cstring>

#include "impl/common/stream_copy.h"
#include "impl/file/journal_overlay.h"
#include "impl/file/page_file.h"

namespace pager {
namespace file {

namespace {

// P15: SyncPages journals at most this many bytes of pages per batch (bounded memory).
constexpr uint64_t kSyncBatchBytes = uint64_t{16} << 20;

}  // namespace

// P16: a read-write handle replays the chain into the main file, makes the main file durable
// and invalidates the journal before recovery reads anything; a read-only handle reads the
// file through the replayed view (journal_overlay.h), writing nothing. create: a new file's
// journal starts empty (a leftover of an earlier file at that path is truncated).
Status PageFile::OpenJournal(bool create, bool* replayed) {
  *replayed = false;
  if (format_version_ != kFormatVersion) return Status::Ok();
  JournalScan scan;
  if (read_only_) {  // O1-O3: recovery and the mapping see the chain, nothing is written
    PAGER_RETURN_IF_ERROR(OverlayJournal(env_, path_, file_id_, page_size_log2_,
                                         options_.max_size_bytes, &file_, &scan));
    report_.journal_batches = scan.batches;
    report_.journal_pages = scan.pages;
    return Status::Ok();
  }
  std::unique_ptr<Journal> j;
  PAGER_RETURN_IF_ERROR(Journal::Open(env_, path_, true, create, file_id_, page_size_log2_, &j));
  PAGER_RETURN_IF_ERROR(j->Replay(
      options_.max_size_bytes,
      [&](uint64_t page, const uint8_t* image) {
        return file_->WriteAt(page * page_size_, image, page_size_);
      },
      &scan));
  if (scan.batches == 0 && scan.file_bytes > 0) {
    // P16: no chain in what the open read. A clean close whose invalidation failed (its
    // journal DataSync) left the head zeroed in the page cache and the checkpointed chain on
    // disk; made durable now, before anything is written in place, that chain cannot replay
    // over this session's state after a crash.
    PAGER_RETURN_IF_ERROR(j->Sync());
  }
  if (scan.batches > 0) {
    uint64_t size = 0;
    PAGER_RETURN_IF_ERROR(file_->Size(&size));
    if (size < scan.main_bytes) PAGER_RETURN_IF_ERROR(file_->Truncate(scan.main_bytes));
    PAGER_RETURN_IF_ERROR(file_->DataSync());
    PAGER_RETURN_IF_ERROR(j->Invalidate());
    *replayed = true;
    report_.journal_batches = scan.batches;
    report_.journal_pages = scan.pages;
  }
  journal_ = std::move(j);
  return Status::Ok();
}

// P5 after a replay: blocks a crash may have lost with the main file's unsynced metadata.
Status PageFile::ReserveInUse() {
  uint64_t p = 0;
  while (p < page_count_) {
    if (bits_[p >> 6] == 0 && (p & 63) == 0) {
      p += 64;
      continue;
    }
    if (!Bit(p)) {
      p++;
      continue;
    }
    uint64_t q = p + 1;
    while (q < page_count_ && Bit(q)) q++;
    PAGER_RETURN_IF_ERROR(ReserveRun(p, q - p));
    p = q;
  }
  return Status::Ok();
}

// P16: every page of the journal's chain made durable in the main file (the checkpoint's
// flush, counted in sync_count and checkpoint_count).
Status PageFile::SyncMainForCheckpoint() {
  sync_count_++;
  checkpoint_count_++;
  return file_->DataSync();
}

// P16: the checkpoint when the batch would end past the lap, then the batch (J1). *wrote
// turns true once a failure must poison (P6): a failed checkpoint sync, or any write.
Status PageFile::AppendBatch(const std::vector<PageWrite>& writes, bool* wrote) {
  if (journal_->NeedsRestart(writes.size(), options_.journal_lap_bytes)) {
    Status st = SyncMainForCheckpoint();
    if (!st.ok()) {
      *wrote = true;
      return st;
    }
    journal_->Restart();
  }
  PAGER_RETURN_IF_ERROR(journal_->Reserve(writes.size()));  // kNoSpc: nothing written
  std::vector<uint64_t> pages(writes.size());
  std::vector<const uint8_t*> images(writes.size());
  for (size_t i = 0; i < writes.size(); i++) {
    pages[i] = writes[i].page;
    images[i] = writes[i].bytes;
  }
  *wrote = true;
  return journal_->Append(pages.data(), images.data(), static_cast<uint32_t>(writes.size()),
                          page_count_ * page_size_);
}

// P14: the batch's write started, then the main file's copy of it through the mapping (the
// page cache, no sync; every page a commit writes is in the page space and has its blocks
// reserved, P5) from the journal's copy of each image while the device takes the batch, then
// the journal's DataSync: the commit's one flush.
Status PageFile::WriteJournaled(const std::vector<PageWrite>& writes, bool apply, bool* wrote) {
  PAGER_RETURN_IF_ERROR(AppendBatch(writes, wrote));
  if (apply) {
    PAGER_RETURN_IF_ERROR(journal_->StartWriteback());
    for (size_t i = 0; i < writes.size(); i++) {
      StreamCopy(map_->data() + writes[i].page * page_size_,
                 journal_->AppendedImage(static_cast<uint32_t>(i)), page_size_);
    }
    StreamCopyFence();
  }
  sync_count_++;
  return journal_->Sync();
}

// P15 (validated by SyncPages): the listed pages as they are now, journaled; the journal
// copies each batch's pages under mu_ (J1).
Status PageFile::SyncPagesJournaled(const uint64_t* pages, uint64_t count) {
  std::vector<uint64_t> list(pages, pages + count);
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
  size_t per_batch = static_cast<size_t>(std::max<uint64_t>(1, kSyncBatchBytes / page_size_));
  std::vector<PageWrite> writes;
  bool wrote = false;
  Status st = [&]() -> Status {
    for (size_t i = 0; i < list.size(); i += per_batch) {
      size_t n = std::min(per_batch, list.size() - i);
      writes.clear();
      for (size_t k = 0; k < n; k++) {
        writes.push_back({list[i + k], map_->data() + list[i + k] * page_size_});
      }
      PAGER_RETURN_IF_ERROR(AppendBatch(writes, &wrote));
    }
    sync_count_++;
    return journal_->Sync();
  }();
  if (!st.ok() && wrote) {
    poisoned_ = true;  // P6: never retried
    poison_reason_ = st.ToString();
  }
  return st;
}

// P16 at a clean close: the main file made durable, then the journal emptied. A failure
// leaves the chain in place, and the next read-write open replays it: nothing is lost.
void PageFile::CheckpointAtClose() {
  if (journal_ == nullptr || closed_ || poisoned_ || file_ == nullptr) return;
  // No batch since the last invalidation. (end_bytes() 0 is not enough: after a checkpoint
  // whose next batch failed to reserve its blocks, the old lap's chain is still there.)
  if (!journal_->may_hold_chain()) return;
  if (!SyncMainForCheckpoint().ok()) return;
  (void)journal_->Invalidate();
}

}  // namespace file
}  // namespace pager
