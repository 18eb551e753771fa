// C shims of the cold pager: argument checks, the exception fence, Status -> int.
// Each pager_cold is one ColdPager on the io::DefaultEnv() of its pager_cold_open; handles
// share its state (impl/cold/cold_pager.h C9), so they outlive pager_cold_close.
#include <cstring>
#include <memory>
#include <vector>

#include "capi/fence.h"
#include "impl/cold/cold_pager.h"
#include "impl/io/env.h"
#include "pager.h"

struct pager_cold {
  explicit pager_cold(pager::io::Env* env) : pager(env) {}
  pager::cold::ColdPager pager;
};

struct pager_cold_buffer {
  pager::cold::Buffer buffer;
};

namespace {

using pager::Status;
using pager::cold::Backend;
using pager::cold::ColdPager;
using pager::cold::Handle;

// C8: the sizes of the structs in their first version (0.2), pinned.
constexpr uint32_t kOptionsFirstSize = 16;
constexpr uint32_t kPageoutOptionsFirstSize = 12;
constexpr uint32_t kBackendStatsFirstSize = 56;
constexpr uint32_t kStatsFirstSize = 216;
static_assert(sizeof(pager_cold_options) == kOptionsFirstSize, "pager_cold_options 0.2 size");
static_assert(sizeof(pager_cold_pageout_options) == kPageoutOptionsFirstSize,
              "pager_cold_pageout_options 0.2 size");
static_assert(sizeof(pager_cold_backend_stats) == kBackendStatsFirstSize,
              "pager_cold_backend_stats 0.2 size");
static_assert(sizeof(pager_cold_stats) == kStatsFirstSize, "pager_cold_stats 0.2 size");
static_assert(sizeof(pager_cold_chunk) == sizeof(pager::cold::Chunk), "chunk layout");
static_assert(sizeof(pager_cold_range) == sizeof(pager::cold::Range), "range layout");

Handle* H(pager_cold_handle* h) { return reinterpret_cast<Handle*>(h); }
const Handle* H(const pager_cold_handle* h) { return reinterpret_cast<const Handle*>(h); }
pager_cold_handle* Out(std::unique_ptr<Handle> h) {
  return reinterpret_cast<pager_cold_handle*>(h.release());
}

// Lends the caller's handle to a consuming call (Take, TakeBuffer): whatever happens --
// success (the call already freed it), an error or an exception -- the guard never deletes
// it, so a failed take leaves the caller's handle valid.
class Lent {
 public:
  explicit Lent(pager_cold_handle* h) : owned_(H(h)) {}
  ~Lent() { (void)owned_.release(); }
  std::unique_ptr<Handle>* get() { return &owned_; }

 private:
  std::unique_ptr<Handle> owned_;
};

Status CheckSetBackend(uint32_t backend) {
  if (backend == PAGER_COLD_BACKEND_SWAP || backend == PAGER_COLD_BACKEND_FILE) {
    return Status::Ok();
  }
  return pager::InvalidArgument("unknown backend " + std::to_string(backend) +
                                " (expected PAGER_COLD_BACKEND_SWAP or _FILE)");
}

Status ResolveBackend(const ColdPager& pager, uint32_t backend, Backend* out) {
  if (backend == PAGER_COLD_BACKEND_DEFAULT) {
    *out = pager.default_backend();
    return Status::Ok();
  }
  if (backend == PAGER_COLD_BACKEND_SWAP || backend == PAGER_COLD_BACKEND_FILE) {
    *out = static_cast<Backend>(backend);
    return Status::Ok();
  }
  return pager::InvalidArgument("unknown backend " + std::to_string(backend) +
                                " (expected PAGER_COLD_BACKEND_DEFAULT, _SWAP or _FILE)");
}

Status ResolveOptions(const pager_cold_pageout_options* opts,
                      pager::cold::PageoutOptions* out) {
  pager_cold_pageout_options o;
  pager_cold_pageout_options_init(&o);
  PAGER_RETURN_IF_ERROR(
      capi::ReadOptions(opts, &o, "pager_cold_pageout_options", kPageoutOptionsFirstSize));
  out->checksums = o.checksums != 0;
  out->fallback_to_memory = o.fallback_to_memory != 0;
  return Status::Ok();
}

// The checks every pageout shim shares: pager, out, the chunk list, backend, options.
Status CheckPageoutArgs(const pager_cold* c, uint32_t backend, const void* chunks,
                        uint64_t count, uint64_t chunk_bytes,
                        const pager_cold_pageout_options* opts, const void* out, Backend* b,
                        pager::cold::PageoutOptions* o) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(c, "c"));
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
  PAGER_RETURN_IF_ERROR(capi::CheckList(chunks, count, chunk_bytes, "chunks"));
  PAGER_RETURN_IF_ERROR(ResolveBackend(c->pager, backend, b));
  return ResolveOptions(opts, o);
}

// A nested result struct's struct_size must be at least its first version's (C8).
Status CheckNested(uint32_t struct_size, const char* field) {
  if (struct_size >= kBackendStatsFirstSize) return Status::Ok();
  return pager::InvalidArgument(std::string("pager_cold_stats.") + field + ".struct_size is " +
                                std::to_string(struct_size) + ", below its first version's " +
                                std::to_string(kBackendStatsFirstSize) +
                                "; call pager_cold_stats_init() first");
}

void WriteBackendStats(const pager::cold::BackendStats& in, pager_cold_backend_stats* out) {
  pager_cold_backend_stats full;
  std::memset(&full, 0, sizeof full);
  full.live_handle_count = in.live_handle_count;
  full.live_bytes = in.live_bytes;
  full.pageout_count = in.pageout_count;
  full.paged_out_bytes = in.paged_out_bytes;
  full.paged_in_bytes = in.paged_in_bytes;
  full.read_count = in.read_count;
  capi::WriteResultStruct(full, out);
}

// The complete result, with each nested struct already cut to the caller's nested size.
void FillStats(const pager::cold::Stats& s, pager_cold_stats* full) {
  WriteBackendStats(s.swap, &full->swap);
  WriteBackendStats(s.file, &full->file);
  full->scratch_allocated_bytes = s.scratch_allocated_bytes;
  full->scratch_file_bytes = s.scratch_file_bytes;
  full->scratch_file_count = s.scratch_file_count;
  full->punch_count = s.punch_count;
  full->truncate_count = s.truncate_count;
  full->fallback_count = s.fallback_count;
  full->write_error_count = s.write_error_count;
  full->release_error_count = s.release_error_count;
  full->checksum_failure_count = s.checksum_failure_count;
  full->stale_dir_removed_count = s.stale_dir_removed_count;
  full->scratch_retained_bytes = s.scratch_retained_bytes;
  full->retained_extent_count = s.retained_extent_count;
}

}  // namespace

extern "C" {

PAGER_API void pager_cold_options_init(pager_cold_options* opts) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (opts == nullptr) return;
    std::memset(static_cast<void*>(opts), 0, sizeof(*opts));
    opts->struct_size = sizeof(*opts);
    opts->backend = PAGER_COLD_BACKEND_SWAP;
    opts->scratch_root = nullptr;
  });
}

PAGER_API int pager_cold_open(const pager_cold_options* opts, pager_cold** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    pager_cold_options o;
    pager_cold_options_init(&o);
    PAGER_RETURN_IF_ERROR(capi::ReadOptions(opts, &o, "pager_cold_options", kOptionsFirstSize));
    if (o.backend == PAGER_COLD_BACKEND_DEFAULT) o.backend = PAGER_COLD_BACKEND_SWAP;
    PAGER_RETURN_IF_ERROR(CheckSetBackend(o.backend));
    auto c = std::make_unique<pager_cold>(pager::io::DefaultEnv());
    c->pager.SetDefaultBackend(static_cast<Backend>(o.backend));
    if (o.scratch_root != nullptr) PAGER_RETURN_IF_ERROR(c->pager.SetScratchDir(o.scratch_root));
    *out = c.release();
    return Status::Ok();
  });
}

PAGER_API void pager_cold_close(pager_cold* c) PAGER_NOEXCEPT {
  capi::VoidFence([&] { delete c; });
}

PAGER_API void pager_cold_pageout_options_init(pager_cold_pageout_options* opts) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (opts == nullptr) return;
    std::memset(opts, 0, sizeof(*opts));
    opts->struct_size = sizeof(*opts);
  });
}

PAGER_API int pager_cold_set_backend(pager_cold* c, uint32_t backend) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(c, "c"));
    PAGER_RETURN_IF_ERROR(CheckSetBackend(backend));
    c->pager.SetDefaultBackend(static_cast<Backend>(backend));
    return Status::Ok();
  });
}

PAGER_API int pager_cold_backend(pager_cold* c, uint32_t* backend_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(c, "c"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(backend_out, "backend_out"));
    *backend_out = static_cast<uint32_t>(c->pager.default_backend());
    return Status::Ok();
  });
}

PAGER_API int pager_cold_set_scratch_dir(pager_cold* c, const char* root) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(c, "c"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(root, "root"));
    return c->pager.SetScratchDir(root);
  });
}

PAGER_API int pager_cold_scratch_dir(pager_cold* c, char* buf, uint64_t buf_len,
                                     uint64_t* len_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(c, "c"));
    PAGER_RETURN_IF_ERROR(capi::CheckStringOut(buf, buf_len));
    std::string dir = c->pager.scratch_dir();
    capi::CopyStringOut(dir, buf, buf_len, len_out);
    return Status::Ok();
  });
}

PAGER_API int pager_cold_pageout_with(pager_cold* c, uint32_t backend,
                                      const pager_cold_chunk* chunks, uint64_t count,
                                      const pager_cold_pageout_options* opts,
                                      pager_cold_handle** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    Backend b;
    pager::cold::PageoutOptions o;
    PAGER_RETURN_IF_ERROR(
        CheckPageoutArgs(c, backend, chunks, count, sizeof *chunks, opts, out, &b, &o));
    PAGER_ASSIGN_OR_RETURN(
        std::unique_ptr<Handle> h,
        c->pager.Pageout(b, reinterpret_cast<const pager::cold::Chunk*>(chunks),
                         static_cast<size_t>(count), o));
    *out = Out(std::move(h));
    return Status::Ok();
  });
}

PAGER_API int pager_cold_pageout(pager_cold* c, const pager_cold_chunk* chunks, uint64_t count,
                                 pager_cold_handle** out) PAGER_NOEXCEPT {
  return pager_cold_pageout_with(c, PAGER_COLD_BACKEND_DEFAULT, chunks, count, nullptr, out);
}

PAGER_API int pager_cold_pageout_owned(pager_cold* c, uint32_t backend,
                                       const pager_cold_owned_chunk* chunks, uint64_t count,
                                       const pager_cold_pageout_options* opts,
                                       pager_cold_handle** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    Backend b;
    pager::cold::PageoutOptions o;
    PAGER_RETURN_IF_ERROR(
        CheckPageoutArgs(c, backend, chunks, count, sizeof *chunks, opts, out, &b, &o));
    std::vector<pager::cold::OwnedChunk> owned(static_cast<size_t>(count));
    for (size_t i = 0; i < owned.size(); i++) {
      owned[i] = pager::cold::OwnedChunk{chunks[i].data, chunks[i].len, chunks[i].free_fn,
                                         chunks[i].free_ctx};
    }
    PAGER_ASSIGN_OR_RETURN(std::unique_ptr<Handle> h,
                           c->pager.PageoutOwned(b, owned.data(), owned.size(), o));
    *out = Out(std::move(h));
    return Status::Ok();
  });
}

PAGER_API int pager_cold_read_at(const pager_cold_handle* h, uint64_t offset, void* dst,
                                 uint64_t dst_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(h, "h"));
    return ColdPager::ReadAt(*H(h), offset, dst_len, dst);
  });
}

PAGER_API int pager_cold_read_at_many(const pager_cold_handle* h, const pager_cold_range* ranges,
                                      uint64_t count, void* dst,
                                      uint64_t dst_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(h, "h"));
    PAGER_RETURN_IF_ERROR(capi::CheckList(ranges, count, sizeof *ranges, "ranges"));
    return ColdPager::ReadAtMany(*H(h), reinterpret_cast<const pager::cold::Range*>(ranges),
                                 static_cast<size_t>(count), dst, dst_len);
  });
}

PAGER_API int pager_cold_take(pager_cold_handle* h, void* dst, uint64_t dst_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(h, "h"));
    PAGER_RETURN_IF_ERROR(capi::RequireAtLeastLength(dst_len, H(h)->len(), "dst_len"));
    Lent lent(h);
    return ColdPager::Take(lent.get(), dst, dst_len);
  });
}

PAGER_API int pager_cold_take_buffer(pager_cold_handle* h,
                                     pager_cold_buffer** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(h, "h"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    auto wrapper = std::make_unique<pager_cold_buffer>();  // before: a throw leaves h intact
    Lent lent(h);
    auto taken = ColdPager::TakeBuffer(lent.get());
    if (!taken.ok()) return taken.status();
    wrapper->buffer = taken.take();
    *out = wrapper.release();
    return Status::Ok();
  });
}

PAGER_API void* pager_cold_buffer_data(const pager_cold_buffer* b) PAGER_NOEXCEPT {
  void* data = nullptr;
  capi::VoidFence([&] { data = b == nullptr ? nullptr : b->buffer.data(); });
  return data;
}

PAGER_API uint64_t pager_cold_buffer_len(const pager_cold_buffer* b) PAGER_NOEXCEPT {
  uint64_t len = 0;
  capi::VoidFence([&] { len = b == nullptr ? 0 : b->buffer.len(); });
  return len;
}

PAGER_API void pager_cold_buffer_free(pager_cold_buffer* b) PAGER_NOEXCEPT {
  capi::VoidFence([&] { delete b; });
}

PAGER_API void pager_cold_free(pager_cold_handle* h) PAGER_NOEXCEPT {
  capi::VoidFence([&] { delete H(h); });
}

PAGER_API uint64_t pager_cold_len(const pager_cold_handle* h) PAGER_NOEXCEPT {
  uint64_t len = 0;
  capi::VoidFence([&] { len = h == nullptr ? 0 : H(h)->len(); });
  return len;
}

PAGER_API uint32_t pager_cold_backend_of(const pager_cold_handle* h) PAGER_NOEXCEPT {
  uint32_t backend = PAGER_COLD_BACKEND_DEFAULT;
  capi::VoidFence([&] {
    if (h != nullptr) backend = static_cast<uint32_t>(H(h)->backend());
  });
  return backend;
}

PAGER_API void pager_cold_stats_init(pager_cold_stats* stats) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (stats == nullptr) return;
    std::memset(stats, 0, sizeof(*stats));
    stats->struct_size = sizeof(*stats);
    stats->swap.struct_size = sizeof(stats->swap);
    stats->file.struct_size = sizeof(stats->file);
  });
}

PAGER_API int pager_cold_get_stats(pager_cold* c, pager_cold_stats* out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(c, "c"));
    PAGER_RETURN_IF_ERROR(capi::CheckResultStruct(out, "pager_cold_stats", kStatsFirstSize));
    PAGER_RETURN_IF_ERROR(CheckNested(out->swap.struct_size, "swap"));
    PAGER_RETURN_IF_ERROR(CheckNested(out->file.struct_size, "file"));
    pager::cold::Stats s = c->pager.GetStats();
    pager_cold_stats full;
    std::memset(&full, 0, sizeof full);
    full.swap.struct_size = out->swap.struct_size;  // C8: each nested struct keeps its size
    full.file.struct_size = out->file.struct_size;
    FillStats(s, &full);
    capi::WriteResultStruct(full, out);
    return Status::Ok();
  });
}

}  // extern "C"

// ---- pager_cold_reap: the stale-directory scan of impl/cold/scratch_store (D1, D2) ---------

namespace {

uint32_t ScratchStateCode(pager::cold::ScratchState s) {
  switch (s) {
    case pager::cold::ScratchState::kLive: return PAGER_COLD_SCRATCH_LIVE;
    case pager::cold::ScratchState::kStale: return PAGER_COLD_SCRATCH_STALE;
    case pager::cold::ScratchState::kRemoved: return PAGER_COLD_SCRATCH_REMOVED;
    default: return PAGER_COLD_SCRATCH_FAILED;
  }
}

}  // namespace

extern "C" int pager_cold_reap(const char* root, uint32_t remove, pager_cold_scratch_fn fn,
                               void* ctx) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(root, "root"));
    if (root[0] == '\0') return pager::InvalidArgument("root is empty");
    if (remove > 1) return pager::InvalidArgument("remove must be 0 or 1, not " +
                                                  std::to_string(remove));
    pager::io::Env* env = pager::io::DefaultEnv();
    bool exists = false;
    PAGER_RETURN_IF_ERROR(env->Exists(root, &exists));
    if (!exists) return Status(pager::Code::kNotFound, std::string("no such directory: ") + root);
    pager::cold::ScratchVisitor visit;
    if (fn != nullptr) {
      visit = [&](const std::string& lock_path, pager::cold::ScratchState s) -> Status {
        int rc = fn(ctx, lock_path.c_str(), ScratchStateCode(s));
        if (rc == 0) return Status::Ok();
        return Status(pager::Code::kCallback, "pager_cold_reap: the callback returned " +
                                                  std::to_string(rc) + " at " + lock_path);
      };
    }
    pager::cold::StaleScan scan;
    return pager::cold::ScratchStore::Scan(env, root, "", remove == 1, visit, &scan);
  });
}
