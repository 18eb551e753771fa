// Restore: snapshot file (and its parent chain) -> engine (K1, K3, K4, K8); Verify; Inspect.
#include <algorithm>
#include <cstring>
#include <thread>
#include <unordered_set>

#include "impl/snapshot/adapter.h"
#include "impl/snapshot/format.h"
#include "impl/snapshot/parallel.h"
#include "impl/snapshot/reader.h"
#include "impl/snapshot/snapshot.h"

namespace pager {
namespace snapshot {

namespace {

class Restorer {
 public:
  Restorer(io::Env* env, const pager_cache_ops& ops, const std::string& path,
           const Options& options)
      : env_(env), adapter_(ops), path_(path), options_(options) {}

  Status Run();

 private:
  Status CheckDestination();
  Status CheckSlots(const std::vector<uint32_t>& slots) const;
  struct Batch {
    size_t first = 0;
    std::vector<std::vector<uint8_t>> pages;  // uncompressed K||V, checked
    std::vector<std::vector<uint8_t>> scratch;
  };
  Status PrepareBatch(size_t first, Batch* batch);
  Status WriteBatch(const Batch& batch, const std::vector<uint32_t>& slots, Progress* progress);
  Status WritePages(const std::vector<uint32_t>& slots, Progress* progress);
  Status InstallSeqs(const std::vector<uint32_t>& slots);
  // Zero-copy (K8): the engine's segments for every slot, then each page read into them.
  Status CollectSegments(const std::vector<uint32_t>& slots);
  Status ReadPagesInPlace(Progress* progress);
  void ZeroPage(size_t i);
  template <typename Fn>
  Status ReleaseOnFailure(const std::vector<uint32_t>& slots, Fn&& body);

  io::Env* env_;
  Adapter adapter_;
  std::string path_;
  const Options& options_;
  std::unique_ptr<Chain> chain_;
  std::unordered_set<uint32_t> occupied_before_;
  size_t page_count_ = 0;
  size_t per_batch_ = 1;
  std::vector<pager_page_segment> segments_;  // every page's segments, in page order
  std::vector<size_t> segment_begin_;         // page i: segments_[begin[i], begin[i+1])
};

Status Restorer::CheckDestination() {
  PAGER_ASSIGN_OR_RETURN(std::vector<uint32_t> occupied, adapter_.OccupiedPages());
  if (!occupied.empty() && !options_.allow_nonempty) {
    return Status(Code::kExists, "the destination engine already holds " +
                                     std::to_string(occupied.size()) +
                                     " pages (set allow_nonempty to restore next to them)");
  }
  occupied_before_.insert(occupied.begin(), occupied.end());
  // Even an engine without pages may hold (empty) sequences whose ids would collide.
  PAGER_ASSIGN_OR_RETURN(std::vector<Seq> existing, adapter_.LogicalSeqs());
  std::unordered_set<std::string> ids;
  for (const Seq& s : existing) ids.insert(s.id);
  for (const Seq& s : chain_->top().seqs()) {
    if (ids.count(s.id) != 0) {
      return Status(Code::kExists, "sequence '" + s.id + "' already exists in the engine");
    }
  }
  return Status::Ok();
}

Status Restorer::CheckSlots(const std::vector<uint32_t>& slots) const {
  std::unordered_set<uint32_t> seen;
  seen.reserve(slots.size());
  for (uint32_t s : slots) {
    if (!seen.insert(s).second) {
      return Status(Code::kDuplicate, "callback allocate_pages returned slot " +
                                          std::to_string(s) + " twice");
    }
    if (occupied_before_.count(s) != 0) {
      return Status(Code::kOverlap, "callback allocate_pages returned slot " + std::to_string(s) +
                                        ", which already holds data");
    }
  }
  return Status::Ok();
}

// Pages are read, checksummed and decompressed in batches by the workers while the previous
// batch is handed to write_page one page at a time on this thread (K7). This is the only pass
// over the page bytes (K3): a batch reaches write_page only once every page of it is verified.
Status Restorer::PrepareBatch(size_t first, Batch* batch) {
  const Geometry& g = chain_->top().geometry();
  batch->first = first;
  batch->pages.resize(std::min(per_batch_, page_count_ - first));
  batch->scratch.resize(batch->pages.size());
  return ParallelFor(batch->pages.size(), options_.WorkerCount(), [&](size_t i) {
    batch->pages[i].resize(g.page_bytes());
    return chain_->ReadPage(first + i, batch->pages[i].data(), &batch->scratch[i]);
  });
}

Status Restorer::WriteBatch(const Batch& batch, const std::vector<uint32_t>& slots,
                            Progress* progress) {
  const Geometry& g = chain_->top().geometry();
  for (size_t i = 0; i < batch.pages.size(); i++) {
    const uint8_t* page = batch.pages[i].data();
    PAGER_RETURN_IF_ERROR(adapter_.WritePage(slots[batch.first + i], page, g.k_page_bytes,
                                             page + g.k_page_bytes, g.v_page_bytes));
    uint64_t done = chain_->StoredBytes(batch.first + i) + g.page_bytes();
    PAGER_RETURN_IF_ERROR(progress->Advance(done, /*cancellable=*/false));
  }
  return Status::Ok();
}

Status Restorer::WritePages(const std::vector<uint32_t>& slots, Progress* progress) {
  page_count_ = slots.size();
  if (page_count_ == 0) return Status::Ok();
  per_batch_ = static_cast<size_t>(
      std::max<uint64_t>(1, options_.BatchBytes() / chain_->top().geometry().page_bytes()));
  Batch current, next;
  PAGER_RETURN_IF_ERROR(PrepareBatch(0, &current));
  for (size_t first = 0; first < page_count_; first += per_batch_) {
    size_t following = first + per_batch_;
    Status prepared;
    std::thread prefetch;
    if (following < page_count_) {
      try {
        prefetch = std::thread([&] { prepared = PrepareBatch(following, &next); });
      } catch (...) {
        prefetch = std::thread();  // no thread: prepare after writing, below
      }
    }
    Status written = WriteBatch(current, slots, progress);
    if (prefetch.joinable()) {
      prefetch.join();
    } else if (written.ok() && following < page_count_) {
      prepared = PrepareBatch(following, &next);
    }
    PAGER_RETURN_IF_ERROR(written);
    PAGER_RETURN_IF_ERROR(prepared);
    std::swap(current, next);
  }
  return Status::Ok();
}

Status Restorer::CollectSegments(const std::vector<uint32_t>& slots) {
  const Geometry& g = chain_->top().geometry();
  segments_.clear();
  segment_begin_.assign(1, 0);
  std::vector<pager_page_segment> page;
  for (uint32_t slot : slots) {
    PAGER_RETURN_IF_ERROR(adapter_.PageBuffers(slot, uint64_t{2} * g.layers, g.page_bytes(), &page));
    segments_.insert(segments_.end(), page.begin(), page.end());
    segment_begin_.push_back(segments_.size());
  }
  return CheckSegmentsDisjoint(segments_);
}

void Restorer::ZeroPage(size_t i) {
  for (size_t s = segment_begin_[i]; s < segment_begin_[i + 1]; s++) {
    std::memset(segments_[s].data, 0, segments_[s].bytes);
  }
}

// K8: workers read each page of a batch straight into the engine's segments and verify it
// there; a page that fails is zeroed by the worker that read it. Progress is reported on
// this thread after each batch. (A POSIX_FADV_WILLNEED of the next batch was measured: it
// made warm and cold restores slower -- doc/snapshot.md -- so the kernel's readahead does it.)
Status Restorer::ReadPagesInPlace(Progress* progress) {
  const Geometry& g = chain_->top().geometry();
  size_t n = segment_begin_.size() - 1;
  // Batches only pace the progress callback: without one, every page is one batch (no
  // barrier and no thread start per 32 MiB).
  per_batch_ = options_.progress == nullptr && options_.batch_bytes == 0
                   ? std::max<size_t>(n, 1)
                   : static_cast<size_t>(
                         std::max<uint64_t>(1, options_.BatchBytes() / g.page_bytes()));
  for (size_t first = 0; first < n; first += per_batch_) {
    size_t count = std::min(per_batch_, n - first);
    PAGER_RETURN_IF_ERROR(ParallelFor(count, options_.WorkerCount(), [&](size_t j) {
      size_t i = first + j;
      std::vector<uint8_t> scratch;  // used by compressed pages only
      Status st = chain_->ReadPageInto(i, &segments_[segment_begin_[i]],
                                       segment_begin_[i + 1] - segment_begin_[i], &scratch);
      if (!st.ok()) ZeroPage(i);
      return st;
    }));
    for (size_t i = first; i < first + count; i++) {
      PAGER_RETURN_IF_ERROR(
          progress->Advance(chain_->StoredBytes(i) + g.page_bytes(), /*cancellable=*/false));
    }
  }
  return Status::Ok();
}

Status Restorer::InstallSeqs(const std::vector<uint32_t>& slots) {
  std::vector<Seq> seqs = chain_->top().seqs();
  for (Seq& s : seqs) {
    for (uint32_t& p : s.pages) p = slots[p];  // K4: positions -> allocated slots
  }
  return adapter_.Install(seqs);
}

Status Restorer::Run() {
  PAGER_RETURN_IF_ERROR(options_.Validate());
  PAGER_RETURN_IF_ERROR(Chain::Load(env_, path_, &chain_));
  const SnapshotFile& top = chain_->top();
  // K3: the structure of every level (header, trailer, tables, parent ids) is verified by
  // Load; each page's bytes are verified as WritePages reads them, in the one pass.
  uint64_t total_bytes = top.geometry().page_bytes() * top.pages().size();
  for (size_t i = 0; i < top.pages().size(); i++) total_bytes += chain_->StoredBytes(i);
  Progress progress(options_, total_bytes);
  PAGER_ASSIGN_OR_RETURN(Geometry engine, adapter_.Meta());
  PAGER_RETURN_IF_ERROR(CompareGeometry(top.geometry(), engine));
  return WithPause(&adapter_, [&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckDestination());
    PAGER_RETURN_IF_ERROR(progress.Advance(0));  // last point where cancelling is honoured
    std::vector<uint32_t> slots;
    if (!top.pages().empty()) {
      PAGER_ASSIGN_OR_RETURN(slots, adapter_.AllocatePages(top.pages().size()));
      PAGER_RETURN_IF_ERROR(CheckSlots(slots));  // refused slots are not trusted: kept
    }
    return ReleaseOnFailure(slots, [&]() -> Status {
      if (adapter_.has_page_buffers()) {
        PAGER_RETURN_IF_ERROR(CollectSegments(slots));
        PAGER_RETURN_IF_ERROR(ReadPagesInPlace(&progress));
      } else {
        PAGER_RETURN_IF_ERROR(WritePages(slots, &progress));
      }
      return InstallSeqs(slots);
    });
  });
}

// K4: a failure after allocate_pages gives every allocated slot back (once, before resume);
// the first error stays the one reported, a failed release is added to its message.
template <typename Fn>
Status Restorer::ReleaseOnFailure(const std::vector<uint32_t>& slots, Fn&& body) {
  Status st = body();
  if (st.ok() || slots.empty()) return st;
  Status released = adapter_.ReleasePages(slots);
  if (released.ok()) return st;
  return Status(st.code(), st.message() + "; and " + released.message());
}

}  // namespace

Status Restore(io::Env* env, const pager_cache_ops& ops, const std::string& path,
               const Options& options) {
  PAGER_RETURN_IF_ERROR(Adapter::Check(ops));
  Restorer r(env, ops, path, options);
  return r.Run();
}

Status Verify(io::Env* env, const std::string& path, const Options& options) {
  PAGER_RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<Chain> chain;
  PAGER_RETURN_IF_ERROR(Chain::Load(env, path, &chain));
  Progress progress(options, chain->VerifyBytes());
  return chain->VerifyAll(options.WorkerCount(), &progress);
}

Status Inspect(io::Env* env, const std::string& path, pager_snapshot_info* info) {
  std::unique_ptr<SnapshotFile> f;
  PAGER_RETURN_IF_ERROR(SnapshotFile::Open(env, path, &f));
  const Header& h = f->header();
  InitInfo(info);
  info->format_version = h.format_version;
  info->meta.tokens_per_page = h.tokens_per_page;
  info->meta.layers = h.layers;
  info->meta.kv_heads = h.kv_heads;
  info->meta.head_dim = h.head_dim;
  info->meta.dtype = h.dtype;
  info->k_page_bytes = h.k_page_bytes;
  info->v_page_bytes = h.v_page_bytes;
  info->page_count = h.page_count;
  for (const PageEntry& e : f->pages()) {
    if (e.stored_bytes != 0) info->stored_page_count++;
    if ((e.flags & kPageCompressed) != 0) info->compressed_page_count++;
  }
  info->seq_count = h.seq_count;
  info->created_us = h.created_us;
  info->file_bytes = f->file_bytes();
  info->snapshot_id = h.snapshot_id;
  info->parent_snapshot_id = h.parent_snapshot_id;
  return Status::Ok();
}

}  // namespace snapshot
}  // namespace pager
