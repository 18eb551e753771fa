// The replayed view of a format-2 page file (O1, O2 in journal_overlay.h).
#include "impl/file/journal_overlay.h"

#include <algorithm>
#include <cstring>

namespace pager {
namespace file {

namespace {

class OverlayFile final : public io::File {
 public:
  OverlayFile(std::unique_ptr<io::File> base, std::map<uint64_t, std::vector<uint8_t>> images,
              uint32_t page_size, uint64_t size_bytes)
      : io::File(base->path()),
        base_(std::move(base)),
        images_(std::move(images)),
        page_size_(page_size),
        size_bytes_(size_bytes) {}

  // O1.
  Status ReadAt(uint64_t offset, void* dst, size_t len, size_t* read_len) override {
    uint8_t* out = static_cast<uint8_t*>(dst);
    size_t want = offset >= size_bytes_ ? 0 : static_cast<size_t>(std::min<uint64_t>(len, size_bytes_ - offset));
    size_t got = 0;
    PAGER_RETURN_IF_ERROR(base_->ReadAt(offset, out, want, &got));
    std::memset(out + got, 0, want - got);  // past the main file's end, inside main_bytes
    uint64_t end = offset + want;
    for (auto it = images_.lower_bound(offset / page_size_);
         it != images_.end() && it->first * page_size_ < end; ++it) {
      uint64_t page_at = it->first * page_size_;
      uint64_t from = std::max(offset, page_at);
      uint64_t to = std::min(end, page_at + page_size_);
      std::memcpy(out + (from - offset), it->second.data() + (from - page_at),
                  static_cast<size_t>(to - from));
    }
    *read_len = want;
    return Status::Ok();
  }
  Status Size(uint64_t* size) override {
    *size = size_bytes_;
    return Status::Ok();
  }
  Status Lock(io::LockMode mode, int64_t wait_ms) override { return base_->Lock(mode, wait_ms); }
  Status Unlock() override { return base_->Unlock(); }
  Status LockRange(uint64_t offset, uint64_t len, io::LockMode mode, int64_t wait_ms) override {
    return base_->LockRange(offset, len, mode, wait_ms);
  }
  Status UnlockRange(uint64_t offset, uint64_t len) override {
    return base_->UnlockRange(offset, len);
  }
  Status AdviseFile(uint64_t, uint64_t, io::Advice) override { return Status::Ok(); }

  // O2.
  Status WriteAt(uint64_t, const void*, size_t) override { return Refused("write"); }
  Status WriteVAt(uint64_t, const io::IoSlice*, size_t) override { return Refused("write"); }
  Status Sync() override { return Refused("sync"); }
  Status DataSync() override { return Refused("sync"); }
  Status SyncRange(uint64_t, uint64_t) override { return Refused("sync"); }
  Status StartWriteback(uint64_t, uint64_t) override { return Refused("writeback"); }
  Status Truncate(uint64_t) override { return Refused("truncate"); }
  Status Allocate(uint64_t, uint64_t) override { return Refused("allocate"); }
  Status PunchHole(uint64_t, uint64_t) override { return Refused("punch"); }
  // O3: the main file mapped read-only, then every system page holding a journal image or
  // lying past the main file's end overlaid (io E4b) with what ReadAt returns for it.
  Status Map(size_t reserve_len, size_t map_len, bool writable,
             std::unique_ptr<io::Mapping>* out) override {
    if (writable) return Refused("writable map");
    uint64_t base_size = 0;
    PAGER_RETURN_IF_ERROR(base_->Size(&base_size));
    std::unique_ptr<io::Mapping> m;
    PAGER_RETURN_IF_ERROR(base_->Map(reserve_len, static_cast<size_t>(std::min<uint64_t>(
                                                      map_len, base_size)),
                                     false, &m));
    uint64_t g = m->overlay_granularity();
    uint64_t end = (map_len + g - 1) / g * g;
    if (end > m->reserved_len()) return Refused("map past the reservation");
    std::vector<uint8_t> buf;
    auto overlay = [&](uint64_t from, uint64_t to) -> Status {  // system-page aligned
      buf.resize(static_cast<size_t>(to - from));
      size_t got = 0;
      PAGER_RETURN_IF_ERROR(ReadAt(from, buf.data(), buf.size(), &got));
      std::memset(buf.data() + got, 0, buf.size() - got);
      return m->Overlay(static_cast<size_t>(from), buf.data(), buf.size());
    };
    // Past the main file's last whole system page: zeros (anonymous pages cost no memory
    // until read), then the partial page at the file's end with its bytes.
    uint64_t tail = std::min(end, base_size / g * g);
    if (tail < end) PAGER_RETURN_IF_ERROR(m->Overlay(static_cast<size_t>(tail), nullptr,
                                                     static_cast<size_t>(end - tail)));
    if (tail < end && base_size % g != 0) PAGER_RETURN_IF_ERROR(overlay(tail, tail + g));
    uint64_t done = 0;  // system pages below this are overlaid already
    for (const auto& kv : images_) {
      uint64_t from = std::max(kv.first * page_size_ / g * g, done);
      uint64_t to = std::min(((kv.first + 1) * page_size_ + g - 1) / g * g, end);
      if (from >= to) continue;
      PAGER_RETURN_IF_ERROR(overlay(from, to));
      done = to;
    }
    *out = std::move(m);
    return Status::Ok();
  }

 private:
  Status Refused(const char* what) const {
    return Status(Code::kReadOnly, std::string(what) + " refused: " + path_ +
                                       " is read through its journal's replayed view");
  }

  std::unique_ptr<io::File> base_;
  std::map<uint64_t, std::vector<uint8_t>> images_;  // page -> its latest image in the chain
  uint32_t page_size_;
  uint64_t size_bytes_;
};

}  // namespace

Status OverlayJournal(io::Env* env, const std::string& main_path, uint64_t file_id,
                      uint32_t page_size_log2, uint64_t max_main_bytes,
                      std::unique_ptr<io::File>* main, JournalScan* scan) {
  *scan = JournalScan();
  std::unique_ptr<Journal> j;
  PAGER_RETURN_IF_ERROR(
      Journal::Open(env, main_path, false, false, file_id, page_size_log2, &j));
  if (j == nullptr) return Status::Ok();
  uint32_t page_size = 1u << page_size_log2;
  std::map<uint64_t, std::vector<uint8_t>> images;
  PAGER_RETURN_IF_ERROR(j->Replay(
      max_main_bytes,
      [&](uint64_t page, const uint8_t* image) {
        images[page].assign(image, image + page_size);
        return Status::Ok();
      },
      scan));
  if (scan->batches == 0) return Status::Ok();
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR((*main)->Size(&size));
  main->reset(new OverlayFile(std::move(*main), std::move(images), page_size,
                              std::max(size, scan->main_bytes)));
  return Status::Ok();
}

}  // namespace file
}  // namespace pager
