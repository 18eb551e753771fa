// WalPager pinned views (W22, W23 in wal_pager.h): pointers to a read transaction's committed
// page bytes inside read-only mappings of the main file and the WAL.
#include <algorithm>
#include <cstring>

#include "impl/wal/wal_pager.h"

namespace pager {
namespace wal {

namespace {

// The bytes of every page that reads as zeros (W3, W4, W15), the largest page size long.
alignas(64) const uint8_t kZeroPage[kMaxPageSize] = {};

}  // namespace

// W15: where the snapshot's page lives -- the one layering function of every committed read
// (ReadCommitted, ReadPageAt, ViewPageAt).
WalPager::PageSource WalPager::LocatePage(const ReadSnapshot& snap, uint32_t page_number) const {
  const uint64_t frames = wal_ ? wal_->frame_count() : 0;
  if (snap.mark == frames) return LocateLatest(page_number);  // still the latest commit
  PageSource src;
  auto it = history_.find(page_number);
  if (it != history_.end()) {
    const std::vector<uint64_t>& v = it->second;
    auto below = std::lower_bound(v.begin(), v.end(), snap.mark);
    if (below != v.begin()) {
      const uint64_t frame = *(below - 1);
      if (HiddenByShrink(frame, snap.mark, page_number)) return src;
      src.kind = PageSource::kWal;
      src.frame = frame;
      return src;
    }
  }
  if (page_number < snap.main_valid_count) src.kind = PageSource::kMain;
  return src;
}

// W22: the source's bytes in place -- the shared zero page, or the main file's or the WAL's
// mapping (W16 and L1 keep them unchanged while a reader may use them) -- or nullptr when
// the Env cannot map the file (ReadUnmapped then reads them).
const uint8_t* WalPager::SourceBytes(const PageSource& src, uint32_t page_number) {
  switch (src.kind) {
    case PageSource::kZero:
      return kZeroPage;
    case PageSource::kMain:
      return MainPageBytes(page_number);
    case PageSource::kWal:
      return WalFrameBytes(src.frame);
  }
  return nullptr;
}

// The source's bytes read with pread into dst (an unmappable Env; not kZero). A failure may
// leave dst partly written.
Status WalPager::ReadUnmapped(const PageSource& src, uint32_t page_number, uint8_t* dst) {
  if (src.kind == PageSource::kWal) return wal_->ReadBody(src.frame, dst);
  return ReadMainPage(page_number, dst);
}

// The copying read of a located page: one memcpy out of the mapping (W22). Unmapped, the
// latest commit's pages go through the page cache (latest: it holds only the latest
// content, W8), and a read goes into read_scratch_ first, so a failed or short read leaves
// the caller's buffer as it was (pager.h C5).
Status WalPager::ReadSource(const PageSource& src, uint32_t page_number, uint8_t* dst,
                            bool latest) {
  const uint8_t* bytes = SourceBytes(src, page_number);
  if (bytes != nullptr) {
    std::memcpy(dst, bytes, page_size_);
    return Status::Ok();
  }
  if (latest) {
    if (cache_->Get(page_number, dst)) {
      stats_.cache_hits++;
      return Status::Ok();
    }
    stats_.cache_misses++;
  }
  read_scratch_.resize(page_size_);
  PAGER_RETURN_IF_ERROR(ReadUnmapped(src, page_number, read_scratch_.data()));
  std::memcpy(dst, read_scratch_.data(), page_size_);
  if (latest) cache_->Put(page_number, dst);
  return Status::Ok();
}

Status WalPager::ViewPageAt(ReadSnapshot* snap, uint32_t page_number, const uint8_t** data_out) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckOpen());
  if (page_number == 0) {
    return Status(Code::kReserved, "page 0 is the library's header; use the app header calls");
  }
  if (page_number >= snap->page_count) {
    return Status(Code::kNotFound, "page " + std::to_string(page_number) +
                                       " is past the snapshot's page count " +
                                       std::to_string(snap->page_count));
  }
  if (snap->generation != generation_) {
    return Internal("read transaction of WAL generation " + std::to_string(snap->generation) +
                    " outlived it (now " + std::to_string(generation_) + ")");  // W16
  }
  Status st;
  const uint8_t* p = ViewSource(snap, LocatePage(*snap, page_number), page_number, &st);
  if (p == nullptr) return st;
  *data_out = p;
  return Status::Ok();
}

// The view's bytes: mapped when possible, else a copy the snapshot owns (W23). nullptr and
// *st set when the copy's read failed.
const uint8_t* WalPager::ViewSource(ReadSnapshot* snap, const PageSource& src,
                                    uint32_t page_number, Status* st) {
  const uint8_t* bytes = SourceBytes(src, page_number);
  if (bytes != nullptr) {
    if (src.kind == PageSource::kWal) snap->wal_views = true;  // W23: holds the generation
    return bytes;
  }
  std::unique_ptr<uint8_t[]> copy(new uint8_t[page_size_]);
  *st = ReadUnmapped(src, page_number, copy.get());
  if (!st->ok()) return nullptr;
  snap->view_copies.push_back(std::move(copy));
  return snap->view_copies.back().get();
}

bool WalPager::ReadersHoldWalViews() const {
  for (const ReadSnapshot* r : readers_) {
    if (r->wal_views && r->generation == generation_) return true;
  }
  return false;
}

}  // namespace wal
}  // namespace pager
