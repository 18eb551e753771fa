// The WalPager's background checkpointer (W26 in wal_pager.h): a thread owned by the
// read-write handle that runs the passive checkpoint when the auto-checkpoint threshold is
// crossed, so commits only append frames. The page copy and the main file's sync run without
// mu_ (commits append after the target frame meanwhile, reads go on); the final step (the
// frames that came meanwhile, pages past main_valid_count, the main header, the WAL restart)
// runs under mu_ right after, once per WAL generation.
#include <algorithm>

#include "impl/wal/wal_pager.h"

namespace pager {
namespace wal {

void WalPager::StartCheckpointer() {
  if (!options_.background_checkpoint || mode_ != AccessMode::kReadWrite) return;
  bg_thread_ = std::thread([this] { CheckpointerMain(); });
}

// Joins the thread; mu_ must not be held (the thread finishes its step under it).
void WalPager::StopCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    bg_stop_ = true;
    bg_wake_.notify_all();
    bg_idle_.notify_all();
  }
  if (bg_thread_.joinable()) bg_thread_.join();
}

// The thread has work: the auto-checkpoint threshold is crossed, and it is not parked (its
// last step made no progress or failed for lack of space: it waits for the next commit).
bool WalPager::CheckpointerDue() const {
  if (bg_stop_ || poisoned_ || closed_ || wal_ == nullptr) return false;
  if (bg_parked_at_commit_ == stats_.commits) return false;
  return AutoCheckpointDue();
}

void WalPager::CheckpointerMain() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    bg_wake_.wait(lock, [this] { return bg_stop_ || CheckpointerDue(); });
    if (bg_stop_) return;
    bool progress = false;
    Status st = CheckpointerCycle(&lock, &progress);
    if (!st.ok() && !poisoned_) NoteCheckpointFailure(st);  // W12: kNoSpace, retried
    if (!st.ok() || !progress) bg_parked_at_commit_ = stats_.commits;
    bg_mu_releases_++;  // LockNotingCheckpointer: a caller blocked meanwhile waited for us
    bg_idle_.notify_all();
  }
}

// One cycle per WAL generation (W26): copy the frames no reader needs without mu_; if the
// commits that came meanwhile left a large remainder, copy it without mu_ once more (the
// catch-up); then the final step under mu_ copies what is left, writes the main header and
// restarts the WAL (W25, W6). A cycle never loops on small steps: each would cost its own
// main-file sync and copy again the pages the commits keep rewriting. A reader holding frames
// ends the cycle after the copy (W16; the thread parks when nothing moved). *progress:
// something was copied or the WAL restarted.
Status WalPager::CheckpointerCycle(std::unique_lock<std::mutex>* lock, bool* progress) {
  if (wal_->has_unsynced_bytes()) {  // NORMAL: frames are durable before main changes
    Status st = wal_->Sync(&stats_.bytes_synced);
    if (!st.ok()) return Poison(st.WithContext("checkpoint: sync " + WalPath(path_)));
    stats_.syncs++;
  }
  for (int copy = 0; copy < 2; copy++) {  // the copy and at most one catch-up
    if (copy == 1 && !CatchUpWorthIt()) break;
    const uint64_t target = SafeBackfillFrame();  // W16
    if (target <= backfilled_) break;
    PAGER_RETURN_IF_ERROR(CopyWithoutLock(lock, target));
    *progress = true;
    if (bg_stop_ || poisoned_) return Status::Ok();
  }
  if (SafeBackfillFrame() < wal_->frame_count()) return Status::Ok();  // W16: a reader
  const uint64_t restarts = stats_.wal_restarts;
  Hook(HookPoint::kCheckpointerFinalStep);
  Result<uint32_t> r = CheckpointLocked(CheckpointMode::kPassive, false);
  if (stats_.wal_restarts != restarts) *progress = true;
  return r.ok() ? Status::Ok() : r.status();
}

// The remainder the commits appended during the copy is worth a second copy without mu_ when
// it holds at least 1 / kCatchUpDivisor of the threshold (doc/performance.md: below that, the
// final step's copy under mu_ costs the commits less than the catch-up's extra sync).
bool WalPager::CatchUpWorthIt() const {
  const uint64_t remainder = wal_->frame_count() - backfilled_;
  const uint64_t threshold = options_.auto_checkpoint_frames > 0
                                 ? options_.auto_checkpoint_frames
                                 : options_.auto_checkpoint_bytes / FrameSize(page_size_);
  return threshold > 0 && remainder * kCatchUpDivisor >= threshold;
}

// W26: the copy and the main file's sync of frames [backfilled_, target) without mu_. No
// other checkpoint, reset or cut runs meanwhile (bg_copying_); commits only append frames
// past target, and readers never read these pages from the main file (W25).
Status WalPager::CopyWithoutLock(std::unique_lock<std::mutex>* lock, uint64_t target) {
  const std::vector<std::pair<uint32_t, uint64_t>> pairs = PairsToBackfill(target);
  bg_copying_ = true;
  bg_mu_releases_++;
  lock->unlock();
  Hook(HookPoint::kCheckpointerCopying);  // T2's exception: mu_ is not held here
  CopyCounts c;
  Status copied = CopyPairsUnlocked(pairs, &copy_scratch_, &c);  // bg_copying_: ours alone
  Status synced = copied.ok() ? main_->DataSync() : Status::Ok();
  lock->lock();
  bg_copying_ = false;
  bg_idle_.notify_all();
  NoteCopyCounts(c);
  if (!copied.ok()) {
    main_unsynced_bytes_ += c.bytes;
    main_resized_ = true;  // a failed write may have changed bytes it did not count
    return PoisonUnlessShortage(copied.WithContext("background checkpoint"));  // W12
  }
  if (!synced.ok()) return Poison(synced.WithContext("background checkpoint: sync " + path_));
  stats_.syncs++;
  stats_.bytes_synced += c.bytes + main_unsynced_bytes_;
  main_unsynced_bytes_ = 0;
  main_resized_ = false;
  backfilled_ = target;
  stats_.frames_left = wal_->frame_count() - target;
  stats_.checkpoints++;
  stats_.pages_checkpointed += pairs.size();
  return PublishShared();  // W21: other handles see the backfill mark
}

// W26 backpressure: a commit waits while the WAL holds wal_limit_factor x the threshold and
// the checkpointer can still make it shorter (it is not parked: no reader holds the frames
// back and its last step did not fail). Waiting only then, a commit never waits for readers.
bool WalPager::WalOverLimit() const {
  const uint64_t frames = wal_->frame_count();
  const uint64_t factor = std::max<uint32_t>(1, options_.wal_limit_factor);
  if (options_.auto_checkpoint_frames > 0 &&
      frames >= factor * options_.auto_checkpoint_frames) {
    return true;
  }
  return options_.auto_checkpoint_bytes > 0 &&
         FrameOffset(frames, page_size_) >= factor * options_.auto_checkpoint_bytes;
}

// W26: takes mu_ for a call of the transaction being built (stage, set page count, app
// header, commit). When it has to wait and the thread released mu_ meanwhile (its final step,
// or the bookkeeping of a copy), the transaction is noted as having waited for the
// checkpointer; its commit counts that once in checkpoint_waits. The thread counts its
// releases (bg_mu_releases_, bumped before each unlock, read here after the lock: a flag
// read before blocking missed the thread that was just taking mu_ over from this caller).
// The hook runs without mu_ (T2's exception), before this thread blocks.
void WalPager::LockNotingCheckpointer(std::unique_lock<std::mutex>* lock) {
  if (lock->try_lock()) return;
  const uint64_t releases = bg_mu_releases_.load();
  Hook(HookPoint::kWaitingForCheckpointer);
  lock->lock();
  if (bg_mu_releases_.load() != releases) txn_met_checkpointer_ = true;
}

// *counted: this commit was counted in checkpoint_waits already (it met the final step).
void WalPager::WaitForCheckpointer(std::unique_lock<std::mutex>* lock, bool counted) {
  if (!bg_thread_.joinable()) return;
  while (!bg_stop_ && !poisoned_ && WalOverLimit() && CheckpointerDue()) {
    if (!counted) stats_.checkpoint_waits++;
    counted = true;
    bg_wake_.notify_all();
    bg_idle_.wait(*lock);
  }
}

void WalPager::WaitCheckpointerIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  bg_idle_.wait(lock, [this] {
    return !bg_thread_.joinable() || bg_stop_ || (!bg_copying_ && !CheckpointerDue());
  });
}

}  // namespace wal
}  // namespace pager
