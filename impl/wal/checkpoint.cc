// WalPager checkpoints (W6, W10, W13, W16 in wal_pager.h): copying the latest committed frame
// of every page into the main file in page order, publishing the main header, and restarting
// the WAL when no reader still uses its frames.
#include <algorithm>
#include <cstring>

#include "impl/io/checksum.h"
#include "impl/wal/wal_pager.h"

namespace pager {
namespace wal {

// ---- checkpoint ----------------------------------------------------------------------------

namespace {

// The WAL size a restart keeps (the next generation overwrites those blocks instead of
// appending). The WAL runs past the auto-checkpoint threshold by the transaction that
// crossed it, and with the background thread (W26) up to the backpressure limit
// (wal_limit_factor x the threshold, plus the transactions that crossed it), more than the
// default wal_keep_bytes (32 MiB) holds at the default threshold (8192 frames of 4 KiB pages
// = 33.8 MB): every cycle cut the WAL and the next one regrew it with appends. So with
// automatic checkpoints on it keeps what the WAL grew to, up to one more threshold past
// the limit.
uint64_t KeptWalBytes(const Options& o, uint32_t page_size, uint64_t wal_size) {
  if (o.auto_checkpoint_frames == 0) return o.wal_keep_bytes;
  const uint64_t bound = FrameOffset(
      uint64_t{std::max<uint32_t>(1, o.wal_limit_factor) + 1} * o.auto_checkpoint_frames,
      page_size);
  return std::max(o.wal_keep_bytes, std::min(wal_size, bound));
}

}  // namespace

Result<uint32_t> WalPager::Checkpoint(CheckpointMode mode) {
  std::unique_lock<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckOpen());
  if (mode != CheckpointMode::kPassive && mode != CheckpointMode::kFull &&
      mode != CheckpointMode::kTruncate) {
    return InvalidArgument("checkpoint mode " + std::to_string(static_cast<int>(mode)) +
                           " is not PASSIVE (0), FULL (1) or TRUNCATE (2)");
  }
  if (mode_ == AccessMode::kReadOnly) {
    return Status(Code::kReadOnly, "checkpoint on read-only handle of " + path_);
  }
  PAGER_RETURN_IF_ERROR(CheckWritable("checkpoint"));
  // W26: one checkpoint at a time. Waiting for readers (W16) releases mu_, and the thread may
  // begin an unlocked copy meanwhile: copying, cutting or resetting beside it would let its
  // older page bytes land over this checkpoint's after the WAL is reset (a lost commit).
  for (;;) {
    bg_idle_.wait(lock, [this] { return !bg_copying_; });
    if (mode != CheckpointMode::kPassive) PAGER_RETURN_IF_ERROR(WaitForReaders(&lock, mode));
    if (!bg_copying_) break;
  }
  PAGER_RETURN_IF_ERROR(CheckWritable("checkpoint"));  // a commit may have failed meanwhile
  Result<uint32_t> r = CheckpointLocked(mode, false);
  if (!r.ok() && !poisoned_) NoteCheckpointFailure(r.status());
  return r;
}

// W16: while a reader still needs the main file's current bytes nothing is copied (PASSIVE
// returns at once; FULL and TRUNCATE waited in Checkpoint before coming here).
Result<uint32_t> WalPager::CheckpointLocked(CheckpointMode mode, bool force_reset) {
  const bool cut = mode == CheckpointMode::kTruncate && wal_->file_size() > 0;
  if (wal_->frame_count() == 0 && !force_reset && !cut) return uint32_t{0};  // idempotent
  const uint64_t target = SafeBackfillFrame();  // W16
  const State before = busy_state_;
  busy_state_ = State::kCheckpointing;
  Result<uint32_t> r = (target < wal_->frame_count()) ? BackfillStep(target)
                                                      : CheckpointSteps(mode);
  busy_state_ = before;
  return r;
}

// W16: the frames no reader still needs are [0, the smallest read mark of the current
// generation) among this handle's read transactions and the live slots of other handles
// (a slot of another generation counts as mark 0); with no reader, every frame.
uint64_t WalPager::SafeBackfillFrame() {
  uint64_t target = wal_->frame_count();
  for (const ReadSnapshot* r : readers_) {
    if (r->generation == generation_) target = std::min(target, r->mark);
  }
  if (target == 0 || shm_ == nullptr) return target;
  SlotScan s = ScanOthers(false);  // W19: the epoch bump comes before the scan
  if (s.live > 0) target = std::min(target, s.min_mark);
  return target;
}

// W25: copies, for every page below main_valid_count_ with a frame in [backfilled_, target),
// its latest frame below target into the main file and syncs it (no shrink since the main
// header was written hides such a page: it would have lowered main_valid_count_ to it). Pages at or past main_valid_count_ are left to the final step, which cuts
// the main file there before it copies them (DropStalePages). The main
// header is not rewritten: every copied page still has a frame in the WAL, which recovery
// replays over the main file, and no reader reads these pages from the main file (a reader
// at mark m >= target whose page has no frame below m has none below target either).
Result<uint32_t> WalPager::BackfillStep(uint64_t target) {
  stats_.frames_left = wal_->frame_count() - std::min(backfilled_, target);
  if (target <= backfilled_) return uint32_t{0};
  if (wal_->has_unsynced_bytes()) {  // NORMAL: frames are durable before main changes
    Status st = wal_->Sync(&stats_.bytes_synced);
    if (!st.ok()) return Poison(st.WithContext("checkpoint: sync " + WalPath(path_)));
    stats_.syncs++;
  }
  const std::vector<std::pair<uint32_t, uint64_t>> pairs = PairsToBackfill(target);
  Status st = CopyPairsToMain(pairs);
  if (!st.ok()) return PoisonUnlessShortage(st.WithContext("checkpoint"));
  PAGER_RETURN_IF_ERROR(SyncMain());
  backfilled_ = target;
  stats_.frames_left = wal_->frame_count() - target;
  stats_.checkpoints++;
  stats_.pages_checkpointed += pairs.size();
  PAGER_RETURN_IF_ERROR(PublishShared());  // W21: other handles see the backfill mark
  return static_cast<uint32_t>(pairs.size());
}

Result<uint32_t> WalPager::CheckpointSteps(CheckpointMode mode) {
  Result<uint32_t> copied = CopyStep();
  if (!copied.ok()) return copied;
  // W24: from the last scan of the slots until the generation is published.
  if (!LockRestartExclusive()) {
    Result<uint32_t> on = GenerationGoesOn(copied.value());
    if (!on.ok() || mode != CheckpointMode::kTruncate) return on;
    return Status(Code::kBusy, "checkpoint of " + path_ + ": frames copied, but a reader kept "
                               "beginning for " + std::to_string(kRestartWriterWaitMs) +
                               " ms, so the WAL was not truncated; retry");
  }
  Result<uint32_t> r = RestartStep(mode, copied.value());
  EndRestartWindow();
  UnlockRestart();
  return r;
}

// W21: the frames were copied but stay indexed; the generation continues.
Result<uint32_t> WalPager::GenerationGoesOn(uint32_t pages) {
  if (wal_->frame_count() == 0) return pages;  // nothing copied, nothing to publish
  stats_.frames_left = 0;
  stats_.checkpoints++;
  stats_.pages_checkpointed += pages;
  PAGER_RETURN_IF_ERROR(PublishShared());
  return pages;
}

Result<uint32_t> WalPager::CopyStep() {
  uint32_t pages = 0;
  if (wal_->frame_count() > 0) {
    if (wal_->has_unsynced_bytes()) {  // NORMAL: the WAL is synced before main changes
      Status st = wal_->Sync(&stats_.bytes_synced);
      if (!st.ok()) return Poison(st.WithContext("checkpoint: sync " + WalPath(path_)));
      stats_.syncs++;
    }
    Result<uint32_t> copied = CopyFramesToMain();
    if (!copied.ok()) return PoisonUnlessShortage(copied.status().WithContext("checkpoint"));
    pages = copied.value();
    // W6's data sync, only when the main file's size changed (cut, extended, or written past
    // its end): the header must never count pages past the file's durable end. Copied pages
    // within the file need none of their own: until the header's sync returns, the WAL that
    // holds them is not reset, and recovery replays it over whatever part of them reached
    // the disk; that sync makes them durable with the header.
    if (main_resized_) PAGER_RETURN_IF_ERROR(SyncMain());
    PAGER_RETURN_IF_ERROR(PublishMainHeader());
    backfilled_ = wal_->frame_count();
  }
  return pages;
}

Result<uint32_t> WalPager::RestartStep(CheckpointMode mode, uint32_t pages) {
  if (wal_->frame_count() > 0) {
    if (OthersPinWal(true)) {  // W21: its frames stay indexed
      Result<uint32_t> on = GenerationGoesOn(pages);
      if (!on.ok() || mode != CheckpointMode::kTruncate) return on;
      return Status(Code::kBusy, "checkpoint of " + path_ + ": frames copied, but a reader of "
                                 "another handle began reading them, so the WAL was not "
                                 "truncated; retry");
    }
    index_.clear();
  }
  if (ReadersHoldWalViews()) {  // W23: copied, but the viewed frames stay where they are
    if (wal_->frame_count() > 0) stats_.checkpoints++;
    stats_.pages_checkpointed += pages;
    return pages;
  }
  const uint64_t keep = KeptWalBytes(options_, page_size_, wal_->file_size());
  Status st = (mode == CheckpointMode::kTruncate)
                  ? wal_->ResetToEmpty(main_seq_)  // W10
                  : wal_->Reset(main_seq_, keep, &stats_.bytes_synced);
  if (!st.ok()) return Poison(st.WithContext("checkpoint: reset " + WalPath(path_)));
  MoveReadersToNewGeneration();  // W16
  stats_.wal_restarts++;
  stats_.syncs++;
  stats_.frames_left = 0;
  stats_.checkpoints++;
  stats_.pages_checkpointed += pages;
  stats_.wal_frames = 0;
  PAGER_RETURN_IF_ERROR(PublishShared());  // W21
  return pages;
}

// The checkpoint writes the latest committed frame of every indexed page into the main file
// in page order, one write per span of nearby pages (W13, impl/wal/checkpoint_copy.cc), so the
// main file is written front to back.
// W25: for each page below main_valid_count_ with a frame in [backfilled_, target), its
// latest frame below target, sorted by page.
std::vector<std::pair<uint32_t, uint64_t>> WalPager::PairsToBackfill(uint64_t target) const {
  std::unordered_map<uint32_t, uint64_t> latest;
  for (uint64_t f = backfilled_; f < target; f++) {
    const uint32_t page = shm_frames_[f].page_number;
    if (page != 0 && page < main_valid_count_) latest[page] = f;
  }
  std::vector<std::pair<uint32_t, uint64_t>> pairs(latest.begin(), latest.end());
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

// W25: a page whose latest frame is below backfilled_ is in the main file already, unless
// it is at or past main_valid_count_ (DropStalePages cuts those, so they are copied again).
Result<uint32_t> WalPager::CopyFramesToMain() {
  uint64_t size = 0;  // the main file's, after the cut
  PAGER_RETURN_IF_ERROR(DropStalePages(&size));
  std::vector<std::pair<uint32_t, uint64_t>> latest;
  latest.reserve(index_.size());
  for (const auto& kv : index_) {
    if (kv.second >= backfilled_ || kv.first >= main_valid_count_) latest.push_back(kv);
  }
  std::sort(latest.begin(), latest.end());
  // W13: the last span ends at the last page copied, so the file ends there if not before.
  const uint64_t copied_end =
      latest.empty() ? 0 : (uint64_t{latest.back().first} + 1) * page_size_;
  if (copied_end > size) main_resized_ = true;  // the copy writes past the end (W6)
  PAGER_RETURN_IF_ERROR(CopyPairsToMain(latest));
  PAGER_RETURN_IF_ERROR(ExtendMainToPageCount(std::max(size, copied_end)));
  return static_cast<uint32_t>(latest.size());
}

// Pages >= main_valid_count_ without a frame read as zeros (W3). Where the main file still
// holds older bytes for them, cut them off before the frames are copied; the final truncate
// to the page count extends the file with zeros. Safe at any crash point: until the WAL is
// reset its commits keep main_valid_count_ this low on recovery, so these bytes are never read.
// *size: the file's size after the cut.
Status WalPager::DropStalePages(uint64_t* size) {
  PAGER_RETURN_IF_ERROR(main_->Size(size));
  uint64_t keep = uint64_t{main_valid_count_} * page_size_;
  if (*size <= keep) return Status::Ok();
  main_resized_ = true;
  PAGER_RETURN_IF_ERROR(main_->Truncate(keep));
  *size = keep;
  return Status::Ok();
}

// Grows the main file (size bytes now) to the committed page count before the data sync, so
// the new header (written after that sync) never counts pages past the durable end of the file.
Status WalPager::ExtendMainToPageCount(uint64_t size) {
  uint64_t want = uint64_t{committed_count_} * page_size_;
  if (size >= want) return Status::Ok();
  main_resized_ = true;
  return main_->Truncate(want);
}

Status WalPager::SyncMain() {
  Status st = main_->DataSync();
  if (!st.ok()) return Poison(st.WithContext("checkpoint: sync " + path_));
  stats_.syncs++;
  stats_.bytes_synced += main_unsynced_bytes_;
  main_unsynced_bytes_ = 0;
  main_resized_ = false;
  return Status::Ok();
}

// Writes the inactive header copy, shrinks the file to the page count, syncs (W6).
Status WalPager::PublishMainHeader() {
  const int slot = 1 - main_slot_;
  MainHeaderCopy h =
      MakeMainHeader(page_size_, committed_count_, main_seq_ + 1, file_id_, committed_app_);
  Status st = main_->WriteAt(static_cast<uint64_t>(slot) * kHeaderCopySize, &h, sizeof h);
  if (!st.ok()) return Poison(st.WithContext("checkpoint: write header of " + path_));
  main_unsynced_bytes_ += sizeof h;
  uint64_t want = uint64_t{committed_count_} * page_size_;
  uint64_t size = 0;
  st = main_->Size(&size);
  if (st.ok() && size > want) st = main_->Truncate(want);
  if (!st.ok()) return Poison(st.WithContext("checkpoint: truncate " + path_));
  PAGER_RETURN_IF_ERROR(SyncMain());
  main_slot_ = slot;
  main_seq_++;
  main_count_ = main_valid_count_ = committed_count_;
  return Status::Ok();
}

}  // namespace wal
}  // namespace pager
