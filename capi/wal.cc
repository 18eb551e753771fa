// C shims of the WAL pager (pager_wal_*): argument checks, the exception fence, and the one
// Status -> int conversion. No logic lives here.
//
// Out-parameters (C5) are written only after the call succeeded: results go to locals first.
#include <cstddef>
#include <cstring>
#include <memory>

#include "capi/fence.h"
#include "impl/io/env.h"
#include "impl/wal/wal_pager.h"
#include "pager.h"

// Shared with the read transactions begun on it, which may outlive pager_wal_close (W17).
struct pager_wal {
  std::shared_ptr<pager::wal::WalPager> impl;
};

struct pager_wal_read_txn {
  std::shared_ptr<pager::wal::WalPager> pager;
  pager::wal::ReadSnapshot snap;  // registered with pager until pager_wal_read_txn_free
};

namespace {

using pager::Status;
using pager::wal::WalPager;

// C8: the size of each growable struct in 0.2, its first version. A struct_size below it is
// PAGER_ERR_INVALID; these never change once released.
constexpr uint32_t kOptionsFirstSize = 56;
constexpr uint32_t kCheckpointOptionsFirstSize = 8;
constexpr uint32_t kStatsFirstSize = 88;
static_assert(offsetof(pager_wal_options, wal_prewrite_bytes) + sizeof(uint64_t) ==
                  kOptionsFirstSize,
              "pager_wal_options: a 0.2 field moved (fields are only ever appended)");
static_assert(kCheckpointOptionsFirstSize == sizeof(pager_wal_checkpoint_options),
              "0.2 pager_wal_checkpoint_options size");
static_assert(offsetof(pager_wal_stats, checkpoint_failures) + sizeof(uint64_t) ==
                  kStatsFirstSize,
              "pager_wal_stats: a 0.2 field moved (fields are only ever appended)");

static_assert(PAGER_WAL_APP_HEADER_SIZE == pager::wal::kAppHeaderSize, "app header size");
static_assert(PAGER_WAL_READ_WRITE == static_cast<int>(pager::wal::AccessMode::kReadWrite), "");
static_assert(PAGER_WAL_READ_ONLY == static_cast<int>(pager::wal::AccessMode::kReadOnly), "");
static_assert(PAGER_WAL_FULL == static_cast<int>(pager::wal::Durability::kFull), "");
static_assert(PAGER_WAL_NORMAL == static_cast<int>(pager::wal::Durability::kNormal), "");
static_assert(PAGER_WAL_CHECKPOINT_PASSIVE ==
                  static_cast<int>(pager::wal::CheckpointMode::kPassive), "");
static_assert(PAGER_WAL_CHECKPOINT_FULL == static_cast<int>(pager::wal::CheckpointMode::kFull),
              "");
static_assert(PAGER_WAL_CHECKPOINT_TRUNCATE ==
                  static_cast<int>(pager::wal::CheckpointMode::kTruncate), "");

void Defaults(pager_wal_options* o) {
  pager::wal::Options d;
  std::memset(o, 0, sizeof *o);
  o->struct_size = sizeof *o;
  o->page_size = d.page_size;  // 0: the default on create, the file's on open
  o->durability = static_cast<uint32_t>(d.durability);
  o->cache_pages = d.cache_pages;
  o->auto_checkpoint_frames = d.auto_checkpoint_frames;
  o->read_only = 0;
  o->auto_checkpoint_bytes = d.auto_checkpoint_bytes;
  o->lock_timeout_ms = d.lock_timeout_ms;
  o->wal_keep_bytes = d.wal_keep_bytes;
  o->wal_prewrite_bytes = d.wal_prewrite_bytes;
  o->background_checkpoint = d.background_checkpoint ? 1 : 0;
}

void CheckpointDefaults(pager_wal_checkpoint_options* o) {
  std::memset(o, 0, sizeof *o);
  o->struct_size = sizeof *o;
  o->mode = PAGER_WAL_CHECKPOINT_PASSIVE;
}

void StatsDefaults(pager_wal_stats* s) {
  std::memset(s, 0, sizeof *s);
  s->struct_size = sizeof *s;
}

// Reads the caller's options (C8) into the C++ options and the access mode.
Status ToOptions(const pager_wal_options* in, pager::wal::Options* out,
                 pager::wal::AccessMode* mode) {
  pager_wal_options o;
  Defaults(&o);
  PAGER_RETURN_IF_ERROR(capi::ReadOptions(in, &o, "pager_wal_options", kOptionsFirstSize));
  if (o.read_only > PAGER_WAL_READ_ONLY_KEEP_FILES) {
    return pager::InvalidArgument("pager_wal_options.read_only is " +
                                  std::to_string(o.read_only) + "; it must be 0, 1 or 2");
  }
  if (o.durability > PAGER_WAL_NORMAL) {
    return pager::InvalidArgument("pager_wal_options.durability " +
                                  std::to_string(o.durability) +
                                  " is neither PAGER_WAL_FULL nor PAGER_WAL_NORMAL");
  }
  if (o.background_checkpoint > 1) {
    return pager::InvalidArgument("pager_wal_options.background_checkpoint is " +
                                  std::to_string(o.background_checkpoint) +
                                  "; it must be 0 or 1");
  }
  if (o.reserved != 0) {
    return pager::InvalidArgument("pager_wal_options.reserved is " +
                                  std::to_string(o.reserved) + "; it must be 0");
  }
  out->background_checkpoint = o.background_checkpoint == 1;
  out->page_size = o.page_size;
  out->durability = static_cast<pager::wal::Durability>(o.durability);
  out->cache_pages = o.cache_pages;
  out->auto_checkpoint_frames = o.auto_checkpoint_frames;
  out->auto_checkpoint_bytes = o.auto_checkpoint_bytes;
  out->lock_timeout_ms = o.lock_timeout_ms;
  out->wal_keep_bytes = o.wal_keep_bytes;
  out->wal_prewrite_bytes = o.wal_prewrite_bytes;
  out->keep_index_as_found = o.read_only == PAGER_WAL_READ_ONLY_KEEP_FILES;  // W21
  *mode = o.read_only == PAGER_WAL_READ_WRITE ? pager::wal::AccessMode::kReadWrite
                                              : pager::wal::AccessMode::kReadOnly;
  return Status::Ok();
}

Status ToCheckpointMode(const pager_wal_checkpoint_options* in,
                        pager::wal::CheckpointMode* mode) {
  pager_wal_checkpoint_options o;
  CheckpointDefaults(&o);
  PAGER_RETURN_IF_ERROR(capi::ReadOptions(in, &o, "pager_wal_checkpoint_options",
                                          kCheckpointOptionsFirstSize));
  if (o.mode > PAGER_WAL_CHECKPOINT_TRUNCATE) {
    return pager::InvalidArgument("pager_wal_checkpoint_options.mode is " +
                                  std::to_string(o.mode) +
                                  "; it must be PAGER_WAL_CHECKPOINT_PASSIVE, _FULL or _TRUNCATE");
  }
  *mode = static_cast<pager::wal::CheckpointMode>(o.mode);
  return Status::Ok();
}

Status Wrap(std::unique_ptr<WalPager> p, pager_wal** out) {
  auto h = std::make_unique<pager_wal>();
  h->impl = std::move(p);
  *out = h.release();
  return Status::Ok();
}

Status RequireHandle(const pager_wal* h) { return capi::RequireNonNull(h, "handle"); }

pager_wal_stats ToCStats(const pager::wal::Stats& s) {
  pager_wal_stats full;
  StatsDefaults(&full);
  full.cache_hits = s.cache_hits;
  full.cache_misses = s.cache_misses;
  full.commits = s.commits;
  full.frames_written = s.frames_written;
  full.checkpoints = s.checkpoints;
  full.pages_checkpointed = s.pages_checkpointed;
  full.syncs = s.syncs;
  full.bytes_synced = s.bytes_synced;
  full.wal_frames = s.wal_frames;
  full.checkpoint_failures = s.checkpoint_failures;
  full.last_checkpoint_error = s.last_checkpoint_code;
  full.frames_left = s.frames_left;
  full.readers_active = s.readers_active;
  full.checkpoint_waits = s.checkpoint_waits;
  full.wal_restarts = s.wal_restarts;
  return full;
}

}  // namespace

extern "C" {

void pager_wal_options_init(pager_wal_options* opts) PAGER_NOEXCEPT {
  capi::VoidFence([&]() {
    if (opts != nullptr) Defaults(opts);
  });
}

void pager_wal_checkpoint_options_init(pager_wal_checkpoint_options* opts) PAGER_NOEXCEPT {
  capi::VoidFence([&]() {
    if (opts != nullptr) CheckpointDefaults(opts);
  });
}

void pager_wal_stats_init(pager_wal_stats* stats) PAGER_NOEXCEPT {
  capi::VoidFence([&]() {
    if (stats != nullptr) StatsDefaults(stats);
  });
}

int pager_wal_create(const char* path, const pager_wal_options* opts,
                     pager_wal** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    pager::wal::Options o;
    pager::wal::AccessMode mode = pager::wal::AccessMode::kReadWrite;
    PAGER_RETURN_IF_ERROR(ToOptions(opts, &o, &mode));
    if (mode != pager::wal::AccessMode::kReadWrite) {
      return pager::InvalidArgument(
          "pager_wal_options.read_only is " + std::to_string(opts->read_only) +
          ": a database is created read-write");
    }
    std::unique_ptr<WalPager> p;
    PAGER_RETURN_IF_ERROR(WalPager::Create(pager::io::DefaultEnv(), path, o, &p));
    return Wrap(std::move(p), out);
  });
}

int pager_wal_open(const char* path, const pager_wal_options* opts,
                   pager_wal** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    pager::wal::Options o;
    pager::wal::AccessMode mode = pager::wal::AccessMode::kReadWrite;
    PAGER_RETURN_IF_ERROR(ToOptions(opts, &o, &mode));
    std::unique_ptr<WalPager> p;
    PAGER_RETURN_IF_ERROR(WalPager::Open(pager::io::DefaultEnv(), path, mode, o, &p));
    return Wrap(std::move(p), out);
  });
}

void pager_wal_close(pager_wal* h) PAGER_NOEXCEPT {
  capi::VoidFence([&]() {
    if (h != nullptr) h->impl->Close();  // files and lock go now, read transactions or not
    delete h;
  });
}

int pager_wal_access_mode(pager_wal* h, uint32_t* mode_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(mode_out, "mode_out"));
    *mode_out = static_cast<uint32_t>(h->impl->access_mode());
    return Status::Ok();
  });
}

int pager_wal_page_size(pager_wal* h, uint32_t* bytes_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(bytes_out, "bytes_out"));
    *bytes_out = h->impl->page_size();
    return Status::Ok();
  });
}

int pager_wal_page_count(pager_wal* h, uint32_t* count_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(count_out, "count_out"));
    *count_out = h->impl->page_count();
    return Status::Ok();
  });
}

int pager_wal_read_page(pager_wal* h, uint32_t page_number, void* buf,
                        uint64_t buf_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(buf, "buf"));
    PAGER_RETURN_IF_ERROR(
        capi::RequireExactLength(buf_len, h->impl->page_size(), "read_page buf_len"));
    return h->impl->ReadPage(page_number, static_cast<uint8_t*>(buf), buf_len);
  });
}

int pager_wal_stage_page(pager_wal* h, uint32_t page_number, const void* data,
                         uint64_t data_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data, "data"));
    PAGER_RETURN_IF_ERROR(
        capi::RequireExactLength(data_len, h->impl->page_size(), "stage_page data_len"));
    return h->impl->StagePage(page_number, static_cast<const uint8_t*>(data), data_len);
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

int pager_wal_read_app_header(pager_wal* h, void* buf, uint64_t buf_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(buf, "buf"));
    PAGER_RETURN_IF_ERROR(capi::RequireExactLength(buf_len, PAGER_WAL_APP_HEADER_SIZE,
                                                   "read_app_header buf_len"));
    return h->impl->ReadAppHeader(static_cast<uint8_t*>(buf), buf_len);
  });
}

int pager_wal_stage_app_header(pager_wal* h, const void* data,
                               uint64_t data_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data, "data"));
    PAGER_RETURN_IF_ERROR(capi::RequireExactLength(data_len, PAGER_WAL_APP_HEADER_SIZE,
                                                   "stage_app_header data_len"));
    return h->impl->StageAppHeader(static_cast<const uint8_t*>(data), data_len);
  });
}

int pager_wal_commit(pager_wal* h, uint32_t* frames_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    pager::Result<uint32_t> r = h->impl->Commit();
    if (!r.ok()) return r.status();
    if (frames_out != nullptr) *frames_out = r.value();
    return Status::Ok();
  });
}

int pager_wal_checkpoint(pager_wal* h, const pager_wal_checkpoint_options* opts,
                         uint32_t* pages_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    pager::wal::CheckpointMode mode = pager::wal::CheckpointMode::kPassive;
    PAGER_RETURN_IF_ERROR(ToCheckpointMode(opts, &mode));
    pager::Result<uint32_t> r = h->impl->Checkpoint(mode);
    if (!r.ok()) return r.status();
    if (pages_out != nullptr) *pages_out = r.value();
    return Status::Ok();
  });
}

int pager_wal_get_stats(pager_wal* h, pager_wal_stats* out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::CheckResultStruct(out, "pager_wal_stats", kStatsFirstSize));
    capi::WriteResultStruct(ToCStats(h->impl->stats()), out);
    return Status::Ok();
  });
}

int pager_wal_read_txn_begin(pager_wal* h, pager_wal_read_txn** txn_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(RequireHandle(h));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(txn_out, "txn_out"));
    auto t = std::make_unique<pager_wal_read_txn>();
    t->pager = h->impl;
    PAGER_RETURN_IF_ERROR(h->impl->BeginRead(&t->snap));
    *txn_out = t.release();
    return Status::Ok();
  });
}

int pager_wal_read_txn_read_page(pager_wal_read_txn* txn, uint32_t page_number, void* buf,
                                 uint64_t buf_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(txn, "txn"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(buf, "buf"));
    return txn->pager->ReadPageAt(txn->snap, page_number, static_cast<uint8_t*>(buf), buf_len);
  });
}

int pager_wal_read_txn_view_page(pager_wal_read_txn* txn, uint32_t page_number,
                                 const uint8_t** data_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(txn, "txn"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data_out, "data_out"));
    return txn->pager->ViewPageAt(&txn->snap, page_number, data_out);
  });
}

int pager_wal_read_txn_page_count(pager_wal_read_txn* txn, uint32_t* count_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(txn, "txn"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(count_out, "count_out"));
    PAGER_RETURN_IF_ERROR(txn->pager->CheckUsable());
    *count_out = txn->snap.page_count;
    return Status::Ok();
  });
}

int pager_wal_read_txn_read_app_header(pager_wal_read_txn* txn, void* buf,
                                       uint64_t buf_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(txn, "txn"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(buf, "buf"));
    PAGER_RETURN_IF_ERROR(capi::RequireExactLength(buf_len, PAGER_WAL_APP_HEADER_SIZE,
                                                   "read_app_header buf_len"));
    PAGER_RETURN_IF_ERROR(txn->pager->CheckUsable());
    std::memcpy(buf, txn->snap.app_header, PAGER_WAL_APP_HEADER_SIZE);
    return Status::Ok();
  });
}

void pager_wal_read_txn_free(pager_wal_read_txn* txn) PAGER_NOEXCEPT {
  capi::VoidFence([&]() {
    if (txn == nullptr) return;
    txn->pager->EndRead(&txn->snap);
    delete txn;
  });
}

}  // extern "C"
