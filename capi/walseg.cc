// extern "C" shims of the WAL segment component: argument checks, option conversion, the
// exception fence. No logic beyond that (impl/walseg holds it).
#include <memory>
#include <mutex>

#include "capi/fence.h"
#include "impl/io/env.h"
#include "impl/walseg/reader.h"
#include "impl/walseg/writer.h"

struct pager_walseg_writer {
  std::unique_ptr<pager::walseg::LogWriter> impl;
};

struct pager_walseg_reader {
  std::mutex mu;
  std::unique_ptr<pager::walseg::SegmentReader> impl;
};

struct pager_walseg_replay {
  std::mutex mu;
  std::unique_ptr<pager::walseg::LogReplay> impl;
};

namespace {

using pager::Status;
namespace ws = pager::walseg;

// C8: the sizes of the option structs in 0.2, the first version that had them. A caller's
// struct_size below these is PAGER_ERR_INVALID. They stay fixed when fields are appended.
constexpr uint32_t kWriterOptionsFirstSize = 72;
constexpr uint32_t kReaderOptionsFirstSize = 40;
static_assert(sizeof(pager_walseg_options) == kWriterOptionsFirstSize,
              "pager_walseg_options grew: keep kWriterOptionsFirstSize at the 0.2 size");
static_assert(sizeof(pager_walseg_reader_options) == kReaderOptionsFirstSize,
              "pager_walseg_reader_options grew: keep kReaderOptionsFirstSize at the 0.2 size");

void DefaultOptions(pager_walseg_options* o) {
  ws::WriterOptions d;
  *o = pager_walseg_options{};
  o->struct_size = sizeof(pager_walseg_options);
  o->sync_policy = static_cast<uint32_t>(d.sync_policy);
  o->segment_bytes = d.segment_bytes;
  o->group_bytes = d.group_bytes;
  o->group_interval_us = d.group_interval_us;
  o->max_payload_bytes = d.max_payload_bytes;
  o->prewrite_bytes = d.prewrite_bytes;
  o->buffer_bytes = d.buffer_bytes;
  o->first_lsn = d.first_lsn;
  o->create_if_missing = d.create_if_missing ? 1 : 0;
}

Status ToWriterOptions(const pager_walseg_options* in, ws::WriterOptions* out) {
  pager_walseg_options o;
  DefaultOptions(&o);
  PAGER_RETURN_IF_ERROR(
      capi::ReadOptions(in, &o, "pager_walseg_options", kWriterOptionsFirstSize));
  if (o.sync_policy > PAGER_WALSEG_SYNC_EXPLICIT) {
    return pager::InvalidArgument("pager_walseg_options.sync_policy " +
                                  std::to_string(o.sync_policy) + " is not a PAGER_WALSEG_SYNC_*");
  }
  if (o.create_if_missing > 1 || o.reserved0 != 0) {
    return pager::InvalidArgument(
        "pager_walseg_options.create_if_missing must be 0 or 1 and reserved0 must be 0");
  }
  out->sync_policy = static_cast<ws::SyncPolicy>(o.sync_policy);
  out->segment_bytes = o.segment_bytes;
  out->group_bytes = o.group_bytes;
  out->group_interval_us = o.group_interval_us;
  out->max_payload_bytes = o.max_payload_bytes;
  out->prewrite_bytes = o.prewrite_bytes;
  out->buffer_bytes = o.buffer_bytes;
  out->first_lsn = o.first_lsn;
  out->create_if_missing = o.create_if_missing == 1;
  return ws::ValidateWriterOptions(*out);
}

void DefaultReaderOptions(pager_walseg_reader_options* o) {
  *o = pager_walseg_reader_options{};
  o->struct_size = sizeof(pager_walseg_reader_options);
  o->max_payload_bytes = ws::kDefaultMaxPayloadBytes;
}

Status ToReaderOptions(const pager_walseg_reader_options* in, ws::ReaderOptions* out) {
  pager_walseg_reader_options o;
  DefaultReaderOptions(&o);
  PAGER_RETURN_IF_ERROR(
      capi::ReadOptions(in, &o, "pager_walseg_reader_options", kReaderOptionsFirstSize));
  PAGER_RETURN_IF_ERROR(capi::CheckList(o.known_types, o.known_type_count, sizeof(uint16_t),
                                        "pager_walseg_reader_options.known_types"));
  if (o.reserved0 != 0) {
    return pager::InvalidArgument("pager_walseg_reader_options.reserved0 must be 0");
  }
  out->max_payload_bytes = o.max_payload_bytes;
  out->expected_first_lsn = o.expected_first_lsn;
  out->all_types_known = o.known_types == nullptr;
  if (o.known_types != nullptr) {
    out->known_types.assign(o.known_types, o.known_types + static_cast<size_t>(o.known_type_count));
  }
  return Status::Ok();
}

void ToRecord(const ws::RecordView& v, pager_walseg_record* rec) {
  *rec = pager_walseg_record{};
  rec->lsn = v.lsn;
  rec->len = v.len;
  rec->offset = v.offset;
  rec->data = v.len > 0 ? v.data : nullptr;
  rec->type = v.type;
}

// One next call of a reader or replay (C5: *rec and *found are written only on success).
template <typename Impl>
Status NextRecord(Impl* impl, pager_walseg_record* rec, uint32_t* found) {
  ws::RecordView v;
  bool got = false;
  PAGER_RETURN_IF_ERROR(impl->Next(&v, &got));
  if (got) ToRecord(v, rec);
  *found = got ? 1 : 0;
  return Status::Ok();
}

}  // namespace

extern "C" {

PAGER_API void pager_walseg_options_init(pager_walseg_options* opts) PAGER_NOEXCEPT {
  capi::VoidFence([&]() {
    if (opts != nullptr) DefaultOptions(opts);
  });
}

PAGER_API int pager_walseg_writer_open(const char* dir, const pager_walseg_options* opts,
                                       pager_walseg_writer** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(dir, "dir"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    ws::WriterOptions o;
    PAGER_RETURN_IF_ERROR(ToWriterOptions(opts, &o));
    auto w = std::make_unique<pager_walseg_writer>();
    PAGER_RETURN_IF_ERROR(ws::LogWriter::Open(pager::io::DefaultEnv(), dir, o, &w->impl));
    *out = w.release();
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_append(pager_walseg_writer* w, uint16_t type, const void* data,
                                  uint64_t len, uint64_t* lsn_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(w, "writer"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(lsn_out, "lsn_out"));
    uint64_t lsn = 0;
    PAGER_RETURN_IF_ERROR(w->impl->Append(type, data, len, &lsn));
    *lsn_out = lsn;
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_sync(pager_walseg_writer* w) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(w, "writer"));
    return w->impl->Sync();
  });
}

PAGER_API int pager_walseg_flush(pager_walseg_writer* w) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(w, "writer"));
    return w->impl->Flush();
  });
}

PAGER_API int pager_walseg_writer_lsns(pager_walseg_writer* w, uint64_t* next_lsn,
                                       uint64_t* durable_lsn) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(w, "writer"));
    if (next_lsn != nullptr) *next_lsn = w->impl->next_lsn();
    if (durable_lsn != nullptr) *durable_lsn = w->impl->durable_lsn();
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_remove_before(pager_walseg_writer* w, uint64_t lsn,
                                         uint64_t* removed_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(w, "writer"));
    uint64_t removed = 0;
    PAGER_RETURN_IF_ERROR(w->impl->RemoveSegmentsBefore(lsn, &removed));
    if (removed_out != nullptr) *removed_out = removed;
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_writer_close(pager_walseg_writer* w) PAGER_NOEXCEPT {
  std::unique_ptr<pager_walseg_writer> owned(w);
  return capi::Fence([&]() -> Status {
    if (owned == nullptr) return Status::Ok();
    return owned->impl->Close();
  });
}

PAGER_API void pager_walseg_reader_options_init(pager_walseg_reader_options* opts)
    PAGER_NOEXCEPT {
  capi::VoidFence([&]() {
    if (opts != nullptr) DefaultReaderOptions(opts);
  });
}

PAGER_API int pager_walseg_reader_open(const char* path, const pager_walseg_reader_options* opts,
                                       pager_walseg_reader** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    ws::ReaderOptions o;
    PAGER_RETURN_IF_ERROR(ToReaderOptions(opts, &o));
    auto r = std::make_unique<pager_walseg_reader>();
    PAGER_RETURN_IF_ERROR(ws::SegmentReader::Open(pager::io::DefaultEnv(), path, o, &r->impl));
    *out = r.release();
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_reader_next(pager_walseg_reader* r, pager_walseg_record* rec,
                                       uint32_t* found) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(r, "reader"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(rec, "rec"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(found, "found"));
    std::lock_guard<std::mutex> lock(r->mu);
    return NextRecord(r->impl.get(), rec, found);
  });
}

PAGER_API int pager_walseg_reader_stop(pager_walseg_reader* r, uint32_t* reason,
                                       uint64_t* offset, uint64_t* last_lsn) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(r, "reader"));
    std::lock_guard<std::mutex> lock(r->mu);
    if (reason != nullptr) *reason = static_cast<uint32_t>(r->impl->stop_reason());
    if (offset != nullptr) *offset = r->impl->stop_offset();
    if (last_lsn != nullptr) *last_lsn = r->impl->last_lsn();
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_reader_stop_detail(pager_walseg_reader* r, char* buf,
                                              uint64_t buf_len,
                                              uint64_t* len_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(r, "reader"));
    PAGER_RETURN_IF_ERROR(capi::CheckStringOut(buf, buf_len));
    std::lock_guard<std::mutex> lock(r->mu);
    capi::CopyStringOut(r->impl->stop_detail(), buf, buf_len, len_out);
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_reader_position(pager_walseg_reader* r, uint64_t* offset,
                                           uint64_t* len, uint32_t* is_empty,
                                           uint32_t* madvise_applied) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(r, "reader"));
    std::lock_guard<std::mutex> lock(r->mu);
    if (offset != nullptr) *offset = r->impl->offset();
    if (len != nullptr) *len = r->impl->len();
    if (is_empty != nullptr) *is_empty = r->impl->is_empty() ? 1 : 0;
    if (madvise_applied != nullptr) *madvise_applied = r->impl->madvise_applied() ? 1 : 0;
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_reader_release_pages(pager_walseg_reader* r) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(r, "reader"));
    std::lock_guard<std::mutex> lock(r->mu);
    return r->impl->ReleasePages();
  });
}

PAGER_API void pager_walseg_reader_close(pager_walseg_reader* r) PAGER_NOEXCEPT {
  capi::VoidFence([&]() { delete r; });  // destructors do not throw
}

PAGER_API int pager_walseg_replay_open(const char* dir, uint64_t from_lsn,
                                       const pager_walseg_reader_options* opts,
                                       pager_walseg_replay** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(dir, "dir"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    ws::ReaderOptions o;
    PAGER_RETURN_IF_ERROR(ToReaderOptions(opts, &o));
    auto it = std::make_unique<pager_walseg_replay>();
    PAGER_RETURN_IF_ERROR(
        ws::LogReplay::Open(pager::io::DefaultEnv(), dir, from_lsn, o, &it->impl));
    *out = it.release();
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_replay_next(pager_walseg_replay* it, pager_walseg_record* rec,
                                       uint32_t* found) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(it, "replay"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(rec, "rec"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(found, "found"));
    std::lock_guard<std::mutex> lock(it->mu);
    return NextRecord(it->impl.get(), rec, found);
  });
}

PAGER_API int pager_walseg_replay_stop(pager_walseg_replay* it, uint32_t* reason,
                                       uint64_t* segment_lsn, uint64_t* offset,
                                       uint64_t* last_lsn) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(it, "replay"));
    std::lock_guard<std::mutex> lock(it->mu);
    if (reason != nullptr) *reason = static_cast<uint32_t>(it->impl->stop_reason());
    if (segment_lsn != nullptr) *segment_lsn = it->impl->stop_segment_lsn();
    if (offset != nullptr) *offset = it->impl->stop_offset();
    if (last_lsn != nullptr) *last_lsn = it->impl->last_lsn();
    return Status::Ok();
  });
}

PAGER_API int pager_walseg_replay_stop_detail(pager_walseg_replay* it, char* buf,
                                              uint64_t buf_len,
                                              uint64_t* len_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(it, "replay"));
    PAGER_RETURN_IF_ERROR(capi::CheckStringOut(buf, buf_len));
    std::lock_guard<std::mutex> lock(it->mu);
    capi::CopyStringOut(it->impl->stop_detail(), buf, buf_len, len_out);
    return Status::Ok();
  });
}

PAGER_API void pager_walseg_replay_close(pager_walseg_replay* it) PAGER_NOEXCEPT {
  capi::VoidFence([&]() { delete it; });
}

}  // extern "C"
