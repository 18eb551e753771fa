// WalPager commits (W5, W7, W12, W14, W28, W30 in wal_pager.h): which staged pages changed,
// their frames appended and synced, and the handle's read state moved to the new commit.
#include <algorithm>
#include <cstring>

#include "impl/common/bytes.h"
#include "impl/io/checksum.h"
#include "impl/wal/wal_pager.h"

namespace pager {
namespace wal {

// ---- commit --------------------------------------------------------------------------------

Result<uint32_t> WalPager::Commit() {
  std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
  LockNotingCheckpointer(&lock);
  if (mode_ == AccessMode::kReadOnly) {
    return Status(Code::kReadOnly, "commit on read-only handle of " + path_);
  }
  // W26: this transaction's staging or this call waited for the thread's final step.
  const bool waited = txn_met_checkpointer_;
  txn_met_checkpointer_ = false;
  if (waited) stats_.checkpoint_waits++;
  PAGER_RETURN_IF_ERROR(CheckWritable("commit"));
  WaitForCheckpointer(&lock, waited);  // W26 backpressure
  PAGER_RETURN_IF_ERROR(CheckWritable("commit"));  // the checkpointer may have failed a sync
  busy_state_ = State::kCommitting;
  Result<uint32_t> r = CommitLocked();
  commit_scratch_.Reset();  // W28, whatever became of the commit
  busy_state_ = State::kOpen;
  if (!r.ok() || !AutoCheckpointDue()) return r;
  if (bg_thread_.joinable()) {  // W26: the thread checkpoints; this commit only appended
    bg_wake_.notify_all();
    return r;
  }
  // The commit is durable whatever happens now: a failed automatic checkpoint does not fail
  // it (if it poisoned the handle, the next mutation says so).
  Result<uint32_t> cp = CheckpointLocked(CheckpointMode::kPassive, false);
  if (!cp.ok()) NoteCheckpointFailure(cp.status());  // W12: retried after the next commit
  return r;
}

// Appends the dirty pages to `frames` (W5) and what is known of their hashes to `hashes`.
// Reads only; nothing is written yet. A cached page is compared with its cached bytes. A page
// that is not cached has its staged bytes hashed; when its committed hash is known (W14) it
// is dirty without a read if the two differ; an equal hash falls back to reading the
// committed bytes (WAL or main file) and comparing them. A page neither cached nor hashed is compared when
// its committed bytes are zeros or a WAL frame (written since the last checkpoint), and is
// dirty without a read when they are in the main file only: there they may be on disk only,
// and comparing would cost a random read per page (with a working set larger than the page
// cache, 256 of them per 1 MiB commit).
Status WalPager::CollectDirty(std::vector<WalLog::FrameRef>* frames,
                              std::vector<StagedHash>* hashes) {
  std::vector<uint8_t>& committed = commit_scratch_.committed;  // W28
  committed.resize(page_size_);
  std::vector<std::pair<uint32_t, const uint8_t*>>& staged = commit_scratch_.staged;
  staged_->Ascending(&staged);
  for (const auto& kv : staged) {
    const uint8_t* bytes = kv.second;
    StagedHash hash;
    bool dirty = true;
    if (kv.first >= ZeroFrom()) {
      dirty = !AllZero(bytes, page_size_);
    } else if (const uint8_t* cached = cache_->Lookup(kv.first)) {
      stats_.cache_hits++;
      dirty = std::memcmp(cached, bytes, page_size_) != 0;
    } else {
      // Hashed while the staged bytes are hot: the page goes into the cache with its hash
      // known (RememberHashes), so its eviction, commits later, hashes nothing cold.
      hash = StagedHash{true, Checksum64(bytes, page_size_)};
      auto known = committed_hash_.find(kv.first);
      if (known != committed_hash_.end()) dirty = hash.value != known->second;
      const bool compare = (known != committed_hash_.end())
                               ? !dirty  // a hash match is never trusted alone
                               : LocateLatest(kv.first).kind != PageSource::kMain;
      if (compare) {
        PAGER_RETURN_IF_ERROR(ReadCommitted(kv.first, committed.data()));
        dirty = std::memcmp(committed.data(), bytes, page_size_) != 0;
      }
    }
    if (dirty) {
      frames->push_back(WalLog::FrameRef{kv.first, bytes});
      hashes->push_back(hash);
    }
  }
  return Status::Ok();
}

// W14 for the pages a commit wrote (before they enter the cache): the staged bytes' hash when
// CollectDirty computed it, else unknown (erased; the page goes into the cache and is hashed
// if the cache evicts it).
void WalPager::RememberHashes(const std::vector<WalLog::FrameRef>& frames,
                              const std::vector<StagedHash>& hashes) {
  for (size_t i = 0; i < hashes.size(); i++) {
    if (!hashes[i].known) {
      committed_hash_.erase(frames[i].page_number);
    } else if (HashRoom()) {
      committed_hash_[frames[i].page_number] = hashes[i].value;
    }
  }
}

// The cache evicts a page (its bytes are its committed content, C2): remember their hash
// unless it is known already (W14).
void WalPager::RememberEvicted(uint32_t page_number, const uint8_t* bytes) {
  if (committed_hash_.count(page_number) != 0 || !HashRoom()) return;
  committed_hash_[page_number] = Checksum64(bytes, page_size_);
}

// Room for one more hash under the W14 bound: when the map is full it is cleared.
bool WalPager::HashRoom() {
  const size_t bound = size_t{kHashedPagesPerCachePage} * options_.cache_pages;
  if (bound == 0) return false;
  if (committed_hash_.size() >= bound) committed_hash_.clear();
  return true;
}

bool WalPager::CommitScratch::Empty() const {
  return frames.empty() && hashes.empty() && staged.empty() && taken.empty() &&
         in_place.empty() && undo.index.empty();
}

bool WalPager::CommitScratch::Bounded() const {
  const size_t kept = kKeptCommitScratchEntries;
  return frames.capacity() <= kept && hashes.capacity() <= kept &&
         staged.capacity() <= kept && taken.capacity() <= kept && in_place.capacity() <= kept &&
         undo.index.capacity() <= kept;
}

void WalPager::CommitScratch::Reset() {
  auto reset = [](auto* v) {
    if (v->capacity() > kKeptCommitScratchEntries) {
      std::remove_reference_t<decltype(*v)>().swap(*v);
    } else {
      v->clear();
    }
  };
  reset(&frames);
  reset(&hashes);
  reset(&staged);
  reset(&taken);
  reset(&in_place);
  reset(&undo.index);
}

Result<uint32_t> WalPager::CommitLocked() {
  std::vector<WalLog::FrameRef>& frames = commit_scratch_.frames;
  std::vector<StagedHash>& hashes = commit_scratch_.hashes;
  PAGER_RETURN_IF_ERROR(CollectDirty(&frames, &hashes));
  const uint32_t data_frames = static_cast<uint32_t>(frames.size());
  const bool app_dirty = std::memcmp(staged_app_, committed_app_, kAppHeaderSize) != 0;
  const uint32_t floor = std::min(ZeroFrom(), staged_count_);
  if (frames.empty() && !app_dirty && staged_count_ == committed_count_ &&
      staged_floor_ >= committed_count_) {
    ClearStagedLocked();
    return uint32_t{0};
  }
  std::vector<uint8_t> page0;
  if (app_dirty || frames.empty()) {
    page0.assign(page_size_, 0);
    std::memcpy(page0.data(), staged_app_, kAppHeaderSize);
    frames.push_back(WalLog::FrameRef{0, page0.data()});
  }
  const uint64_t first_frame = wal_->frame_count();
  Status st = wal_->AppendTransaction(frames, staged_count_, floor);
  if (!st.ok()) {
    return PoisonUnlessShortage(st.WithContext("commit: append frames to " + WalPath(path_)));
  }
  // W30: a big FULL commit applies itself while the device writes its frames; the others
  // after their sync.
  CommitUndo* undo = nullptr;
  if (AppliesWhileSyncing(frames.size(), floor)) {
    st = wal_->StartWritebackOfFrames(first_frame);
    if (!st.ok()) return Poison(st.WithContext("commit: start writeback of " + WalPath(path_)));
    undo = &commit_scratch_.undo;
    ApplyCommitted(frames, hashes, first_frame, floor, undo);
  }
  if (options_.durability == Durability::kFull) {
    st = wal_->Sync(&stats_.bytes_synced);
    if (!st.ok()) {
      if (undo != nullptr) UndoApply(frames, *undo);  // W7: reads stay at the last OK commit
      return Poison(st.WithContext("commit: sync " + WalPath(path_)));
    }
    stats_.syncs++;
  }
  if (undo == nullptr) ApplyCommitted(frames, hashes, first_frame, floor, nullptr);
  for (size_t i = 0; i < frames.size(); i++) NoteShmFrame(first_frame + i, frames[i].page_number);
  NoteShmCommit(first_frame + frames.size() - 1, committed_count_, floor);
  // W21. The commit is durable whatever happens here; an index that could not grow (no
  // space) keeps the entries pending and the next publish stores them.
  (void)PublishShared();
  stats_.commits++;
  stats_.frames_written += frames.size();
  stats_.wal_frames = wal_->frame_count();
  ClearStagedLocked();
  return data_frames;
}

// W30: a FULL commit of at least kOverlappedCommitMinBytes of frames that shrinks nothing.
// Its hint comes after the frames are appended (frame_count() counts them), so a failed hint,
// whatever the errno, is as ambiguous as a failed sync and poisons (io E7; W12's kNoSpace
// exception does not hold); nothing is applied yet then.
bool WalPager::AppliesWhileSyncing(size_t frame_count, uint32_t floor) const {
  return options_.durability == Durability::kFull && floor >= committed_count_ &&
         uint64_t{frame_count} * page_size_ >= kOverlappedCommitMinBytes;
}

// W30: puts back what ApplyCommitted(..., &undo) changed that reads see. The commit's pages
// leave the cache (their committed bytes are read again from the WAL or the main file) and
// lose their W14 hashes; their index entries, the page count, the app header and the
// history are as before the commit. A cache eviction during the apply hashed a page's
// committed bytes of the old state (W14 applies this commit's pages before any eviction)
// or a page of this commit, whose hash goes here.
void WalPager::UndoApply(const std::vector<WalLog::FrameRef>& frames, const CommitUndo& undo) {
  for (const WalLog::FrameRef& f : frames) {
    if (f.page_number == 0) continue;
    cache_->Erase(f.page_number);
    committed_hash_.erase(f.page_number);
  }
  std::vector<uint32_t> unindexed;
  for (const auto& [page, frame_plus_one] : undo.index) {
    if (frame_plus_one == 0) {
      unindexed.push_back(page);
    } else {
      index_.Set(page, frame_plus_one - 1);
    }
  }
  std::sort(unindexed.begin(), unindexed.end());
  index_.EraseIf([&unindexed](uint32_t page) {
    return std::binary_search(unindexed.begin(), unindexed.end(), page);
  });
  history_pending_.resize(undo.history_pending);  // W29: this commit's frames came last
  committed_count_ = undo.committed_count;
  std::memcpy(committed_app_, undo.app, kAppHeaderSize);
}

// frames[0, hashes.size()) are the data frames, in the order CollectDirty found them. With
// undo (W30: only for a commit that shrinks nothing), records what UndoApply puts back.
void WalPager::ApplyCommitted(const std::vector<WalLog::FrameRef>& frames,
                              const std::vector<StagedHash>& hashes, uint64_t first_frame,
                              uint32_t floor, CommitUndo* undo) {
  if (undo != nullptr) {
    undo->index.clear();
    undo->history_pending = history_pending_.size();
    undo->committed_count = committed_count_;
    std::memcpy(undo->app, committed_app_, kAppHeaderSize);
  }
  if (floor < committed_count_) {  // before this transaction's own pages
    shrinks_.emplace_back(first_frame, floor);  // W15
    ApplyShrink(floor);
  }
  RememberHashes(frames, hashes);
  // The staged buffers move into the cache (no copy; the buffers it lets go of return to
  // the pool for the next transaction's staging). W14: the cache may evict while the new
  // bytes go in, and an evicted page is hashed; none of this transaction's pages may still
  // hold its old bytes by then: the cached ones take their new bytes in place first (no
  // eviction), the others go in after. frames[i].body must not be read after this.
  std::vector<PageBuffer>& taken = commit_scratch_.taken;  // W28
  std::vector<uint8_t>& in_place = commit_scratch_.in_place;
  taken.resize(hashes.size());
  in_place.assign(hashes.size(), 0);
  for (size_t i = 0; i < hashes.size(); i++) {
    taken[i] = staged_->TakeBuffer(frames[i].page_number);
    in_place[i] = taken[i] != nullptr && cache_->AdoptInPlace(frames[i].page_number, &taken[i]);
    if (in_place[i]) buffers_->Give(std::move(taken[i]));  // the old bytes
  }
  for (size_t i = 0; i < frames.size(); i++) {
    uint32_t page = frames[i].page_number;
    if (page == 0) {
      std::memcpy(committed_app_, frames[i].body, kAppHeaderSize);
      continue;
    }
    if (undo != nullptr) {
      uint64_t before = 0;
      undo->index.emplace_back(page, index_.Lookup(page, &before) ? before + 1 : 0);
    }
    index_.Set(page, first_frame + i);
    NoteFrame(page, first_frame + i);
    if (in_place[i]) {
      (void)cache_->Lookup(page);  // most recently used, as a Put makes it
    } else {  // every data frame's page is staged (CollectDirty): taken[i] holds its bytes
      buffers_->Give(cache_->Adopt(page, std::move(taken[i])));
    }
  }
  committed_count_ = staged_count_;
}

bool WalPager::AutoCheckpointDue() const {
  if (poisoned_) return false;
  uint64_t frames = wal_->frame_count();
  if (options_.auto_checkpoint_frames > 0 && frames >= options_.auto_checkpoint_frames) {
    return true;
  }
  return options_.auto_checkpoint_bytes > 0 &&
         FrameOffset(frames, page_size_) >= options_.auto_checkpoint_bytes;
}

}  // namespace wal
}  // namespace pager
