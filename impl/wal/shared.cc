// WalPager and the shared index `<path>-shm` (W18-W21 in wal_pager.h, X1-X6 in shm_index.h):
// open-time locks, publishing the writer's state, and handles that are not the writer
// following it (refresh, pinned read marks).
#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "impl/wal/wal_pager.h"

namespace pager {
namespace wal {

namespace {
// How long an opener waits for another opener's rebuild of the index (it holds the open
// byte exclusive only while it publishes what it recovered), whatever shorter lock timeout
// it was given.
constexpr int64_t kOpenRebuildWaitMs = 5000;
}  // namespace

// W18: the writer byte excludes a second writer; the access byte (shared) excludes a 0.2
// writer, which takes it exclusive; the open byte tells the first opener it is alone.
Status WalPager::LockForOpen() {
  if (mode_ == AccessMode::kReadWrite) {
    Status st =
        main_->LockRange(kWriterLockByte, 1, io::LockMode::kExclusive, options_.lock_timeout_ms);
    if (st.code() == Code::kBusy && WriterByteHeldShared() && WaitedForIndexRebuild()) {
      st = main_->LockRange(kWriterLockByte, 1, io::LockMode::kExclusive, 0);
    }
    if (st.code() == Code::kBusy) return WriterByteBusy(st);
    PAGER_RETURN_IF_ERROR(st);
  }
  return main_->LockRange(kAccessLockByte, 1, io::LockMode::kShared, options_.lock_timeout_ms);
}

// A writer holds the writer byte exclusive; read-only handles that read from their own scan,
// or rebuild the index from it (W21), hold it shared, and then a shared lock of it can be
// taken.
bool WalPager::WriterByteHeldShared() {
  if (!main_->LockRange(kWriterLockByte, 1, io::LockMode::kShared, 0).ok()) return false;
  (void)main_->UnlockRange(kWriterLockByte, 1);
  return true;
}

// W21: a reader that rebuilds a stale index holds the index's open byte exclusive until it
// has published and let the writer byte go. A writer waits for that byte as an opener waits
// for another's publish (LockIndexForOpen); true if there was such an opener and it is done.
bool WalPager::WaitedForIndexRebuild() {
  std::unique_ptr<io::File> shm;
  if (!env_->Open(ShmPath(path_), io::OpenOptions(), &shm).ok()) return false;
  if (shm->LockRange(kOpenLockByte, 1, io::LockMode::kShared, 0).code() != Code::kBusy) {
    return false;  // no opener on the index: the handles holding the byte read privately
  }
  return shm->LockRange(kOpenLockByte, 1, io::LockMode::kShared, OpenRebuildWaitMs()).ok();
}

Status WalPager::WriterByteBusy(const Status& busy) {
  if (WriterByteHeldShared()) {
    return Status(Code::kBusy,
                  path_ + ": read-only handles that read without the shared index (opened "
                          "while " + ShmPath(path_) + " was stale or missing and no writer "
                          "was active, e.g. after a crash) keep writers out until they close");
  }
  return busy.WithContext("another read-write handle has " + path_ + " open");
}

bool WalPager::IndexExists() {
  bool exists = true;
  return !env_->Exists(ShmPath(path_), &exists).ok() || exists;
}

// W18: the open byte of the index tells the first attacher it is alone.
Status WalPager::LockIndexForOpen(bool* first_opener) {
  io::File* f = shm_->file();
  Status st = f->LockRange(kOpenLockByte, 1, io::LockMode::kExclusive, 0);
  *first_opener = st.ok();
  if (st.ok() || st.code() != Code::kBusy) return st;
  return f->LockRange(kOpenLockByte, 1, io::LockMode::kShared, OpenRebuildWaitMs());
}

// How long an opener waits for another's publish: its lock timeout, at least
// kOpenRebuildWaitMs.
int64_t WalPager::OpenRebuildWaitMs() const {
  return options_.lock_timeout_ms == io::kLockWaitForever
             ? io::kLockWaitForever
             : std::max(options_.lock_timeout_ms, kOpenRebuildWaitMs);
}

// W21: attaches the shared index after the WAL was recovered. The first opener (or any
// handle that finds the index unbelievable while no writer is active) publishes what it
// recovered; a writer always does. A read-only handle that cannot open the index read-write
// keeps a private index and holds the writer byte shared, so no writer starts under it.
Status WalPager::AttachShared() {
  Status st = Status::Ok();
  if (mode_ == AccessMode::kReadOnly && !IndexExists()) {
    // No writer has attached since the index was last removed: a reader creates no file
    // (read-only tools leave the directory as it was); it reads privately and keeps writers
    // out while it is open. A writer that raced ahead and created it is used as usual.
    if (main_->LockRange(kWriterLockByte, 1, io::LockMode::kShared, 0).ok()) {
      return ReadPrivately();
    }
  }
  st = ShmIndex::Open(env_, ShmPath(path_), true, &shm_);
  bool first_opener = false;
  if (st.ok()) st = LockIndexForOpen(&first_opener);
  if (!st.ok()) {
    shm_.reset();
    if (mode_ == AccessMode::kReadWrite) return st.WithContext("shared index of " + path_);
    Status w = main_->LockRange(kWriterLockByte, 1, io::LockMode::kShared, options_.lock_timeout_ms);
    if (w.code() == Code::kBusy) {
      return Status(Code::kBusy, path_ + ": a writer is active and this process cannot open " +
                                     ShmPath(path_) + " read-write (" + st.message() +
                                     "), which reading beside a writer needs");
    }
    PAGER_RETURN_IF_ERROR(w);
    return ReadPrivately();
  }
  if (mode_ == AccessMode::kReadWrite) {
    if (shm_ != nullptr) PAGER_RETURN_IF_ERROR(PublishShared());
  } else if (shm_ != nullptr) {
    // A reader uses the index when it matches its own WAL scan or a writer is active (whose
    // next publish replaces what cannot be believed); else, alone on it, it rebuilds it as a
    // writer's open would (a check, keep_index_as_found, leaves every file as it was and reads
    // privately, as does a reader that is not alone): see W21.
    ShmHeader h;
    st = shm_->ReadHeader(file_id_, &h);
    const bool matches = st.ok() && IndexDescribesScan(h).ok();
    if (!matches &&
        main_->LockRange(kWriterLockByte, 1, io::LockMode::kShared, 0).ok()) {
      // W21: no writer is active. Alone on the index, rebuild it as a writer's open would;
      // else read privately, with the writer byte held shared until close.
      if (!first_opener || options_.keep_index_as_found) return ReadPrivately();
      PAGER_RETURN_IF_ERROR(RebuildIndexAsReader());
      if (shm_ == nullptr) return Status::Ok();  // the index could not take the scan
    }
  }
  if (first_opener) {
    PAGER_RETURN_IF_ERROR(shm_->file()->LockRange(kOpenLockByte, 1, io::LockMode::kShared, 0));
  }
  return Status::Ok();
}

// W21: a read-only handle that reads from its own scan holds the writer byte shared from now
// on, but it scanned before it took the byte: a writer that opened, committed, checkpointed
// (copying pages the scan does not index into the main file) and closed in between would
// leave the scan pairing old frames with new main pages, a torn snapshot. No writer can start
// now, so the WAL tells: if it holds other committed frames than the scan found, the handle
// loads the main header and scans again.
Status WalPager::ReadPrivately() {
  shm_.reset();
  return RescanIfWalMoved();
}

// The scan again from the main header on if the WAL moved since it (the writer byte is held:
// no writer can start meanwhile).
Status WalPager::RescanIfWalMoved() {
  bool moved = false;
  PAGER_RETURN_IF_ERROR(WalMovedSinceScan(&moved));
  if (!moved) return Status::Ok();
  index_.clear();
  ForgetGenerationFrames();
  committed_hash_.clear();
  wal_.reset();
  return LoadAndScan();
}

// W21: the first handle on a stale index with no writer active (the writer byte held shared,
// the open byte exclusive: no other handle reads the index) publishes its scan, checked
// again as ReadPrivately checks it, as a writer's open would; then it lets writers in. An
// index that cannot take the scan (no space, memory or I/O to grow or map it, X3) stays as
// stale as it was, for the next opener to find: this handle then reads privately, the writer
// byte held.
Status WalPager::RebuildIndexAsReader() {
  PAGER_RETURN_IF_ERROR(RescanIfWalMoved());
  Hook(HookPoint::kOpenRebuildingIndex);
  Status published = PublishShared();
  const Code c = published.code();
  if (c == Code::kNoSpace || c == Code::kIo || c == Code::kNoMem) {
    shm_.reset();  // the scan was checked against the WAL with the writer byte held
    return Status::Ok();
  }
  PAGER_RETURN_IF_ERROR(published);
  return main_->UnlockRange(kWriterLockByte, 1);
}

// The WAL as OpenWal would take it now (none, or another file's: no frames) against the scan.
Status WalPager::WalMovedSinceScan(bool* moved) const {
  std::unique_ptr<WalLog> now;
  Status st = WalLog::Open(env_, WalPath(path_), false, page_size_, &now);
  if (st.code() != Code::kNotFound) PAGER_RETURN_IF_ERROR(st);
  if (now != nullptr && now->header().file_id != file_id_) now.reset();
  if (now != nullptr) {
    WalLog::Sink count_only;
    count_only.frame = [](uint64_t, uint32_t) {};
    count_only.commit = [](uint64_t, uint32_t, uint32_t) {};
    PAGER_RETURN_IF_ERROR(now->Recover(count_only));
  }
  const uint64_t frames_now = now != nullptr ? now->frame_count() : 0;
  const uint64_t frames_then = wal_ != nullptr ? wal_->frame_count() : 0;
  *moved = frames_now != frames_then ||
           (frames_now > 0 && (now->header().salt1 != wal_->header().salt1 ||
                               now->header().salt2 != wal_->header().salt2));
  return Status::Ok();
}

// W21: the index describes this handle's own scan at open. Without a WAL on disk (none, or cut
// to zero bytes by a TRUNCATE checkpoint, W10, whose publish names the salts of a header not
// yet written) it describes it when it counts no frame and was published with the main
// header this handle read.
Status WalPager::IndexDescribesScan(const ShmHeader& h) const {
  PAGER_RETURN_IF_ERROR(ValidateShmHeader(h, file_id_));
  const uint64_t frames = wal_ ? wal_->frame_count() : 0;
  if (wal_ == nullptr && h.max_frame == 0 && h.main_checkpoint_seq == main_seq_ &&
      h.main_page_count == main_count_ && h.page_count == committed_count_ &&
      std::memcmp(h.app_header, committed_app_, kAppHeaderSize) == 0) {
    return Status::Ok();
  }
  if (h.generation != generation_ || h.max_frame != frames ||
      (wal_ != nullptr && (h.salt1 != wal_->header().salt1 || h.salt2 != wal_->header().salt2))) {
    return Status(Code::kNotFound,
                  "shared index: generation " + std::to_string(h.generation) + " with " +
                      std::to_string(h.max_frame) + " frames; the WAL scan found generation " +
                      std::to_string(generation_) + " with " + std::to_string(frames));
  }
  return Status::Ok();
}

void WalPager::NoteShmFrame(uint64_t frame_index, uint32_t page_number) {
  if (shm_frames_.size() <= frame_index) shm_frames_.resize(frame_index + 1, ShmFrame{});
  shm_frames_[frame_index].page_number = page_number;
}

void WalPager::NoteShmCommit(uint64_t frame_index, uint32_t page_count, uint32_t floor) {
  if (shm_frames_.size() <= frame_index) shm_frames_.resize(frame_index + 1, ShmFrame{});
  shm_frames_[frame_index].commit_page_count = page_count;
  shm_frames_[frame_index].commit_floor_count = floor;
}

ShmHeader WalPager::CurrentShmHeader() const {
  ShmHeader h{};
  std::memcpy(h.magic, kShmMagic, sizeof kShmMagic);
  h.format_version = kShmVersion;
  h.page_size = page_size_;
  h.file_id = file_id_;
  if (wal_ != nullptr) {
    h.salt1 = wal_->header().salt1;
    h.salt2 = wal_->header().salt2;
  }
  h.generation = generation_;
  h.max_frame = wal_ ? wal_->frame_count() : 0;
  h.page_count = committed_count_;
  h.main_valid_count = main_valid_count_;
  h.backfilled = std::min(backfilled_, h.max_frame);
  h.checkpoint_epoch = shm_epoch_;
  h.change_counter = shm_change_;
  h.main_checkpoint_seq = main_seq_;
  h.main_page_count = main_count_;
  std::memcpy(h.app_header, committed_app_, kAppHeaderSize);
  return h;
}

// X2 then X1: the entries not yet stored, then the header that counts them.
Status WalPager::PublishShared() {
  if (shm_ == nullptr) return Status::Ok();
  const uint64_t frames = wal_ ? wal_->frame_count() : 0;
  if (shm_frames_.size() < frames) return Internal("shared index: frame entries missing");
  if (shm_stored_ > frames) shm_stored_ = 0;
  PAGER_RETURN_IF_ERROR(shm_->StoreFrames(shm_stored_, shm_frames_.data() + shm_stored_,
                                          static_cast<size_t>(frames - shm_stored_)));
  shm_stored_ = frames;
  shm_change_++;
  last_published_ = CurrentShmHeader();
  shm_->Publish(last_published_);
  return Status::Ok();
}

// ---- handles that are not the writer -------------------------------------------------------

// W20: brings this handle's view up to the writer's last publish. *hp points at shm_'s copy
// of that header (valid until its next ReadHeader).
Status WalPager::Refresh(const ShmHeader** hp) {
  Status st = shm_->ReadHeader(file_id_, hp);
  if (!st.ok()) {
    return Status(Code::kBusy, ShmPath(path_) + " cannot be believed (" + st.message() +
                                   "); it is rebuilt by the next opener or republished by "
                                   "the writer's next commit");
  }
  const ShmHeader& hdr = **hp;
  if (hdr.page_size != page_size_) return Corruption(ShmPath(path_) + ": page size differs");
  const bool moved = adopt_from_scratch_ || hdr.generation != generation_ ||
                     (wal_ != nullptr ? (hdr.salt1 != wal_->header().salt1 ||
                                         hdr.salt2 != wal_->header().salt2)
                                      : hdr.max_frame > 0);
  const bool grew = !moved && wal_ != nullptr && hdr.max_frame > wal_->frame_count();
  if (!moved && !grew) return Status::Ok();  // the committed state is the published one
  latest_pin_.valid = false;  // W27: a pin of the old state
  const bool clean = staged_->empty() && staged_count_ == committed_count_ &&
                     staged_floor_ == committed_count_ &&
                     std::memcmp(staged_app_, committed_app_, kAppHeaderSize) == 0;
  Hook(HookPoint::kRefreshBeforeFrames);
  Status adopted = moved ? AdoptGeneration(hdr) : AdoptFrames(hdr);
  if (adopted.code() == Code::kCorrupt && readers_.empty()) {
    // W20: with no mark of this handle in the shared slots the writer may restart the WAL
    // while the entries are loaded, and the next generation's entries then need not end in
    // the commit this header published. Not damage if the header moved meanwhile: this
    // handle's view is rebuilt from the next header (the entries it took are discarded).
    ShmFence(std::memory_order_seq_cst);
    if (!shm_->StillPublished(hdr.generation, hdr.checkpoint_epoch)) {
      adopt_from_scratch_ = true;
      return Status(Code::kBusy, ShmPath(path_) + ": the writer restarted the WAL while its "
                                                  "frame entries were read; retry");
    }
  }
  PAGER_RETURN_IF_ERROR(adopted);
  adopt_from_scratch_ = false;
  if (clean) ClearStagedLocked();
  return Status::Ok();
}

// Indexes frames [frame_count, max_frame) from the shared entries, one transaction at a
// time (a transaction's shrink applies before its frames, as in RecoverWal).
Status WalPager::AdoptFrames(const ShmHeader& h) {
  PAGER_RETURN_IF_ERROR(shm_->MapFrames(h.max_frame));
  std::vector<std::pair<uint64_t, uint32_t>> txn;
  bool app_changed = false;
  for (uint64_t i = wal_->frame_count(); i < h.max_frame; i++) {
    const ShmFrame f = shm_->LoadFrame(i);
    txn.emplace_back(i, f.page_number);
    if (f.commit_page_count == 0) continue;
    if (f.commit_page_count > kMaxPageCount || f.commit_floor_count > f.commit_page_count) {
      return Corruption(ShmPath(path_) + ": frame entry " + std::to_string(i) + " is damaged");
    }
    const uint32_t floor = std::min(f.commit_floor_count, committed_count_);
    if (floor < committed_count_) {
      shrinks_.emplace_back(txn.front().first, floor);  // W15
      ApplyShrink(floor);
    }
    committed_count_ = f.commit_page_count;
    for (const auto& fp : txn) {
      if (fp.second == 0) {
        app_changed = true;
        continue;
      }
      if (fp.second >= committed_count_) {
        return Corruption(ShmPath(path_) + ": frame entry past its page count");
      }
      index_.Set(fp.second, fp.first);
      NoteFrame(fp.second, fp.first);
      cache_->Erase(fp.second);
      committed_hash_.erase(fp.second);
    }
    txn.clear();
  }
  if (!txn.empty() || committed_count_ != h.page_count) {
    return Corruption(ShmPath(path_) + ": frame entries do not end in the published commit");
  }
  wal_->AdoptCommittedFrames(h.max_frame);
  if (app_changed || h.max_frame > 0) std::memcpy(committed_app_, h.app_header, kAppHeaderSize);
  // A checkpoint that let the generation go on (W21) rewrote the main header: W3 bounds
  // main_valid_count_ by its page count, so both come from the same publish.
  main_seq_ = h.main_checkpoint_seq;
  main_count_ = h.main_page_count;
  main_valid_count_ = std::min(h.main_valid_count, committed_count_);
  stats_.wal_frames = h.max_frame;
  return Status::Ok();
}

// The writer reset the WAL (after copying every frame into the main file, W16): read the
// new generation from scratch. Readers of this handle pinned "main file only" (mark 0) move
// to it, as the writer's own do.
Status WalPager::AdoptGeneration(const ShmHeader& h) {
  std::unique_ptr<WalLog> log;
  Status st = WalLog::Open(env_, WalPath(path_), false, page_size_, &log);
  if (st.code() == Code::kNotFound) {
    log.reset();
  } else if (!st.ok()) {
    return st;
  }
  if (h.max_frame > 0 && log != nullptr && log->header().file_id != file_id_) {
    return Corruption(WalPath(path_) + " belongs to another file");
  }
  if (h.max_frame > 0 &&
      (log == nullptr || log->header().salt1 != h.salt1 || log->header().salt2 != h.salt2)) {
    return Status(Code::kBusy, WalPath(path_) + " moved on while it was being read; retry");
  }
  // The old generation's mapping goes with its WalLog: no view of its frames is alive (a
  // handle whose transaction viewed a frame holds a mark > 0, so the writer could not reset
  // the WAL, W21/W23), and the new log may be another file at the same path.
  wal_map_.Reset();
  wal_ = std::move(log);
  index_.clear();
  committed_hash_.clear();
  cache_->EraseFrom(0);
  main_seq_ = h.main_checkpoint_seq;
  main_count_ = h.main_page_count;
  main_valid_count_ = committed_count_ = h.main_page_count;
  std::memcpy(committed_app_, h.app_header, kAppHeaderSize);
  MoveReadersToNewGeneration();
  generation_ = h.generation;
  for (ReadSnapshot* r : readers_) r->generation = generation_;
  if (wal_ == nullptr) return Status::Ok();
  return AdoptFrames(h);
}

uint64_t WalPager::MinReaderMark() const {
  uint64_t m = UINT64_MAX;
  for (const ReadSnapshot* r : readers_) m = std::min(m, r->mark);
  return m;
}

// W19: the slot holds the smallest mark this handle needs (its read transactions and a
// plain read in progress), or 0 (idle).
void WalPager::UpdateSlot() {
  if (slot_ < 0) return;
  const uint64_t m = MinReaderMark();
  shm_->SetSlot(slot_, m == UINT64_MAX ? 0 : MakeSlotValue(generation_, m));
}

// W27: a plain read pins the latest commit again as the last one did -- the same slot value
// stored, the same fence, then X1's four loads check that the header it was taken under is
// still the published one (which also covers W19's re-check of copy A's generation and
// epoch). False (slot as UpdateSlot leaves it): pin from the header (PinView).
bool WalPager::RepinLatest() {
  if (!latest_pin_.valid || !readers_.empty()) return false;
  shm_->SetSlot(slot_, latest_pin_.slot_value);
  ShmFence(std::memory_order_seq_cst);
  Hook(HookPoint::kRepinAfterMark);
  if (shm_->StillStamped(latest_pin_.stamp)) {
    Hook(HookPoint::kRepinChecked);
    return true;
  }
  latest_pin_.valid = false;
  UpdateSlot();
  return false;
}

// W19: refresh, store the mark in the slot, fence, and check that no checkpoint began
// meanwhile (the writer bumps the epoch before it scans the slots): either the writer sees
// the mark or this handle sees the new epoch and tries again. allow_main_only: a fully
// backfilled WAL is pinned as mark 0 (main file only), which does not hold a WAL reset back.
// W24: an odd epoch is a restart window; then (and only then) the pin waits for the restart
// byte, which also covers a writer that died inside the window (its lock went with it).
Status WalPager::PinView(bool allow_main_only, uint64_t* mark, uint32_t* main_page_count) {
  if (slot_ < 0) PAGER_RETURN_IF_ERROR(shm_->ClaimSlot(&slot_));
  Status st = PinViewLocked(allow_main_only, false, mark, main_page_count);
  // W24: an open restart window, or a writer that kept restarting the WAL between this
  // handle's header and WAL reads for every retry (a loaded machine): pin holding the restart
  // byte shared, where no restart can run under the pin.
  if (st.code() != Code::kBusy) return st;
  Hook(HookPoint::kPinBeforeRestartLock);
  PAGER_RETURN_IF_ERROR(LockRestartShared());
  st = PinViewLocked(allow_main_only, true, mark, main_page_count);
  UnlockRestart();
  return st;
}

Status WalPager::PinViewLocked(bool allow_main_only, bool restart_locked, uint64_t* mark,
                               uint32_t* main_page_count) {
  restart_window_seen_ = false;
  Status moving = Status::Ok();
  for (int i = 0; i < kShmHeaderRetries; i++) {
    const ShmHeader* hp = nullptr;
    Hook(HookPoint::kPinBeforeHeader);
    Status st = Refresh(&hp);
    if (st.code() == Code::kBusy) {
      // The writer moved between the header and the WAL (a reset published while this
      // handle read the old sidecar, or a header copy being rewritten): transient, again.
      moving = st;
      std::this_thread::yield();
      continue;
    }
    PAGER_RETURN_IF_ERROR(st);
    const ShmHeader& h = *hp;  // shm_'s copy: valid until its next ReadHeader
    if ((h.checkpoint_epoch & 1) != 0) {  // W24: a restart window
      if (!restart_locked) {
        restart_window_seen_ = true;
        break;
      }
      st = CheckWalMatchesIndex(h);  // its writer stopped inside it
      if (!st.ok()) {
        UpdateSlot();
        return st;
      }
    }
    Hook(HookPoint::kPinAfterHeader);
    // This handle's own WAL scan at open may be ahead of the last publish (a commit written
    // but not yet published): its state then covers those frames too, and so does its mark.
    const uint64_t frames = wal_ ? wal_->frame_count() : 0;
    const uint64_t want =
        (allow_main_only && MainFileHoldsLastCommit(h) && frames <= h.max_frame)
            ? 0
            : std::max(h.max_frame, frames);
    const uint64_t m = std::min(want, MinReaderMark());
    shm_->SetSlot(slot_, MakeSlotValue(generation_, m));
    ShmFence(std::memory_order_seq_cst);
    Hook(HookPoint::kPinAfterMark);
    if (shm_->StillPublished(h.generation, h.checkpoint_epoch)) {
      *mark = want;
      *main_page_count = h.main_page_count;
      // W27: a plain read's pin of the latest commit outside a restart window is reused by
      // the next plain read while the header stays the same.
      latest_pin_.valid = !allow_main_only && !restart_locked && m == want &&
                          (h.checkpoint_epoch & 1) == 0;
      latest_pin_.slot_value = MakeSlotValue(generation_, m);
      latest_pin_.stamp = StampOf(h);
      return Status::Ok();
    }
  }
  UpdateSlot();
  if (!moving.ok()) return moving;
  return Status(Code::kBusy, restart_window_seen_
                                 ? path_ + ": the writer is deciding on a WAL restart"
                                 : path_ + ": checkpoints kept moving while a read began; retry");
}

// Mark 0 (main file only) is right when the main file holds the published commit whole:
// every frame is backfilled AND no page at or past main_valid_count is in the commit (W25
// copies only the pages below it; the background checkpointer publishes backfilled = every
// frame before its final step copies the rest, W26). Otherwise such a page would read as
// zeros or as the main file's older bytes.
bool WalPager::MainFileHoldsLastCommit(const ShmHeader& h) {
  return h.backfilled == h.max_frame && h.main_valid_count == h.page_count;
}

// W24: the epoch is still odd while this handle holds the restart byte shared, so the writer
// died inside its restart window, or failed there (poisoned; EndRestartWindow leaves the
// window open then): the WAL may have been reset or cut under the published index. The index
// is believed only if the WAL file still carries its generation's header and every frame it
// counts; else kBusy until the next read-write open rebuilds it.
Status WalPager::CheckWalMatchesIndex(const ShmHeader& h) {
  if (h.max_frame == 0) return Status::Ok();  // nothing is read from the WAL
  const Status stale(Code::kBusy, path_ + ": its writer stopped inside a WAL restart, so " +
                                      ShmPath(path_) + " may no longer describe " +
                                      WalPath(path_) + "; the next read-write open rebuilds it");
  if (wal_ == nullptr) return stale;
  WalHeader wh;
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(wal_->file()->ReadAt(0, &wh, sizeof wh, &got));
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(wal_->file()->Size(&size));
  if (got != sizeof wh || !ValidateWalHeader(wh).ok() || wh.salt1 != h.salt1 ||
      wh.salt2 != h.salt2 || size < FrameOffset(h.max_frame, page_size_)) {
    return stale;
  }
  return Status::Ok();
}

// ---- the writer's view of other handles' readers -------------------------------------------

// X4 scan after an epoch bump (W19's other half). The epoch stays even outside a restart
// window and is odd inside one (W24): restart_window opens it, EndRestartWindow closes it.
SlotScan WalPager::ScanOthers(bool restart_window) {
  if (shm_ == nullptr) return SlotScan{};
  Hook(restart_window ? HookPoint::kRestartBeforeEpochBump : HookPoint::kScanBeforeEpochBump);
  shm_epoch_ += (restart_window && (shm_epoch_ & 1) == 0) ? 1 : 2;
  RepublishWithEpoch();
  Hook(restart_window ? HookPoint::kRestartAfterEpochBump : HookPoint::kScanAfterEpochBump);
  SlotScan s = shm_->ScanSlots(generation_, slot_);
  Hook(restart_window ? HookPoint::kRestartScanDone : HookPoint::kScanDone);
  return s;
}

// The last published state with the current epoch: entries not stored yet (X2) stay
// uncounted.
void WalPager::RepublishWithEpoch() {
  last_published_.checkpoint_epoch = shm_epoch_;
  last_published_.change_counter = ++shm_change_;
  shm_->Publish(last_published_);
}

// A restart that failed half-way (the handle is poisoned: the WAL may be reset or cut under
// the published index) leaves the window open, as a writer that dies inside it does; other
// handles then check the WAL before they believe the index (CheckWalMatchesIndex).
void WalPager::EndRestartWindow() {
  Hook(HookPoint::kRestartPublished);
  if (shm_ != nullptr && (shm_epoch_ & 1) != 0 && !poisoned_) {
    shm_epoch_++;
    RepublishWithEpoch();
  }
  Hook(HookPoint::kRestartWindowClosed);
}

// W16 across handles: no frame is copied while another handle's reader has a mark below
// the WAL's end (or reads the main file as of an older generation).
bool WalPager::OthersNeedFrames() {
  if (shm_ == nullptr) return false;
  const uint64_t frames = wal_ ? wal_->frame_count() : 0;
  SlotScan s = ScanOthers(false);
  return s.live > 0 && s.min_mark < frames;
}

bool WalPager::LockRestartExclusive() {
  if (shm_ == nullptr) return true;
  return main_->LockRange(kRestartLockByte, 1, io::LockMode::kExclusive, kRestartWriterWaitMs)
      .ok();
}

Status WalPager::LockRestartShared() {
  const int64_t wait = options_.lock_timeout_ms == io::kLockWaitForever
                           ? io::kLockWaitForever
                           : std::max(options_.lock_timeout_ms, kRestartReaderWaitMs);
  return main_->LockRange(kRestartLockByte, 1, io::LockMode::kShared, wait)
      .WithContext("the writer of " + path_ + " is restarting its WAL");
}

void WalPager::UnlockRestart() { (void)main_->UnlockRange(kRestartLockByte, 1); }

// W16: the WAL restarts only when no other handle's reader reads frames of it.
bool WalPager::OthersPinWal(bool restart_window) {
  if (shm_ == nullptr) return false;
  SlotScan s = ScanOthers(restart_window);
  return s.max_mark > 0;
}

}  // namespace wal
}  // namespace pager
