// C shims of the cold pager: argument checks, the exception fence, Status -> int.
// One process-wide ColdPager on io::DefaultEnv() backs every pager_cold_* function.
#include <cstring>
#include <memory>

#include "capi/fence.h"
#include "impl/cold/cold_pager.h"
#include "impl/io/env.h"
#include "pager.h"

struct pager_cold_buffer {
  pager::cold::Buffer buffer;
};

namespace {

using pager::Status;
using pager::cold::Backend;
using pager::cold::ColdPager;
using pager::cold::Handle;

ColdPager& Global() {
  static ColdPager* instance = new ColdPager(pager::io::DefaultEnv());  // never destroyed
  return *instance;
}

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

Status ResolveBackend(uint32_t backend, Backend* out) {
  if (backend == PAGER_COLD_BACKEND_DEFAULT) {
    *out = Global().default_backend();
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
  PAGER_RETURN_IF_ERROR(capi::ReadOptions(opts, &o, "pager_cold_pageout_options", sizeof o));
  out->checksums = o.checksums != 0;
  out->fallback_to_memory = o.fallback_to_memory != 0;
  return Status::Ok();
}

Status CheckCount(uint64_t count, const char* what) {
  if (count > SIZE_MAX / 64) {
    return pager::InvalidArgument(std::string(what) + " count " + std::to_string(count) +
                                  " is too large");
  }
  return Status::Ok();
}

// The checks both pageout shims share: chunk count, backend, options.
Status CheckPageoutArgs(uint32_t backend, uint64_t count, const pager_cold_pageout_options* opts,
                        Backend* b, pager::cold::PageoutOptions* o) {
  PAGER_RETURN_IF_ERROR(CheckCount(count, "chunk"));
  PAGER_RETURN_IF_ERROR(ResolveBackend(backend, b));
  return ResolveOptions(opts, o);
}

void CopyBackendStats(const pager::cold::BackendStats& in, pager_cold_backend_stats* out) {
  out->live_handle_count = in.live_handle_count;
  out->live_bytes = in.live_bytes;
  out->pageout_count = in.pageout_count;
  out->paged_out_bytes = in.paged_out_bytes;
  out->paged_in_bytes = in.paged_in_bytes;
  out->read_count = in.read_count;
}

}  // namespace

extern "C" {

PAGER_API void pager_cold_pageout_options_init(pager_cold_pageout_options* opts) PAGER_NOEXCEPT {
  if (opts == nullptr) return;
  std::memset(opts, 0, sizeof(*opts));
  opts->struct_size = sizeof(*opts);
}

PAGER_API int pager_cold_set_backend(uint32_t backend) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    if (backend != PAGER_COLD_BACKEND_SWAP && backend != PAGER_COLD_BACKEND_FILE) {
      return pager::InvalidArgument("unknown backend " + std::to_string(backend) +
                                    " (expected PAGER_COLD_BACKEND_SWAP or _FILE)");
    }
    Global().SetDefaultBackend(static_cast<Backend>(backend));
    return Status::Ok();
  });
}

PAGER_API uint32_t pager_cold_backend(void) PAGER_NOEXCEPT {
  return static_cast<uint32_t>(Global().default_backend());
}

PAGER_API int pager_cold_set_scratch_dir(const char* root) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(root, "root"));
    return Global().SetScratchDir(root);
  });
}

PAGER_API int pager_cold_scratch_dir(char* dst, size_t cap, size_t* len_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(len_out, "len_out"));
    if (dst == nullptr && cap > 0) return pager::InvalidArgument("dst is NULL but cap > 0");
    std::string dir = Global().scratch_dir();
    *len_out = dir.size();
    if (cap <= dir.size()) {
      return Status(pager::Code::kRange, "the scratch directory path needs " +
                                             std::to_string(dir.size() + 1) + " bytes, cap is " +
                                             std::to_string(cap));
    }
    std::memcpy(dst, dir.c_str(), dir.size() + 1);
    return Status::Ok();
  });
}

PAGER_API int pager_cold_pageout_with(uint32_t backend, const pager_cold_chunk* chunks,
                                      uint64_t count, const pager_cold_pageout_options* opts,
                                      pager_cold_handle** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    Backend b;
    pager::cold::PageoutOptions o;
    PAGER_RETURN_IF_ERROR(CheckPageoutArgs(backend, count, opts, &b, &o));
    static_assert(sizeof(pager_cold_chunk) == sizeof(pager::cold::Chunk), "chunk layout");
    PAGER_ASSIGN_OR_RETURN(
        std::unique_ptr<Handle> h,
        Global().Pageout(b, reinterpret_cast<const pager::cold::Chunk*>(chunks),
                         static_cast<size_t>(count), o));
    *out = Out(std::move(h));
    return Status::Ok();
  });
}

PAGER_API int pager_cold_pageout(const pager_cold_chunk* chunks, uint64_t count,
                                 pager_cold_handle** out) PAGER_NOEXCEPT {
  return pager_cold_pageout_with(PAGER_COLD_BACKEND_DEFAULT, chunks, count, nullptr, out);
}

PAGER_API int pager_cold_pageout_owned(uint32_t backend, const pager_cold_owned_chunk* chunks,
                                       uint64_t count, const pager_cold_pageout_options* opts,
                                       pager_cold_handle** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    Backend b;
    pager::cold::PageoutOptions o;
    PAGER_RETURN_IF_ERROR(CheckPageoutArgs(backend, count, opts, &b, &o));
    if (count > 0) PAGER_RETURN_IF_ERROR(capi::RequireNonNull(chunks, "chunks"));
    std::vector<pager::cold::OwnedChunk> owned(static_cast<size_t>(count));
    for (size_t i = 0; i < owned.size(); i++) {
      owned[i] = pager::cold::OwnedChunk{chunks[i].data, chunks[i].len, chunks[i].free_fn,
                                         chunks[i].free_ctx};
    }
    PAGER_ASSIGN_OR_RETURN(std::unique_ptr<Handle> h,
                           Global().PageoutOwned(b, owned.data(), owned.size(), o));
    *out = Out(std::move(h));
    return Status::Ok();
  });
}

PAGER_API int pager_cold_read_at(const pager_cold_handle* h, uint64_t offset, uint64_t len,
                                 void* dst) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(h, "h"));
    return Global().ReadAt(*H(h), offset, len, dst);
  });
}

PAGER_API int pager_cold_read_at_many(const pager_cold_handle* h, const pager_cold_range* ranges,
                                      uint64_t count, void* dst,
                                      uint64_t dst_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(h, "h"));
    PAGER_RETURN_IF_ERROR(CheckCount(count, "range"));
    static_assert(sizeof(pager_cold_range) == sizeof(pager::cold::Range), "range layout");
    return Global().ReadAtMany(*H(h), reinterpret_cast<const pager::cold::Range*>(ranges),
                               static_cast<size_t>(count), dst, dst_len);
  });
}

PAGER_API int pager_cold_take(pager_cold_handle* h, void* dst, uint64_t dst_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(h, "h"));
    Lent lent(h);
    return Global().Take(lent.get(), dst, dst_len);
  });
}

PAGER_API int pager_cold_take_buffer(pager_cold_handle* h,
                                     pager_cold_buffer** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(h, "h"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    auto wrapper = std::make_unique<pager_cold_buffer>();  // before: a throw leaves h intact
    Lent lent(h);
    auto taken = Global().TakeBuffer(lent.get());
    if (!taken.ok()) return taken.status();
    wrapper->buffer = taken.take();
    *out = wrapper.release();
    return Status::Ok();
  });
}

PAGER_API void* pager_cold_buffer_data(const pager_cold_buffer* b) PAGER_NOEXCEPT {
  return b == nullptr ? nullptr : b->buffer.data();
}

PAGER_API uint64_t pager_cold_buffer_len(const pager_cold_buffer* b) PAGER_NOEXCEPT {
  return b == nullptr ? 0 : b->buffer.len();
}

PAGER_API void pager_cold_buffer_free(pager_cold_buffer* b) PAGER_NOEXCEPT { delete b; }

PAGER_API void pager_cold_free(pager_cold_handle* h) PAGER_NOEXCEPT { delete H(h); }

PAGER_API uint64_t pager_cold_len(const pager_cold_handle* h) PAGER_NOEXCEPT {
  return h == nullptr ? 0 : H(h)->len();
}

PAGER_API uint32_t pager_cold_backend_of(const pager_cold_handle* h) PAGER_NOEXCEPT {
  if (h == nullptr) return PAGER_COLD_BACKEND_DEFAULT;
  return static_cast<uint32_t>(H(h)->backend());
}

PAGER_API int pager_cold_stats_get(pager_cold_stats* out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    uint32_t given = out->struct_size;
    if (given < 8) {
      return pager::InvalidArgument("pager_cold_stats.struct_size is " + std::to_string(given) +
                                    "; set it to sizeof(pager_cold_stats)");
    }
    pager::cold::Stats s = Global().GetStats();
    pager_cold_stats full;
    std::memset(&full, 0, sizeof(full));
    full.struct_size = sizeof(full);
    CopyBackendStats(s.swap, &full.swap);
    CopyBackendStats(s.file, &full.file);
    full.scratch_allocated_bytes = s.scratch_allocated_bytes;
    full.scratch_file_bytes = s.scratch_file_bytes;
    full.scratch_file_count = s.scratch_file_count;
    full.punch_count = s.punch_count;
    full.truncate_count = s.truncate_count;
    full.fallback_count = s.fallback_count;
    full.write_error_count = s.write_error_count;
    full.release_error_count = s.release_error_count;
    full.checksum_failure_count = s.checksum_failure_count;
    full.stale_dir_removed_count = s.stale_dir_removed_count;
    full.scratch_retained_bytes = s.scratch_retained_bytes;
    full.retained_extent_count = s.retained_extent_count;
    size_t n = given < sizeof(full) ? given : sizeof(full);
    std::memcpy(out, &full, n);
    out->struct_size = static_cast<uint32_t>(n);
    return Status::Ok();
  });
}

}  // extern "C"
