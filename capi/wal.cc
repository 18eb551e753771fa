// C shims of the WAL pager (pager_wal_*): argument checks, the exception fence, and the one
// Status -> int conversion. No logic lives here.
#include <cstring>
#include <memory>

#include "capi/fence.h"
#include "impl/io/env.h"
#include "impl/wal/wal_pager.h"
#include "pager.h"

struct pager_wal {
  std::unique_ptr<pager::wal::WalPager> impl;
};

namespace {

using pager::Status;
using pager::wal::WalPager;

static_assert(PAGER_WAL_APP_HEADER_SIZE == pager::wal::kAppHeaderSize, "app header size");
static_assert(PAGER_WAL_READ_WRITE == static_cast<int>(pager::wal::AccessMode::kReadWrite), "");
static_assert(PAGER_WAL_READ_ONLY == static_cast<int>(pager::wal::AccessMode::kReadOnly), "");
static_assert(PAGER_WAL_FULL == static_cast<int>(pager::wal::Durability::kFull), "");
static_assert(PAGER_WAL_NORMAL == static_cast<int>(pager::wal::Durability::kNormal), "");

void Defaults(pager_wal_options* o) {
  pager::wal::Options d;
  std::memset(o, 0, sizeof *o);
  o->struct_size = sizeof *o;
  o->page_size = d.page_size;
  o->durability = static_cast<uint32_t>(d.durability);
  o->cache_pages = d.cache_pages;
  o->auto_checkpoint_frames = d.auto_checkpoint_frames;
  o->auto_checkpoint_bytes = d.auto_checkpoint_bytes;
  o->lock_timeout_ms = d.lock_timeout_ms;
  o->wal_keep_bytes = d.wal_keep_bytes;
  o->wal_prewrite_bytes = d.wal_prewrite_bytes;
}

// Reads the caller's options (growth rule of pager.h) into the C++ options. for_open: a zero
// page size means "accept the file's" instead of the create default.
Status ToOptions(const pager_wal_options* in, bool for_open, pager::wal::Options* out) {
  pager_wal_options o;
  Defaults(&o);
  if (for_open) o.page_size = 0;
  PAGER_RETURN_IF_ERROR(capi::ReadOptions(in, &o, "pager_wal_options", sizeof o));
  if (o.reserved != 0) return pager::InvalidArgument("pager_wal_options.reserved must be 0");
  if (o.durability > PAGER_WAL_NORMAL) {
    return pager::InvalidArgument("pager_wal_options.durability " +
                                  std::to_string(o.durability) +
                                  " is neither PAGER_WAL_FULL nor PAGER_WAL_NORMAL");
  }
  out->page_size = o.page_size;
  out->durability = static_cast<pager::wal::Durability>(o.durability);
  out->cache_pages = o.cache_pages;
  out->auto_checkpoint_frames = o.auto_checkpoint_frames;
  out->auto_checkpoint_bytes = o.auto_checkpoint_bytes;
  out->lock_timeout_ms = o.lock_timeout_ms;
  out->wal_keep_bytes = o.wal_keep_bytes;
  out->wal_prewrite_bytes = o.wal_prewrite_bytes;
  return Status::Ok();
}

Status Wrap(std::unique_ptr<WalPager> p, pager_wal** out) {
  auto h = std::make_unique<pager_wal>();
  h->impl = std::move(p);
  *out = h.release();
  return Status::Ok();
}

Status OpenWithMode(const char* path, uint32_t mode, const pager_wal_options* opts,
                    pager_wal** out) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
  if (mode > PAGER_WAL_READ_ONLY) {
    return pager::InvalidArgument("mode " + std::to_string(mode) +
                                  " is neither PAGER_WAL_READ_WRITE nor PAGER_WAL_READ_ONLY");
  }
  pager::wal::Options o;
  PAGER_RETURN_IF_ERROR(ToOptions(opts, true, &o));
  std::unique_ptr<WalPager> p;
  PAGER_RETURN_IF_ERROR(WalPager::Open(pager::io::DefaultEnv(), path,
                                       static_cast<pager::wal::AccessMode>(mode), o, &p));
  return Wrap(std::move(p), out);
}

Status RequireHandle(const pager_wal* h) { return capi::RequireNonNull(h, "handle"); }

}  // namespace

extern "C" {

int pager_wal_options_init(pager_wal_options* opts) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(opts, "opts"));
    Defaults(opts);
    return Status::Ok();
  });
}

int pager_wal_create(const char* path, const pager_wal_options* opts,
                     pager_wal** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    pager::wal::Options o;
    PAGER_RETURN_IF_ERROR(ToOptions(opts, false, &o));
    std::unique_ptr<WalPager> p;
    PAGER_RETURN_IF_ERROR(WalPager::Create(pager::io::DefaultEnv(), path, o, &p));
    return Wrap(std::move(p), out);
  });
}

int pager_wal_open(const char* path, const pager_wal_options* opts,
                   pager_wal** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() { return OpenWithMode(path, PAGER_WAL_READ_WRITE, opts, out); });
}

int pager_wal_open_read_only(const char* path, const pager_wal_options* opts,
                             pager_wal** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() { return OpenWithMode(path, PAGER_WAL_READ_ONLY, opts, out); });
}

int pager_wal_open_with_mode(const char* path, uint32_t mode, const pager_wal_options* opts,
                             pager_wal** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() { return OpenWithMode(path, mode, opts, out); });
}

void pager_wal_close(pager_wal* h) PAGER_NOEXCEPT {
  capi::ClearLastError();
  delete h;
}

int pager_wal_access_mode(pager_wal* h, uint32_t* out_mode) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out_mode, "out_mode"));
    *out_mode = static_cast<uint32_t>(h->impl->access_mode());
    return Status::Ok();
  });
}

int pager_wal_page_size(pager_wal* h, uint32_t* out_bytes) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out_bytes, "out_bytes"));
    *out_bytes = h->impl->page_size();
    return Status::Ok();
  });
}

int pager_wal_page_count(pager_wal* h, uint32_t* out_count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out_count, "out_count"));
    *out_count = h->impl->page_count();
    return Status::Ok();
  });
}

int pager_wal_read_page(pager_wal* h, uint32_t page_number, void* buf,
                        size_t buf_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(buf, "buf"));
    return h->impl->ReadPage(page_number, static_cast<uint8_t*>(buf), buf_len);
  });
}

int pager_wal_stage_page(pager_wal* h, uint32_t page_number, const void* data,
                         size_t len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data, "data"));
    return h->impl->StagePage(page_number, static_cast<const uint8_t*>(data), len);
  });
}

int pager_wal_clear_staged(pager_wal* h) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    return h->impl->ClearStaged();
  });
}

int pager_wal_set_page_count(pager_wal* h, uint32_t page_count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    return h->impl->SetPageCount(page_count);
  });
}

int pager_wal_read_app_header(pager_wal* h, void* buf, size_t len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(buf, "buf"));
    return h->impl->ReadAppHeader(static_cast<uint8_t*>(buf), len);
  });
}

int pager_wal_stage_app_header(pager_wal* h, const void* data, size_t len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data, "data"));
    return h->impl->StageAppHeader(static_cast<const uint8_t*>(data), len);
  });
}

int pager_wal_commit(pager_wal* h, uint32_t* out_frames) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    pager::Result<uint32_t> r = h->impl->Commit();
    if (!r.ok()) return r.status();
    if (out_frames != nullptr) *out_frames = r.value();
    return Status::Ok();
  });
}

int pager_wal_checkpoint(pager_wal* h, uint32_t* out_pages) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    pager::Result<uint32_t> r = h->impl->Checkpoint();
    if (!r.ok()) return r.status();
    if (out_pages != nullptr) *out_pages = r.value();
    return Status::Ok();
  });
}

int pager_wal_get_stats(pager_wal* h, pager_wal_stats* out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    uint32_t given = out->struct_size;
    if (given < 8) {
      return pager::InvalidArgument("pager_wal_stats.struct_size is " + std::to_string(given) +
                                    "; set it to sizeof(pager_wal_stats)");
    }
    pager::wal::Stats s = h->impl->stats();
    pager_wal_stats full;
    std::memset(&full, 0, sizeof full);
    full.struct_size = static_cast<uint32_t>(std::min<size_t>(given, sizeof full));
    full.cache_hits = s.cache_hits;
    full.cache_misses = s.cache_misses;
    full.commits = s.commits;
    full.frames_written = s.frames_written;
    full.checkpoints = s.checkpoints;
    full.pages_checkpointed = s.pages_checkpointed;
    full.syncs = s.syncs;
    full.bytes_synced = s.bytes_synced;
    full.wal_frames = s.wal_frames;
    std::memcpy(out, &full, full.struct_size);
    return Status::Ok();
  });
}

}  // extern "C"
