// extern "C" shims of the KV-cache snapshot (pager_snapshot_*, pager_cache_*) and the
// reference engine (pager_refengine_*). Argument checks and the exception fence only.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "capi/fence.h"
#include "impl/io/env.h"
#include "impl/io/posix_env.h"
#include "impl/snapshot/adapter.h"
#include "impl/snapshot/reader.h"
#include "impl/snapshot/refengine.h"
#include "impl/snapshot/snapshot.h"
#include "pager.h"

struct pager_refengine {
  std::unique_ptr<pager::snapshot::RefEngine> impl;
};

namespace {

using pager::Status;
namespace snap = pager::snapshot;

// C8: each growable struct's size in 0.2, the first version that had it.
constexpr uint32_t kSnapshotOptionsFirstSize = 56;
constexpr uint32_t kSnapshotInfoFirstSize = 112;
constexpr uint32_t kCacheMetaFirstSize = 24;
constexpr uint32_t kRefengineStatsFirstSize = 24;
static_assert(kSnapshotOptionsFirstSize == sizeof(pager_snapshot_options), "0.2 size");
static_assert(kSnapshotInfoFirstSize == sizeof(pager_snapshot_info), "0.2 size");
static_assert(kCacheMetaFirstSize == sizeof(pager_cache_meta), "0.2 size");
static_assert(snap::kCacheOpsFirstSize == offsetof(pager_cache_ops, page_buffers), "0.2 size");
static_assert(kRefengineStatsFirstSize == sizeof(pager_refengine_stats), "0.2 size");

void DefaultOptions(pager_snapshot_options* opts) {
  std::memset(opts, 0, sizeof *opts);
  opts->struct_size = sizeof *opts;
  opts->compression = PAGER_SNAPSHOT_COMPRESS_NONE;
  opts->zstd_level = 3;
  opts->copy_out_budget_bytes = 0;
}

// C8 for an input meta: struct_size at least 0.2's, unknown trailing bytes zero.
Status ReadMeta(const pager_cache_meta* in, pager_cache_meta* out) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(in, "meta"));
  snap::InitMeta(out);
  return capi::ReadOptions(in, out, "pager_cache_meta", kCacheMetaFirstSize);
}

Status ConvertOptions(const pager_snapshot_options* in, snap::Options* out) {
  pager_snapshot_options o;
  DefaultOptions(&o);
  PAGER_RETURN_IF_ERROR(
      capi::ReadOptions(in, &o, "pager_snapshot_options", kSnapshotOptionsFirstSize));
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
  out->copy_out_budget_bytes = o.copy_out_budget_bytes;
  return out->Validate();
}

Status CheckPath(const char* path) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
  if (path[0] == '\0') return pager::InvalidArgument("path is empty");
  return Status::Ok();
}

// C8 for a callback table: a callback a newer caller set is never silently ignored.
Status CheckOps(const pager_cache_ops* ops) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(ops, "ops"));
  if (ops->struct_size < snap::kCacheOpsFirstSize) {
    return pager::InvalidArgument("pager_cache_ops.struct_size is " +
                                  std::to_string(ops->struct_size) +
                                  ", below its first version's " +
                                  std::to_string(snap::kCacheOpsFirstSize) +
                                  "; zero the struct and set struct_size = sizeof");
  }
  PAGER_RETURN_IF_ERROR(
      capi::CheckUnknownBytesZero(ops, ops->struct_size, sizeof *ops, "pager_cache_ops"));
  return snap::Adapter::Check(*ops);
}

Status CheckEngine(pager_refengine* e) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(e, "engine"));
  return Status::Ok();
}

// C6: a page transfer is exactly the engine's K and V page sizes.
Status CheckPageBuffers(pager_refengine* e, const void* k, uint64_t k_bytes, const void* v,
                        uint64_t v_bytes) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(k, "k"));
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(v, "v"));
  const snap::Geometry& g = e->impl->geometry();
  PAGER_RETURN_IF_ERROR(capi::RequireExactLength(k_bytes, g.k_page_bytes, "k_bytes"));
  return capi::RequireExactLength(v_bytes, g.v_page_bytes, "v_bytes");
}

// The nested meta of an info is written within its own struct_size (C8).
void WriteInfo(pager_snapshot_info full, pager_snapshot_info* out) {
  pager_cache_meta meta = out->meta;
  capi::WriteResultStruct(full.meta, &meta);
  full.meta = meta;
  capi::WriteResultStruct(full, out);
}

Status CheckId(const char* id, uint64_t id_bytes) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(id, "id"));
  if (id_bytes == 0 || id_bytes > 65536) {
    return pager::InvalidArgument("id_bytes " + std::to_string(id_bytes) + " is outside 1..65536");
  }
  return Status::Ok();
}

}  // namespace

extern "C" {

void pager_cache_meta_init(pager_cache_meta* meta) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (meta != nullptr) snap::InitMeta(meta);
  });
}

int pager_cache_meta_page_bytes(const pager_cache_meta* meta, uint64_t* k_page_bytes_out,
                                uint64_t* v_page_bytes_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(k_page_bytes_out, "k_page_bytes_out"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(v_page_bytes_out, "v_page_bytes_out"));
    pager_cache_meta m;
    PAGER_RETURN_IF_ERROR(ReadMeta(meta, &m));
    PAGER_ASSIGN_OR_RETURN(snap::Geometry g, snap::GeometryFromMeta(m));
    *k_page_bytes_out = g.k_page_bytes;
    *v_page_bytes_out = g.v_page_bytes;
    return Status::Ok();
  });
}

int pager_cache_sink_add_pages(pager_cache_sink* sink, const uint32_t* pages,
                               uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&] { return snap::SinkAddPages(sink, pages, count); });
}

int pager_cache_sink_add_seq(pager_cache_sink* sink, const char* id, uint64_t id_bytes,
                             const uint32_t* pages, uint64_t page_count,
                             uint32_t fill_last_page) PAGER_NOEXCEPT {
  return capi::Fence(
      [&] { return snap::SinkAddSeq(sink, id, id_bytes, pages, page_count, fill_last_page); });
}

void pager_snapshot_options_init(pager_snapshot_options* opts) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (opts != nullptr) DefaultOptions(opts);
  });
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
  capi::VoidFence([&] {
    if (info != nullptr) snap::InitInfo(info);
  });
}

int pager_snapshot_inspect(const char* path, pager_snapshot_info* info) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckPath(path));
    PAGER_RETURN_IF_ERROR(
        capi::CheckResultStruct(info, "pager_snapshot_info", kSnapshotInfoFirstSize));
    PAGER_RETURN_IF_ERROR(
        capi::CheckResultStruct(&info->meta, "pager_snapshot_info.meta", kCacheMetaFirstSize));
    pager_snapshot_info full;
    PAGER_RETURN_IF_ERROR(snap::Inspect(pager::io::DefaultEnv(), path, &full));
    WriteInfo(full, info);
    return Status::Ok();
  });
}

int pager_refengine_create(const pager_cache_meta* meta, uint32_t capacity_pages,
                           pager_refengine** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    pager_cache_meta m;
    PAGER_RETURN_IF_ERROR(ReadMeta(meta, &m));
    std::unique_ptr<pager_refengine> e(new pager_refengine());
    PAGER_RETURN_IF_ERROR(snap::RefEngine::Create(m, capacity_pages, &e->impl));
    *out = e.release();
    return Status::Ok();
  });
}

void pager_refengine_free(pager_refengine* engine) PAGER_NOEXCEPT {
  capi::VoidFence([&] { delete engine; });
}

int pager_refengine_ops(pager_refengine* engine, pager_cache_ops* ops_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(ops_out, "ops_out"));
    *ops_out = engine->impl->Ops();
    return Status::Ok();
  });
}

int pager_refengine_meta(pager_refengine* engine, pager_cache_meta* meta_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(
        capi::CheckResultStruct(meta_out, "pager_cache_meta", kCacheMetaFirstSize));
    capi::WriteResultStruct(snap::MetaFromGeometry(engine->impl->geometry()), meta_out);
    return Status::Ok();
  });
}

int pager_refengine_capacity_pages(pager_refengine* engine,
                                   uint32_t* capacity_pages_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(capacity_pages_out, "capacity_pages_out"));
    *capacity_pages_out = engine->impl->capacity_pages();
    return Status::Ok();
  });
}

int pager_refengine_alloc_page(pager_refengine* engine, uint32_t* slot_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(slot_out, "slot_out"));
    PAGER_ASSIGN_OR_RETURN(uint32_t slot, engine->impl->AllocPage());
    *slot_out = slot;
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
    PAGER_RETURN_IF_ERROR(CheckPageBuffers(engine, k, k_bytes, v, v_bytes));
    return engine->impl->WritePage(slot, k, k_bytes, v, v_bytes);
  });
}

int pager_refengine_read_page(pager_refengine* engine, uint32_t slot, void* k, uint64_t k_bytes,
                              void* v, uint64_t v_bytes) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(CheckPageBuffers(engine, k, k_bytes, v, v_bytes));
    const snap::Geometry& g = engine->impl->geometry();
    std::vector<uint8_t> page(g.page_bytes());  // C5: the caller's buffers only on success
    PAGER_RETURN_IF_ERROR(engine->impl->ReadPage(slot, page.data(), k_bytes,
                                                 page.data() + k_bytes, v_bytes));
    std::memcpy(k, page.data(), k_bytes);
    std::memcpy(v, page.data() + k_bytes, v_bytes);
    return Status::Ok();
  });
}

int pager_refengine_set_seq(pager_refengine* engine, const char* id, uint64_t id_bytes,
                            const uint32_t* pages, uint64_t page_count,
                            uint32_t fill_last_page) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(CheckId(id, id_bytes));
    PAGER_RETURN_IF_ERROR(capi::CheckList(pages, page_count, sizeof(uint32_t), "pages"));
    return engine->impl->SetSeq(std::string(id, id_bytes), pages, page_count, fill_last_page);
  });
}

int pager_refengine_remove_seq(pager_refengine* engine, const char* id,
                               uint64_t id_bytes) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(CheckId(id, id_bytes));
    return engine->impl->RemoveSeq(std::string(id, id_bytes));
  });
}

int pager_refengine_get_seq(pager_refengine* engine, const char* id, uint64_t id_bytes,
                            uint32_t* pages_out, uint64_t pages_capacity,
                            uint64_t* page_count_out, uint32_t* fill_last_page_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(CheckId(id, id_bytes));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(page_count_out, "page_count_out"));
    PAGER_RETURN_IF_ERROR(capi::CheckList(pages_out, pages_capacity, sizeof(uint32_t), "pages_out"));
    std::vector<uint32_t> got;
    uint32_t fill = 0;
    PAGER_RETURN_IF_ERROR(engine->impl->GetSeq(std::string(id, id_bytes), &got, &fill));
    if (pages_capacity > 0) {
      PAGER_RETURN_IF_ERROR(capi::RequireAtLeastLength(pages_capacity, got.size(),
                                                       "pages_capacity (in pages)"));
      std::copy(got.begin(), got.end(), pages_out);
    }
    *page_count_out = got.size();
    if (fill_last_page_out != nullptr) *fill_last_page_out = fill;
    return Status::Ok();
  });
}

void pager_refengine_stats_init(pager_refengine_stats* stats) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (stats == nullptr) return;
    std::memset(stats, 0, sizeof *stats);
    stats->struct_size = sizeof *stats;
  });
}

int pager_refengine_get_stats(pager_refengine* engine, pager_refengine_stats* out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(
        capi::CheckResultStruct(out, "pager_refengine_stats", kRefengineStatsFirstSize));
    snap::RefEngine::Stats s = engine->impl->GetStats();
    pager_refengine_stats full;
    std::memset(&full, 0, sizeof full);
    full.paused = s.paused ? 1 : 0;
    full.occupied_pages = s.occupied_pages;
    full.seq_count = s.seq_count;
    capi::WriteResultStruct(full, out);
    return Status::Ok();
  });
}

int pager_refengine_fingerprint(pager_refengine* engine,
                                uint64_t* fingerprint_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckEngine(engine));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(fingerprint_out, "fingerprint_out"));
    *fingerprint_out = engine->impl->Fingerprint();
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

// ---- pager_snapshot_list: the tables SnapshotFile::Open checked (K3), entry by entry -------

namespace {

pager_snapshot_page ToC(const snap::PageEntry& e, uint64_t index) {
  pager_snapshot_page p;
  std::memset(&p, 0, sizeof p);
  p.struct_size = sizeof p;
  p.engine_page = e.engine_page;
  p.flags = e.flags;
  p.index = index;
  p.offset_bytes = e.offset_bytes;
  p.stored_bytes = e.stored_bytes;
  p.stored_checksum = e.stored_checksum;
  p.content_hash_lo = e.content_hash_lo;
  p.content_hash_hi = e.content_hash_hi;
  return p;
}

Status CallbackStopped(const char* which, int rc, uint64_t at) {
  return Status(pager::Code::kCallback, std::string("pager_snapshot_list: ") + which +
                                            " returned " + std::to_string(rc) + " at entry " +
                                            std::to_string(at));
}

}  // namespace

static_assert(snap::kPageCompressed == PAGER_SNAPSHOT_PAGE_COMPRESSED, "flag values");
static_assert(snap::kPageInParent == PAGER_SNAPSHOT_PAGE_IN_PARENT, "flag values");

extern "C" int pager_snapshot_list(const char* path, pager_snapshot_page_fn page_fn,
                                   pager_snapshot_seq_fn seq_fn, void* ctx) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckPath(path));
    std::unique_ptr<snap::SnapshotFile> f;
    PAGER_RETURN_IF_ERROR(snap::SnapshotFile::Open(pager::io::DefaultEnv(), path, &f));
    const std::vector<snap::PageEntry>& pages = f->pages();
    for (uint64_t i = 0; page_fn != nullptr && i < pages.size(); i++) {
      pager_snapshot_page p = ToC(pages[i], i);
      int rc = page_fn(ctx, &p);
      if (rc != 0) return CallbackStopped("page_fn", rc, i);
    }
    const std::vector<snap::Seq>& seqs = f->seqs();
    for (uint64_t i = 0; seq_fn != nullptr && i < seqs.size(); i++) {
      pager_snapshot_seq s;
      std::memset(&s, 0, sizeof s);
      s.struct_size = sizeof s;
      s.fill_last_page = seqs[i].fill_last_page;
      s.id = seqs[i].id.data();
      s.id_bytes = seqs[i].id.size();
      s.pages = seqs[i].pages.data();
      s.page_count = seqs[i].pages.size();
      int rc = seq_fn(ctx, &s);
      if (rc != 0) return CallbackStopped("seq_fn", rc, i);
    }
    return Status::Ok();
  });
}
