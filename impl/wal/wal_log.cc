#include "impl/wal/wal_log.h"

#include <algorithm>
#include <mutex>
#include <random>

#include "impl/wal/wal_geometry.h"

namespace pager {
namespace wal {

namespace {
std::mutex g_random_mu;
uint64_t g_test_state = 0;  // 0 = use the OS's random source

WalLog::StopReason StopReasonOf(FrameFault fault) {
  switch (fault) {
    case FrameFault::kSaltMismatch: return WalLog::StopReason::kSaltMismatch;
    case FrameFault::kChecksumMismatch: return WalLog::StopReason::kChecksumMismatch;
    default: return WalLog::StopReason::kBadFrame;
  }
}
}  // namespace

void SetDeterministicRandomForTesting(uint64_t seed) {
  std::lock_guard<std::mutex> lock(g_random_mu);
  g_test_state = seed;
}

uint32_t RandomSalt() {
  std::lock_guard<std::mutex> lock(g_random_mu);
  if (g_test_state != 0) {  // splitmix64
    uint64_t z = (g_test_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<uint32_t>(z ^ (z >> 31));
  }
  static std::random_device device;
  return static_cast<uint32_t>(device());
}

uint64_t RandomFileId() { return (uint64_t{RandomSalt()} << 32) | RandomSalt(); }

Status WalLog::Create(io::Env* env, const std::string& path, uint32_t page_size,
                      uint64_t base_checkpoint_seq, uint64_t file_id,
                      std::unique_ptr<WalLog>* out) {
  io::OpenOptions o;
  o.write = true;
  o.create = true;
  o.truncate = true;
  std::unique_ptr<io::File> file;
  PAGER_RETURN_IF_ERROR(env->Open(path, o, &file));
  std::unique_ptr<WalLog> log(new WalLog(std::move(file), page_size, 0));
  WalHeader h = MakeWalHeader(page_size, base_checkpoint_seq, file_id, RandomSalt(), RandomSalt());
  PAGER_RETURN_IF_ERROR(log->WriteHeader(h));
  uint64_t ignored = 0;
  PAGER_RETURN_IF_ERROR(log->Sync(&ignored));
  PAGER_RETURN_IF_ERROR(env->SyncDir(io::DirName(path)));
  *out = std::move(log);
  return Status::Ok();
}

Status WalLog::Open(io::Env* env, const std::string& path, bool write, uint32_t page_size,
                    std::unique_ptr<WalLog>* out) {
  io::OpenOptions o;
  o.write = write;
  std::unique_ptr<io::File> file;
  PAGER_RETURN_IF_ERROR(env->Open(path, o, &file));
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(file->Size(&size));
  if (size < kWalHeaderSize) {
    return Status(Code::kNotFound, path + " is " + std::to_string(size) +
                                       " bytes, shorter than a WAL header");
  }
  WalHeader h;
  Status rd = file->ReadExactAt(0, &h, sizeof h, true);
  if (!rd.ok()) {
    // A read-only handle opens the sidecar while its writer works: a TRUNCATE checkpoint
    // (W10) may cut it between the size check above and this read. A sidecar shorter than a
    // header now is one being reset, as above -- not damage (the caller retries or takes
    // the main file alone).
    uint64_t now = 0;
    if (rd.code() == Code::kCorrupt && file->Size(&now).ok() && now < kWalHeaderSize) {
      return Status(Code::kNotFound, path + " was cut to " + std::to_string(now) +
                                         " bytes while its header was read");
    }
    return rd;
  }
  Status st = ValidateWalHeader(h);
  if (!st.ok()) return st.WithContext(path);
  if (h.page_size != page_size) {
    return Corruption(path + ": WAL page size " + std::to_string(h.page_size) +
                      " differs from the main file's " + std::to_string(page_size));
  }
  std::unique_ptr<WalLog> log(new WalLog(std::move(file), page_size, size));
  log->header_ = h;
  log->last_checksum_ = h.checksum;
  *out = std::move(log);
  return Status::Ok();
}

Status WalLog::WriteHeader(const WalHeader& header) {
  PAGER_RETURN_IF_ERROR(file_->WriteAt(0, &header, sizeof header));
  header_ = header;
  header_pending_ = false;
  frame_count_ = 0;
  last_checksum_ = header.checksum;
  unsynced_bytes_ += sizeof header;
  file_size_ = std::max<uint64_t>(file_size_, sizeof header);
  return Status::Ok();
}

Status WalLog::Recover(const Sink& sink) {
  frame_count_ = 0;
  last_checksum_ = header_.checksum;
  scan_chain_ = header_.checksum;
  stop_reason_ = StopReason::kEndOfFile;
  const WalGeometry geometry(header_.format_version, page_size_);
  const uint64_t slots = geometry.FramesIn(file_size_);
  if (geometry.EndOffset(slots) != file_size_) stop_reason_ = StopReason::kPartialFrame;
  constexpr uint64_t kBatchFrames = 64;
  std::vector<uint8_t> buf;
  std::vector<std::pair<uint64_t, uint32_t>> pending;
  bool stop = false;
  for (uint64_t first = 0; first < slots && !stop; first += kBatchFrames) {
    uint64_t count = std::min(kBatchFrames, slots - first);
    PAGER_RETURN_IF_ERROR(ScanBatch(first, count, &buf, &stop, &pending, sink));
  }
  return Status::Ok();
}

// Validates frames [first, first+count); on the first invalid frame sets *stop (L1).
Status WalLog::ScanBatch(uint64_t first, uint64_t count, std::vector<uint8_t>* buf, bool* stop,
                         std::vector<std::pair<uint64_t, uint32_t>>* pending,
                         const Sink& sink) {
  const uint64_t frame_size = FrameSize(page_size_);
  buf->resize(count * frame_size);
  PAGER_RETURN_IF_ERROR(
      file_->ReadExactAt(FrameOffset(first, page_size_), buf->data(), buf->size(), true));
  uint64_t chain = scan_chain_;
  for (uint64_t i = 0; i < count; i++) {
    const uint8_t* p = buf->data() + i * frame_size;
    FrameHeader fh;
    std::memcpy(&fh, p, sizeof fh);
    const FrameFault fault = CheckFrame(fh, p + kFrameHeaderSize, page_size_, header_, chain);
    if (fault != FrameFault::kNone) {
      stop_reason_ = StopReasonOf(fault);
      *stop = true;
      return Status::Ok();
    }
    chain = fh.checksum;
    uint64_t index = first + i;
    pending->emplace_back(index, fh.page_number);
    if (fh.commit_page_count == 0) continue;
    for (const auto& f : *pending) {
      if (f.second >= fh.commit_page_count) {
        // A frame past its own commit's page count: never written by this library.
        stop_reason_ = StopReason::kBadFrame;
        *stop = true;
        return Status::Ok();
      }
    }
    sink.commit(index, fh.commit_page_count, fh.commit_floor_count);
    for (const auto& f : *pending) sink.frame(f.first, f.second);
    pending->clear();
    frame_count_ = index + 1;
    last_checksum_ = chain;
  }
  scan_chain_ = chain;
  return Status::Ok();
}

Status WalLog::Prewrite(uint64_t end_offset) {
  if (end_offset <= file_size_) return Status::Ok();
  uint64_t step = std::max<uint64_t>(prewrite_bytes, 1);
  uint64_t target = (end_offset + step - 1) / step * step;
  static const std::vector<uint8_t> kZeros(1 << 16, 0);
  std::vector<io::IoSlice> slices;
  uint64_t left = target - file_size_;
  while (left > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, kZeros.size()));
    slices.push_back(io::IoSlice{kZeros.data(), n});
    left -= n;
  }
  PAGER_RETURN_IF_ERROR(file_->WriteVAt(file_size_, slices.data(), slices.size()));
  unsynced_bytes_ += target - file_size_;
  file_size_ = target;
  return Status::Ok();
}

Status WalLog::AppendTransaction(const std::vector<FrameRef>& frames,
                                 uint32_t commit_page_count,
                                 uint32_t commit_floor_count) {
  if (frames.empty()) return Internal("AppendTransaction with no frames");
  if (header_pending_) PAGER_RETURN_IF_ERROR(WriteHeader(header_));  // L5
  const WalGeometry geometry(header_.format_version, page_size_);
  const uint64_t start = geometry.HeaderOffset(frame_count_);
  const uint64_t end = geometry.EndOffset(frame_count_ + frames.size());
  PAGER_RETURN_IF_ERROR(Prewrite(end));
  std::vector<FrameHeader>& headers = header_scratch_;  // L6
  headers.resize(frames.size());
  uint64_t chain = last_checksum_;
  for (size_t i = 0; i < frames.size(); i++) {
    const bool last = (i + 1 == frames.size());
    headers[i] = MakeFrameHeader(frames[i].page_number, last ? commit_page_count : 0,
                                 last ? commit_floor_count : 0, header_, frames[i].body,
                                 page_size_, chain);
    chain = headers[i].checksum;
  }
  std::vector<io::IoSlice>& slices = slice_scratch_;
  slices.clear();
  for (size_t i = 0; i < frames.size(); i++) {
    slices.push_back(io::IoSlice{&headers[i], sizeof(FrameHeader)});
    slices.push_back(io::IoSlice{frames[i].body, page_size_});
  }
  Status st = file_->WriteVAt(start, slices.data(), slices.size());
  if (slices.capacity() > kKeptAppendScratchFrames * 2) {  // L6: bounded between appends
    std::vector<FrameHeader>().swap(headers);
    std::vector<io::IoSlice>().swap(slices);
  }
  PAGER_RETURN_IF_ERROR(st);
  unsynced_bytes_ += end - start;
  frame_count_ += frames.size();
  last_checksum_ = chain;
  return Status::Ok();
}

Status WalLog::Sync(uint64_t* bytes_synced) {
  PAGER_RETURN_IF_ERROR(file_->DataSync());
  *bytes_synced += unsynced_bytes_;
  unsynced_bytes_ = 0;
  return Status::Ok();
}

Status WalLog::StartWritebackOfFrames(uint64_t first) {
  const WalGeometry geometry(header_.format_version, page_size_);
  const uint64_t start = geometry.HeaderOffset(first);
  return file_->StartWriteback(start, geometry.EndOffset(frame_count_) - start);
}

Status WalLog::Reset(uint64_t base_checkpoint_seq, uint64_t keep_bytes, uint64_t* bytes_synced) {
  WalHeader h = MakeWalHeader(page_size_, base_checkpoint_seq, header_.file_id, header_.salt1 + 1,
                              RandomSalt());
  PAGER_RETURN_IF_ERROR(WriteHeader(h));
  uint64_t keep = std::max<uint64_t>(keep_bytes, kWalHeaderSize);
  if (file_size_ > keep) {
    PAGER_RETURN_IF_ERROR(file_->Truncate(keep));
    file_size_ = keep;
  }
  return Sync(bytes_synced);
}

Status WalLog::ResetToEmpty(uint64_t base_checkpoint_seq) {
  WalHeader h = MakeWalHeader(page_size_, base_checkpoint_seq, header_.file_id, header_.salt1 + 1,
                              RandomSalt());
  PAGER_RETURN_IF_ERROR(file_->Truncate(0));
  file_size_ = 0;
  header_ = h;
  header_pending_ = true;
  frame_count_ = 0;
  last_checksum_ = h.checksum;
  PAGER_RETURN_IF_ERROR(file_->DataSync());
  unsynced_bytes_ = 0;
  return Status::Ok();
}

Status WalLog::ReadFrames(uint64_t first, uint64_t count, uint8_t* dst) {
  if (first + count > frame_count_) {
    return Internal("frames [" + std::to_string(first) + ", " + std::to_string(first + count) +
                    ") past the WAL's " + std::to_string(frame_count_) + " valid frames");
  }
  return file_->ReadExactAt(FrameOffset(first, page_size_), dst,
                            static_cast<size_t>(count * FrameSize(page_size_)), true);
}

Status WalLog::ReadCommittedBodies(uint64_t first, uint64_t count, uint8_t* const* dsts,
                                   std::vector<uint8_t>* header_scratch) const {
  header_scratch->resize(static_cast<size_t>(count) * kFrameHeaderSize);
  std::vector<io::IoSliceMut> slices;
  slices.reserve(static_cast<size_t>(count) * 2);
  for (uint64_t i = 0; i < count; i++) {
    slices.push_back(io::IoSliceMut{&(*header_scratch)[i * kFrameHeaderSize], kFrameHeaderSize});
    slices.push_back(io::IoSliceMut{dsts[i], page_size_});
  }
  const uint64_t want = count * FrameSize(page_size_);
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(
      file_->ReadVAt(FrameOffset(first, page_size_), slices.data(), slices.size(), &got));
  if (got != want) {
    return Corruption("WAL frames [" + std::to_string(first) + ", " +
                      std::to_string(first + count) + ") end early: " + std::to_string(got) +
                      " of " + std::to_string(want) + " bytes");
  }
  return Status::Ok();
}

Status WalLog::ReadBody(uint64_t frame_index, uint8_t* dst) {
  if (frame_index >= frame_count_) {
    return Internal("frame " + std::to_string(frame_index) + " past the WAL's " +
                    std::to_string(frame_count_) + " valid frames");
  }
  return file_->ReadExactAt(WalGeometry(header_.format_version, page_size_).BodyOffset(frame_index),
                            dst, page_size_, true);
}

}  // namespace wal
}  // namespace pager
