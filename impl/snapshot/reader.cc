#include "impl/snapshot/reader.h"

#include <mutex>

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "impl/common/bytes.h"
#include "impl/io/checksum.h"
#include "impl/snapshot/content_hash.h"
#include "impl/snapshot/parallel.h"

namespace pager {
namespace snapshot {

namespace {

constexpr uint64_t kVerifyBatchBytes = 16ull << 20;
// Restore into engine memory reads a page in chunks of this many bytes (at most this many
// slices each) and hashes each chunk right after reading it, while it is in the CPU cache.
constexpr uint64_t kInPlaceChunkBytes = 256u << 10;
constexpr size_t kInPlaceMaxSlices = 64;

struct HashOfHash {
  size_t operator()(const ContentHash& h) const { return static_cast<size_t>(h.first ^ h.second); }
};

}  // namespace

Status Progress::Advance(uint64_t bytes, bool cancellable) {
  done_ += bytes;
  if (options_.progress == nullptr) return Status::Ok();
  int rc = options_.progress(options_.progress_ctx, done_, total_);
  if (rc != 0 && cancellable) {
    return Status(Code::kCancelled, "cancelled by the progress callback at " +
                                        std::to_string(done_) + " of " + std::to_string(total_) +
                                        " bytes");
  }
  return Status::Ok();
}

Status SnapshotFile::Corrupt(const std::string& what) const {
  return Corruption("snapshot " + path_ + ": " + what);
}

Status SnapshotFile::Open(io::Env* env, const std::string& path,
                          std::unique_ptr<SnapshotFile>* out) {
  std::unique_ptr<SnapshotFile> f(new SnapshotFile());
  f->path_ = path;
  io::OpenOptions oo;
  PAGER_RETURN_IF_ERROR(env->Open(path, oo, &f->file_));
  PAGER_RETURN_IF_ERROR(f->file_->Size(&f->file_bytes_));
  PAGER_RETURN_IF_ERROR(f->ParseHeader());
  Trailer trailer;
  PAGER_RETURN_IF_ERROR(f->ParseTrailer(&trailer));
  PAGER_RETURN_IF_ERROR(f->ParsePageTable(trailer));
  PAGER_RETURN_IF_ERROR(f->ParseSeqTable(trailer));
  *out = std::move(f);
  return Status::Ok();
}

Status SnapshotFile::ParseHeader() {
  if (file_bytes_ < sizeof(Header) + sizeof(Trailer)) {
    return Corrupt("file is " + std::to_string(file_bytes_) +
                   " bytes, shorter than a header and a trailer (192 bytes)");
  }
  PAGER_RETURN_IF_ERROR(file_->ReadExactAt(0, &header_, sizeof header_, true));
  if (std::memcmp(header_.magic, kHeaderMagic, sizeof kHeaderMagic) != 0) {
    return Corrupt("bad header magic (not a KV-cache snapshot)");
  }
  if (header_.parent_path_bytes > kMaxParentPathBytes) {
    return Corrupt("parent path length " + std::to_string(header_.parent_path_bytes) +
                   " exceeds " + std::to_string(kMaxParentPathBytes));
  }
  data_offset_ = sizeof(Header) + Pad8(header_.parent_path_bytes);
  if (data_offset_ + sizeof(Trailer) > file_bytes_) return Corrupt("file ends inside the header");
  std::vector<uint8_t> padded(data_offset_ - sizeof(Header));
  PAGER_RETURN_IF_ERROR(file_->ReadExactAt(sizeof(Header), padded.data(), padded.size(), true));
  Hasher h(kSeedHeader);
  h.Update(&header_, offsetof(Header, header_checksum));
  h.Update(padded.data(), header_.parent_path_bytes);
  if (h.Digest() != header_.header_checksum) return Corrupt("header checksum mismatch");
  if (header_.format_version != kFormatVersion) {
    return Status(Code::kVersion, "snapshot " + path_ + ": format version " +
                                      std::to_string(header_.format_version) +
                                      " is not supported (this build reads version " +
                                      std::to_string(kFormatVersion) + ")");
  }
  if ((header_.flags & ~kKnownHeaderFlags) != 0) {
    return Status(Code::kVersion, "snapshot " + path_ + ": unknown header flags 0x" +
                                      std::to_string(header_.flags));
  }
  if (!AllZero(reinterpret_cast<const uint8_t*>(header_.reserved), sizeof header_.reserved) ||
      !AllZero(padded.data() + header_.parent_path_bytes,
               padded.size() - header_.parent_path_bytes)) {
    return Corrupt("reserved header bytes are not zero");
  }
  pager_cache_meta meta;
  InitMeta(&meta);
  meta.tokens_per_page = header_.tokens_per_page;
  meta.layers = header_.layers;
  meta.kv_heads = header_.kv_heads;
  meta.head_dim = header_.head_dim;
  meta.dtype = header_.dtype;
  Result<Geometry> g = GeometryFromMeta(meta);
  if (!g.ok()) return Corrupt("bad geometry: " + g.status().message());
  geometry_ = g.value();
  if (header_.k_page_bytes != geometry_.k_page_bytes ||
      header_.v_page_bytes != geometry_.v_page_bytes) {
    return Corrupt("page sizes " + std::to_string(header_.k_page_bytes) + "/" +
                   std::to_string(header_.v_page_bytes) + " disagree with the geometry (" +
                   std::to_string(geometry_.k_page_bytes) + ")");
  }
  bool incremental = (header_.flags & kFlagIncremental) != 0;
  if (incremental != (header_.parent_path_bytes > 0) ||
      incremental != (header_.parent_snapshot_id != 0)) {
    return Corrupt("incremental flag, parent path and parent id disagree");
  }
  if (header_.page_count > UINT32_MAX) {
    return Corrupt("page count " + std::to_string(header_.page_count) + " exceeds 2^32-1");
  }
  parent_path_.assign(reinterpret_cast<const char*>(padded.data()), header_.parent_path_bytes);
  return Status::Ok();
}

Status SnapshotFile::ParseTrailer(Trailer* t) {
  uint64_t at = file_bytes_ - sizeof(Trailer);
  PAGER_RETURN_IF_ERROR(file_->ReadExactAt(at, t, sizeof *t, true));
  if (std::memcmp(t->magic, kTrailerMagic, sizeof kTrailerMagic) != 0) {
    return Corrupt("no trailer at offset " + std::to_string(at) + " (truncated or damaged)");
  }
  if (Checksum64(t, offsetof(Trailer, trailer_checksum), kSeedTrailer) != t->trailer_checksum) {
    return Corrupt("trailer checksum mismatch");
  }
  if (t->header_checksum != header_.header_checksum) {
    return Corrupt("trailer belongs to another header");
  }
  uint64_t table_bytes = header_.page_count * sizeof(PageEntry);  // < 2^38: no overflow
  if (t->page_table_offset < data_offset_ || t->page_table_offset > at ||
      table_bytes > at - t->page_table_offset ||
      t->seq_table_offset != t->page_table_offset + table_bytes ||
      t->seq_table_bytes != at - t->seq_table_offset) {
    return Corrupt("trailer offsets (page table " + std::to_string(t->page_table_offset) +
                   ", sequence table " + std::to_string(t->seq_table_offset) + " +" +
                   std::to_string(t->seq_table_bytes) + ") do not tile the " +
                   std::to_string(file_bytes_) + "-byte file");
  }
  return Status::Ok();
}

Status SnapshotFile::CheckEntry(size_t i, uint64_t* next_offset) const {
  const PageEntry& e = pages_[i];
  std::string which = "page entry " + std::to_string(i) + ": ";
  if ((e.flags & ~kKnownPageFlags) != 0) {
    return Status(Code::kVersion, "snapshot " + path_ + ": " + which + "unknown flags " +
                                      std::to_string(e.flags));
  }
  if ((e.flags & kPageInParent) != 0) {
    if ((header_.flags & kFlagIncremental) == 0) {
      return Corrupt(which + "refers to a parent in a full snapshot");
    }
    if (e.flags != kPageInParent || e.offset_bytes != 0 || e.stored_bytes != 0 ||
        e.stored_checksum != 0) {
      return Corrupt(which + "a parent reference with stored bytes");
    }
    return Status::Ok();
  }
  if (e.offset_bytes != *next_offset) {
    return Corrupt(which + "offset " + std::to_string(e.offset_bytes) + ", expected " +
                   std::to_string(*next_offset));
  }
  bool compressed = (e.flags & kPageCompressed) != 0;
  uint64_t page_bytes = geometry_.page_bytes();
  if (compressed ? (e.stored_bytes == 0 || e.stored_bytes >= page_bytes)
                 : e.stored_bytes != page_bytes) {
    return Corrupt(which + "stored length " + std::to_string(e.stored_bytes) +
                   " is impossible for " + std::to_string(page_bytes) + "-byte pages" +
                   (compressed ? " (compressed)" : ""));
  }
  *next_offset += e.stored_bytes;
  return Status::Ok();
}

Status SnapshotFile::ParsePageTable(const Trailer& t) {
  pages_.resize(header_.page_count);  // bounded by the file size (ParseTrailer)
  size_t bytes = pages_.size() * sizeof(PageEntry);
  PAGER_RETURN_IF_ERROR(file_->ReadExactAt(t.page_table_offset, pages_.data(), bytes, true));
  if (Checksum64(pages_.data(), bytes, kSeedTable) != t.page_table_checksum) {
    return Corrupt("page table checksum mismatch");
  }
  uint64_t next = data_offset_;
  for (size_t i = 0; i < pages_.size(); i++) PAGER_RETURN_IF_ERROR(CheckEntry(i, &next));
  if (next != t.page_table_offset) {
    return Corrupt("page blobs end at " + std::to_string(next) + " but the page table starts at " +
                   std::to_string(t.page_table_offset));
  }
  return Status::Ok();
}

Status SnapshotFile::ParseSeqTable(const Trailer& t) {
  std::vector<uint8_t> buf(t.seq_table_bytes);  // bounded by the file size (ParseTrailer)
  PAGER_RETURN_IF_ERROR(file_->ReadExactAt(t.seq_table_offset, buf.data(), buf.size(), true));
  if (Checksum64(buf.data(), buf.size(), kSeedSeqs) != t.seq_table_checksum) {
    return Corrupt("sequence table checksum mismatch");
  }
  uint64_t pos = 0;
  std::unordered_set<std::string> ids;
  for (uint64_t s = 0; s < header_.seq_count; s++) {
    std::string which = "sequence " + std::to_string(s) + ": ";
    SeqRecord r;
    if (buf.size() - pos < sizeof r) return Corrupt(which + "runs past the sequence table");
    std::memcpy(&r, buf.data() + pos, sizeof r);
    pos += sizeof r;
    if (r.id_bytes == 0 || r.id_bytes > kMaxSeqIdBytes) {
      return Corrupt(which + "id length " + std::to_string(r.id_bytes));
    }
    uint64_t id_padded = Pad8(r.id_bytes);
    if (r.page_count > UINT32_MAX || buf.size() - pos < id_padded ||
        (buf.size() - pos - id_padded) / 4 < r.page_count) {
      return Corrupt(which + "runs past the sequence table");
    }
    uint64_t pages_padded = Pad8(r.page_count * 4);
    if (buf.size() - pos - id_padded < pages_padded) {
      return Corrupt(which + "runs past the sequence table");
    }
    if (r.fill_last_page > geometry_.tokens_per_page || (r.page_count == 0 && r.fill_last_page)) {
      return Corrupt(which + "fill " + std::to_string(r.fill_last_page) + " is impossible");
    }
    Seq seq;
    seq.id.assign(reinterpret_cast<const char*>(buf.data() + pos), r.id_bytes);
    seq.fill_last_page = r.fill_last_page;
    if (!AllZero(buf.data() + pos + r.id_bytes, id_padded - r.id_bytes)) {
      return Corrupt(which + "non-zero padding");
    }
    pos += id_padded;
    seq.pages.resize(r.page_count);
    if (r.page_count > 0) std::memcpy(seq.pages.data(), buf.data() + pos, r.page_count * 4);
    if (!AllZero(buf.data() + pos + r.page_count * 4, pages_padded - r.page_count * 4)) {
      return Corrupt(which + "non-zero padding");
    }
    pos += pages_padded;
    for (uint32_t p : seq.pages) {
      if (p >= header_.page_count) {
        return Corrupt(which + "refers to page " + std::to_string(p) + " of " +
                       std::to_string(header_.page_count));
      }
    }
    if (!ids.insert(seq.id).second) return Corrupt(which + "duplicate id");
    seqs_.push_back(std::move(seq));
  }
  if (pos != buf.size()) {
    return Corrupt(std::to_string(buf.size() - pos) + " unexplained bytes in the sequence table");
  }
  return Status::Ok();
}

uint64_t SnapshotFile::stored_blob_bytes() const {
  uint64_t n = 0;
  for (const PageEntry& e : pages_) n += e.stored_bytes;
  return n;
}

Status SnapshotFile::VerifyBlobs(uint32_t workers, Progress* progress, BlobDamage* damage) {
  std::vector<uint8_t> buf;
  std::mutex damage_mu;
  auto note = [&](const PageEntry& e, Status st) {
    if (damage != nullptr && !st.ok()) {
      std::lock_guard<std::mutex> lock(damage_mu);
      if (e.offset_bytes < damage->offset) {
        damage->file = path_;
        damage->offset = e.offset_bytes;
      }
    }
    return st;
  };
  size_t i = 0;
  while (i < pages_.size()) {
    if (pages_[i].stored_bytes == 0) {
      i++;
      continue;
    }
    // A batch: consecutive stored entries (contiguous in the file), up to kVerifyBatchBytes.
    uint64_t start = pages_[i].offset_bytes, end = start;
    std::vector<size_t> members;
    while (i < pages_.size() && (members.empty() || end - start < kVerifyBatchBytes)) {
      if (pages_[i].stored_bytes != 0) {
        members.push_back(i);
        end = pages_[i].offset_bytes + pages_[i].stored_bytes;
      }
      i++;
    }
    buf.resize(end - start);
    PAGER_RETURN_IF_ERROR(file_->ReadExactAt(start, buf.data(), buf.size(), true));
    Status checked = ParallelFor(members.size(), workers, [&](size_t m) {
      const PageEntry& e = pages_[members[m]];
      const uint8_t* stored = buf.data() + (e.offset_bytes - start);
      if (Checksum64(stored, e.stored_bytes, kSeedBlob) != e.stored_checksum) {
        return note(e, Corrupt("checksum mismatch in the bytes of page entry " +
                               std::to_string(members[m]) + " at offset " +
                               std::to_string(e.offset_bytes)));
      }
      if ((e.flags & kPageCompressed) == 0) return Status::Ok();
      std::vector<uint8_t> page(geometry_.page_bytes());
      return note(e, CheckDecompressed(members[m], stored, page.data()));
    });
    if (!checked.ok()) return checked;
    PAGER_RETURN_IF_ERROR(progress->Advance(end - start));
  }
  return Status::Ok();
}

Status SnapshotFile::ReadContent(size_t i, uint8_t* dst, std::vector<uint8_t>* scratch) {
  const PageEntry& e = pages_[i];
  bool compressed = (e.flags & kPageCompressed) != 0;
  uint8_t* stored = dst;
  if (compressed) {
    scratch->resize(e.stored_bytes);
    stored = scratch->data();
  }
  PAGER_RETURN_IF_ERROR(file_->ReadExactAt(e.offset_bytes, stored, e.stored_bytes, true));
  // Restore's one pass: verified here, as it is read, before anyone sees the bytes.
  if (Checksum64(stored, e.stored_bytes, kSeedBlob) != e.stored_checksum) {
    return Corrupt("checksum mismatch in the bytes of page entry " + std::to_string(i) +
                   " at offset " + std::to_string(e.offset_bytes));
  }
  if (!compressed) return Status::Ok();
  return CheckDecompressed(i, stored, dst);
}

Status SnapshotFile::ReadContentInto(size_t i, const pager_page_segment* segments, size_t count,
                                     std::vector<uint8_t>* scratch) {
  const PageEntry& e = pages_[i];
  if ((e.flags & kPageCompressed) != 0) {
    scratch->resize(e.stored_bytes);
    PAGER_RETURN_IF_ERROR(
        file_->ReadExactAt(e.offset_bytes, scratch->data(), e.stored_bytes, true));
    if (Checksum64(scratch->data(), e.stored_bytes, kSeedBlob) != e.stored_checksum) {
      return Corrupt("checksum mismatch in the bytes of page entry " + std::to_string(i) +
                     " at offset " + std::to_string(e.offset_bytes));
    }
    return DecompressInto(i, scratch->data(), segments, count);
  }
  // Stored bytes == the page (CheckEntry): read them in chunks of up to kInPlaceChunkBytes
  // straight into the segments, each chunk hashed while it is still in the CPU's cache.
  Hasher h(kSeedBlob);
  std::vector<io::IoSliceMut> chunk;
  uint64_t offset = e.offset_bytes;
  size_t s = 0;
  uint64_t within = 0;  // bytes of segments[s] already read
  while (s < count) {
    chunk.clear();
    uint64_t chunk_bytes = 0;
    while (s < count && chunk_bytes < kInPlaceChunkBytes && chunk.size() < kInPlaceMaxSlices) {
      uint64_t take = std::min(segments[s].bytes - within, kInPlaceChunkBytes - chunk_bytes);
      chunk.push_back(io::IoSliceMut{static_cast<uint8_t*>(segments[s].data) + within,
                                     static_cast<size_t>(take)});
      chunk_bytes += take;
      within += take;
      if (within == segments[s].bytes) {
        s++;
        within = 0;
      }
    }
    size_t got = 0;
    PAGER_RETURN_IF_ERROR(file_->ReadVAt(offset, chunk.data(), chunk.size(), &got));
    if (got != chunk_bytes) {
      return Corrupt("file ends at offset " + std::to_string(offset + got) +
                     " inside the bytes of page entry " + std::to_string(i));
    }
    for (const io::IoSliceMut& c : chunk) h.Update(c.data, c.len);
    offset += chunk_bytes;
  }
  if (h.Digest() != e.stored_checksum) {
    return Corrupt("checksum mismatch in the bytes of page entry " + std::to_string(i) +
                   " at offset " + std::to_string(e.offset_bytes));
  }
  return Status::Ok();
}

Status SnapshotFile::DecompressInto(size_t i, const uint8_t* stored,
                                    const pager_page_segment* segments, size_t count) const {
  const PageEntry& e = pages_[i];
  std::string which = "page entry " + std::to_string(i);
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) return Status(Code::kNoMem, "cannot allocate a zstd decompression context");
  // As ZSTD_decompress does for the copying path, frames follow each other until the input
  // ends (the writer stores one); the output must be exactly the page.
  ZSTD_inBuffer in{stored, e.stored_bytes, 0};
  size_t rc = 1;  // != 0: inside a frame
  auto step = [&](ZSTD_outBuffer* out) -> Status {
    size_t in_before = in.pos, out_before = out->pos;
    rc = ZSTD_decompressStream(dctx.get(), out, &in);
    if (ZSTD_isError(rc)) return Corrupt(which + " does not decompress: " + ZSTD_getErrorName(rc));
    if (in.pos == in_before && out->pos == out_before) {
      return Corrupt(which + " ends inside its zstd frame");
    }
    return Status::Ok();
  };
  for (size_t s = 0; s < count; s++) {
    ZSTD_outBuffer out{segments[s].data, segments[s].bytes, 0};
    while (out.pos < out.size) {
      if (rc == 0 && in.pos == in.size) {
        return Corrupt(which + " decompresses to fewer than " +
                       std::to_string(geometry_.page_bytes()) + " bytes");
      }
      PAGER_RETURN_IF_ERROR(step(&out));
    }
  }
  uint8_t extra = 0;
  while (rc != 0 || in.pos < in.size) {
    ZSTD_outBuffer out{&extra, 1, 0};
    PAGER_RETURN_IF_ERROR(step(&out));
    if (out.pos != 0) {
      return Corrupt(which + " decompresses to more than " +
                     std::to_string(geometry_.page_bytes()) + " bytes");
    }
  }
  if (ContentHashOfSegments(segments, count) != ContentHash(e.content_hash_lo, e.content_hash_hi)) {
    return Corrupt(which + " decompresses to other content");
  }
  return Status::Ok();
}

Status SnapshotFile::CheckDecompressed(size_t i, const uint8_t* stored, uint8_t* dst) const {
  const PageEntry& e = pages_[i];
  uint64_t page_bytes = geometry_.page_bytes();
  size_t n = ZSTD_decompress(dst, page_bytes, stored, e.stored_bytes);
  if (ZSTD_isError(n) || n != page_bytes) {
    return Corrupt("page entry " + std::to_string(i) + " does not decompress to " +
                   std::to_string(page_bytes) + " bytes" +
                   (ZSTD_isError(n) ? std::string(": ") + ZSTD_getErrorName(n) : ""));
  }
  if (ContentHashOf(dst, page_bytes) != ContentHash(e.content_hash_lo, e.content_hash_hi)) {
    return Corrupt("page entry " + std::to_string(i) + " decompresses to other content");
  }
  return Status::Ok();
}

std::string ResolveParentPath(const std::string& child_dir, const std::string& parent_path) {
  if (!parent_path.empty() && parent_path[0] == '/') return parent_path;
  return child_dir + "/" + parent_path;
}

Status Chain::Load(io::Env* env, const std::string& path, std::unique_ptr<Chain>* out) {
  std::unique_ptr<Chain> chain(new Chain());
  std::string next = path;
  while (true) {
    if (chain->levels_.size() == kMaxChainDepth) {
      return Corruption("snapshot " + path + ": parent chain longer than " +
                        std::to_string(kMaxChainDepth) + " (a cycle?)");
    }
    std::unique_ptr<SnapshotFile> f;
    Status st = SnapshotFile::Open(env, next, &f);
    if (!st.ok() && !chain->levels_.empty()) {
      return st.WithContext("parent of " + chain->levels_.back()->path());
    }
    PAGER_RETURN_IF_ERROR(st);
    if (!chain->levels_.empty()) {
      const SnapshotFile& child = *chain->levels_.back();
      if (f->header().snapshot_id != child.header().parent_snapshot_id) {
        return Corruption("snapshot " + child.path() + " expects parent id " +
                          std::to_string(child.header().parent_snapshot_id) + " but " + next +
                          " has id " + std::to_string(f->header().snapshot_id));
      }
      Status g = CompareGeometry(f->geometry(), child.geometry());
      if (!g.ok()) return Corruption("parent " + next + " of " + child.path() + ": " + g.message());
    }
    bool incremental = (f->header().flags & kFlagIncremental) != 0;
    std::string parent = incremental ? ResolveParentPath(io::DirName(next), f->parent_path()) : "";
    chain->levels_.push_back(std::move(f));
    if (!incremental) break;
    next = parent;
  }
  PAGER_RETURN_IF_ERROR(chain->Resolve());
  *out = std::move(chain);
  return Status::Ok();
}

Status Chain::Resolve() {
  // Deepest level first: every entry of a full snapshot is stored (CheckEntry).
  std::vector<std::pair<uint32_t, uint32_t>> below;
  for (size_t l = levels_.size(); l-- > 0;) {
    const SnapshotFile& f = *levels_[l];
    std::unordered_map<ContentHash, std::pair<uint32_t, uint32_t>, HashOfHash> index;
    if (l + 1 < levels_.size()) {
      const auto& parent_pages = levels_[l + 1]->pages();
      index.reserve(parent_pages.size());
      for (size_t i = 0; i < parent_pages.size(); i++) {
        index.emplace(ContentHash(parent_pages[i].content_hash_lo, parent_pages[i].content_hash_hi),
                      below[i]);
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> here(f.pages().size());
    for (size_t i = 0; i < f.pages().size(); i++) {
      const PageEntry& e = f.pages()[i];
      if ((e.flags & kPageInParent) == 0) {
        here[i] = {static_cast<uint32_t>(l), static_cast<uint32_t>(i)};
        continue;
      }
      auto it = index.find(ContentHash(e.content_hash_lo, e.content_hash_hi));
      if (it == index.end()) {
        return Corruption("snapshot " + f.path() + ": page entry " + std::to_string(i) +
                          " refers to content its parent does not hold");
      }
      here[i] = it->second;
    }
    below = std::move(here);
  }
  where_ = std::move(below);
  return Status::Ok();
}

uint64_t Chain::VerifyBytes() const {
  uint64_t n = 0;
  for (const auto& f : levels_) n += f->stored_blob_bytes();
  return n;
}

Status Chain::VerifyAll(uint32_t workers, Progress* progress, BlobDamage* damage) {
  for (auto& f : levels_) PAGER_RETURN_IF_ERROR(f->VerifyBlobs(workers, progress, damage));
  return Status::Ok();
}

Status Chain::ReadPage(size_t i, uint8_t* dst, std::vector<uint8_t>* scratch) {
  return levels_[where_[i].first]->ReadContent(where_[i].second, dst, scratch);
}

Status Chain::ReadPageInto(size_t i, const pager_page_segment* segments, size_t count,
                           std::vector<uint8_t>* scratch) {
  return levels_[where_[i].first]->ReadContentInto(where_[i].second, segments, count, scratch);
}

uint64_t Chain::StoredBytes(size_t i) const {
  return levels_[where_[i].first]->pages()[where_[i].second].stored_bytes;
}

Status LoadParentHashes(io::Env* env, const std::string& path, Geometry* geometry,
                        uint64_t* snapshot_id, std::vector<ContentHash>* hashes) {
  std::unique_ptr<SnapshotFile> f;
  PAGER_RETURN_IF_ERROR(SnapshotFile::Open(env, path, &f).WithContext("parent snapshot"));
  *geometry = f->geometry();
  *snapshot_id = f->header().snapshot_id;
  hashes->clear();
  hashes->reserve(f->pages().size());
  for (const PageEntry& e : f->pages()) hashes->emplace_back(e.content_hash_lo, e.content_hash_hi);
  return Status::Ok();
}

}  // namespace snapshot
}  // namespace pager
