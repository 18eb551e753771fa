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

// W15: where the snapshot's page lives -- the same layering as ReadPageAt.
WalPager::PageSource WalPager::LocatePage(const ReadSnapshot& snap, uint32_t page_number) const {
  PageSource src;
  const uint64_t frames = wal_ ? wal_->frame_count() : 0;
  if (snap.mark == frames) {  // still the latest commit: index_ and main_valid_count_
    auto it = index_.find(page_number);
    if (it != index_.end()) {
      src.kind = PageSource::kWal;
      src.frame = it->second;
    } else if (page_number < main_valid_count_) {
      src.kind = PageSource::kMain;
    }
    return src;
  }
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
  if (src.kind == PageSource::kZero) return kZeroPage;
  if (src.kind == PageSource::kMain) {
    const uint8_t* mapped = MainPageBytes(page_number);  // W22, W16
    if (mapped != nullptr) return mapped;
  } else {
    const uint8_t* mapped = WalFrameBytes(src.frame);
    if (mapped != nullptr) {
      snap->wal_views = true;  // W23: holds the WAL generation until EndRead
      return mapped;
    }
  }
  std::unique_ptr<uint8_t[]> copy(new uint8_t[page_size_]);
  *st = (src.kind == PageSource::kMain) ? ReadMainPage(page_number, copy.get())
                                        : wal_->ReadBody(src.frame, copy.get());
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
