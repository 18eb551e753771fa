// Capture: engine -> snapshot file (K1, K2, K6, K7).
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "impl/io/checksum.h"
#include "impl/snapshot/adapter.h"
#include "impl/snapshot/content_hash.h"
#include "impl/snapshot/format.h"
#include "impl/snapshot/parallel.h"
#include "impl/snapshot/reader.h"
#include "impl/snapshot/snapshot.h"

namespace pager {
namespace snapshot {

namespace {

constexpr size_t kWriteBufferBytes = 1u << 20;

struct ContentHashHasher {
  size_t operator()(const ContentHash& h) const { return static_cast<size_t>(h.first ^ h.second); }
};
using HashSet = std::unordered_set<ContentHash, ContentHashHasher>;

// Sequential writer: small pieces are buffered, large ones written directly.
class Writer {
 public:
  explicit Writer(io::File* file) : file_(file) {}
  uint64_t offset() const { return flushed_ + buf_.size(); }

  Status Append(const void* data, size_t len) {
    if (buf_.size() + len > kWriteBufferBytes) PAGER_RETURN_IF_ERROR(Flush());
    if (len >= kWriteBufferBytes) {
      PAGER_RETURN_IF_ERROR(file_->WriteAt(flushed_, data, len));
      flushed_ += len;
      return Status::Ok();
    }
    const uint8_t* p = static_cast<const uint8_t*>(data);
    buf_.insert(buf_.end(), p, p + len);
    return Status::Ok();
  }

  Status Flush() {
    if (buf_.empty()) return Status::Ok();
    PAGER_RETURN_IF_ERROR(file_->WriteAt(flushed_, buf_.data(), buf_.size()));
    flushed_ += buf_.size();
    buf_.clear();
    return Status::Ok();
  }

 private:
  io::File* file_;
  uint64_t flushed_ = 0;
  std::vector<uint8_t> buf_;
};

struct ParentInfo {
  bool present = false;
  std::string stored_path;  // as the caller gave it (goes into the header)
  uint64_t snapshot_id = 0;
  HashSet hashes;
};

// One page read from the engine, then hashed and maybe compressed by a worker.
struct PageWork {
  uint32_t engine_page = 0;
  uint8_t* raw = nullptr;           // K || V: page_bytes in `owned` or in the copy-out buffer
  std::vector<uint8_t> owned;       // the page's own buffer when not copied out
  std::vector<uint8_t> compressed;  // used if smaller than raw
  PageEntry entry{};
};

class Capturer {
 public:
  Capturer(io::Env* env, const pager_cache_ops& ops, io::File* out, const Options& options)
      : env_(env), adapter_(ops), writer_(out), options_(options) {}

  Status Run(const std::string& base_dir);

 private:
  Status LoadParent(const std::string& base_dir);
  Status ReadEngineState();
  Status CheckSeqs();
  Status WriteHeader();
  Status CapturePages();
  bool PagesFitCopyOutBudget() const;
  Status CopyOutPages();
  Status WriteCopiedPages();
  Status ReadPageInto(uint32_t engine_page, PageWork* w);
  Status ProcessBatch(PageWork* batch, size_t n);
  Status WriteTablesAndTrailer();
  uint64_t NewSnapshotId();

  io::Env* env_;
  Adapter adapter_;
  Writer writer_;
  const Options& options_;
  Geometry geometry_;
  ParentInfo parent_;
  std::vector<uint32_t> occupied_;
  std::vector<Seq> seqs_;  // pages rewritten to page-table positions by CheckSeqs
  Header header_{};
  std::vector<PageEntry> entries_;
  std::vector<PageWork> copied_;  // every page, when copied out under the pause
  std::unique_ptr<uint8_t[]> copy_out_;  // their bytes
};

Status Capturer::LoadParent(const std::string& base_dir) {
  if (options_.parent_path.empty()) return Status::Ok();
  Geometry pg;
  std::vector<ContentHash> hashes;
  PAGER_RETURN_IF_ERROR(LoadParentHashes(env_, ResolveParentPath(base_dir, options_.parent_path),
                                         &pg, &parent_.snapshot_id, &hashes));
  Status g = CompareGeometry(pg, geometry_);
  if (!g.ok()) return g.WithContext("parent snapshot " + options_.parent_path);
  parent_.present = true;
  parent_.stored_path = options_.parent_path;
  parent_.hashes.insert(hashes.begin(), hashes.end());
  return Status::Ok();
}

Status Capturer::ReadEngineState() {
  PAGER_ASSIGN_OR_RETURN(occupied_, adapter_.OccupiedPages());
  PAGER_ASSIGN_OR_RETURN(seqs_, adapter_.LogicalSeqs());
  std::sort(occupied_.begin(), occupied_.end());
  return CheckSeqs();
}

Status Capturer::CheckSeqs() {
  std::unordered_map<uint32_t, uint32_t> position;
  position.reserve(occupied_.size());
  for (size_t i = 0; i < occupied_.size(); i++) position[occupied_[i]] = static_cast<uint32_t>(i);
  std::unordered_set<std::string> ids;
  for (Seq& s : seqs_) {
    if (!ids.insert(s.id).second) {
      return Status(Code::kDuplicate, "callback logical_seqs reported sequence '" + s.id + "' twice");
    }
    if (s.fill_last_page > geometry_.tokens_per_page || (s.pages.empty() && s.fill_last_page)) {
      return InvalidArgument("callback logical_seqs: sequence '" + s.id + "' has fill " +
                             std::to_string(s.fill_last_page) + " with " +
                             std::to_string(s.pages.size()) + " pages of " +
                             std::to_string(geometry_.tokens_per_page) + " tokens");
    }
    for (uint32_t& p : s.pages) {
      auto it = position.find(p);
      if (it == position.end()) {
        return InvalidArgument("callback logical_seqs: sequence '" + s.id + "' refers to page " +
                               std::to_string(p) + ", which occupied_pages did not report");
      }
      p = it->second;
    }
  }
  return Status::Ok();
}

uint64_t Capturer::NewSnapshotId() {
  if (options_.fixed_snapshot_id != 0) return options_.fixed_snapshot_id;
  std::random_device rd;
  uint64_t id = 0;
  while (id == 0) id = (uint64_t{rd()} << 32) ^ rd() ^ env_->NowMicros();
  return id;
}

Status Capturer::WriteHeader() {
  std::memcpy(header_.magic, kHeaderMagic, sizeof kHeaderMagic);
  header_.format_version = kFormatVersion;
  header_.flags = parent_.present ? kFlagIncremental : 0;
  header_.tokens_per_page = geometry_.tokens_per_page;
  header_.layers = geometry_.layers;
  header_.kv_heads = geometry_.kv_heads;
  header_.head_dim = geometry_.head_dim;
  header_.dtype = geometry_.dtype;
  header_.parent_path_bytes = static_cast<uint32_t>(parent_.stored_path.size());
  header_.k_page_bytes = geometry_.k_page_bytes;
  header_.v_page_bytes = geometry_.v_page_bytes;
  header_.page_count = occupied_.size();
  header_.seq_count = seqs_.size();
  header_.created_us = env_->NowMicros();
  header_.snapshot_id = NewSnapshotId();
  header_.parent_snapshot_id = parent_.present ? parent_.snapshot_id : 0;
  Hasher h(kSeedHeader);
  h.Update(&header_, offsetof(Header, header_checksum));
  h.Update(parent_.stored_path.data(), parent_.stored_path.size());
  header_.header_checksum = h.Digest();
  PAGER_RETURN_IF_ERROR(writer_.Append(&header_, sizeof header_));
  std::vector<uint8_t> path(Pad8(parent_.stored_path.size()), 0);
  if (path.empty()) return Status::Ok();
  std::memcpy(path.data(), parent_.stored_path.data(), parent_.stored_path.size());
  return writer_.Append(path.data(), path.size());
}

Status Capturer::ProcessBatch(PageWork* batch, size_t count) {
  uint64_t page_bytes = geometry_.page_bytes();
  Status processed = ParallelFor(count, options_.WorkerCount(), [&](size_t i) {
    PageWork& w = batch[i];
    ContentHash h = ContentHashOf(w.raw, page_bytes);
    w.entry.engine_page = w.engine_page;
    w.entry.content_hash_lo = h.first;
    w.entry.content_hash_hi = h.second;
    if (parent_.hashes.count(h) != 0) {
      w.entry.flags = kPageInParent;
      return Status::Ok();
    }
    if (options_.compression == PAGER_SNAPSHOT_COMPRESS_ZSTD) {
      w.compressed.resize(ZSTD_compressBound(page_bytes));
      size_t n = ZSTD_compress(w.compressed.data(), w.compressed.size(), w.raw, page_bytes,
                               options_.zstd_level);
      if (ZSTD_isError(n)) {
        return Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      }
      if (n < page_bytes) {
        w.compressed.resize(n);
        w.entry.flags = kPageCompressed;
      }
    }
    bool packed = w.entry.flags == kPageCompressed;
    w.entry.stored_bytes = packed ? w.compressed.size() : page_bytes;
    w.entry.stored_checksum =
        Checksum64(packed ? w.compressed.data() : w.raw, w.entry.stored_bytes, kSeedBlob);
    return Status::Ok();
  });
  if (!processed.ok()) return processed;
  for (size_t i = 0; i < count; i++) {
    PageWork& w = batch[i];
    if (w.entry.flags != kPageInParent) {
      w.entry.offset_bytes = writer_.offset();
      const uint8_t* stored = w.entry.flags == kPageCompressed ? w.compressed.data() : w.raw;
      PAGER_RETURN_IF_ERROR(writer_.Append(stored, w.entry.stored_bytes));
    }
    entries_.push_back(w.entry);
  }
  return Status::Ok();
}

Status Capturer::ReadPageInto(uint32_t engine_page, PageWork* w) {
  w->engine_page = engine_page;
  if (copy_out_ == nullptr) {  // streaming: each batch slot's own buffer, reused
    w->owned.resize(geometry_.page_bytes());
    w->raw = w->owned.data();
  }
  w->compressed.clear();
  w->entry = PageEntry{};
  return adapter_.ReadPage(engine_page, w->raw, geometry_.k_page_bytes,
                           w->raw + geometry_.k_page_bytes, geometry_.v_page_bytes);
}

// Paused: read a batch, process it, write it; repeat (K1: the output is written paused).
Status Capturer::CapturePages() {
  uint64_t page_bytes = geometry_.page_bytes();
  Progress progress(options_, page_bytes * occupied_.size());
  size_t per_batch = static_cast<size_t>(std::max<uint64_t>(1, options_.BatchBytes() / page_bytes));
  std::vector<PageWork> batch;
  entries_.reserve(occupied_.size());
  for (size_t first = 0; first < occupied_.size(); first += per_batch) {
    size_t n = std::min(per_batch, occupied_.size() - first);
    batch.resize(n);
    for (size_t i = 0; i < n; i++) {
      PAGER_RETURN_IF_ERROR(ReadPageInto(occupied_[first + i], &batch[i]));
    }
    PAGER_RETURN_IF_ERROR(ProcessBatch(batch.data(), n));
    PAGER_RETURN_IF_ERROR(progress.Advance(n * page_bytes));
  }
  return Status::Ok();
}

bool Capturer::PagesFitCopyOutBudget() const {
  uint64_t budget = options_.copy_out_budget_bytes;
  uint64_t page_bytes = geometry_.page_bytes();
  return budget != 0 && occupied_.size() <= budget / page_bytes;
}

// Paused: copy every page into memory (K1: the output is written after resume).
Status Capturer::CopyOutPages() {
  uint64_t page_bytes = geometry_.page_bytes();
  Progress progress(options_, page_bytes * occupied_.size());
  copied_.resize(occupied_.size());
  // One uninitialized buffer: no zero-fill pass while the engine waits.
  copy_out_.reset(new uint8_t[page_bytes * occupied_.size()]);
  for (size_t i = 0; i < occupied_.size(); i++) {
    copied_[i].raw = copy_out_.get() + page_bytes * i;
    PAGER_RETURN_IF_ERROR(ReadPageInto(occupied_[i], &copied_[i]));
    PAGER_RETURN_IF_ERROR(progress.Advance(page_bytes));
  }
  return Status::Ok();
}

// Resumed: process and write the copied pages batch by batch, freeing each batch's memory.
Status Capturer::WriteCopiedPages() {
  size_t per_batch = static_cast<size_t>(
      std::max<uint64_t>(1, options_.BatchBytes() / geometry_.page_bytes()));
  entries_.reserve(copied_.size());
  for (size_t first = 0; first < copied_.size(); first += per_batch) {
    size_t n = std::min(per_batch, copied_.size() - first);
    PAGER_RETURN_IF_ERROR(ProcessBatch(copied_.data() + first, n));
    for (size_t i = first; i < first + n; i++) std::vector<uint8_t>().swap(copied_[i].compressed);
  }
  copied_.clear();
  copy_out_.reset();
  return Status::Ok();
}

Status Capturer::WriteTablesAndTrailer() {
  Trailer t{};
  std::memcpy(t.magic, kTrailerMagic, sizeof kTrailerMagic);
  t.page_table_offset = writer_.offset();
  size_t table_bytes = entries_.size() * sizeof(PageEntry);
  t.page_table_checksum = Checksum64(entries_.data(), table_bytes, kSeedTable);
  PAGER_RETURN_IF_ERROR(writer_.Append(entries_.data(), table_bytes));
  std::vector<uint8_t> seqs;
  for (const Seq& s : seqs_) {
    SeqRecord r{static_cast<uint32_t>(s.id.size()), s.fill_last_page, s.pages.size()};
    size_t at = seqs.size();
    seqs.resize(at + sizeof r + Pad8(s.id.size()) + Pad8(s.pages.size() * 4), 0);
    std::memcpy(seqs.data() + at, &r, sizeof r);
    std::memcpy(seqs.data() + at + sizeof r, s.id.data(), s.id.size());
    if (!s.pages.empty()) {
      std::memcpy(seqs.data() + at + sizeof r + Pad8(s.id.size()), s.pages.data(),
                  s.pages.size() * 4);
    }
  }
  t.seq_table_offset = writer_.offset();
  t.seq_table_bytes = seqs.size();
  t.seq_table_checksum = Checksum64(seqs.data(), seqs.size(), kSeedSeqs);
  PAGER_RETURN_IF_ERROR(writer_.Append(seqs.data(), seqs.size()));
  t.header_checksum = header_.header_checksum;
  t.trailer_checksum = Checksum64(&t, offsetof(Trailer, trailer_checksum), kSeedTrailer);
  PAGER_RETURN_IF_ERROR(writer_.Append(&t, sizeof t));
  return writer_.Flush();
}

Status Capturer::Run(const std::string& base_dir) {
  PAGER_ASSIGN_OR_RETURN(geometry_, adapter_.Meta());
  PAGER_RETURN_IF_ERROR(LoadParent(base_dir));
  // K1: paused while the engine's state and pages are read -- and while the pages are
  // written, unless they all fit in the copy-out budget.
  bool copy_out = false;
  Status captured = WithPause(&adapter_, [&]() -> Status {
    PAGER_RETURN_IF_ERROR(ReadEngineState());
    copy_out = PagesFitCopyOutBudget();
    if (copy_out) return CopyOutPages();
    PAGER_RETURN_IF_ERROR(WriteHeader());
    return CapturePages();
  });
  if (!captured.ok()) return captured;
  if (copy_out) {
    PAGER_RETURN_IF_ERROR(WriteHeader());
    PAGER_RETURN_IF_ERROR(WriteCopiedPages());
  }
  return WriteTablesAndTrailer();
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Status CaptureToFile(io::Env* env, const pager_cache_ops& ops, io::File* out,
                     const std::string& base_dir, const Options& options) {
  PAGER_RETURN_IF_ERROR(options.Validate());
  PAGER_RETURN_IF_ERROR(Adapter::Check(ops));
  Capturer capturer(env, ops, out, options);
  return capturer.Run(base_dir);
}

Status Capture(io::Env* env, const pager_cache_ops& ops, const std::string& path,
               const Options& options) {
  PAGER_RETURN_IF_ERROR(options.Validate());
  PAGER_RETURN_IF_ERROR(Adapter::Check(ops));
  std::string base = BaseName(path);
  if (base.empty() || base == "." || base == "..") {
    return InvalidArgument("snapshot path '" + path + "' does not name a file");
  }
  std::string dir = io::DirName(path);
  std::string tmp;
  std::unique_ptr<io::File> file;
  PAGER_RETURN_IF_ERROR(env->CreateUniqueFile(dir, "." + base + ".tmp-", &tmp, &file));
  Status st = CaptureToFile(env, ops, file.get(), dir, options);
  if (st.ok()) st = file->Sync();
  file.reset();
  if (st.ok()) st = env->Rename(tmp, path);
  if (!st.ok()) {
    Status removed = env->Remove(tmp);  // K2: no temporary file left behind
    (void)removed;
    return st;
  }
  return env->SyncDir(dir);
}

}  // namespace snapshot
}  // namespace pager
