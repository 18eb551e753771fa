// The page journal (J1-J5 in journal.h; doc/format/page-journal.md).
#include "impl/file/journal.h"

#include <algorithm>
#include <cstring>
#include <random>

#include "impl/file/format.h"
#include "impl/io/checksum.h"

namespace pager {
namespace file {

namespace {

constexpr uint64_t kHashChunkBytes = uint64_t{1} << 20;  // images read per step of a walk

uint64_t RoundUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

const uint8_t* Zeros() {
  static const std::vector<uint8_t> zeros(kJournalAlignBytes, 0);
  return zeros.data();
}

uint64_t RandomLap() {
  std::random_device rd;
  return (uint64_t{rd()} << 32) ^ rd();
}

std::string At(uint64_t offset) { return " at journal offset " + std::to_string(offset); }

}  // namespace

uint64_t JournalHeaderBytes(uint64_t page_count) {
  return RoundUp(sizeof(JournalBatchDisk) + 8 * page_count, kJournalAlignBytes);
}

uint64_t JournalBatchBytes(uint64_t page_count, uint32_t page_size) {
  return RoundUp(JournalHeaderBytes(page_count) + page_count * page_size, kJournalAlignBytes);
}

Journal::Journal(std::unique_ptr<io::File> file, uint64_t file_id, uint32_t page_size_log2)
    : file_(std::move(file)),
      file_id_(file_id),
      page_size_log2_(page_size_log2),
      page_size_(1u << page_size_log2),
      lap_(RandomLap()) {}

Journal::~Journal() { (void)FinishWrite(); }

Status Journal::Open(io::Env* env, const std::string& main_path, bool writable, bool truncate,
                     uint64_t file_id, uint32_t page_size_log2, std::unique_ptr<Journal>* out) {
  std::string path = PathFor(main_path);
  if (!writable) {
    bool exists = false;
    PAGER_RETURN_IF_ERROR(env->Exists(path, &exists));
    if (!exists) return Status::Ok();
  }
  io::OpenOptions oo;
  oo.write = writable;
  oo.create = writable;
  oo.truncate = writable && truncate;
  oo.direct_writes = writable;  // batches are written, and read only by a replay (io E8)
  std::unique_ptr<io::File> f;
  PAGER_RETURN_IF_ERROR(env->Open(path, oo, &f));
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(f->Size(&size));
  // An empty journal may have just been created (a main file found without its sidecar): its
  // directory entry must be durable before a commit relies on the journal's DataSync alone.
  // (A new page file's journal is made durable by Create's own directory sync.)
  if (writable && !truncate && size == 0) PAGER_RETURN_IF_ERROR(env->SyncDir(io::DirName(path)));
  out->reset(new Journal(std::move(f), file_id, page_size_log2));
  (*out)->allocated_bytes_ = size;  // a journal's bytes are written or reserved, never holes
  return Status::Ok();
}

// The checksum of the batch at offset as J1 defines it (header block with the checksum field
// read as zero, then the images); *short_file if the file ends inside the images.
Status Journal::HashImages(uint64_t offset, const JournalBatchDisk& head, uint64_t header_bytes,
                          uint64_t* hash_out, bool* short_file) {
  std::vector<uint8_t> block(header_bytes);
  PAGER_RETURN_IF_ERROR(file_->ReadExactAt(offset, block.data(), block.size()));
  std::memset(block.data() + offsetof(JournalBatchDisk, checksum), 0, 8);
  Hasher h(kSeedJournal);
  h.Update(block.data(), block.size());
  uint64_t images_bytes = uint64_t{head.page_count} * page_size_;
  std::vector<uint8_t> chunk(static_cast<size_t>(std::min(images_bytes, kHashChunkBytes)));
  for (uint64_t done = 0; done < images_bytes;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), images_bytes - done));
    size_t got = 0;
    PAGER_RETURN_IF_ERROR(file_->ReadAt(offset + header_bytes + done, chunk.data(), n, &got));
    if (got < n) {
      *short_file = true;
      return Status::Ok();
    }
    h.Update(chunk.data(), n);
    done += n;
  }
  *hash_out = h.Digest();
  return Status::Ok();
}

// One batch of the chain: Ok with *stop empty if it continues the chain (J2) and holds (J1,
// J5); Ok with *stop saying why if the chain ends here; kCorrupt / kVersion for J5.
Status Journal::ReadBatch(uint64_t offset, uint64_t size, uint64_t expect_lap,
                          uint64_t expect_seq,
                          JournalBatchDisk* head, std::vector<uint64_t>* pages,
                          std::string* stop) {
  stop->clear();
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(file_->ReadAt(offset, head, sizeof *head, &got));
  if (got < sizeof *head) {
    *stop = "end of file";
    return Status::Ok();
  }
  if (std::memcmp(head->magic, kJournalMagic, 8) != 0) {
    *stop = "no batch header" + At(offset);
    return Status::Ok();
  }
  uint64_t header_bytes = JournalHeaderBytes(head->page_count);
  if (head->page_count == 0 ||
      header_bytes + uint64_t{head->page_count} * page_size_ > size - offset) {
    *stop = "a batch of " + std::to_string(head->page_count) + " pages runs past the end" +
            At(offset);
    return Status::Ok();
  }
  uint64_t hash = 0;
  bool short_file = false;
  PAGER_RETURN_IF_ERROR(HashImages(offset, *head, header_bytes, &hash, &short_file));
  if (short_file || hash != head->checksum) {
    *stop = "checksum" + At(offset) + " (a torn batch or one of an earlier lap)";
    return Status::Ok();
  }
  if (expect_seq > 1 && head->lap != expect_lap) {
    *stop = "a batch of an earlier lap" + At(offset);
    return Status::Ok();
  }
  // J5: from here on the batch is checksum-valid; anything unexpected is damage.
  if (head->format_version != kJournalVersion) {
    return Status(Code::kVersion, "journal batch" + At(offset) + ": format version " +
                                      std::to_string(head->format_version) +
                                      ", this library reads " + std::to_string(kJournalVersion));
  }
  if (head->file_id != file_id_) return CorruptionAt(offset, "journal batch of another file");
  if (head->page_size_log2 != page_size_log2_) {
    return CorruptionAt(offset, "journal batch of page size 2^" +
                                    std::to_string(head->page_size_log2));
  }
  if (head->seq != expect_seq) {
    return CorruptionAt(offset, "journal batch seq " + std::to_string(head->seq) +
                                    ", the chain expects " + std::to_string(expect_seq));
  }
  if (head->reserved != 0 || head->main_bytes == 0 || head->main_bytes % page_size_ != 0) {
    return CorruptionAt(offset, "journal batch header: reserved bytes or main_bytes " +
                                    std::to_string(head->main_bytes));
  }
  pages->resize(head->page_count);
  PAGER_RETURN_IF_ERROR(
      file_->ReadExactAt(offset + sizeof *head, pages->data(), 8 * pages->size()));
  uint64_t main_pages = head->main_bytes / page_size_;
  for (uint64_t p : *pages) {
    if (p == 0 || p >= main_pages) {
      return CorruptionAt(offset, "journal batch names page " + std::to_string(p) +
                                      " outside [1, " + std::to_string(main_pages) + ")");
    }
  }
  std::vector<uint8_t> pad(header_bytes - sizeof *head - 8 * pages->size());
  PAGER_RETURN_IF_ERROR(
      file_->ReadExactAt(offset + sizeof *head + 8 * pages->size(), pad.data(), pad.size()));
  if (std::any_of(pad.begin(), pad.end(), [](uint8_t b) { return b != 0; })) {
    return CorruptionAt(offset, "journal batch header block: non-zero padding");
  }
  return Status::Ok();
}

Status Journal::Scan(JournalScan* scan) {
  scanned_.clear();
  *scan = JournalScan();
  PAGER_RETURN_IF_ERROR(file_->Size(&scan->file_bytes));
  uint64_t offset = 0;
  JournalBatchDisk head{};
  std::vector<uint64_t> pages;
  for (uint64_t seq = 1;; seq++) {
    PAGER_RETURN_IF_ERROR(
        ReadBatch(offset, scan->file_bytes, scan->lap, seq, &head, &pages, &scan->stop_reason));
    if (!scan->stop_reason.empty()) break;
    if (seq == 1) scan->lap = head.lap;
    scanned_.push_back({offset, pages});
    scan->batches++;
    scan->pages += pages.size();
    scan->main_bytes = std::max(scan->main_bytes, head.main_bytes);
    offset += JournalBatchBytes(head.page_count, page_size_);
  }
  scan->end_bytes = offset;
  return Status::Ok();
}

Status Journal::ApplyBatch(uint64_t offset, const std::vector<uint64_t>& pages,
                           const ApplyFn& apply) {
  uint64_t images = offset + JournalHeaderBytes(pages.size());
  size_t per_chunk = static_cast<size_t>(std::max<uint64_t>(1, kHashChunkBytes / page_size_));
  std::vector<uint8_t> chunk(std::min(per_chunk, pages.size()) * page_size_);
  for (size_t i = 0; i < pages.size();) {
    size_t n = std::min(per_chunk, pages.size() - i);
    PAGER_RETURN_IF_ERROR(
        file_->ReadExactAt(images + uint64_t{i} * page_size_, chunk.data(), n * page_size_));
    for (size_t k = 0; k < n; k++) {
      PAGER_RETURN_IF_ERROR(apply(pages[i + k], chunk.data() + k * page_size_));
    }
    i += n;
  }
  return Status::Ok();
}

Status Journal::Replay(uint64_t max_main_bytes, const ApplyFn& apply, JournalScan* scan) {
  PAGER_RETURN_IF_ERROR(Scan(scan));  // J5: every batch is checked before any is applied
  if (scan->main_bytes > max_main_bytes) {
    return Status(Code::kTooLarge, "the journal's chain needs a file of " +
                                       std::to_string(scan->main_bytes) +
                                       " bytes, past max_size_bytes " +
                                       std::to_string(max_main_bytes));
  }
  // The scan validated every batch (its checksum read every image); the caller's lock keeps
  // the journal as scanned, so the images are read once more, to apply them, and not hashed.
  for (const ScannedBatch& b : scanned_) PAGER_RETURN_IF_ERROR(ApplyBatch(b.offset, b.pages, apply));
  scanned_.clear();
  // J4: the next chain's lap is the replayed chain's + 1 (above every lap this journal's
  // lineage wrote: the chain at offset 0 is always its latest lap), or a fresh random one when
  // the chain was empty -- never one derived from an empty chain's 0, which every such open
  // would share with the leftovers of the last.
  if (scan->batches > 0) {
    lap_ = scan->lap + 1;
  } else {
    do {
      lap_ = RandomLap();
    } while (lap_ == 0);
  }
  seq_ = 1;
  end_bytes_ = 0;
  return Status::Ok();
}

bool Journal::NeedsRestart(uint64_t page_count, uint64_t lap_bytes) const {
  return end_bytes_ > 0 && end_bytes_ + JournalBatchBytes(page_count, page_size_) > lap_bytes;
}

void Journal::Restart() {
  lap_++;
  seq_ = 1;
  end_bytes_ = 0;
}

// Blocks below allocated_bytes_ were reserved or written before: a lap after the first
// reuses them without a fallocate (which would dirty the inode for the next DataSync).
Status Journal::Reserve(uint64_t page_count) {
  uint64_t end = end_bytes_ + JournalBatchBytes(page_count, page_size_);
  if (end <= allocated_bytes_) return Status::Ok();
  PAGER_RETURN_IF_ERROR(file_->Allocate(end_bytes_, end - end_bytes_));
  allocated_bytes_ = end;
  return Status::Ok();
}

// J1: the batch is built whole in batch_ (header block, images copied and hashed while hot,
// zero padding). The images go to the device in chunks as they are built (io E8: on a POSIX
// file opened with direct_writes, asynchronous O_DIRECT writes from batch_, which stays
// untouched until FinishWrite), so the device takes one chunk while the next is copied and
// hashed; the header block, which carries the checksum, is started last. A batch of one
// chunk is one write.
Status Journal::Append(const uint64_t* pages, const uint8_t* const* images, uint32_t page_count,
                       uint64_t main_bytes) {
  PAGER_RETURN_IF_ERROR(FinishWrite());  // batch_ is free again
  const uint64_t header_bytes = JournalHeaderBytes(page_count);
  const uint64_t batch_bytes = JournalBatchBytes(page_count, page_size_);
  PAGER_RETURN_IF_ERROR(batch_.Reserve(static_cast<size_t>(batch_bytes)));
  Hasher h(kSeedJournal);
  BuildHeaderBlock(pages, page_count, main_bytes, &h);
  images_offset_ = header_bytes;
  may_hold_chain_ = true;  // even if a write fails: part of the batch may land
  write_started_ = true;
  // A batch of one chunk has nothing to overlap: it goes as one write, header included.
  const bool one_write = page_count <= ChunkPages();
  PAGER_RETURN_IF_ERROR(CopyImages(images, page_count, !one_write, &h));
  const uint64_t checksum = h.Digest();
  uint8_t* buf = batch_.data();
  std::memcpy(buf + offsetof(JournalBatchDisk, checksum), &checksum, 8);
  const uint64_t head_write_bytes = one_write ? batch_bytes : header_bytes;
  PAGER_RETURN_IF_ERROR(
      file_->StartWriteAt(end_bytes_, buf, static_cast<size_t>(head_write_bytes)));
  end_bytes_ += batch_bytes;
  last_batch_bytes_ = batch_bytes;
  seq_++;
  return Status::Ok();
}

// The header block of the next batch in batch_ (header, page list, zero padding; the checksum
// field zero), hashed into *h.
void Journal::BuildHeaderBlock(const uint64_t* pages, uint32_t page_count, uint64_t main_bytes,
                               Hasher* h) {
  const uint64_t header_bytes = JournalHeaderBytes(page_count);
  uint8_t* buf = batch_.data();
  std::memset(buf, 0, static_cast<size_t>(header_bytes));
  JournalBatchDisk head{};
  std::memcpy(head.magic, kJournalMagic, 8);
  head.format_version = kJournalVersion;
  head.page_size_log2 = page_size_log2_;
  head.file_id = file_id_;
  head.lap = lap_;
  head.seq = seq_;
  head.page_count = page_count;
  head.main_bytes = main_bytes;
  std::memcpy(buf, &head, sizeof head);
  std::memcpy(buf + sizeof head, pages, 8 * size_t{page_count});
  h->Update(buf, static_cast<size_t>(header_bytes));
}

// The images into batch_ after the header block, each hashed from its copy into *h, then the
// zero padding to the batch's end; with start_writes, each chunk's write is started once it
// is built (J1), the last chunk's with the padding.
Status Journal::CopyImages(const uint8_t* const* images, uint32_t page_count, bool start_writes,
                           Hasher* h) {
  const uint64_t header_bytes = JournalHeaderBytes(page_count);
  const uint64_t batch_bytes = JournalBatchBytes(page_count, page_size_);
  uint8_t* buf = batch_.data();
  const uint32_t chunk_pages = ChunkPages();
  for (uint32_t first = 0; first < page_count; first += chunk_pages) {
    const uint32_t last = std::min(page_count, first + chunk_pages);
    for (uint32_t i = first; i < last; i++) {
      uint8_t* dst = buf + header_bytes + uint64_t{i} * page_size_;
      std::memcpy(dst, images[i], page_size_);
      h->Update(dst, page_size_);
    }
    const uint64_t from = header_bytes + uint64_t{first} * page_size_;
    uint64_t to = header_bytes + uint64_t{last} * page_size_;
    if (last == page_count) {
      std::memset(buf + to, 0, static_cast<size_t>(batch_bytes - to));
      to = batch_bytes;
    }
    if (start_writes) {
      PAGER_RETURN_IF_ERROR(
          file_->StartWriteAt(end_bytes_ + from, buf + from, static_cast<size_t>(to - from)));
    }
  }
  return Status::Ok();
}

// Pages per chunk of Append's writes (J1): kWriteChunkBytes of images, whole 4 KiB blocks
// for every page size.
uint32_t Journal::ChunkPages() const {
  static_assert(kWriteChunkBytes % (uint64_t{1} << kMaxPageSizeLog2) == 0, "whole pages");
  static_assert(kWriteChunkBytes % kJournalAlignBytes == 0, "chunks of whole blocks");
  return static_cast<uint32_t>(kWriteChunkBytes / page_size_);
}

const uint8_t* Journal::AppendedImage(uint32_t i) const {
  return batch_.data() + images_offset_ + uint64_t{i} * page_size_;
}

Status Journal::FinishWrite() {
  if (!write_started_) return Status::Ok();
  write_started_ = false;
  Status st = file_->FinishWrites();
  batch_.ReleaseIfAbove(kKeptBatchBytes);
  return st;
}

Status Journal::StartWriteback() {
  return file_->StartWriteback(end_bytes_ - last_batch_bytes_, last_batch_bytes_);
}

Status Journal::Sync() {
  PAGER_RETURN_IF_ERROR(FinishWrite());
  return file_->DataSync();
}

Status Journal::Invalidate() {
  PAGER_RETURN_IF_ERROR(FinishWrite());
  PAGER_RETURN_IF_ERROR(file_->WriteAt(0, Zeros(), kJournalAlignBytes));
  PAGER_RETURN_IF_ERROR(file_->DataSync());
  may_hold_chain_ = false;
  Restart();
  return Status::Ok();
}

}  // namespace file
}  // namespace pager
