#include "impl/cold/cold_pager.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "impl/io/checksum.h"
#include "impl/io/posix_env.h"

namespace pager {
namespace cold {

static_assert(sizeof(size_t) == sizeof(uint64_t), "the cold pager assumes a 64-bit size_t");

namespace {

constexpr size_t kPageBytes = 4096;
constexpr uint64_t kChecksumSeed = 0x636f6c642d70676eull;  // "cold-pgn": the chunk domain

Status AddLength(uint64_t* total, uint64_t len, size_t index) {
  if (len > static_cast<uint64_t>(INT64_MAX) - *total) {
    return Status(Code::kTooLarge, "chunks up to #" + std::to_string(index) +
                                       " total more than INT64_MAX bytes");
  }
  *total += len;
  return Status::Ok();
}

Status CheckChunk(const void* data, uint64_t len, size_t index) {
  if (data == nullptr && len > 0) {
    return InvalidArgument("chunk #" + std::to_string(index) + " has NULL data and length " +
                           std::to_string(len));
  }
  return Status::Ok();
}

// Caller buffers adopted twice would be freed twice: reject overlapping non-empty ones.
Status CheckOwnedDisjoint(const OwnedChunk* chunks, size_t count) {
  std::vector<size_t> order;
  for (size_t i = 0; i < count; i++) {
    if (chunks[i].len > 0) order.push_back(i);
  }
  auto addr = [&](size_t i) { return reinterpret_cast<uintptr_t>(chunks[i].data); };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return addr(a) < addr(b); });
  for (size_t k = 1; k < order.size(); k++) {
    size_t a = order[k - 1], b = order[k];
    if (addr(a) + chunks[a].len > addr(b)) {
      return InvalidArgument("owned chunk #" + std::to_string(std::min(a, b)) +
                             " overlaps owned chunk #" + std::to_string(std::max(a, b)) +
                             " (a buffer would be freed twice)");
    }
  }
  return Status::Ok();
}

void AdviseCold(const Buffer& b) {
  (void)io::AdviseMemory(b.data(), b.len(), io::Advice::kCold);  // a hint (C2)
}

}  // namespace

const char* BackendName(Backend b) { return b == Backend::kSwap ? "swap" : "file"; }

// ---- Buffer -------------------------------------------------------------------------------

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    Reset();
    data_ = o.data_;
    len_ = o.len_;
    free_fn_ = o.free_fn_;
    ctx_ = o.ctx_;
    o.data_ = nullptr;
    o.len_ = 0;
    o.free_fn_ = nullptr;
    o.ctx_ = nullptr;
  }
  return *this;
}

Result<Buffer> Buffer::Allocate(uint64_t len) {
  Buffer b;
  if (len == 0) return b;
  void* p = nullptr;
  if (len >= kPageBytes) {
    if (posix_memalign(&p, kPageBytes, len) != 0) p = nullptr;
  } else {
    p = std::malloc(len);
  }
  if (p == nullptr) {
    return Status(Code::kNoMem, "could not allocate " + std::to_string(len) + " bytes");
  }
  b.data_ = static_cast<uint8_t*>(p);
  b.len_ = len;
  return b;
}

Buffer Buffer::Adopt(void* data, uint64_t len, FreeFn free_fn, void* ctx) {
  Buffer b;
  b.data_ = static_cast<uint8_t*>(data);
  b.len_ = len;
  b.free_fn_ = free_fn;
  b.ctx_ = ctx;
  return b;
}

void Buffer::Reset() {
  if (free_fn_ != nullptr) {
    free_fn_(ctx_, data_, len_);
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  len_ = 0;
  free_fn_ = nullptr;
  ctx_ = nullptr;
}

// ---- ColdCore: the state a ColdPager shares with its handles (C9) -------------------------

class ColdCore : public std::enable_shared_from_this<ColdCore> {
 public:
  ColdCore(io::Env* env, ColdPagerConfig config);
  ~ColdCore();  // the last user is gone: no handle is live; removes the scratch directory

  void SetDefaultBackend(Backend b) { default_backend_.store(b, std::memory_order_relaxed); }
  Backend default_backend() const { return default_backend_.load(std::memory_order_relaxed); }
  Status SetScratchDir(const std::string& root);
  std::string scratch_dir() const;
  Result<std::unique_ptr<Handle>> Pageout(Backend backend, const Chunk* chunks, size_t count,
                                          const PageoutOptions& options);
  Result<std::unique_ptr<Handle>> PageoutOwned(Backend backend, const OwnedChunk* chunks,
                                               size_t count, const PageoutOptions& options);
  Status ReadAtMany(const Handle& h, const Range* ranges, size_t count, void* dst,
                    uint64_t dst_len);
  Status Take(std::unique_ptr<Handle>* h, void* dst, uint64_t dst_len);
  Result<Buffer> TakeBuffer(std::unique_ptr<Handle>* h);
  void Release(Handle* h);
  Stats GetStats() const;
  Status CheckInvariants() const;

 private:
  // One backend's counters; fields[] in BackendStats order.
  struct Counters {
    std::atomic<uint64_t> fields[6] = {};
    std::atomic<uint64_t>& live_handle_count = fields[0];
    std::atomic<uint64_t>& live_bytes = fields[1];
    std::atomic<uint64_t>& pageout_count = fields[2];
    std::atomic<uint64_t>& paged_out_bytes = fields[3];
    std::atomic<uint64_t>& paged_in_bytes = fields[4];
    std::atomic<uint64_t>& read_count = fields[5];
  };
  Counters& CountersFor(Backend b) { return b == Backend::kSwap ? swap_ : file_; }
  ScratchStore* store() const { return store_.load(std::memory_order_acquire); }

  Result<std::unique_ptr<Handle>> Finish(std::unique_ptr<Handle> h);
  Status StoreInMemory(Handle* h, const Chunk* chunks, size_t count);
  Status WriteToScratch(Handle* h, const Chunk* chunks, size_t count,
                        const PageoutOptions& options);
  Status CheckPageoutTarget(Backend backend) const;
  void AdoptAll(Handle* h, const OwnedChunk* chunks, size_t count);
  static size_t ChunkIndexAt(const Handle& h, uint64_t offset);
  static Status ShortRead(const Handle& h, uint64_t logical, uint64_t want, size_t got);
  Status ReadPlanned(const Handle& h, const std::vector<PlannedRange>& planned, uint64_t total,
                     uint8_t* dst);
  void ReadMemory(const Handle& h, const PlannedRange& p, uint8_t* dst, uint64_t* ops);
  Status ReadFileRuns(const Handle& h, const std::vector<PlannedRange>& planned, uint8_t* dst,
                      uint64_t* ops);
  Status ReadFileVerified(const Handle& h, const std::vector<PlannedRange>& planned,
                          uint8_t* dst, uint64_t* ops);
  Status VerifyChunks(const Handle& h, uint64_t begin, const uint8_t* bytes, uint64_t len);
  void ReleaseExtent(Handle* h);

  io::Env* env_;
  ColdPagerConfig config_;
  std::atomic<Backend> default_backend_{Backend::kSwap};
  mutable std::mutex scratch_mu_;  // serializes SetScratchDir
  std::unique_ptr<ScratchStore> store_owner_;
  std::atomic<ScratchStore*> store_{nullptr};
  std::atomic<uint32_t> next_file_{0};
  Counters swap_, file_;
  std::atomic<uint64_t> punch_count_{0}, truncate_count_{0}, retained_extent_count_{0},
      fallback_count_{0}, write_error_count_{0}, release_error_count_{0},
      checksum_failure_count_{0}, stale_dir_removed_count_{0};
};

// ---- Handle -------------------------------------------------------------------------------

Handle::Handle(std::shared_ptr<ColdCore> core, Backend backend, uint64_t len)
    : core_(std::move(core)), backend_(backend), len_(len) {}

Handle::~Handle() { core_->Release(this); }

// ---- ColdCore: configuration --------------------------------------------------------------

ColdCore::ColdCore(io::Env* env, ColdPagerConfig config) : env_(env), config_(config) {
  if (config_.scratch_file_count == 0) config_.scratch_file_count = 1;
}

ColdCore::~ColdCore() {
  assert(swap_.live_handle_count.load() == 0 && file_.live_handle_count.load() == 0 &&
         "C9: every handle holds its core");
  store_.store(nullptr);
  store_owner_.reset();
}

Status ColdCore::SetScratchDir(const std::string& root_in) {
  std::string root = root_in;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty()) return InvalidArgument("scratch root must not be empty");
  std::lock_guard<std::mutex> lock(scratch_mu_);
  if (store_owner_ != nullptr) {  // C7
    if (store_owner_->root() == root) return Status::Ok();
    return Status(Code::kExists, "the scratch directory is already set under " +
                                     store_owner_->root() + " (" + store_owner_->dir() +
                                     "); refusing " + root);
  }
  PAGER_ASSIGN_OR_RETURN(std::unique_ptr<ScratchStore> s,
                         ScratchStore::Create(env_, root, config_.scratch_file_count,
                                              config_.extent_align_bytes,
                                              config_.per_file_retain_bytes));
  StaleScan scan;
  ScratchStore::RemoveStale(env_, root, s->lock_name(), &scan);
  stale_dir_removed_count_ += scan.removed;
  store_owner_ = std::move(s);
  store_.store(store_owner_.get(), std::memory_order_release);
  return Status::Ok();
}

std::string ColdCore::scratch_dir() const {
  std::lock_guard<std::mutex> lock(scratch_mu_);
  return store_owner_ == nullptr ? std::string() : store_owner_->dir();
}

// ---- pageout ------------------------------------------------------------------------------

Result<std::unique_ptr<Handle>> ColdCore::Finish(std::unique_ptr<Handle> h) {
  h->counted_ = true;
  Counters& c = CountersFor(h->backend_);
  c.live_handle_count.fetch_add(1, std::memory_order_relaxed);
  c.live_bytes.fetch_add(h->len_, std::memory_order_relaxed);
  c.pageout_count.fetch_add(1, std::memory_order_relaxed);
  c.paged_out_bytes.fetch_add(h->len_, std::memory_order_relaxed);
  return h;
}

Status ColdCore::StoreInMemory(Handle* h, const Chunk* chunks, size_t count) {
  PAGER_ASSIGN_OR_RETURN(Buffer b, Buffer::Allocate(h->len_));
  uint64_t pos = 0;
  for (size_t i = 0; i < count; i++) {
    if (chunks[i].len == 0) continue;
    std::memcpy(b.data() + pos, chunks[i].data, chunks[i].len);
    pos += chunks[i].len;
  }
  AdviseCold(b);
  h->starts_.assign(1, 0);
  h->buffers_.push_back(std::move(b));
  return Status::Ok();
}

Status ColdCore::WriteToScratch(Handle* h, const Chunk* chunks, size_t count,
                                 const PageoutOptions& options) {
  // Everything that allocates memory happens before the extent is taken.
  std::vector<io::IoSlice> slices;
  std::vector<Handle::ChunkSum> sums;
  uint64_t pos = 0;
  for (size_t i = 0; i < count; i++) {
    if (chunks[i].len == 0) continue;
    slices.push_back(io::IoSlice{chunks[i].data, static_cast<size_t>(chunks[i].len)});
    if (options.checksums) {  // C6: from the caller's bytes, before the write
      sums.push_back(Handle::ChunkSum{pos, chunks[i].len,
                                      Checksum64(chunks[i].data, chunks[i].len, kChecksumSeed)});
    }
    pos += chunks[i].len;
  }
  uint32_t file_index = next_file_.fetch_add(1, std::memory_order_relaxed);
  auto allocated = store()->Allocate(h->len_, file_index);
  if (!allocated.ok()) {
    write_error_count_.fetch_add(1, std::memory_order_relaxed);
    return allocated.status();
  }
  h->extent_ = allocated.value();
  h->has_extent_ = true;  // from here the handle's destructor returns the extent (C5)
  Status st = h->extent_.file->WriteVAt(h->extent_.offset, slices.data(), slices.size());
  if (!st.ok()) {
    write_error_count_.fetch_add(1, std::memory_order_relaxed);
    ReleaseExtent(h);
    return st.WithContext("page out " + std::to_string(h->len_) + " bytes");
  }
  h->sums_ = std::move(sums);
  return Status::Ok();
}

static Status CheckBackend(Backend backend) {
  if (backend == Backend::kSwap || backend == Backend::kFile) return Status::Ok();
  return InvalidArgument("unknown backend " + std::to_string(static_cast<uint32_t>(backend)) +
                         " (expected 1 = swap or 2 = file)");
}

Status ColdCore::CheckPageoutTarget(Backend backend) const {
  if (backend == Backend::kFile && store() == nullptr) {
    return InvalidArgument(
        "the file backend needs a scratch directory: call pager_cold_set_scratch_dir first");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Handle>> ColdCore::Pageout(Backend backend, const Chunk* chunks,
                                                   size_t count,
                                                   const PageoutOptions& options) {
  PAGER_RETURN_IF_ERROR(CheckBackend(backend));
  if (count > 0 && chunks == nullptr) return InvalidArgument("chunks must not be NULL");
  uint64_t total = 0;
  for (size_t i = 0; i < count; i++) {
    PAGER_RETURN_IF_ERROR(CheckChunk(chunks[i].data, chunks[i].len, i));
    PAGER_RETURN_IF_ERROR(AddLength(&total, chunks[i].len, i));
  }
  std::unique_ptr<Handle> h(new Handle(shared_from_this(), backend, total));
  if (total == 0) return Finish(std::move(h));  // an empty handle: no I/O, no scratch needed
  PAGER_RETURN_IF_ERROR(CheckPageoutTarget(backend));
  if (backend == Backend::kSwap) {
    PAGER_RETURN_IF_ERROR(StoreInMemory(h.get(), chunks, count));
    return Finish(std::move(h));
  }
  Status st = WriteToScratch(h.get(), chunks, count, options);
  if (!st.ok()) {
    if (!options.fallback_to_memory) return st;
    h->backend_ = Backend::kSwap;  // C1
    h->fell_back_ = true;
    PAGER_RETURN_IF_ERROR(StoreInMemory(h.get(), chunks, count));
    fallback_count_.fetch_add(1, std::memory_order_relaxed);
  }
  return Finish(std::move(h));
}

void ColdCore::AdoptAll(Handle* h, const OwnedChunk* chunks, size_t count) {
  uint64_t pos = 0;
  for (size_t i = 0; i < count; i++) {
    Buffer b = Buffer::Adopt(chunks[i].data, chunks[i].len, chunks[i].free_fn, chunks[i].ctx);
    if (b.len() == 0) continue;  // freed here: nothing to keep
    AdviseCold(b);
    h->starts_.push_back(pos);
    pos += b.len();
    h->buffers_.push_back(std::move(b));
  }
}

Result<std::unique_ptr<Handle>> ColdCore::PageoutOwned(Backend backend,
                                                        const OwnedChunk* chunks, size_t count,
                                                        const PageoutOptions& options) {
  PAGER_RETURN_IF_ERROR(CheckBackend(backend));
  if (count > 0 && chunks == nullptr) return InvalidArgument("chunks must not be NULL");
  uint64_t total = 0;
  for (size_t i = 0; i < count; i++) {
    PAGER_RETURN_IF_ERROR(CheckChunk(chunks[i].data, chunks[i].len, i));
    if (chunks[i].free_fn == nullptr) {
      return InvalidArgument("owned chunk #" + std::to_string(i) + " has no free function");
    }
    PAGER_RETURN_IF_ERROR(AddLength(&total, chunks[i].len, i));
  }
  PAGER_RETURN_IF_ERROR(CheckOwnedDisjoint(chunks, count));
  if (total > 0) PAGER_RETURN_IF_ERROR(CheckPageoutTarget(backend));
  std::unique_ptr<Handle> h(new Handle(shared_from_this(), backend, total));
  // Reserve first: nothing below may throw once buffers are adopted (failure frees none).
  h->buffers_.reserve(count);
  h->starts_.reserve(count);
  if (backend == Backend::kFile && total > 0) {
    std::vector<Chunk> view(count);
    for (size_t i = 0; i < count; i++) view[i] = Chunk{chunks[i].data, chunks[i].len};
    Status st = WriteToScratch(h.get(), view.data(), count, options);
    if (st.ok()) {
      for (size_t i = 0; i < count; i++) {
        chunks[i].free_fn(chunks[i].ctx, chunks[i].data, chunks[i].len);
      }
      return Finish(std::move(h));
    }
    if (!options.fallback_to_memory) return st;
    h->backend_ = Backend::kSwap;  // C1: keep the caller's buffers, no copy
    h->fell_back_ = true;
    fallback_count_.fetch_add(1, std::memory_order_relaxed);
  }
  AdoptAll(h.get(), chunks, count);
  return Finish(std::move(h));
}

// ---- reads --------------------------------------------------------------------------------

void ColdCore::ReadMemory(const Handle& h, const PlannedRange& p, uint8_t* dst,
                           uint64_t* ops) {
  auto it = std::upper_bound(h.starts_.begin(), h.starts_.end(), p.offset);
  size_t i = static_cast<size_t>(it - h.starts_.begin()) - 1;
  uint64_t pos = p.offset;
  uint64_t left = p.len;
  uint8_t* out = dst + p.dst_offset;
  while (left > 0) {
    const Buffer& b = h.buffers_[i];
    uint64_t in_buf = pos - h.starts_[i];
    uint64_t n = std::min(left, b.len() - in_buf);
    std::memcpy(out, b.data() + in_buf, n);
    (*ops)++;
    out += n;
    pos += n;
    left -= n;
    i++;
  }
}

Status ColdCore::ShortRead(const Handle& h, uint64_t logical, uint64_t want, size_t got) {
  return IoError("short read of scratch file " + h.extent_.file->path() + " at offset " +
                 std::to_string(h.extent_.offset + logical) + ": " + std::to_string(got) +
                 " of " + std::to_string(want) +
                 " bytes (the scratch file was truncated or replaced)");
}

Status ColdCore::ReadFileRuns(const Handle& h, const std::vector<PlannedRange>& planned,
                               uint8_t* dst, uint64_t* ops) {
  std::vector<Run> runs = CoalesceRuns(planned, config_.max_ranges_per_read);  // R6
  std::vector<io::IoSliceMut> slices;
  for (const Run& run : runs) {
    slices.clear();
    for (size_t k = run.first; k < run.first + run.count; k++) {
      slices.push_back(io::IoSliceMut{dst + planned[k].dst_offset,
                                      static_cast<size_t>(planned[k].len)});
    }
    size_t got = 0;
    (*ops)++;
    PAGER_RETURN_IF_ERROR(h.extent_.file->ReadVAt(h.extent_.offset + run.offset, slices.data(),
                                                  slices.size(), &got));
    if (got != run.len) return ShortRead(h, run.offset, run.len, got);
  }
  return Status::Ok();
}

size_t ColdCore::ChunkIndexAt(const Handle& h, uint64_t offset) {
  auto it = std::upper_bound(h.sums_.begin(), h.sums_.end(), offset,
                             [](uint64_t off, const Handle::ChunkSum& c) { return off < c.offset; });
  return static_cast<size_t>(it - h.sums_.begin()) - 1;
}

Status ColdCore::VerifyChunks(const Handle& h, uint64_t begin, const uint8_t* bytes,
                               uint64_t len) {
  for (size_t c = ChunkIndexAt(h, begin); c < h.sums_.size(); c++) {
    const Handle::ChunkSum& sum = h.sums_[c];
    if (sum.offset >= begin + len) break;
    uint64_t found = Checksum64(bytes + (sum.offset - begin), sum.len, kChecksumSeed);
    if (found == sum.sum) continue;
    checksum_failure_count_.fetch_add(1, std::memory_order_relaxed);
    return Corruption("chunk #" + std::to_string(c) + " [offset " + std::to_string(sum.offset) +
                      ", length " + std::to_string(sum.len) + ") read back from scratch file " +
                      h.extent_.file->path() + " at offset " +
                      std::to_string(h.extent_.offset + sum.offset) +
                      " fails its checksum: expected " + std::to_string(sum.sum) + ", found " +
                      std::to_string(found));
  }
  return Status::Ok();
}

// C6: each planned range is widened to whole chunks; widened spans that touch are read once
// into a staging buffer (or straight into dst when one range is exactly the span), verified,
// then copied out.
Status ColdCore::ReadFileVerified(const Handle& h, const std::vector<PlannedRange>& planned,
                                   uint8_t* dst, uint64_t* ops) {
  size_t i = 0;
  std::vector<uint8_t> staging;
  while (i < planned.size()) {
    uint64_t begin = h.sums_[ChunkIndexAt(h, planned[i].offset)].offset;
    const Handle::ChunkSum& last_chunk =
        h.sums_[ChunkIndexAt(h, planned[i].offset + planned[i].len - 1)];
    uint64_t end = last_chunk.offset + last_chunk.len;
    size_t j = i + 1;
    while (j < planned.size() && h.sums_[ChunkIndexAt(h, planned[j].offset)].offset <= end) {
      const Handle::ChunkSum& c = h.sums_[ChunkIndexAt(h, planned[j].offset + planned[j].len - 1)];
      end = std::max(end, c.offset + c.len);
      j++;
    }
    bool direct = (j == i + 1 && planned[i].offset == begin && planned[i].len == end - begin);
    uint8_t* into = dst + planned[i].dst_offset;
    if (!direct) {
      staging.resize(end - begin);
      into = staging.data();
    }
    size_t got = 0;
    (*ops)++;
    PAGER_RETURN_IF_ERROR(h.extent_.file->ReadAt(h.extent_.offset + begin, into, end - begin, &got));
    if (got != end - begin) return ShortRead(h, begin, end - begin, got);
    PAGER_RETURN_IF_ERROR(VerifyChunks(h, begin, into, end - begin));
    for (size_t k = i; k < j && !direct; k++) {
      std::memcpy(dst + planned[k].dst_offset, into + (planned[k].offset - begin), planned[k].len);
    }
    i = j;
  }
  return Status::Ok();
}

Status ColdCore::ReadPlanned(const Handle& h, const std::vector<PlannedRange>& planned,
                              uint64_t total, uint8_t* dst) {
  if (planned.empty()) return Status::Ok();
  uint64_t ops = 0;
  Status st;
  if (!h.has_extent_) {
    for (const PlannedRange& p : planned) ReadMemory(h, p, dst, &ops);
  } else if (h.sums_.empty()) {
    st = ReadFileRuns(h, planned, dst, &ops);
  } else {
    st = ReadFileVerified(h, planned, dst, &ops);
  }
  Counters& c = CountersFor(h.backend_);
  c.read_count.fetch_add(ops, std::memory_order_relaxed);
  if (st.ok()) c.paged_in_bytes.fetch_add(total, std::memory_order_relaxed);
  return st;
}

Status ColdCore::ReadAtMany(const Handle& h, const Range* ranges, size_t count, void* dst,
                             uint64_t dst_len) {
  std::vector<PlannedRange> planned;
  uint64_t total = 0;
  PAGER_RETURN_IF_ERROR(PlanRanges(ranges, count, h.len_, &planned, &total));  // C3
  if (total > dst_len) {
    return InvalidArgument("dst_len is " + std::to_string(dst_len) +
                           " bytes; it must hold at least " + std::to_string(total));
  }
  if (total > 0 && dst == nullptr) return InvalidArgument("dst must not be NULL");
  return ReadPlanned(h, planned, total, static_cast<uint8_t*>(dst));
}

// ---- take and free ------------------------------------------------------------------------

// h and *h are not NULL: ColdPager::Take checked them, TakeBuffer holds a handle.
Status ColdCore::Take(std::unique_ptr<Handle>* h, void* dst, uint64_t dst_len) {
  Range all{0, (*h)->len_};
  PAGER_RETURN_IF_ERROR(ReadAtMany(**h, &all, 1, dst, dst_len));
  h->reset();  // C5
  return Status::Ok();
}

// h and *h are not NULL: ColdPager::TakeBuffer checked them.
Result<Buffer> ColdCore::TakeBuffer(std::unique_ptr<Handle>* h) {
  Handle& handle = **h;
  if (!handle.has_extent_ && handle.buffers_.size() == 1) {  // a move: no copy
    Buffer b = std::move(handle.buffers_[0]);
    CountersFor(handle.backend_).paged_in_bytes.fetch_add(b.len(), std::memory_order_relaxed);
    h->reset();
    return b;
  }
  PAGER_ASSIGN_OR_RETURN(Buffer b, Buffer::Allocate(handle.len_));
  PAGER_RETURN_IF_ERROR(Take(h, b.data(), b.len()));
  return b;
}

void ColdCore::Release(Handle* h) {
  if (h->counted_) {  // a handle that failed before Finish was never counted live
    Counters& c = CountersFor(h->backend_);
    c.live_handle_count.fetch_sub(1, std::memory_order_relaxed);
    c.live_bytes.fetch_sub(h->len_, std::memory_order_relaxed);
  }
  h->buffers_.clear();
  ReleaseExtent(h);
}

void ColdCore::ReleaseExtent(Handle* h) {
  if (!h->has_extent_) return;
  h->has_extent_ = false;
  ScratchStore::ReleaseCounts counts;
  if (!store()->Release(h->extent_, &counts).ok()) {
    release_error_count_.fetch_add(1, std::memory_order_relaxed);
  }
  punch_count_.fetch_add(counts.punches, std::memory_order_relaxed);
  truncate_count_.fetch_add(counts.truncates, std::memory_order_relaxed);
  retained_extent_count_.fetch_add(counts.retained, std::memory_order_relaxed);
}

// ---- statistics ---------------------------------------------------------------------------

namespace {
BackendStats Snapshot(const std::atomic<uint64_t>* fields) {
  BackendStats s;
  s.live_handle_count = fields[0].load(std::memory_order_relaxed);
  s.live_bytes = fields[1].load(std::memory_order_relaxed);
  s.pageout_count = fields[2].load(std::memory_order_relaxed);
  s.paged_out_bytes = fields[3].load(std::memory_order_relaxed);
  s.paged_in_bytes = fields[4].load(std::memory_order_relaxed);
  s.read_count = fields[5].load(std::memory_order_relaxed);
  return s;
}
}  // namespace

Stats ColdCore::GetStats() const {
  Stats s;
  s.swap = Snapshot(swap_.fields);
  s.file = Snapshot(file_.fields);
  if (ScratchStore* st = store()) {
    ScratchStore::Usage u = st->GetUsage();
    s.scratch_allocated_bytes = u.allocated_bytes;
    s.scratch_retained_bytes = u.retained_bytes;
    s.scratch_file_bytes = u.file_bytes;
    s.scratch_file_count = u.files_open;
  }
  s.punch_count = punch_count_.load(std::memory_order_relaxed);
  s.truncate_count = truncate_count_.load(std::memory_order_relaxed);
  s.retained_extent_count = retained_extent_count_.load(std::memory_order_relaxed);
  s.fallback_count = fallback_count_.load(std::memory_order_relaxed);
  s.write_error_count = write_error_count_.load(std::memory_order_relaxed);
  s.release_error_count = release_error_count_.load(std::memory_order_relaxed);
  s.checksum_failure_count = checksum_failure_count_.load(std::memory_order_relaxed);
  s.stale_dir_removed_count = stale_dir_removed_count_.load(std::memory_order_relaxed);
  return s;
}

Status ColdCore::CheckInvariants() const {
  ScratchStore* st = store();
  return st == nullptr ? Status::Ok() : st->CheckInvariants();
}

// ---- ColdPager: the owner's view of its core -----------------------------------------------

ColdPager::ColdPager(io::Env* env, ColdPagerConfig config)
    : core_(std::make_shared<ColdCore>(env, config)) {}

ColdPager::~ColdPager() = default;  // C9: handles hold the core

void ColdPager::SetDefaultBackend(Backend b) { core_->SetDefaultBackend(b); }
Backend ColdPager::default_backend() const { return core_->default_backend(); }
Status ColdPager::SetScratchDir(const std::string& root) { return core_->SetScratchDir(root); }
std::string ColdPager::scratch_dir() const { return core_->scratch_dir(); }

Result<std::unique_ptr<Handle>> ColdPager::Pageout(Backend backend, const Chunk* chunks,
                                                   size_t count,
                                                   const PageoutOptions& options) {
  return core_->Pageout(backend, chunks, count, options);
}

Result<std::unique_ptr<Handle>> ColdPager::PageoutOwned(Backend backend,
                                                        const OwnedChunk* chunks, size_t count,
                                                        const PageoutOptions& options) {
  return core_->PageoutOwned(backend, chunks, count, options);
}

Status ColdPager::ReadAt(const Handle& h, uint64_t offset, uint64_t len, void* dst) {
  Range r{offset, len};
  return h.core_->ReadAtMany(h, &r, 1, dst, len);
}

Status ColdPager::ReadAtMany(const Handle& h, const Range* ranges, size_t count, void* dst,
                             uint64_t dst_len) {
  return h.core_->ReadAtMany(h, ranges, count, dst, dst_len);
}

Status ColdPager::Take(std::unique_ptr<Handle>* h, void* dst, uint64_t dst_len) {
  if (h == nullptr || *h == nullptr) return InvalidArgument("handle must not be NULL");
  std::shared_ptr<ColdCore> core = (*h)->core_;  // the handle's free may drop the last user
  return core->Take(h, dst, dst_len);
}

Result<Buffer> ColdPager::TakeBuffer(std::unique_ptr<Handle>* h) {
  if (h == nullptr || *h == nullptr) return InvalidArgument("handle must not be NULL");
  std::shared_ptr<ColdCore> core = (*h)->core_;
  return core->TakeBuffer(h);
}

Stats ColdPager::GetStats() const { return core_->GetStats(); }
Status ColdPager::CheckInvariants() const { return core_->CheckInvariants(); }

}  // namespace cold
}  // namespace pager
