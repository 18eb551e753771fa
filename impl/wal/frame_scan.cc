#include "impl/wal/frame_scan.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "impl/wal/wal_log.h"

namespace pager {
namespace wal {

namespace {

constexpr uint64_t kScanBatchFrames = 64;  // FS3
const std::string kWalSuffix = "-wal";

bool EndsWithWalSuffix(const std::string& path) {
  return path.size() > kWalSuffix.size() &&
         path.compare(path.size() - kWalSuffix.size(), kWalSuffix.size(), kWalSuffix) == 0;
}

// The sidecar being scanned: its file, geometry and the verdicts of FS2.
struct Sidecar {
  std::unique_ptr<io::File> file;
  WalHeader header{};
  uint64_t frame_size = 0;
  uint64_t slots = 0;
  uint64_t committed = 0;
  uint64_t chain_end = 0;
};

// Frames [first, first+count) into *buf (count <= kScanBatchFrames).
Status ReadBatch(const Sidecar& s, uint64_t first, uint64_t count, std::vector<uint8_t>* buf) {
  buf->resize(static_cast<size_t>(count * s.frame_size));
  return s.file->ReadExactAt(FrameOffset(first, s.header.page_size), buf->data(), buf->size(),
                             true);
}

FrameHeader HeaderAt(const uint8_t* frame) {
  FrameHeader h;
  std::memcpy(&h, frame, sizeof h);
  return h;
}

// The stored checksum the chain seeds frame `index` with: frame index-1's, or the header's.
Status SeedOf(const Sidecar& s, uint64_t index, uint64_t* seed) {
  if (index == 0) {
    *seed = s.header.checksum;
    return Status::Ok();
  }
  FrameHeader h;
  PAGER_RETURN_IF_ERROR(
      s.file->ReadExactAt(FrameOffset(index - 1, s.header.page_size), &h, sizeof h, true));
  *seed = h.checksum;
  return Status::Ok();
}

// FS1: the committed prefix, as the recovery scan an open runs decides it.
Status CommittedFrames(io::Env* env, const std::string& wal_path, uint32_t page_size,
                       uint64_t* committed) {
  std::unique_ptr<WalLog> log;
  PAGER_RETURN_IF_ERROR(WalLog::Open(env, wal_path, false, page_size, &log));
  WalLog::Sink sink;
  sink.frame = [](uint64_t, uint32_t) {};
  sink.commit = [](uint64_t, uint32_t, uint32_t) {};
  PAGER_RETURN_IF_ERROR(log->Recover(sink));
  *committed = log->frame_count();
  return Status::Ok();
}

// FS2: where the valid chain ends, walking from the committed prefix.
Status ChainEnd(Sidecar* s) {
  uint64_t seed = 0;
  PAGER_RETURN_IF_ERROR(SeedOf(*s, s->committed, &seed));
  std::vector<uint8_t> buf;
  for (uint64_t first = s->committed; first < s->slots; first += kScanBatchFrames) {
    uint64_t count = std::min(kScanBatchFrames, s->slots - first);
    PAGER_RETURN_IF_ERROR(ReadBatch(*s, first, count, &buf));
    for (uint64_t i = 0; i < count; i++) {
      const uint8_t* p = buf.data() + i * s->frame_size;
      FrameHeader h = HeaderAt(p);
      if (CheckFrame(h, p + kFrameHeaderSize, s->header.page_size, s->header, seed) !=
          FrameFault::kNone) {
        s->chain_end = first + i;
        return Status::Ok();
      }
      if (h.commit_page_count != 0) {  // a commit recovery rejected: nothing past the prefix
        s->chain_end = s->committed;
        return Status::Ok();
      }
      seed = h.checksum;
    }
  }
  s->chain_end = s->slots;
  return Status::Ok();
}

FrameState StateOf(const Sidecar& s, uint64_t index) {
  if (index < s.committed) return FrameState::kCommitted;
  if (index < s.chain_end) return FrameState::kUncommitted;
  return FrameState::kBeyond;
}

ScannedFrame Describe(const Sidecar& s, uint64_t index, const uint8_t* p, uint64_t seed) {
  ScannedFrame f;
  f.index = index;
  f.offset_bytes = FrameOffset(index, s.header.page_size);
  f.header = HeaderAt(p);
  f.state = StateOf(s, index);
  f.salts_match = f.header.salt1 == s.header.salt1 && f.header.salt2 == s.header.salt2;
  f.page = p + kFrameHeaderSize;
  f.page_bytes = s.header.page_size;
  f.computed_checksum = FrameChecksum(f.header, f.page, s.header.page_size, seed);
  f.checksum_valid = f.computed_checksum == f.header.checksum;
  f.well_formed = FrameWellFormed(f.header);
  return f;
}

// FS4: frames [first, end) to fn, in order.
Status Deliver(const Sidecar& s, uint64_t first, uint64_t end, const FrameFn& fn) {
  if (!fn || first >= end) return Status::Ok();
  uint64_t seed = 0;
  PAGER_RETURN_IF_ERROR(SeedOf(s, first, &seed));
  std::vector<uint8_t> buf;
  for (uint64_t at = first; at < end; at += kScanBatchFrames) {
    uint64_t count = std::min(kScanBatchFrames, end - at);
    PAGER_RETURN_IF_ERROR(ReadBatch(s, at, count, &buf));
    for (uint64_t i = 0; i < count; i++) {
      ScannedFrame f = Describe(s, at + i, buf.data() + i * s.frame_size, seed);
      seed = f.header.checksum;
      PAGER_RETURN_IF_ERROR(fn(f));
    }
  }
  return Status::Ok();
}

// The header, or has_header = false for a sidecar whose creation never became durable.
Status ReadHeader(io::File* f, const std::string& wal_path, ScanSummary* sum) {
  if (sum->file_bytes < kWalHeaderSize) return Status::Ok();
  WalHeader h;
  PAGER_RETURN_IF_ERROR(f->ReadExactAt(0, &h, sizeof h, true));
  Status st = ValidateWalHeader(h);
  if (st.code() == Code::kNotFound) return Status::Ok();
  if (!st.ok()) return st.WithContext(wal_path + " (byte offset 0)");
  sum->has_header = true;
  sum->header = h;
  return Status::Ok();
}

}  // namespace

Status SidecarPathOf(io::Env* env, const std::string& path, std::string* wal_path) {
  if (EndsWithWalSuffix(path)) {
    *wal_path = path;
    return Status::Ok();
  }
  std::unique_ptr<io::File> f;
  PAGER_RETURN_IF_ERROR(env->Open(path, io::OpenOptions{}, &f));
  char magic[sizeof kWalMagic] = {};
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(f->ReadAt(0, magic, sizeof magic, &got));
  bool sidecar = got == sizeof magic && std::memcmp(magic, kWalMagic, sizeof magic) == 0;
  *wal_path = sidecar ? path : path + kWalSuffix;
  return Status::Ok();
}

Status ScanFrames(io::Env* env, const std::string& path, const ScanOptions& options,
                  const FrameFn& fn, ScanSummary* summary) {
  ScanSummary sum;
  PAGER_RETURN_IF_ERROR(SidecarPathOf(env, path, &sum.wal_path));
  Sidecar s;
  PAGER_RETURN_IF_ERROR(env->Open(sum.wal_path, io::OpenOptions{}, &s.file));
  PAGER_RETURN_IF_ERROR(s.file->Size(&sum.file_bytes));
  PAGER_RETURN_IF_ERROR(ReadHeader(s.file.get(), sum.wal_path, &sum));
  if (sum.has_header) {
    s.header = sum.header;
    s.frame_size = FrameSize(s.header.page_size);
    s.slots = (sum.file_bytes - kWalHeaderSize) / s.frame_size;
    sum.frame_slots = s.slots;
    sum.trailing_bytes = (sum.file_bytes - kWalHeaderSize) % s.frame_size;
    PAGER_RETURN_IF_ERROR(CommittedFrames(env, sum.wal_path, s.header.page_size, &s.committed));
    s.committed = std::min(s.committed, s.slots);  // a file that grew since its size was read
    PAGER_RETURN_IF_ERROR(ChainEnd(&s));
    sum.committed_frames = s.committed;
    sum.chain_frames = s.chain_end;
    uint64_t first = std::min(options.first_frame, s.slots);
    uint64_t end = first + std::min(options.max_frames, s.slots - first);
    PAGER_RETURN_IF_ERROR(Deliver(s, first, end, fn));
  }
  *summary = sum;
  return Status::Ok();
}

}  // namespace wal
}  // namespace pager
