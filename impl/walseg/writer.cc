#include "impl/walseg/writer.h"

#include <algorithm>
#include <cstring>

#include "impl/walseg/reader.h"

namespace pager {
namespace walseg {

namespace {

constexpr uint64_t kMinSegmentBytes = 256;
constexpr uint64_t kMaxSegmentBytes = 1ull << 40;
constexpr uint64_t kPrewriteUnit = 4096;
constexpr uint64_t kMaxPrewriteBytes = 1ull << 30;
constexpr uint64_t kMaxBufferBytes = 1ull << 30;
constexpr uint64_t kMaxFirstLsn = 1ull << 62;
constexpr size_t kZeroBlockBytes = 64 << 10;

Status OutOfRange(const char* field, uint64_t value, const std::string& allowed) {
  return InvalidArgument(std::string("walseg option ") + field + " = " + std::to_string(value) +
                         " is outside " + allowed);
}

}  // namespace

Status ValidateWriterOptions(const WriterOptions& o) {
  if (static_cast<uint32_t>(o.sync_policy) > static_cast<uint32_t>(SyncPolicy::kExplicit)) {
    return OutOfRange("sync_policy", static_cast<uint32_t>(o.sync_policy), "{0, 1, 2}");
  }
  if (o.segment_bytes < kMinSegmentBytes || o.segment_bytes > kMaxSegmentBytes) {
    return OutOfRange("segment_bytes", o.segment_bytes, "[256, 2^40]");
  }
  if (o.group_bytes == 0) return OutOfRange("group_bytes", 0, "[1, 2^64)");
  if (o.max_payload_bytes == 0 || o.max_payload_bytes > kFormatMaxPayloadBytes) {
    return OutOfRange("max_payload_bytes", o.max_payload_bytes,
                      "[1, " + std::to_string(kFormatMaxPayloadBytes) + "]");
  }
  if (o.prewrite_bytes % kPrewriteUnit != 0 || o.prewrite_bytes > kMaxPrewriteBytes) {
    return OutOfRange("prewrite_bytes", o.prewrite_bytes,
                      "0 or a multiple of 4096 up to 2^30");
  }
  if (o.buffer_bytes > kMaxBufferBytes) {
    return OutOfRange("buffer_bytes", o.buffer_bytes, "[0, 2^30]");
  }
  if (o.first_lsn == 0 || o.first_lsn > kMaxFirstLsn) {
    return OutOfRange("first_lsn", o.first_lsn, "[1, 2^62]");
  }
  return Status::Ok();
}

// ---- open and recovery --------------------------------------------------------------------

Status LogWriter::Open(io::Env* env, const std::string& dir, const WriterOptions& options,
                       std::unique_ptr<LogWriter>* out) {
  PAGER_RETURN_IF_ERROR(ValidateWriterOptions(options));
  std::unique_ptr<LogWriter> w(new LogWriter());
  w->env_ = env;
  w->dir_ = dir;
  w->options_ = options;
  bool exists = false;
  PAGER_RETURN_IF_ERROR(env->Exists(dir, &exists));
  if (!exists) {
    if (!options.create_if_missing) {
      return Status(Code::kNotFound, "log directory " + dir + " does not exist");
    }
    Status st = env->CreateDir(dir, 0755);
    if (!st.ok() && st.code() != Code::kExists) return st;
    PAGER_RETURN_IF_ERROR(env->SyncDir(io::DirName(dir)));
  }
  io::OpenOptions lo;
  lo.write = true;
  lo.create = true;
  PAGER_RETURN_IF_ERROR(env->Open(dir + "/LOCK", lo, &w->lock_file_));
  Status locked = w->lock_file_->Lock(io::LockMode::kExclusive, 0);
  if (!locked.ok()) return locked.WithContext("log directory " + dir + " has a writer");
  w->buffer_.reserve(static_cast<size_t>(options.buffer_bytes));
  PAGER_RETURN_IF_ERROR(w->Recover());
  if (options.sync_policy == SyncPolicy::kGroup && options.group_interval_us > 0) {
    LogWriter* raw = w.get();
    w->flusher_ = std::thread([raw]() { raw->FlusherLoop(); });
  }
  *out = std::move(w);
  return Status::Ok();
}

Status LogWriter::Recover() {
  std::vector<uint64_t> firsts;
  PAGER_RETURN_IF_ERROR(ListSegments(env_, dir_, &firsts));
  if (firsts.empty()) {
    next_lsn_ = options_.first_lsn;
    durable_lsn_ = next_lsn_ - 1;
    return CreateSegment(next_lsn_);
  }
  return RecoverLastSegment(firsts.back());
}

// L6: scan the last segment, cut a torn tail, refuse corruption, make the rest durable.
Status LogWriter::RecoverLastSegment(uint64_t first_lsn) {
  std::string path = dir_ + "/" + SegmentName(first_lsn);
  uint64_t end = 0;
  uint64_t last = 0;
  StopReason reason;
  {
    ReaderOptions ro;
    ro.max_payload_bytes = kFormatMaxPayloadBytes;
    ro.expected_first_lsn = first_lsn;
    std::unique_ptr<SegmentReader> reader;
    PAGER_RETURN_IF_ERROR(SegmentReader::Open(env_, path, ro, &reader));
    RecordView view;
    bool found = true;
    while (found) PAGER_RETURN_IF_ERROR(reader->Next(&view, &found));
    reason = reader->stop_reason();
    end = reader->stop_offset();
    last = reader->last_lsn();
    if (reason == StopReason::kCorrupt) {
      return Corruption("cannot continue the log in " + dir_ + ": " + path + " is corrupt at offset " +
                        std::to_string(end) + ": " + reader->stop_detail());
    }
  }
  io::OpenOptions wo;
  wo.write = true;
  PAGER_RETURN_IF_ERROR(env_->Open(path, wo, &segment_));
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(segment_->Size(&size));
  if (reason == StopReason::kTornTail) {
    PAGER_RETURN_IF_ERROR(segment_->Truncate(end));
    size = end;
  }
  PAGER_RETURN_IF_ERROR(RewriteRecords(end));
  PAGER_RETURN_IF_ERROR(segment_->DataSync());
  // The segment's name may be pending too if the previous writer died (or was poisoned) right
  // after creating it.
  PAGER_RETURN_IF_ERROR(env_->SyncDir(dir_));
  segment_first_lsn_ = first_lsn;
  segment_count_ = 1;
  flushed_end_ = end;
  prewritten_end_ = size;  // a clean end means every byte after `end` is zero (W5)
  next_lsn_ = last != 0 ? last + 1 : first_lsn;
  durable_lsn_ = next_lsn_ - 1;
  return Status::Ok();
}

// L6: the records we are about to vouch for (every later record's synced_lsn covers them)
// are written again before the sync. After a failed fsync Linux marks the lost pages clean:
// they read back fine but no later fsync writes them. Rewriting makes them dirty again, so
// the sync below really makes them durable. Costs one pass over the active segment per open.
Status LogWriter::RewriteRecords(uint64_t end) {
  constexpr uint64_t kChunk = 1 << 20;
  std::vector<uint8_t> chunk(static_cast<size_t>(std::min(end, kChunk)));
  for (uint64_t at = 0; at < end; at += kChunk) {
    size_t n = static_cast<size_t>(std::min(kChunk, end - at));
    PAGER_RETURN_IF_ERROR(segment_->ReadExactAt(at, chunk.data(), n, /*short_is_corrupt=*/true));
    PAGER_RETURN_IF_ERROR(segment_->WriteAt(at, chunk.data(), n));
  }
  return Status::Ok();
}

// L4: a new segment is created and its directory entry made durable before any record.
Status LogWriter::CreateSegment(uint64_t first_lsn) {
  io::OpenOptions so;
  so.write = true;
  so.create = true;
  so.exclusive = true;
  std::unique_ptr<io::File> file;
  PAGER_RETURN_IF_ERROR(env_->Open(dir_ + "/" + SegmentName(first_lsn), so, &file));
  PAGER_RETURN_IF_ERROR(env_->SyncDir(dir_));
  segment_ = std::move(file);
  segment_first_lsn_ = first_lsn;
  segment_count_++;
  flushed_end_ = 0;
  prewritten_end_ = 0;
  return Status::Ok();
}

LogWriter::~LogWriter() {
  Status ignored = Close();
  (void)ignored;
}

// ---- appending ----------------------------------------------------------------------------

Status LogWriter::CheckUsable() const {
  if (closed_) return InvalidArgument("the log writer of " + dir_ + " is closed");
  if (!poison_.ok()) {
    return Status(Code::kPoisoned, "the log writer of " + dir_ +
                                       " is poisoned by an earlier failure: " + poison_.message());
  }
  return Status::Ok();
}

Status LogWriter::Poison(Status st) {
  if (poison_.ok()) poison_ = st;
  return st;
}

Status LogWriter::Append(uint16_t type, const void* data, uint64_t len, uint64_t* lsn) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckUsable());
  if ((type & kTypeIdMask) == 0) {
    return InvalidArgument("record type " + std::to_string(type) + " has type id 0 (reserved)");
  }
  if (len > options_.max_payload_bytes) {
    return Status(Code::kTooLarge, "payload of " + std::to_string(len) +
                                       " bytes is above max_payload_bytes " +
                                       std::to_string(options_.max_payload_bytes));
  }
  if (len > 0 && data == nullptr) return InvalidArgument("payload pointer is NULL");
  uint64_t used = flushed_end_ + buffer_.size();
  if (used > 0 && RecordBytes(len) > options_.segment_bytes - std::min(used, options_.segment_bytes)) {
    PAGER_RETURN_IF_ERROR(Rotate());
  }
  uint64_t assigned = next_lsn_;
  PAGER_RETURN_IF_ERROR(WriteRecordLocked(type, data, static_cast<uint32_t>(len)));
  PAGER_RETURN_IF_ERROR(MaybeSyncLocked());
  *lsn = assigned;  // only on success (pager.h C5)
  return Status::Ok();
}

Status LogWriter::WriteRecordLocked(uint16_t type, const void* data, uint32_t len) {
  uint64_t bytes = RecordBytes(len);
  if (bytes <= options_.buffer_bytes) {
    if (buffer_.size() + bytes > options_.buffer_bytes) PAGER_RETURN_IF_ERROR(FlushLocked());
    size_t at = buffer_.size();
    buffer_.resize(at + static_cast<size_t>(bytes));
    EncodeRecord(type, next_lsn_, durable_lsn_, data, len, buffer_.data() + at);
  } else {
    // Too big to stage: written in place from the caller's buffer (no copy of the payload).
    PAGER_RETURN_IF_ERROR(FlushLocked());
    RecordHeader h = MakeHeader(type, next_lsn_, durable_lsn_, len);
    h.checksum = ComputeChecksum(h, data, len);
    static const uint8_t kPad[kRecordAlign] = {};
    io::IoSlice slices[3] = {{&h, kHeaderBytes}, {data, len}, {kPad, PaddingFor(len)}};
    PAGER_RETURN_IF_ERROR(EnsurePrewritten(flushed_end_ + bytes));
    Status st = segment_->WriteVAt(flushed_end_, slices, 3);
    if (!st.ok()) return Poison(st);
    flushed_end_ += bytes;
  }
  if (unsynced_bytes_ == 0) {
    oldest_unsynced_ = std::chrono::steady_clock::now();
    flusher_cv_.notify_one();  // L8: a new interval starts
  }
  unsynced_bytes_ += bytes;
  next_lsn_++;
  return Status::Ok();
}

Status LogWriter::MaybeSyncLocked() {
  switch (options_.sync_policy) {
    case SyncPolicy::kEveryRecord:
      return SyncLocked();
    case SyncPolicy::kGroup: {
      auto age = std::chrono::steady_clock::now() - oldest_unsynced_;
      if (unsynced_bytes_ >= options_.group_bytes ||
          (options_.group_interval_us != 0 &&
           age >= std::chrono::microseconds(options_.group_interval_us))) {
        return SyncLocked();
      }
      return Status::Ok();
    }
    case SyncPolicy::kExplicit:
      break;  // only Sync(), rotation and Close make records durable
  }
  return Status::Ok();
}

// L7: zeros ahead of the records, in prewrite_bytes steps, never past the segment size
// unless one record needs it.
Status LogWriter::EnsurePrewritten(uint64_t end) {
  if (options_.prewrite_bytes == 0 || end <= prewritten_end_) return Status::Ok();
  uint64_t step = options_.prewrite_bytes;
  uint64_t target = (end + step - 1) / step * step;
  target = std::min(target, std::max(end, options_.segment_bytes));
  static const std::vector<uint8_t> kZeros(kZeroBlockBytes, 0);
  std::vector<io::IoSlice> slices;
  uint64_t at = prewritten_end_;
  while (at < target) {
    slices.clear();
    uint64_t chunk_end = std::min(target, at + 16 * kZeroBlockBytes);
    for (uint64_t p = at; p < chunk_end; p += kZeroBlockBytes) {
      slices.push_back({kZeros.data(), static_cast<size_t>(std::min<uint64_t>(kZeroBlockBytes, chunk_end - p))});
    }
    Status st = segment_->WriteVAt(at, slices.data(), slices.size());
    if (!st.ok()) return Poison(st);
    at = chunk_end;
  }
  prewritten_end_ = target;
  return Status::Ok();
}

Status LogWriter::FlushLocked() {
  if (buffer_.empty()) return Status::Ok();
  PAGER_RETURN_IF_ERROR(EnsurePrewritten(flushed_end_ + buffer_.size()));
  Status st = segment_->WriteAt(flushed_end_, buffer_.data(), buffer_.size());
  if (!st.ok()) return Poison(st);
  flushed_end_ += buffer_.size();
  buffer_.clear();
  return Status::Ok();
}

Status LogWriter::SyncLocked() {
  PAGER_RETURN_IF_ERROR(FlushLocked());
  if (unsynced_bytes_ == 0) return Status::Ok();
  Status st = segment_->DataSync();
  if (!st.ok()) return Poison(st);
  durable_lsn_ = next_lsn_ - 1;
  unsynced_bytes_ = 0;
  return Status::Ok();
}

// L4: seal the active segment, then start the next one.
Status LogWriter::Rotate() {
  PAGER_RETURN_IF_ERROR(FlushLocked());
  if (prewritten_end_ > flushed_end_) {
    Status st = segment_->Truncate(flushed_end_);
    if (!st.ok()) return Poison(st);
    prewritten_end_ = flushed_end_;
  }
  Status st = segment_->DataSync();
  if (!st.ok()) return Poison(st);
  durable_lsn_ = next_lsn_ - 1;
  unsynced_bytes_ = 0;
  segment_.reset();
  st = CreateSegment(next_lsn_);
  if (!st.ok()) return Poison(st);
  return Status::Ok();
}

// ---- public sync, flush, close ------------------------------------------------------------

Status LogWriter::Sync() {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckUsable());
  return SyncLocked();
}

Status LogWriter::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckUsable());
  return FlushLocked();
}

// L8: syncs whenever the oldest unsynced record reaches group_interval_us.
void LogWriter::FlusherLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto interval = std::chrono::microseconds(options_.group_interval_us);
  while (!flusher_stop_) {
    if (unsynced_bytes_ == 0 || !poison_.ok() || closed_) {
      flusher_cv_.wait(lock);
      continue;
    }
    auto deadline = oldest_unsynced_ + interval;
    if (std::chrono::steady_clock::now() < deadline) {
      flusher_cv_.wait_until(lock, deadline);
      continue;
    }
    Status st = SyncLocked();  // a failure poisons (L5); the next call reports it
    (void)st;
  }
}

void LogWriter::StopFlusher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    flusher_stop_ = true;
  }
  flusher_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

Status LogWriter::Close() {
  StopFlusher();
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::Ok();
  Status st = CheckUsable();
  if (st.ok()) st = SyncLocked();
  closed_ = true;
  segment_.reset();
  if (lock_file_ != nullptr) {
    Status unlocked = lock_file_->Unlock();
    (void)unlocked;  // closing the descriptor drops the flock anyway
    lock_file_.reset();
  }
  return st;
}

Status LogWriter::RemoveSegmentsBefore(uint64_t lsn, uint64_t* removed) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckUsable());
  std::vector<uint64_t> firsts;
  PAGER_RETURN_IF_ERROR(ListSegments(env_, dir_, &firsts));
  // Segment i holds LSNs [firsts[i], firsts[i+1]); it can go when firsts[i+1] <= lsn.
  uint64_t count = 0;
  for (size_t i = 0; i + 1 < firsts.size(); i++) {
    if (firsts[i + 1] > lsn || firsts[i] >= segment_first_lsn_) break;
    Status st = env_->Remove(dir_ + "/" + SegmentName(firsts[i]));
    if (!st.ok()) return Poison(st);
    count++;
  }
  if (count > 0) {
    Status st = env_->SyncDir(dir_);
    if (!st.ok()) return Poison(st);
  }
  *removed = count;  // only on success
  return Status::Ok();
}

Status LogWriter::CheckInvariants() const {
  std::lock_guard<std::mutex> lock(mu_);
  auto broken = [](const std::string& what) { return Internal("walseg writer invariant: " + what); };
  if (durable_lsn_ >= next_lsn_) return broken("L2 durable_lsn < next_lsn");
  if ((unsynced_bytes_ == 0) != (durable_lsn_ == next_lsn_ - 1)) {
    return broken("L2 unsynced bytes exist exactly when durable_lsn < next_lsn - 1");
  }
  if (segment_first_lsn_ > next_lsn_) return broken("W3 active segment starts at or before next_lsn");
  if (flushed_end_ % kRecordAlign != 0 || buffer_.size() % kRecordAlign != 0) {
    return broken("W1 records are 8-aligned");
  }
  if (!buffer_.empty() && buffer_.size() > options_.buffer_bytes) return broken("L3 buffer bound");
  if (options_.prewrite_bytes > 0 && !closed_ && poison_.ok() && prewritten_end_ < flushed_end_) {
    return broken("L7 pre-written space covers the written records");
  }
  if (closed_ && segment_ != nullptr) return broken("closed writer holds no segment");
  return Status::Ok();
}

// ---- accessors ----------------------------------------------------------------------------

uint64_t LogWriter::next_lsn() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_lsn_;
}
uint64_t LogWriter::durable_lsn() const {
  std::lock_guard<std::mutex> lock(mu_);
  return durable_lsn_;
}
uint64_t LogWriter::segment_first_lsn() const {
  std::lock_guard<std::mutex> lock(mu_);
  return segment_first_lsn_;
}
uint64_t LogWriter::segment_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return segment_count_;
}
bool LogWriter::poisoned() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !poison_.ok();
}

}  // namespace walseg
}  // namespace pager
