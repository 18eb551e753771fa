// extern "C" shims of the KV-cache snapshot (pager_snapshot_*, pager_cache_*) and the
// reference engine (pager_refengine_*). Argument checks and the exception fence only.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "capi/fence.h"
#include "impl/io/env.h"
#include "impl/io/posix_env.h"
#include "impl/snapshot/adapter.h"
#include "impl/snapshot/refengine.h"
#include "impl/snapshot/snapshot.h"
#include "pager.h"

struct pager_refengine {
  std::unique_ptr<pager::snapshot::RefEngine> impl;
};

namespace {

using pager::Status;
namespace snap = pager::snapshot;

Status ConvertOptions(const pager_snapshot_options* in, snap::Options* out) {
  pager_snapshot_options o;
  pager_snapshot_options_init(&o);
  PAGER_RETURN_IF_ERROR(capi::ReadOptions(in, &o, "pager_snapshot_options", sizeof o));
  out->compression = o.compression;
  out->zstd_level = o.zstd_level;
  out->threads = o.threads;
  out->allow_nonempty = o.allow_nonempty != 0;
  out->sync_fd = o.sync_fd != 0;
  if (o.parent_path != nullptr) {
    out->parent_path = o.parent_path;
    if (out->parent_path.empty()) return pager::InvalidArgument("options.parent_path is empty");
  }
  out->progress = o.progress;
  out->progress_ctx = o.progress_ctx;
  return out->Validate();
}

Status CheckPath(const char* path) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
  if (path[0] == '\0') return pager::InvalidArgument("path is empty");
  return Status::Ok();
}

Status CheckOps(const pager_cache_ops* ops) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(ops, "ops"));
  return snap::Adapter::Check(*ops);
}

Status CheckEngine(pager_refengine* e) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(e, "engine"));
  return Status::Ok();
}

Status CheckId(const char* id, uint32_t id_bytes) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(id, "id"));
  if (id_bytes == 0 || id_bytes > 65536) {
    return pager::InvalidArgument("id_bytes " + std::to_string(id_bytes) + " is outside 1..65536");
  }
  return Status::Ok();
}

}  // namespace

extern "C" {

void pager_cache_meta_init(pager_cache_meta* meta) PAGER_NOEXCEPT {
  if (meta == nullptr) return;
  std::memset(meta, 0, sizeof *meta);
  meta->struct_size = sizeof *meta;
}

int pager_cache_meta_page_bytes(const pager_cache_meta* meta, uint64_t* k_page_bytes,
                                uint64_t* v_page_bytes) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(meta, "meta"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(k_page_bytes, "k_page_bytes"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(v_page_bytes, "v_page_bytes"));
    PAGER_ASSIGN_OR_RETURN(snap::Geometry g, snap::GeometryFromMeta(*meta));
    *k_page_bytes = g.k_page_bytes;
    *v_page_bytes = g.v_page_bytes;
    return Status::Ok();
  });
}

int pager_cache_sink_add_pages(pager_cache_sink* sink, const uint32_t* pages,
                               uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&] { return snap::SinkAddPages(sink, pages, count); });
}

int pager_cache_sink_add_seq(pager_cache_sink* sink, const char* id, uint32_t id_bytes,
                             const uint32_t* pages, uint64_t page_count,
                             uint32_t fill_last_page) PAGER_NOEXCEPT {
  return capi::Fence(
      [&] { return snap::SinkAddSeq(sink, id, id_bytes, pages, page_count, fill_last_page); });
}

void pager_snapshot_options_init(pager_snapshot_options* opts) PAGER_NOEXCEPT {
  if (opts == nullptr) return;
  std::memset(opts, 0, sizeof *opts);
  opts->struct_size = sizeof *opts;
  opts->compression = PAGER_SNAPSHOT_COMPRESS_NONE;
  opts->zstd_level = 3;
}

int pager_snapshot_capture(const pager_cache_ops* ops, const char* path,
                           const pager_snapshot_options* opts) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckOps(ops));
    PAGER_RETURN_IF_ERROR(CheckPath(path));
    snap::Options o;
    PAGER_RETURN_IF_ERROR(ConvertOptions(opts, &o));
    return snap::Capture(pager::io::DefaultEnv(), *ops, path, o);
  });
}

int pager_snapshot_capture_fd(const pager_cache_ops* ops, int fd,
                              const pager_snapshot_options* opts) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckOps(ops));
    if (fd < 0) return pager::InvalidArgument("fd " + std::to_string(fd) + " is negative");
    snap::Options o;
    PAGER_RETURN_IF_ERROR(ConvertOptions(opts, &o));
    std::unique_ptr<pager::io::File> file =
        pager::io::WrapFd(fd, "fd " + std::to_string(fd), /*writable=*/true, /*owns_fd=*/false);
    PAGER_RETURN_IF_ERROR(snap::CaptureToFile(pager::io::DefaultEnv(), *ops, file.get(), ".", o));
    if (o.sync_fd) return file->Sync();
    return Status::Ok();
  });
}

int pager_snapshot_restore(const pager_cache_ops* ops, const char* path,
                           const pager_snapshot_options* opts) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckOps(ops));
    PAGER_RETURN_IF_ERROR(CheckPath(path));
    snap::Options o;
    PAGER_RETURN_IF_ERROR(ConvertOptions(opts, &o));
    return snap::Restore(pager::io::DefaultEnv(), *ops, path, o);
  });
}

int pager_snapshot_verify(const char* path, const pager_snapshot_options* opts) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckPath(path));
    snap::Options o;
    PAGER_RETURN_IF_ERROR(ConvertOptions(opts, &o));
    return snap::Verify(pager::io::DefaultEnv(), path, o);
  });
}

void pager_snapshot_info_init(pager_snapshot_info* info) PAGER_NOEXCEPT {
  if (info == nullptr) return;
  std::memset(info, 0, sizeof *info);
  info->struct_size = sizeof *info;
  pager_cache_meta_init(&info->meta);
}

int pager_snapshot_inspect(const char* path, pager_snapshot_info* info) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckPath(path));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(info, "info"));
    if (info->struct_size < sizeof(uint32_t)) {
      return pager::InvalidArgument("info.struct_size is " + std::to_string(info->struct_size) +
                                    "; call pager_snapshot_info_init() first");
    }
    pager_snapshot_info full;
    PAGER_RETURN_IF_ERROR(snap::Inspect(pager::io::DefaultEnv(), path, &full));
    uint32_t n = info->struct_size < sizeof full ? info->struct_size : sizeof full;
    std::memcpy(static_cast<void*>(info), &full, n);
    info->struct_size = n;
    return Status::Ok();
  });
}

int pager_refengine_create(const pager_cache_meta* meta, uint32_t capacity_pages,
                           pager_refengine** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(meta, "meta"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    std::unique_ptr<pager_refengine> e(new pager_refengine());
    PAGER_RETURN_IF_ERROR(snap::RefEngine::Create(*meta, capacity_pages, &e->impl));
    *out = e.release();
    return Status::Ok();
  });
}

void pager_refengine_free(pager_refengine* engine) PAGER_NOEXCEPT { delete engine; }

int pager_refengine_ops(pager_refengine* engine, pager_cache_ops* ops) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(ops, "ops"));
    *ops = engine->impl->Ops();
    return Status::Ok();
  });
}

int pager_refengine_alloc_page(pager_refengine* engine, uint32_t* slot) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(slot, "slot"));
    PAGER_ASSIGN_OR_RETURN(*slot, engine->impl->AllocPage());
    return Status::Ok();
  });
}

int pager_refengine_free_page(pager_refengine* engine, uint32_t slot) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    return engine->impl->FreePage(slot);
  });
}

int pager_refengine_write_page(pager_refengine* engine, uint32_t slot, const void* k,
                               uint64_t k_bytes, const void* v, uint64_t v_bytes) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(k, "k"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(v, "v"));
    return engine->impl->WritePage(slot, k, k_bytes, v, v_bytes);
  });
}

int pager_refengine_read_page(pager_refengine* engine, uint32_t slot, void* k, uint64_t k_bytes,
                              void* v, uint64_t v_bytes) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(k, "k"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(v, "v"));
    return engine->impl->ReadPage(slot, k, k_bytes, v, v_bytes);
  });
}

int pager_refengine_set_seq(pager_refengine* engine, const char* id, uint32_t id_bytes,
                            const uint32_t* pages, uint64_t page_count,
                            uint32_t fill_last_page) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(CheckId(id, id_bytes));
    return engine->impl->SetSeq(std::string(id, id_bytes), pages, page_count, fill_last_page);
  });
}

int pager_refengine_remove_seq(pager_refengine* engine, const char* id,
                               uint32_t id_bytes) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(CheckId(id, id_bytes));
    return engine->impl->RemoveSeq(std::string(id, id_bytes));
  });
}

int pager_refengine_get_seq(pager_refengine* engine, const char* id, uint32_t id_bytes,
                            uint32_t* pages, uint64_t capacity, uint64_t* page_count,
                            uint32_t* fill_last_page) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(CheckId(id, id_bytes));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(page_count, "page_count"));
    if (capacity > 0) PAGER_RETURN_IF_ERROR(capi::RequireNonNull(pages, "pages"));
    std::vector<uint32_t> got;
    uint32_t fill = 0;
    PAGER_RETURN_IF_ERROR(engine->impl->GetSeq(std::string(id, id_bytes), &got, &fill));
    for (uint64_t i = 0; i < got.size() && i < capacity; i++) pages[i] = got[i];
    *page_count = got.size();
    if (fill_last_page != nullptr) *fill_last_page = fill;
    return Status::Ok();
  });
}

int pager_refengine_stats(pager_refengine* engine, uint32_t* occupied_pages, uint32_t* seq_count,
                          uint32_t* paused) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    uint32_t o = 0, s = 0;
    bool p = false;
    engine->impl->Stats(&o, &s, &p);
    if (occupied_pages != nullptr) *occupied_pages = o;
    if (seq_count != nullptr) *seq_count = s;
    if (paused != nullptr) *paused = p ? 1 : 0;
    return Status::Ok();
  });
}

int pager_refengine_fingerprint(pager_refengine* engine, uint64_t* fingerprint) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(fingerprint, "fingerprint"));
    *fingerprint = engine->impl->Fingerprint();
    return Status::Ok();
  });
}

int pager_refengine_fail_callback(pager_refengine* engine, const char* name, uint32_t skip,
                                  int adapter_code) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    return engine->impl->FailCallback(name == nullptr ? "" : name, skip, adapter_code);
  });
}

}  // extern "C"
