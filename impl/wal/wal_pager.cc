#include "impl/wal/wal_pager.h"

#include <algorithm>
#include <cstring>

#include "impl/common/bytes.h"

namespace pager {
namespace wal {

std::string WalPath(const std::string& path) { return path + "-wal"; }

namespace {

Status ValidateOptions(const Options& o) {
  if (o.durability != Durability::kFull && o.durability != Durability::kNormal) {
    return InvalidArgument("durability " + std::to_string(static_cast<int>(o.durability)) +
                           " is neither FULL (0) nor NORMAL (1)");
  }
  if (o.lock_timeout_ms < io::kLockWaitForever) {
    return InvalidArgument("lock_timeout_ms " + std::to_string(o.lock_timeout_ms) +
                           " is below -1 (wait forever)");
  }
  return Status::Ok();
}

// W12: a failure for lack of space or memory, which changes nothing a reader relies on.
bool IsShortage(Code c) { return c == Code::kNoSpace || c == Code::kNoMem; }

}  // namespace

WalPager::WalPager(io::Env* env, std::string path, AccessMode mode, const Options& options)
    : env_(env), path_(std::move(path)), mode_(mode), options_(options) {}

WalPager::~WalPager() {
  StopCheckpointer();  // W26 (Close did it already if it ran)
  // Destroying main_ (its open file description) releases its range locks (io E6); nothing is
  // synced here.
}

// ---- create / open -------------------------------------------------------------------------

Status WalPager::Create(io::Env* env, const std::string& path, const Options& options,
                        std::unique_ptr<WalPager>* out) {
  PAGER_RETURN_IF_ERROR(ValidateOptions(options));
  Options o = options;
  if (o.page_size == 0) o.page_size = kDefaultPageSize;
  if (!IsValidPageSize(o.page_size)) {
    return InvalidArgument("page size " + std::to_string(o.page_size) +
                           " is not 0 or a power of two in [512, 65536]");
  }
  std::unique_ptr<WalPager> p(new WalPager(env, path, AccessMode::kReadWrite, o));
  PAGER_RETURN_IF_ERROR(p->InitNew(o));
  p->StartCheckpointer();  // W26
  *out = std::move(p);
  return Status::Ok();
}

Status WalPager::InitNew(const Options& options) {
  io::OpenOptions o;
  o.write = true;
  o.create = true;
  o.exclusive = true;
  PAGER_RETURN_IF_ERROR(env_->Open(path_, o, &main_));
  PAGER_RETURN_IF_ERROR(LockForOpen());  // W18
  page_size_ = options.page_size;
  file_id_ = RandomFileId();
  std::vector<uint8_t> page0(page_size_, 0);
  MainHeaderCopy h = MakeMainHeader(page_size_, 1, 1, file_id_, committed_app_);
  std::memcpy(page0.data(), &h, sizeof h);
  PAGER_RETURN_IF_ERROR(main_->WriteAt(0, page0.data(), page0.size()));
  PAGER_RETURN_IF_ERROR(main_->DataSync());
  PAGER_RETURN_IF_ERROR(env_->SyncDir(io::DirName(path_)));
  stats_.syncs += 2;
  stats_.bytes_synced += page_size_;
  main_count_ = main_valid_count_ = committed_count_ = staged_count_ = staged_floor_ = 1;
  main_seq_ = 1;
  main_slot_ = 0;
  PAGER_RETURN_IF_ERROR(WalLog::Create(env_, WalPath(path_), page_size_, main_seq_, file_id_,
                                       &wal_));
  stats_.syncs += 2;  // the sidecar and its directory
  stats_.bytes_synced += kWalHeaderSize;
  wal_->prewrite_bytes = options.wal_prewrite_bytes;
  generation_ = wal_->header().salt1;
  InitPageMemory();
  return AttachShared();  // W21
}

Status WalPager::Open(io::Env* env, const std::string& path, AccessMode mode,
                      const Options& options, std::unique_ptr<WalPager>* out) {
  PAGER_RETURN_IF_ERROR(ValidateOptions(options));
  if (mode != AccessMode::kReadWrite && mode != AccessMode::kReadOnly) {
    return InvalidArgument("access mode " + std::to_string(static_cast<int>(mode)) +
                           " is neither READ_WRITE (0) nor READ_ONLY (1)");
  }
  if (options.page_size != 0 && !IsValidPageSize(options.page_size)) {
    return InvalidArgument("page size " + std::to_string(options.page_size) +
                           " is not 0 or a power of two in [512, 65536]");
  }
  std::unique_ptr<WalPager> p(new WalPager(env, path, mode, options));
  PAGER_RETURN_IF_ERROR(p->InitExisting());
  p->StartCheckpointer();  // W26
  *out = std::move(p);
  return Status::Ok();
}

Status WalPager::InitExisting() {
  io::OpenOptions o;
  o.write = (mode_ == AccessMode::kReadWrite);
  PAGER_RETURN_IF_ERROR(env_->Open(path_, o, &main_));
  PAGER_RETURN_IF_ERROR(LockForOpen());  // W18
  // W24: a reader loads the main header and scans the WAL while no writer can restart or
  // cut the WAL (a restart between the two would pair an old header with a new WAL).
  const bool reader = (mode_ == AccessMode::kReadOnly);
  if (reader) PAGER_RETURN_IF_ERROR(LockRestartShared());
  Status st = LoadScanAndAttach();
  if (reader) UnlockRestart();
  PAGER_RETURN_IF_ERROR(st);
  if (mode_ == AccessMode::kReadWrite) {
    // W9: start a fresh generation (checkpointing recovered frames first). W12: on a full
    // disk or without memory for the copy, open anyway and append to the recovered generation.
    Result<uint32_t> r = CheckpointLocked(CheckpointMode::kPassive, true);
    if (!r.ok() && !(IsShortage(r.status().code()) && !poisoned_)) {
      return r.status().WithContext("recovery checkpoint of " + path_);
    }
    if (!r.ok()) NoteCheckpointFailure(r.status());
    PAGER_RETURN_IF_ERROR(PublishShared());
  }
  return Status::Ok();
}

Status WalPager::LoadScanAndAttach() {
  PAGER_RETURN_IF_ERROR(LoadAndScan());
  Hook(HookPoint::kOpenScanned);
  return AttachShared();  // W21, before W9 looks at readers
}

// The main header, then the WAL scan (the committed state this handle starts from).
Status WalPager::LoadAndScan() {
  PAGER_RETURN_IF_ERROR(LoadMainHeader());
  Hook(HookPoint::kOpenMainHeaderLoaded);
  if (options_.page_size != 0 && options_.page_size != page_size_) {
    return Status(Code::kPageSize, path_ + ": page size is " + std::to_string(page_size_) +
                                       ", the caller expects " +
                                       std::to_string(options_.page_size));
  }
  InitPageMemory();
  PAGER_RETURN_IF_ERROR(OpenWal());
  if (wal_ != nullptr) PAGER_RETURN_IF_ERROR(RecoverWal());
  generation_ = wal_ ? wal_->header().salt1 : 0;
  if (mode_ == AccessMode::kReadWrite) PAGER_RETURN_IF_ERROR(CheckMainNotTruncated());
  staged_count_ = staged_floor_ = committed_count_;
  std::memcpy(staged_app_, committed_app_, kAppHeaderSize);
  return Status::Ok();
}

// The page cache and the staging slabs, once the page size is known.
void WalPager::InitPageMemory() {
  buffers_ = std::make_unique<PageBufferPool>(page_size_);
  cache_ = std::make_unique<PageCache>(buffers_.get(), options_.cache_pages);
  cache_->set_evict_hook(
      [this](uint32_t page, const uint8_t* bytes) { RememberEvicted(page, bytes); });
  staged_ = std::make_unique<StagedPages>(buffers_.get());
}

// Decision table rows M1-M6 (doc/format/wal-pager.md).
Status WalPager::LoadMainHeader() {
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(main_->Size(&size));
  if (size < kMinPageSize) {
    return Corruption(path_ + " is " + std::to_string(size) +
                      " bytes, shorter than a header page (512 bytes)");
  }
  MainHeaderCopy copies[kHeaderSlotCount];
  PAGER_RETURN_IF_ERROR(main_->ReadExactAt(0, copies, sizeof copies, true));
  Status st[kHeaderSlotCount];
  for (int i = 0; i < 2; i++) st[i] = ValidateMainHeader(copies[i], i);
  int pick = -1;
  if (st[0].ok() && st[1].ok()) {
    pick = (copies[1].checkpoint_seq > copies[0].checkpoint_seq) ? 1 : 0;
  } else if (st[0].ok() || st[1].ok()) {
    pick = st[0].ok() ? 0 : 1;
  }
  if (pick < 0) {
    Code code = (st[0].code() == Code::kVersion || st[1].code() == Code::kVersion)
                    ? Code::kVersion
                    : Code::kCorrupt;
    return Status(code, path_ + ": no valid header copy (" + st[0].message() + "; " +
                            st[1].message() + ")");
  }
  const MainHeaderCopy& h = copies[pick];
  if (st[1 - pick].ok() && copies[0].file_id != copies[1].file_id) {
    return Corruption(path_ + ": header copies A and B carry different file ids");
  }
  page_size_ = h.page_size;
  if (size < page_size_) {
    return Corruption(path_ + " is " + std::to_string(size) + " bytes, shorter than page 0 (" +
                      std::to_string(page_size_) + " bytes)");
  }
  if (page_size_ > kMinPageSize) {
    std::vector<uint8_t> tail(page_size_ - kMinPageSize);
    PAGER_RETURN_IF_ERROR(main_->ReadExactAt(kMinPageSize, tail.data(), tail.size(), true));
    if (!AllZero(tail.data(), tail.size())) {
      return Corruption(path_ + ": reserved bytes [512, " + std::to_string(page_size_) +
                        ") of page 0 are not zero");
    }
  }
  main_slot_ = pick;
  main_seq_ = h.checkpoint_seq;
  main_count_ = main_valid_count_ = committed_count_ = h.page_count;
  file_id_ = h.file_id;
  std::memcpy(committed_app_, h.app_header, kAppHeaderSize);
  return Status::Ok();
}

// Decision table rows S1-S7.
Status WalPager::OpenWal() {
  const bool write = (mode_ == AccessMode::kReadWrite);
  Status st = WalLog::Open(env_, WalPath(path_), write, page_size_, &wal_);
  bool stale = false;
  if (st.ok() && wal_->header().file_id != file_id_) {
    stale = true;  // a sidecar left by another file at this path (create crashed)
  } else if (st.ok() && wal_->header().base_checkpoint_seq > main_seq_) {
    return Corruption(WalPath(path_) + ": WAL generation follows header copy " +
                      std::to_string(wal_->header().base_checkpoint_seq) +
                      " but the main file's newest valid copy is " + std::to_string(main_seq_) +
                      " (a checkpointed header was lost)");
  }
  if (st.ok() && !stale) return Status::Ok();
  if (!st.ok() && st.code() != Code::kNotFound) return st;
  wal_.reset();
  if (!write) return Status::Ok();  // read-only never creates the sidecar
  PAGER_RETURN_IF_ERROR(
      WalLog::Create(env_, WalPath(path_), page_size_, main_seq_, file_id_, &wal_));
  stats_.syncs += 2;
  return Status::Ok();
}

Status WalPager::RecoverWal() {
  wal_->prewrite_bytes = options_.wal_prewrite_bytes;
  int64_t app_frame = -1;
  WalLog::Sink sink;
  sink.frame = [&](uint64_t frame_index, uint32_t page_number) {
    if (page_number == 0) {
      app_frame = static_cast<int64_t>(frame_index);
    } else {
      index_.Set(page_number, frame_index);
      NoteFrame(page_number, frame_index);
    }
    NoteShmFrame(frame_index, page_number);
  };
  uint64_t txn_first = 0;  // the first frame of the transaction the next commit seals
  sink.commit = [&](uint64_t last_frame_index, uint32_t page_count, uint32_t floor_count) {
    uint32_t floor = std::min({floor_count, page_count, committed_count_});
    if (floor < committed_count_) {
      shrinks_.emplace_back(txn_first, floor);  // W15
      ApplyShrink(floor);
    }
    committed_count_ = page_count;
    NoteShmCommit(last_frame_index, page_count, floor_count);
    txn_first = last_frame_index + 1;
  };
  PAGER_RETURN_IF_ERROR(wal_->Recover(sink));
  stats_.wal_frames = wal_->frame_count();
  if (app_frame < 0) return Status::Ok();
  std::vector<uint8_t> body(page_size_);
  PAGER_RETURN_IF_ERROR(wal_->ReadBody(static_cast<uint64_t>(app_frame), body.data()));
  std::memcpy(committed_app_, body.data(), kAppHeaderSize);
  return Status::Ok();
}

// W11: in every state a crash can leave, the main file holds at least main_valid_count_
// pages (a checkpoint writes and syncs pages before the header that counts them, and cuts
// pages only below a WAL commit's floor). A shorter file was damaged from outside. A
// read-write open would checkpoint and so extend it with zeros, turning missing pages into
// zeros that read back with PAGER_OK forever: refuse instead and leave every byte as found.
// A read-only open still works and reports each missing page as CORRUPT when read.
Status WalPager::CheckMainNotTruncated() {
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(main_->Size(&size));
  const uint64_t need = uint64_t{main_valid_count_} * page_size_;
  if (size >= need) return Status::Ok();
  return Corruption(path_ + " is " + std::to_string(size) + " bytes, but its header and WAL need " +
                    std::to_string(main_valid_count_) + " pages of " +
                    std::to_string(page_size_) + " bytes (" + std::to_string(need) +
                    "): the main file was truncated; a read-write open would hide the loss, "
                    "so it is refused (open read-only to salvage the pages that remain)");
}

// Pages >= page_count leave the index and the cache; they read as zeros from now on (W3).
void WalPager::ApplyShrink(uint32_t page_count) {
  index_.EraseFrom(page_count);
  for (auto it = committed_hash_.begin(); it != committed_hash_.end();) {
    it = (it->first >= page_count) ? committed_hash_.erase(it) : std::next(it);  // W14
  }
  main_valid_count_ = std::min(main_valid_count_, page_count);
  cache_->EraseFrom(page_count);
}

// ---- reads ---------------------------------------------------------------------------------

uint32_t WalPager::page_count() {
  std::lock_guard<std::mutex> lock(mu_);
  const ShmHeader* h = nullptr;
  // W20; a failed refresh keeps the last count seen (the next read reports the failure).
  if (SharedReader() && !closed_) (void)Refresh(&h);
  return staged_count_;
}

Status WalPager::ReadPage(uint32_t page_number, uint8_t* dst, uint64_t len) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!SharedReader() || closed_) return ReadPageLocked(page_number, dst, len);
  if (!RepinLatest()) {  // W27: the last read's pin, when nothing was published since
    uint64_t mark = 0;
    uint32_t main_pages = 0;
    PAGER_RETURN_IF_ERROR(PinView(false, &mark, &main_pages));  // W19: the latest commit
  }
  Status st = ReadPageLocked(page_number, dst, len);
  UpdateSlot();
  return st;
}

Status WalPager::ReadPageLocked(uint32_t page_number, uint8_t* dst, uint64_t len) {
  if (len != page_size_) {
    return InvalidArgument("read_page buffer is " + std::to_string(len) +
                           " bytes, the page size is " + std::to_string(page_size_));
  }
  if (page_number == 0) {
    return Status(Code::kReserved, "page 0 is the library's header; use the app header calls");
  }
  if (page_number >= staged_count_) {
    return Status(Code::kNotFound, "page " + std::to_string(page_number) +
                                       " is past the page count " +
                                       std::to_string(staged_count_));
  }
  const uint8_t* staged = staged_->Find(page_number);
  if (staged != nullptr) {
    std::memcpy(dst, staged, page_size_);
    return Status::Ok();
  }
  if (page_number >= ZeroFrom()) {
    std::memset(dst, 0, page_size_);  // W4
    return Status::Ok();
  }
  return ReadCommitted(page_number, dst);
}

Status WalPager::ReadCommitted(uint32_t page_number, uint8_t* dst) {
  return ReadSource(LocateLatest(page_number), page_number, dst, true);  // W3, W22
}

// W22: the mapped bytes of a main-file page below main_valid_count_, or nullptr (pread it).
const uint8_t* WalPager::MainPageBytes(uint32_t page_number) {
  return main_map_.At(main_.get(), uint64_t{page_number} * page_size_, page_size_);
}

// W22: the mapped body of a WAL frame below frame_count(), or nullptr (pread it).
const uint8_t* WalPager::WalFrameBytes(uint64_t frame_index) {
  const uint64_t offset = FrameOffset(frame_index, page_size_) + kFrameHeaderSize;
  return wal_map_.At(wal_->file(), offset, page_size_);
}

Status WalPager::ReadMainPage(uint32_t page_number, uint8_t* dst) {
  const uint8_t* mapped = MainPageBytes(page_number);
  if (mapped != nullptr) {
    std::memcpy(dst, mapped, page_size_);
    return Status::Ok();
  }
  uint64_t offset = uint64_t{page_number} * page_size_;
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(main_->ReadAt(offset, dst, page_size_, &got));
  if (got != page_size_) {
    return Corruption(path_ + ": page " + std::to_string(page_number) + " at offset " +
                      std::to_string(offset) + " is past the end of the file (" +
                      std::to_string(got) + " of " + std::to_string(page_size_) +
                      " bytes), yet the header counts " + std::to_string(main_count_) +
                      " pages");
  }
  return Status::Ok();
}

Status WalPager::ReadAppHeader(uint8_t* dst, uint64_t len) {
  std::lock_guard<std::mutex> lock(mu_);
  if (len != kAppHeaderSize) {
    return InvalidArgument("application header buffer is " + std::to_string(len) +
                           " bytes, the area is " + std::to_string(kAppHeaderSize));
  }
  if (SharedReader() && !closed_) {
    const ShmHeader* h = nullptr;
    PAGER_RETURN_IF_ERROR(Refresh(&h));  // W20
  }
  std::memcpy(dst, staged_app_, kAppHeaderSize);
  return Status::Ok();
}

// ---- staging -------------------------------------------------------------------------------

Status WalPager::CheckWritable(const char* op) {
  if (poisoned_) {
    return Status(Code::kPoisoned, std::string(op) + " on " + path_ +
                                       ": handle poisoned by an earlier failure (" +
                                       poison_reason_ + "); close and reopen to recover");
  }
  return Status::Ok();
}

// W7: staged changes can never be committed now, so they are dropped with the poisoning.
Status WalPager::Poison(Status cause) {
  poisoned_ = true;
  poison_reason_ = cause.ToString();
  ClearStagedLocked();
  return cause;
}

// W12: a shortage (no space, no memory) is reported as is; anything else poisons.
Status WalPager::PoisonUnlessShortage(Status cause) {
  if (IsShortage(cause.code())) return cause;
  return Poison(std::move(cause));
}

void WalPager::NoteCheckpointFailure(const Status& st) {
  stats_.checkpoint_failures++;
  stats_.last_checkpoint_code = static_cast<int32_t>(st.code());
}

Status WalPager::StagePage(uint32_t page_number, const uint8_t* src, uint64_t len) {
  std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
  LockNotingCheckpointer(&lock);
  if (len != page_size_) {
    return InvalidArgument("stage_page of page " + std::to_string(page_number) +
                           ": buffer is " + std::to_string(len) + " bytes, the page size is " +
                           std::to_string(page_size_));
  }
  PAGER_RETURN_IF_ERROR(CheckWritable("stage_page"));
  if (page_number == 0) {
    return Status(Code::kReserved, "page 0 is the library's header; use the app header calls");
  }
  if (page_number == kMaxPageCount) {
    return Status(Code::kRange, "page " + std::to_string(page_number) +
                                    " is past the largest page number " +
                                    std::to_string(kMaxPageCount - 1));
  }
  if (page_number >= staged_count_) staged_count_ = page_number + 1;
  std::memcpy(staged_->Stage(page_number), src, page_size_);
  return Status::Ok();
}

void WalPager::ClearStagedLocked() {
  txn_met_checkpointer_ = false;  // W26: the next transaction starts uncounted
  if (staged_ != nullptr) staged_->Clear();  // null only before the page size is known
  staged_count_ = staged_floor_ = committed_count_;
  std::memcpy(staged_app_, committed_app_, kAppHeaderSize);
}

Status WalPager::ClearStaged() {
  std::lock_guard<std::mutex> lock(mu_);
  ClearStagedLocked();
  return Status::Ok();
}

Status WalPager::SetPageCount(uint32_t page_count) {
  std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
  LockNotingCheckpointer(&lock);
  PAGER_RETURN_IF_ERROR(CheckWritable("set_page_count"));
  if (page_count == 0) {
    return InvalidArgument("page count 0: page 0 (the header) always exists, use 1 for empty");
  }
  if (page_count < staged_count_) {
    staged_->EraseFrom(page_count);
    staged_floor_ = std::min(staged_floor_, page_count);
  }
  staged_count_ = page_count;
  return Status::Ok();
}

Status WalPager::StageAppHeader(const uint8_t* src, uint64_t len) {
  std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
  LockNotingCheckpointer(&lock);
  if (len != kAppHeaderSize) {
    return InvalidArgument("application header is " + std::to_string(len) +
                           " bytes, the area is " + std::to_string(kAppHeaderSize));
  }
  PAGER_RETURN_IF_ERROR(CheckWritable("stage_app_header"));
  std::memcpy(staged_app_, src, kAppHeaderSize);
  return Status::Ok();
}

// ---- introspection -------------------------------------------------------------------------

Status WalPager::CheckAtRest(uint64_t* checkpoint_seq) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckMainNotTruncated());
  *checkpoint_seq = main_seq_;
  return Status::Ok();
}

Stats WalPager::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.readers_active = readers_.size();
  if (shm_ != nullptr && !closed_) s.readers_active += shm_->ScanSlots(generation_, slot_).live;
  return s;
}

State WalPager::state() {
  std::lock_guard<std::mutex> lock(mu_);
  if (poisoned_) return State::kPoisoned;
  if (busy_state_ != State::kOpen) return busy_state_;
  bool writing = !staged_->empty() || staged_count_ != committed_count_ ||
                 staged_floor_ != committed_count_ ||
                 std::memcmp(staged_app_, committed_app_, kAppHeaderSize) != 0;
  return writing ? State::kWriting : State::kOpen;
}

Status WalPager::CheckInvariants() {
  std::lock_guard<std::mutex> lock(mu_);
  auto fail = [](const std::string& m) { return Internal("invariant " + m); };
  if (committed_count_ < 1 || staged_count_ < 1) return fail("W1: page count below 1");
  uint64_t frames = wal_ ? wal_->frame_count() : 0;
  for (const auto& kv : index_) {
    if (kv.second >= frames) return fail("W2: index entry past the WAL's valid frames");
    if (kv.first == 0 || kv.first >= committed_count_) return fail("W2: index page out of range");
  }
  if (main_valid_count_ > committed_count_ || main_valid_count_ > main_count_) {
    return fail("W3: main_valid_count above a page count");
  }
  if (!staged_->empty() && staged_->max_page_number() >= staged_count_) {
    return fail("W4: staged page past the staged page count");
  }
  if (staged_floor_ > committed_count_ || staged_floor_ > staged_count_) {
    return fail("W4: staged floor above a page count");
  }
  if (cache_->size() > cache_->capacity_pages()) return fail("C1: cache over capacity");
  if (buffers_->free_count() > buffers_->max_free()) return fail("B2: pool over its bound");
  if (!commit_scratch_.Empty()) return fail("W28: a commit's scratch outlived it");
  if (!commit_scratch_.Bounded()) return fail("W28: a commit's scratch kept over its bound");
  if (committed_hash_.size() > size_t{kHashedPagesPerCachePage} * options_.cache_pages) {
    return fail("W14: more committed page hashes than the bound");
  }
  for (const auto& kv : committed_hash_) {
    if (kv.first == 0 || kv.first >= committed_count_) {
      return fail("W14: hash of a page out of range");
    }
  }
  for (const ReadSnapshot* r : readers_) {
    if (r->generation != generation_) return fail("W16: a reader of an old WAL generation");
    if (r->mark > frames) return fail("W15: a read mark past the WAL's valid frames");
    if (!history_pending_.empty() && history_pending_.front().first < r->mark) {
      return fail("W29: a frame below a read mark is not in the history");
    }
  }
  return Status::Ok();
}

}  // namespace wal
}  // namespace pager
