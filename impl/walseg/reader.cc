#include "impl/walseg/reader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

namespace pager {
namespace walseg {

// ---- SegmentReader ------------------------------------------------------------------------

SegmentReader::~SegmentReader() {
  mapping_.reset();  // before the file it maps
  file_.reset();
}

Status SegmentReader::Open(io::Env* env, const std::string& path, const ReaderOptions& options,
                           std::unique_ptr<SegmentReader>* out) {
  if (options.max_payload_bytes == 0 || options.max_payload_bytes > kFormatMaxPayloadBytes) {
    return InvalidArgument("max_payload_bytes " + std::to_string(options.max_payload_bytes) +
                           " is outside [1, " + std::to_string(kFormatMaxPayloadBytes) + "]");
  }
  std::unique_ptr<SegmentReader> r(new SegmentReader());
  r->path_ = path;
  r->max_payload_bytes_ = options.max_payload_bytes;
  r->all_types_known_ = options.all_types_known;
  for (uint16_t t : options.known_types) r->known_.set(t & kTypeIdMask);
  r->expected_first_lsn_ = options.expected_first_lsn;
  if (r->expected_first_lsn_ == 0) {
    uint64_t named = 0;
    if (ParseSegmentName(BaseName(path), &named)) r->expected_first_lsn_ = named;
  }
  io::OpenOptions oo;
  PAGER_RETURN_IF_ERROR(env->Open(path, oo, &r->file_));
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(r->file_->Size(&size));
  if (size > static_cast<uint64_t>(std::numeric_limits<size_t>::max() / 2)) {
    return Status(Code::kTooLarge, path + " is " + std::to_string(size) +
                                       " bytes, more than this process can map");
  }
  r->len_ = size;
  if (size > 0) {
    auto len = static_cast<size_t>(size);
    PAGER_RETURN_IF_ERROR(r->file_->Map(len, len, /*writable=*/false, &r->mapping_));
    r->base_ = r->mapping_->data();
    r->madvise_applied_ = r->mapping_->Advise(0, len, io::Advice::kSequential).ok();
    if (options.populate) {
      r->populated_ = r->mapping_->Advise(0, len, io::Advice::kPopulateRead).ok();  // a hint
    }
  }
  *out = std::move(r);
  return Status::Ok();
}

bool SegmentReader::Known(uint16_t type) const {
  return all_types_known_ || known_.test(type & kTypeIdMask);
}

void SegmentReader::Stop(StopReason reason, uint64_t offset, std::string detail) {
  stop_reason_ = reason;
  stop_offset_ = offset;
  stop_detail_ = std::move(detail);
}

Status SegmentReader::Next(RecordView* view, bool* found) {
  *found = false;
  if (!sticky_.ok()) return sticky_;
  if (stop_reason_ == StopReason::kNone && NextPlain(view)) {
    *found = true;
    return Status::Ok();
  }
  while (stop_reason_ == StopReason::kNone) {
    RecordAt rec;
    std::string why;
    Check c = CheckRecordAt(base_, len_, offset_, &rec, &why);
    if (c == Check::kZeroTail) {
      Stop(StopReason::kCleanEnd, offset_, "");
      break;
    }
    if (c == Check::kDamaged) {
      Classify(offset_, why);
      break;
    }
    PAGER_RETURN_IF_ERROR(Accept(rec, view, found));
    if (*found) return Status::Ok();
  }
  return Status::Ok();
}

// R6: the record at offset_ when it is the plain case -- valid (W2), the expected LSN (W3),
// within the payload limit and of a known type (R5) -- decided with one branch for the
// header rules, the hash, and one word for the padding; false, changing nothing, otherwise.
bool SegmentReader::NextPlain(RecordView* view) {
  uint64_t expected = last_lsn_ != 0 ? last_lsn_ + 1 : expected_first_lsn_;
  if (expected == 0 || offset_ > len_ || len_ - offset_ < kHeaderBytes) return false;
  const uint8_t* p = base_ + offset_;
  RecordHeader h;
  std::memcpy(&h, p, kHeaderBytes);
  uint64_t record_bytes = RecordBytes(h.payload_len);  // payload_len is a u32: no overflow
  bool plain = (h.magic == kRecordMagic) & (h.version == kFormatVersion) & (h.reserved == 0) &
               ((h.type & kTypeIdMask) != 0) & (h.lsn == expected) & (h.synced_lsn < h.lsn) &
               (h.payload_len <= max_payload_bytes_) & (record_bytes <= len_ - offset_);
  if (!plain || !Known(h.type)) return false;
  if (checksum_(p + kChecksumBytes, record_bytes - kChecksumBytes) != h.checksum) return false;
  uint64_t pad = PaddingFor(h.payload_len);
  if (pad != 0) {
    uint64_t tail;  // the record's last 8 bytes (it has >= 40): payload end, then the padding
    std::memcpy(&tail, p + record_bytes - sizeof tail, sizeof tail);
    if ((tail >> (8 * (sizeof tail - pad))) != 0) return false;  // little-endian (format.h)
  }
  if (first_lsn_ == 0) first_lsn_ = h.lsn;
  last_lsn_ = h.lsn;
  view->type = h.type;
  view->lsn = h.lsn;
  view->data = p + kHeaderBytes;
  view->len = h.payload_len;
  view->offset = offset_;
  offset_ += record_bytes;
  return true;
}

// A checksum-valid record at offset_: checks its LSN (W3), limit and type (R5), then either
// returns it, skips it, or stops.
Status SegmentReader::Accept(const RecordAt& rec, RecordView* view, bool* found) {
  const RecordHeader& h = rec.header;
  uint64_t expected = last_lsn_ != 0 ? last_lsn_ + 1 : expected_first_lsn_;
  if (expected != 0 && h.lsn != expected) {
    Stop(StopReason::kCorrupt, offset_,
         "valid record with LSN " + std::to_string(h.lsn) + " where LSN " +
             std::to_string(expected) + " belongs");
    return Status::Ok();
  }
  if (h.payload_len > max_payload_bytes_) {
    sticky_ = Status(Code::kTooLarge, path_ + ": record LSN " + std::to_string(h.lsn) +
                                          " at offset " + std::to_string(offset_) + " has " +
                                          std::to_string(h.payload_len) +
                                          " payload bytes, above the limit of " +
                                          std::to_string(max_payload_bytes_));
    return sticky_;
  }
  bool known = Known(h.type);
  if (!known && (h.type & kTypeRequiredBit) != 0) {
    sticky_ = Status(Code::kVersion, path_ + ": record LSN " + std::to_string(h.lsn) +
                                         " at offset " + std::to_string(offset_) +
                                         " has required type " + std::to_string(h.type & kTypeIdMask) +
                                         " that this reader does not understand");
    return sticky_;
  }
  if (first_lsn_ == 0) first_lsn_ = h.lsn;
  last_lsn_ = h.lsn;
  uint64_t record_offset = offset_;
  offset_ += rec.record_bytes;
  if (!known) {
    records_skipped_++;
    return Status::Ok();
  }
  view->type = h.type;
  view->lsn = h.lsn;
  view->data = rec.payload;
  view->len = h.payload_len;
  view->offset = record_offset;
  *found = true;
  return Status::Ok();
}

// R4: decides between torn tail and corruption for damage at `damaged`. Scans every later
// 8-aligned offset for a valid record with a higher LSN whose synced_lsn shows the damaged
// record had been durable. The hashing work is bounded so a hostile file cannot make the scan
// quadratic; running out of budget is reported as corruption (never truncate on a guess).
void SegmentReader::Classify(uint64_t damaged, const std::string& why) {
  uint64_t floor_lsn = last_lsn_ != 0 ? last_lsn_ + 1 : expected_first_lsn_;
  uint64_t rest = len_ - damaged;
  uint64_t budget = rest > (UINT64_MAX >> 4) ? UINT64_MAX : 8 * rest + (1u << 20);
  uint64_t pos = damaged + kRecordAlign;
  while (pos < len_ && len_ - pos >= kHeaderBytes) {
    uint32_t magic;
    std::memcpy(&magic, base_ + pos + offsetof(RecordHeader, magic), sizeof magic);
    if (magic != kRecordMagic) {
      pos += kRecordAlign;
      continue;
    }
    uint32_t payload_len;
    std::memcpy(&payload_len, base_ + pos + offsetof(RecordHeader, payload_len),
                sizeof payload_len);
    uint64_t cost = std::min<uint64_t>(RecordBytes(payload_len), len_ - pos);
    if (cost > budget) {
      Stop(StopReason::kCorrupt, damaged, why + "; scan for later records gave up (budget)");
      return;
    }
    budget -= cost;
    RecordAt rec;
    if (CheckRecordAt(base_, len_, pos, &rec, nullptr) != Check::kValid ||
        rec.header.lsn < std::max<uint64_t>(floor_lsn, 1)) {
      pos += kRecordAlign;
      continue;
    }
    // The damaged record's LSN is floor_lsn when known; otherwise at most lsn - 1.
    uint64_t damaged_lsn = floor_lsn != 0 ? floor_lsn : rec.header.lsn - 1;
    if (rec.header.synced_lsn >= damaged_lsn) {
      Stop(StopReason::kCorrupt, damaged,
           why + "; valid record LSN " + std::to_string(rec.header.lsn) + " at offset " +
               std::to_string(pos) + " follows and was written after LSN " +
               std::to_string(damaged_lsn) + " was durable");
      return;
    }
    pos += rec.record_bytes;
  }
  Stop(StopReason::kTornTail, damaged, why);
}

Status SegmentReader::ReleasePages() {
  if (len_ == 0) return Status::Ok();
  PAGER_RETURN_IF_ERROR(mapping_->Advise(0, static_cast<size_t>(len_), io::Advice::kDontNeed));
  return file_->AdviseFile(0, len_, io::Advice::kDontNeed);
}

// ---- LogReplay ----------------------------------------------------------------------------

Status ListSegments(io::Env* env, const std::string& dir, std::vector<uint64_t>* firsts) {
  std::vector<std::string> names;
  PAGER_RETURN_IF_ERROR(env->ListDir(dir, &names));
  firsts->clear();
  for (const std::string& n : names) {
    uint64_t lsn;
    if (ParseSegmentName(n, &lsn)) firsts->push_back(lsn);
  }
  std::sort(firsts->begin(), firsts->end());
  return Status::Ok();
}

Status LogReplay::Open(io::Env* env, const std::string& dir, uint64_t from_lsn,
                       const ReaderOptions& options, std::unique_ptr<LogReplay>* out) {
  std::unique_ptr<LogReplay> r(new LogReplay());
  r->env_ = env;
  r->dir_ = dir;
  r->options_ = options;
  r->from_lsn_ = from_lsn;
  PAGER_RETURN_IF_ERROR(ListSegments(env, dir, &r->firsts_));
  if (r->firsts_.empty()) {
    r->Stop(StopReason::kCleanEnd, 0, 0, "no segments in " + dir);
  } else if (from_lsn != 0 && from_lsn < r->firsts_.front()) {
    return Status(Code::kNotFound, "LSN " + std::to_string(from_lsn) + " is before the oldest segment of " +
                                       dir + " (first LSN " +
                                       std::to_string(r->firsts_.front()) + ")");
  } else {
    // The last segment whose first LSN is <= from_lsn; the ones before it are never opened.
    auto it = std::upper_bound(r->firsts_.begin(), r->firsts_.end(), from_lsn);
    r->index_ = it == r->firsts_.begin() ? 0 : static_cast<size_t>(it - r->firsts_.begin() - 1);
    PAGER_RETURN_IF_ERROR(r->OpenSegment(r->index_));
  }
  *out = std::move(r);
  return Status::Ok();
}

// R2: the previous segment is released first, so at most one is held at any time.
Status LogReplay::OpenSegment(size_t index) {
  current_.reset();
  ReaderOptions o = options_;
  o.expected_first_lsn = firsts_[index];
  PAGER_RETURN_IF_ERROR(
      SegmentReader::Open(env_, dir_ + "/" + SegmentName(firsts_[index]), o, &current_));
  segments_opened_++;
  return Status::Ok();
}

void LogReplay::Stop(StopReason reason, uint64_t segment_lsn, uint64_t offset,
                     std::string detail) {
  stop_reason_ = reason;
  stop_segment_lsn_ = segment_lsn;
  stop_offset_ = offset;
  stop_detail_ = std::move(detail);
}

Status LogReplay::Next(RecordView* view, bool* found) {
  *found = false;
  while (stop_reason_ == StopReason::kNone) {
    // An earlier call failed to open segment index_: try again.
    if (current_ == nullptr) PAGER_RETURN_IF_ERROR(OpenSegment(index_));
    SegmentReader* seg = current_.get();
    PAGER_RETURN_IF_ERROR(seg->Next(view, found));
    if (*found) {
      last_lsn_ = view->lsn;
      if (view->lsn >= from_lsn_) return Status::Ok();
      *found = false;
      continue;
    }
    bool stopped = false;
    PAGER_RETURN_IF_ERROR(AdvanceSegment(&stopped));
  }
  return Status::Ok();
}

Status LogReplay::AdvanceSegment(bool* stopped) {
  SegmentReader* seg = current_.get();
  uint64_t seg_lsn = firsts_[index_];
  if (seg->last_lsn() != 0) last_lsn_ = seg->last_lsn();
  bool is_last = index_ + 1 == firsts_.size();
  *stopped = true;
  if (seg->stop_reason() == StopReason::kCorrupt) {
    Stop(StopReason::kCorrupt, seg_lsn, seg->stop_offset(), seg->path() + ": " + seg->stop_detail());
    return Status::Ok();
  }
  if (seg->stop_reason() == StopReason::kTornTail) {
    // A sealed segment was synced before its successor existed: a torn tail there is damage.
    Stop(is_last ? StopReason::kTornTail : StopReason::kCorrupt, seg_lsn, seg->stop_offset(),
         seg->path() + ": " + seg->stop_detail() + (is_last ? "" : " (in a sealed segment)"));
    return Status::Ok();
  }
  if (is_last) {
    Stop(StopReason::kCleanEnd, seg_lsn, seg->stop_offset(), "");
    return Status::Ok();
  }
  uint64_t next_expected = seg->last_lsn() != 0 ? seg->last_lsn() + 1 : seg_lsn;
  if (firsts_[index_ + 1] != next_expected) {
    Stop(StopReason::kCorrupt, seg_lsn, seg->stop_offset(),
         "LSN gap: " + seg->path() + " ends before LSN " + std::to_string(next_expected) +
             " but the next segment starts at LSN " + std::to_string(firsts_[index_ + 1]));
    return Status::Ok();
  }
  index_++;
  PAGER_RETURN_IF_ERROR(OpenSegment(index_));
  *stopped = false;
  return Status::Ok();
}

}  // namespace walseg
}  // namespace pager
